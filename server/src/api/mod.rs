//! The REST API: one table of routes, from which both the router and the
//! OpenAPI document are built.

mod assets;
mod chat;
mod notify;
mod recurring;
mod tasks;
mod team;
mod tools;

pub use chat::{ChatAnswer, ChatRequest};
pub(crate) use chat::{check_text, wants_events};
pub(crate) use tasks::TaskQuery;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use maestro_assistant::Assistant;
use maestro_tools::{Query, ToolOutput};
use serde::Serialize;
use serde_json::Value;

use crate::auth::{Caller, require_scope};
use crate::openapi::{self, Doc};
use crate::problem::Problem;
use crate::state::{AppState, blocking};

/// One route: its documentation and its handler.
pub struct Route {
    /// What the OpenAPI document says about it.
    pub doc: Doc,
    /// The handler.
    pub handler: MethodRouter<Arc<AppState>>,
}

/// Every route of the server (the REST API, Slack, health, metrics, OpenAPI).
pub fn table() -> Vec<Route> {
    let mut routes = vec![
        Route {
            doc: Doc::new(
                "GET",
                "/healthz",
                "Health: 200 with {\"status\": \"ok\"} when the directory and every open workspace's store and catalog answer a cheap read; otherwise 503 (the reasons are logged).",
            )
            .response(200, openapi::object_schema(&["status"])),
            handler: get(healthz),
        },
        Route {
            doc: Doc::new("GET", "/metrics", "Prometheus metrics (text format)."),
            handler: get(crate::metrics::metrics),
        },
        Route {
            doc: Doc::new("GET", "/openapi.json", "This document."),
            handler: get(openapi::document),
        },
    ];
    routes.extend(chat::routes());
    routes.extend(tools::routes());
    routes.extend(tasks::routes());
    routes.extend(recurring::routes());
    routes.extend(notify::routes());
    routes.extend(team::routes());
    routes.extend(assets::routes());
    routes.extend(crate::slack::table());
    routes
}

/// The router over [`table`]: each route that declares a scope admits only
/// tokens with it ([`require_scope`]), before its handler runs.
pub fn routes(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    table().into_iter().fold(Router::new(), |router, r| {
        let handler = match r.doc.needs() {
            Some(scope) => r.handler.route_layer(from_fn_with_state(
                (Arc::clone(state), scope),
                require_scope,
            )),
            None => r.handler,
        };
        router.route(r.doc.path, handler)
    })
}

/// 200 when the directory and every open workspace's store and catalog
/// answer; otherwise 503, with the reasons in the log.
async fn healthz(state: AppStateRef) -> Result<Response, Problem> {
    let state = Arc::clone(&state);
    let failures = blocking(move || Ok(state.failures())).await?;
    if failures.is_empty() {
        Ok(axum::Json(serde_json::json!({"status": "ok"})).into_response())
    } else {
        // The reasons (paths, database errors) go to the log, not to
        // whoever asks: this route needs no token.
        tracing::warn!(reasons = %failures.join("; "), "unhealthy");
        Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the store or a catalog cannot be read; the server's log says which and why",
        ))
    }
}

/// The caller's workspace's assistant.
async fn open(state: &Arc<AppState>, caller: &Caller) -> Result<Assistant, Problem> {
    state.assistant(caller.workspace()).await
}

/// Runs tool `name` in the caller's workspace (audited as the token).
async fn call_tool(
    assistant: Assistant,
    caller: &Caller,
    name: &'static str,
    args: Value,
) -> Result<ToolOutput, Problem> {
    let actor = caller.actor();
    blocking(move || Ok(assistant.platform().call(Some(&actor), name, args)?)).await
}

/// Runs `read` on the caller's behalf (audited as the token), off the async runtime.
async fn read<T: Send + 'static, E: Into<Problem>>(
    assistant: Assistant,
    caller: &Caller,
    read: impl FnOnce(&Query<'_>) -> Result<T, E> + Send + 'static,
) -> Result<T, Problem> {
    let actor = caller.actor();
    blocking(move || read(&assistant.platform().query(Some(&actor))).map_err(Into::into)).await
}

/// A body that changes the object at a path's `{id}`: an object, with that
/// id (a different id in the body is refused).
fn with_path_id(body: Value, id: i64) -> Result<Value, Problem> {
    let mut args = object(body)?;
    if args.get("id").is_some_and(|v| v.as_i64() != Some(id)) {
        return Err(Problem::bad_request(
            "the body's id differs from the path's; leave it out",
        ));
    }
    args.insert("id".into(), serde_json::json!(id));
    Ok(Value::Object(args))
}

/// A JSON body that must be an object.
fn object(body: Value) -> Result<serde_json::Map<String, Value>, Problem> {
    match body {
        Value::Object(o) => Ok(o),
        _ => Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body must be a JSON object, e.g. {\"title\": \"fix the login bug\"}",
        )),
    }
}

/// `limit` and `offset` of a listing.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    limit: usize,
    offset: usize,
}

/// Default page size.
const PAGE_DEFAULT: usize = 100;
/// Largest page.
const PAGE_MAX: usize = 1000;
/// Largest offset: beyond it a listing is refused rather than wrapped
/// (no store holds this many rows, and every offset + limit stays exact).
const OFFSET_MAX: usize = 1 << 40;

impl Page {
    /// A page from the query's values.
    fn new(limit: Option<usize>, offset: Option<usize>) -> Result<Self, Problem> {
        let limit = limit.unwrap_or(PAGE_DEFAULT);
        if !(1..=PAGE_MAX).contains(&limit) {
            return Err(Problem::bad_request(format!(
                "limit must be between 1 and {PAGE_MAX}"
            )));
        }
        let offset = offset.unwrap_or(0);
        if offset > OFFSET_MAX {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("offset must be at most {OFFSET_MAX}; follow the Link header's next page"),
            ));
        }
        Ok(Self { limit, offset })
    }

    /// The page of `items` as a JSON list, with `X-Total-Count` and, when
    /// more follow, a `Link: <…>; rel="next"` header (the same query, the next offset).
    fn respond<T: Serialize>(self, items: Vec<T>, path: &str, query: Option<&str>) -> Response {
        let total = items.len();
        let shown: Vec<T> = items
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .collect();
        let mut response = axum::Json(shown).into_response();
        let headers = response.headers_mut();
        headers.insert("x-total-count", HeaderValue::from(total));
        if self.offset + self.limit < total {
            let mut pairs: Vec<(String, String)> = query
                .and_then(|q| serde_urlencoded::from_str(q).ok())
                .unwrap_or_default();
            pairs.retain(|(k, _)| k != "offset" && k != "limit");
            pairs.push(("limit".into(), self.limit.to_string()));
            pairs.push(("offset".into(), (self.offset + self.limit).to_string()));
            let next = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            if let Ok(v) = HeaderValue::from_str(&format!("<{path}?{next}>; rel=\"next\"")) {
                headers.insert(header::LINK, v);
            }
        }
        response
    }
}

/// 201 with a `Location` and the created object.
fn created(location: String, data: Value) -> Response {
    let mut response = (StatusCode::CREATED, axum::Json(data)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// A path segment for a `Location` header.
pub(crate) fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Server-sent events as they arrive on `events`, until every sender is
/// gone; `keep` lives as long as the stream (a guard that acts when the
/// client leaves).
pub(crate) fn event_stream(
    events: tokio::sync::mpsc::UnboundedReceiver<axum::response::sse::Event>,
    keep: impl Send + 'static,
) -> Response {
    use axum::response::sse::{KeepAlive, Sse};
    let events = futures_util::stream::unfold((events, keep), |(mut rx, keep)| async move {
        rx.recv()
            .await
            .map(|e| (Ok::<_, std::convert::Infallible>(e), (rx, keep)))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The assistant state shared by handlers (re-exported for the submodules).
type AppStateRef = State<Arc<AppState>>;
