//! [`Assistant`]: one turn in, a stream of [`Event`]s out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};

use maestro_tools::{Display, Effect, Hooks, Platform, ToolError, ToolOutput};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::plan::{Call, Exchange, Focus, Outcome, Planner, Request, Steps, run_in_order};

/// How one action ended (the `status` of `maestro ask --json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "ActionStatus")]
pub enum Status {
    /// It ran.
    Ok,
    /// It failed; nothing changed.
    Error,
    /// It waits for a yes or no.
    NeedsConfirmation,
    /// It waits for a missing argument.
    NeedsInput,
}

/// One tool call and how it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Action {
    /// The tool.
    pub tool: String,
    /// Its arguments.
    pub arguments: Value,
    /// How it went.
    pub status: Status,
    /// The tool's data when it ran.
    pub result: Option<Value>,
    /// When it waits for a yes: the id of that pending confirmation, which a
    /// front end's button or answer names ([`TurnOptions::answering`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<String>,
}

/// What a turn tells the front end, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A tool is about to run (progress).
    Started {
        /// The tool.
        tool: String,
    },
    /// A tool call ended (or waits).
    Action(Action),
    /// Something to show: a table, Markdown.
    Display(Display),
    /// A long-running tool's progress (e.g. each AutoML trial).
    Progress {
        /// The tool.
        tool: String,
        /// What just happened.
        line: String,
        /// Share of the work done (0 to 1), when known.
        done: Option<f64>,
    },
    /// Part of a reply, as a language model writes it; the whole reply
    /// follows as a `Reply` (front ends that showed the parts skip it).
    Delta {
        /// The new text.
        text: String,
    },
    /// Text for the user.
    Reply {
        /// The text.
        text: String,
    },
    /// The request could not be handled at all (bad input, broken state).
    Error {
        /// What went wrong and what to do.
        message: String,
    },
}

/// Per-turn settings.
#[derive(Debug, Clone, Default)]
pub struct TurnOptions {
    /// Who is speaking (a name as typed; resolved against the team).
    pub actor: Option<String>,
    /// Run destructive actions without asking (`--yes`).
    pub confirmed: bool,
    /// Set it to stop the turn before its next step (an interrupt).
    pub cancel: Option<Arc<AtomicBool>>,
    /// A turn on its own (`maestro ask` without `--session`): no earlier
    /// question or confirmation applies to it and nothing is kept for later.
    pub one_shot: bool,
    /// The pending confirmation this turn's "yes" or "no" answers (a
    /// button's or a stdin prompt's id). When that confirmation is no longer
    /// the one waiting — already answered, or replaced by a newer request —
    /// the turn says so and changes nothing.
    pub answering: Option<String>,
    /// Only an `answering` id settles a pending confirmation: a typed "yes"
    /// or "no" is read as a new request (which drops the pending one). For
    /// front ends where the text may come from a model, not the person
    /// (MCP), so that only the person's answer to the question approves.
    pub confirm_by_id: bool,
    /// Who the audit log names for this turn's calls when no person speaks
    /// (`actor` unset): the front end's caller, e.g. `token:NAME`.
    pub audit_as: Option<String>,
}

impl TurnOptions {
    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// A whole turn gathered: the shape of `maestro ask --json` and of the REST reply.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Answer {
    /// Every reply, one per line.
    pub reply: String,
    /// Every action, in order.
    pub actions: Vec<Action>,
    /// Whether an action failed or the request was refused.
    #[serde(skip)]
    pub failed: bool,
}

impl Answer {
    /// Adds one event of the turn.
    pub fn record(&mut self, event: &Event) {
        let mut push = |text: &str| {
            if !self.reply.is_empty() {
                self.reply.push('\n');
            }
            self.reply.push_str(text);
        };
        match event {
            Event::Started { .. }
            | Event::Delta { .. }
            | Event::Display(_)
            | Event::Progress { .. } => {}
            Event::Reply { text } => push(text),
            Event::Error { message } => {
                push(message);
                self.failed = true;
            }
            Event::Action(a) => {
                self.failed |= a.status == Status::Error;
                self.actions.push(a.clone());
            }
        }
    }

    /// Gathers a whole turn.
    pub fn collect(events: impl IntoIterator<Item = Event>) -> Self {
        let mut answer = Self::default();
        events.into_iter().for_each(|e| answer.record(&e));
        answer
    }
}

/// A conversation's state between turns.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SessionState {
    /// A call that waits for one argument.
    waiting: Option<Call>,
    /// Calls that wait for a yes (the first is destructive).
    confirm: Vec<Call>,
    /// The id of that confirmation (see [`Action::confirmation`]).
    #[serde(default)]
    confirm_id: Option<String>,
    /// How many confirmations this session has asked for (part of each id).
    #[serde(default)]
    confirmations: u64,
    /// The requests of this session, oldest first (the last 100).
    history: Vec<String>,
    /// The last exchanges, oldest first (what a language model remembers).
    #[serde(default)]
    exchanges: Vec<Exchange>,
    /// What the conversation is about.
    #[serde(default)]
    focus: Focus,
}

impl SessionState {
    /// A new confirmation's id: unique in the session (a count) and across a
    /// session's re-creation (the time).
    fn next_confirmation_id(&mut self, now: chrono::DateTime<chrono::Utc>) -> String {
        self.confirmations += 1;
        format!("{}-{}", self.confirmations, now.timestamp_millis())
    }
}

/// The answer to a "yes" or "no" for a confirmation that no longer waits.
const STALE_CONFIRMATION: &str = "That confirmation is no longer waiting: it was already answered, or a newer request replaced it. Nothing was changed; ask again if you still want it.";

/// How many exchanges a conversation remembers.
const MEMORY: usize = 20;

/// Longest request accepted, in characters.
pub const MAX_REQUEST_CHARS: usize = 4000;

/// The assistant shared by every front end. Cheap to clone.
#[derive(Clone)]
pub struct Assistant {
    inner: Arc<Inner>,
}

struct Inner {
    platform: Platform,
    planner: Box<dyn Planner>,
}

/// The events of one turn, as they happen.
pub struct Turn {
    events: Receiver<Event>,
}

impl Iterator for Turn {
    type Item = Event;
    fn next(&mut self) -> Option<Event> {
        self.events.recv().ok()
    }
}

impl Assistant {
    /// An assistant over `platform` that plans with `planner`.
    pub fn new(platform: Platform, planner: Box<dyn Planner>) -> Self {
        Self {
            inner: Arc::new(Inner { platform, planner }),
        }
    }

    /// The platform.
    pub fn platform(&self) -> &Platform {
        &self.inner.platform
    }

    /// Which planner answers (`local`, or the model and its endpoint).
    pub fn planner(&self) -> String {
        self.inner.planner.describe()
    }

    /// Runs one turn of conversation `session`; events stream as work proceeds.
    pub fn turn(&self, session: &str, text: &str, options: TurnOptions) -> Turn {
        let (tx, rx) = channel();
        self.stream(session, text, options, move |e| {
            let _ = tx.send(e);
        });
        Turn { events: rx }
    }

    /// Runs one turn on its own thread, handing each event to `sink` as it
    /// happens (for front ends with their own event loop, like the kernel).
    pub fn stream(
        &self,
        session: &str,
        text: &str,
        options: TurnOptions,
        sink: impl Fn(Event) + Send + 'static,
    ) {
        let assistant = self.clone();
        let (session, text) = (session.to_string(), text.to_string());
        // The caller's span (a request, a cell) goes along to the turn's thread.
        let span = tracing::Span::current();
        std::thread::spawn(move || {
            let _entered = span.enter();
            assistant.respond(&session, &text, &options, &sink)
        });
    }

    /// Runs one turn on the calling thread, handing each event to `sink`
    /// (for front ends that keep their own worker thread).
    pub fn respond(&self, session: &str, text: &str, options: &TurnOptions, sink: &dyn Fn(Event)) {
        let span = tracing::info_span!("turn", session, planner = %self.inner.planner.describe());
        let _entered = span.enter();
        let started = std::time::Instant::now();
        match self.inner.run(session, text, options, sink) {
            Ok(()) => tracing::info!(ms = started.elapsed().as_millis() as u64, "turn answered"),
            Err(message) => {
                tracing::warn!(%message, "turn failed");
                sink(Event::Error { message });
            }
        }
    }

    /// What a turn of `session` would do, without running anything: each
    /// call the planner proposes with the status it would get. The session is
    /// left as it was (`maestro parse`, `maestro eval`).
    pub fn preview(
        &self,
        session: &str,
        text: &str,
        options: &TurnOptions,
    ) -> Result<Vec<Action>, String> {
        self.inner.preview(session, text, options)
    }

    /// The requests of a session, oldest first.
    pub fn history(&self, session: &str) -> Vec<String> {
        self.inner
            .load(session)
            .map(|s| s.history)
            .unwrap_or_default()
    }
}

impl Inner {
    fn load(&self, session: &str) -> Result<SessionState, String> {
        let state = self
            .platform
            .load_session(session)
            .map_err(|e| e.to_string())?;
        Ok(state
            .and_then(|s| serde_json::from_value(s).ok())
            .unwrap_or_default())
    }

    fn run(
        &self,
        session: &str,
        text: &str,
        options: &TurnOptions,
        emit: &dyn Fn(Event),
    ) -> Result<(), String> {
        check_text(text)?;
        let now = self.platform.clock().now();
        let actor = self.actor(options);
        let mut state = self.state(session, options)?;
        state.focus.touched_this_turn = false;
        state.history.push(text.to_string());
        let excess = state.history.len().saturating_sub(100);
        state.history.drain(..excess);

        let mut steps = TurnSteps {
            inner: self,
            session,
            options,
            actor: actor.as_deref(),
            emit,
            state: &mut state,
            yes: false,
            said: Vec::new(),
            tools: Vec::new(),
        };
        let pending = (!steps.state.confirm.is_empty())
            .then_some(steps.state.confirm_id.as_deref())
            .flatten();
        let answers = !steps.state.confirm.is_empty()
            && (!options.confirm_by_id || options.answering.is_some());
        if let Some(id) = options.answering.as_deref()
            && pending != Some(id)
        {
            steps.say(STALE_CONFIRMATION);
        } else if answers && is_yes(text) {
            steps.yes = true;
            let calls = std::mem::take(&mut steps.state.confirm);
            run_in_order(&calls, &mut steps);
        } else if answers && is_no(text) {
            steps.state.confirm.clear();
            steps.say("Cancelled; nothing was changed.");
        } else {
            steps.state.confirm.clear();
            let waiting = steps.state.waiting.take();
            let focus = steps.state.focus.clone();
            self.planner.drive(
                &Request {
                    text,
                    platform: &self.platform,
                    actor: actor.as_deref(),
                    now,
                    waiting: waiting.as_ref(),
                    focus: &focus,
                },
                &mut steps,
            );
        }
        let exchange = Exchange {
            user: text.to_string(),
            reply: steps.said.join("\n"),
            tools: std::mem::take(&mut steps.tools),
        };
        state.exchanges.push(exchange);
        let excess = state.exchanges.len().saturating_sub(MEMORY);
        state.exchanges.drain(..excess);
        if options.one_shot {
            return Ok(());
        }
        self.save(session, &state, now)
    }

    /// The conversation a turn continues: none for a one-shot turn.
    fn state(&self, session: &str, options: &TurnOptions) -> Result<SessionState, String> {
        if options.one_shot {
            Ok(SessionState::default())
        } else {
            self.load(session)
        }
    }

    /// The speaker's name on the team, or as typed when not on it.
    fn actor(&self, options: &TurnOptions) -> Option<String> {
        options.actor.as_deref().map(|a| {
            self.platform
                .lookup(None)
                .person(a)
                .map(|p| p.name)
                .unwrap_or_else(|_| a.to_string())
        })
    }

    fn preview(
        &self,
        session: &str,
        text: &str,
        options: &TurnOptions,
    ) -> Result<Vec<Action>, String> {
        check_text(text)?;
        let state = self.state(session, options)?;
        let (calls, mut confirmed) = if !state.confirm.is_empty() && is_yes(text) {
            (state.confirm, true)
        } else if !state.confirm.is_empty() && is_no(text) {
            (Vec::new(), false)
        } else {
            let actor = self.actor(options);
            let plan = self.planner.plan(&Request {
                text,
                platform: &self.platform,
                actor: actor.as_deref(),
                now: self.platform.clock().now(),
                waiting: state.waiting.as_ref(),
                focus: &state.focus,
            });
            (plan.calls, false)
        };
        let actor = self.actor(options);
        Ok(calls
            .into_iter()
            .map(|call| {
                let status = if call.gap.is_some() {
                    Status::NeedsInput
                } else if !std::mem::take(&mut confirmed)
                    && !options.confirmed
                    && self.needs_yes(actor.as_deref(), &call).is_some()
                {
                    Status::NeedsConfirmation
                } else {
                    Status::Ok
                };
                Action {
                    tool: call.tool,
                    arguments: Value::Object(call.arguments),
                    status,
                    result: None,
                    confirmation: None,
                }
            })
            .collect())
    }

    fn save(
        &self,
        session: &str,
        state: &SessionState,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), String> {
        let value = serde_json::to_value(state).map_err(|e| e.to_string())?;
        self.platform
            .save_session(session, &value, now)
            .map_err(|e| format!("could not save the conversation: {e}"))
    }

    /// The question to ask before `call` runs, if it needs a yes (see
    /// [`Platform::approval_question`]).
    fn needs_yes(&self, actor: Option<&str>, call: &Call) -> Option<String> {
        let args = Value::Object(call.arguments.clone());
        self.platform.approval_question(actor, &call.tool, &args)
    }
}

/// The assistant's side of one turn: runs the planner's calls under the same
/// rules for every planner and turns what happens into events.
struct TurnSteps<'a> {
    inner: &'a Inner,
    session: &'a str,
    options: &'a TurnOptions,
    actor: Option<&'a str>,
    emit: &'a dyn Fn(Event),
    state: &'a mut SessionState,
    /// The user just said yes: the first call runs without asking again.
    yes: bool,
    said: Vec<String>,
    tools: Vec<String>,
}

impl TurnSteps<'_> {
    /// Who the audit log says made this turn's calls: the speaker, else the
    /// front end's caller.
    fn acting(&self) -> Option<&str> {
        self.actor.or(self.options.audit_as.as_deref())
    }

    /// Checks a call before it runs: a gap becomes a question, a destructive
    /// tool waits for a yes. `None` means it may run.
    fn hold(&mut self, call: &Call, then: &[Call]) -> Option<Outcome> {
        if self.options.cancelled() {
            return Some(Outcome::Interrupted);
        }
        if let Some(gap) = &call.gap {
            (self.emit)(Event::Action(Action {
                tool: call.tool.clone(),
                arguments: Value::Object(call.arguments.clone()),
                status: Status::NeedsInput,
                result: None,
                confirmation: None,
            }));
            self.say(&gap.question);
            self.state.waiting = Some(call.clone());
            return Some(Outcome::Waiting);
        }
        let confirmed = std::mem::take(&mut self.yes) || self.options.confirmed;
        let question = (!confirmed)
            .then(|| self.inner.needs_yes(self.actor, call))
            .flatten();
        question.map(|question| {
            let calls: Vec<Call> = std::iter::once(call).chain(then).cloned().collect();
            self.wait_for_yes(calls, &question)
        })
    }

    /// Keeps `calls` as the pending confirmation (the first reported as
    /// waiting, with the confirmation's id) and asks `question`.
    fn wait_for_yes(&mut self, calls: Vec<Call>, question: &str) -> Outcome {
        let id = self
            .state
            .next_confirmation_id(self.inner.platform.clock().now());
        if let Some(first) = calls.first() {
            (self.emit)(Event::Action(Action {
                tool: first.tool.clone(),
                arguments: Value::Object(first.arguments.clone()),
                status: Status::NeedsConfirmation,
                result: None,
                confirmation: Some(id.clone()),
            }));
        }
        self.say(question);
        self.state.confirm = calls;
        self.state.confirm_id = Some(id);
        Outcome::Waiting
    }

    /// Reports how a call ended.
    fn finish(&mut self, call: &Call, result: Result<ToolOutput, ToolError>) -> Outcome {
        self.tools.push(call.tool.clone());
        let action = |status, result| {
            Event::Action(Action {
                tool: call.tool.clone(),
                arguments: Value::Object(call.arguments.clone()),
                status,
                result,
                confirmation: None,
            })
        };
        match result {
            Ok(out) => {
                self.state.focus.after(call, &out.data);
                (self.emit)(action(Status::Ok, Some(out.data.clone())));
                out.displays
                    .into_iter()
                    .for_each(|d| (self.emit)(Event::Display(d)));
                Outcome::Ran {
                    data: out.data,
                    summary: out.summary,
                }
            }
            Err(e) => {
                (self.emit)(action(Status::Error, None));
                Outcome::Failed(e.to_string())
            }
        }
    }
}

impl Steps for TurnSteps<'_> {
    fn run(&mut self, call: &Call, then: &[Call]) -> Outcome {
        if let Some(outcome) = self.hold(call, then) {
            return outcome;
        }
        (self.emit)(Event::Started {
            tool: call.tool.clone(),
        });
        let emit = self.emit;
        let progress = |line: &str, done: Option<f64>| {
            emit(Event::Progress {
                tool: call.tool.clone(),
                line: line.to_string(),
                done,
            })
        };
        let hooks = Hooks {
            progress: Some(&progress),
            cancel: self.options.cancel.as_deref(),
        };
        let arguments = Value::Object(call.arguments.clone());
        let result = self
            .inner
            .platform
            .call_with(self.acting(), &call.tool, arguments, hooks);
        self.finish(call, result)
    }

    fn ask_first(&mut self, calls: &[Call], question: &str) -> Outcome {
        self.wait_for_yes(calls.to_vec(), question)
    }

    fn run_together(&mut self, calls: &[Call]) -> Vec<Outcome> {
        let registry = self.inner.platform.registry();
        let reads = calls.iter().all(|c| {
            c.gap.is_none() && registry.get(&c.tool).map(|t| t.effect()) == Some(Effect::Read)
        });
        if calls.len() < 2 || !reads || self.options.cancelled() {
            return calls.iter().map(|c| self.run(c, &[])).collect();
        }
        for call in calls {
            (self.emit)(Event::Started {
                tool: call.tool.clone(),
            });
        }
        let (platform, actor) = (&self.inner.platform, self.acting());
        let cancel = self.options.cancel.as_deref();
        let results: Vec<_> = std::thread::scope(|scope| {
            let running: Vec<_> = calls
                .iter()
                .map(|c| {
                    let arguments = Value::Object(c.arguments.clone());
                    scope.spawn(move || {
                        let hooks = Hooks {
                            progress: None,
                            cancel,
                        };
                        platform.call_with(actor, &c.tool, arguments, hooks)
                    })
                })
                .collect();
            running
                .into_iter()
                .map(|r| {
                    r.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        calls
            .iter()
            .zip(results)
            .map(|(call, result)| self.finish(call, result))
            .collect()
    }

    fn say(&mut self, text: &str) {
        self.said.push(text.to_string());
        (self.emit)(Event::Reply {
            text: text.to_string(),
        });
    }

    fn error(&mut self, message: &str) {
        (self.emit)(Event::Error {
            message: message.to_string(),
        });
    }

    fn stream(&mut self, delta: &str) {
        (self.emit)(Event::Delta {
            text: delta.to_string(),
        });
    }

    fn cancelled(&self) -> bool {
        self.options.cancelled()
    }

    fn session(&self) -> &str {
        self.session
    }

    fn memory(&self) -> &[Exchange] {
        &self.state.exchanges
    }
}

/// Refuses text nobody could act on, saying why.
fn check_text(text: &str) -> Result<(), String> {
    let chars = text.chars().count();
    if text.trim().is_empty() {
        return Err(
            "The request is empty. Say what you need, for example “list my tasks” or “help”."
                .into(),
        );
    }
    if chars > MAX_REQUEST_CHARS {
        return Err(format!(
            "The request is {chars} characters long; keep one request under {MAX_REQUEST_CHARS} characters."
        ));
    }
    let odd = text
        .chars()
        .filter(|c| (c.is_control() && !c.is_whitespace()) || *c == '\u{FFFD}')
        .count();
    if odd * 20 > chars || text.contains('\0') {
        return Err(
            "That does not look like text (it holds binary data). Type the request in words."
                .into(),
        );
    }
    Ok(())
}

/// A reply as its words: lower case, without closing punctuation.
fn reply_words(text: &str) -> String {
    text.trim()
        .trim_end_matches(['.', '!', ','])
        .trim()
        .to_lowercase()
        .replace('’', "'")
}

/// Ways of saying yes to a pending confirmation.
const YES: &[&str] = &[
    "yes",
    "y",
    "yes please",
    "yep",
    "yup",
    "yeah",
    "ya",
    "sure",
    "sure thing",
    "confirm",
    "confirmed",
    "do it",
    "go ahead",
    "go for it",
    "ok",
    "okay",
    "ok do it",
    "yes do it",
    "please do",
    "absolutely",
    "correct",
    "👍",
    ":+1:",
    ":thumbsup:",
    "✅",
    "yes go ahead",
    "yep go ahead",
    "sounds good",
    "proceed",
];

/// Ways of saying no to one.
const NO: &[&str] = &[
    "no",
    "n",
    "nope",
    "nah",
    "cancel",
    "don't",
    "do not",
    "stop",
    "abort",
    "never mind",
    "nevermind",
    "forget it",
    "no thanks",
    "no thank you",
    "👎",
    ":-1:",
    ":thumbsdown:",
    "❌",
    "cancel that",
    "don't do it",
    "no don't",
    "no, don't",
    "scratch that",
    "hold off",
];

/// What may follow a no without changing it ("nope, keep it").
const AFTER_NO: &[&str] = &["keep it", "leave it", "thanks", "thx", "sorry", "my bad"];

fn is_yes(text: &str) -> bool {
    said(text, YES, &["thanks", "thx", "please", "pls"])
}

fn is_no(text: &str) -> bool {
    said(text, NO, AFTER_NO)
}

/// Whether `text` is one of `answers`, alone or with more of them or of
/// `after` following a comma ("nope, cancel"; "actually no, keep it").
fn said(text: &str, answers: &[&str], after: &[&str]) -> bool {
    let t = reply_words(text);
    let t = t.strip_prefix("actually ").unwrap_or(&t);
    // Politeness after the answer does not change it ("yes pls").
    let t = ["pls", "please", "thanks", "thx"]
        .iter()
        .find_map(|p| t.strip_suffix(p).map(|r| r.trim_end_matches([' ', ','])))
        .filter(|r| !r.is_empty())
        .unwrap_or(t);
    let mut parts = t.split(',').map(str::trim).filter(|p| !p.is_empty());
    parts.next().is_some_and(|first| answers.contains(&first))
        && parts.all(|p| answers.contains(&p) || after.contains(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_text_is_refused_with_advice() {
        assert!(check_text("   ").unwrap_err().contains("help"));
        assert!(
            check_text(&"a".repeat(MAX_REQUEST_CHARS + 1))
                .unwrap_err()
                .contains("4000")
        );
        assert!(
            check_text("\u{1}\u{2}\u{3}ab\0")
                .unwrap_err()
                .contains("binary")
        );
        assert!(check_text("list my tasks").is_ok());
    }

    #[test]
    fn confirmations_in_the_forms_people_use() {
        for yes in [
            "yes",
            "Yep!",
            "go ahead",
            "do it",
            "sure",
            "👍",
            "yes, go ahead",
            "OK.",
            "yep, thanks",
            "yes pls",
        ] {
            assert!(is_yes(yes) && !is_no(yes), "{yes}");
        }
        for no in [
            "no",
            "nah",
            "Cancel",
            "nevermind",
            "never mind.",
            "👎",
            "no, don't",
            "nope, cancel",
            "actually no, keep it",
        ] {
            assert!(is_no(no) && !is_yes(no), "{no}");
        }
        for neither in ["yes delete task 5 too", "no wait, delete task 5", "maybe"] {
            assert!(!is_yes(neither) && !is_no(neither), "{neither}");
        }
    }
}
