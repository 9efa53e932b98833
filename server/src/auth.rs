//! Bearer tokens: who is calling, for which workspace, with which scope.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use maestro_tools::Effect;
use maestro_tools::store::{Scope, TokenInfo};

use crate::problem::Problem;
use crate::state::{AppState, blocking};

/// The caller of a `/v1` route: a live token's record, admitted by
/// [`require_scope`] before the handler runs.
#[derive(Debug, Clone)]
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

    /// 403 unless the token may run a tool with this `effect`: reads need
    /// the read scope, changes the write scope.
    pub fn may_run(&self, effect: Effect) -> Result<(), Problem> {
        match effect {
            Effect::Read => self.require(Scope::Read),
            Effect::Write | Effect::Destructive => self.require(Scope::Write),
        }
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

/// Admits a request to a route that declares `scope` (the route table adds
/// this layer from the route's documentation): 401 without a valid token,
/// 403 with too small a scope — before the request's body is read. The
/// [`Caller`] rides along for the handler.
pub async fn require_scope(
    State((state, scope)): State<(Arc<AppState>, Scope)>,
    request: Request,
    next: Next,
) -> Result<Response, Problem> {
    let (mut parts, body) = request.into_parts();
    let caller = authenticate(&parts, &state).await?;
    caller.require(scope)?;
    parts.extensions.insert(caller);
    Ok(next.run(Request::from_parts(parts, body)).await)
}

/// The caller the route's [`require_scope`] layer admitted; a route that
/// declares no scope has no caller (a 500 that says so, never an open door).
impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| {
            Problem::internal(format!(
                "the route {} declares no scope, so it has no caller",
                parts.uri.path()
            ))
        })
    }
}

/// The live token the request's `Authorization: Bearer` header carries.
async fn authenticate(parts: &Parts, state: &Arc<AppState>) -> Result<Caller, Problem> {
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
