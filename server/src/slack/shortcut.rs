//! The message shortcut "Create a task" (`create_task_from_message`): a task
//! from any message — its title and details read by the planner as a
//! request to create it, its assignee the first person the message
//! mentions, the message's permalink in its description — confirmed in the
//! message's thread.

use std::sync::Arc;

use maestro_assistant::TurnOptions;
use serde_json::{Map, Value, json};

use super::blocks::escape;
use super::people::{first_mentioned, plain_mentions, plain_text};
use super::{Seat, Slack, malformed, seat, task_link};
use crate::problem::Problem;
use crate::state::{AppState, blocking};

/// The shortcut's callback id (in the app's manifest).
pub const CALLBACK_ID: &str = "create_task_from_message";

/// A `message_action` payload: who used the shortcut on which message.
pub struct FromMessage {
    team: String,
    user: String,
    channel: String,
    ts: String,
    /// The thread to answer in: the message's own, or the one it starts.
    thread: String,
    text: String,
}

impl FromMessage {
    /// The shortcut's payload read, or what is missing from it.
    pub fn read(payload: &Value) -> Result<Self, Problem> {
        let text = |v: &Value, what: &str| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| malformed(&format!("a message shortcut without {what}")))
        };
        Ok(Self {
            team: text(&payload["team"]["id"], "team.id")?,
            user: text(&payload["user"]["id"], "user.id")?,
            channel: text(&payload["channel"]["id"], "channel.id")?,
            ts: text(&payload["message"]["ts"], "message.ts")?,
            thread: text(&payload["message"]["thread_ts"], "")
                .or_else(|_| text(&payload["message"]["ts"], "message.ts"))?,
            text: text(&payload["message"]["text"], "message.text")?,
        })
    }
}

/// Makes the task and says so in the message's thread (or why not).
pub async fn run(state: &Arc<AppState>, slack: &Slack, m: FromMessage) -> Result<(), String> {
    let reply = match seat(state, slack, &m.team, &m.user).await? {
        Ok(seat) => create(state, slack, &seat, &m).await,
        Err(refusal) => refusal,
    };
    let in_thread = json!({"channel": m.channel, "thread_ts": m.thread, "text": reply});
    if let Err(e) = slack.post("chat.postMessage", &in_thread).await {
        // Not in that channel (a private one): the person is told directly.
        tracing::info!(error = %e, "answering the shortcut by direct message");
        let direct = json!({"channel": m.user, "text": reply});
        slack.post("chat.postMessage", &direct).await?;
    }
    Ok(())
}

/// Creates the task; the sentence to answer with, success or not.
async fn create(state: &Arc<AppState>, slack: &Slack, seat: &Seat, m: &FromMessage) -> String {
    let permalink = slack
        .get(
            "chat.getPermalink",
            &[
                ("channel", m.channel.as_str()),
                ("message_ts", m.ts.as_str()),
            ],
        )
        .await
        .ok()
        .and_then(|v| v["permalink"].as_str().map(str::to_string));
    let text = plain_text(&plain_mentions(&m.text, &seat.people));
    let mut args = planned(seat, &text).await;
    if let Some(person) = first_mentioned(&m.text, &seat.people) {
        args.insert("assignee".into(), json!(person.name));
    }
    let origin = match &permalink {
        Some(link) => format!("From Slack: {link}"),
        None => format!("From a Slack message in channel {}", m.channel),
    };
    args.insert("description".into(), json!(origin));
    let (assistant, actor) = (seat.assistant.clone(), seat.acting(&m.user));
    let created = blocking(move || {
        Ok(assistant
            .platform()
            .call(Some(&actor), "create_task", Value::Object(args))?)
    })
    .await;
    match created {
        Ok(out) => {
            let id = out.data["id"].as_i64().unwrap_or_default();
            format!("{}{}", escape(&out.summary), task_link(state, id))
        }
        Err(problem) => format!(
            "I could not make a task of that message: {}",
            escape(&problem.detail)
        ),
    }
}

/// The arguments the planner reads from "create a task: TEXT"; the text
/// itself (its first line, shortened) as the title when it reads none.
async fn planned(seat: &Seat, text: &str) -> Map<String, Value> {
    let assistant = seat.assistant.clone();
    let request = format!("create a task: {text}");
    let preview = blocking(move || {
        let options = TurnOptions {
            one_shot: true,
            ..Default::default()
        };
        Ok(assistant
            .preview("slack:shortcut", &request, &options)
            .unwrap_or_default())
    })
    .await
    .unwrap_or_default();
    let read = preview
        .into_iter()
        .find(|a| a.tool == "create_task")
        .and_then(|a| a.arguments.as_object().cloned())
        .filter(|args| {
            args.get("title")
                .and_then(Value::as_str)
                .is_some_and(|t| !t.trim().is_empty())
        });
    read.unwrap_or_else(|| {
        let first = text.lines().next().unwrap_or_default().trim();
        let title: String = first.chars().take(120).collect();
        Map::from_iter([("title".to_string(), json!(title))])
    })
}
