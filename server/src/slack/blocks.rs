//! A turn's events as a Slack message: Block Kit sections, fields for one
//! task, tables as code blocks, and confirm/cancel buttons for an action
//! that waits for a yes.

use maestro_assistant::{Event, Status};
use maestro_tools::Display;
use serde_json::{Value, json};

/// Longest text of one section (Slack allows 3,000 characters).
const SECTION_CHARS: usize = 2900;
/// Most blocks in one message (Slack allows 50).
const MAX_BLOCKS: usize = 45;

/// Action ids of the buttons.
pub const CONFIRM: &str = "confirm";
/// See [`CONFIRM`].
pub const CANCEL: &str = "cancel";

fn cut(text: &str) -> String {
    if text.chars().count() <= SECTION_CHARS {
        text.to_string()
    } else {
        let kept: String = text.chars().take(SECTION_CHARS - 1).collect();
        format!("{kept}…")
    }
}

/// A section of mrkdwn text (cut to Slack's limit).
pub fn section(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(text)}})
}

/// Text people typed, safe inside mrkdwn: Slack's three control characters escaped.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Markdown's `**bold**` is Slack's `*bold*`.
fn mrkdwn(markdown: &str) -> String {
    markdown.replace("**", "*")
}

/// Fields for a task object (an action's result), when it is one.
fn task_fields(result: &Value) -> Option<Value> {
    let id = result.get("id")?.as_i64()?;
    let title = result.get("title")?.as_str()?;
    let text = |k: &str| escape(result.get(k).and_then(Value::as_str).unwrap_or("—"));
    let field = |label: &str, value: String| json!({"type": "mrkdwn", "text": format!("*{label}*\n{value}")});
    Some(json!({"type": "section", "fields": [
        field("Task", format!("#{id} {}", escape(title))),
        field("Assignee", text("assignee")),
        field("Due", text("due")),
        field("Priority", text("priority")),
        field("Status", text("status")),
    ]}))
}

/// What a confirm or cancel button carries: the conversation it resumes and
/// the pending confirmation it answers (so a stale button cannot answer a
/// newer question).
#[derive(Debug, PartialEq)]
pub struct Button {
    /// The conversation.
    pub session: String,
    /// The confirmation's id.
    pub confirmation: String,
}

impl Button {
    /// The button's `value` (JSON).
    fn value(&self) -> String {
        json!({"session": self.session, "confirmation": self.confirmation}).to_string()
    }

    /// Reads a button's `value`. A button from before confirmations had ids
    /// carries only its session: it answers no confirmation (it is stale).
    pub fn read(value: &str) -> Self {
        let parsed: Option<Value> = serde_json::from_str(value).ok();
        let field = |k: &str| {
            parsed
                .as_ref()
                .and_then(|v| v[k].as_str())
                .map(str::to_string)
        };
        match (field("session"), field("confirmation")) {
            (Some(session), Some(confirmation)) => Self {
                session,
                confirmation,
            },
            _ => Self {
                session: value.to_string(),
                confirmation: String::new(),
            },
        }
    }
}

/// The message for a turn's events: `(fallback text, blocks)`. `session`
/// and the pending confirmation's id go into the buttons, so that a click
/// answers that confirmation in the same conversation. With
/// `charts_attached` the charts follow as files; otherwise a note says
/// where they can be seen.
pub fn message(events: &[Event], session: &str, charts_attached: bool) -> (String, Vec<Value>) {
    let mut text = Vec::new();
    let mut blocks = Vec::new();
    let mut waiting = None;
    for event in events {
        match event {
            Event::Reply { text: t } | Event::Error { message: t } => {
                text.push(t.clone());
                blocks.push(section(&mrkdwn(t)));
            }
            Event::Display(Display::Table(table)) => {
                blocks.push(section(&format!("```\n{}\n```", table.to_text())));
            }
            Event::Display(Display::Markdown { text: md }) => blocks.push(section(&mrkdwn(md))),
            Event::Display(Display::Chart { title, .. }) => {
                let note = if charts_attached {
                    format!("📈 {title}: attached below")
                } else {
                    format!(
                        "📈 {title}: charts are drawn in the notebook and the CLI (`maestro chat`)"
                    )
                };
                blocks.push(
                    json!({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}),
                );
            }
            Event::Action(a) => {
                if a.status == Status::Ok
                    && let Some(fields) = a.result.as_ref().and_then(task_fields)
                {
                    blocks.push(fields);
                }
                if a.status == Status::NeedsConfirmation {
                    waiting = a.confirmation.clone();
                }
            }
            // The whole reply follows its deltas; Slack gets it once.
            Event::Started { .. } | Event::Progress { .. } | Event::Delta { .. } => {}
        }
    }
    blocks.truncate(MAX_BLOCKS);
    if let Some(confirmation) = waiting {
        let value = Button {
            session: session.to_string(),
            confirmation,
        }
        .value();
        blocks.push(json!({"type": "actions", "elements": [
            {"type": "button", "action_id": CONFIRM, "style": "danger", "value": value,
             "text": {"type": "plain_text", "text": "Yes, do it"}},
            {"type": "button", "action_id": CANCEL, "value": value,
             "text": {"type": "plain_text", "text": "Cancel"}},
        ]}));
    }
    let text = if text.is_empty() {
        "Done.".to_string()
    } else {
        cut(&text.join("\n"))
    };
    (text, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use maestro_assistant::Action;
    use maestro_tools::Table;

    #[test]
    fn a_destructive_action_gets_buttons_carrying_the_session_and_confirmation() {
        let events = vec![
            Event::Action(Action {
                tool: "delete_task".into(),
                arguments: json!({"id": 3}),
                status: Status::NeedsConfirmation,
                result: None,
                confirmation: Some("2-17".into()),
            }),
            Event::Reply {
                text: "Delete task 3? Say yes.".into(),
            },
        ];
        let (text, blocks) = message(&events, "slack:C1:123.4", false);
        assert_eq!(text, "Delete task 3? Say yes.");
        let buttons = &blocks.last().unwrap()["elements"];
        assert_eq!(buttons[0]["action_id"], CONFIRM);
        let expected = Button {
            session: "slack:C1:123.4".into(),
            confirmation: "2-17".into(),
        };
        for button in buttons.as_array().unwrap() {
            assert_eq!(Button::read(button["value"].as_str().unwrap()), expected);
        }
        assert_eq!(Button::read("slack:C1:9").confirmation, "");
    }

    #[test]
    fn tables_become_code_blocks_and_tasks_fields() {
        let mut table = Table::new(&["id", "title"]);
        table.rows.push(vec!["1".into(), "Fix **it**".into()]);
        let events = vec![
            Event::Action(Action {
                tool: "create_task".into(),
                arguments: json!({}),
                status: Status::Ok,
                result: Some(
                    json!({"id": 7, "title": "Update the runbook", "assignee": "Bob Smith", "due": null, "priority": "medium", "status": "todo"}),
                ),
                confirmation: None,
            }),
            Event::Display(Display::Table(table)),
        ];
        let (_, blocks) = message(&events, "s", false);
        assert!(
            blocks[0]["fields"][0]["text"]
                .as_str()
                .unwrap()
                .contains("#7 Update the runbook")
        );
        assert!(
            blocks[0]["fields"][1]["text"]
                .as_str()
                .unwrap()
                .contains("Bob Smith")
        );
        assert!(
            blocks[1]["text"]["text"]
                .as_str()
                .unwrap()
                .starts_with("```\nid")
        );
        assert!(!blocks.iter().any(|b| b["type"] == "actions"));
    }
}
