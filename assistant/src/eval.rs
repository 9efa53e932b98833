//! `maestro eval`: runs a labelled corpus of requests through a planner and
//! reports how many plans match.
//!
//! The corpus is JSON Lines. The first line is `{"meta": {"now": RFC3339,
//! "as": NAME}}`; every other line is `{"text", "calls": [{"tool",
//! "arguments"}], "outcome"?}` with outcome `ok` (default), `needs_input`,
//! `needs_confirmation` or `none`. Cases run against the demo workspace, plus
//! the datasets the meta line lists (`"datasets": [paths relative to the corpus]`).

use std::collections::BTreeMap;

use maestro_tools::{Clock, Effect, Platform, import};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::llm::budget::Tokens;
use crate::llm::prompt::{SYSTEM, all_tools, tools_for};
use crate::plan::{Planner, Request};

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
    /// Mean tokens of a first request (system prompt, request, offered tools).
    pub mean_prompt_tokens: f64,
    /// The same with every tool offered.
    pub mean_prompt_tokens_all_tools: f64,
}

impl Retrieval {
    /// Share of cases whose expected tools were all offered (recall@k).
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.cases)
    }

    fn add(&mut self, platform: &Platform, text: &str, expected: &[ExpectedCall]) {
        let tokens = Tokens::for_model("gpt-4o");
        let offered = tools_for(platform, text, &[], self.k);
        let names: Vec<&str> = offered
            .iter()
            .filter_map(|t| t["function"]["name"].as_str())
            .collect();
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
        self.found += usize::from(expected.iter().all(|c| names.contains(&c.tool.as_str())));
    }
}

/// Tools the language-model planner is offered per request by default.
const RETRIEVAL_K: usize = 8;

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Evaluates `planner` on `corpus` (see the module docs); dataset paths are
/// relative to `base`.
pub fn evaluate(
    corpus: &str,
    base: &std::path::Path,
    planner: &dyn Planner,
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
    let platform = Platform::in_memory(clock).map_err(|e| EvalError(e.to_string()))?;
    import::load_demo(&platform).map_err(|e| EvalError(e.to_string()))?;
    for path in &meta.datasets {
        let path = base.join(path);
        platform
            .call(
                None,
                "register_dataset",
                serde_json::json!({"path": path.display().to_string()}),
            )
            .map_err(|e| EvalError(format!("dataset {}: {e}", path.display())))?;
    }
    let mut report = EvalReport::default();
    report.retrieval.k = RETRIEVAL_K;
    for (i, line) in lines {
        let case: Case =
            serde_json::from_str(line).map_err(|e| EvalError(format!("line {}: {e}", i + 1)))?;
        let plan = planner.plan(&Request {
            text: &case.text,
            platform: &platform,
            actor: meta.actor.as_deref(),
            now: clock.now(),
            waiting: None,
        });
        let got: Vec<ExpectedCall> = plan
            .calls
            .iter()
            .map(|c| ExpectedCall {
                tool: c.tool.clone(),
                arguments: normalise(&Value::Object(c.arguments.clone())),
            })
            .collect();
        let outcome = if plan.calls.is_empty() {
            "none"
        } else if plan.calls.iter().any(|c| c.gap.is_some()) {
            "needs_input"
        } else if plan.calls.iter().any(|c| {
            platform
                .registry()
                .get(&c.tool)
                .is_some_and(|t| t.effect() == Effect::Destructive)
        }) {
            "needs_confirmation"
        } else {
            "ok"
        };
        let expected: Vec<ExpectedCall> = case
            .calls
            .iter()
            .map(|c| ExpectedCall {
                tool: c.tool.clone(),
                arguments: normalise(&c.arguments),
            })
            .collect();
        if !expected.is_empty() {
            report.retrieval.add(&platform, &case.text, &expected);
        }
        let same_tools = got
            .iter()
            .map(|c| &c.tool)
            .eq(expected.iter().map(|c| &c.tool));
        let exact = same_tools && got == expected && outcome == case.outcome;
        report.cases += 1;
        report.tools += usize::from(same_tools);
        report.exact += usize::from(exact);
        if case.outcome == "none" {
            report.irrelevant += 1;
            report.irrelevant_acted += usize::from(!plan.calls.is_empty());
        }
        let key = expected
            .first()
            .map_or_else(|| "none".to_string(), |c| c.tool.clone());
        let entry = report.per_tool.entry(key).or_default();
        entry.0 += 1;
        entry.1 += usize::from(exact);
        if !exact {
            report.misses.push(Miss {
                text: case.text,
                expected: serde_json::json!({"calls": expected, "outcome": case.outcome}),
                got: serde_json::json!({"calls": got, "outcome": outcome}),
            });
        }
    }
    Ok(report)
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
