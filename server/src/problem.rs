//! Errors as RFC 9457 `application/problem+json`, for every route.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maestro_tools::{StoreError, ToolError};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use tracing::Instrument as _;

/// The media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answer: a status and a sentence that says what to do.
#[derive(Debug)]
pub struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong and what to do.
    pub detail: String,
}

impl Problem {
    /// A problem with this status and detail.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
        }
    }

    /// 400.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 404 naming what was asked for (and nothing about other workspaces).
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// 500.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, detail)
    }
}

/// A problem as `application/problem+json` (RFC 9457) carries it.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Problem")]
pub struct ProblemBody {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The status's reason phrase.
    title: &'static str,
    /// The HTTP status.
    status: u16,
    /// What went wrong and what to do.
    detail: String,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = ProblemBody {
            kind: "about:blank",
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: self.detail,
        };
        let body = serde_json::to_string(&body).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        let status = match &e {
            StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
            StoreError::Conflict(_) => StatusCode::CONFLICT,
            StoreError::Unusable(_) | StoreError::Storage(_) | StoreError::Postgres(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        Self::new(status, e.to_string())
    }
}

impl From<ToolError> for Problem {
    fn from(e: ToolError) -> Self {
        match e {
            ToolError::Store(e) => e.into(),
            ToolError::UnknownTool(_) => Self::not_found(e.to_string()),
            ToolError::InvalidArgument { .. }
            | ToolError::UnknownPerson { .. }
            | ToolError::Ml(_) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
            ToolError::Catalog(_) => Self::internal(e.to_string()),
            ToolError::External { .. } => Self::new(StatusCode::BAD_GATEWAY, e.to_string()),
        }
    }
}

/// The answer for a path no route serves (a page when a browser asks).
pub async fn unknown_route(req: Request) -> Response {
    let path = req.uri().path();
    if crate::console::wants_html(req.headers()) {
        let message = format!("there is no page at {path}; the menu above lists the pages");
        return crate::console::PageError::new(StatusCode::NOT_FOUND, message).into_response();
    }
    Problem::not_found(format!(
        "there is nothing at {path}; /openapi.json lists the routes"
    ))
    .into_response()
}

/// Largest error body rewritten (axum's own rejections are short sentences).
const REWRITE_LIMIT: usize = 16 * 1024;

/// Turns the framework's plain-text errors (bad JSON, 405, 413, bad path
/// parameters) into problem details, so every error has one shape.
pub async fn as_problem(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    // Problems and the console's error pages are already what people should see.
    let is_final = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(PROBLEM_JSON.as_bytes())
                || v.as_bytes().starts_with(b"text/html")
        });
    if !(status.is_client_error() || status.is_server_error()) || is_final {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, REWRITE_LIMIT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let detail = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            "this path does not take that method; /openapi.json lists what each path takes".into()
        }
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the request body is too large ({}); send less",
            if text.is_empty() {
                "over the limit"
            } else {
                &text
            }
        ),
        _ if text.is_empty() => status
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_string(),
        _ => text,
    };
    let mut rewritten = Problem::new(status, detail).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten.headers_mut().insert(name, value.clone());
        }
    }
    rewritten
}

/// The header that carries a request's id, both ways.
pub const REQUEST_ID: &str = "x-request-id";

/// Gives every request an id (the client's `X-Request-Id` when it is a
/// plain token of at most 64 characters, else a fresh one), returned in the
/// `X-Request-Id` header. A server error is logged to stderr with it, and
/// its problem details carry it as `request_id`, so a user's report can be
/// found in the log.
pub async fn with_request_id(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
        .map_or_else(crate::state::random_id, str::to_string);
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let span = tracing::info_span!("request", id = %id, %method, %route);
    let started = std::time::Instant::now();
    let mut response = next.run(req).instrument(span.clone()).await;
    let status = response.status().as_u16();
    span.in_scope(|| {
        tracing::info!(status, ms = started.elapsed().as_millis() as u64, %path, "answered");
    });
    if response.status().is_server_error() {
        response = logged(response, &id, &format!("{method} {path}")).await;
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// A server error's problem details with `request_id`, logged to stderr.
async fn logged(response: Response, id: &str, request: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, REWRITE_LIMIT)
        .await
        .unwrap_or_default();
    let mut problem: serde_json::Value =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({}));
    tracing::error!(
        status = parts.status.as_u16(),
        request,
        id,
        detail = problem["detail"]
            .as_str()
            .unwrap_or(&String::from_utf8_lossy(&bytes)),
        "server error"
    );
    if let Some(fields) = problem.as_object_mut() {
        fields.insert("request_id".into(), json!(id));
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(problem.to_string()))
}
