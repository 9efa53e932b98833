//! `/`: the chat. A message runs one assistant turn whose events stream
//! back as server-sent events, each an HTML fragment rendered here; the
//! conversation (the assistant's session and the transcript the page
//! shows) is kept in the store per token, so it survives sign-outs and
//! restarts until "New conversation" starts it afresh.

use std::sync::Arc;

use axum::http::HeaderMap;
use axum::response::sse::Event as SseEvent;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maestro_assistant::{Action, Event, MAX_REQUEST_CHARS, Status, TurnOptions};
use maestro_tools::Display;
use maestro_tools::store::{Scope, token_sessions};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::render::{csrf, display, markdown, notice};
use super::{PageError, Viewer};
use crate::api::{check_text, event_stream, wants_events};
use crate::problem::Problem;
use crate::state::{AppState, blocking};

/// The chat page and its message, confirmation and fresh-start posts.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(chat_page))
        .route("/chat", post(send))
        .route("/chat/new", post(start_afresh))
}

/// Turns the transcript keeps (older ones drop off).
const KEPT_TURNS: usize = 40;

/// One thing the transcript shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "part", rename_all = "snake_case")]
enum Part {
    /// What the person said.
    You { text: String },
    /// The assistant's words (Markdown).
    Reply { text: String },
    /// A table, Markdown or chart.
    Show { display: Display },
    /// A tool call and how it went (a waiting one carries its buttons).
    Action { action: Action },
    /// The turn failed.
    Error { message: String },
}

impl Part {
    /// The part a turn's event adds to the transcript (progress adds none).
    fn of(event: &Event) -> Option<Part> {
        match event {
            Event::Action(action) => Some(Part::Action {
                action: action.clone(),
            }),
            Event::Display(d) => Some(Part::Show { display: d.clone() }),
            Event::Reply { text } => Some(Part::Reply { text: text.clone() }),
            Event::Error { message } => Some(Part::Error {
                message: message.clone(),
            }),
            Event::Started { .. } | Event::Progress { .. } | Event::Delta { .. } => None,
        }
    }

    fn render(&self, viewer: &Viewer) -> Markup {
        match self {
            Part::You { text } => html! { div.you { p { (text) } } },
            Part::Reply { text } => html! { div.reply { (markdown(text)) } },
            Part::Show { display: d } => html! { div.show { (display(d)) } },
            Part::Action { action } => render_action(viewer, action),
            Part::Error { message } => notice(message, true),
        }
    }
}

/// A tool call: its name and outcome; one that waits for a yes offers
/// Confirm and Cancel bound to that confirmation.
fn render_action(viewer: &Viewer, action: &Action) -> Markup {
    let outcome = match action.status {
        Status::Ok => "done",
        Status::Error => "failed",
        Status::NeedsConfirmation => "waits for your confirmation",
        Status::NeedsInput => "needs more information",
    };
    html! {
        div.action {
            code { (action.tool) } " " (outcome)
            @if let (Status::NeedsConfirmation, Some(id)) = (action.status, &action.confirmation) {
                @if viewer.can_write() {
                    form.chat-form.confirm method="post" action="/chat" {
                        (csrf(viewer))
                        input type="hidden" name="confirmation" value=(id);
                        button type="submit" name="message" value="yes" { "Confirm" }
                        button.secondary type="submit" name="message" value="no" { "Cancel" }
                    }
                }
            }
        }
    }
}

/// The assistant's session for this token's console conversation.
fn conversation(viewer: &Viewer) -> String {
    format!("{}console", token_sessions(viewer.caller.0.id))
}

/// Where the transcript of that conversation is kept (under the token's
/// sessions, so revoking the token deletes it too).
fn transcript_key(viewer: &Viewer) -> String {
    format!("{}console-transcript", token_sessions(viewer.caller.0.id))
}

/// The transcript's turns (blocking: the store); none when there is none
/// or what is kept under its key is not a transcript.
fn turns(viewer: &Viewer) -> Result<Vec<Vec<Part>>, Problem> {
    let saved = viewer
        .assistant
        .platform()
        .load_session(&transcript_key(viewer))?;
    Ok(saved
        .and_then(|v| serde_json::from_value(v["turns"].clone()).ok())
        .unwrap_or_default())
}

/// One transcript written at a time, so turns that end together all stay.
static WRITING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Adds `turn` to the transcript (blocking: the store).
fn append(viewer: &Viewer, turn: Vec<Part>) -> Result<(), Problem> {
    let _writing = WRITING.lock().unwrap_or_else(|p| p.into_inner());
    let platform = viewer.assistant.platform();
    let key = transcript_key(viewer);
    let mut turns = turns(viewer)?;
    turns.push(turn);
    let excess = turns.len().saturating_sub(KEPT_TURNS);
    turns.drain(..excess);
    platform.save_session(&key, &json!({ "turns": turns }), platform.clock().now())?;
    Ok(())
}

async fn chat_page(viewer: Viewer) -> Result<Response, PageError> {
    let reader = viewer.clone();
    let turns = blocking(move || turns(&reader)).await?;
    let body = html! {
        section #transcript aria-live="polite" aria-label="Conversation" {
            @if turns.is_empty() {
                p.hint { "Ask in plain language: “create a high-priority task for Bob to fix the login bug by Friday”, “what is overdue?”, “train a model on churn predicting churned”." }
            }
            @for turn in &turns {
                div.turn { @for part in turn { (part.render(&viewer)) } }
            }
        }
        p #status role="status" {}
        @if viewer.can_write() {
            form #chat.chat-form method="post" action="/chat" {
                (csrf(&viewer))
                label for="message" { "Message" }
                div.row {
                    textarea #message name="message" rows="2" maxlength=(MAX_REQUEST_CHARS) required {}
                    button type="submit" { "Send" }
                }
            }
            form.inline method="post" action="/chat/new" {
                (csrf(&viewer))
                button.secondary type="submit" { "New conversation" }
            }
        } @else {
            (notice("This token can only read: chat can change things, so it needs a write token. The other pages show everything.", false))
        }
    };
    Ok(viewer.page("/", "Chat", body))
}

#[derive(Deserialize)]
struct Message {
    message: String,
    confirmation: Option<String>,
}

async fn send(
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<Message>,
) -> Result<Response, PageError> {
    viewer.caller.require(Scope::Write)?;
    let text = form.message.trim().to_string();
    check_text(&text)?;
    let options = TurnOptions {
        answering: form.confirmation.filter(|c| !c.is_empty()),
        audit_as: Some(viewer.caller.actor()),
        ..Default::default()
    };
    if wants_events(&headers) {
        return Ok(stream(viewer, text, options));
    }
    // Without script: the whole turn, then the page again.
    blocking(move || {
        let turn = viewer
            .assistant
            .turn(&conversation(&viewer), &text, options);
        let mut parts = vec![Part::You { text: text.clone() }];
        parts.extend(turn.filter_map(|e| Part::of(&e)));
        append(&viewer, parts)
    })
    .await?;
    Ok(Redirect::to("/").into_response())
}

/// The turn's events as server-sent events: `part` (an HTML fragment to
/// append), `status` (what runs now), `delta` (reply text as it is
/// written), then `done`. The transcript is saved when the turn ends,
/// whether or not the browser is still listening.
fn stream(viewer: Viewer, text: String, options: TurnOptions) -> Response {
    let (events_tx, mut events_rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let (sse_tx, sse_rx) = tokio::sync::mpsc::unbounded_channel::<SseEvent>();
    let you = Part::You { text: text.clone() };
    let _ = sse_tx.send(part_event(&you.render(&viewer)));
    viewer
        .assistant
        .stream(&conversation(&viewer), &text, options, move |e| {
            let _ = events_tx.send(e);
        });
    tokio::spawn(async move {
        let mut parts = vec![you];
        while let Some(event) = events_rx.recv().await {
            let sse = match &event {
                Event::Started { tool } => SseEvent::default()
                    .event("status")
                    .data(format!("Running {tool}…")),
                Event::Progress { line, .. } => {
                    SseEvent::default().event("status").data(line.clone())
                }
                Event::Delta { text } => SseEvent::default().event("delta").data(text.clone()),
                other => match Part::of(other) {
                    Some(part) => {
                        let sse = part_event(&part.render(&viewer));
                        parts.push(part);
                        sse
                    }
                    None => continue,
                },
            };
            let _ = sse_tx.send(sse);
        }
        let saved = blocking(move || append(&viewer, parts)).await;
        if let Err(e) = saved {
            tracing::warn!(detail = %e.detail, "the console transcript was not saved");
        }
        let _ = sse_tx.send(SseEvent::default().event("done").data("{}"));
    });
    event_stream(sse_rx, ())
}

/// An HTML fragment as a `part` event (carriage returns as line ends, which
/// leaves the HTML the same and its lines whole for the page's reader).
fn part_event(html: &Markup) -> SseEvent {
    let html = html
        .clone()
        .into_string()
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    SseEvent::default().event("part").data(html)
}

async fn start_afresh(viewer: Viewer) -> Result<Response, PageError> {
    blocking(move || {
        let platform = viewer.assistant.platform();
        platform.delete_session(&conversation(&viewer))?;
        platform.delete_session(&transcript_key(&viewer))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to("/").into_response())
}
