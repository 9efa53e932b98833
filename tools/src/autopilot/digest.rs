//! Digests: what one person should know this morning — overdue, due in the
//! next two working days, at risk, new for them — and whether any of it
//! changed since their last digest (an unchanged one is not sent).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::platform::Platform;
use crate::tool::{Context, Display, Effect, Table, ToolError, ToolOutput, TypedTool};
use crate::work::{Snapshot, add_business_days};
use maestro_store::{NewMessage, Person, StatusFilter, Task, TaskFilter};

/// A task's chance of missing its due date at or above which it is at risk.
const AT_RISK: f64 = 0.5;

/// One person's digest.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DigestReport {
    /// Whose.
    pub person: String,
    /// Their open tasks past their due date.
    pub overdue: Vec<Task>,
    /// Their open tasks due today or in the next two working days.
    pub due_soon: Vec<Task>,
    /// Their open tasks likely to miss their due date.
    pub at_risk: Vec<AtRisk>,
    /// Tasks assigned to them since their last digest (or the last day).
    pub new_for_you: Vec<Task>,
    /// Whether there is news since their last digest: a new task, or a
    /// change in the other lists (true when there was no digest before).
    pub changed_since_last: bool,
}

/// A task at risk and the chance it misses its due date.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AtRisk {
    /// The task.
    pub task: Task,
    /// The chance, 0 to 1.
    pub probability: f64,
}

impl DigestReport {
    /// Nothing to tell.
    pub fn is_empty(&self) -> bool {
        self.overdue.is_empty()
            && self.due_soon.is_empty()
            && self.at_risk.is_empty()
            && self.new_for_you.is_empty()
    }

    /// What the digest says about standing work, in a form that changes
    /// only when it does: each list's tasks with their due dates and
    /// priorities (not the risk figures, which move a little every day; not
    /// the new tasks, which are news by themselves).
    fn signature(&self) -> String {
        let list = |tasks: &mut dyn Iterator<Item = &Task>| -> String {
            tasks
                .map(|t| format!("{}@{:?}/{:?}", t.id, t.due, t.priority))
                .collect::<Vec<_>>()
                .join(",")
        };
        format!(
            "overdue {} | soon {} | risk {}",
            list(&mut self.overdue.iter()),
            list(&mut self.due_soon.iter()),
            list(&mut self.at_risk.iter().map(|r| &r.task)),
        )
    }

    /// The digest as a message: plain text and Slack Block Kit blocks.
    pub fn message(&self, day: NaiveDate) -> NewMessage {
        let mut sections: Vec<(String, Vec<String>)> = Vec::new();
        let line = |t: &Task| match t.due {
            Some(due) => format!("#{} {} (due {due})", t.id, t.title),
            None => format!("#{} {}", t.id, t.title),
        };
        for (name, tasks) in [("Overdue", &self.overdue), ("Due soon", &self.due_soon)] {
            if !tasks.is_empty() {
                sections.push((name.into(), tasks.iter().map(line).collect()));
            }
        }
        if !self.at_risk.is_empty() {
            let risky = self.at_risk.iter().map(|r| {
                format!(
                    "{}: {:.0}% chance of missing it",
                    line(&r.task),
                    100.0 * r.probability
                )
            });
            sections.push(("At risk".into(), risky.collect()));
        }
        if !self.new_for_you.is_empty() {
            sections.push((
                "New for you".into(),
                self.new_for_you.iter().map(line).collect(),
            ));
        }
        let title = format!("Your digest for {}", day.format("%A %-d %B"));
        let mut text = title.clone();
        let mut blocks =
            vec![json!({"type": "header", "text": {"type": "plain_text", "text": title}})];
        for (name, lines) in &sections {
            let body = lines
                .iter()
                .map(|l| format!("• {l}"))
                .collect::<Vec<_>>()
                .join("\n");
            text.push_str(&format!("\n{name}:\n{body}"));
            blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*{name}*\n{body}")}}));
        }
        NewMessage {
            person: self.person.clone(),
            kind: "digest".into(),
            text,
            body: json!({"digest": self, "signature": self.signature(), "blocks": blocks}),
        }
    }
}

/// Everything digests are made from, read once for many people.
pub(crate) struct Digester<'a> {
    platform: &'a Platform,
    snapshot: Snapshot,
    open: Vec<Task>,
}

impl<'a> Digester<'a> {
    /// Reads the workspace's open tasks and its models at `ctx.now`.
    pub(crate) fn new(ctx: &Context<'a>) -> Result<Self, ToolError> {
        let filter = TaskFilter {
            status: Some(StatusFilter::Open),
            ..TaskFilter::default()
        };
        Ok(Self {
            platform: ctx.platform,
            snapshot: Snapshot::take(ctx)?,
            open: ctx.platform.store().list_tasks(&filter)?,
        })
    }

    /// `person`'s digest at `now`, compared with the last one sent to them.
    pub(crate) fn digest(
        &self,
        person: &Person,
        now: DateTime<Utc>,
    ) -> Result<DigestReport, ToolError> {
        let today = now
            .with_timezone(&self.platform.zone_of(person)?)
            .date_naive();
        let soon = add_business_days(today, 2.0);
        let last = self
            .platform
            .store()
            .messages(Some(&person.name), Some("digest"), 1)?
            .into_iter()
            .next();
        let since = last
            .as_ref()
            .map_or(now - Duration::days(1), |m| m.created_at);
        let theirs: Vec<&Task> = self
            .open
            .iter()
            .filter(|t| t.assignee.as_deref() == Some(person.name.as_str()))
            .collect();
        let pick = |keep: &dyn Fn(&Task) -> bool| -> Vec<Task> {
            theirs
                .iter()
                .filter(|t| keep(t))
                .map(|t| (*t).clone())
                .collect()
        };
        let mut report = DigestReport {
            person: person.name.clone(),
            overdue: pick(&|t| t.due.is_some_and(|d| d < today)),
            due_soon: pick(&|t| t.due.is_some_and(|d| d >= today && d <= soon)),
            at_risk: self.at_risk(&theirs, today),
            new_for_you: pick(&|t| t.created_at > since),
            changed_since_last: true,
        };
        report.changed_since_last = !report.new_for_you.is_empty()
            || last.is_none_or(|m| {
                m.body.get("signature").and_then(Value::as_str) != Some(&report.signature())
            });
        Ok(report)
    }

    /// Tasks of `theirs` due from `today` on that are likely to be late,
    /// riskiest first (none when there is no history to learn lateness from).
    fn at_risk(&self, theirs: &[&Task], today: NaiveDate) -> Vec<AtRisk> {
        let Ok(models) = &self.snapshot.insight else {
            return Vec::new();
        };
        if !models.knows_lateness() {
            return Vec::new();
        }
        let mut risky: Vec<AtRisk> = theirs
            .iter()
            .filter(|t| t.due.is_some_and(|d| d >= today))
            .filter_map(|t| {
                let item = self.snapshot.items.iter().find(|i| i.id == Some(t.id))?;
                let risk = models.risk(item, &self.snapshot.open(item.id), today)?;
                (risk.probability >= AT_RISK).then(|| AtRisk {
                    task: (*t).clone(),
                    probability: risk.probability,
                })
            })
            .collect();
        risky.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        risky
    }
}

/// Arguments of `digest`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestArgs {
    /// Whose digest (default: whoever asks).
    #[schemars(extend("x-default" = "speaker"))]
    pub person: Option<String>,
}

/// Shows a person's digest now.
pub struct Digest;

impl TypedTool for Digest {
    type Args = DigestArgs;
    const NAME: &'static str = "digest";
    const DESCRIPTION: &'static str = "A person's digest: their overdue tasks, tasks due in the next two working days, tasks at risk, tasks new for them, and whether anything changed since their last digest.";
    const EXAMPLES: &'static [&'static str] = &[
        "give me my digest",
        "catch me up",
        "what's Bob's digest",
        "morning briefing",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(give me|show me|send me|get me|what's|what is|pull up) {person:me} (digest|daily digest|briefing|morning briefing|daily summary|rundown|morning summary)",
        "(give|show|send) {person:me_object} {person:me} (digest|briefing|daily digest)",
        "catch {person:me_object} up",
        "(catch|fill) {person:me_object} in (on what i missed|on my work|for today)",
        "(what's|what is|show me|give me) {person:person}'s (digest|daily digest|briefing|rundown)",
        "(digest|briefing|daily digest|rundown) for {person:person}",
        "what (do|should) {person:i} (know|focus on|look at) (today|this morning)",
        "how is {person:person}'s day looking",
        "(what's|what is) (due|overdue|at risk) for {person:me_object} (today|this week)[ - give me the digest]",
    ];
    const EFFECT: Effect = Effect::Read;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(DigestReport));

    fn run(&self, ctx: &Context<'_>, a: DigestArgs) -> Result<ToolOutput, ToolError> {
        let Some(name) = a.person.as_deref().or(ctx.actor) else {
            return Err(ToolError::invalid(
                Self::NAME,
                "person",
                "say whose digest, e.g. \"Bob Smith\"",
            ));
        };
        let person = ctx.platform.lookup(ctx.actor).person(name)?;
        let report = Digester::new(ctx)?.digest(&person, ctx.now)?;
        let summary = match report.is_empty() {
            true => format!(
                "{}: nothing overdue, due soon, at risk or new.",
                report.person
            ),
            false => format!(
                "{}: {} overdue, {} due in the next two working days, {} at risk, {} new{}.",
                report.person,
                report.overdue.len(),
                report.due_soon.len(),
                report.at_risk.len(),
                report.new_for_you.len(),
                match report.changed_since_last {
                    true => "",
                    false => " (unchanged since the last digest)",
                }
            ),
        };
        let mut table = Table::new(&["section", "id", "title", "due"]);
        let sections = [
            ("overdue", report.overdue.iter().collect::<Vec<_>>()),
            ("due soon", report.due_soon.iter().collect()),
            ("at risk", report.at_risk.iter().map(|r| &r.task).collect()),
            ("new", report.new_for_you.iter().collect()),
        ];
        for (section, tasks) in sections {
            for t in tasks {
                let due = t.due.map(|d| d.to_string()).unwrap_or_default();
                table
                    .rows
                    .push(vec![section.into(), t.id.to_string(), t.title.clone(), due]);
            }
        }
        Ok(ToolOutput::new(summary, &report).with(Display::Table(table)))
    }
}
