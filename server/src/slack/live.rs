//! Long work in a thread: the first progress line is posted as one message
//! that later lines update in place (`chat.update`, at most once a second),
//! the answer replaces it, and the turn's charts are uploaded to the thread
//! (`files.getUploadURLExternal`, the bytes, `files.completeUploadExternal`).

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use super::Slack;

/// Least time between two updates of the progress message.
const EVERY: Duration = Duration::from_secs(1);

/// A thread's answer as it is being made.
pub struct Live<'a> {
    slack: &'a Slack,
    channel: String,
    thread: String,
    /// The progress message, once posted: its `ts`.
    message: Option<String>,
    updated: Option<Instant>,
}

impl<'a> Live<'a> {
    /// The answer to come in `thread` of `channel`.
    pub fn new(slack: &'a Slack, channel: &str, thread: &str) -> Self {
        Self {
            slack,
            channel: channel.to_string(),
            thread: thread.to_string(),
            message: None,
            updated: None,
        }
    }

    /// Shows a line of progress (failures are logged: the work goes on).
    pub async fn progress(&mut self, line: &str) {
        let text = format!(":hourglass_flowing_sand: {line}");
        let shown = match &self.message {
            None => self
                .slack
                .post(
                    "chat.postMessage",
                    &json!({"channel": self.channel, "thread_ts": self.thread, "text": text}),
                )
                .await
                .map(|reply| self.message = reply["ts"].as_str().map(str::to_string)),
            Some(_) if self.updated.is_some_and(|at| at.elapsed() < EVERY) => return,
            Some(ts) => self
                .slack
                .post(
                    "chat.update",
                    &json!({"channel": self.channel, "ts": ts, "text": text}),
                )
                .await
                .map(|_| ()),
        };
        self.updated = Some(Instant::now());
        if let Err(e) = shown {
            tracing::warn!(error = %e, "progress not shown in Slack");
        }
    }

    /// Posts the answer, in place of the progress message when there is one.
    pub async fn answer(&self, text: &str, blocks: &[Value]) -> Result<(), String> {
        let (method, body) = match &self.message {
            Some(ts) => (
                "chat.update",
                json!({"channel": self.channel, "ts": ts, "text": text, "blocks": blocks}),
            ),
            None => (
                "chat.postMessage",
                json!({"channel": self.channel, "thread_ts": self.thread, "text": text, "blocks": blocks}),
            ),
        };
        self.slack.post(method, &body).await.map(|_| ())
    }

    /// Uploads a chart (a base64 PNG) to the thread.
    pub async fn chart(&self, title: &str, png: &str) -> Result<(), String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png)
            .map_err(|e| format!("a chart that is not base64: {e}"))?;
        let length = bytes.len().to_string();
        let place = self
            .slack
            .get(
                "files.getUploadURLExternal",
                &[("filename", "chart.png"), ("length", length.as_str())],
            )
            .await?;
        let (Some(url), Some(id)) = (place["upload_url"].as_str(), place["file_id"].as_str())
        else {
            return Err("files.getUploadURLExternal answered without upload_url or file_id".into());
        };
        self.slack.upload(url, bytes).await?;
        let files = json!([{"id": id, "title": title}]);
        self.slack
            .post(
                "files.completeUploadExternal",
                &json!({"files": files, "channel_id": self.channel, "thread_ts": self.thread}),
            )
            .await
            .map(|_| ())
    }
}
