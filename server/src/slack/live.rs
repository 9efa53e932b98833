//! A thread's answer as it is made: the first progress line (long work such
//! as AutoML) or the first words of a language model's reply are posted as
//! one message that later ones update in place (`chat.update`, at most once
//! a second), the answer replaces it, and the turn's charts are uploaded to
//! the thread (`files.getUploadURLExternal`, the bytes,
//! `files.completeUploadExternal`).

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use super::Slack;
use super::blocks::escape;

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
    /// Least time between two updates ([`EVERY`]).
    every: Duration,
    /// The reply written so far, as a language model streams it.
    draft: String,
    /// Showing failed: nothing more is shown before the answer.
    stopped: bool,
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
            every: EVERY,
            draft: String::new(),
            stopped: false,
        }
    }

    /// Shows a line of progress.
    pub async fn progress(&mut self, line: &str) {
        self.show(format!(":hourglass_flowing_sand: {}", escape(line)))
            .await;
    }

    /// Shows the reply so far with `words` added.
    pub async fn delta(&mut self, words: &str) {
        self.draft.push_str(words);
        if self.updated.is_none_or(|at| at.elapsed() >= self.every) {
            self.show(escape(&self.draft)).await;
        }
    }

    /// Posts `text`, or puts it in place of what was shown (failures are
    /// logged: the work goes on).
    async fn show(&mut self, text: String) {
        // At most one post or update a second; after a failure, none until the answer.
        if self.stopped || self.updated.is_some_and(|at| at.elapsed() < self.every) {
            return;
        }
        self.updated = Some(Instant::now());
        let shown = match &self.message {
            None => self
                .slack
                .post(
                    "chat.postMessage",
                    &json!({"channel": self.channel, "thread_ts": self.thread, "text": text}),
                )
                .await
                .and_then(|reply| {
                    let ts = reply["ts"]
                        .as_str()
                        .ok_or("chat.postMessage answered without a ts")?;
                    self.message = Some(ts.to_string());
                    Ok(())
                }),
            Some(ts) => self
                .slack
                .post(
                    "chat.update",
                    &json!({"channel": self.channel, "ts": ts, "text": text}),
                )
                .await
                .map(|_| ()),
        };
        if let Err(e) = shown {
            self.stopped = true;
            tracing::warn!(error = %e, "progress not shown in Slack; the answer will follow");
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
            .post_form(
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::Json;
    use axum::extract::{Path, State};
    use axum::routing::post;

    use super::*;
    use crate::slack::SlackConfig;

    type Calls = Arc<Mutex<Vec<(String, Value)>>>;

    /// A Slack that records `chat.postMessage` and `chat.update`.
    async fn fake() -> (Slack, Calls) {
        let calls: Calls = Arc::default();
        async fn record(
            State(c): State<Calls>,
            Path(m): Path<String>,
            Json(b): Json<Value>,
        ) -> Json<Value> {
            c.lock().unwrap().push((m, b));
            Json(json!({"ok": true, "ts": "1700000000.000900"}))
        }
        let app = axum::Router::new()
            .route("/api/{m}", post(record))
            .with_state(Arc::clone(&calls));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/api", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let config = SlackConfig {
            signing_secret: "s".into(),
            bot_token: "xoxb-t".into(),
            api_url: url,
            app_token: None,
        };
        (Slack::new(config), calls)
    }

    #[tokio::test]
    async fn a_streamed_reply_is_one_message_updated_in_place_then_replaced() {
        let (slack, calls) = fake().await;
        let mut live = Live::new(&slack, "C1", "1700000000.000100");
        live.every = Duration::from_secs(3600);
        live.delta("Bob has ").await;
        live.delta("three open tasks").await; // within the window: not shown
        live.delta(", one overdue.").await;
        live.answer("Bob has three open tasks, one overdue.", &[])
            .await
            .unwrap();
        let calls = calls.lock().unwrap().clone();
        let seen: Vec<(&str, &str)> = calls
            .iter()
            .map(|(m, b)| (m.as_str(), b["text"].as_str().unwrap()))
            .collect();
        assert_eq!(
            seen,
            [
                ("chat.postMessage", "Bob has "),
                ("chat.update", "Bob has three open tasks, one overdue."),
            ]
        );
        assert_eq!(
            calls[1].1["ts"], "1700000000.000900",
            "the posted message, in place"
        );
        assert_eq!(calls[0].1["thread_ts"], "1700000000.000100");
    }
}
