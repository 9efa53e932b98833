//! Bearer tokens: who is calling, for which workspace, with which scope.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use maestro_tools::store::{Scope, TokenInfo};

use crate::problem::Problem;
use crate::state::{AppState, blocking};

/// The caller of a `/v1` route: a live token's record.
pub struct Caller(pub TokenInfo);

impl Caller {
    /// Who the audit log says acted: `token:NAME`.
    pub fn actor(&self) -> String {
        format!("token:{}", self.0.name)
    }

    /// The caller's workspace.
    pub fn workspace(&self) -> &str {
        &self.0.workspace
    }

    /// 403 unless the token's scope allows `needed`.
    pub fn require(&self, needed: Scope) -> Result<(), Problem> {
        if self.0.scope.allows(needed) {
            Ok(())
        } else {
            Err(Problem::new(
                StatusCode::FORBIDDEN,
                format!(
                    "this token has the {} scope; this request needs {needed}; create one with `maestro token create --scope {needed}`",
                    self.0.scope
                ),
            ))
        }
    }
}

fn unauthorized(detail: &str) -> Problem {
    Problem::new(StatusCode::UNAUTHORIZED, detail)
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Problem> {
        let header = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            unauthorized(
                "send a token: `Authorization: Bearer TOKEN` (`maestro token create` makes one)",
            )
        })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unauthorized("the Authorization header must be `Bearer TOKEN`"))?
            .to_string();
        let state = Arc::clone(state);
        let found = blocking(move || Ok(state.directory.authenticate(&token)?)).await?;
        found.map(Caller).ok_or_else(|| {
            unauthorized("the token is not valid (wrong, or revoked); ask for a new one")
        })
    }
}
