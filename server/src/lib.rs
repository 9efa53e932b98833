//! Maestro's server: the REST API (`/v1/…`), the Slack bot (`/slack/…`),
//! MCP (`/mcp`), the web console (`/`), health, metrics and the OpenAPI
//! document, on axum.
//!
//! Every request is tied to one workspace: a bearer token opens exactly one,
//! a Slack team maps to one. The store and the assistant are synchronous, so
//! handlers reach them through [`tokio::task::spawn_blocking`].

#![deny(missing_docs)]

mod api;
mod auth;
mod connections;
mod console;
mod mcp;
mod metrics;
mod openapi;
mod problem;
mod scheduler;
mod slack;
mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use maestro_tools::store::Directory;
use maestro_tools::{Clock, FileAccess};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use connections::Connections;
pub use slack::{DEFAULT_API_URL as SLACK_API_URL, SlackConfig, sign as slack_signature};
pub use state::Opener;

/// How the server behaves.
#[derive(Clone)]
pub struct ServerConfig {
    /// Largest request body, in bytes (larger: 413).
    pub body_limit: usize,
    /// Longest time a request may take before a 503 (streams excepted once started).
    pub timeout: Duration,
    /// Which files remote requests may read (`MAESTRO_DATA_ROOTS`).
    pub files: FileAccess,
    /// The Slack bot, when configured.
    pub slack: Option<SlackConfig>,
    /// "Now" (Slack timestamps are checked against it).
    pub clock: Clock,
    /// How many connections at once, and how long a request's headers may take.
    pub connections: Connections,
    /// The host names `/mcp` answers to (the `Host` header; others get 403,
    /// which stops DNS rebinding). Default: the loopback names.
    pub hosts: Vec<String>,
    /// Cancelled when the server stops: ends open MCP streams.
    pub stop: CancellationToken,
    /// Where CSV files uploaded with `PUT /v1/datasets/{name}` are kept, a
    /// directory per workspace that its requests may read (`maestro serve`:
    /// `HOME/uploads`). `None`: uploads are refused.
    pub uploads: Option<std::path::PathBuf>,
    /// The address people reach the console at (`MAESTRO_PUBLIC_URL`, e.g.
    /// `https://maestro.example.com`), for links in Slack; `None`: no links.
    pub public_url: Option<String>,
    /// How often the scheduler ticks every workspace (`maestro serve`: each
    /// minute); `None`: it does not run here.
    pub scheduler: Option<Duration>,
}

impl ServerConfig {
    /// Defaults: 1 MiB bodies, 60 s per request, no files, no uploads, no
    /// Slack, no scheduler, `/mcp` for loopback names only,
    /// [`Connections::default`].
    pub fn new(clock: Clock) -> Self {
        Self {
            body_limit: 1 << 20,
            timeout: Duration::from_secs(60),
            files: FileAccess::Under(Vec::new()),
            slack: None,
            clock,
            connections: Connections::default(),
            hosts: ["localhost", "127.0.0.1", "::1"].map(String::from).to_vec(),
            stop: CancellationToken::new(),
            uploads: None,
            public_url: None,
            scheduler: None,
        }
    }
}

/// The server could not start or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}: {reason}; choose another --addr (e.g. 127.0.0.1:8080)")]
    Bind {
        /// The address.
        addr: String,
        /// Why not.
        reason: String,
    },
    /// Serving failed.
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// The whole application: every route with its middleware. Called within a
/// tokio runtime, it also starts the Slack bot's Socket Mode connection when
/// the configuration has an app token, and the scheduler when it has a period.
pub fn app(config: ServerConfig, directory: Arc<dyn Directory>, opener: Opener) -> Router {
    let body_limit = config.body_limit;
    let state = Arc::new(state::AppState::new(config, directory, opener));
    slack::start_socket_mode(&state);
    scheduler::start(&state);
    api::routes(&state)
        .merge(mcp::routes(&state))
        .merge(console::routes(&state))
        .fallback(problem::unknown_route)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            state::time_limit,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn(problem::as_problem))
        .layer(axum::middleware::from_fn(problem::with_request_id))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            metrics::track,
        ))
        .with_state(state)
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes;
/// requests in flight then finish before this returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: Connections,
) -> Result<(), ServerError> {
    Ok(connections::serve(listener, app, shutdown, limits).await?)
}

/// Binds `addr` and serves until Ctrl-C or SIGTERM (for `maestro serve`);
/// `ready` is told the address once listening.
pub fn run(
    addr: &str,
    config: ServerConfig,
    directory: Arc<dyn Directory>,
    opener: Opener,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| ServerError::Bind {
                addr: addr.into(),
                reason: e.to_string(),
            })?;
        ready(listener.local_addr()?);
        let limits = config.connections;
        let stop = config.stop.clone();
        let stopped = async move {
            stop_signal().await;
            stop.cancel();
        };
        serve(listener, app(config, directory, opener), stopped, limits).await
    })
}

/// Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
