//! The web console at `/`: chat, tasks, people, data, models and activity
//! in the browser, rendered on the server.
//!
//! A person signs in with an API token ([`session`]); every page then acts
//! as that token, in its workspace, within its scope, through the same
//! `Platform` calls and queries as REST and chat. Every state-changing
//! request carries the session's CSRF secret ([`admit`] checks it before
//! any handler runs); every page is sent with a Content-Security-Policy
//! that allows only this site's script and style.

mod activity;
mod chat;
mod data;
mod login;
mod models;
mod people;
pub mod render;
pub mod session;
mod tasks;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use maestro_assistant::Assistant;
use maestro_tools::store::Scope;
use maestro_tools::{Effect, Query, ToolError, ToolOutput};
use maud::{Markup, html};
use serde_json::Value;

use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::{AppState, blocking};
use session::{SESSION_COOKIE, Session, cookie, same_secret};

/// The console's routes: sign-in and the static files open to all, every
/// other page behind [`admit`]; all with the console's security headers.
pub fn routes(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    let pages = Router::new()
        .merge(chat::routes())
        .merge(tasks::routes())
        .merge(people::routes())
        .merge(data::routes())
        .merge(models::routes())
        .merge(activity::routes())
        .merge(login::signed_in_routes())
        .route_layer(from_fn_with_state(Arc::clone(state), admit));
    Router::new()
        .merge(login::routes())
        .route("/console/console.js", get(script))
        .route("/console/console.css", get(style))
        .route("/console/icon.svg", get(icon))
        .merge(pages)
        .layer(from_fn(html_errors))
        .layer(from_fn(secure_headers))
}

/// Who is looking at a page: the token's caller, the session and the
/// workspace's assistant.
#[derive(Clone)]
pub struct Viewer {
    /// The token the session signed in with, as REST sees it.
    pub caller: Caller,
    /// The session (its CSRF secret for forms).
    pub session: Session,
    /// The session's cookie value.
    pub cookie: String,
    /// The workspace's assistant and platform.
    pub assistant: Assistant,
    /// The outcome of the last change, shown once on this page.
    pub flash: Option<String>,
    state: Arc<AppState>,
}

impl Viewer {
    /// Whether the token may change things (shows write controls).
    pub fn can_write(&self) -> bool {
        self.caller.0.scope.allows(Scope::Write)
    }

    /// Runs tool `name` as the token (audited as REST's calls are); a
    /// changing tool needs a write token.
    pub async fn call(&self, name: &'static str, args: Value) -> Result<ToolOutput, PageError> {
        let effect = self
            .assistant
            .platform()
            .registry()
            .get(name)
            .map(|t| t.effect());
        self.caller.may_run(effect.unwrap_or(Effect::Destructive))?;
        let assistant = self.assistant.clone();
        let actor = self.caller.actor();
        Ok(blocking(move || Ok(assistant.platform().call(Some(&actor), name, args)?)).await?)
    }

    /// Reads through the platform's typed queries as the token (audited).
    pub async fn query<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Query<'_>) -> Result<T, ToolError> + Send + 'static,
    ) -> Result<T, PageError> {
        let assistant = self.assistant.clone();
        let actor = self.caller.actor();
        Ok(blocking(move || Ok(read(&assistant.platform().query(Some(&actor)))?)).await?)
    }

    /// A redirect (303) to `path`, whose page then shows `notice` once (kept
    /// in the session, so no link can put words in the console's mouth).
    pub fn done(&self, path: &str, notice: &str) -> Response {
        self.state.sessions.flash(&self.cookie, notice);
        Redirect::to(path).into_response()
    }

    /// The same page for this viewer, in `section`, as an HTML response.
    pub fn page(&self, section: &str, title: &str, body: Markup) -> Response {
        Html(render::page(Some(self), section, title, body).into_string()).into_response()
    }
}

/// The viewer [`admit`] let in.
impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PageError> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or_else(|| PageError::new(StatusCode::UNAUTHORIZED, "sign in first"))
    }
}

/// A page that could not be shown: its status and what to do, as HTML.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    message: String,
}

impl PageError {
    /// An error page with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl From<Problem> for PageError {
    fn from(p: Problem) -> Self {
        Self::new(p.status, p.detail)
    }
}

impl From<ToolError> for PageError {
    fn from(e: ToolError) -> Self {
        Problem::from(e).into()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let body = html! {
            (render::notice(&self.message, true))
            p { a href="/" { "Back to the console" } }
        };
        (
            self.status,
            Html(render::page(None, "", title, body).into_string()),
        )
            .into_response()
    }
}

/// Whether a browser asked for a page (`Accept: text/html`), so that even
/// errors outside the console's routes (a timeout, an unknown path) answer
/// with one.
pub fn wants_html(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Admits a request to a signed-in page: the session cookie must name a
/// live session whose token is still valid (else sign-in again), and a
/// request that changes state must carry the session's CSRF secret (the
/// `csrf` form field or an `X-CSRF-Token` header).
async fn admit(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    match admitted(&state, request).await {
        Ok(request) => next.run(request).await,
        Err(response) => response,
    }
}

async fn admitted(state: &Arc<AppState>, request: Request) -> Result<Request, Response> {
    let signed_out = |request: &Request| {
        if request.method() == Method::GET {
            Redirect::to("/login").into_response()
        } else {
            PageError::new(
                StatusCode::UNAUTHORIZED,
                "your session has ended; sign in again",
            )
            .into_response()
        }
    };
    let id = cookie(request.headers(), SESSION_COOKIE).unwrap_or_default();
    let Some(session) = state.sessions.get(&id) else {
        return Err(signed_out(&request));
    };
    let token = session.token.clone();
    let directory = Arc::clone(&state.directory);
    let found = blocking(move || Ok(directory.authenticate(&token)?))
        .await
        .map_err(|p| PageError::from(p).into_response())?;
    let Some(info) = found else {
        state.sessions.end(&id);
        return Err(signed_out(&request));
    };
    let request = if request.method() == Method::GET || request.method() == Method::HEAD {
        request
    } else {
        checked_csrf(request, &session.csrf, state.config.body_limit)
            .await
            .map_err(IntoResponse::into_response)?
    };
    let caller = Caller(info);
    let assistant = state
        .assistant(caller.workspace())
        .await
        .map_err(|p| PageError::from(p).into_response())?;
    let mut request = request;
    // A change's outcome waits for the page that follows it.
    let flash = (request.method() == Method::GET)
        .then(|| state.sessions.take_flash(&id))
        .flatten();
    request.extensions_mut().insert(Viewer {
        caller,
        session,
        cookie: id,
        assistant,
        flash,
        state: Arc::clone(state),
    });
    Ok(request)
}

/// The request again when it carries `expected` as its CSRF secret.
async fn checked_csrf(
    request: Request,
    expected: &str,
    limit: usize,
) -> Result<Request, PageError> {
    let stale = || {
        PageError::new(
            StatusCode::FORBIDDEN,
            "this form is out of date or came from another site; reload the page and try again",
        )
    };
    if let Some(sent) = request.headers().get("x-csrf-token") {
        return match sent.to_str() {
            Ok(sent) if same_secret(sent, expected) => Ok(request),
            _ => Err(stale()),
        };
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| PageError::new(StatusCode::PAYLOAD_TOO_LARGE, "the form is too large"))?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let sent = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    match sent {
        Some(sent) if same_secret(sent, expected) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(stale()),
    }
}

/// Longest framework error turned into a page (they are short sentences).
const ERROR_LIMIT: usize = 16 * 1024;

/// Shows the framework's own rejections (a malformed form, a path that is
/// not a number) as error pages, like the console's own errors.
async fn html_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_page || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), ERROR_LIMIT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_string()
    } else {
        text
    };
    PageError::new(status, message).into_response()
}

/// The Content-Security-Policy of every console answer: this site's script,
/// style and images (charts come as data URLs), nothing inline, no framing.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Adds the console's security headers; pages are never cached.
async fn secure_headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/console/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, "content-security-policy", POLICY);
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "same-origin");
    let cache = if is_asset {
        "public, max-age=3600"
    } else {
        "no-store"
    };
    set(headers, "cache-control", cache);
    response
}

/// The console's script (no build step; served from the binary).
async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../assets/console.js"),
    )
}

/// The console's style sheet.
async fn style() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../../assets/console.css"),
    )
}

/// The console's icon.
async fn icon() -> Response {
    asset("image/svg+xml", include_str!("../../assets/icon.svg"))
}

fn asset(kind: &'static str, text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], text).into_response()
}
