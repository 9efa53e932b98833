//! Delivering the outbox: after each scheduler tick, the reminders and
//! digests the tick posted go to their people as Slack DMs
//! (`chat.postMessage` to their Slack id, with the message's Block Kit
//! blocks). Each message is taken (`kept` → `sending`) before it is sent, so
//! two servers never send it twice; a failure is recorded on the message,
//! which stays in the outbox. People without a Slack id read theirs there.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use maestro_assistant::Assistant;
use maestro_tools::store::Message;
use serde_json::json;

use super::Slack;
use crate::state::{AppState, blocking};

/// How old a message may be and still be sent: older ones (posted while
/// Slack was not configured) stay in the outbox rather than arrive late.
const FRESH_HOURS: i64 = 6;

/// Sends `workspace`'s fresh kept messages; returns how many were sent.
pub async fn deliver(
    state: &Arc<AppState>,
    slack: &Slack,
    workspace: &str,
    assistant: Assistant,
    now: DateTime<Utc>,
) -> Result<usize, String> {
    if !served_by_slack(state, workspace).await? {
        return Ok(0);
    }
    let since = now - Duration::hours(FRESH_HOURS);
    let reader = assistant.clone();
    let due = blocking(move || Ok(reader.platform().slack_deliveries(since)?))
        .await
        .map_err(|p| p.detail)?;
    let mut sent = 0;
    for (message, slack_id) in due {
        if send_one(slack, &assistant, &message, &slack_id).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Takes, sends and records one message; false when another sender had it
/// or Slack refused it (recorded as failed).
async fn send_one(
    slack: &Slack,
    assistant: &Assistant,
    message: &Message,
    slack_id: &str,
) -> Result<bool, String> {
    let id = message.id;
    let taker = assistant.clone();
    let taken = blocking(move || {
        Ok(taker
            .platform()
            .move_message(id, "kept", "sending", None, None)?)
    })
    .await
    .map_err(|p| p.detail)?;
    if !taken {
        return Ok(false);
    }
    let body = json!({
        "channel": slack_id,
        "text": message.text,
        "blocks": message.body.get("blocks").cloned().unwrap_or_else(|| json!([])),
    });
    let result = slack.post("chat.postMessage", &body).await;
    let recorder = assistant.clone();
    let (to, error) = match &result {
        Ok(_) => ("sent", None),
        Err(e) => ("failed", Some(e.clone())),
    };
    blocking(move || {
        Ok(recorder
            .platform()
            .move_message(id, "sending", to, Some("slack"), error.as_deref())?)
    })
    .await
    .map_err(|p| p.detail)?;
    if let Err(e) = result {
        tracing::warn!(
            message = id,
            error = e,
            "a message could not be sent to Slack"
        );
    }
    Ok(to == "sent")
}

/// Whether Slack serves `workspace`: it is linked to a Slack team, or it is
/// the only workspace (as Slack requests find it).
async fn served_by_slack(state: &Arc<AppState>, workspace: &str) -> Result<bool, String> {
    let directory = Arc::clone(&state.directory);
    let workspaces = blocking(move || Ok(directory.list_workspaces()?))
        .await
        .map_err(|p| p.detail)?;
    Ok(workspaces.len() == 1
        || workspaces
            .iter()
            .any(|w| w.name == workspace && w.slack_team.is_some()))
}
