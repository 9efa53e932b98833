//! The work-intelligence tools: `recommend_assignee`, `predict_duration`,
//! `assess_risk`, `project_timeline`, `detect_anomalies`, `workload_report`.
//! Each works from the workspace's own history through [`Insight`], and falls
//! back honestly (saying so) when there is too little of it.

use std::sync::Arc;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use crate::chart;
use crate::insight::{Insight, Member, Suggestion, WorkItem, Workload, business_days, workload};
use crate::tool::{Context, Display, Effect, Table, ToolError, ToolOutput, TypedTool};
use maestro_store::TaskFilter;

/// The workspace as the models see it now.
pub(crate) struct Snapshot {
    /// Every task, in creation order, with expected hours when there are models.
    pub items: Vec<WorkItem>,
    /// The team.
    pub team: Vec<Member>,
    /// The models, or why there are none.
    pub insight: Result<Arc<Insight>, String>,
    /// Today.
    pub today: NaiveDate,
    /// Everyone's open work today (computed once).
    open_today: Workload,
}

impl Snapshot {
    pub(crate) fn take(ctx: &Context<'_>) -> Result<Self, ToolError> {
        let store = ctx.platform.store();
        let mut tasks = store.list_tasks(&TaskFilter::default())?;
        tasks.sort_by_key(|t| (t.created_at, t.id));
        let mut items: Vec<WorkItem> = tasks.iter().map(WorkItem::from_task).collect();
        let team: Vec<Member> = store.list_people()?.iter().map(Member::from).collect();
        let insight = ctx
            .platform
            .insight(&items, &team)
            .map_err(|e| e.to_string());
        if let Ok(models) = &insight {
            models.annotate(&mut items);
        }
        let today = ctx.now.date_naive();
        Ok(Self {
            open_today: workload(&items, today),
            items,
            team,
            insight,
            today,
        })
    }

    /// The item of task `id`.
    pub(crate) fn item(&self, tool: &str, id: i64) -> Result<WorkItem, ToolError> {
        self.items
            .iter()
            .find(|i| i.id == Some(id))
            .cloned()
            .ok_or_else(|| ToolError::invalid(tool, "id", format!("there is no task #{id}")))
    }

    /// Open work today, leaving out task `except`.
    pub(crate) fn open(&self, except: Option<i64>) -> Workload {
        match self
            .items
            .iter()
            .find(|i| except.is_some() && i.id == except)
        {
            Some(item) => self.open_today.without(item, self.today),
            None => self.open_today.clone(),
        }
    }

    /// A note on what the figures rest on.
    fn basis(&self) -> String {
        match &self.insight {
            Ok(m) => format!("learnt from {} completed tasks", m.trained_on),
            Err(why) => format!("no model yet: {why}"),
        }
    }
}

/// The task named by `id`, or a new one described by `title`.
fn subject(
    tool: &str,
    snapshot: &Snapshot,
    id: Option<i64>,
    title: Option<&str>,
) -> Result<WorkItem, ToolError> {
    match (id, title.map(str::trim).filter(|t| !t.is_empty())) {
        (Some(id), _) => snapshot.item(tool, id),
        (None, Some(title)) => Ok(WorkItem::described(title, snapshot.today)),
        (None, None) => Err(ToolError::invalid(
            tool,
            "id",
            "name a task by its number, or describe the work in `title`",
        )),
    }
}

/// Arguments of `recommend_assignee`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendArgs {
    /// An existing task's number.
    pub id: Option<i64>,
    /// Or: the work described in words.
    pub title: Option<String>,
    /// How many people to list (default 3).
    pub limit: Option<usize>,
}

/// Ranks the team for a task.
pub struct RecommendAssignee;

impl TypedTool for RecommendAssignee {
    type Args = RecommendArgs;
    const NAME: &'static str = "recommend_assignee";
    const DESCRIPTION: &'static str = "Suggest who should take a task, ranked, with reasons: similar work they completed, skills, open workload against capacity, speed.";
    const EXAMPLES: &'static [&'static str] = &[
        "who should take 'migrate the billing service to Postgres'?",
        "who is the best person for task 7",
        "who would be best to fix the flaky checkout tests",
        "recommend an assignee for task 12",
        "suggest someone for the dashboard task",
        "who's best placed to handle the SSO integration",
        "who can take on the search index work",
        "find the right person for task 3",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "who should (take|do|own|pick up|work on) {id:task}",
        "(who's|who is) (best|the best fit|the right person) (for|to take) {id:task}",
        "who should (do|own|handle) {title:title}",
        "(suggest|recommend) (someone|an assignee|a person) for {id:task}",
        "top {limit:number} candidates for {id:task}",
        "who (would be|is) best (for|at) {title:title}",
        "who('d| would) be (good|best|right|a good fit) for '{title:title}'",
        "who('d| would) be (good|best|right|a good fit) for {id:task}",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: RecommendArgs) -> Result<ToolOutput, ToolError> {
        let snapshot = Snapshot::take(ctx)?;
        let mut item = subject(Self::NAME, &snapshot, a.id, a.title.as_deref())?;
        item.assignee = None;
        let ranked = rank(&snapshot, &item, a.id)?;
        let shown: Vec<&Suggestion> = ranked.iter().take(a.limit.unwrap_or(3).max(1)).collect();
        let mut table = Table::new(&["#", "person", "fit", "why"]);
        for (i, s) in shown.iter().enumerate() {
            table.rows.push(vec![
                (i + 1).to_string(),
                s.name.clone(),
                format!("{:.0}%", 100.0 * s.score),
                s.reasons.join("; "),
            ]);
        }
        let best = shown[0];
        let summary = format!(
            "{} looks best for “{}”: {} ({}).",
            best.name,
            short(&item.text),
            best.reasons.join("; "),
            snapshot.basis()
        );
        Ok(ToolOutput::new(
            summary,
            json!({"task": item.id, "title": item.text, "suggestions": shown, "basis": snapshot.basis()}),
        )
        .with(Display::Table(table)))
    }
}

/// The team ranked for `item`: by the models, or by skills and free capacity.
pub(crate) fn rank(
    snapshot: &Snapshot,
    item: &WorkItem,
    except: Option<i64>,
) -> Result<Vec<Suggestion>, ToolError> {
    if snapshot.team.is_empty() {
        return Err(ToolError::invalid(
            "recommend_assignee",
            "team",
            "nobody is on the team yet; add people first",
        ));
    }
    let open = snapshot.open(except);
    if let Ok(models) = &snapshot.insight {
        return Ok(models.suggest(item, &open));
    }
    let words = item.tokens();
    let mut ranked: Vec<Suggestion> = snapshot
        .team
        .iter()
        .map(|m| {
            let skilled = m
                .skills
                .iter()
                .any(|s| words.iter().any(|w| w.trim_start_matches('#') == s));
            let free = (m.capacity - open.estimated(&m.name)).max(0.0) / m.capacity;
            let mut reasons = vec![format!(
                "{:.0} h open of {:.0} h/week",
                open.estimated(&m.name),
                m.capacity
            )];
            if skilled {
                reasons.insert(0, format!("skills: {}", m.skills.join(", ")));
            }
            Suggestion {
                name: m.name.clone(),
                score: f64::from(skilled) + free,
                reasons,
            }
        })
        .collect();
    let total: f64 = ranked
        .iter()
        .map(|s| s.score)
        .sum::<f64>()
        .max(f64::EPSILON);
    ranked.iter_mut().for_each(|s| s.score /= total);
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(ranked)
}

/// Arguments of `predict_duration`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DurationArgs {
    /// An existing task's number.
    pub id: Option<i64>,
    /// Or: the work described in words.
    pub title: Option<String>,
    /// The estimate in hours, for work described in words.
    pub estimate_hours: Option<f64>,
    /// Who would do it, for work described in words.
    pub assignee: Option<String>,
}

/// Predicts how long a task will take.
pub struct PredictDuration;

impl TypedTool for PredictDuration {
    type Args = DurationArgs;
    const NAME: &'static str = "predict_duration";
    const DESCRIPTION: &'static str = "Predict how many hours a task will take, with an 80% interval, from the history of similar work and who does it.";
    const EXAMPLES: &'static [&'static str] = &[
        "how long will task 231 take?",
        "how many hours will the billing migration need",
        "estimate the duration of task 5",
        "how long would it take Bob to fix the login bug",
        "predict the effort for the dashboard task",
        "when will task 9 be done, effort-wise",
        "how much work is the push notifications task",
        "how long does something like 'write the runbook' take",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "how long will {id:task} take",
        "how (many hours|much time) (will|would) {id:task} (take|need)",
        "how long would it take {assignee:person} to {title:title}",
        "(predict|forecast) the duration of {id:task}",
        "how long (is|will) {id:task} (going to|gonna) take [realistically]",
        "how long (does|would) {title:title} take [, estimate {estimate_hours:hours}]",
        "(ETA|eta|estimate|how many hours|how many hrs) (for|on) {id:task}",
        "(realistically|honestly) how (many hours|many hrs|long) (is|are|will) {id:task}",
        "{person} (thinks|says|reckons) '{title:title}' is (a|an) {estimate_hours:hours} (job|task), (sanity check|is that right|realistic)",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: DurationArgs) -> Result<ToolOutput, ToolError> {
        let snapshot = Snapshot::take(ctx)?;
        let mut item = subject(Self::NAME, &snapshot, a.id, a.title.as_deref())?;
        if a.id.is_none() {
            item.estimate = a.estimate_hours;
            item.assignee = a
                .assignee
                .as_deref()
                .map(|n| ctx.platform.lookup(ctx.actor).person(n))
                .transpose()?
                .map(|p| p.name);
        }
        let who = item
            .assignee
            .clone()
            .unwrap_or_else(|| "whoever takes it".into());
        let (summary, data) = match &snapshot.insight {
            Ok(models) => {
                let e = models.estimate(&item, &snapshot.open(a.id));
                let against = item
                    .estimate
                    .map(|x| format!(" (estimated {x:.1} h)"))
                    .unwrap_or_default();
                (
                    format!(
                        "“{}” should take about {:.1} h for {who}{against}; 80% of the time between {:.1} and {:.1} h ({}).",
                        short(&item.text),
                        e.hours,
                        e.low,
                        e.high,
                        snapshot.basis()
                    ),
                    json!({"task": item.id, "hours": e.hours, "low": e.low, "high": e.high, "estimate_hours": item.estimate, "assignee": item.assignee, "basis": snapshot.basis()}),
                )
            }
            Err(_) => match item.estimate {
                Some(x) => (
                    format!(
                        "Going by the estimate: {x:.1} h for “{}” ({}; the estimate is used as it is).",
                        short(&item.text),
                        snapshot.basis()
                    ),
                    json!({"task": item.id, "hours": x, "low": null, "high": null, "estimate_hours": x, "assignee": item.assignee, "basis": snapshot.basis()}),
                ),
                None => {
                    return Err(ToolError::invalid(
                        Self::NAME,
                        "estimate_hours",
                        format!("there is no estimate to go by and {}", snapshot.basis()),
                    ));
                }
            },
        };
        Ok(ToolOutput::new(summary, data))
    }
}

/// Arguments of `assess_risk`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskArgs {
    /// One task's number; without it, open tasks with a due date are ranked.
    pub id: Option<i64>,
    /// Only this project's tasks.
    pub project: Option<String>,
    /// How many tasks to list (default 10).
    pub limit: Option<usize>,
}

/// Says which tasks may miss their due date.
pub struct AssessRisk;

impl TypedTool for AssessRisk {
    type Args = RiskArgs;
    const NAME: &'static str = "assess_risk";
    const DESCRIPTION: &'static str = "Estimate the chance that open tasks miss their due date, with the main reasons; ranks the riskiest tasks of a project or the workspace.";
    const EXAMPLES: &'static [&'static str] = &[
        "which tasks are at risk of missing their deadline this sprint?",
        "is task 9 going to be late?",
        "what's likely to slip in the mobile app project",
        "risk assessment for the billing project",
        "will we hit the deadline on task 2",
        "which deadlines are in danger",
        "show me the riskiest tasks",
        "is the dashboard task on track",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(will|is) {id:task} (be late|going to slip|at risk|on track|going to be late)",
        "(what's|what is) the risk (on|of|for) {id:task}",
        "which tasks (are|might be) (at risk|likely to slip|going to be late) [in {project:project}]",
        "(risk report|at-risk tasks|deadline risk) [for {project:project}]",
        "top {limit:number} (riskiest tasks|tasks most likely to miss their deadline)",
        "is anything in {project:project} (at risk|likely to slip)",
        "(will|could) {id:task} miss (its|the) (deadline|due date)",
        "(is|will) {id:task} (gonna|going to) (land|ship|finish|be done) on time",
        "(is|are) we (gonna|going to) (make|hit|miss) the (deadline|date) (on|for) {id:task}",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: RiskArgs) -> Result<ToolOutput, ToolError> {
        let snapshot = Snapshot::take(ctx)?;
        let models = snapshot.insight.as_ref().map_err(|why| {
            ToolError::invalid(
                Self::NAME,
                "history",
                format!("{why}; until then, `list overdue tasks` shows what is already late"),
            )
        })?;
        if !models.knows_lateness() {
            return Err(ToolError::invalid(
                Self::NAME,
                "history",
                "no finished task had a due date, so there is nothing to learn lateness from; `list overdue tasks` shows what is already late",
            ));
        }
        let candidates: Vec<WorkItem> = match a.id {
            Some(id) => vec![snapshot.item(Self::NAME, id)?],
            None => snapshot
                .items
                .iter()
                .filter(|i| i.completed.is_none() && i.due.is_some())
                .filter(|i| {
                    a.project.as_deref().is_none_or(|p| {
                        i.project
                            .as_deref()
                            .is_some_and(|q| q.eq_ignore_ascii_case(p))
                    })
                })
                .cloned()
                .collect(),
        };
        let mut assessed: Vec<(WorkItem, crate::insight::RiskAssessment)> = candidates
            .into_iter()
            .filter_map(|item| {
                let open = snapshot.open(item.id);
                let r = models.risk(&item, &open, snapshot.today)?;
                Some((item, r))
            })
            .collect();
        if assessed.is_empty() {
            let what = match (a.id, &a.project) {
                (Some(id), _) => format!("task #{id} has no due date, so it cannot be late"),
                (None, Some(p)) => format!("no open task in {p} has a due date"),
                (None, None) => "no open task has a due date".into(),
            };
            return Ok(ToolOutput::new(
                format!("Nothing to assess: {what}."),
                json!([]),
            ));
        }
        assessed.sort_by(|x, y| y.1.probability.total_cmp(&x.1.probability));
        assessed.truncate(a.limit.unwrap_or(10).max(1));
        let mut table = Table::new(&["id", "title", "assignee", "due", "risk", "why"]);
        for (item, r) in &assessed {
            table.rows.push(vec![
                item.id.map(|i| i.to_string()).unwrap_or_default(),
                short(&item.text),
                item.assignee.clone().unwrap_or_default(),
                item.due.map(|d| d.to_string()).unwrap_or_default(),
                format!("{:.0}%", 100.0 * r.probability),
                r.reasons.join("; "),
            ]);
        }
        let (top, r) = &assessed[0];
        let summary = format!(
            "{} “{}” is the most at risk: {:.0}% chance of missing {} ({}).",
            top.id.map(|i| format!("Task #{i}")).unwrap_or_default(),
            short(&top.text),
            100.0 * r.probability,
            top.due.map(|d| d.to_string()).unwrap_or_default(),
            r.reasons.join("; ")
        );
        let data: Vec<_> = assessed
            .iter()
            .map(|(i, r)| json!({"id": i.id, "title": i.text, "assignee": i.assignee, "due": i.due, "probability": r.probability, "reasons": r.reasons}))
            .collect();
        Ok(ToolOutput::new(summary, data).with(Display::Table(table)))
    }
}

/// Arguments of `workload_report`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkloadArgs {}

/// The team's open work against capacity.
pub struct WorkloadReport;

impl TypedTool for WorkloadReport {
    type Args = WorkloadArgs;
    const NAME: &'static str = "workload_report";
    const DESCRIPTION: &'static str =
        "Show each person's open tasks, hours, capacity and overdue work.";
    const EXAMPLES: &'static [&'static str] = &[
        "show the team's workload",
        "who is overloaded?",
        "how busy is everyone",
        "workload report",
        "who has capacity for more work",
        "how loaded is the team this week",
        "show everyone's open hours",
        "is anyone swamped",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(who's|who is) (overloaded|swamped|drowning|busy|at capacity)",
        "(show|give me) the workload [report]",
        "(how|what)('s| is) the team's (workload|capacity)",
        "who has (the most|too much|too little) work",
        "who has (capacity|room|bandwidth) [for more]",
        "(workload|capacity) (report|overview) [pls]",
        "how (slammed|busy|loaded|stretched|swamped|booked) is (everyone|the team|{person}) [this week|right now]",
        "(is|are) (anyone|{person}) (overloaded|slammed|stretched thin|maxed out)",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, _: WorkloadArgs) -> Result<ToolOutput, ToolError> {
        let snapshot = Snapshot::take(ctx)?;
        let open = snapshot.open(None);
        let mut table = Table::new(&[
            "person",
            "open tasks",
            "estimated h",
            "expected h",
            "h/week",
            "weeks of work",
            "overdue",
        ]);
        let mut rows = Vec::new();
        for m in &snapshot.team {
            let mine: Vec<&WorkItem> = snapshot
                .items
                .iter()
                .filter(|i| i.completed.is_none())
                .filter(|i| {
                    i.assignee
                        .as_deref()
                        .is_some_and(|a| a.eq_ignore_ascii_case(&m.name))
                })
                .collect();
            let overdue = mine
                .iter()
                .filter(|i| i.due.is_some_and(|d| d < snapshot.today))
                .count();
            let weeks = open.expected(&m.name) / m.capacity;
            rows.push(json!({"person": m.name, "open_tasks": mine.len(), "estimated_hours": open.estimated(&m.name),
                "expected_hours": open.expected(&m.name), "capacity": m.capacity, "weeks_of_work": weeks, "overdue": overdue}));
            table.rows.push(vec![
                m.name.clone(),
                mine.len().to_string(),
                format!("{:.1}", open.estimated(&m.name)),
                format!("{:.1}", open.expected(&m.name)),
                format!("{:.0}", m.capacity),
                format!("{weeks:.1}"),
                overdue.to_string(),
            ]);
        }
        let busiest = rows.iter().max_by(|a, b| {
            let weeks = |v: &serde_json::Value| v["weeks_of_work"].as_f64().unwrap_or(0.0);
            weeks(a).total_cmp(&weeks(b))
        });
        let summary = match busiest {
            Some(b) => format!(
                "{} people; the busiest is {} with {:.1} week(s) of open work. Expected hours are {}.",
                rows.len(),
                b["person"].as_str().unwrap_or_default(),
                b["weeks_of_work"].as_f64().unwrap_or_default(),
                match &snapshot.insight {
                    Ok(_) => "the models' predictions".to_string(),
                    Err(_) => "the estimates (no model yet)".to_string(),
                }
            ),
            None => "Nobody is on the team yet.".into(),
        };
        let bars: Vec<(String, f64, f64)> = snapshot
            .team
            .iter()
            .map(|m| (m.name.clone(), open.expected(&m.name), m.capacity))
            .collect();
        let mut out = ToolOutput::new(summary, rows).with(Display::Table(table));
        if !bars.is_empty() {
            let png = chart::bars(
                "Open work against weekly capacity",
                "hours",
                &bars,
                ("open (expected h)", "capacity (h/week)"),
            )
            .map_err(|e| ToolError::invalid(Self::NAME, "chart", e.to_string()))?;
            out = out.with(Display::Chart {
                title: "Team workload".into(),
                png,
            });
        }
        Ok(out)
    }
}

/// Arguments of `detect_anomalies`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnomalyArgs {
    /// Only this project.
    pub project: Option<String>,
}

/// Finds what looks wrong: stuck tasks, overload, estimates far off.
pub struct DetectAnomalies;

impl TypedTool for DetectAnomalies {
    type Args = AnomalyArgs;
    const NAME: &'static str = "detect_anomalies";
    const DESCRIPTION: &'static str = "Find what looks unusual: tasks stuck far longer than similar ones, people with far more open work than capacity, estimates far off.";
    const EXAMPLES: &'static [&'static str] = &[
        "anything unusual in the platform project lately?",
        "are any tasks stuck?",
        "find anomalies",
        "what looks off in the billing project",
        "anything weird going on with the team",
        "which estimates were way off",
        "spot problems in the mobile app project",
        "is anything stalled",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "[is there] anything (unusual|weird|odd|stuck|off) [(in|with) {project:project}]",
        "(find|spot|detect|flag) anomalies [in {project:project}]",
        "(is|are) (any tasks|anything|anyone) (stuck|unusual)",
        "what looks (unusual|wrong|off) [in {project:project}]",
        "anything (fishy|sus|funky|strange) [(in|with) {project:project}]",
        "(does|do) {project:project} look (off|weird|healthy|ok) [to you]",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: AnomalyArgs) -> Result<ToolOutput, ToolError> {
        let snapshot = Snapshot::take(ctx)?;
        let in_scope = |i: &WorkItem| {
            a.project.as_deref().is_none_or(|p| {
                i.project
                    .as_deref()
                    .is_some_and(|q| q.eq_ignore_ascii_case(p))
            })
        };
        let open = snapshot.open(None);
        let mut found: Vec<(String, String, String)> = Vec::new();
        for item in snapshot.items.iter().filter(|i| in_scope(i)) {
            let label = item.id.map(|i| format!("task #{i}")).unwrap_or_default();
            if item.completed.is_none() {
                let age = business_days(item.created, snapshot.today);
                let per_day = item
                    .assignee
                    .as_deref()
                    .and_then(|a| {
                        snapshot
                            .team
                            .iter()
                            .find(|m| m.name.eq_ignore_ascii_case(a))
                    })
                    .map_or(8.0, |m| m.capacity / 5.0);
                let expected_days = item.load_hours() / per_day * 1.3 + 2.0;
                if age >= 5.0 && age > 3.0 * expected_days {
                    found.push(("stuck".into(), format!("{label} “{}”", short(&item.text)), format!(
                        "open {age:.0} working days; work like this takes about {expected_days:.0}")));
                }
            } else if let (Some(e), Some(x), Some(done)) =
                (item.estimate, item.actual, item.completed)
                && business_days(done, snapshot.today) <= 40.0
                && e > 0.0
                && !(0.4..=2.5).contains(&(x / e))
            {
                found.push((
                    "estimate off".into(),
                    format!("{label} “{}”", short(&item.text)),
                    format!("took {x:.1} h against {e:.1} h estimated ({:.1}×)", x / e),
                ));
            }
        }
        for m in &snapshot.team {
            let weeks = open.expected(&m.name) / m.capacity;
            if weeks > 1.5 {
                found.push((
                    "overloaded".into(),
                    m.name.clone(),
                    format!(
                        "{:.0} h of open work, {weeks:.1} weeks at {:.0} h/week",
                        open.expected(&m.name),
                        m.capacity
                    ),
                ));
            }
        }
        let scope = a
            .project
            .as_deref()
            .map(|p| format!(" in {p}"))
            .unwrap_or_default();
        if found.is_empty() {
            return Ok(ToolOutput::new(
                format!("Nothing unusual{scope}: no stuck tasks, overload or estimates far off."),
                json!([]),
            ));
        }
        let mut table = Table::new(&["kind", "what", "why"]);
        table.rows = found
            .iter()
            .map(|(k, w, y)| vec![k.clone(), w.clone(), y.clone()])
            .collect();
        let data: Vec<_> = found
            .iter()
            .map(|(k, w, y)| json!({"kind": k, "what": w, "why": y}))
            .collect();
        Ok(ToolOutput::new(
            format!("{} thing(s) look unusual{scope}.", found.len()),
            data,
        )
        .with(Display::Table(table)))
    }
}

/// Arguments of `project_timeline`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineArgs {
    /// The project.
    pub project: String,
}

/// Forecasts when a project's open work will be finished.
pub struct ProjectTimeline;

/// Simulated futures per forecast.
const RUNS: usize = 2000;

impl TypedTool for ProjectTimeline {
    type Args = TimelineArgs;
    const NAME: &'static str = "project_timeline";
    const DESCRIPTION: &'static str = "Forecast when a project will finish (P50 and P90 dates) by simulating its open tasks' durations against each assignee's capacity, with a burn-down.";
    const EXAMPLES: &'static [&'static str] = &[
        "when will the mobile app project finish?",
        "forecast the billing project",
        "what's the timeline for the website",
        "when is the platform project going to be done",
        "show the burn-down for mobile app",
        "expected finish date of the billing project",
        "when can we ship the website project",
        "project timeline for platform",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "when will {project:project} (be done|finish|ship|wrap up|be finished|launch)",
        "(forecast|timeline|eta) (for|on) {project:project}",
        "when('s| is) {project:project} (going to|gonna) (finish|ship|be done)",
        "(project timeline|finish date|completion date) for {project:project}",
        "how long until {project:project} is (done|finished|complete)",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: TimelineArgs) -> Result<ToolOutput, ToolError> {
        let snapshot = Snapshot::take(ctx)?;
        let project = ctx
            .platform
            .store()
            .list_projects()?
            .into_iter()
            .find(|p| p.eq_ignore_ascii_case(a.project.trim()))
            .ok_or_else(|| {
                ToolError::invalid(
                    Self::NAME,
                    "project",
                    format!("there is no project called {:?}", a.project),
                )
            })?;
        let lanes = lanes(&snapshot, &project);
        if lanes.is_empty() {
            return Ok(ToolOutput::new(
                format!("{project} has no open tasks: it is finished."),
                json!({"project": project, "open_tasks": 0}),
            ));
        }
        let finishes = simulate(&lanes);
        let p50 = add_business_days(snapshot.today, finishes[RUNS / 2].ceil());
        let p90 = add_business_days(snapshot.today, finishes[RUNS * 9 / 10].ceil());
        let remaining: f64 = lanes.iter().map(Lane::hours).sum();
        // Each person spends on the project its share of their open work.
        let daily: f64 = lanes
            .iter()
            .map(|l| l.daily * l.hours() / (l.hours() + l.other).max(1e-9))
            .sum();
        let burn = burn_down(snapshot.today, remaining, daily, p50);
        let tasks: usize = lanes.iter().map(|l| l.tasks.len()).sum();
        let summary = format!(
            "{project}: {tasks} open task(s), about {remaining:.0} h of work. Likely finished by {p50} (P50); {p90} to be 90% sure ({}).",
            snapshot.basis()
        );
        let (d50, d90) = (finishes[RUNS / 2], finishes[RUNS * 9 / 10]);
        let chart = chart::lines(
            &format!("{project}: burn-down"),
            "working days from today",
            "open hours",
            &[
                ("P50", vec![(0.0, remaining), (d50, 0.0)]),
                ("P90", vec![(0.0, remaining), (d90, 0.0)]),
            ],
        )
        .map_err(|e| ToolError::invalid(Self::NAME, "chart", e.to_string()))?;
        Ok(ToolOutput::new(summary, json!({"project": project, "open_tasks": tasks, "remaining_hours": remaining, "p50": p50, "p90": p90, "basis": snapshot.basis()}))
            .with(Display::Table(burn))
            .with(Display::Chart {
                title: format!("{project} burn-down"),
                png: chart,
            }))
    }
}

/// The project's open tasks by assignee, each with its estimate's median
/// and spread, and everyone's other open work.
fn lanes(snapshot: &Snapshot, project: &str) -> Vec<Lane> {
    let open = snapshot.open(None);
    let mut lanes: Vec<Lane> = Vec::new();
    let average_capacity =
        snapshot.team.iter().map(|m| m.capacity).sum::<f64>() / snapshot.team.len().max(1) as f64;
    for item in snapshot.items.iter().filter(|i| {
        i.completed.is_none()
            && i.project
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(project))
    }) {
        let who = item.assignee.clone().unwrap_or_else(|| "unassigned".into());
        let (median, sigma) = match &snapshot.insight {
            Ok(models) => {
                let e = models.estimate(item, &snapshot.open(item.id));
                (e.hours, ((e.high / e.low).ln() / 2.563).max(0.05))
            }
            Err(_) => (item.load_hours(), 0.4),
        };
        match lanes.iter_mut().find(|l| l.who.eq_ignore_ascii_case(&who)) {
            Some(lane) => lane.tasks.push((median, sigma)),
            None => {
                let capacity = snapshot
                    .team
                    .iter()
                    .find(|m| m.name.eq_ignore_ascii_case(&who))
                    .map_or(average_capacity, |m| m.capacity);
                lanes.push(Lane {
                    who,
                    daily: capacity / 5.0,
                    tasks: vec![(median, sigma)],
                    other: 0.0,
                });
            }
        }
    }
    for lane in &mut lanes {
        lane.other = (open.expected(&lane.who) - lane.hours()).max(0.0);
    }
    lanes
}

/// Working days until each lane is done, the slowest lane per run, over
/// `RUNS` seeded draws of every task's duration; sorted.
fn simulate(lanes: &[Lane]) -> Vec<f64> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut finishes: Vec<f64> = (0..RUNS)
        .map(|_| {
            lanes
                .iter()
                .map(|lane| {
                    let hours: f64 = lane
                        .tasks
                        .iter()
                        .map(|(m, s)| m * (s * rng.normal()).exp())
                        .sum();
                    (hours + lane.other) / lane.daily.max(0.5)
                })
                .fold(0.0, f64::max)
        })
        .collect();
    finishes.sort_by(f64::total_cmp);
    finishes
}

/// Hours left week by week at the team's pace on the project, to `p50`.
fn burn_down(today: NaiveDate, remaining: f64, daily: f64, p50: NaiveDate) -> Table {
    let mut burn = Table::new(&["week", "remaining hours (P50)"]);
    let mut left = remaining;
    let mut week = 0;
    while left > 0.0 && week < 26 {
        burn.rows.push(vec![
            add_business_days(today, 5.0 * week as f64).to_string(),
            format!("{left:.0}"),
        ]);
        left -= 5.0 * daily;
        week += 1;
    }
    burn.rows.push(vec![p50.to_string(), "0".into()]);
    burn
}

/// One person's share of a project in the simulation.
struct Lane {
    /// The assignee ("unassigned" for tasks nobody has).
    who: String,
    /// Hours they work a day.
    daily: f64,
    /// The project's open tasks: (median hours, log-normal sigma).
    tasks: Vec<(f64, f64)>,
    /// Their other open work, in expected hours.
    other: f64,
}

impl Lane {
    /// The project's hours in this lane (medians).
    fn hours(&self) -> f64 {
        self.tasks.iter().map(|t| t.0).sum()
    }
}

/// `days` working days after `from`.
pub(crate) fn add_business_days(from: NaiveDate, days: f64) -> NaiveDate {
    let mut d = from;
    // At most ten years ahead, whatever the simulation says.
    let mut left = days.clamp(0.0, 2600.0) as i64;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if chrono::Datelike::weekday(&d).num_days_from_monday() < 5 {
            left -= 1;
        }
    }
    d
}

/// A small deterministic generator (xorshift) for the simulations.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The first words of a task's text.
fn short(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}
