//! The local planner: the offline default. It splits a request into clauses,
//! picks a tool for each with a classifier trained on the tools' examples,
//! and fills the tool's arguments from the words (people, dates, priorities,
//! projects, tags, estimates, quoted titles, task references).

mod chatter;
mod focus;
mod ml;
mod slots;
mod task_ref;
mod text;
mod training;

use std::sync::{LazyLock, OnceLock};

use chrono::NaiveDate;
use maestro_catalog::Filter;
use maestro_catalog::tokens;
use maestro_tools::{Effect, Platform, Registry};
use regex::Regex;
use serde_json::{Map, Value, json};

use maestro_tools::work::EMPTY_TEAM;
use slots::{Cues, Grounding, Who};
use text::{Clause, trim_punctuation};

use crate::nlu::fill::fill;
use crate::nlu::generate::NONE;
use crate::nlu::intent::IntentModel;
use crate::nlu::lexicon::Lexicon;
use crate::nlu::linear::FormatError;
use crate::nlu::spans::{SpanKind, recognise};
use crate::nlu::spelling::{self, Vocabulary};
use crate::nlu::tagger::{Tagger, units};
use crate::nlu::tokens::tokenize;
use crate::plan::{Call, Family, Focus, Gap, Plan, Planner, Request};

/// What the planner says when a request asks for nothing it can do.
const NO_ACTION: &str = include_str!("../../../prompts/no_action.md");

/// Below this probability a clause asks for no tool.
const MIN_CONFIDENCE: f32 = 0.5;
/// A task found by its words must be at least this similar.
const MIN_TASK_SCORE: f32 = 0.2;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("planner patterns are valid")
}

/// A phrasing that names a tool, compiled the first time it is tried: a
/// request usually settles on its tool after a few, and compiling every
/// phrasing up front is most of a cold start.
struct Cue {
    pattern: String,
    regex: OnceLock<Regex>,
    /// The tool the phrasing names.
    tool: &'static str,
}

impl Cue {
    fn new(pattern: String, tool: &'static str) -> Self {
        Self {
            pattern,
            regex: OnceLock::new(),
            tool,
        }
    }

    fn is_match(&self, text: &str) -> bool {
        self.regex.get_or_init(|| re(&self.pattern)).is_match(text)
    }
}

/// The offline planner.
pub struct LocalPlanner {
    intents: &'static IntentModel,
    /// The tools that change something (all but the read-only ones).
    changing: Vec<String>,
}

/// The understanding model cannot serve this registry.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The shipped model file is damaged.
    #[error(transparent)]
    Format(#[from] &'static FormatError),
    /// A tool the model was not trained for.
    #[error(
        "the understanding model was trained without the tool {0}; run `maestro nlu train` and rebuild"
    )]
    Untrained(String),
}

/// The intent model's readings of a clause, most likely first.
type Ranked = Vec<(&'static str, f32)>;

/// The intent model's reading of a clause: its best label and its probability.
struct Reading<'a> {
    label: &'a str,
    p: f32,
    /// The runner-up and its probability.
    second: (&'a str, f32),
}

/// The intent model adopts a tool the phrasings missed at this probability…
const ADOPT: f32 = 0.6;
/// …or, for a tool that changes something, at this one…
const ADOPT_CHANGE: f32 = 0.8;
/// …overrules them with another tool at this one…
const OVERRULE: f32 = 0.9;
/// …and vetoes a tool they chose when it is this sure nothing was asked.
const VETO: f32 = 0.5;
/// …or, for a change, at this one when the request names exactly what
/// changes ([`specific`]).
const ADOPT_SPECIFIC: f32 = 0.5;
/// Two readings this close (in probability) are too close to choose between.
const CLOSE: f32 = 0.1;
/// The language-model planner is offered the intent model's readings from this probability.
const LIKELY: f32 = 0.05;

impl LocalPlanner {
    /// The planner with the shipped understanding model, which must know
    /// every tool of `registry` that has phrasings.
    pub fn new(registry: &Registry) -> Result<Self, ModelError> {
        let intents = IntentModel::shipped()?;
        // Tools without phrasings (another MCP server's) are for the
        // language-model planner and direct calls only.
        if let Some(tool) = registry
            .iter()
            .filter(|t| !t.phrasings().is_empty())
            .find(|t| !intents.labels().iter().any(|l| l == t.name()))
        {
            return Err(ModelError::Untrained(tool.name().to_string()));
        }
        // The tagger loads when a tagged tool first needs it; a damaged one
        // fails here, at start-up, rather than in a turn.
        Tagger::shipped()?;
        let changing = registry
            .iter()
            .filter(|t| t.effect() != Effect::Read)
            .map(|t| t.name().to_string())
            .collect();
        Ok(Self { intents, changing })
    }

    /// The tools a request most likely needs, best first: those of the
    /// local plan, then the intent model's next readings (for the language
    /// model planner's tool retrieval).
    pub fn likely_tools(&self, req: &Request<'_>) -> Vec<String> {
        let mut tools: Vec<String> = self.plan(req).calls.into_iter().map(|c| c.tool).collect();
        let lex = Lexicon::of(req.platform, req.actor, req.now);
        let tokens = tokenize(req.text);
        let ranked = self.intents.classify(&tokens, &recognise(&tokens, &lex));
        // When the model's best reading is that nothing is asked, it offers nothing.
        if ranked.first().is_some_and(|(label, _)| *label == NONE) {
            return tools;
        }
        for (label, p) in ranked.into_iter().take(4) {
            if label != NONE && p >= LIKELY && !tools.iter().any(|t| t == label) {
                tools.push(label.to_string());
            }
        }
        tools
    }

    /// The tool a clause asks for, if any: a help question, then the
    /// unambiguous phrasings in [`ANYWHERE_CUES`] and [`CUES`], then the classifier.
    fn intent(&self, clause: &str, lex: &Lexicon) -> Option<&'static str> {
        self.intent_by(clause, lex, &|| self.rank(clause, lex))
    }

    /// [`Self::intent`] with the model's ranking of the clause from `rank`
    /// (asked for only when the phrasings need it).
    fn intent_by(
        &self,
        clause: &str,
        lex: &Lexicon,
        rank: &dyn Fn() -> Ranked,
    ) -> Option<&'static str> {
        if let Some(m) = HELP.find(clause) {
            let rest = trim_punctuation(&clause[m.end()..]);
            return (rest.is_empty() || self.intent(rest, lex).is_some()).then_some("help");
        }
        if let Some(tool) = ANYWHERE_CUES
            .iter()
            .find(|cue| cue.is_match(clause))
            .map(|cue| cue.tool)
            .or_else(|| cued(clause).next())
            .or_else(|| person_must(clause, lex).then_some("create_task"))
        {
            return Some(tool);
        }
        self.classify(&rank())
    }

    /// The intent model's readings of a clause, most likely first.
    fn rank(&self, clause: &str, lex: &Lexicon) -> Ranked {
        let tokens = tokenize(clause);
        self.intents.classify(&tokens, &recognise(&tokens, lex))
    }

    /// The classifier's choice among the everyday task tools. The
    /// work-intelligence tools are only chosen through their phrasings
    /// ([`ANYWHERE_CUES`]) here, and the data tools through `ml`'s.
    fn classify(&self, ranked: &Ranked) -> Option<&'static str> {
        let (label, p) = *ranked.iter().find(|(label, _)| {
            !ANYWHERE_CUES.iter().any(|cue| cue.tool == *label) && !ML_TOOLS.contains(label)
        })?;
        let floor = if self.changes(label) {
            ADOPT_CHANGE
        } else {
            MIN_CONFIDENCE
        };
        (label != NONE && p >= floor).then_some(label)
    }

    /// The model's best reading of a clause, from its ranking.
    fn read(ranked: &Ranked) -> Reading<'static> {
        let at = |i: usize| ranked.get(i).copied().unwrap_or((NONE, 0.0));
        Reading {
            label: at(0).0,
            p: at(0).1,
            second: at(1),
        }
    }

    /// How sure the intent model must be to act on its own: surer for a
    /// tool that changes things than for one that only reads.
    fn adopt_at(&self, tool: &str) -> f32 {
        if self.changes(tool) {
            ADOPT_CHANGE
        } else {
            ADOPT
        }
    }

    /// Whether `tool` changes something.
    fn changes(&self, tool: &str) -> bool {
        self.changing.iter().any(|t| t == tool)
    }

    /// A question when the model's two best readings of a clause the
    /// phrasings could not read are two different actions, close together:
    /// asking beats guessing ("mark task 9 as done, or delete it?").
    fn ambiguity(&self, clause: &str, lex: &Lexicon, registry: &Registry) -> Option<String> {
        let r = Self::read(&self.rank(clause, lex));
        let (second, q) = r.second;
        let close = r.p >= 0.2 && r.p < ADOPT && r.p - q < CLOSE;
        if !close || r.label == NONE || second == NONE {
            return None;
        }
        let what = |tool: &str| {
            registry.get(tool).map(|t| {
                let d = t.description();
                let end = d.find(['(', ':', '.', ';']).unwrap_or(d.len());
                let mut s = d[..end].trim().to_string();
                if let Some(first) = s.get(..1) {
                    s.replace_range(..1, &first.to_lowercase());
                }
                s
            })
        };
        Some(format!(
            "I am not sure what you want: {}, or {}? Say it again with the one you mean.",
            what(r.label)?,
            what(second)?
        ))
    }

    /// The call for `tool` with the arguments the tagger finds in the clause.
    fn tagged(&self, tool: &str, clause: &str, g: &Grounding, req: &Request<'_>) -> Call {
        self.tagged_with_sources(tool, clause, g, req).0
    }

    /// [`Self::tagged`], with the arguments whose values came from spans.
    fn tagged_with_sources(
        &self,
        tool: &str,
        clause: &str,
        g: &Grounding,
        req: &Request<'_>,
    ) -> (Call, Vec<String>) {
        let tokens = tokenize(clause);
        let spans = recognise(&tokens, &g.lexicon);
        let units = units(&tokens, &spans);
        let labels = Tagger::shipped().map_or_else(
            |_| vec![String::new(); units.len()],
            |t| t.tag(tool, &units),
        );
        let schema = req
            .platform
            .registry()
            .get(tool)
            .map(|t| t.schema())
            .unwrap_or_default();
        let filled = fill(&schema, clause, &tokens, &spans, &units, &labels, req.actor);
        let mut arguments = filled.arguments;
        for (field, words) in filled.task_words {
            if let Some(id) = task_by_words(&words, req.platform) {
                arguments.insert(field, json!(id));
            }
        }
        // "cancel it", "never mind that reminder": the recurring task or
        // reminder in focus.
        let family = Family::of(tool);
        if let Some(id) = family.in_focus(req.focus).filter(|_| {
            !arguments.contains_key("id")
                && schema["properties"].get("id").is_some()
                && focus::points(clause)
        }) {
            arguments.insert("id".into(), json!(id));
        }
        let mut gap = None;
        if let Some((field, name)) = filled.unknown_people.into_iter().next() {
            let who = Who::unknown(name.clone(), g.lexicon.close_people(&name), g.people.len());
            gap = person_arg(Some(who), &field, &mut |_, _| {});
        }
        let missing = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find(|f| !arguments.contains_key(*f));
        if let Some(field) = missing.filter(|_| gap.is_none()) {
            gap = Some(Gap {
                field: field.to_string(),
                question: question_for(tool, field),
            });
        }
        arguments.retain(|_, v| !v.is_null());
        let call = Call {
            tool: tool.to_string(),
            arguments,
            gap,
        };
        (call, filled.from_spans)
    }

    /// The phrasings' `call` completed by the tagger: arguments it missed are
    /// added, and where its title holds what the tagger read as another
    /// argument ("Dave to renew the certs", "…, give it to carol"), the
    /// tagger's title and arguments win.
    fn with_tagged(&self, mut call: Call, clause: &str, g: &Grounding, req: &Request<'_>) -> Call {
        let (tagged, tagged_from_spans) = self.tagged_with_sources(&call.tool, clause, g, req);
        let leftover = |title: &str| {
            tagged
                .arguments
                .iter()
                .filter(|(k, _)| *k != "title")
                .filter_map(|(_, v)| v.as_str())
                .chain(req.actor)
                .any(|v| {
                    let first = v.split_whitespace().next().unwrap_or(v).to_lowercase();
                    title
                        .to_lowercase()
                        .split_whitespace()
                        .any(|w| w.trim_matches(',') == first)
                })
        };
        let old_title = call
            .arguments
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("");
        let new_title = tagged.arguments.get("title").and_then(Value::as_str);
        if new_title.is_some_and(|t| t != old_title && !leftover(t)) && leftover(old_title) {
            return tagged;
        }
        for (k, v) in tagged.arguments {
            if tagged_from_spans.contains(&k) {
                call.arguments.entry(k).or_insert(v);
            }
        }
        if call
            .gap
            .as_ref()
            .is_some_and(|g| call.arguments.contains_key(&g.field))
        {
            call.gap = None;
        }
        call
    }

    /// A data or model call missing its dataset, model or target takes the
    /// one the conversation is about ("what about the tenure column?").
    fn with_focus(
        &self,
        mut call: Call,
        clause: &str,
        data: &ml::MlGrounding,
        req: &Request<'_>,
    ) -> Call {
        let mut text = clause.to_string();
        for _ in 0..3 {
            let focus = req.focus;
            let extra = match call.gap.as_ref().map(|g| g.field.as_str()) {
                Some("dataset") => focus.dataset.as_ref().map(|d| format!(" in {d}")),
                Some("model") => focus.model.as_ref().map(|m| format!(" with the {m} model")),
                Some("target") => focus.target.as_ref().map(|t| format!(" predicting {t}")),
                _ => None,
            };
            let Some(extra) = extra.filter(|_| ML_TOOLS.contains(&call.tool.as_str())) else {
                break;
            };
            text.push_str(&extra);
            let (arguments, gap) = ml::build(&call.tool, &text, data, req.platform);
            call = Call {
                tool: call.tool,
                arguments,
                gap,
            };
        }
        call
    }

    /// The calls for the clauses of one request, in order. A task a clause
    /// acts on is what "it" means in the clauses after it ("bump #9 to urgent
    /// and assign it to dave"); asking for one tool twice in a row without
    /// contradiction is one call ("move it to tuesday and drop it to low").
    fn clause_calls(
        &self,
        clauses: &[String],
        g: &Grounding,
        data: &ml::MlGrounding,
        req: &Request<'_>,
    ) -> Vec<Call> {
        let mut focus = req.focus.clone();
        let mut calls: Vec<Call> = Vec::new();
        // A clause that asks for nothing on its own is read with the next
        // ("optimise for F1 and give it two minutes: train on churn").
        let mut carried: Option<String> = None;
        for clause in clauses {
            let clause = match carried.take() {
                Some(before) => format!("{before} and {clause}"),
                None => clause.clone(),
            };
            let req = Request {
                focus: &focus,
                ..*req
            };
            let Some(call) = self
                .clause_call(&clause, g, data, &req)
                .map(|call| self.with_focus(call, &clause, data, &req))
            else {
                carried = Some(clause);
                continue;
            };
            within_request(&mut focus, &call);
            match calls.last_mut() {
                Some(last) if one_request(last, &call) => merge(last, call),
                _ => calls.push(call),
            }
        }
        calls
    }

    /// The call for one clause (see [`LocalPlanner::decide`]), with what
    /// chose it in the log (`RUST_LOG=maestro_assistant=debug`).
    fn clause_call(
        &self,
        clause: &str,
        g: &Grounding,
        data: &ml::MlGrounding,
        req: &Request<'_>,
    ) -> Option<Call> {
        let ranked = self.rank(clause, &g.lexicon);
        let model = Self::read(&ranked);
        let (call, chosen_by) = self.decide(clause, &ranked, &model, g, data, req);
        tracing::debug!(
            clause,
            tool = call.as_ref().map(|c| c.tool.as_str()),
            chosen_by,
            model = model.label,
            p = model.p,
            "clause read"
        );
        call
    }

    /// The call for one clause and what chose it: the phrasings' reading,
    /// which the intent model confirms, completes (a tool they missed),
    /// overrules or vetoes.
    fn decide(
        &self,
        clause: &str,
        ranked: &Ranked,
        model: &Reading<'static>,
        g: &Grounding,
        data: &ml::MlGrounding,
        req: &Request<'_>,
    ) -> (Option<Call>, &'static str) {
        // The model is sure enough to veto or overrule whatever the
        // phrasings say, and no phrasing could change how the call is built:
        // skip them (compiling their patterns is most of a cold start).
        if model.p >= VETO && model.label == NONE {
            return (None, "model: nothing asked");
        }
        if model.p >= OVERRULE && model.label != NONE && !TAGGED.contains(&model.label) {
            let call = self.call_for(model.label, clause, g, data, req);
            return (Some(call), "model: sure");
        }
        let phrased = self.ml_call(clause, data, req).or_else(|| {
            self.intent_by(clause, &g.lexicon, &|| ranked.clone())
                .map(|tool| self.build(tool, clause, g, req))
        });
        // A reading that cannot find the task it acts on is weak evidence.
        let lost = |call: &Call| call.gap.as_ref().is_some_and(|g| g.field == "id");
        // A change the model is less sure of is made only when the request
        // says exactly what: which task and what about it.
        let mut only_if_specific = false;
        // A reading that could only ask a question, which the model barely
        // prefers to "nothing asked", is chatter too ("the model card design
        // from the research folks is lovely").
        let barely = model.second.0 == NONE && model.p < ADOPT && model.p - model.second.1 < CLOSE;
        let (tool, chosen_by) = match &phrased {
            Some(call) if call.gap.is_some() && barely => return (None, "chatter, barely read"),
            Some(call) if call.tool == model.label && call.tool == "create_task" => {
                let call = self.with_tagged(call.clone(), clause, g, req);
                return (Some(call), "phrasings and model, tagged");
            }
            Some(call) if call.tool == model.label => return (phrased, "phrasings and model"),
            None if model.label != NONE && model.p >= self.adopt_at(model.label) => {
                (model.label, "model: phrasings missed it")
            }
            None if model.label != NONE && model.p >= ADOPT_SPECIFIC => {
                only_if_specific = true;
                (model.label, "model: phrasings missed it, request specific")
            }
            Some(_) if model.label == NONE && model.p >= VETO => {
                return (None, "model vetoes the phrasings");
            }
            // A reading that could only ask a question, of a clause the model
            // reads as asking nothing, is chatter ("i completed my first marathon").
            Some(call) if model.label == NONE && call.gap.is_some() => return (None, "chatter"),
            Some(_) if model.label != NONE && model.p >= OVERRULE => {
                (model.label, "model overrules the phrasings")
            }
            Some(call)
                if lost(call) && model.label != NONE && model.p >= self.adopt_at(model.label) =>
            {
                (model.label, "model: the phrasings' task was not found")
            }
            _ => return (phrased, "phrasings"),
        };
        let call = self.call_for(tool, clause, g, data, req);
        (
            (!only_if_specific || specific(&call)).then_some(call),
            chosen_by,
        )
    }

    /// The call of `tool` for a clause, built the way that tool is filled.
    fn call_for(
        &self,
        tool: &str,
        clause: &str,
        g: &Grounding,
        data: &ml::MlGrounding,
        req: &Request<'_>,
    ) -> Call {
        if TAGGED.contains(&tool) {
            self.tagged(tool, clause, g, req)
        } else if ML_TOOLS.contains(&tool) {
            let (arguments, gap) = ml::build(tool, clause, data, req.platform);
            Call {
                tool: tool.to_string(),
                arguments,
                gap,
            }
        } else {
            self.build(tool, clause, g, req)
        }
    }

    fn build(&self, tool: &str, text: &str, g: &Grounding, req: &Request<'_>) -> Call {
        let mut c = Clause::new(text);
        let mut args = Map::new();
        let mut gap = None;
        match tool {
            "create_task" => self.args_create_task(text, g, &mut args, &mut gap),
            "update_task" => self.args_update_task(text, &mut c, g, req, &mut args, &mut gap),
            "complete_task" | "delete_task" => {
                self.args_complete_task_like(&mut c, g, req, &mut args, &mut gap)
            }
            "assign_task" => self.args_assign_task(&mut c, g, req, &mut args, &mut gap),
            "list_tasks" => self.args_list_tasks(&mut c, g, &mut args, &mut gap),
            "search_catalog" => self.args_search_catalog(&mut c, &mut args, &mut gap),
            "add_person" => self.args_add_person(&mut c, &mut args, &mut gap),
            "list_people" => self.args_list_people(&mut c, &mut args),
            "recommend_assignee" | "predict_duration" => {
                self.args_recommend_assignee_like(tool, &mut c, g, req, &mut args, &mut gap)
            }
            "assess_risk" | "detect_anomalies" | "project_timeline" => {
                self.args_assess_risk_like(tool, &mut c, g, req, &mut args, &mut gap)
            }
            "help" => self.args_help(text, g, req, &mut args),
            // Tools without phrasings of their own are filled by the tagger.
            _ => return self.tagged(tool, text, g, req),
        }
        // No task found in the whole clause: look for the words the tagger
        // says name it ("the safari login thing slipped" → "safari login thing").
        if gap.as_ref().is_some_and(|g| g.field == "id")
            && let Some(id) = self.tagged(tool, text, g, req).arguments.get("id")
        {
            args.insert("id".into(), id.clone());
            gap = None;
        }
        Call {
            tool: tool.to_string(),
            arguments: args,
            gap,
        }
    }

    /// The arguments of `create_task` in a clause, and what to ask when one is missing.
    fn args_create_task(
        &self,
        text: &str,
        g: &Grounding,
        args: &mut Map<String, Value>,
        gap: &mut Option<Gap>,
    ) {
        let mut set = setter(args);
        // "on Erin's list" names the assignee, like "for Erin".
        let mut c = Clause::new(&ON_LIST.replace(text, "for $1"));
        let title = slots::quoted(&mut c);
        if let Some(d) = c.cut(&DESCRIPTION) {
            set(
                "description",
                json!(trim_punctuation(d.get(1).unwrap_or(""))),
            );
        }
        let tags = slots::tags(&mut c, false);
        if let Some(d) = slots::date(&mut c, &g.lexicon) {
            set("due", json!(d.to_string()));
        }
        if let Some(p) = slots::priority(&mut c, false) {
            set("priority", json!(p));
        }
        if let Some(h) = slots::estimate(&mut c) {
            set("estimate_hours", json!(h));
        }
        if let Some(p) = slots::project(&mut c, &g.projects, false) {
            set("project", json!(p));
        }
        let who = slots::person(&mut c, g, Cues::Title)
            .or_else(|| c.cut(&FOR_ME).and(g.actor.clone()).map(Who::Known));
        *gap = person_arg(who, "assignee", &mut set);
        if !tags.is_empty() {
            set("tags", json!(tags));
        }
        let names: Vec<String> = g
            .projects
            .iter()
            .cloned()
            .chain(g.people.iter().flat_map(|p| {
                [
                    p.name.clone(),
                    p.name.split(' ').next().unwrap_or("").into(),
                ]
            }))
            .collect();
        let title = title
            .or_else(|| task_title(&c.remainder()).map(|t| text::without_detail_tail(&t, &names)));
        match title.filter(|t| !t.is_empty()) {
            Some(t) => set("title", json!(t)),
            None => {
                *gap = gap.take().or(Some(Gap {
                    field: "title".into(),
                    question: "What is the task? For example: “fix the login bug”.".into(),
                }))
            }
        }
    }

    /// The arguments of `update_task` in a clause, and what to ask when one is missing.
    fn args_update_task(
        &self,
        text: &str,
        c: &mut Clause,
        g: &Grounding,
        req: &Request<'_>,
        args: &mut Map<String, Value>,
        gap: &mut Option<Gap>,
    ) {
        let mut set = setter(args);
        let id = slots::task_id(c);
        let title = slots::quoted(c).or_else(|| {
            c.cut_group(&RENAME, 1)
                .and_then(|m| m.get(1).map(|t| trim_punctuation(t).to_string()))
        });
        if let Some(t) = title {
            set("title", json!(t));
        }
        if let Some(d) = c.cut(&DESCRIPTION) {
            set(
                "description",
                json!(trim_punctuation(d.get(1).unwrap_or(""))),
            );
        }
        let tags = slots::tags(c, false);
        if !tags.is_empty() {
            set("tags", json!(tags));
        }
        let shift = slots::shift(c);
        if let Some(d) = slots::date(c, &g.lexicon) {
            set("due", json!(d.to_string()));
        }
        if let Some(h) = slots::estimate(c) {
            set("estimate_hours", json!(h));
        }
        if let Some(p) = slots::project(c, &g.projects, false) {
            set("project", json!(p));
        }
        if let Some(s) = update_status(c) {
            set("status", json!(s));
        }
        if let Some(p) = slots::priority(c, true) {
            set("priority", json!(p));
        } else if let Some(m) = c.cut(&PRIORITY_SHIFT) {
            let up = m.get(1).is_some_and(|v| !v.eq_ignore_ascii_case("lower"));
            set("priority", json!(if up { "high" } else { "low" }));
        }
        *gap = task_arg(id, c, req, g, &mut set);
        // The setter's borrow of `args` ends here; what follows reads them.
        drop(set);
        if let Some(days) = shift.filter(|_| gap.is_none() && !args.contains_key("due")) {
            *gap = shifted_due(args, days, req.platform);
        }
        if gap.is_none() && slots::pushes_to_weekday(text) {
            not_before_due(args, req.platform);
        }
        *gap = gap
            .take()
            .or_else(|| keep_done_title(args, text, req.platform));
        if gap.is_none() && args.len() == 1 {
            // The phrasings found no change: the tagger may ("priority on 7 -> high").
            let tagged = self.tagged("update_task", text, g, req);
            for (k, v) in tagged.arguments.into_iter().filter(|(k, _)| k != "id") {
                args.entry(k).or_insert(v);
            }
        }
        if gap.is_none() && args.len() == 1 {
            *gap = Some(Gap {
                field: "changes".into(),
                question: "What should change? For example: “due Friday” or “high priority”."
                    .into(),
            });
        }
    }

    /// The arguments of `complete_task` / `delete_task` in a clause, and what to ask when one is missing.
    fn args_complete_task_like(
        &self,
        c: &mut Clause,
        g: &Grounding,
        req: &Request<'_>,
        args: &mut Map<String, Value>,
        gap: &mut Option<Gap>,
    ) {
        let mut set = setter(args);
        let id = slots::task_id(c);
        *gap = task_arg(id, c, req, g, &mut set);
    }

    /// The arguments of `assign_task` in a clause, and what to ask when one is missing.
    fn args_assign_task(
        &self,
        c: &mut Clause,
        g: &Grounding,
        req: &Request<'_>,
        args: &mut Map<String, Value>,
        gap: &mut Option<Gap>,
    ) {
        let mut set = setter(args);
        let id = slots::task_id(c);
        let who = slots::person(c, g, Cues::Anywhere).or_else(|| slots::speaker(c, g));
        // Nobody named: the tool gives it to the best fit.
        let person_gap = person_arg(who, "assignee", &mut set);
        let task_gap = task_arg(id, c, req, g, &mut set);
        *gap = task_gap.or(person_gap);
    }

    /// The arguments of `list_tasks` in a clause, and what to ask when one is missing.
    fn args_list_tasks(
        &self,
        c: &mut Clause,
        g: &Grounding,
        args: &mut Map<String, Value>,
        gap: &mut Option<Gap>,
    ) {
        let mut set = setter(args);
        if c.cut(&OVERDUE).is_some() {
            set("overdue", json!(true));
        }
        if let Some(n) = slots::limit(c) {
            set("limit", json!(n));
        }
        // Before the status words: "what's zoe working on" names someone.
        let who = slots::person(c, g, Cues::Anywhere).or_else(|| slots::speaker(c, g));
        if let Some(s) = list_status(c) {
            set("status", json!(s));
        }
        if let Some(d) = slots::this_week(c, g.today).or_else(|| slots::date(c, &g.lexicon)) {
            set("due_before", json!(d.to_string()));
        }
        if let Some(p) = slots::priority(c, false) {
            set("priority", json!(p));
        }
        if let Some(t) = slots::tags(c, true).into_iter().next() {
            set("tag", json!(t));
        }
        if let Some(p) = slots::project(c, &g.projects, true) {
            set("project", json!(p));
        }
        *gap = person_arg(who, "assignee", &mut set);
    }

    /// The arguments of `search_catalog` in a clause, and what to ask when one is missing.
    fn args_search_catalog(
        &self,
        c: &mut Clause,
        args: &mut Map<String, Value>,
        gap: &mut Option<Gap>,
    ) {
        let mut set = setter(args);
        let query = SEARCH_PREFIX.replace(c.rest(), "");
        let query = trim_punctuation(&query).to_string();
        if query.is_empty() {
            *gap = Some(Gap {
                field: "query".into(),
                question: "What should I look for?".into(),
            });
        } else {
            set("query", json!(query));
        }
    }

    /// The arguments of `add_person` in a clause, and what to ask when one is missing.
    fn args_add_person(
        &self,
        c: &mut Clause,
        args: &mut Map<String, Value>,
        gap: &mut Option<Gap>,
    ) {
        let mut set = setter(args);
        if let Some(e) = slots::email(c) {
            set("email", json!(e));
        }
        if let Some(s) = slots::slack_id(c) {
            set("slack_id", json!(s));
        }
        if let Some(h) = slots::capacity(c) {
            set("capacity", json!(h));
        }
        let skills = skills(c);
        if !skills.is_empty() {
            set("skills", json!(skills));
        }
        match person_name(&c.remainder()) {
            Some(n) => set("name", json!(n)),
            None => {
                *gap = Some(Gap {
                    field: "name".into(),
                    question: "What is the new person's name?".into(),
                })
            }
        }
    }

    /// The arguments of `list_people` in a clause, and what to ask when one is missing.
    fn args_list_people(&self, c: &mut Clause, args: &mut Map<String, Value>) {
        let mut set = setter(args);
        let skill = c
            .peek(&SKILL_AFTER)
            .and_then(|m| m.get(1).map(str::to_lowercase))
            .or_else(|| {
                c.peek(&SKILL_BEFORE)
                    .and_then(|m| m.get(1).map(str::to_lowercase))
            });
        if let Some(s) = skill.filter(|s| !NOT_SKILLS.contains(&s.as_str())) {
            set("skill", json!(s));
        }
    }

    /// The arguments of `recommend_assignee` / `predict_duration` in a clause, and what to ask when one is missing.
    fn args_recommend_assignee_like(
        &self,
        tool: &str,
        c: &mut Clause,
        g: &Grounding,
        req: &Request<'_>,
        args: &mut Map<String, Value>,
        gap: &mut Option<Gap>,
    ) {
        let mut set = setter(args);
        if tool == "recommend_assignee"
            && let Some(n) = slots::limit(c)
        {
            set("limit", json!(n));
        }
        let id = slots::task_id(c)
            .or_else(|| focus::task(c.original(), req.focus, req.platform, &g.lexicon));
        if tool == "predict_duration"
            && let Some(who) = slots::person(c, g, Cues::Anywhere)
        {
            *gap = person_arg(Some(who), "assignee", &mut set);
        }
        if let Some(h) = slots::estimate(c) {
            set("estimate_hours", json!(h));
        }
        let quoted = slots::quoted(c);
        let frame = if tool == "predict_duration" {
            &DURATION_FRAME
        } else {
            &RECOMMEND_FRAME
        };
        let work = trim_punctuation(&frame.replace_all(&c.remainder(), " ")).to_string();
        match (id, quoted) {
            (Some(id), _) => set("id", json!(id)),
            (None, Some(t)) => set("title", json!(t)),
            (None, None) if !work.is_empty() => match task_by_words(&work, req.platform) {
                Some(id) => set("id", json!(id)),
                None => set("title", json!(work)),
            },
            (None, None) => {
                *gap = Some(Gap {
                    field: "id".into(),
                    question: "Which task? Give its number or describe the work.".into(),
                })
            }
        }
    }

    /// The arguments of `assess_risk` / `detect_anomalies` / `project_timeline` in a clause, and what to ask when one is missing.
    fn args_assess_risk_like(
        &self,
        tool: &str,
        c: &mut Clause,
        g: &Grounding,
        req: &Request<'_>,
        args: &mut Map<String, Value>,
        gap: &mut Option<Gap>,
    ) {
        let mut set = setter(args);
        if tool == "assess_risk"
            && let Some(n) = slots::limit(c)
        {
            set("limit", json!(n));
        }
        let id = (tool == "assess_risk")
            .then(|| {
                slots::task_id(c)
                    .or_else(|| focus::task(c.original(), req.focus, req.platform, &g.lexicon))
            })
            .flatten();
        let project = slots::project(c, &g.projects, true);
        if let Some(p) = &project {
            set("project", json!(p));
        }
        match id {
            Some(id) => set("id", json!(id)),
            None if tool == "assess_risk" && project.is_none() => {
                let words = ABOUT_WORK.replace_all(&c.remainder(), " ").to_string();
                if let Some(id) = task_by_words(&words, req.platform) {
                    set("id", json!(id));
                }
            }
            None => {}
        }
        if tool == "project_timeline" && project.is_none() {
            *gap = Some(Gap {
                field: "project".into(),
                question: "Which project?".into(),
            });
        }
    }

    /// The arguments of `help` in a clause, and what to ask when one is missing.
    fn args_help(
        &self,
        text: &str,
        g: &Grounding,
        req: &Request<'_>,
        args: &mut Map<String, Value>,
    ) {
        let mut set = setter(args);
        let rest = HELP.replace(text, "");
        let rest = trim_punctuation(&rest);
        // A tool named as such ("help create_task", "help on list tasks"),
        // else the tool the words ask for ("how do I add someone").
        let named = rest.to_lowercase().replace([' ', '-'], "_");
        let topic = req
            .platform
            .registry()
            .get(&named)
            .map(|t| t.name())
            .or_else(|| self.intent(rest, &g.lexicon))
            .filter(|t| *t != "help");
        if let Some(topic) = topic {
            set("topic", json!(topic));
        }
    }

    /// The data or model call a clause asks for, unless it is about a task
    /// ("create a task to retrain the churn model" stays a task).
    fn ml_call(&self, clause: &str, data: &ml::MlGrounding, req: &Request<'_>) -> Option<Call> {
        if cued(clause).any(|tool| tool == "create_task") {
            return None;
        }
        let tool = ml::intent(clause, data)?;
        let (arguments, gap) = ml::build(tool, clause, data, req.platform);
        Some(Call {
            tool: tool.to_string(),
            arguments,
            gap,
        })
    }

    /// Fills the argument a waiting call asked for from `text`.
    fn answer(&self, waiting: &Call, text: &str, g: &Grounding, req: &Request<'_>) -> Call {
        let field = waiting.gap.as_ref().map_or("", |gap| gap.field.as_str());
        let mut call = Call {
            gap: None,
            ..waiting.clone()
        };
        if ML_TOOLS.contains(&waiting.tool.as_str()) {
            let data = ml::MlGrounding::of(req.platform);
            call.gap = ml::answer(field, text, &mut call.arguments, &data, req.platform);
            return call;
        }
        let mut c = Clause::new(text);
        let mut set = |k: &str, v: Value| {
            call.arguments.insert(k.to_string(), v);
        };
        let gap = match field {
            "title" => {
                let title =
                    slots::quoted(&mut c).unwrap_or_else(|| trim_punctuation(text).to_string());
                set("title", json!(title));
                None
            }
            "assignee" => {
                let who = slots::person(&mut c, g, Cues::Anywhere)
                    .or_else(|| slots::speaker(&mut c, g))
                    .or_else(|| Some(slots_unknown(text, g)));
                person_arg(who, "assignee", &mut set)
            }
            "id" => {
                let id = slots::task_id(&mut c).or_else(|| trim_punctuation(text).parse().ok());
                task_arg(id, &c, req, g, &mut set)
            }
            "name" => match person_name(text) {
                Some(n) => {
                    set("name", json!(n));
                    None
                }
                None => waiting.gap.clone(),
            },
            "query" => {
                set("query", json!(trim_punctuation(text)));
                None
            }
            _ => return self.build(&waiting.tool, text, g, req),
        };
        call.gap = gap;
        call
    }
}

impl Planner for LocalPlanner {
    fn plan(&self, req: &Request<'_>) -> Plan {
        let data = ml::MlGrounding::of(req.platform);
        let g = grounding(req, &data);
        let (text, fixes) = spelling::correct(req.text, Vocabulary::shipped(), &g.lexicon.words());
        let req = &Request {
            text: &text,
            ..*req
        };
        let mut plan = self.plan_spelt(req, &g, &data);
        // Free text keeps the words as the user typed them.
        for call in &mut plan.calls {
            for field in ["title", "description"] {
                if let Some(Value::String(s)) = call.arguments.get_mut(field) {
                    *s = spelling::as_typed(s, &fixes);
                }
            }
        }
        plan
    }
}

impl LocalPlanner {
    /// The plan for a request whose misspellings are corrected.
    fn plan_spelt(&self, req: &Request<'_>, g: &Grounding, data: &ml::MlGrounding) -> Plan {
        if let Some(waiting) = req.waiting {
            if CANCEL.is_match(req.text) {
                return Plan {
                    calls: vec![],
                    reply: Some("Cancelled.".into()),
                };
            }
            let ml = self.ml_call(req.text, data, req).map(|c| c.tool);
            // A whole data or model request is a new request, even for the same tool.
            let whole = ml.is_some() && req.text.split_whitespace().count() > 3;
            // A data or model question is never answered with "help".
            let help = ML_TOOLS.contains(&waiting.tool.as_str()) && HELP.is_match(req.text);
            let new_request = (whole
                || help
                || ml
                    .or_else(|| self.intent(req.text, &g.lexicon).map(str::to_string))
                    .is_some_and(|t| t != waiting.tool && t != "help"))
                && waiting.gap.as_ref().is_some_and(|g| g.field != "title");
            if !new_request {
                return Plan {
                    calls: vec![self.answer(waiting, req.text, g, req)],
                    reply: None,
                };
            }
        }
        let text = chatter::without_chatter(req.text);
        // "… and assign it to the best person": one create_task that picks the assignee.
        let (text, auto_assign) = match BEST_FIT.find(&text) {
            Some(m) => (format!("{}{}", &text[..m.start()], &text[m.end()..]), true),
            None => (text, false),
        };
        let calls: Vec<Call> = self
            .clause_calls(&split(&text), g, data, req)
            .into_iter()
            .map(|mut call| {
                if auto_assign
                    && call.tool == "create_task"
                    && !call.arguments.contains_key("assignee")
                {
                    call.arguments.insert("auto_assign".into(), json!(true));
                }
                call
            })
            .collect();
        // "no, Friday": nothing else read, or no task found → amend the last change.
        let unread = match calls.as_slice() {
            [] => true,
            [only] => only.gap.as_ref().is_some_and(|g| g.field == "id"),
            _ => false,
        };
        let again = focus::follow_up(req.text, req.focus).map(|tool| {
            let call = if ML_TOOLS.contains(&tool) {
                let (arguments, gap) = ml::build(tool, req.text, data, req.platform);
                Call {
                    tool: tool.to_string(),
                    arguments,
                    gap,
                }
            } else {
                self.build(tool, req.text, g, req)
            };
            self.with_focus(call, req.text, data, req)
        });
        let amend = focus::correction(req.text, req.focus, &g.lexicon);
        let calls = match amend.or(again).filter(|_| unread) {
            Some(call) => vec![call],
            None => calls,
        };
        let reply = calls.is_empty().then(|| {
            self.ambiguity(req.text, &g.lexicon, req.platform.registry())
                .unwrap_or_else(|| NO_ACTION.trim().to_string())
        });
        Plan { calls, reply }
    }
}

fn grounding(req: &Request<'_>, data: &ml::MlGrounding) -> Grounding {
    let lexicon = Lexicon {
        datasets: data
            .datasets
            .iter()
            .map(|d| (d.name.clone(), d.columns.clone()))
            .collect(),
        models: data.models.clone(),
        ..Lexicon::of_team(req.platform, req.actor, req.now)
    };
    Grounding {
        people: lexicon.people.clone(),
        projects: lexicon.projects.clone(),
        actor: req.actor.map(str::to_string),
        today: req.now.date_naive(),
        lexicon,
    }
}

/// A done task keeps its title unless the request says to rename it: a
/// quoted phrase alone is asked about, not applied.
fn keep_done_title(args: &mut Map<String, Value>, text: &str, platform: &Platform) -> Option<Gap> {
    let id = args.get("id").and_then(Value::as_i64)?;
    let done = platform
        .lookup(None)
        .task(id)
        .is_ok_and(|t| t.status == maestro_tools::Status::Done);
    if !done || RENAME.is_match(text) {
        return None;
    }
    let title = args.remove("title")?;
    let title = title.as_str().unwrap_or_default();
    Some(Gap {
        field: "title".into(),
        question: format!(
            "Task #{id} is done; I will not rename it from a quote alone. Say “rename task {id} to {title}” if that is what you mean."
        ),
    })
}

/// What a later clause of the same request may point back at: the task,
/// dataset, target or model `call` names ("describe churn then train a
/// model on it", "compare churn v1 and v2, then write a card for v2").
fn within_request(focus: &mut Focus, call: &Call) {
    let arg = |k: &str| {
        call.arguments
            .get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    if let Some(id) = call.arguments.get("id").and_then(Value::as_i64) {
        focus.tasks = vec![id];
        focus.task = Some(id);
    }
    if let Some(dataset) = arg("dataset") {
        focus.dataset = Some(dataset);
        focus.target = arg("target").or(focus.target.take());
    }
    let compared = call
        .arguments
        .get("models")
        .and_then(Value::as_array)
        .and_then(|m| {
            m.first()
                .and_then(Value::as_str)
                .map(|r| r.split('@').next().unwrap_or(r).to_string())
        });
    if let Some(model) = arg("model").or(compared) {
        focus.model = Some(model);
    }
}

/// Whether a call says exactly what to change: nothing is missing and it
/// names what changes besides the task ("priority: medium" on task 9, not
/// just task 9).
fn specific(call: &Call) -> bool {
    call.gap.is_none()
        && call.arguments.keys().filter(|k| *k != "id").count() >= 1
        && (call.arguments.contains_key("id") || call.tool == "create_task")
}

/// Whether `clause` says a teammate must do something new ("erin has to
/// finalize the logo by monday", "dave should patch the hosts"): a task
/// for them. Taking or handling something is assigning, not this.
fn person_must(clause: &str, lex: &Lexicon) -> bool {
    const MUST: &[&[&str]] = &[
        &["needs", "to"],
        &["need", "to"],
        &["has", "to"],
        &["should"],
        &["must"],
        &["is", "going", "to"],
        &["gotta"],
    ];
    const ASSIGNING: &[&str] = &[
        "take", "handle", "own", "pick", "grab", "do", "be", "have", "get", "know",
    ];
    let tokens = tokenize(clause);
    let Some(person_end) = recognise(&tokens, lex)
        .first()
        .filter(|s| s.start == 0 && s.kind == SpanKind::Person && s.value.is_string())
        .map(|s| s.end)
    else {
        return false;
    };
    let words: Vec<&str> = tokens[person_end..]
        .iter()
        .map(|t| t.lower.as_str())
        .collect();
    MUST.iter().any(|m| {
        words.starts_with(m)
            && words
                .get(m.len())
                .is_some_and(|verb| !ASSIGNING.contains(verb))
    })
}

/// Whether `next` asks for the same tool as `last` without contradicting
/// it ("does the churn model treat every plan equally? check bias on plan"),
/// so the two are one call.
fn one_request(last: &Call, next: &Call) -> bool {
    last.tool == next.tool
        && next
            .arguments
            .iter()
            .all(|(k, v)| last.arguments.get(k).is_none_or(|old| old == v))
}

/// `next`'s arguments added to `last`'s; a question stays only for what is
/// still missing.
fn merge(last: &mut Call, next: Call) {
    for (k, v) in next.arguments {
        last.arguments.entry(k).or_insert(v);
    }
    let missing = |gap: &Option<Gap>| {
        gap.as_ref()
            .is_some_and(|g| !last.arguments.contains_key(&g.field))
    };
    last.gap = if missing(&last.gap) {
        last.gap.take()
    } else if missing(&next.gap) {
        next.gap
    } else {
        None
    };
}

/// Tools with a builder whose arguments come from the tagger instead when
/// the intent model chose them on its own (the builder still serves what
/// the phrasings read).
const TAGGED: &[&str] = &["create_task"];

/// What to ask when a tool's required argument is missing.
fn question_for(tool: &str, field: &str) -> String {
    match (tool, field) {
        ("create_task", "title") => "What is the task? For example: “fix the login bug”.".into(),
        (_, "id") => "Which task? Give its number, e.g. “task 4”.".into(),
        _ => format!("What {} should {tool} use?", field.replace('_', " ")),
    }
}

/// Sets `field` from a person, or returns the question to ask about them.
fn person_arg(who: Option<Who>, field: &str, set: &mut impl FnMut(&str, Value)) -> Option<Gap> {
    match who? {
        Who::Known(name) => {
            set(field, json!(name));
            None
        }
        Who::NoTeam(name) => Some(Gap {
            field: field.into(),
            question: format!("There is no {name} on the team. {EMPTY_TEAM}"),
        }),
        Who::Unknown { name, suggestions } => {
            let hint = match suggestions.as_slice() {
                [] => "Who did you mean? (`list people` shows the team.)".to_string(),
                [one] => format!("Did you mean {one}?"),
                many => format!("Did you mean one of {}?", many.join(", ")),
            };
            Some(Gap {
                field: field.into(),
                question: format!("There is no {name} on the team. {hint}"),
            })
        }
    }
}

fn slots_unknown(text: &str, g: &Grounding) -> Who {
    let name = trim_punctuation(text).to_string();
    let suggestions =
        maestro_tools::store::names::close_names(&name, g.people.iter().map(|p| p.name.as_str()));
    match suggestions.as_slice() {
        [one] => Who::Known(one.clone()),
        _ => Who::unknown(name, suggestions, g.people.len()),
    }
}

/// Sets `id` from a number or the words of a task's title, or returns the question.
fn task_arg(
    id: Option<i64>,
    c: &Clause,
    req: &Request<'_>,
    g: &Grounding,
    set: &mut impl FnMut(&str, Value),
) -> Option<Gap> {
    let found = id
        .or_else(|| task_ref::bare_number(&c.remainder(), req.platform))
        .or_else(|| focus::task(c.original(), req.focus, req.platform, &g.lexicon))
        .or_else(|| task_by_words(&c.remainder(), req.platform));
    match found {
        Some(id) => {
            set("id", json!(id));
            None
        }
        None => Some(Gap {
            field: "id".into(),
            question: "Which task? Give its number (e.g. “task 3”) or a few words of its title."
                .into(),
        }),
    }
}

/// The due date of the task in `args` moved by `days` ("push it back a
/// week"), or a question when it has none to move.
fn shifted_due(args: &mut Map<String, Value>, days: i64, platform: &Platform) -> Option<Gap> {
    let id = args.get("id").and_then(Value::as_i64)?;
    let task = platform.lookup(None).task(id).ok()?;
    match task.due {
        Some(due) => {
            args.insert(
                "due".into(),
                json!((due + chrono::Duration::days(days)).to_string()),
            );
            None
        }
        None => Some(Gap {
            field: "due".into(),
            question: format!("Task #{id} has no due date to move yet: when should it be due?"),
        }),
    }
}

/// A task pushed to a weekday that falls before its current due date goes
/// to that weekday after it: pushing never moves a deadline earlier.
fn not_before_due(args: &mut Map<String, Value>, platform: &Platform) {
    let Some(id) = args.get("id").and_then(Value::as_i64) else {
        return;
    };
    let Some(wanted) = args.get("due").and_then(Value::as_str) else {
        return;
    };
    let (Ok(mut due), Ok(task)) = (wanted.parse::<NaiveDate>(), platform.lookup(None).task(id))
    else {
        return;
    };
    let Some(current) = task.due else {
        return;
    };
    while due <= current {
        due += chrono::Duration::days(7);
    }
    args.insert("due".into(), json!(due.to_string()));
}

/// Words that never identify a task.
const NOT_TASK_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "task",
    "tasks",
    "ticket",
    "it",
    "is",
    "as",
    "to",
    "of",
    "on",
    "for",
    "and",
    "with",
    "i",
    "im",
    "we",
    "were",
    "done",
    "mark",
    "marked",
    "complete",
    "completed",
    "finish",
    "finished",
    "close",
    "closed",
    "delete",
    "remove",
    "drop",
    "trash",
    "get",
    "rid",
    "please",
    "can",
    "you",
    "could",
    "assign",
    "reassign",
    "give",
    "move",
    "set",
    "change",
    "make",
    "priority",
    "due",
    "date",
    "estimate",
    "status",
    "now",
    "start",
    "starting",
    "take",
    "let",
    "have",
    "own",
    "put",
    "transfer",
    "hand",
    "over",
    "raise",
    "push",
    "deadline",
    "fixed",
    "resolve",
    "check",
    "off",
    "with",
    "my",
    "me",
    "this",
    "that",
    "update",
    "rename",
    "into",
    "back",
    "todo",
    "progress",
    "in",
    "project",
    "description",
    "tag",
    "tags",
    "bump",
    "lower",
    "reopen",
    "all",
    "its",
    "s",
    "id",
    "number",
    "one",
];

/// The task whose title best matches `words`, through the catalog.
fn task_by_words(words: &str, platform: &Platform) -> Option<i64> {
    let content: Vec<String> = tokens(words)
        .filter(|w| !NOT_TASK_WORDS.contains(&w.as_str()))
        .collect();
    if content.is_empty() {
        return None;
    }
    let hits = platform
        .catalog()
        .search(&content.join(" "), 1, &Filter::kind("task"))
        .ok()?;
    hits.into_iter()
        .next()
        .filter(|h| h.score >= MIN_TASK_SCORE)
        .and_then(|h| h.entry.payload.get("id").and_then(Value::as_i64))
        .or_else(|| {
            // Verbs like "push" may be words of a title too ("Push notifications").
            let all: Vec<String> = tokens(words).collect();
            task_ref::resembling(&content, &all, platform)
        })
}

/// The data and model tools: chosen only through [`ml::intent`], never by the classifier.
const ML_TOOLS: &[&str] = &[
    "register_dataset",
    "describe_dataset",
    "list_datasets",
    "discover_features",
    "run_automl",
    "list_models",
    "describe_model",
    "promote_model",
    "compare_models",
    "delete_model",
    "predict",
    "explain_model",
    "explain_prediction",
    "check_bias",
    "model_card",
];

/// Phrasings that name their tool unambiguously, tried in order before the classifier.
/// Each is matched at the start of a clause after [`POLITE`].
static CUES: LazyLock<Vec<Cue>> = LazyLock::new(|| {
    [
        (r"(?:add|register|onboard|hire)\s+(?:a\s+)?(?:new\s+)?(?:person|teammate|team\s+member|member|colleague|someone)\b", "add_person"),
        (r"(?:add|register|onboard|hire)\s+\p{Lu}[\p{L}'’-]+\s+\p{Lu}[\p{L}'’-]+(?:\s|,|$|\()(?:[^#]*\b(?:team|people|person|member|skills?|capacity|email|slack)\b|[^a-z]*$|,)", "add_person"),
        (r"(?:make|set|mark|put)\b.*\b(?:task|ticket)\s+(?:(?:high|low|medium)\s+priority|urgent|due\b|in\s+progress|done\b)", "update_task"),
        (r#"(?:(?:create|add|make|log|open|schedule|put|new|need|jot|capture|file|throw|track|raise|set\s+up)\b[^#\d]{0,40}?\b(?:task|ticket|todo|to-do|bug|reminder)s?\b(?:\s*[^\s\d#]|\s*$)|(?:new\s+)?(?:task|todo|to-do)\s*:|add\s+['"“]|remind\s+me\b|(?:i\s+want\s+|get\s+)?(?-i:\p{Lu}\p{Ll}+)\s+(?:needs?\s+to|should|has\s+to|must|to)\s+\p{Ll})"#, "create_task"),
        (r"(?:drop|lower|reduce|downgrade)\b.*\b(?:priority|prio|to\s+(?:low|medium|normal|high))\b|give\s+(?:it|them|that)\s+(?:a|an)\s+(?:\S+\s+)?(?:estimate|deadline|due\s+date|priority|description)\b", "update_task"),
        (r"(?:delete|remove|drop|trash|erase|get\s+rid\s+of)\b", "delete_task"),
        (r"(?:which|what|show|list|any|are\s+there|give\s+me)\b.*\b(?:tasks?|items|tickets|to-?dos)\b|what\s+(?:is|did|has|does)\s+\S+\s+(?:get\s+|got\s+)?(?:working|finish|complete|done|do)|what['’]s\s+(?:on|in|due|overdue|late)\b|what['’]s\s+\S+\s+working|(?:show|list|give)\b.*\btagged\b|(?:show|list|give)\s+(?:me\s+)?(?:everything|all\s+(?:the\s+)?work)\b|(?:show|list)\s+(?:me\s+)?(?:[\w-]+\s+){0,3}work\b|(?:is\s+)?(?:anything|what['’]s)\s+(?:overdue|late|due)\b", "list_tasks"),
        (r"(?:who(?:['’]s|\s+(?:is|are|knows?|can|has|have|works?|does|do))\b|anyone\b|list\s+everyone|show\s+(?:me\s+)?(?:the\s+)?(?:people|team))", "list_people"),
        (r"(?:search|find|look\s+(?:up|for))\b|is\s+there\s+anything\b", "search_catalog"),
        (r"mark(?:ed)?\b.*\b(?:in\s+progress|started|to\s*do|not\s+started|blocked)\b|.*\b(?:is|are)\s+now\s+due\b|.*\bdue\s+date\s+(?:for|of)\b.*\b(?:is|to)\b|.*\b(?:will|should|is\s+going\s+to)\s+take\s+(?:about\s+|around\s+|roughly\s+|~)?\d", "update_task"),
        (r"(?:\p{L}+\s+(?:has\s+)?(?:finished|completed|wrapped\s+up)\b|mark(?:ed)?\b.*\b(?:done|complete|completed|finished)\b|(?:i|we)(?:['’]ve|['’]re|\s+have|\s+are)?\s+(?:finished|completed|done\s+with|wrapped\s+up)\b|(?:finished|completed|done\s+with|close|resolve|check\s+off|complete|wrapped\s+up|wrap\s+up)\b)", "complete_task"),
        (r".*\b(?:is|are)\s+(?:now\s+)?(?:done|complete|completed|finished|fixed)\b", "complete_task"),
        (r"(?:assign|reassign|give|hand|transfer)\b|\p{L}+\s+will\s+(?:own|take\s+over|take|handle)\b|(?:can|could)\s+@?\p{L}+\s+(?:take|own|handle)\b|(?:let|have)\s+@?\p{L}+\s+(?:take|own|handle|do)\b|put\s+@?\p{L}+\s+on\b|i['’]ll\s+take\b|i\s+will\s+take\b", "assign_task"),
        (r"(?:change|set|move|rename|retitle|bump|raise|lower|push|postpone|reopen|tag|start|update|make|put|slip|slide|delay|shift|reschedule)\b|i['’]m\s+start|(?:task\s*)?#?\d+\s*:", "update_task"),
    ]
    .into_iter()
    .map(|(cue, tool)| Cue::new(format!("(?i)^(?:{cue})"), tool))
    .collect()
});

/// Greetings and politeness before a request: "hey maestro, could you please".
static POLITE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\W*(?:(?:hey|hi)\s+\w+,?\s*)?(?:(?:could|can|would)\s+you\s+)?(?:please\s+)?")
});

/// The tools whose phrasings in [`CUES`] a clause starts with, in order.
fn cued(clause: &str) -> impl Iterator<Item = &'static str> {
    let rest = POLITE.find(clause).map_or(clause, |m| &clause[m.end()..]);
    CUES.iter()
        .filter(move |cue| cue.is_match(rest))
        .map(|cue| cue.tool)
}

static ON_LIST: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\bon\s+(\p{L}+)['’]s\s+(?:list|plate|queue|board)\b"));
static PRIORITY_SHIFT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(lower|raise|increase|bump)\s+(?:up\s+)?(?:the\s+)?priority(?:\s+(?:of|on))?\b")
});
static BEST_FIT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i),?\s*(?:and\s+)?(?:assign|give|hand)\s+it\s+to\s+(?:the\s+)?(?:best|right|most\s+suitable)\s+(?:person|fit|one|teammate|assignee)\b|,?\s*(?:and\s+)?(?:assign|give)\s+it\s+to\s+whoever\s+(?:is|fits)\s+best\b",
    )
});
/// The words around the work in "who should take …?".
static RECOMMEND_FRAME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\W*(?:who(?:['’]s|\s+is|\s+would\s+be)?\s+(?:the\s+)?(?:best|right|ideal)\s+(?:person\s+|fit\s+|one\s+)?(?:placed\s+)?(?:to|for)\s+|who\s+(?:should|could|would|can|ought\s+to)\s+(?:take\s+on|take|do|handle|own|get|pick\s+up|work\s+on|tackle)\s+|(?:recommend|suggest|propose|find)\s+(?:an?\s+|the\s+right\s+|the\s+best\s+)?(?:assignee|someone|somebody|person|owner)\s+(?:for|to\s+(?:take|do|handle))\s+)|\s*\?\s*$",
    )
});
/// The words around the work in "how long will … take?".
static DURATION_FRAME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\W*(?:how\s+long\s+(?:will|would|does|did|should|might|is|do)\s+(?:it\s+take\s+(?:to\s+)?)?|how\s+many\s+hours\s+(?:will|would|does|did|should|do)\s+|how\s+much\s+(?:time|effort|work)\s+(?:will|would|does|is)\s+|(?:estimate|predict|forecast)\s+(?:the\s+)?(?:duration|effort|time|hours)\s+(?:of|for)\s+)|\s*\b(?:take|need|require|last|be)?\s*\??\s*$",
    )
});
/// Words around a task's description in a risk question.
static ABOUT_WORK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:who|should|could|would|can|take|takes|taking|do|handle|own|pick\s+up|work\s+on|tackle|best|right|person|fit|for|the|how|long|will|does|did|is|it|need|many|hours|much|time|effort|work|estimate|predict|duration|recommend|suggest|someone|assignee|going|to|be|late|on|track|risk|at|of|missing|deadline|task|tasks|ticket|placed|something|like|what|whats|s)\b|[?'’]",
    )
});
/// Phrasings of the work-intelligence requests, matched anywhere in a clause
/// (before [`CUES`], which match at its start).
static ANYWHERE_CUES: LazyLock<Vec<Cue>> = LazyLock::new(|| {
    [
        (r"who\s+(?:should|could|would|ought\s+to)\s+(?:take|do|handle|own|get|pick\s+up|work\s+on|tackle)\b|who\s+can\s+(?:take|handle|own|pick\s+up|tackle)\b|who(?:['’]s|\s+is|\s+would\s+be)\s+(?:the\s+)?(?:best|right)\b|(?:best|right|ideal)\s+(?:person|fit|assignee|owner)\s+(?:for|to)\b|(?:recommend|suggest|propose)\s+(?:an?\s+)?(?:assignee|someone|somebody|person|owner)\b|best\s+placed\b", "recommend_assignee"),
        (r"how\s+long\s+(?:will|would|does|did|should|might|is|do)\b|how\s+many\s+hours\b|how\s+much\s+(?:time|effort|work)\b|(?:estimate|predict|forecast)\s+(?:the\s+)?(?:duration|effort|time|hours)\b", "predict_duration"),
        (r"when\s+will\b.*\b(?:finish|ship|land|be\s+(?:done|finished|complete|completed|delivered))\b|(?:finish|completion|delivery|end)\s+date\b|\btimeline\b|burn-?down\b|\bforecast\b", "project_timeline"),
        (r"\bat\s+risk\b|\briski(?:est|er)\b|\brisk\s+(?:assessment|of)\b|\blikely\s+to\s+(?:slip|be\s+late|miss)\b|\b(?:going\s+to|gonna|will\s+\S+(?:\s+\S+)?)\s+(?:be\s+late|slip|miss)\b|\bon\s+track\b|\bin\s+danger\b|\bmiss(?:ing)?\s+(?:the\s+|their\s+|its\s+|our\s+)?(?:deadline|due\s+date)|\bhit\s+the\s+deadline\b|\bdeadlines?\b.*\bmiss\b", "assess_risk"),
        (r"\b(?:anything|something)\s+(?:unusual|weird|odd|strange|off|wrong)\b|\banomal|\bstuck\b|\bstalled\b|\blooks?\s+off\b|\bway\s+off\b|(?:spot|find)\s+(?:problems|issues)\b", "detect_anomalies"),
        (r"\bworkloads?\b|\boverloaded\b|\bswamped\b|\bhow\s+busy\b|\bhas\s+(?:the\s+)?(?:capacity|bandwidth|room)\b|\bopen\s+hours\b|\bhow\s+loaded\b|\bover\s+capacity\b", "workload_report"),
    ]
    .into_iter()
    .map(|(cue, tool)| Cue::new(format!("(?i){cue}"), tool))
    .collect()
});

static HELP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:help(?:\s+me)?(?:\s+(?:with|on|understand))?(?:\s+how\s+to)?|how\s+(?:do|can|does|should|would)(?:\s+(?:i|we|you|one))?|how\s+to|what\s+can\s+you\s+do|what\s+are\s+your\s+(?:capabilities|commands)|show\s+me\s+the\s+commands|i['’]m\s+lost)\b",
    )
});
static CANCEL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*(?:cancel|never\s*mind|forget\s+it|stop|abort|no,?\s+cancel)\b"));
static DESCRIPTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i),?\s*(?:\bwith\s+(?:the\s+|a\s+)?(?:description|details|notes?)\s*:?|\bdescription\b(?:\s+of)?\s*(?:to|is)?\s*:)\s*(.+)$",
    )
});
static RENAME: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:rename|retitle|change\s+the\s+(?:title|name))\b.*?\bto\s*:?\s+(.+)$")
});
static FOR_ME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:remind\s+me|on\s+my\s+(?:list|plate)|for\s+me)\b|^\s*i\s+(?:have|need|must|['’]ve\s+got|got)\s+to\b",
    )
});
static OVERDUE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:overdue|late|past\s+due|behind\s+schedule)\b"));
static SEARCH_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:(?:can|could)\s+you\s+)?(?:please\s+)?(?:search(?:\s+the\s+catalog)?|find|look\s+(?:up|for)|is\s+there|are\s+there)\s*(?:for\s+)?(?:anything|something|stuff|everything|items|things|whatever|what)?\s*(?:(?:we|you|i)(?:['’]ve|\s+have)?\s+(?:got|have)\s*)?(?:(?:about|related\s+to|relating\s+to|mentioning|on|regarding|for)\b)?\s*:?",
    )
});
static SKILL_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:knows?|good\s+(?:at|with|w/)|can\s+do|does|can\s+help\s+with|skilled\s+in|experienced?\s+(?:in|with)|expert\s+in|with)\s+#?([\w+#.-]+)",
    )
});
static SKILL_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b([\w+#.-]+)\s+(?:skills?|experience|expertise|work|people|folks)\b")
});
const NOT_SKILLS: &[&str] = &[
    "the", "their", "team", "any", "some", "what", "which", "all", "people", "everyone", "a", "an",
    "list", "show", "display", "get", "find", "give",
];

fn update_status(c: &mut Clause) -> Option<&'static str> {
    static PROGRESS: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)\b(?:(?:to|as|into)\s+)?in[\s-]progress\b|\b(?:i['’]m\s+|i\s+am\s+|we['’]re\s+|we\s+are\s+)?(?:start(?:ing|ed)?|begin(?:ning)?|working\s+on|on\s+it)(?:\s+(?:on|working\s+on|work\s+on))?\b",
        )
    });
    static TODO: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i)\b(?:(?:back\s+)?(?:to|as|into)\s+)?(?:todo|to-do|not\s+started)\b|\breopen\b")
    });
    // "not started" before "started".
    if c.cut(&TODO).is_some() {
        Some("todo")
    } else if c.cut(&PROGRESS).is_some() {
        Some("in_progress")
    } else {
        None
    }
}

fn list_status(c: &mut Clause) -> Option<&'static str> {
    static STATUS: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)\b(?:((?:of\s+)?(?:any|every)\s+status|including\s+(?:the\s+)?(?:done|finished|completed|closed)(?:\s+ones)?|(?:done|finished)\s+(?:or|and)\s+(?:not|open|unfinished))|(working\s+on|up\s+to|open|pending|outstanding|remaining|active|unfinished|left)|((?:not|never|haven['’]?t\s+been|hasn['’]?t\s+been|not\s+yet)\s+started|unstarted|todo|to-do)|(in[\s-]progress|ongoing|doing|started)|(done|finished|finish|completed|complete|closed|close\s+out|closed\s+out|shipped))\b",
        )
    });
    let m = c.cut(&STATUS)?;
    [
        (1, "all"),
        (2, "open"),
        (3, "todo"),
        (4, "in_progress"),
        (5, "done"),
    ]
    .into_iter()
    .find(|(i, _)| m.get(*i).is_some())
    .map(|(_, s)| s)
}

/// Words that lead into a task's title and are not part of it.
const TITLE_LEAD: &[&str] = &[
    "jot", "down", "capture", "file", "throw", "track", "let's", "get", "going", "hey", "maestro",
    "could", "can", "would", "will", "you", "please", "pls", "i", "we", "need", "want", "create",
    "add", "make", "open", "log", "schedule", "put", "new", "a", "an", "the", "another", "quick",
    "just", "let's", "lets", "remind", "me", "set", "up", "someone", "somebody", "u", "more",
    "should", "must", "gotta",
];
const TASK_NOUNS: &[&str] = &[
    "task", "tasks", "ticket", "todo", "to-do", "item", "reminder", "bug", "card", "one",
];
const TITLE_LINK: &[&str] = &[
    "to", "for", "about", "called", "named", "titled", "that", "saying", ":", "-", "–", "—",
];

/// The title left once the slots are cut: the leading command words and the
/// task noun go, the user's words stay.
fn task_title(rest: &str) -> Option<String> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let bare = |w: &str| {
        w.trim_matches(|c: char| ",.:;!?".contains(c))
            .to_lowercase()
    };
    let lead_end = words
        .iter()
        .take_while(|w| TITLE_LEAD.contains(&bare(w).as_str()))
        .count();
    let punctuation = |w: &&&str| bare(w).is_empty();
    let mut i = lead_end;
    if words
        .get(i)
        .is_some_and(|w| TASK_NOUNS.contains(&bare(w).as_str()))
    {
        i += 1;
        i += words[i..]
            .iter()
            .take_while(|w| ["pls", "please", "plz", "more"].contains(&bare(w).as_str()))
            .count();
        i += words[i..].iter().take_while(punctuation).count();
        if words
            .get(i)
            .is_some_and(|w| TITLE_LINK.contains(&bare(w).as_str()))
        {
            i += 1;
        }
    } else if words.get(i).is_some_and(|w| bare(w) == "to") {
        i += 1;
    }
    i += words[i.min(words.len())..]
        .iter()
        .take_while(punctuation)
        .count();
    let title = words[i.min(words.len())..].join(" ");
    let title = TRAILING_FILLER.replace(&title, "");
    let title = trim_punctuation(&title);
    (!title.is_empty()).then(|| title.to_string())
}

static TRAILING_FILLER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(?:[,.!?\s]+(?:please|pls|thanks|thank\s+you|thx|cheers)[.!]*)+\s*$")
});

/// A new person's name: the first run of capitalised words.
fn person_name(rest: &str) -> Option<String> {
    const NOT_NAME_START: &[&str] = &[
        "Add", "Please", "New", "Register", "Onboard", "Hire", "Can", "Could", "We", "I", "A",
        "The",
    ];
    let words: Vec<&str> = rest
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| ",.:;!?()".contains(c)))
        .collect();
    let is_cap =
        |w: &str| w.chars().next().is_some_and(char::is_uppercase) && !NOT_NAME_START.contains(&w);
    let start = words.iter().position(|w| is_cap(w))?;
    let name: Vec<&str> = words[start..]
        .iter()
        .take_while(|w| is_cap(w))
        .copied()
        .collect();
    Some(name.join(" "))
}

/// "skills python and ml", "he knows ios and swift", "skills: devops, kubernetes".
fn skills(c: &mut Clause) -> Vec<String> {
    static BEFORE: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?i),?\s*\bwith\s+((?:[\w+#.-]+(?:,\s*|\s+and\s+|\s+))+?)skills\b"));
    if let Some(m) = c.cut(&BEFORE) {
        return m
            .get(1)
            .unwrap_or("")
            .split([',', ' '])
            .map(|w| w.trim().to_lowercase())
            .filter(|w| !w.is_empty() && w != "and")
            .collect();
    }
    static LEAD: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i),?\s*\b(?:(?:with\s+)?skills?\s*:?|(?:he|she|they)\s+(?:knows?|does|do)|knows|who\s+knows|good\s+at|skilled\s+in)\s+",
        )
    });
    const STOP: &[&str] = &[
        "capacity", "slack", "email", "e-mail", "hours", "he", "she", "they", "to", "with", "works",
    ];
    let Some(m) = LEAD.find(c.rest()) else {
        return Vec::new();
    };
    let (start, mut end) = (m.start(), m.end());
    let mut skills = Vec::new();
    let tail = c.rest()[end..].to_string();
    for piece in tail.split_inclusive([',', ' ']) {
        let word = piece
            .trim_matches(|ch: char| ch == ',' || ch.is_whitespace())
            .to_lowercase();
        if word.is_empty() || ["and", "+", "&", "/"].contains(&word.as_str()) {
            end += piece.len();
            continue;
        }
        if STOP.contains(&word.as_str())
            || word.chars().next().is_some_and(|ch| ch.is_ascii_digit())
        {
            break;
        }
        skills.push(word.trim_end_matches(['.', ';', '!']).to_string());
        end += piece.len();
    }
    c.blank(start..end);
    skills
}

/// Command words that start a second request after "and"/"then".
const COMMAND_STARTS: &[&str] = &[
    "create",
    "add",
    "make",
    "mark",
    "start",
    "give",
    "assign",
    "reassign",
    "show",
    "list",
    "set",
    "close",
    "complete",
    "finish",
    "delete",
    "remove",
    "tag",
    "bump",
    "move",
    "search",
    "find",
    "what",
    "what's",
    "who",
    "which",
    "update",
    "change",
    "rename",
    "put",
    "let",
    "have",
    "drop",
    "raise",
    "hand",
    "log",
    "schedule",
    "push",
    "postpone",
    "reschedule",
    "describe",
    "train",
    "compare",
    "explain",
    "promote",
    "register",
    "profile",
    "check",
    "tell",
];

/// Splits on ";", "then", "and then", and on "and", "also", a dash or the
/// end of a sentence before a new command
/// ("… and assign it to Dave" stays: "it" is the task just made).
/// The start of a parallel request after "and": "for dave to …", "one for erin to …".
static PARALLEL: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:one\s+|another\s+)?for\s+@?[\w<>@]+\s+to\s+\w"));

fn split(text: &str) -> Vec<String> {
    static SEP: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i)\s*(?:;|[.?!]\s|\s)\s*(?:and\s+then|then|and|also)\s+|\s*;\s*|\s+[—–]\s+|[.?!]\s+")
    });
    let mut clauses = Vec::new();
    let mut start = 0;
    // "… for bob to X and for dave to Y": the second request shares the first's opening.
    let mut lead = String::new();
    for m in SEP.find_iter(text) {
        let rest = text[m.end()..].to_lowercase();
        let this = &text[start..m.start()];
        let parallel = PARALLEL
            .is_match(&rest)
            .then(|| this.to_lowercase().find(" for "))
            .flatten();
        if let Some(at) = parallel {
            clauses.push(format!("{lead}{this}"));
            lead = this[..at + 1].to_string();
            let skip = rest.len()
                - rest
                    .trim_start_matches("one ")
                    .trim_start_matches("another ")
                    .len();
            start = m.end() + skip;
            continue;
        }
        let next: Vec<String> = text[m.end()..]
            .split_whitespace()
            .take(2)
            .map(str::to_lowercase)
            .collect();
        // "create a task to X and assign it to Dave" is one request: "it" is
        // the task being made. After any other request, "and assign it" is another.
        let about_new_task = next
            .get(1)
            .is_some_and(|w| ["it", "them", "that"].contains(&w.as_str()))
            && cued(&text[start..m.start()]).any(|tool| tool == "create_task");
        let is_command = next
            .first()
            .is_some_and(|w| COMMAND_STARTS.contains(&w.as_str()))
            && !about_new_task;
        let hard = m.as_str().contains(';') || m.as_str().to_lowercase().contains("then");
        if (hard || is_command) && !text[start..m.start()].trim().is_empty() {
            clauses.push(format!("{lead}{}", &text[start..m.start()]));
            lead.clear();
            start = m.end();
        }
    }
    clauses.push(format!("{lead}{}", &text[start..]));
    clauses
        .into_iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

/// Sets argument `k` to `v` in `args`: how the argument builders fill a call.
fn setter(args: &mut Map<String, Value>) -> impl FnMut(&str, Value) + '_ {
    move |k, v| {
        args.insert(k.to_string(), v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_teammate_who_must_do_something_new_gets_a_task() {
        let platform = Platform::in_memory(maestro_tools::Clock::System).unwrap();
        maestro_tools::import::load_demo(&platform).unwrap();
        let lex = Lexicon::of(&platform, Some("Alice Johnson"), chrono::Utc::now());
        assert!(person_must(
            "erin has to finalize the new logo by monday",
            &lex
        ));
        assert!(person_must("dave should patch the bastion hosts", &lex));
        assert!(!person_must("dave should take task 3", &lex), "assigning");
        assert!(
            !person_must("zed should patch the hosts", &lex),
            "nobody on the team"
        );
        assert!(!person_must("the hosts should be patched", &lex));
    }

    #[test]
    fn splits_only_between_commands() {
        assert_eq!(
            split("mark task 4 done and start task 3"),
            ["mark task 4 done", "start task 3"]
        );
        assert_eq!(
            split("fix the login and signup pages"),
            ["fix the login and signup pages"]
        );
        assert_eq!(
            split("create a task and assign it to Dave"),
            ["create a task and assign it to Dave"]
        );
        assert_eq!(
            split("who knows sql? and what is Carol doing"),
            ["who knows sql", "what is Carol doing"]
        );
        assert_eq!(split("a; then b"), ["a", "b"]);
        assert_eq!(
            split("finished the safari bug — show me my open tasks"),
            ["finished the safari bug", "show me my open tasks"]
        );
        assert_eq!(
            split("who knows postgres? also what's dave working on"),
            ["who knows postgres", "what's dave working on"]
        );
        assert_eq!(
            split("safari users can't upload avatars. website, high priority"),
            ["safari users can't upload avatars. website, high priority"]
        );
        assert_eq!(
            split("add tasks for bob to write the FAQ and for dave to patch the kernel"),
            [
                "add tasks for bob to write the FAQ",
                "add tasks for dave to patch the kernel"
            ]
        );
        assert_eq!(
            split("make a task for erin to fix it and one for carol to test it"),
            [
                "make a task for erin to fix it",
                "make a task for carol to test it"
            ]
        );
        assert_eq!(
            split("a task for bob to review the login and signup pages"),
            ["a task for bob to review the login and signup pages"]
        );
    }

    #[test]
    fn titles_lose_command_words_only() {
        assert_eq!(
            task_title("create a task     to fix the login bug").as_deref(),
            Some("fix the login bug")
        );
        assert_eq!(
            task_title("Todo: Order new laptops").as_deref(),
            Some("Order new laptops")
        );
        assert_eq!(
            task_title("create a task   to add VAT support").as_deref(),
            Some("add VAT support")
        );
        assert_eq!(
            task_title("log a task: the iOS build fails").as_deref(),
            Some("the iOS build fails")
        );
        assert_eq!(
            task_title("remind me to call the vendor, thanks!").as_deref(),
            Some("call the vendor")
        );
        assert_eq!(task_title("create a   task").as_deref(), None);
        assert_eq!(
            task_title("task pls: prep the slides").as_deref(),
            Some("prep the slides")
        );
        assert_eq!(
            task_title("one more : add pull-to-refresh").as_deref(),
            Some("add pull-to-refresh")
        );
    }
}
