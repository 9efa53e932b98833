//! Running a call: registry tools (after the scope, argument and approval
//! checks), `ask`, `search_tools` and `call_tool`; results as MCP shows them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use maestro_assistant::{Answer, Event, Status, TurnOptions};
use maestro_catalog::{CatalogError, Filter};
use maestro_tools::{Display, Effect, Hooks, Platform, ToolInfo, ToolOutput};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock,
    ProgressNotificationParam,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::approval::{Decision, Pending, ask_human};
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
        .map_err(|e| ErrorData::internal_error(format!("the work stopped: {e}"), None))
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
    let subject = format!("{name} {args}");
    let decision = match call.pending.answered(call.request) {
        Some(Err(why)) => return Ok(refusal(why)),
        Some(Ok(answered)) if answered.subject != subject => {
            return Ok(refusal(
                "that approval was given for another call; nothing was changed — call the tool again",
            ));
        }
        Some(Ok(answered)) if answered.yes => {
            Some(Decision::Yes("the human over MCP (input required)"))
        }
        Some(Ok(_)) => Some(Decision::No(
            "You did not approve it; nothing was changed.".into(),
        )),
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

/// Notes in the audit log that the human approved `name` with `args`.
async fn record_approval(
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
                return out.map_err(|e| ErrorData::internal_error(format!("the tool stopped: {e}"), None));
            }
            Some((line, done)) = rx.recv() => reporter.report(&line, done).await,
            _ = ctx.ct.cancelled(), if !cancel.load(Ordering::Relaxed) => {
                cancel.store(true, Ordering::Relaxed);
            }
        }
    }
}

/// Sends `notifications/progress` for a call that asked for them.
struct Reporter<'a> {
    ctx: &'a RequestContext<RoleServer>,
    last: f64,
}

impl<'a> Reporter<'a> {
    fn new(ctx: &'a RequestContext<RoleServer>) -> Self {
        Self { ctx, last: 0.0 }
    }

    /// Reports one step: as a share of 1 when known, else as a count of
    /// steps (progress always grows, as the protocol requires).
    async fn report(&mut self, line: &str, done: Option<f64>) {
        let Some(token) = self.ctx.meta.get_progress_token() else {
            return;
        };
        let progress = done.unwrap_or(self.last + 1.0).max(self.last + 1e-6);
        self.last = progress;
        let mut note = ProgressNotificationParam::new(token, progress).with_message(line);
        if done.is_some() {
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

fn text_of(summary: &str, displays: &[Display]) -> String {
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

fn charts(displays: &[Display]) -> impl Iterator<Item = ContentBlock> + '_ {
    displays.iter().filter_map(|d| match d {
        Display::Chart { png, .. } => Some(ContentBlock::image(png.clone(), "image/png")),
        _ => None,
    })
}

/// The arguments of `search_tools`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    query: String,
    k: Option<usize>,
}

/// `search_tools`: the catalog's nearest tools the grant may call.
pub(crate) async fn search_tools(
    grant: &Grant,
    args: Value,
) -> Result<CallToolResponse, ErrorData> {
    off_runtime(grant, move |g| search(g, args)).await
}

fn search(grant: &Grant, args: Value) -> CallToolResponse {
    let args: SearchArgs = match serde_json::from_value(args) {
        Ok(a) => a,
        Err(e) => {
            return refusal(format!(
                "search_tools: {e}; send {{\"query\": \"what you want to do\", \"k\": 5}}"
            ));
        }
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
    let tools: Vec<Value> = found
        .iter()
        .map(|t| json!({"name": t.name, "description": t.description, "effect": t.effect, "input_schema": t.schema}))
        .collect();
    let mut result = CallToolResult::success(vec![ContentBlock::text(if lines.is_empty() {
        "No tool fits that; try other words.".to_string()
    } else {
        lines.join("\n")
    })]);
    result.structured_content = Some(json!({ "tools": tools }));
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

/// The arguments of `call_tool`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CallArgs {
    /// The tool.
    pub name: String,
    /// Its arguments.
    #[serde(default)]
    pub arguments: Value,
}

/// The arguments of `ask`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AskArgs {
    text: String,
    session: Option<String>,
}

/// `ask`: one whole assistant turn, as `maestro ask --json` answers it. A
/// turn that waits for a yes asks the human through the client at once, so
/// no confirmation is left for a later "yes" that the model could type.
pub(crate) async fn ask(
    grant: &Grant,
    args: Value,
    call: &Incoming<'_>,
) -> Result<CallToolResponse, ErrorData> {
    let args: AskArgs = match serde_json::from_value(args) {
        Ok(a) => a,
        Err(e) => {
            return Ok(refusal(format!(
                "ask: {e}; send {{\"text\": \"what you want\", \"session\": \"optional name\"}}"
            )));
        }
    };
    let session = match &args.session {
        Some(s) => format!("mcp:{s}"),
        None => format!("mcp-once:{}", uuid::Uuid::new_v4()),
    };
    if let Some(answered) = call.pending.answered(call.request) {
        let answered = match answered {
            Ok(a) => a,
            Err(why) => return Ok(refusal(why)),
        };
        let Some((asked_session, id)) = answered.subject.split_once('\n') else {
            return Ok(refusal(
                "that approval was given for another call; nothing was changed",
            ));
        };
        let by = answered
            .yes
            .then_some("the human over MCP (input required)");
        let turn = answer_confirmation(grant, asked_session, id, by, call.ctx).await;
        return Ok(ask_result(&turn, args.session.as_deref()));
    }
    let options = TurnOptions {
        actor: grant.actor.clone(),
        confirmed: call.approval == Approval::Granted,
        ..Default::default()
    };
    let mut turn = run_turn(grant, &session, &args.text, options, call.ctx).await;
    if let Some(id) = waiting_confirmation(&turn.answer) {
        let subject = format!("{session}\n{id}");
        let question = turn.answer.reply.clone();
        let decision =
            ask_human(call.pending, call.approval, &question, &subject, call.ctx).await?;
        let (by, refused) = match decision {
            Decision::Asking(response) => return Ok(response),
            Decision::Yes(by) => (Some(by), None),
            Decision::No(why) => (None, Some(why)),
        };
        let next = answer_confirmation(grant, &session, &id, by, call.ctx).await;
        turn.extend(next);
        if let Some(why) = refused {
            turn.answer.reply.push('\n');
            turn.answer.reply.push_str(&why);
        }
    }
    Ok(ask_result(&turn, args.session.as_deref()))
}

/// The pending confirmation a turn ended on, if any.
fn waiting_confirmation(answer: &Answer) -> Option<String> {
    answer
        .actions
        .iter()
        .filter(|a| a.status == Status::NeedsConfirmation)
        .find_map(|a| a.confirmation.clone())
}

/// Answers the confirmation `id` of `session`: "yes" when the human approved
/// (`by` says how), else "no" so that nothing stays pending.
async fn answer_confirmation(
    grant: &Grant,
    session: &str,
    id: &str,
    by: Option<&'static str>,
    ctx: &RequestContext<RoleServer>,
) -> Turn {
    if let Some(by) = by {
        let what = json!({"session": session, "confirmation": id});
        // The yes turn below runs the approved calls either way.
        let _ = record_approval(grant, "ask", &what, by).await;
    }
    let options = TurnOptions {
        actor: grant.actor.clone(),
        answering: Some(id.to_string()),
        ..Default::default()
    };
    let text = if by.is_some() { "yes" } else { "no" };
    run_turn(grant, session, text, options, ctx).await
}

/// A turn gathered, with the charts it showed.
#[derive(Default)]
struct Turn {
    answer: Answer,
    displays: Vec<Display>,
}

impl Turn {
    fn extend(&mut self, next: Turn) {
        if !next.answer.reply.is_empty() {
            self.answer.reply.push('\n');
            self.answer.reply.push_str(&next.answer.reply);
        }
        self.answer.actions.extend(next.answer.actions);
        self.answer.failed |= next.answer.failed;
        self.displays.extend(next.displays);
    }
}

/// Runs one turn on the assistant's thread, passing progress to the client
/// and the client's cancellation to the turn.
async fn run_turn(
    grant: &Grant,
    session: &str,
    text: &str,
    mut options: TurnOptions,
    ctx: &RequestContext<RoleServer>,
) -> Turn {
    let cancel = Arc::new(AtomicBool::new(false));
    options.cancel = Some(cancel.clone());
    let (tx, mut rx) = unbounded_channel::<Event>();
    grant
        .assistant
        .stream(session, text, options, move |e| send(&tx, e));
    let mut turn = Turn::default();
    let mut reporter = Reporter::new(ctx);
    loop {
        tokio::select! {
            event = rx.recv() => match event {
                None => return turn,
                Some(event) => {
                    turn.answer.record(&event);
                    match event {
                        Event::Progress { line, done, .. } => reporter.report(&line, done).await,
                        Event::Display(d) => turn.displays.push(d),
                        _ => {}
                    }
                }
            },
            _ = ctx.ct.cancelled(), if !cancel.load(Ordering::Relaxed) => {
                cancel.store(true, Ordering::Relaxed);
            }
        }
    }
}

fn send(tx: &UnboundedSender<Event>, event: Event) {
    // The call was abandoned: the turn finishes without an audience.
    let _ = tx.send(event);
}

/// `ask`'s result: the answer (and the session to continue) as structured
/// content; the reply, tables and charts as content.
fn ask_result(turn: &Turn, session: Option<&str>) -> CallToolResponse {
    let mut content = vec![ContentBlock::text(text_of(
        &turn.answer.reply,
        &turn.displays,
    ))];
    content.extend(charts(&turn.displays));
    let mut result = if turn.answer.failed {
        CallToolResult::error(content)
    } else {
        CallToolResult::success(content)
    };
    let mut data = serde_json::to_value(&turn.answer).unwrap_or_default();
    data["session"] = json!(session);
    result.structured_content = Some(data);
    result.into()
}
