//! Slack's AI assistant threads: when a person opens one the bot suggests
//! prompts (`assistant.threads.setSuggestedPrompts`); a message in one shows
//! "is thinking…" at once (`assistant.threads.setStatus`) until the answer
//! arrives in the thread, and the thread is one conversation.

use serde_json::{Value, json};

use super::Slack;

/// What a new thread suggests: (title, message).
const PROMPTS: [(&str, &str); 4] = [
    ("What is overdue?", "what is overdue?"),
    ("My open tasks", "list my open tasks"),
    ("The team's workload", "show the team's workload"),
    (
        "Who should fix the login bug?",
        "who should fix the login bug?",
    ),
];

/// Suggests prompts in a thread that just started (`assistant_thread_started`).
pub async fn started(slack: &Slack, event: &Value) -> Result<(), String> {
    let thread = &event["assistant_thread"];
    let (Some(channel), Some(ts)) = (thread["channel_id"].as_str(), thread["thread_ts"].as_str())
    else {
        return Err("an assistant_thread_started event without its channel or thread".into());
    };
    let prompts: Vec<Value> = PROMPTS
        .iter()
        .map(|(title, message)| json!({"title": title, "message": message}))
        .collect();
    slack
        .post(
            "assistant.threads.setSuggestedPrompts",
            &json!({"channel_id": channel, "thread_ts": ts, "title": "Try asking", "prompts": prompts}),
        )
        .await
        .map(|_| ())
}

/// Shows that the answer is coming; the answer posted in the thread clears it.
pub async fn thinking(slack: &Slack, channel: &str, ts: &str) -> Result<(), String> {
    slack
        .post(
            "assistant.threads.setStatus",
            &json!({"channel_id": channel, "thread_ts": ts, "status": "is thinking…"}),
        )
        .await
        .map(|_| ())
}
