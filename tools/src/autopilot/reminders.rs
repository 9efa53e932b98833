//! The reminder tools: one-shot reminders the scheduler delivers at their
//! time (by Slack DM when Slack is configured, otherwise to the outbox).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::recurring::parse_zone;
use crate::tool::{Context, Display, Effect, Table, ToolError, ToolOutput, TypedTool};
use crate::work::check_task_text;
use maestro_store::{NewReminder, Reminder, StoreError};

/// A reminder as the tools show it: its time in its own zone.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReminderView {
    /// Its number.
    pub id: i64,
    /// Who is reminded.
    pub person: String,
    /// What of.
    pub text: String,
    /// When, local: `YYYY-MM-DDTHH:MM`.
    pub at: String,
    /// The time zone of `at`.
    pub timezone: String,
    /// `pending`, `sent` or `cancelled`.
    pub state: String,
}

impl From<&Reminder> for ReminderView {
    fn from(r: &Reminder) -> Self {
        let at = match parse_zone(&r.timezone) {
            Ok(zone) => r.at.with_timezone(&zone).format("%Y-%m-%dT%H:%M"),
            Err(_) => r.at.format("%Y-%m-%dT%H:%M"),
        };
        Self {
            id: r.id,
            person: r.person.clone(),
            text: r.text.clone(),
            at: at.to_string(),
            timezone: r.timezone.clone(),
            state: r.state.clone(),
        }
    }
}

/// Arguments of `create_reminder`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReminderArgs {
    /// What to be reminded of, e.g. "call the broker".
    pub text: String,
    /// When, local: `YYYY-MM-DDTHH:MM` (a day alone, `YYYY-MM-DD`, is 09:00).
    #[schemars(extend("format" = "local-date-time"))]
    pub at: String,
    /// Who is reminded (default: whoever asks).
    #[schemars(extend("x-default" = "speaker"))]
    pub person: Option<String>,
    /// IANA time zone of `at` (default: the workspace's `timezone` setting).
    pub timezone: Option<String>,
}

/// Sets a one-shot reminder.
pub struct CreateReminder;

impl TypedTool for CreateReminder {
    type Args = CreateReminderArgs;
    const NAME: &'static str = "create_reminder";
    const DESCRIPTION: &'static str = "Remind someone (or yourself) of something once, at a given time: delivered by Slack DM, or kept in the outbox.";
    const EXAMPLES: &'static [&'static str] = &[
        "remind me tomorrow at 3pm to call the broker",
        "remind Dave on Friday about the invoices",
        "ping me in 2 hours to check the deploy",
        "remind Carol at noon to send the slides",
        "set a reminder for Monday morning to renew the certificates",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "remind ({person:me_object}|{person:person}) {at:moment} to {text:title}",
        "remind ({person:me_object}|{person:person}) to {text:title} {at:moment}",
        "remind ({person:me_object}|{person:person}) [on] {at:date} (to {text:title}|about {text:thing})",
        "remind ({person:me_object}|{person:person}) (about|of) {text:thing} {at:moment}",
        "remind ({person:me_object}|{person:person}) (about|of) {text:thing} [on] {at:date}",
        "(ping|nudge|poke) ({person:me_object}|{person:person}) {at:moment} (to {text:title}|about {text:thing})",
        "(pls|please|can you|could you|hey,|) remind ({person:me_object}|{person:person}) to {text:title} {at:moment}",
        "(set|add|create) a reminder (for {at:moment}|{at:moment}) to {text:title}",
        "(set|add|create) a reminder for ({person:me_object}|{person:person}) {at:moment} to {text:title}",
        "(set|add|create) a reminder to {text:title} [on] {at:date}",
        "reminder: {text:title} {at:moment}",
        "{at:moment} remind ({person:me_object}|{person:person}) to {text:title}",
        "{at:moment}[,] (ping|remind) ({person:me_object}|{person:person}) about {text:thing}",
        "(don't let me forget|make sure i don't forget) to {text:title} {at:moment}",
        "(remind|ping) ({person:me_object}|{person:person}) to {text:title}",
    ];
    const EFFECT: Effect = Effect::Write;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(ReminderView));

    fn run(&self, ctx: &Context<'_>, a: CreateReminderArgs) -> Result<ToolOutput, ToolError> {
        let text = a.text.trim();
        if text.is_empty() {
            return Err(ToolError::invalid(
                Self::NAME,
                "text",
                "say what the reminder is about, e.g. \"call the broker\"",
            ));
        }
        check_task_text(Self::NAME, Some(text), None, None, None)?;
        let person = match a.person.as_deref().or(ctx.actor) {
            Some(name) => ctx.platform.lookup(ctx.actor).person(name)?.name,
            None => {
                return Err(ToolError::invalid(
                    Self::NAME,
                    "person",
                    "say who to remind, e.g. \"Dave Kim\"",
                ));
            }
        };
        let zone = match a.timezone.as_deref() {
            Some(zone) => {
                parse_zone(zone).map_err(|e| ToolError::invalid(Self::NAME, "timezone", e))?
            }
            None => ctx.platform.workspace_settings()?.zone,
        };
        let at = local_time(&a.at, zone).map_err(|e| ToolError::invalid(Self::NAME, "at", e))?;
        if at <= ctx.now {
            return Err(ToolError::invalid(
                Self::NAME,
                "at",
                format!("{} has passed; give a time still to come", a.at.trim()),
            ));
        }
        let reminder = ctx.platform.store().add_reminder(
            &NewReminder {
                person,
                text: text.to_string(),
                at,
                timezone: zone.name().to_string(),
                created_by: ctx.actor.map(str::to_string),
            },
            ctx.now,
        )?;
        let view = ReminderView::from(&reminder);
        let summary = format!(
            "Reminder {}: {} will be reminded to {} at {} ({}).",
            view.id,
            view.person,
            view.text,
            view.at.replace('T', " "),
            view.timezone
        );
        Ok(ToolOutput::new(summary, &view))
    }
}

/// `YYYY-MM-DDTHH:MM` (or with a space, or with seconds; a day alone is
/// 09:00) in `zone`, as UTC. A time that does not exist there (skipped by a
/// clock change) is refused; one that happens twice is the first.
pub(crate) fn local_time(text: &str, zone: Tz) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let day_alone = || {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(9, 0, 0))
    };
    let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(day_alone)
        .ok_or_else(|| {
            format!("{text:?} is not a date and time; write it as YYYY-MM-DDTHH:MM, e.g. 2026-12-08T15:00")
        })?;
    zone.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            format!(
                "{text} does not exist in {} (the clocks change then); give another time",
                zone.name()
            )
        })
}

/// Arguments of `list_reminders`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRemindersArgs {
    /// Only this person's reminders.
    pub person: Option<String>,
}

/// Lists the reminders still to come.
pub struct ListReminders;

impl TypedTool for ListReminders {
    type Args = ListRemindersArgs;
    const NAME: &'static str = "list_reminders";
    const DESCRIPTION: &'static str =
        "List the reminders still to come, everyone's or one person's.";
    const EXAMPLES: &'static [&'static str] = &[
        "what reminders do I have",
        "list all reminders",
        "show Dave's reminders",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(what|which) reminders do {person:i} have",
        "(what|which) reminders (have|did) {person:i} (set|got)",
        "(list|show|show me) {person:me} reminders",
        "(list|show|show me) [all] [the] (reminders|upcoming reminders|pending reminders)",
        "(list|show|show me) {person:person}'s reminders",
        "(what|which) reminders (does|has) {person:person} (have|got)",
        "any reminders (for {person:person}|for {person:me_object}|coming up|set)",
        "(what|which) reminders are (set|scheduled|coming up|pending)",
        "(do|have) {person:i} (have|got|set) any reminders",
    ];
    const EFFECT: Effect = Effect::Read;
    const OUTPUT: Option<fn() -> schemars::Schema> =
        Some(|| schemars::schema_for!(Vec<ReminderView>));

    fn run(&self, ctx: &Context<'_>, a: ListRemindersArgs) -> Result<ToolOutput, ToolError> {
        let person = a
            .person
            .as_deref()
            .map(|n| ctx.platform.lookup(ctx.actor).person(n))
            .transpose()?;
        let views: Vec<ReminderView> = ctx
            .platform
            .store()
            .reminders()?
            .iter()
            .filter(|r| r.state == "pending")
            .filter(|r| person.as_ref().is_none_or(|p| p.name == r.person))
            .map(ReminderView::from)
            .collect();
        let whose = person.map_or("No one has".to_string(), |p| format!("{} has", p.name));
        let summary = match views.len() {
            0 => format!("{whose} no reminders to come."),
            1 => "1 reminder to come.".to_string(),
            n => format!("{n} reminders to come."),
        };
        let mut table = Table::new(&["id", "person", "at", "reminder"]);
        for v in &views {
            table.rows.push(vec![
                v.id.to_string(),
                v.person.clone(),
                format!("{} ({})", v.at.replace('T', " "), v.timezone),
                v.text.clone(),
            ]);
        }
        Ok(ToolOutput::new(summary, &views).with(Display::Table(table)))
    }
}

/// Arguments of `cancel_reminder`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelReminderArgs {
    /// The reminder's number.
    pub id: i64,
}

/// Cancels a reminder before it is delivered.
pub struct CancelReminder;

impl TypedTool for CancelReminder {
    type Args = CancelReminderArgs;
    const NAME: &'static str = "cancel_reminder";
    const DESCRIPTION: &'static str = "Cancel a reminder that has not been delivered yet.";
    const EXAMPLES: &'static [&'static str] = &[
        "cancel reminder 2",
        "never mind that reminder",
        "delete the reminder about the invoices",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(cancel|delete|remove|drop|kill|clear) reminder {id:number}",
        "(cancel|delete|remove|drop) the reminder (number|no.|#) {id:number}",
        "(never mind|forget|scrap|skip) reminder {id:number}",
        "(pls|please|can you|) (cancel|delete|remove) reminder {id:number} [for me]",
        "(turn off|stop) reminder {id:number}",
        "reminder {id:number} (isn't|is not|is no longer) needed [anymore]",
    ];
    const EFFECT: Effect = Effect::Write;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(ReminderView));

    fn run(&self, ctx: &Context<'_>, a: CancelReminderArgs) -> Result<ToolOutput, ToolError> {
        let store = ctx.platform.store();
        let reminder = store
            .reminders()?
            .into_iter()
            .find(|r| r.id == a.id)
            .ok_or_else(|| StoreError::NotFound {
                what: "reminder",
                key: a.id.to_string(),
            })?;
        if reminder.state != "pending" {
            return Err(ToolError::invalid(
                Self::NAME,
                "id",
                format!("reminder {} is {} already", a.id, reminder.state),
            ));
        }
        let cancelled = store.set_reminder_state(a.id, "cancelled")?;
        let view = ReminderView::from(&cancelled);
        let summary = format!(
            "Cancelled reminder {} ({} was to be reminded to {}).",
            view.id, view.person, view.text
        );
        Ok(ToolOutput::new(summary, &view))
    }
}
