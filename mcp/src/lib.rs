//! Maestro over the Model Context Protocol.
//!
//! [`McpServer`] offers every tool of a workspace's registry under its own
//! name (with its JSON Schema and annotations from its effect), plus `ask`
//! (one assistant turn), `search_tools` (the catalog's nearest tools) and
//! `call_tool` (any tool by name, for clients that list only the first two),
//! and the workspace's datasets, models and tasks as resources. It is served
//! over stdio by `maestro mcp` ([`serve_stdio`]) and over streamable HTTP at
//! `/mcp` by `maestro serve` ([`streamable_http`]). A call that removes
//! something, or changes many things at once, runs only after the human says
//! yes through the client ([`approval`]).
#![deny(missing_docs)]

use std::future::Future;
use std::sync::Arc;

use maestro_assistant::Assistant;

mod approval;
mod ask;
mod calls;
mod handler;
mod listing;
pub mod remote;
mod resources;
mod transports;

pub use calls::nearest_tools;
pub use listing::{META_TOOLS, tool_list};
pub use transports::{serve_stdio, streamable_http};

/// Which tools `tools/list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolSet {
    /// Every tool, plus `ask`, `search_tools` and `call_tool` (`--tools all`).
    All,
    /// Only `ask`, `search_tools` and `call_tool` (`--tools search`): a client
    /// pays a few hundred tokens instead of every schema.
    Search,
}

/// How calls that need a person's yes are approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// Ask the human through the client (elicitation, or the 2026-07-28
    /// input-required flow); refuse when the client cannot ask.
    AskHuman,
    /// Run without asking (`maestro mcp --yes`, for scripts).
    Granted,
}

/// How the server behaves for every client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Which tools are listed.
    pub tools: ToolSet,
    /// How destructive calls are approved.
    pub approval: Approval,
}

/// What one request may do, in which workspace, as whom.
#[derive(Clone)]
pub struct Grant {
    /// The workspace's assistant (and through it the platform).
    pub assistant: Assistant,
    /// Who the audit log says acted (`--as NAME`, or `token:NAME` over HTTP).
    pub actor: Option<String>,
    /// Whether tools that change things may be listed and called (a
    /// read-scoped token: no).
    pub writes: bool,
    /// The prefix of this caller's conversation names, so that callers never
    /// share one (over HTTP, the token's: revoking it ends them).
    pub sessions: String,
}

/// Finds the [`Grant`] a request runs under. Over stdio it is always the
/// same; over HTTP it comes from the request's bearer token, which the
/// server's middleware checked and put in the request's extensions.
pub trait Access: Send + Sync + 'static {
    /// The grant for a request; `http` is the HTTP request's head when the
    /// request came over HTTP. An error says why the request is refused.
    fn grant(
        &self,
        http: Option<&http::request::Parts>,
    ) -> impl Future<Output = Result<Grant, String>> + Send;
}

/// One workspace as one caller: `maestro mcp` over stdio.
impl Access for Grant {
    async fn grant(&self, _: Option<&http::request::Parts>) -> Result<Grant, String> {
        Ok(self.clone())
    }
}

/// The MCP server: cheap to clone (one per HTTP session shares the rest).
pub struct McpServer<A> {
    access: Arc<A>,
    options: Options,
    pending: Arc<approval::Pending>,
    /// The workspaces whose resources changed, for `subscriptions/listen`.
    changes: tokio::sync::broadcast::Sender<String>,
}

impl<A> Clone for McpServer<A> {
    fn clone(&self) -> Self {
        Self {
            access: self.access.clone(),
            options: self.options,
            pending: self.pending.clone(),
            changes: self.changes.clone(),
        }
    }
}

impl<A: Access> McpServer<A> {
    /// A server that finds each request's grant through `access`.
    pub fn new(access: A, options: Options) -> Self {
        Self {
            access: Arc::new(access),
            options,
            pending: Arc::default(),
            changes: tokio::sync::broadcast::channel(64).0,
        }
    }
}
