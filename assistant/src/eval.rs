//! `maestro eval`: runs a labelled corpus of requests through a planner and
//! reports how many plans match.
//!
//! The corpus is JSON Lines. The first line is `{"meta": {"now": RFC3339,
//! "as": NAME}}`; every other line is `{"text", "calls": [{"tool",
//! "arguments"}], "outcome"?}` with outcome `ok` (default), `needs_input`,
//! `needs_confirmation` or `none`. Cases run against the demo workspace, plus
//! the datasets the meta line lists (`"datasets": [paths relative to the corpus]`).
//! A line `{"session": [case, …]}` is one conversation: each turn is a case
//! whose calls are those that turn makes (a "yes" repeats the confirmed call).

use std::collections::BTreeMap;

use std::sync::Arc;

use maestro_tools::{Clock, Platform, import};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::assistant::{Action, Assistant, Status, TurnOptions};
use crate::llm::budget::Tokens;
use crate::llm::prompt::{SYSTEM, all_tools, tools_for};
use crate::plan::Planner;

/// A corpus could not be evaluated.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct EvalError(String);

#[derive(Deserialize)]
struct Meta {
    now: String,
    #[serde(rename = "as")]
    actor: Option<String>,
    /// CSV files registered as datasets first (relative to the corpus file).
    #[serde(default)]
    datasets: Vec<String>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    calls: Vec<ExpectedCall>,
    #[serde(default = "ok")]
    outcome: String,
}

fn ok() -> String {
    "ok".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ExpectedCall {
    tool: String,
    arguments: Value,
}

/// One case the planner got wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    /// The request.
    pub text: String,
    /// What the corpus expects.
    pub expected: Value,
    /// What the planner did.
    pub got: Value,
}

/// Accuracy figures for a corpus.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    /// Number of cases.
    pub cases: usize,
    /// Cases whose calls (tools and arguments) and outcome match exactly.
    pub exact: usize,
    /// Cases whose tool sequence matches.
    pub tools: usize,
    /// Cases that ask for no action.
    pub irrelevant: usize,
    /// Multi-turn sessions (each of their turns is also a case).
    pub sessions: usize,
    /// Sessions whose every turn matched exactly.
    pub sessions_exact: usize,
    /// Irrelevant cases on which the planner would have acted.
    pub irrelevant_acted: usize,
    /// Per expected first tool (or `none`): (cases, exact).
    pub per_tool: BTreeMap<String, (usize, usize)>,
    /// How often the language-model planner would be offered the right tools.
    pub retrieval: Retrieval,
    /// The cases it got wrong.
    pub misses: Vec<Miss>,
}

impl EvalReport {
    /// Exact-call accuracy, 0..1.
    pub fn exact_accuracy(&self) -> f64 {
        ratio(self.exact, self.cases)
    }

    /// Tool accuracy, 0..1.
    pub fn tool_accuracy(&self) -> f64 {
        ratio(self.tools, self.cases)
    }
}

/// Tool retrieval for the language-model planner: whether the `k` tools the
/// catalog offers for a request include every expected tool, and what the
/// offered tools cost in prompt tokens against sending all of them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Retrieval {
    /// Tools offered per request.
    pub k: usize,
    /// Cases that expect at least one tool.
    pub cases: usize,
    /// Cases whose expected tools were all offered.
    pub found: usize,
    /// Cases whose expected tools were all among the catalog's `k` nearest
    /// alone (without the local planner's reading).
    pub catalog_only: usize,
    /// Mean tokens of a first request (system prompt, request, offered tools).
    pub mean_prompt_tokens: f64,
    /// The same with every tool offered.
    pub mean_prompt_tokens_all_tools: f64,
    /// Requests whose expected tools were not all offered, with the tools offered.
    pub misses: Vec<Miss>,
}

impl Retrieval {
    /// Share of cases whose expected tools were all offered (recall@k).
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.cases)
    }

    fn add(
        &mut self,
        platform: &Platform,
        text: &str,
        likely: &[String],
        expected: &[ExpectedCall],
    ) {
        let tokens = Tokens::for_model("gpt-4o");
        let offered = tools_for(platform, text, likely, &[], self.k);
        let nearest = tools_for(platform, text, &[], &[], self.k);
        let tool_names = |tools: &[Value]| -> Vec<String> {
            tools
                .iter()
                .filter_map(|t| t["function"]["name"].as_str().map(str::to_string))
                .collect()
        };
        self.catalog_only += usize::from(covered(expected, &tool_names(&nearest)));
        let names = tool_names(&offered);
        let messages = [
            serde_json::json!({"role": "system", "content": SYSTEM}),
            serde_json::json!({"role": "user", "content": text}),
        ];
        let n = self.cases as f64;
        let mean = |old: f64, new: usize| (old * n + new as f64) / (n + 1.0);
        self.mean_prompt_tokens = mean(self.mean_prompt_tokens, tokens.prompt(&messages, &offered));
        self.mean_prompt_tokens_all_tools = mean(
            self.mean_prompt_tokens_all_tools,
            tokens.prompt(&messages, &all_tools(platform)),
        );
        self.cases += 1;
        if covered(expected, &names) {
            self.found += 1;
        } else {
            self.misses.push(Miss {
                text: text.to_string(),
                expected: expected.iter().map(|c| c.tool.clone()).collect(),
                got: names.into(),
            });
        }
    }
}

fn covered(expected: &[ExpectedCall], offered: &[String]) -> bool {
    expected.iter().all(|c| offered.contains(&c.tool))
}

/// Tools the language-model planner is offered per request by default.
const RETRIEVAL_K: usize = 8;

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// A fresh workspace for the corpus: the demo plus the meta line's datasets.
struct Fixture {
    clock: Clock,
    datasets: Vec<std::path::PathBuf>,
}

impl Fixture {
    fn platform(&self) -> Result<Platform, EvalError> {
        let platform = Platform::in_memory(self.clock).map_err(|e| EvalError(e.to_string()))?;
        import::load_demo(&platform).map_err(|e| EvalError(e.to_string()))?;
        for path in &self.datasets {
            platform
                .call(
                    None,
                    "register_dataset",
                    serde_json::json!({"path": path.display().to_string()}),
                )
                .map_err(|e| EvalError(format!("dataset {}: {e}", path.display())))?;
        }
        Ok(platform)
    }
}

/// One line of a corpus after the meta line.
#[derive(Deserialize)]
#[serde(untagged)]
enum Line {
    /// Turns of one conversation, each with its expected calls.
    Session { session: Vec<Case> },
    /// One request on its own.
    Single(Case),
}

/// Evaluates `planner` on `corpus` (see the module docs); dataset paths are
/// relative to `base`. Single requests are planned on one workspace without
/// running anything; each session gets a fresh workspace, and every turn but
/// its last runs, so that later turns see what earlier ones did.
pub fn evaluate(
    corpus: &str,
    base: &std::path::Path,
    planner: Arc<dyn Planner>,
) -> Result<EvalReport, EvalError> {
    let mut lines = corpus
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, first) = lines
        .next()
        .ok_or_else(|| EvalError("the corpus is empty".into()))?;
    #[derive(Deserialize)]
    struct Header {
        meta: Meta,
    }
    let meta = serde_json::from_str::<Header>(first)
        .map_err(|e| {
            EvalError(format!(
                "line 1 must be {{\"meta\": {{\"now\": …, \"as\": …}}}}: {e}"
            ))
        })?
        .meta;
    let clock = Clock::parse(&meta.now).map_err(|e| EvalError(format!("line 1: {e}")))?;
    let fixture = Fixture {
        clock,
        datasets: meta.datasets.iter().map(|p| base.join(p)).collect(),
    };
    let options = TurnOptions {
        actor: meta.actor.clone(),
        ..TurnOptions::default()
    };
    let shared = Assistant::new(fixture.platform()?, Box::new(planner.clone()));
    let mut report = EvalReport::default();
    report.retrieval.k = RETRIEVAL_K;
    for (i, line) in lines {
        let line: Line =
            serde_json::from_str(line).map_err(|e| EvalError(format!("line {}: {e}", i + 1)))?;
        match line {
            Line::Single(case) => {
                let session = format!("eval-line-{}", i + 1);
                report.score(&shared, &session, &case, &options)?;
            }
            Line::Session { session: turns } => {
                let assistant = Assistant::new(fixture.platform()?, Box::new(planner.clone()));
                let session = format!("eval-session-{}", i + 1);
                let mut all_exact = true;
                for (n, turn) in turns.iter().enumerate() {
                    all_exact &= report.score(&assistant, &session, turn, &options)?;
                    if n + 1 < turns.len() {
                        assistant.respond(&session, &turn.text, &options, &|_| {});
                    }
                }
                report.sessions += 1;
                report.sessions_exact += usize::from(all_exact);
            }
        }
    }
    Ok(report)
}

impl EvalReport {
    /// Scores one request (or turn) against what the assistant would do;
    /// true when it matches exactly.
    fn score(
        &mut self,
        assistant: &Assistant,
        session: &str,
        case: &Case,
        options: &TurnOptions,
    ) -> Result<bool, EvalError> {
        let actions = assistant
            .preview(session, &case.text, options)
            .map_err(|e| EvalError(format!("{:?}: {e}", case.text)))?;
        let got: Vec<ExpectedCall> = actions
            .iter()
            .map(|a| ExpectedCall {
                tool: a.tool.clone(),
                arguments: normalise(&a.arguments),
            })
            .collect();
        let outcome = outcome_of(&actions);
        let expected: Vec<ExpectedCall> = case
            .calls
            .iter()
            .map(|c| ExpectedCall {
                tool: c.tool.clone(),
                arguments: normalise(&c.arguments),
            })
            .collect();
        if !expected.is_empty() {
            let likely: Vec<String> = got.iter().map(|c| c.tool.clone()).collect();
            self.retrieval
                .add(assistant.platform(), &case.text, &likely, &expected);
        }
        let same_tools = got
            .iter()
            .map(|c| &c.tool)
            .eq(expected.iter().map(|c| &c.tool));
        let exact = same_tools && got == expected && outcome == case.outcome;
        self.cases += 1;
        self.tools += usize::from(same_tools);
        self.exact += usize::from(exact);
        if case.outcome == "none" {
            self.irrelevant += 1;
            self.irrelevant_acted += usize::from(!got.is_empty());
        }
        let key = expected
            .first()
            .map_or_else(|| "none".to_string(), |c| c.tool.clone());
        let entry = self.per_tool.entry(key).or_default();
        entry.0 += 1;
        entry.1 += usize::from(exact);
        if !exact {
            self.misses.push(Miss {
                text: case.text.clone(),
                expected: serde_json::json!({"calls": expected, "outcome": case.outcome}),
                got: serde_json::json!({"calls": got, "outcome": outcome}),
            });
        }
        Ok(exact)
    }
}

/// The outcome a turn's actions add up to.
fn outcome_of(actions: &[Action]) -> &'static str {
    if actions.is_empty() {
        "none"
    } else if actions.iter().any(|a| a.status == Status::NeedsInput) {
        "needs_input"
    } else if actions
        .iter()
        .any(|a| a.status == Status::NeedsConfirmation)
    {
        "needs_confirmation"
    } else {
        "ok"
    }
}

/// Numbers compared as numbers (4 equals 4.0).
fn normalise(v: &Value) -> Value {
    match v {
        Value::Number(n) => n.as_f64().map_or(v.clone(), |f| serde_json::json!(f)),
        Value::Array(a) => Value::Array(a.iter().map(normalise).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), normalise(v))).collect())
        }
        other => other.clone(),
    }
}
