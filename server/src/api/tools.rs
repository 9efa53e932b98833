//! `/v1/tools`: the tool list, and direct calls with schema validation.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::Event as SseEvent;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maestro_assistant::Assistant;
use maestro_tools::store::Scope;
use maestro_tools::{Effect, Hooks};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppStateRef, Route, event_stream, open, wants_events};
use crate::auth::Caller;
use crate::openapi::{Doc, schema_ref};
use crate::problem::Problem;
use crate::state::blocking;

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route {
            doc: Doc::new("GET", "/v1/tools", "Every tool: name, description, effect, examples and argument schema.")
                .scope(Scope::Read)
                .response(200, json!({"type": "array", "items": schema_ref("ToolInfo")})),
            handler: get(list),
        },
        Route {
            doc: Doc::new("POST", "/v1/tools/{name}", "Call a tool directly; the body is its arguments object (see the tool.* schemas). Read tools need the read scope, others write; destructive tools need ?confirm=true (else 409). Invalid arguments: 422 naming the field. With `Accept: text/event-stream`: `progress` events ({tool, line, done}) as long work goes, then `result` (the output) or `error` ({status, detail}), then `done`; disconnecting stops long work, which keeps what it has.")
                .scope(Scope::Read)
                .query(&[("confirm", "true to run a destructive tool")])
                .request(json!({"type": "object"}))
                .response(200, schema_ref("ToolOutput")),
            handler: post(call),
        },
    ]
}

async fn list(state: AppStateRef, caller: Caller) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    Ok(Json(assistant.platform().registry().infos()).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CallQuery {
    confirm: Option<bool>,
}

async fn call(
    state: AppStateRef,
    caller: Caller,
    Path(name): Path<String>,
    Query(q): Query<CallQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let tool = assistant
        .platform()
        .registry()
        .get(&name)
        .cloned()
        .ok_or_else(|| {
            Problem::not_found(format!(
                "there is no tool called {name:?}; GET /v1/tools lists them"
            ))
        })?;
    let effect = tool.effect();
    caller.may_run(effect)?;
    if effect == Effect::Destructive && q.confirm != Some(true) {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            format!("{name} cannot be undone; repeat the request with ?confirm=true to run it"),
        ));
    }
    let args: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            Problem::bad_request(format!(
                "the body is not JSON ({e}); send the tool's arguments as a JSON object"
            ))
        })?
    };
    let actor = caller.actor();
    if q.confirm != Some(true) {
        let (platform, name, args, actor) =
            (assistant.clone(), name.clone(), args.clone(), actor.clone());
        let question =
            blocking(move || Ok(platform.platform().confirmation(Some(&actor), &name, &args)))
                .await?;
        if let Some(question) = question {
            return Err(Problem::new(
                StatusCode::CONFLICT,
                format!("{question} Repeat the request with ?confirm=true to run it."),
            ));
        }
    }
    if wants_events(&headers) {
        return Ok(stream(assistant, actor, tool.name(), args));
    }
    let out =
        blocking(move || Ok(assistant.platform().call(Some(&actor), tool.name(), args)?)).await?;
    Ok(Json(out).into_response())
}

/// Sets its flag when dropped: the call's stream has ended, or its client went away.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The call as server-sent events: `progress` ({tool, line, done}) as the tool
/// reports it, then `result` (the tool's output) or `error` (problem
/// details), then `done`. A client that disconnects stops long work, which
/// keeps what it has (AutoML registers the best model so far).
fn stream(assistant: Assistant, actor: String, tool: &'static str, args: Value) -> Response {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<SseEvent>();
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    tokio::task::spawn_blocking(move || {
        let progress_tx = tx.clone();
        let progress = move |line: &str, done: Option<f64>| {
            let data = json!({"tool": tool, "line": line, "done": done});
            let _ = progress_tx.send(SseEvent::default().event("progress").data(data.to_string()));
        };
        let hooks = Hooks {
            progress: Some(&progress),
            cancel: Some(&flag),
        };
        let event = match assistant
            .platform()
            .call_with(Some(&actor), tool, args, hooks)
        {
            Ok(out) => SseEvent::default()
                .event("result")
                .data(serde_json::to_string(&out).unwrap_or_default()),
            Err(e) => {
                let problem = Problem::from(e);
                let body = json!({"status": problem.status.as_u16(), "detail": problem.detail});
                SseEvent::default().event("error").data(body.to_string())
            }
        };
        let _ = tx.send(event);
        let _ = tx.send(SseEvent::default().event("done").data("{}"));
    });
    event_stream(rx, CancelOnDrop(cancel))
}
