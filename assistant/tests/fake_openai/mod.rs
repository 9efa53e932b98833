//! A fake OpenAI-compatible server on 127.0.0.1 for the tests: it speaks the
//! real wire format of `/v1/chat/completions` (JSON errors, SSE chunks with
//! `tool_calls` ids and indexes, `finish_reason`, `usage`, `[DONE]`), answers
//! from a per-test script and records every request it receives.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// One scripted answer.
#[derive(Clone)]
pub enum Reply {
    /// Text, streamed in a few deltas, then `finish_reason: stop`.
    Text(&'static str),
    /// Tool calls `(name, arguments as JSON text)`, streamed in pieces.
    Calls(Vec<(&'static str, String)>),
    /// An HTTP error with an OpenAI error body and an optional `Retry-After`.
    Status(u16, Option<&'static str>),
    /// Accept the request and never answer.
    Hang,
    /// Start streaming text, then end the stream without a finish reason.
    Cut,
    /// These deltas as they are (however hostile), then `finish_reason: tool_calls`.
    Deltas(Vec<Value>),
}

#[derive(Default)]
struct Script {
    replies: VecDeque<Reply>,
    requests: Vec<Value>,
    headers: Vec<HeaderMap>,
}

/// A running fake endpoint.
pub struct FakeOpenAi {
    /// Base URL ending in `/v1`.
    pub url: String,
    script: Arc<Mutex<Script>>,
    _runtime: tokio::runtime::Runtime,
}

impl FakeOpenAi {
    /// Starts a server that answers with `replies`, in order.
    pub fn start(replies: Vec<Reply>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let script = Arc::new(Mutex::new(Script {
            replies: replies.into(),
            ..Script::default()
        }));
        let app = Router::new()
            .route("/v1/chat/completions", post(chat))
            .with_state(script.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await });
        Self {
            url,
            script,
            _runtime: runtime,
        }
    }

    /// The request bodies received so far.
    pub fn requests(&self) -> Vec<Value> {
        self.script.lock().unwrap().requests.clone()
    }

    /// The `Authorization` headers received so far.
    pub fn authorizations(&self) -> Vec<String> {
        let script = self.script.lock().unwrap();
        script
            .headers
            .iter()
            .map(|h| {
                h.get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    }
}

const USAGE: (i64, i64) = (120, 9);

async fn chat(
    State(script): State<Arc<Mutex<Script>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let reply = {
        let mut s = script.lock().unwrap();
        s.requests.push(request.clone());
        s.headers.push(headers);
        s.replies.pop_front()
    };
    let model = request["model"].as_str().unwrap_or("fake").to_string();
    let Some(reply) = reply else {
        return error(500, "the fake has no scripted reply left", None);
    };
    match reply {
        Reply::Status(code, retry_after) => error(code, "scripted failure", retry_after),
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            error(500, "unreachable", None)
        }
        Reply::Text(text) => {
            let mut events: Vec<Value> = split(text)
                .into_iter()
                .map(|part| chunk(&model, json!({"content": part}), None))
                .collect();
            events.push(chunk(&model, json!({}), Some("stop")));
            sse(events, true, &model)
        }
        Reply::Calls(calls) => {
            let mut events = Vec::new();
            for (i, (name, arguments)) in calls.iter().enumerate() {
                events.push(chunk(
                    &model,
                    json!({"tool_calls": [{"index": i, "id": format!("call_{i}_{name}"), "type": "function",
                        "function": {"name": name, "arguments": ""}}]}),
                    None,
                ));
                for part in split(arguments) {
                    events.push(chunk(
                        &model,
                        json!({"tool_calls": [{"index": i, "function": {"arguments": part}}]}),
                        None,
                    ));
                }
            }
            events.push(chunk(&model, json!({}), Some("tool_calls")));
            sse(events, true, &model)
        }
        Reply::Deltas(deltas) => {
            let mut events: Vec<Value> =
                deltas.into_iter().map(|d| chunk(&model, d, None)).collect();
            events.push(chunk(&model, json!({}), Some("tool_calls")));
            sse(events, true, &model)
        }
        Reply::Cut => sse(
            vec![chunk(&model, json!({"content": "Let me "}), None)],
            false,
            &model,
        ),
    }
}

/// `text` in three pieces (split on character boundaries).
fn split(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let third = chars.len().div_ceil(3).max(1);
    chars.chunks(third).map(|c| c.iter().collect()).collect()
}

fn chunk(model: &str, delta: Value, finish: Option<&str>) -> Value {
    json!({
        "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_764_150_000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
    })
}

/// An SSE response; `complete` adds the usage chunk and `[DONE]`.
fn sse(events: Vec<Value>, complete: bool, model: &str) -> Response {
    let mut lines: Vec<String> = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    if complete {
        let usage = json!({
            "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_764_150_000,
            "model": model, "choices": [],
            "usage": {"prompt_tokens": USAGE.0, "completion_tokens": USAGE.1, "total_tokens": USAGE.0 + USAGE.1},
        });
        lines.push(format!("data: {usage}\n\n"));
        lines.push("data: [DONE]\n\n".into());
    }
    let stream = futures_util::stream::iter(
        lines
            .into_iter()
            .map(|l| Ok::<_, Infallible>(Bytes::from(l))),
    );
    (
        [
            ("content-type", "text/event-stream"),
            ("cache-control", "no-cache"),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

fn error(code: u16, message: &str, retry_after: Option<&str>) -> Response {
    let status = StatusCode::from_u16(code).unwrap();
    let kind = if code == 429 {
        "rate_limit_error"
    } else {
        "server_error"
    };
    let body = json!({"error": {"message": message, "type": kind, "param": null, "code": null}});
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert("retry-after", seconds.parse().unwrap());
    }
    response
}

/// The tokens prompt usage the fake reports for every answer.
pub const REPORTED_USAGE: (i64, i64) = USAGE;
