//! MCP over streamable HTTP at `/mcp`: the same bearer tokens as the REST
//! API (401 without a valid one), each request in its token's workspace, and
//! a read-scoped token sees and calls only the tools that read.

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use maestro_mcp::{Access, Approval, Grant, Options, ToolSet};
use maestro_tools::store::{Scope, token_sessions};

use crate::auth::{Caller, require_scope};
use crate::state::AppState;

/// Finds a request's grant from the [`Caller`] that [`require_scope`] admitted.
struct TokenAccess(Arc<AppState>);

impl Access for TokenAccess {
    async fn grant(&self, http: Option<&http::request::Parts>) -> Result<Grant, String> {
        let caller = http
            .and_then(|parts| parts.extensions.get::<Caller>())
            .ok_or("the request carries no admitted token")?;
        let assistant = self
            .0
            .assistant(caller.workspace())
            .await
            .map_err(|problem| problem.detail)?;
        Ok(Grant {
            assistant,
            actor: Some(caller.actor()),
            writes: caller.0.scope.allows(Scope::Write),
            sessions: format!("{}mcp:", token_sessions(caller.0.id)),
        })
    }
}

/// The `/mcp` route: every tool listed, and a human's yes through the
/// client before deletions and bulk changes.
pub fn routes(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    let options = Options {
        tools: ToolSet::All,
        approval: Approval::AskHuman,
    };
    let service = maestro_mcp::streamable_http(
        TokenAccess(Arc::clone(state)),
        options,
        state.config.hosts.clone(),
        state.config.stop.clone(),
    );
    Router::new()
        .nest_service("/mcp", service)
        .layer(from_fn_with_state(
            (Arc::clone(state), Scope::Read),
            require_scope,
        ))
}
