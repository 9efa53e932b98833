//! What the bot does with each kind of request, whichever way it came
//! (signed HTTP requests, or Socket Mode envelopes): an Events API payload,
//! a slash command's fields, an interactivity payload. Each answers the body
//! to acknowledge with, if any; the work itself runs after the ack.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{
    Job, Reply, Slack, background, blocks, bot, first_delivery, home, malformed, modal, press_home,
    shortcut, spawn, threads,
};
use crate::problem::Problem;
use crate::state::AppState;

/// An Events API payload, over HTTP or Socket Mode: the answer's body, if any.
pub async fn on_event(state: &Arc<AppState>, payload: Value) -> Result<Option<Value>, Problem> {
    match payload["type"].as_str() {
        Some("url_verification") => {
            let challenge = payload["challenge"]
                .as_str()
                .ok_or_else(|| malformed("no challenge"))?;
            Ok(Some(json!({"challenge": challenge})))
        }
        Some("event_callback") => {
            let event_id = payload["event_id"]
                .as_str()
                .ok_or_else(|| malformed("no event_id"))?;
            if !first_delivery(state, format!("slack:event:{event_id}")).await? {
                return Ok(None);
            }
            let event = &payload["event"];
            let kind = event["type"].as_str().unwrap_or_default();
            let team = payload["team_id"].as_str().or(event["team"].as_str());
            if kind == "assistant_thread_started" {
                let (state, event) = (Arc::clone(state), event.clone());
                background(async move {
                    let slack = bot(&state)?;
                    threads::started(slack, &event).await
                });
                return Ok(None);
            }
            if kind == "app_home_opened" && event["tab"] == "home" {
                let (team, user) = (
                    team.ok_or_else(|| malformed("no team_id"))?.to_string(),
                    event["user"]
                        .as_str()
                        .ok_or_else(|| malformed("event without user"))?
                        .to_string(),
                );
                let state = Arc::clone(state);
                background(async move {
                    let slack = bot(&state)?;
                    home::publish(&state, slack, &team, &user).await
                });
                return Ok(None);
            }
            let direct = kind == "message" && event["channel_type"] == "im";
            // The bot's own messages and edits come back as events too: ignore them.
            let from_person = event["bot_id"].is_null() && event["subtype"].is_null();
            if (kind == "app_mention" || direct) && from_person {
                let field = |k: &str| {
                    event[k]
                        .as_str()
                        .map(str::to_string)
                        .ok_or_else(|| malformed(&format!("event without {k}")))
                };
                let channel = field("channel")?;
                let ts = event["thread_ts"]
                    .as_str()
                    .map(str::to_string)
                    .map_or_else(|| field("ts"), Ok)?;
                // A direct message in a thread is an assistant thread: a conversation of its own.
                let thread = direct && !event["thread_ts"].is_null();
                let session = if direct && !thread {
                    format!("slack:{channel}")
                } else {
                    format!("slack:{channel}:{ts}")
                };
                let team = team.ok_or_else(|| malformed("no team_id"))?;
                spawn(
                    state,
                    Job {
                        team: team.into(),
                        user: field("user")?,
                        text: field("text")?,
                        session,
                        answering: None,
                        reply: Reply::Thread { channel, ts },
                        thinking: thread,
                    },
                );
            }
            Ok(None)
        }
        _ => Err(malformed(
            "unknown type; expected url_verification or event_callback",
        )),
    }
}

/// A slash command's fields, over HTTP or Socket Mode: the answer's body, if any.
pub async fn on_command(
    state: &Arc<AppState>,
    slack: &Slack,
    form: &HashMap<String, String>,
) -> Result<Option<Value>, Problem> {
    let field = |k: &str| {
        form.get(k)
            .cloned()
            .ok_or_else(|| malformed(&format!("no {k}")))
    };
    let text = field("text")?;
    if text.trim().is_empty() {
        return Ok(Some(json!({"response_type": "ephemeral",
            "text": "Tell me what to do, e.g. `/maestro list my overdue tasks` or `/maestro help`."})));
    }
    if text.trim().eq_ignore_ascii_case(modal::COMMAND) {
        let trigger = field("trigger_id")?;
        let state = Arc::clone(state);
        background(async move {
            let slack = bot(&state)?;
            modal::open(slack, &trigger).await
        });
        return Ok(None);
    }
    let (channel, user) = (field("channel_id")?, field("user_id")?);
    spawn(
        state,
        Job {
            team: field("team_id")?,
            session: format!("slack:cmd:{channel}:{user}"),
            user,
            text: text.clone(),
            answering: None,
            reply: Reply::Url {
                url: slack.response_url(field("response_url")?)?,
                replace: false,
            },
            thinking: false,
        },
    );
    Ok(Some(
        json!({"response_type": "ephemeral", "text": format!("Working on “{text}”…")}),
    ))
}

/// An interactivity payload, over HTTP or Socket Mode: the answer's body,
/// if any (a modal's errors).
pub async fn on_interaction(
    state: &Arc<AppState>,
    slack: &Slack,
    payload: Value,
) -> Result<Option<Value>, Problem> {
    match payload["type"].as_str() {
        Some("block_actions") => {}
        Some("message_action") if payload["callback_id"] == shortcut::CALLBACK_ID => {
            let message = shortcut::FromMessage::read(&payload)?;
            let state = Arc::clone(state);
            background(async move {
                let slack = bot(&state)?;
                shortcut::run(&state, slack, message).await
            });
            return Ok(None);
        }
        Some("view_submission") if payload["view"]["callback_id"] == modal::CALLBACK_ID => {
            return modal::submit(state, slack, &payload).await;
        }
        _ => return Ok(None),
    }
    let action = &payload["actions"][0];
    let answer = match action["action_id"].as_str() {
        Some(blocks::CONFIRM) => "yes",
        Some(blocks::CANCEL) => "no",
        Some(id @ (home::COMPLETE | home::SNOOZE)) => {
            return press_home(state, &payload, id);
        }
        _ => return Err(malformed("unknown action_id")),
    };
    let text = |v: &Value, what: &str| {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| malformed(what))
    };
    let button = blocks::Button::read(&text(
        &action["value"],
        "a button without its conversation",
    )?);
    if !button.session.starts_with("slack:") {
        return Err(malformed("a button from another conversation"));
    }
    spawn(
        state,
        Job {
            team: text(&payload["team"]["id"], "no team.id")?,
            user: text(&payload["user"]["id"], "no user.id")?,
            text: answer.into(),
            session: button.session,
            answering: Some(button.confirmation),
            reply: Reply::Url {
                url: slack.response_url(text(&payload["response_url"], "no response_url")?)?,
                replace: true,
            },
            thinking: false,
        },
    );
    Ok(None)
}
