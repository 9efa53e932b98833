//! Socket Mode: with an app-level token (`SLACK_APP_TOKEN=xapp-…`) the bot
//! connects out to Slack (`apps.connections.open`, then a WebSocket) instead
//! of needing a public URL. Each envelope is acknowledged by its
//! `envelope_id` as soon as the shared handler ([`super::handle`]) has taken
//! it (with the answer a modal needs as its `payload`), envelopes side by
//! side, the work after; a `disconnect` is followed by a new connection, an
//! error or 90 s of silence (the bot pings every 30 s) by one after a
//! growing pause.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use super::{Slack, first_delivery, handle};
use crate::state::AppState;

/// Longest pause between two attempts to connect.
const MOST_PAUSE: Duration = Duration::from_secs(30);

/// Keeps a Socket Mode connection open until `stop`.
pub async fn run(state: Arc<AppState>, stop: CancellationToken) {
    let mut failures = 0u32;
    loop {
        let session = tokio::select! {
            () = stop.cancelled() => return,
            ended = session(&state) => ended,
        };
        let pause = match session {
            Ok(()) => {
                failures = 0;
                Duration::ZERO
            }
            Err(e) => {
                failures += 1;
                let pause = Duration::from_secs(1 << failures.min(5)).min(MOST_PAUSE);
                tracing::warn!(error = %e, seconds = pause.as_secs(), "Slack Socket Mode: reconnecting");
                pause
            }
        };
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// How often the bot pings Slack, so that a dead link shows.
const PING_EVERY: Duration = Duration::from_secs(30);
/// Silence after which the link counts as dead (pongs and envelopes both count).
const SILENCE: Duration = Duration::from_secs(90);

/// One connection: its envelopes handled until Slack asks to reconnect
/// (`Ok`) or the connection fails or falls silent (`Err`). Envelopes are
/// handled side by side, so one slow answer delays no other ack.
async fn session(state: &Arc<AppState>) -> Result<(), String> {
    let slack = state.slack.as_ref().ok_or("the Slack bot is off")?;
    let url = slack.open_connection().await?;
    let (socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .map_err(|e| format!("cannot connect to Slack's socket: {e}"))?;
    tracing::info!("Slack Socket Mode connected");
    let (mut sink, mut stream) = socket.split();
    let (acks, mut pending) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let writer = async move {
        let mut ping = tokio::time::interval(PING_EVERY);
        loop {
            let message = tokio::select! {
                ack = pending.recv() => match ack {
                    Some(ack) => Message::text(ack.to_string()),
                    None => return Ok(()),
                },
                _ = ping.tick() => Message::Ping(Default::default()),
            };
            sink.send(message)
                .await
                .map_err(|e| format!("cannot write to Slack's socket: {e}"))?;
        }
    };
    let reader = async move {
        loop {
            let next = tokio::time::timeout(SILENCE, stream.next())
                .await
                .map_err(|_| "Slack's socket fell silent".to_string())?;
            let Some(message) = next else {
                return Ok(());
            };
            let text = match message.map_err(|e| format!("Slack's socket: {e}"))? {
                Message::Text(text) => text,
                Message::Close(_) => return Ok(()),
                // Pings are answered by the library; pongs only show the link lives.
                _ => continue,
            };
            let envelope: Value = serde_json::from_str(&text)
                .map_err(|e| format!("Slack sent an envelope that is not JSON: {e}"))?;
            match envelope["type"].as_str() {
                Some("disconnect") => return Ok(()),
                Some("hello") | None => {}
                Some(_) => {
                    let (state, acks) = (Arc::clone(state), acks.clone());
                    tokio::spawn(async move {
                        let Some(slack) = state.slack.as_ref() else {
                            return;
                        };
                        if let Some(ack) = take(&state, slack, &envelope).await {
                            let _ = acks.send(ack);
                        }
                    });
                }
            }
        }
    };
    tokio::select! {
        written = writer => written,
        read = reader => read,
    }
}

/// Hands an envelope to the shared handler once (a redelivered envelope is
/// only acknowledged again); answers the acknowledgement to send.
async fn take(state: &Arc<AppState>, slack: &Slack, envelope: &Value) -> Option<Value> {
    let id = envelope["envelope_id"].as_str()?;
    let mut ack = json!({"envelope_id": id});
    let first = first_delivery(state, format!("slack:envelope:{id}"))
        .await
        .unwrap_or(true);
    if !first {
        return Some(ack);
    }
    let payload = envelope["payload"].clone();
    let answer = match envelope["type"].as_str() {
        Some("events_api") => handle::on_event(state, payload).await,
        Some("interactive") => handle::on_interaction(state, slack, payload).await,
        Some("slash_commands") => {
            let form: HashMap<String, String> = payload
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect();
            handle::on_command(state, slack, &form).await
        }
        Some(other) => {
            tracing::debug!(kind = other, "Slack envelope ignored");
            Ok(None)
        }
        None => Ok(None),
    };
    match answer {
        Ok(Some(body)) if envelope["accepts_response_payload"] == true => ack["payload"] = body,
        Ok(_) => {}
        Err(problem) => tracing::warn!(detail = %problem.detail, "a Slack envelope was refused"),
    }
    Some(ack)
}
