//! `ask`: one whole assistant turn, as `maestro ask --json` answers it. Every
//! confirmation a turn waits for is settled through the human before the
//! call returns (or, from 2026-07-28, through the input-required round), and
//! MCP turns settle confirmations only by the question's id: a "yes" the model
//! types is a new request, never an approval.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use maestro_assistant::{Action, Answer, Event, Status, TurnOptions};
use maestro_tools::{Display, Effect, parse_args};
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::mpsc::unbounded_channel;

use crate::approval::{ANSWERED_IN_ROUND, Decision, ask_human};
use crate::calls::{
    Incoming, Reporter, charts, notify_changed, off_runtime, record_approval, refusal, text_of,
};
use crate::listing::{AskArgs, AskResult};
use crate::{Approval, Grant};

/// Runs `ask` for `grant`.
pub(crate) async fn ask(
    grant: &Grant,
    args: Value,
    call: &Incoming<'_>,
) -> Result<CallToolResponse, ErrorData> {
    let args: AskArgs = match parse_args("ask", args) {
        Ok(a) => a,
        Err(e) => return Ok(refusal(e.to_string())),
    };
    let mut turn = match call.pending.answered(call.request) {
        // The retry of an input-required round: the human's answer to one question.
        Some(answered) => {
            let answered = match answered {
                Ok(a) => a,
                Err(why) => return Ok(refusal(why)),
            };
            let question = serde_json::from_str::<Question>(&answered.subject)
                .ok()
                .filter(|q| q.session.starts_with(&grant.sessions));
            let Some(question) = question else {
                return Ok(refusal(
                    "that approval was given for another call; nothing was changed",
                ));
            };
            let by = answered.yes.then_some(ANSWERED_IN_ROUND);
            let mut turn = Turn::default();
            turn.say(&question.reply);
            turn.answer.actions = question.actions.clone();
            turn.extend(approve(grant, &question, by, call.ctx).await?);
            return finish(grant, question.session, turn, &args, call).await;
        }
        None => Turn::default(),
    };
    let session = match &args.session {
        Some(s) => format!("{}{s}", grant.sessions),
        None => format!("{}once:{}", grant.sessions, uuid::Uuid::new_v4()),
    };
    let options = TurnOptions {
        confirmed: call.approval == Approval::Granted,
        ..turn_options(grant)
    };
    turn.extend(run_turn(grant, &session, &args.text, options, call.ctx).await);
    finish(grant, session, turn, &args, call).await
}

/// Settles the confirmations `turn` ended on, then answers. A conversation
/// made for a request on its own is forgotten once nothing waits in it.
async fn finish(
    grant: &Grant,
    session: String,
    mut turn: Turn,
    args: &AskArgs,
    call: &Incoming<'_>,
) -> Result<CallToolResponse, ErrorData> {
    let asking = settle_all(grant, &session, &mut turn, call).await;
    if args.session.is_none() && !matches!(asking, Ok(Some(_))) {
        let once = session.clone();
        // A leftover row only costs space: the answer goes out regardless.
        let _ = off_runtime(grant, move |g| g.assistant.platform().delete_session(&once)).await;
    }
    if let Some(response) = asking? {
        return Ok(response);
    }
    if changed_anything(grant, &turn.answer) {
        notify_changed(grant, call).await;
    }
    Ok(ask_result(&turn, args.session.as_deref()))
}

/// Puts each question `turn` ends on to the human, one after another, and
/// answers it by its id; `Some` when a question went out in an
/// input-required round (the client retries with the answer).
async fn settle_all(
    grant: &Grant,
    session: &str,
    turn: &mut Turn,
    call: &Incoming<'_>,
) -> Result<Option<CallToolResponse>, ErrorData> {
    while let Some(waiting) = turn.waiting.take() {
        let question = Question {
            session: session.to_string(),
            id: waiting.confirmation.clone().unwrap_or_default(),
            tool: waiting.tool,
            arguments: waiting.arguments,
            reply: turn.answer.reply.clone(),
            actions: turn.answer.actions.clone(),
        };
        let subject = serde_json::to_string(&question).unwrap_or_default();
        let asked = &turn.last_reply;
        let decision = match ask_human(call.pending, call.approval, asked, &subject, call.ctx).await
        {
            Ok(d) => d,
            Err(e) => {
                // Nothing may stay pending when the question could not be asked.
                approve(grant, &question, None, call.ctx).await?;
                return Err(e);
            }
        };
        let (by, refused) = match decision {
            Decision::Asking(response) => return Ok(Some(response)),
            Decision::Yes(by) => (Some(by), None),
            Decision::No(why) => (None, Some(why)),
        };
        turn.extend(approve(grant, &question, by, call.ctx).await?);
        if let Some(why) = refused {
            turn.say(&why);
        }
    }
    Ok(None)
}

/// Whether a turn ran a tool that changes things.
fn changed_anything(grant: &Grant, answer: &Answer) -> bool {
    let registry = grant.assistant.platform().registry();
    answer.actions.iter().any(|a| {
        a.status == Status::Ok
            && registry
                .get(&a.tool)
                .is_some_and(|t| t.effect() != Effect::Read)
    })
}

/// The options of every MCP turn: as the grant's actor, answers by id only.
fn turn_options(grant: &Grant) -> TurnOptions {
    TurnOptions {
        actor: grant.actor.clone(),
        confirm_by_id: true,
        ..Default::default()
    }
}

/// A question put to the human: which confirmation of which conversation,
/// for which call.
#[derive(Serialize, Deserialize)]
struct Question {
    session: String,
    id: String,
    tool: String,
    arguments: Value,
    /// What the call said and did before the question (kept here, on the
    /// server, across an input-required round, so the final answer has it all).
    #[serde(default)]
    reply: String,
    #[serde(default)]
    actions: Vec<Action>,
}

/// Answers `question` by its id: "yes" when the human approved (`by` says
/// how; the audit log records it), else "no", so that nothing stays pending.
async fn approve(
    grant: &Grant,
    question: &Question,
    by: Option<&'static str>,
    ctx: &RequestContext<RoleServer>,
) -> Result<Turn, ErrorData> {
    if let Some(by) = by {
        record_approval(grant, &question.tool, &question.arguments, by).await?;
    }
    let options = TurnOptions {
        answering: Some(question.id.clone()),
        ..turn_options(grant)
    };
    let text = if by.is_some() { "yes" } else { "no" };
    Ok(run_turn(grant, &question.session, text, options, ctx).await)
}

/// A turn gathered (or several, one after another), with what they showed.
#[derive(Default)]
struct Turn {
    answer: Answer,
    displays: Vec<Display>,
    /// The last thing the last turn said: the question when it waits for a yes.
    last_reply: String,
    /// The action the last turn left waiting for a yes, with its question's id.
    waiting: Option<Action>,
}

impl Turn {
    fn extend(&mut self, next: Turn) {
        self.say(&next.answer.reply);
        self.answer.actions.extend(next.answer.actions);
        self.answer.failed |= next.answer.failed;
        self.displays.extend(next.displays);
        self.last_reply = next.last_reply;
        self.waiting = next.waiting;
    }

    fn say(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if !self.answer.reply.is_empty() {
            self.answer.reply.push('\n');
        }
        self.answer.reply.push_str(text);
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
    grant.assistant.stream(session, text, options, move |e| {
        // A call that was abandoned leaves the turn without an audience.
        let _ = tx.send(e);
    });
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
                        Event::Reply { text } => turn.last_reply = text,
                        Event::Action(a) if a.status == Status::NeedsConfirmation && a.confirmation.is_some() => {
                            turn.waiting = Some(a);
                        }
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
    let answer = AskResult {
        answer: &turn.answer,
        session,
    };
    result.structured_content = serde_json::to_value(&answer).ok();
    result.into()
}
