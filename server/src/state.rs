//! What every handler shares: the directory, one assistant per workspace,
//! the metrics and the Slack bot.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maestro_assistant::Assistant;
use maestro_tools::store::Directory;

use crate::ServerConfig;
use crate::console::session::Sessions;
use crate::metrics::Metrics;
use crate::problem::Problem;
use crate::slack::Slack;

/// Opens the assistant of a workspace by name (the caller decides the
/// planner and where the state lives). Only called for workspaces the
/// directory knows.
pub type Opener = Arc<dyn Fn(&str) -> Result<Assistant, String> + Send + Sync>;

/// The state behind every route.
pub struct AppState {
    /// Workspaces and tokens.
    pub directory: Arc<dyn Directory>,
    /// How the server behaves.
    pub config: ServerConfig,
    /// Request counts and latencies.
    pub metrics: Metrics,
    /// The Slack bot, when configured.
    pub slack: Option<Slack>,
    /// The web console's signed-in browsers.
    pub sessions: Sessions,
    opener: Opener,
    open: Mutex<HashMap<String, Assistant>>,
}

impl AppState {
    /// The state for `config`.
    pub fn new(config: ServerConfig, directory: Arc<dyn Directory>, opener: Opener) -> Self {
        Self {
            slack: config.slack.clone().map(Slack::new),
            directory,
            config,
            metrics: Metrics::default(),
            sessions: Sessions::default(),
            opener,
            open: Mutex::new(HashMap::new()),
        }
    }

    /// The assistant of `workspace`, opened on first use and kept; its
    /// platform may read only the files the configuration allows.
    pub async fn assistant(self: &Arc<Self>, workspace: &str) -> Result<Assistant, Problem> {
        if let Some(a) = self.lock().get(workspace) {
            return Ok(a.clone());
        }
        let state = Arc::clone(self);
        let workspace = workspace.to_string();
        blocking(move || {
            let mut open = state.lock();
            if let Some(a) = open.get(&workspace) {
                return Ok(a.clone());
            }
            let assistant = (state.opener)(&workspace).map_err(|e| {
                Problem::internal(format!("cannot open the workspace {workspace:?}: {e}"))
            })?;
            let files = match state.upload_dir(&workspace)? {
                Some(dir) => state.config.files.clone().with_root(&dir),
                None => Ok(state.config.files.clone()),
            };
            assistant
                .platform()
                .restrict_files(files.map_err(Problem::internal)?);
            crate::slack::watch_homes(&state, &workspace, assistant.platform());
            open.insert(workspace, assistant.clone());
            Ok(assistant)
        })
        .await
    }

    /// The directory `workspace`'s uploads are kept in (made when missing),
    /// when the server keeps uploads. Blocking.
    pub fn upload_dir(&self, workspace: &str) -> Result<Option<PathBuf>, Problem> {
        let Some(root) = &self.config.uploads else {
            return Ok(None);
        };
        let dir = root.join(workspace);
        std::fs::create_dir_all(&dir).map_err(|e| {
            Problem::internal(format!(
                "cannot make the upload directory {}: {e}",
                dir.display()
            ))
        })?;
        Ok(Some(dir))
    }

    /// What is wrong with the server's state, if anything: the directory
    /// and every open workspace's store (a cheap read each) and catalog.
    /// Blocking: call it through [`blocking`].
    pub fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        if let Err(e) = self.directory.list_workspaces() {
            failures.push(format!("the directory cannot be read: {e}"));
        }
        let open: Vec<(String, Assistant)> = self
            .lock()
            .iter()
            .map(|(name, a)| (name.clone(), a.clone()))
            .collect();
        for (name, assistant) in open {
            let platform = assistant.platform();
            if let Err(e) = platform.check_store() {
                failures.push(format!("the store of workspace {name} cannot be read: {e}"));
            }
            if let Err(e) = platform.catalog().len() {
                failures.push(format!(
                    "the catalog of workspace {name} cannot be read: {e}"
                ));
            }
        }
        failures
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Assistant>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Runs blocking work (the store, a turn) off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    // The request's span goes along to the worker thread.
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(|e| Problem::internal(format!("the request's worker failed: {e}")))?
}

/// A fresh random id (sessions, requests): 16 hex digits.
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 8];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Answers 503 when a request takes longer than the configured timeout.
pub async fn time_limit(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let limit = state.config.timeout;
    let page = crate::console::wants_html(req.headers());
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            let status = StatusCode::SERVICE_UNAVAILABLE;
            let detail = format!(
                "the request took longer than {} s and was abandoned; try a smaller request",
                limit.as_secs()
            );
            if page {
                crate::console::PageError::new(status, detail).into_response()
            } else {
                Problem::new(status, detail).into_response()
            }
        }
    }
}
