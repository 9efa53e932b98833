//! `/activity`: the audit log (who did what, when) and the language
//! model's token use and cost.

use std::sync::Arc;

use axum::Router;
use axum::response::Response;
use axum::routing::get;
use maud::html;
use serde_json::Value;

use super::{PageError, Viewer};
use crate::state::AppState;

/// The activity page.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/activity", get(activity))
}

/// Entries of the audit log the page shows.
const LOG_ENTRIES: usize = 200;
/// Language-model turns the page shows.
const USAGE_TURNS: usize = 100;

/// Characters of a result the log shows.
const RESULT_CHARS: usize = 160;

/// A result as a line of at most [`RESULT_CHARS`] characters.
fn short(result: &Value) -> String {
    let text = result
        .as_str()
        .map_or_else(|| result.to_string(), str::to_string);
    match text.char_indices().nth(RESULT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

async fn activity(viewer: Viewer) -> Result<Response, PageError> {
    let (log, usage) = viewer
        .query(|q| Ok((q.audit_log(LOG_ENTRIES)?, q.usage(USAGE_TURNS)?)))
        .await?;
    let cost: f64 = usage.iter().filter_map(|u| u.cost_usd).sum();
    let tokens: i64 = usage
        .iter()
        .map(|u| u.prompt_tokens + u.completion_tokens)
        .sum();
    let body = html! {
        h2 { "Audit log" }
        p.hint { "The newest " (log.len()) " entries." }
        div.scroll {
            table {
                thead { tr { th { "When (UTC)" } th { "Who" } th { "What" } th { "Outcome" } th { "Result" } } }
                tbody {
                    @for r in &log {
                        tr {
                            td { (r.at.format("%Y-%m-%d %H:%M:%S")) }
                            td { (r.actor.as_deref().unwrap_or("—")) }
                            td { code { (r.tool) } }
                            td { (r.status) }
                            td { (short(&r.result)) }
                        }
                    }
                }
            }
        }
        h2 { "Language model" }
        @if usage.is_empty() {
            p { "No language-model turns yet (the local planner needs none)." }
        } @else {
            p { (usage.len()) " turns, " (tokens) " tokens, $" (format!("{cost:.4}")) }
            div.scroll {
                table {
                    thead { tr { th { "When (UTC)" } th { "Model" } th { "Prompt" } th { "Completion" } th { "Requests" } th { "Cost (USD)" } } }
                    tbody {
                        @for u in &usage {
                            tr {
                                td { (u.at.format("%Y-%m-%d %H:%M:%S")) }
                                td { (u.model) }
                                td { (u.prompt_tokens) }
                                td { (u.completion_tokens) }
                                td { (u.requests) }
                                td { @if let Some(c) = u.cost_usd { (format!("{c:.4}")) } @else { "unknown" } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(viewer.page("/activity", "Activity", body))
}
