//! The language-model planner: tool calling over an OpenAI-compatible
//! endpoint (`async-openai`), with the tools retrieved from the catalog, a
//! token budget, streaming, and the local planner as the fallback.

pub mod budget;
pub mod client;
pub mod config;
pub mod prompt;
mod usage;

use std::sync::mpsc::{RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use maestro_tools::{Effect, UsageRecord};
use serde_json::{Value, json};

use crate::local::LocalPlanner;
use crate::plan::{Call, Outcome, Plan, Planner, Request, Steps};
use budget::Tokens;
use client::{ChatClient, Completion, LlmError, ToolCall};
pub use config::LlmConfig;
use prompt::Prompt;
pub use usage::UsageReport;

/// How long an endpoint found unusable is left alone before it is tried again.
const DOWN_FOR: Duration = Duration::from_secs(60);

/// Plans with a language model; falls back to the local planner when the
/// endpoint cannot be used.
pub struct LlmPlanner {
    config: LlmConfig,
    client: Arc<ChatClient>,
    /// The runtime the HTTP requests run on (taken only when dropped).
    runtime: Option<tokio::runtime::Runtime>,
    tokens: Tokens,
    local: LocalPlanner,
    /// Until when the endpoint is skipped after it was found unusable.
    down_until: Mutex<Option<Instant>>,
}

impl LlmPlanner {
    /// A planner for `config`, with `local` as the fallback.
    pub fn new(config: LlmConfig, local: LocalPlanner) -> Result<Self, String> {
        // rustls needs one process-wide crypto provider; ring is ours.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("maestro-llm")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the language-model client: {e}"))?;
        let client = ChatClient::new(&config)?;
        Ok(Self {
            tokens: Tokens::for_model(&config.model),
            client: Arc::new(client),
            runtime: Some(runtime),
            config,
            local,
            down_until: Mutex::new(None),
        })
    }

    fn is_down(&self) -> bool {
        let mut down = self.down_until.lock().unwrap_or_else(|e| e.into_inner());
        match *down {
            Some(until) if Instant::now() < until => true,
            Some(_) => {
                *down = None;
                false
            }
            None => false,
        }
    }

    fn mark_down(&self) {
        *self.down_until.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Instant::now() + DOWN_FOR);
    }

    /// Sends one request, streaming its text to `steps`; an interrupt aborts
    /// the HTTP request.
    fn complete(&self, body: Value, steps: &mut dyn Steps) -> Result<Completion, LlmError> {
        enum Message {
            Text(String),
            Done(Result<Completion, LlmError>),
        }
        let (tx, rx) = channel();
        let client = self.client.clone();
        let Some(runtime) = &self.runtime else {
            return Err(LlmError::Interrupted);
        };
        let task = runtime.spawn(async move {
            let texts = tx.clone();
            let mut on_text = move |t: &str| {
                let _ = texts.send(Message::Text(t.to_string()));
            };
            let result = client.complete(body, &mut on_text).await;
            let _ = tx.send(Message::Done(result));
        });
        loop {
            if steps.cancelled() {
                task.abort();
                return Err(LlmError::Interrupted);
            }
            match rx.recv_timeout(Duration::from_millis(25)) {
                Ok(Message::Text(t)) => steps.stream(&t),
                Ok(Message::Done(result)) => return result,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(LlmError::Cut("the request task ended unexpectedly".into()));
                }
            }
        }
    }

    /// One turn with the model. `Err` carries the failure and whether any tool ran.
    fn converse(
        &self,
        request: &Request<'_>,
        steps: &mut dyn Steps,
        usage: &mut Usage,
    ) -> Result<(), (LlmError, bool)> {
        let likely = self.local.likely_tools(request);
        let mut prompt = Prompt::new(request, &*steps, &self.config, &likely);
        let mut ran_any = false;
        let mut corrections = 0;
        for _ in 0..self.config.max_steps {
            let body = prompt
                .body(&self.config, &self.tokens)
                .map_err(|e| (e, ran_any))?;
            let sent = prompt.last_tokens;
            let answer = self.complete(body, steps).map_err(|e| (e, ran_any))?;
            usage.requests += 1;
            let (p, c) = answer.usage.unwrap_or_else(|| {
                let calls: String = answer.calls.iter().map(|c| c.arguments.as_str()).collect();
                (
                    sent as i64,
                    self.tokens.count(&format!("{}{calls}", answer.text)) as i64,
                )
            });
            usage.prompt += p;
            usage.completion += c;
            if answer.calls.is_empty() {
                let text = answer.text.trim();
                if answer.finish_reason == "length" {
                    steps.say(&format!("{text}… (the model's answer was cut at MAESTRO_LLM_REPLY_TOKENS={} tokens)", self.config.reply_tokens));
                } else if text.is_empty() {
                    steps.say("The model gave no answer. Try rephrasing the request.");
                } else {
                    steps.say(text);
                }
                return Ok(());
            }
            prompt.assistant(&answer);
            let (calls, rejected) = self.validate(request, &answer.calls);
            if !rejected.is_empty() {
                corrections += 1;
                if corrections > 1 {
                    let why: Vec<String> = rejected
                        .iter()
                        .map(|(c, e)| format!("{} ({e})", c.name))
                        .collect();
                    steps.error(&format!(
                        "The model asked for tools it cannot use, twice: {}. Nothing more was run; try rephrasing the request.",
                        why.join("; ")
                    ));
                    return Ok(());
                }
                for (call, error) in &rejected {
                    prompt.result(&call.id, json!({"error": error, "fix": "call again with arguments that match the tool's schema, or use another tool"}));
                }
            }
            if calls.is_empty() {
                continue;
            }
            let (calls, held) = self.within_write_cap(request, calls);
            let planned: Vec<Call> = calls.iter().map(|(_, c)| c.clone()).collect();
            let outcomes = run_answer(request, steps, &planned, &held);
            for ((id, call), outcome) in calls.iter().zip(outcomes) {
                match outcome {
                    Outcome::Ran { data, summary } => {
                        ran_any = true;
                        prompt.result(id, json!({"tool": call.tool, "status": "ok", "summary": summary, "data": data}));
                    }
                    Outcome::Failed(message) => {
                        prompt.result(
                            id,
                            json!({"tool": call.tool, "status": "error", "error": message}),
                        );
                    }
                    Outcome::Waiting => return Ok(()),
                    Outcome::Interrupted => return Err((LlmError::Interrupted, ran_any)),
                }
            }
            if !held.is_empty() {
                let question = format!(
                    "The model asked for {} more changes in one go ({}); I ran the first {} (MAESTRO_LLM_MAX_WRITES). Answer “yes” to run the others, or “no” to skip them.",
                    held.len(),
                    tool_counts(&held),
                    self.config.max_writes
                );
                steps.ask_first(&held, &question);
                return Ok(());
            }
        }
        steps.say(&format!(
            "I stopped after {} steps without finishing (MAESTRO_LLM_MAX_STEPS). What ran is shown above; ask again with a narrower request.",
            self.config.max_steps
        ));
        Ok(())
    }

    /// The calls of one answer to run now — every read and the first
    /// [`LlmConfig::max_writes`] changes, in order — and the changes held
    /// back for the user's yes.
    fn within_write_cap(
        &self,
        request: &Request<'_>,
        calls: Vec<(String, Call)>,
    ) -> (Vec<(String, Call)>, Vec<Call>) {
        let registry = request.platform.registry();
        let mut writes = 0;
        let mut now = Vec::new();
        let mut held = Vec::new();
        for (id, call) in calls {
            let reads = registry.get(&call.tool).map(|t| t.effect()) == Some(Effect::Read);
            if reads || writes < self.config.max_writes {
                writes += usize::from(!reads);
                now.push((id, call));
            } else {
                held.push(call);
            }
        }
        (now, held)
    }

    /// Splits the model's calls into runnable ones and rejected ones (unknown
    /// tool, arguments that are not JSON or do not fit the schema).
    fn validate(
        &self,
        request: &Request<'_>,
        calls: &[ToolCall],
    ) -> (Vec<(String, Call)>, Vec<Rejected>) {
        let registry = request.platform.registry();
        let mut ok = Vec::new();
        let mut rejected = Vec::new();
        for call in calls {
            let name = prompt::tool_name(registry, &call.name);
            let Some(tool) = registry.get(&name) else {
                rejected.push((
                    call.clone(),
                    format!("there is no tool called {:?}", call.name),
                ));
                continue;
            };
            let text = if call.arguments.trim().is_empty() {
                "{}"
            } else {
                call.arguments.as_str()
            };
            let arguments = match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(map)) => map,
                Ok(_) => {
                    rejected.push((call.clone(), "the arguments must be a JSON object".into()));
                    continue;
                }
                Err(e) => {
                    rejected.push((
                        call.clone(),
                        format!("the arguments are not valid JSON: {e}"),
                    ));
                    continue;
                }
            };
            if let Err(e) = tool.check(&Value::Object(arguments.clone())) {
                rejected.push((call.clone(), e.to_string()));
                continue;
            }
            ok.push((call.id.clone(), Call::new(&name, arguments)));
        }
        (ok, rejected)
    }
}

impl Drop for LlmPlanner {
    /// Stops the runtime without blocking, so a planner may be dropped anywhere
    /// (even on an async task of the server).
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A call the model may not make, and why.
type Rejected = (ToolCall, String);

/// Tokens one turn used.
#[derive(Default)]
struct Usage {
    prompt: i64,
    completion: i64,
    requests: i64,
}

impl Planner for LlmPlanner {
    /// Without a conversation there is no model call: the local planner's plan.
    fn plan(&self, request: &Request<'_>) -> Plan {
        self.local.plan(request)
    }

    fn describe(&self) -> String {
        format!("llm ({} at {})", self.config.model, self.config.base_url)
    }

    fn drive(&self, request: &Request<'_>, steps: &mut dyn Steps) {
        if self.is_down() {
            return self.local.drive(request, steps);
        }
        let mut usage = Usage::default();
        let result = self.converse(request, steps, &mut usage);
        if usage.requests > 0 {
            let record = UsageRecord {
                at: request.now,
                session: steps.session().to_string(),
                model: self.config.model.clone(),
                prompt_tokens: usage.prompt,
                completion_tokens: usage.completion,
                requests: usage.requests,
                cost_usd: budget::cost(&self.config.model, usage.prompt, usage.completion),
            };
            if let Err(e) = request.platform.record_usage(&record) {
                steps.error(&format!("could not record the token usage: {e}"));
            }
        }
        match result {
            Ok(()) => {}
            Err((LlmError::Interrupted, _)) => {
                steps.error("Interrupted; the model's request was cancelled.")
            }
            Err((e, false)) => {
                if e.misconfigured()
                    || matches!(e, LlmError::Timeout { .. } | LlmError::Malformed(_))
                {
                    self.mark_down();
                }
                steps.say(&format!("({e}; answering with the local planner.)"));
                self.local.drive(request, steps);
            }
            Err((e, true)) => steps.error(&format!(
                "{e}. The steps shown above ran; nothing after them did."
            )),
        }
    }
}

/// "12 × create_task, 1 × update_task": how many calls of each tool, in first-seen order.
fn tool_counts(calls: &[Call]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for call in calls {
        match counts.iter_mut().find(|(tool, _)| *tool == call.tool) {
            Some((_, n)) => *n += 1,
            None => counts.push((&call.tool, 1)),
        }
    }
    counts
        .iter()
        .map(|(tool, n)| format!("{n} × {tool}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs one answer's calls: reads side by side; otherwise in order, each
/// carrying the calls after it and those `held` back, so that a call that
/// waits for a yes keeps them with it (they run, in order, after the yes)
/// and nothing runs ahead of it or is dropped.
fn run_answer(
    request: &Request<'_>,
    steps: &mut dyn Steps,
    planned: &[Call],
    held: &[Call],
) -> Vec<Outcome> {
    let registry = request.platform.registry();
    let reads = planned
        .iter()
        .all(|c| registry.get(&c.tool).map(|t| t.effect()) == Some(Effect::Read));
    if planned.len() > 1 && reads {
        return steps.run_together(planned);
    }
    let mut outcomes = Vec::new();
    for (i, call) in planned.iter().enumerate() {
        let then: Vec<Call> = planned[i + 1..].iter().chain(held).cloned().collect();
        let outcome = steps.run(call, &then);
        let stop = matches!(outcome, Outcome::Waiting | Outcome::Interrupted);
        outcomes.push(outcome);
        if stop {
            break;
        }
    }
    outcomes
}
