//! `POST /v1/chat`: one turn of conversation, as JSON or as server-sent events.

use std::convert::Infallible;

use axum::Json;
use axum::http::{HeaderMap, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures_util::StreamExt as _;
use maestro_assistant::{Answer, Event, MAX_REQUEST_CHARS, TurnOptions};
use maestro_tools::store::{Scope, token_sessions};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{AppStateRef, Route, open};
use crate::auth::Caller;
use crate::openapi::{Doc, schema_ref};
use crate::problem::Problem;
use crate::state::{blocking, random_id};

pub(super) fn routes() -> Vec<Route> {
    vec![Route {
        doc: Doc::new("POST", "/v1/chat", "One turn in plain language. JSON answer {reply, actions, session} (the shape of `maestro ask --json`), or with `Accept: text/event-stream` the turn's events (started, action, display, progress, reply, error, then done). Destructive actions wait for a \"yes\" in the same session.")
            .scope(Scope::Write)
            .request(schema_ref("ChatRequest"))
            .response(200, schema_ref("Answer")),
        handler: post(chat),
    }]
}

/// The body of `POST /v1/chat`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    /// What the person says.
    #[schemars(length(min = 1, max = MAX_REQUEST_CHARS))]
    text: String,
    /// Continue this conversation (answers, "yes" to confirmations).
    session: Option<String>,
    /// Who is speaking: a person on the team (for "me" and "my").
    #[serde(rename = "as")]
    actor: Option<String>,
    /// The id of the pending confirmation this "yes" or "no" answers (an
    /// action's `confirmation`); if another has replaced it, or it was
    /// answered already, nothing is done and the reply says so.
    confirmation: Option<String>,
}

/// The reply to `POST /v1/chat` as JSON: the whole turn and its conversation.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Answer")]
pub struct ChatAnswer {
    /// The turn.
    #[serde(flatten)]
    answer: Answer,
    /// The conversation to continue with.
    session: String,
}

async fn chat(
    state: AppStateRef,
    caller: Caller,
    headers: HeaderMap,
    Json(body): Json<ChatRequest>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    check_text(&body.text)?;
    let actor = match body.actor {
        Some(name) => {
            let a = assistant.clone();
            Some(blocking(move || Ok(a.platform().lookup(None).person(&name)?.name)).await?)
        }
        None => None,
    };
    let session = body.session.unwrap_or_else(random_id);
    // Sessions of different tokens never meet (not even a new token given a
    // revoked one's name: ids are never reused), nor those of Slack.
    let key = format!("{}{session}", token_sessions(caller.0.id));
    let options = TurnOptions {
        actor,
        answering: body.confirmation,
        audit_as: Some(caller.actor()),
        ..Default::default()
    };
    if wants_events(&headers) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
        assistant.stream(&key, &body.text, options, move |e| {
            let _ = tx.send(e);
        });
        let events =
            futures_util::stream::unfold(
                rx,
                |mut rx| async move { rx.recv().await.map(|e| (e, rx)) },
            )
            .map(|e| {
                let name = serde_json::to_value(&e)
                    .ok()
                    .and_then(|v| v["event"].as_str().map(str::to_string))
                    .unwrap_or_else(|| "event".into());
                let data = serde_json::to_string(&e).unwrap_or_default();
                Ok::<_, Infallible>(SseEvent::default().event(name).data(data))
            })
            .chain(futures_util::stream::once(async move {
                Ok(SseEvent::default()
                    .event("done")
                    .data(json!({"session": session}).to_string()))
            }));
        return Ok(Sse::new(events)
            .keep_alive(KeepAlive::default())
            .into_response());
    }
    let text = body.text;
    let answer =
        blocking(move || Ok(Answer::collect(assistant.turn(&key, &text, options)))).await?;
    Ok(Json(ChatAnswer { answer, session }).into_response())
}

/// 422 unless a request's text says something, in at most [`MAX_REQUEST_CHARS`] characters.
pub(crate) fn check_text(text: &str) -> Result<(), Problem> {
    if text.trim().is_empty() || text.chars().count() > MAX_REQUEST_CHARS {
        return Err(Problem::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            format!("text must say something, in at most {MAX_REQUEST_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Whether the client asked for server-sent events (`Accept: text/event-stream`).
pub(crate) fn wants_events(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"))
}
