//! A real server on 127.0.0.1 (port 0) over a temporary home, and a client.

#![allow(dead_code)] // each test file uses part of the harness

use std::path::PathBuf;
use std::sync::Arc;

use maestro_assistant::{Assistant, LocalPlanner};
use maestro_server::{Opener, ServerConfig};
use maestro_tools::store::{Directory, Scope, SqliteDirectory};
use maestro_tools::{Clock, Platform};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// "Now" in every test.
pub const NOW: &str = "2026-11-26T10:00:00Z";

pub fn clock() -> Clock {
    Clock::fixed(NOW.parse().unwrap())
}

/// A running server.
pub struct Server {
    pub base: String,
    pub home: tempfile::TempDir,
    pub directory: Arc<SqliteDirectory>,
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), maestro_server::ServerError>>>,
}

/// A server over a new temporary home.
pub async fn start(configure: impl FnOnce(&mut ServerConfig)) -> Server {
    start_in(tempfile::tempdir().unwrap(), configure).await
}

/// A server over `home` (which may hold workspaces already).
pub async fn start_in(
    home: tempfile::TempDir,
    configure: impl FnOnce(&mut ServerConfig),
) -> Server {
    // reqwest is built without a default crypto provider (no aws-lc).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let directory = Arc::new(SqliteDirectory::open(&home.path().join("maestro.db")).unwrap());
    let mut config = ServerConfig::new(clock());
    config.uploads = Some(home.path().join("uploads"));
    configure(&mut config);
    let root: PathBuf = home.path().to_path_buf();
    let opener: Opener = Arc::new(move |workspace: &str| {
        let platform = Platform::open(&root, workspace, clock()).map_err(|e| e.to_string())?;
        let planner = LocalPlanner::new(platform.registry()).map_err(|e| e.to_string())?;
        Ok(Assistant::new(platform, Box::new(planner)))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let limits = config.connections;
    let app = maestro_server::app(config, Arc::clone(&directory) as Arc<dyn Directory>, opener);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(maestro_server::serve(
        listener,
        app,
        async {
            let _ = stopped.await;
        },
        limits,
    ));
    Server {
        base,
        home,
        directory,
        http: reqwest::Client::new(),
        stop: Some(stop),
        task: Some(task),
    }
}

impl Server {
    /// Creates a workspace and returns a token of that scope for it.
    pub fn workspace(&self, name: &str, team: Option<&str>, scope: Scope) -> String {
        if !self
            .directory
            .list_workspaces()
            .unwrap()
            .iter()
            .any(|w| w.name == name)
        {
            self.directory.create_workspace(name, team).unwrap();
        }
        self.token(name, scope)
    }

    /// Another token for an existing workspace.
    pub fn token(&self, workspace: &str, scope: Scope) -> String {
        let n = self.directory.list_tokens(workspace).unwrap().len();
        self.directory
            .create_token(workspace, &format!("t{n}"), scope, clock().now())
            .unwrap()
            .0
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with a bearer token.
    pub fn req(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(token)
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        send(self.req(reqwest::Method::GET, path, token)).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        send(self.req(reqwest::Method::POST, path, token).json(&body)).await
    }

    /// Stops accepting; requests in flight finish; returns when the server ended.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    /// Asks the server to stop without waiting.
    pub fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Waits for the server's end.
    pub async fn stopped(&mut self) {
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

/// Sends and returns the status and the JSON body (Null when not JSON).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asserts a problem+json answer with this status; returns its detail.
pub async fn problem(request: reqwest::RequestBuilder, status: u16) -> String {
    let response = request.send().await.unwrap();
    assert_eq!(response.status().as_u16(), status, "status");
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert_eq!(kind, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string());
    body["detail"].as_str().unwrap().to_string()
}

/// A server that may read files under one directory, which holds `iris.csv`
/// (the directory lives as long as the first value).
pub async fn serving_iris() -> (tempfile::TempDir, std::path::PathBuf, Server) {
    let data = tempfile::tempdir().unwrap();
    let csv = data.path().join("iris.csv");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/iris.csv"),
        &csv,
    )
    .unwrap();
    let roots = Some(data.path().to_str().unwrap().to_string());
    let s =
        start(|c| c.files = maestro_tools::FileAccess::from_roots(roots.as_deref()).unwrap()).await;
    (data, csv, s)
}
