//! Running a call: registry tools (after the scope, argument and approval
//! checks), `ask`, `search_tools` and `call_tool`; results as MCP shows them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use maestro_catalog::{CatalogError, Filter};
use maestro_tools::{Display, Effect, Hooks, Platform, ToolInfo, ToolOutput, parse_args};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock,
    ProgressNotificationParam,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};
use serde_json::{Value, json};
use tokio::sync::mpsc::unbounded_channel;

use crate::approval::{ANSWERED_IN_ROUND, Decision, NOT_APPROVED, Pending, ask_human};
use crate::listing::{Found, FoundTool, SearchArgs};
use crate::{Approval, Grant};

/// One call as the server received it.
pub(crate) struct Incoming<'a> {
    /// The request (its retry state and input responses, for approvals).
    pub request: &'a CallToolRequestParams,
    /// Its context: progress token, cancellation, the client.
    pub ctx: &'a RequestContext<RoleServer>,
    /// Questions waiting for a retry.
    pub pending: &'a Pending,
    /// How approvals are given.
    pub approval: Approval,
    /// Where changed workspaces are announced (to `subscriptions/listen`).
    pub changes: &'a tokio::sync::broadcast::Sender<String>,
}

/// A tool result whose text says what went wrong and what to do.
pub(crate) fn refusal(text: impl Into<String>) -> CallToolResponse {
    CallToolResult::error(vec![ContentBlock::text(text.into())]).into()
}

/// Runs `f` off the async runtime: stores and catalogs may block.
pub(crate) async fn off_runtime<T: Send + 'static>(
    grant: &Grant,
    f: impl FnOnce(&Grant) -> T + Send + 'static,
) -> Result<T, ErrorData> {
    let grant = grant.clone();
    tokio::task::spawn_blocking(move || f(&grant))
        .await
        .map_err(|e| ErrorData::internal_error(format!("the call stopped unexpectedly ({e}); nothing more was done: try again, and see the server's log if it happens again"), None))
}

/// Runs registry tool `name` with `args` as `grant`.
pub(crate) async fn registry_call(
    grant: &Grant,
    name: &str,
    args: Value,
    call: &Incoming<'_>,
) -> Result<CallToolResponse, ErrorData> {
    let platform = grant.assistant.platform();
    let Some(tool) = platform.registry().get(name).cloned() else {
        return Ok(refusal(format!(
            "there is no tool called {name:?}; search_tools finds the tool for a request"
        )));
    };
    if tool.effect() != Effect::Read && !grant.writes {
        return Ok(refusal(format!(
            "{name} changes the workspace and this token has the read scope; create one with `maestro token create --scope write`"
        )));
    }
    if let Err(e) = tool.check(&args) {
        return Ok(refusal(e.to_string()));
    }
    // The caller is part of what was asked: another caller cannot answer it.
    let subject = format!("{}{name} {args}", grant.sessions);
    let decision = match call.pending.answered(call.request) {
        Some(Err(why)) => return Ok(refusal(why)),
        Some(Ok(answered)) if answered.subject != subject => {
            return Ok(refusal(
                "that approval was given for another call; nothing was changed — call the tool again",
            ));
        }
        Some(Ok(answered)) if answered.yes => Some(Decision::Yes(ANSWERED_IN_ROUND)),
        Some(Ok(_)) => Some(Decision::No(NOT_APPROVED.into())),
        None => {
            let (name, args) = (name.to_string(), args.clone());
            let question = off_runtime(grant, move |g| {
                g.assistant
                    .platform()
                    .approval_question(g.actor.as_deref(), &name, &args)
            })
            .await?;
            match question {
                Some(q) => {
                    Some(ask_human(call.pending, call.approval, &q, &subject, call.ctx).await?)
                }
                None => None,
            }
        }
    };
    match decision {
        Some(Decision::Asking(response)) => return Ok(response),
        Some(Decision::No(why)) => return Ok(refusal(why)),
        Some(Decision::Yes(by)) => record_approval(grant, name, &args, by).await?,
        None => {}
    }
    let output = run_tool(grant, name, args, call.ctx).await?;
    Ok(match output {
        Ok(out) => tool_result(&out),
        Err(message) => refusal(message),
    })
}

/// Tells clients that the grant's resources may have changed: this one when
/// it keeps a session (up to 2025-11-25), and every `subscriptions/listen`
/// stream on the workspace (2026-07-28). A hint: a client that misses it
/// sees the change on its next list.
pub(crate) async fn notify_changed(grant: &Grant, call: &Incoming<'_>) {
    if call.ctx.peer.peer_info().is_some() {
        let _ = call.ctx.peer.notify_resource_list_changed().await;
    }
    let workspace = grant.assistant.platform().workspace().to_string();
    // Nobody listening is fine.
    let _ = call.changes.send(workspace);
}

/// Notes in the audit log that the human approved `name` with `args`.
pub(crate) async fn record_approval(
    grant: &Grant,
    name: &str,
    args: &Value,
    by: &'static str,
) -> Result<(), ErrorData> {
    let (name, args) = (name.to_string(), args.clone());
    off_runtime(grant, move |g| {
        g.assistant
            .platform()
            .record_approval(g.actor.as_deref(), &name, &args, by)
    })
    .await
}

/// Runs the tool off the async runtime, passing its progress to the client
/// (when the call has a progress token) and the client's cancellation to it
/// (long work stops and keeps its best so far, as Ctrl-C does).
async fn run_tool(
    grant: &Grant,
    name: &str,
    args: Value,
    ctx: &RequestContext<RoleServer>,
) -> Result<Result<ToolOutput, String>, ErrorData> {
    let (tx, mut rx) = unbounded_channel::<(String, Option<f64>)>();
    let cancel = Arc::new(AtomicBool::new(false));
    let (assistant, actor, name) = (
        grant.assistant.clone(),
        grant.actor.clone(),
        name.to_string(),
    );
    let stop = cancel.clone();
    let job = tokio::task::spawn_blocking(move || {
        let progress = move |line: &str, done: Option<f64>| {
            let _ = tx.send((line.to_string(), done));
        };
        let hooks = Hooks {
            progress: Some(&progress),
            cancel: Some(&stop),
        };
        assistant
            .platform()
            .call_with(actor.as_deref(), &name, args, hooks)
            .map_err(|e| e.to_string())
    });
    let mut reporter = Reporter::new(ctx);
    tokio::pin!(job);
    loop {
        tokio::select! {
            out = &mut job => {
                return out.map_err(|e| ErrorData::internal_error(format!("the tool stopped unexpectedly ({e}); see the server's log, then try again"), None));
            }
            Some((line, done)) = rx.recv() => reporter.report(&line, done).await,
            _ = ctx.ct.cancelled(), if !cancel.load(Ordering::Relaxed) => {
                cancel.store(true, Ordering::Relaxed);
            }
        }
    }
}

/// Sends `notifications/progress` for a call that asked for them.
pub(crate) struct Reporter<'a> {
    ctx: &'a RequestContext<RoleServer>,
    last: f64,
}

impl<'a> Reporter<'a> {
    pub(crate) fn new(ctx: &'a RequestContext<RoleServer>) -> Self {
        Self { ctx, last: 0.0 }
    }

    /// Reports one step: as a share of 1 when known, else as a count of
    /// steps (progress always grows, as the protocol requires).
    pub(crate) async fn report(&mut self, line: &str, done: Option<f64>) {
        let Some(token) = self.ctx.meta.get_progress_token() else {
            return;
        };
        let progress = done.unwrap_or(self.last + 1.0).max(self.last + 1e-6);
        self.last = progress;
        let mut note = ProgressNotificationParam::new(token, progress).with_message(line);
        // A total only while the share is known and within it (a step after
        // the last share, like a refit, counts on without one).
        if done.is_some() && progress <= 1.0 {
            note = note.with_total(1.0);
        }
        // A client that went away misses progress; the work goes on.
        let _ = self.ctx.peer.notify_progress(note).await;
    }
}

/// A tool's output: its data as structured content (an object; other
/// values under `result`), its summary, tables and Markdown as text, its
/// charts as PNG images.
pub(crate) fn tool_result(out: &ToolOutput) -> CallToolResponse {
    let mut content = vec![ContentBlock::text(text_of(&out.summary, &out.displays))];
    content.extend(charts(&out.displays));
    let mut result = CallToolResult::success(content);
    result.structured_content = match &out.data {
        Value::Null => None,
        Value::Object(_) => Some(out.data.clone()),
        other => Some(json!({ "result": other })),
    };
    result.into()
}

pub(crate) fn text_of(summary: &str, displays: &[Display]) -> String {
    let mut text = summary.to_string();
    for display in displays {
        let part = match display {
            Display::Table(t) => t.to_markdown(),
            Display::Markdown { text } => text.clone(),
            Display::Chart { title, .. } => format!("(chart: {title})"),
        };
        if !text.contains(part.trim()) {
            text.push_str("\n\n");
            text.push_str(part.trim_end());
        }
    }
    text
}

pub(crate) fn charts(displays: &[Display]) -> impl Iterator<Item = ContentBlock> + '_ {
    displays.iter().filter_map(|d| match d {
        Display::Chart { png, .. } => Some(ContentBlock::image(png.clone(), "image/png")),
        _ => None,
    })
}

/// `search_tools`: the catalog's nearest tools the grant may call.
pub(crate) async fn search_tools(
    grant: &Grant,
    args: Value,
) -> Result<CallToolResponse, ErrorData> {
    off_runtime(grant, move |g| search(g, args)).await
}

fn search(grant: &Grant, args: Value) -> CallToolResponse {
    let args: SearchArgs = match parse_args("search_tools", args) {
        Ok(a) => a,
        Err(e) => return refusal(e.to_string()),
    };
    let k = args.k.unwrap_or(5).clamp(1, 20);
    let platform = grant.assistant.platform();
    let readable = |info: &ToolInfo| grant.writes || info.effect == Effect::Read;
    let found = match nearest_tools(platform, &args.query, k, readable) {
        Ok(found) => found,
        Err(e) => return refusal(format!("the catalog could not be searched: {e}")),
    };
    let lines: Vec<String> = found
        .iter()
        .map(|t| format!("- {} ({}): {}", t.name, t.effect.as_str(), t.description))
        .collect();
    let found = Found {
        tools: found
            .into_iter()
            .map(|t| FoundTool {
                name: t.name,
                description: t.description,
                effect: t.effect,
                input_schema: t.schema,
            })
            .collect(),
    };
    let mut result = CallToolResult::success(vec![ContentBlock::text(if lines.is_empty() {
        "No tool fits that; try other words.".to_string()
    } else {
        lines.join("\n")
    })]);
    result.structured_content = serde_json::to_value(&found).ok();
    result.into()
}

/// The `k` tools nearest to `query` in the platform's catalog that pass
/// `keep`, best first: what `search_tools` answers.
pub fn nearest_tools(
    platform: &Platform,
    query: &str,
    k: usize,
    keep: impl Fn(&ToolInfo) -> bool,
) -> Result<Vec<ToolInfo>, CatalogError> {
    let hits = platform
        .catalog()
        .search(query, k * 2, &Filter::kind("tool"))?;
    let registry = platform.registry();
    Ok(hits
        .iter()
        .filter_map(|h| registry.get(h.entry.id.trim_start_matches("tool:")))
        .map(|t| ToolInfo::of(t.as_ref()))
        .filter(|info| keep(info))
        .take(k)
        .collect())
}
