//! The create-task modal: `/maestro new` opens it (`views.open` with the
//! command's trigger id); its submission is checked at once — errors show
//! inside the modal (`response_action: errors`) — and creates the task
//! through `create_task`, as the person who submitted it (the assignee's App
//! Home follows through the platform's watcher).

use std::sync::Arc;

use maestro_tools::ToolError;
use serde_json::{Map, Value, json};

use super::blocks::escape;
use super::{Slack, background, bot, malformed, people, seat, task_link};
use crate::problem::Problem;
use crate::state::{AppState, blocking};

/// The modal's callback id.
pub const CALLBACK_ID: &str = "create_task";
/// The slash command's text that opens the modal.
pub const COMMAND: &str = "new";

const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];

fn plain(text: &str) -> Value {
    json!({"type": "plain_text", "text": text})
}

fn input(block: &str, label: &str, optional: bool, element: Value) -> Value {
    json!({"type": "input", "block_id": block, "optional": optional, "label": plain(label), "element": element})
}

/// The modal: title, assignee (a user select mapped to people), due date,
/// priority and project.
fn view() -> Value {
    let option = |p: &str| json!({"text": plain(p), "value": p});
    let priorities: Vec<Value> = PRIORITIES.iter().map(|p| option(p)).collect();
    json!({
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain("New task"),
        "submit": plain("Create"),
        "close": plain("Cancel"),
        "blocks": [
            input("title", "Title", false, json!({"type": "plain_text_input", "action_id": "value", "max_length": 500})),
            input("assignee", "Assignee", true, json!({"type": "users_select", "action_id": "value"})),
            input("due", "Due", true, json!({"type": "datepicker", "action_id": "value"})),
            input("priority", "Priority", true, json!({"type": "static_select", "action_id": "value",
                "initial_option": option("medium"), "options": priorities})),
            input("project", "Project", true, json!({"type": "plain_text_input", "action_id": "value"})),
        ],
    })
}

/// Opens the modal for the command's `trigger_id`.
pub async fn open(slack: &Slack, trigger_id: &str) -> Result<(), String> {
    slack
        .post(
            "views.open",
            &json!({"trigger_id": trigger_id, "view": view()}),
        )
        .await
        .map(|_| ())
}

/// A field's value in a submitted view (`state.values.BLOCK.value`).
fn field(values: &Value, block: &str) -> Option<String> {
    let element = &values[block]["value"];
    let value = element["value"]
        .as_str()
        .or(element["selected_user"].as_str())
        .or(element["selected_date"].as_str())
        .or(element["selected_option"]["value"].as_str())?;
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

/// Longest a submission's lookups may take (Slack waits 3 s in all).
const LOOKUP: std::time::Duration = std::time::Duration::from_secs(2);

/// The answer when the lookups were too slow: nothing was made; try again.
fn slow(mut problems: Map<String, Value>) -> Option<Value> {
    problems.insert(
        "title".into(),
        json!(
            "Maestro is slow to answer just now and made nothing; press Create again in a moment."
        ),
    );
    errors(problems)
}

/// The answer that keeps the modal open with `errors` (block id → message).
fn errors(errors: Map<String, Value>) -> Option<Value> {
    Some(json!({"response_action": "errors", "errors": errors}))
}

/// A submitted modal: errors inside it, or the task made (the modal closes
/// and the person gets a direct message with the task).
pub async fn submit(
    state: &Arc<AppState>,
    slack: &Slack,
    payload: &Value,
) -> Result<Option<Value>, Problem> {
    let text = |v: &Value, what: &str| {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| malformed(&format!("a view submission without {what}")))
    };
    let (team, user) = (
        text(&payload["team"]["id"], "team.id")?,
        text(&payload["user"]["id"], "user.id")?,
    );
    let values = &payload["view"]["state"]["values"];
    let mut problems = Map::new();
    let title = field(values, "title");
    if title.is_none() {
        problems.insert("title".into(), json!("Give the task a title."));
    }
    // Slack waits 3 s for the answer: the lookups get 2 of them, so that a
    // slow answer never closes the modal on a task made behind its back.
    let looked_up = tokio::time::timeout(LOOKUP, seat(state, slack, &team, &user)).await;
    let Ok(looked_up) = looked_up else {
        return Ok(slow(problems));
    };
    let seat = match looked_up.map_err(Problem::internal)? {
        Ok(seat) => seat,
        Err(refusal) => {
            problems.insert("title".into(), json!(refusal));
            return Ok(errors(problems));
        }
    };
    let mut args = Map::new();
    if let Some(slack_user) = field(values, "assignee") {
        let found =
            tokio::time::timeout(LOOKUP, people::speaker(slack, &seat.people, &slack_user)).await;
        let Ok(found) = found else {
            return Ok(slow(problems));
        };
        match found {
            Some(name) => {
                args.insert("assignee".into(), json!(name));
            }
            None => {
                problems.insert("assignee".into(), json!(format!(
                    "<@{slack_user}> is not on the team in Maestro; an admin can add them with `maestro people add NAME --slack-id {slack_user}`."
                )));
            }
        }
    }
    if !problems.is_empty() {
        return Ok(errors(problems));
    }
    args.insert("title".into(), json!(title));
    for block in ["due", "priority", "project"] {
        if let Some(v) = field(values, block) {
            args.insert(block.into(), json!(v));
        }
    }
    let (assistant, actor) = (seat.assistant.clone(), seat.acting(&user));
    let made = blocking(move || {
        Ok(assistant
            .platform()
            .call(Some(&actor), "create_task", Value::Object(args)))
    })
    .await?;
    let out = match made {
        Ok(out) => out,
        Err(e) => {
            // The tool's complaint under the field it is about, else under the title.
            let block = match &e {
                ToolError::InvalidArgument { field, .. }
                    if values.get(field.as_str()).is_some() =>
                {
                    field.clone()
                }
                _ => "title".to_string(),
            };
            problems.insert(block, json!(Problem::from(e).detail));
            return Ok(errors(problems));
        }
    };
    let id = out.data["id"].as_i64().unwrap_or_default();
    let message = format!("{}{}", escape(&out.summary), task_link(state, id));
    let state = Arc::clone(state);
    background(async move {
        let slack = bot(&state)?;
        slack
            .post(
                "chat.postMessage",
                &json!({"channel": user, "text": message}),
            )
            .await
            .map(|_| ())
    });
    // No answer closes the modal.
    Ok(None)
}
