//! The recurring-task tools: create, list, update and cancel rules from
//! which the scheduler creates tasks.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::rule::Rule;
use crate::tool::{Context, Display, Effect, Table, ToolError, ToolOutput, TypedTool};
use crate::work::{check_hours, check_task_text};
use maestro_store::{Priority, StoredRule};

/// The most days ahead of its day an occurrence can be created.
const LEAD_DAYS_MAX: u32 = 365;

/// A recurring task's definition, as the store keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecurringSpec {
    /// Each occurrence's title.
    pub title: String,
    /// Who each occurrence is for.
    pub assignee: Option<String>,
    /// Each occurrence's project.
    pub project: Option<String>,
    /// Each occurrence's priority.
    pub priority: Option<Priority>,
    /// Each occurrence's tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Each occurrence's estimate.
    pub estimate_hours: Option<f64>,
    /// The RRULE, canonical.
    pub rule: String,
    /// The IANA time zone the rule's days and hours are in.
    pub timezone: String,
    /// How many days before its day an occurrence is created.
    #[serde(default)]
    pub lead_days: u32,
    /// The first day occurrences may fall on (the day it was created).
    pub start: NaiveDate,
    /// Who set it up.
    pub created_by: Option<String>,
    /// Cancelled for good (a paused rule can be resumed; a cancelled one cannot).
    #[serde(default)]
    pub cancelled: bool,
}

/// A recurring task as listings show it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Recurring {
    /// Number.
    pub id: i64,
    /// Each occurrence's title.
    pub title: String,
    /// Who each occurrence is for.
    pub assignee: Option<String>,
    /// The RRULE.
    pub rule: String,
    /// The rule in words.
    pub schedule: String,
    /// The IANA time zone of the rule.
    pub timezone: String,
    /// The next day an occurrence is due (none when the rule has ended or is not active).
    pub next_due: Option<NaiveDate>,
    /// Whether the scheduler creates its occurrences.
    pub active: bool,
    /// Days before its day each occurrence is created.
    pub lead_days: u32,
    /// Each occurrence's project.
    pub project: Option<String>,
    /// Each occurrence's priority.
    pub priority: Option<Priority>,
    /// Each occurrence's tags.
    pub tags: Vec<String>,
}

impl RecurringSpec {
    /// The spec of a stored rule.
    pub fn of(stored: &StoredRule) -> Result<Self, ToolError> {
        serde_json::from_value(stored.spec.clone()).map_err(|e| {
            ToolError::Store(maestro_store::StoreError::Unusable(format!(
                "recurring task {} is damaged ({e}); cancel it and create it again",
                stored.id
            )))
        })
    }

    /// The checked rule and zone.
    pub fn schedule(&self) -> Result<(Rule, Tz), String> {
        let rule = Rule::parse(&self.rule)?;
        let zone = parse_zone(&self.timezone)?;
        Ok((rule, zone))
    }

    /// The day of the first occurrence not yet past at `now`: one on a day
    /// counts until the day ends, one at a time of day until that time.
    pub fn next_due(&self, now: DateTime<Utc>) -> Option<NaiveDate> {
        let (rule, zone) = self.schedule().ok()?;
        let local = now.with_timezone(&zone);
        let from = local.date_naive().max(self.start);
        let to = from + chrono::Days::new(800);
        let to = rule.until().map_or(to, |until| until.min(to));
        if to < from {
            return None;
        }
        rule.expand(zone, self.start, from, to)
            .ok()?
            .into_iter()
            .find(|at| !rule.has_time() || *at >= local)
            .map(|at| at.date_naive())
    }
}

/// An IANA time zone name (in any case), or a city exactly one zone is named
/// after ("Berlin", "new york"), checked.
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    let name = name.trim();
    let any_case = || {
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|z| z.name().eq_ignore_ascii_case(name))
            .copied()
    };
    // "Berlin", "new york": the one zone named after that city.
    let city = || {
        let wanted = name.replace(' ', "_");
        let mut zones = chrono_tz::TZ_VARIANTS.iter().filter(|z| {
            z.name()
                .rsplit('/')
                .next()
                .is_some_and(|c| c.eq_ignore_ascii_case(&wanted))
        });
        match (zones.next(), zones.next()) {
            (Some(zone), None) => Some(*zone),
            _ => None,
        }
    };
    name.parse::<Tz>()
        .ok()
        .or_else(any_case)
        .or_else(city)
        .ok_or_else(|| {
        format!("{name:?} is not a time zone; give an IANA name such as Europe/Berlin, America/New_York or UTC, or a city such as Berlin")
    })
}

/// The listing of a stored rule, its next day counted from `now` in its zone.
pub fn recurring_view(stored: &StoredRule, now: DateTime<Utc>) -> Result<Recurring, ToolError> {
    let spec = RecurringSpec::of(stored)?;
    let schedule = match spec.schedule() {
        Ok((rule, _)) => rule.describe(),
        Err(e) => format!("unreadable rule: {e}"),
    };
    Ok(Recurring {
        id: stored.id,
        next_due: stored.active.then(|| spec.next_due(now)).flatten(),
        title: spec.title,
        assignee: spec.assignee,
        rule: spec.rule,
        schedule,
        timezone: spec.timezone,
        active: stored.active,
        lead_days: spec.lead_days,
        project: spec.project,
        priority: spec.priority,
        tags: spec.tags,
    })
}

/// Arguments of `create_recurring_task`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRecurringArgs {
    /// What each occurrence is, e.g. "send the status report".
    pub title: String,
    /// Who does it ("me" for the speaker).
    pub assignee: Option<String>,
    /// Project name.
    pub project: Option<String>,
    /// Priority of each occurrence.
    pub priority: Option<Priority>,
    /// Tags of each occurrence.
    pub tags: Option<Vec<String>>,
    /// Estimated hours of each occurrence.
    pub estimate_hours: Option<f64>,
    /// RFC 5545 RRULE, e.g. "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0" (every Monday at 9:00).
    pub rule: String,
    /// IANA time zone of the rule (default: the assignee's, else the
    /// workspace's `timezone` setting).
    pub timezone: Option<String>,
    /// Create each occurrence this many days before its day (default 0: on the day).
    pub lead_days: Option<u32>,
}

/// Creates a recurring task.
pub struct CreateRecurringTask;

impl TypedTool for CreateRecurringTask {
    type Args = CreateRecurringArgs;
    const NAME: &'static str = "create_recurring_task";
    const DESCRIPTION: &'static str = "Set up a recurring task (a repeating chore or routine): the scheduler creates one task per occurrence of an RRULE, in a time zone, optionally some days ahead.";
    const EXAMPLES: &'static [&'static str] = &[
        "remind me every monday to send the status report",
        "every Friday at 4pm Bob should back up the design files",
        "create a recurring task to pay the invoices on the 1st of every month",
        "set up a weekly task for Dave to rotate the logs",
        "every other Tuesday, review the sprint board",
        "each quarter, renew the compliance checklist",
        "every weekday at 9 check the support inbox",
        "on the last day of each month close the books, two days ahead",
        "repeat every 2 weeks: water the office plants",
        "schedule a recurring high priority task for Carol to refresh the dashboards every morning",
        "make a monthly task to review cloud costs until June",
        "every Monday and Thursday at 10:30 Berlin time, sync with the vendor",
        "first Monday of every month: plan the sprint",
        "add a yearly task on March 31 to file the tax return",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "remind ({assignee:person}|{assignee:me_object}) {rule:rule} to {title:title}",
        "(set up|create|add|make) a (recurring|repeating) (task|todo|chore) (to|for) {title:title}",
        "(set up|create|add|make|schedule|start) a (recurring|repeating) (task|todo|chore|job) to {title:title} {rule:rule}",
        "(set up|create|add|make|schedule) a (recurring|repeating) (task|todo|chore) for {assignee:person} to {title:title} {rule:rule}",
        "(set up|create|add|make|schedule) a (recurring|repeating) (task|todo|chore): {title:title}<{rule:rule}|(for|assign to|give it to) {assignee:person}|{priority:priority}|[in] {project:project}|(tags|tag it) {tags:tags}>",
        "{rule:rule}[,] {title:title}",
        "{rule:rule}[,] {assignee:person} (should|needs to|has to|must|will) {title:title}",
        "{assignee:person} (should|needs to|has to|must) {title:title} {rule:rule}",
        "(can you|pls|please|could you|) (set up|schedule|create|add) a task to {title:title} {rule:rule}<(for|assign to) {assignee:person}|{priority:priority}|[in] {project:project}|(tags|tag it) {tags:tags}|(create it|add it|make it) {lead_days:number} days (ahead|early|before)>",
        "(repeat|recurring|repeating) {rule:rule}: {title:title}",
        "(i need to|i have to|we need to|someone needs to) {title:title} {rule:rule}",
        "{title:title} (-|—|:) {rule:rule}[, for {assignee:person}]",
        "(add|create|make) a {priority:priority} (recurring|repeating) task for {assignee:person} to {title:title} {rule:rule}",
        "{rule:rule} (remind|ping|nudge) {assignee:person} to {title:title}",
        "{assignee:person} (-|:|,) {rule:rule} {title:title}",
        "(set up|schedule) a {rule:rule} (task|todo|chore|reminder) (to|for) {title:title}",
    ];
    const EFFECT: Effect = Effect::Write;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(Recurring));

    fn run(&self, ctx: &Context<'_>, a: CreateRecurringArgs) -> Result<ToolOutput, ToolError> {
        if a.title.trim().is_empty() {
            return Err(ToolError::invalid(
                Self::NAME,
                "title",
                "say what each occurrence is, e.g. \"send the status report\"",
            ));
        }
        check_task_text(
            Self::NAME,
            Some(&a.title),
            None,
            a.project.as_deref(),
            a.tags.as_deref(),
        )?;
        let assignee = a
            .assignee
            .as_deref()
            .map(|n| ctx.platform.lookup(ctx.actor).person(n))
            .transpose()?;
        let timezone = match (
            a.timezone,
            assignee.as_ref().and_then(|p| p.timezone.clone()),
        ) {
            (Some(zone), _) | (None, Some(zone)) => zone,
            (None, None) => ctx.platform.workspace_settings()?.zone.name().to_string(),
        };
        let assignee = assignee.map(|p| p.name);
        let zone =
            parse_zone(&timezone).map_err(|e| ToolError::invalid(Self::NAME, "timezone", e))?;
        let spec = RecurringSpec {
            title: a.title.trim().to_string(),
            assignee,
            project: a.project,
            priority: a.priority,
            tags: a.tags.unwrap_or_default(),
            estimate_hours: check_hours(Self::NAME, "estimate_hours", a.estimate_hours)?,
            rule: checked_rule(Self::NAME, &a.rule)?,
            timezone: zone.name().to_string(),
            lead_days: checked_lead(Self::NAME, a.lead_days)?.unwrap_or(0),
            start: ctx.now.with_timezone(&zone).date_naive(),
            created_by: ctx.actor.map(str::to_string),
            cancelled: false,
        };
        if spec.next_due(ctx.now).is_none() {
            return Err(ToolError::invalid(
                Self::NAME,
                "rule",
                format!(
                    "{} has no occurrence from today on; give a later UNTIL or a larger COUNT",
                    spec.rule
                ),
            ));
        }
        let stored = ctx.platform.store().add_rule(&to_json(&spec), ctx.now)?;
        let view = recurring_view(&stored, ctx.now)?;
        let summary = format!(
            "Recurring task {}: “{}”{}, {} ({}){}.",
            view.id,
            view.title,
            view.assignee
                .as_ref()
                .map(|a| format!(" for {a}"))
                .unwrap_or_default(),
            view.schedule,
            view.timezone,
            next_words(&view),
        );
        Ok(ToolOutput::new(summary, &view))
    }
}

/// Arguments of `list_recurring`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRecurringArgs {
    /// Only those for this person ("me" for the speaker).
    pub assignee: Option<String>,
}

/// Lists recurring tasks.
pub struct ListRecurring;

impl TypedTool for ListRecurring {
    type Args = ListRecurringArgs;
    const NAME: &'static str = "list_recurring";
    const DESCRIPTION: &'static str = "List recurring tasks (repeating chores and routines) with their schedule, time zone, next due day and whether they are active.";
    const EXAMPLES: &'static [&'static str] = &[
        "list recurring tasks",
        "what recurring tasks do we have",
        "show my repeating tasks",
        "which chores repeat for Bob",
        "what's on autopilot",
        "show the recurring schedule",
        "what repeats every week",
        "list the routines",
        "do I have any recurring tasks",
        "show recurring tasks for Carol",
        "what is scheduled to repeat",
        "recurring tasks pls",
        "which tasks come back every month",
        "show all repeating work",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(list|show|show me|what are) [(my|our|the|all|all the)] (recurring|repeating) (tasks|chores|todos|routines|jobs)",
        "(list|show|show me) {assignee:person}'s (recurring|repeating) (tasks|chores|todos)",
        "(list|show|show me|what are) {assignee:me} (recurring|repeating) (tasks|chores|todos|routines)",
        "what (recurring|repeating) (tasks|chores) does {assignee:person} have",
        "(what's|what is) on autopilot [for {assignee:person}]",
        "(which|what) (tasks|chores|todos) (repeat|recur) [for {assignee:person}]",
        "(do i|do we) have any (recurring|repeating) (tasks|chores)",
        "(recurring|repeating) (tasks|chores) (for|of) {assignee:person}",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: ListRecurringArgs) -> Result<ToolOutput, ToolError> {
        let person = a
            .assignee
            .as_deref()
            .map(|n| ctx.platform.lookup(ctx.actor).person(n))
            .transpose()?;
        let mut views = Vec::new();
        for stored in ctx.platform.store().rules()? {
            let view = recurring_view(&stored, ctx.now)?;
            let cancelled = RecurringSpec::of(&stored)?.cancelled;
            let theirs = person
                .as_ref()
                .is_none_or(|p| view.assignee.as_deref() == Some(p.name.as_str()));
            if theirs && !cancelled {
                views.push(view);
            }
        }
        let whose = person
            .map(|p| format!(" for {}", p.name))
            .unwrap_or_default();
        let summary = match views.len() {
            0 => format!(
                "No recurring tasks{whose}. Set one up with e.g. “every Monday at 9, send the status report”."
            ),
            1 => format!("1 recurring task{whose}."),
            n => format!("{n} recurring tasks{whose}."),
        };
        let mut table = Table::new(&["id", "title", "assignee", "schedule", "next due", "active"]);
        for v in &views {
            table.rows.push(vec![
                v.id.to_string(),
                v.title.clone(),
                v.assignee.clone().unwrap_or_default(),
                format!("{} ({})", v.schedule, v.timezone),
                v.next_due
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "–".into()),
                if v.active { "yes" } else { "paused" }.to_string(),
            ]);
        }
        let out = ToolOutput::new(summary, &views);
        Ok(match views.is_empty() {
            true => out,
            false => out.with(Display::Table(table)),
        })
    }
}

/// Arguments of `update_recurring`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRecurringArgs {
    /// The recurring task's number.
    pub id: i64,
    /// New title.
    pub title: Option<String>,
    /// New assignee ("me" for the speaker).
    pub assignee: Option<String>,
    /// New project.
    pub project: Option<String>,
    /// New priority.
    pub priority: Option<Priority>,
    /// New tags (replace the old ones).
    pub tags: Option<Vec<String>>,
    /// New estimate in hours.
    pub estimate_hours: Option<f64>,
    /// New RRULE, written whole.
    pub rule: Option<String>,
    /// New IANA time zone.
    pub timezone: Option<String>,
    /// New lead time in days.
    pub lead_days: Option<u32>,
    /// false pauses it, true resumes it.
    pub active: Option<bool>,
}

/// Changes a recurring task.
pub struct UpdateRecurring;

impl TypedTool for UpdateRecurring {
    type Args = UpdateRecurringArgs;
    const NAME: &'static str = "update_recurring";
    const DESCRIPTION: &'static str = "Change a recurring task: its title, assignee, schedule (RRULE), time zone, lead time, priority, or pause and resume it. Tasks already created stay as they are.";
    const EXAMPLES: &'static [&'static str] = &[
        "move recurring task 2 to Tuesdays",
        "make the status report recurring task every other week",
        "pause recurring task 3",
        "resume recurring task 3",
        "give recurring task 1 to Carol",
        "change recurring task 4 to 10am",
        "create recurring task 2 three days ahead",
        "make recurring task 1 high priority",
        "switch recurring task 5 to Berlin time",
        "rename recurring task 2 to send the weekly metrics",
        "recurring task 1 should be monthly on the 15th",
        "stop recurring task 2 until further notice",
        "put recurring task 6 back on",
        "the standup notes one should go to Erin now",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(move|change|switch|make) recurring {id:task} (to|into) {rule:rule}",
        "recurring {id:task} should (be|happen|repeat) {rule:rule}",
        "(give|assign|hand) recurring {id:task} to {assignee:person}",
        "(make|set) recurring {id:task} {priority:priority} [priority]",
        "(rename|retitle) recurring {id:task} to {title:title}",
        "(create|add) recurring {id:task} {lead_days:number} days (ahead|early|before)",
    ];
    const EFFECT: Effect = Effect::Write;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(Recurring));

    fn run(&self, ctx: &Context<'_>, a: UpdateRecurringArgs) -> Result<ToolOutput, ToolError> {
        let store = ctx.platform.store();
        let stored = store.rule(a.id)?;
        let mut spec = RecurringSpec::of(&stored)?;
        if spec.cancelled {
            return Err(ToolError::invalid(
                Self::NAME,
                "id",
                format!(
                    "recurring task {} was cancelled; set up a new one instead",
                    a.id
                ),
            ));
        }
        check_task_text(
            Self::NAME,
            a.title.as_deref(),
            None,
            a.project.as_deref(),
            a.tags.as_deref(),
        )?;
        if let Some(title) = a.title.filter(|t| !t.trim().is_empty()) {
            spec.title = title.trim().to_string();
        }
        if let Some(name) = a.assignee.as_deref() {
            spec.assignee = Some(ctx.platform.lookup(ctx.actor).person(name)?.name);
        }
        spec.project = a.project.or(spec.project);
        spec.priority = a.priority.or(spec.priority);
        spec.tags = a.tags.unwrap_or(spec.tags);
        spec.estimate_hours =
            check_hours(Self::NAME, "estimate_hours", a.estimate_hours)?.or(spec.estimate_hours);
        if let Some(rule) = a.rule.as_deref() {
            spec.rule = checked_rule(Self::NAME, rule)?;
        }
        if let Some(zone) = a.timezone.as_deref() {
            spec.timezone = parse_zone(zone)
                .map_err(|e| ToolError::invalid(Self::NAME, "timezone", e))?
                .name()
                .to_string();
        }
        spec.lead_days = checked_lead(Self::NAME, a.lead_days)?.unwrap_or(spec.lead_days);
        let active = a.active.unwrap_or(stored.active);
        let updated = store.update_rule(a.id, &to_json(&spec), active, ctx.now)?;
        let view = recurring_view(&updated, ctx.now)?;
        let state = if view.active {
            next_words(&view)
        } else {
            ", paused".to_string()
        };
        let summary = format!(
            "Recurring task {}: “{}”, {} ({}){state}.",
            view.id, view.title, view.schedule, view.timezone
        );
        Ok(ToolOutput::new(summary, &view))
    }
}

/// Arguments of `cancel_recurring`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRecurringArgs {
    /// The recurring task's number.
    pub id: i64,
}

/// Cancels a recurring task for good.
pub struct CancelRecurring;

impl TypedTool for CancelRecurring {
    type Args = CancelRecurringArgs;
    const NAME: &'static str = "cancel_recurring";
    const DESCRIPTION: &'static str = "Cancel a recurring task for good: no more occurrences are created (tasks already created stay).";
    const EXAMPLES: &'static [&'static str] = &[
        "cancel recurring task 2",
        "stop the weekly status report task",
        "delete recurring task 4",
        "no more recurring backups",
        "cancel that recurring task",
        "remove the monthly invoice routine",
        "we don't need recurring task 1 anymore",
        "end recurring task 3",
        "kill the daily standup notes task",
        "drop recurring task 5",
        "stop repeating task 2",
        "cancel the quarterly review routine",
        "turn off recurring task 7 for good",
        "get rid of the friday backup chore",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(cancel|stop|delete|end|remove|drop|kill) recurring {id:task}",
        "(cancel|stop|delete|end|remove) the recurring {id:task}",
        "(we don't need|no more|get rid of) recurring {id:task} [anymore]",
        "(stop repeating|turn off) {id:task} [for good]",
    ];
    const EFFECT: Effect = Effect::Write;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(Recurring));

    fn run(&self, ctx: &Context<'_>, a: CancelRecurringArgs) -> Result<ToolOutput, ToolError> {
        let store = ctx.platform.store();
        let stored = store.rule(a.id)?;
        let mut spec = RecurringSpec::of(&stored)?;
        spec.cancelled = true;
        let updated = store.update_rule(a.id, &to_json(&spec), false, ctx.now)?;
        let view = recurring_view(&updated, ctx.now)?;
        let summary = format!(
            "Cancelled recurring task {} (“{}”): no more occurrences will be created; tasks already created stay.",
            view.id, view.title
        );
        Ok(ToolOutput::new(summary, &view))
    }
}

fn checked_rule(tool: &str, rule: &str) -> Result<String, ToolError> {
    Rule::parse(rule)
        .map(|r| r.to_string())
        .map_err(|e| ToolError::invalid(tool, "rule", e))
}

fn checked_lead(tool: &str, lead: Option<u32>) -> Result<Option<u32>, ToolError> {
    match lead {
        Some(n) if n > LEAD_DAYS_MAX => Err(ToolError::invalid(
            tool,
            "lead_days",
            format!("{n} days is too far ahead; give 0 to {LEAD_DAYS_MAX}"),
        )),
        other => Ok(other),
    }
}

fn to_json(spec: &RecurringSpec) -> serde_json::Value {
    serde_json::to_value(spec).unwrap_or_default()
}

/// "; next due 2026-12-14" or "; it has no more occurrences".
fn next_words(view: &Recurring) -> String {
    match view.next_due {
        Some(day) => format!("; next due {day}"),
        None => "; it has no more occurrences".into(),
    }
}
