//! The scheduler's tick: everything due at a moment, done once however many
//! ticks run at that moment (each occurrence is claimed in the store).

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::recurring::RecurringSpec;
use super::rule::Rule;
use crate::tool::ToolError;

/// How far back a tick looks for an occurrence missed while nothing ran:
/// the latest one in this window is created (once), older ones are not.
const CATCH_UP_DAYS: u64 = 92;

/// The local hour from which a person's daily digest is due (on working days).
pub(crate) const DIGEST_HOUR: u32 = 9;

/// What one tick did in a workspace.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct TickReport {
    /// Tasks created from recurring rules.
    pub created: Vec<CreatedOccurrence>,
    /// Rules that could not run, and why.
    pub failed: Vec<FailedRule>,
    /// Reminders delivered, by number.
    pub reminded: Vec<i64>,
    /// Daily digests due at this tick: sent, or skipped as unchanged.
    pub digests: Vec<DigestOutcome>,
    /// Reminders or digests that could not be done, and why.
    pub failed_jobs: Vec<FailedJob>,
}

/// One person's daily digest at a tick.
#[derive(Debug, Serialize, PartialEq)]
pub struct DigestOutcome {
    /// Whose.
    pub person: String,
    /// Their local day.
    pub day: NaiveDate,
    /// False when it was skipped: nothing had changed since the last one, or
    /// there was nothing to tell.
    pub sent: bool,
}

/// A reminder or digest a tick could not do.
#[derive(Debug, Serialize, PartialEq)]
pub struct FailedJob {
    /// Which (`reminder:3`, `digest:Bob Smith`).
    pub job: String,
    /// What went wrong.
    pub error: String,
}

/// One occurrence a tick turned into a task.
#[derive(Debug, Serialize, PartialEq)]
pub struct CreatedOccurrence {
    /// The recurring task.
    pub rule: i64,
    /// The task created.
    pub task: i64,
    /// Its due day.
    pub due: NaiveDate,
    /// True when its day had passed (the scheduler was not running then).
    pub catch_up: bool,
}

/// A recurring task a tick could not run.
#[derive(Debug, Serialize, PartialEq)]
pub struct FailedRule {
    /// The recurring task.
    pub rule: i64,
    /// What went wrong and what to do.
    pub error: String,
}

/// The occurrences a tick at `now` owes: those whose lead time has begun and
/// whose day has not passed, and the latest whose day has passed (a catch-up).
pub(crate) fn due_occurrences(
    rule: &Rule,
    zone: Tz,
    spec: &RecurringSpec,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<(DateTime<Tz>, bool)>, ToolError> {
    let today = now.with_timezone(&zone).date_naive();
    let from = spec.start.max(
        today
            .checked_sub_days(Days::new(CATCH_UP_DAYS))
            .unwrap_or(today),
    );
    let horizon = today
        .checked_add_days(Days::new(u64::from(spec.lead_days)))
        .unwrap_or(today);
    if horizon < from {
        return Ok(Vec::new());
    }
    let created_local = created_at.with_timezone(&zone);
    let occurrences: Vec<DateTime<Tz>> = rule
        .expand(zone, spec.start, from, horizon)
        .map_err(|e| ToolError::invalid("create_recurring_task", "rule", e))?
        .into_iter()
        // A time of day that had passed when the rule was made is not owed.
        .filter(|at| !rule.has_time() || *at >= created_local)
        .collect();
    let missed = occurrences.iter().rev().find(|at| at.date_naive() < today);
    let mut due: Vec<(DateTime<Tz>, bool)> = missed.map(|at| (*at, true)).into_iter().collect();
    due.extend(
        occurrences
            .iter()
            .filter(|at| at.date_naive() >= today)
            .map(|at| (*at, false)),
    );
    Ok(due)
}

/// The description of an occurrence's task.
pub(crate) fn occurrence_note(id: i64, rule: &Rule, at: DateTime<Tz>) -> String {
    let time = match rule.has_time() {
        true => format!(" at {}", at.format("%H:%M %Z")),
        false => String::new(),
    };
    format!(
        "From recurring task {id} ({}): the occurrence of {}{time}.",
        rule.describe(),
        at.format("%A %-d %B %Y")
    )
}
