//! The work-management tools: tasks, people, the catalog and help.

mod bulk;
mod help;
mod intel;
mod people;
mod tasks;

use chrono::NaiveDate;

pub use bulk::UpdateTasks;
pub use help::{Help, SearchCatalog};
pub use intel::{
    AssessRisk, DetectAnomalies, PredictDuration, ProjectTimeline, RecommendAssignee,
    WorkloadReport,
};
pub(crate) use intel::{Snapshot, add_business_days};
pub use people::{AddPerson, ListPeople, UpdatePerson};
pub use tasks::{AssignTask, CompleteTask, CreateTask, DeleteTask, ListTasks, UpdateTask};

use crate::tool::{Context, Registry, ToolError};

/// The work-management tools: tasks, people, help and work intelligence.
pub fn tools() -> Registry {
    let mut r = Registry::new();
    r.register(CreateTask);
    r.register(UpdateTask);
    r.register(CompleteTask);
    r.register(DeleteTask);
    r.register(AssignTask);
    r.register(ListTasks);
    r.register(UpdateTasks);
    r.register(SearchCatalog);
    r.register(AddPerson);
    r.register(ListPeople);
    r.register(UpdatePerson);
    r.register(Help);
    r.register(RecommendAssignee);
    r.register(PredictDuration);
    r.register(AssessRisk);
    r.register(ProjectTimeline);
    r.register(DetectAnomalies);
    r.register(WorkloadReport);
    r
}

/// What to say when nobody is on the team yet (CLI commands, not tool names).
pub const EMPTY_TEAM: &str = "Nobody is on the team yet: add people with `maestro people add NAME` (or `maestro import people FILE.csv`), or load the sample team with `maestro demo`.";

/// Parses a `YYYY-MM-DD` argument.
fn parse_date(tool: &str, field: &str, value: &str) -> Result<NaiveDate, ToolError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        // "end of sprint" is a date once the workspace says when sprints run.
        let sprints = match value.to_lowercase().contains("sprint") {
            true => " (or say when sprints run: `maestro settings set sprint_start YYYY-MM-DD`)",
            false => "",
        };
        ToolError::invalid(
            tool,
            field,
            format!("{value:?} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-04{sprints}"),
        )
    })
}

/// Parses a due date that must not be in the past.
fn parse_due(ctx: &Context<'_>, tool: &str, value: &str) -> Result<NaiveDate, ToolError> {
    let due = parse_date(tool, "due", value)?;
    let today = ctx.now.date_naive();
    if due < today {
        return Err(ToolError::invalid(
            tool,
            "due",
            format!("{due} is in the past (today is {today}); give today or a later date"),
        ));
    }
    Ok(due)
}

/// The longest name (of a person, project, e-mail or Slack id) accepted, in characters…
const NAME_MAX: usize = 200;
/// …title…
const TITLE_MAX: usize = 500;
/// …description…
const DESCRIPTION_MAX: usize = 10_000;
/// …and tag or skill, of which a task or person has at most [`TAGS_MAX`].
const TAG_MAX: usize = 64;
const TAGS_MAX: usize = 50;

/// Checks free text is at most `max` characters long.
fn check_len(tool: &str, field: &str, text: Option<&str>, max: usize) -> Result<(), ToolError> {
    match text.map(|t| t.chars().count()) {
        Some(n) if n > max => Err(ToolError::invalid(
            tool,
            field,
            format!("{n} characters is too long; keep it to at most {max}"),
        )),
        _ => Ok(()),
    }
}

/// Checks a list of tags (or skills): at most [`TAGS_MAX`] of at most [`TAG_MAX`] characters.
fn check_tags(tool: &str, field: &str, tags: Option<&[String]>) -> Result<(), ToolError> {
    let tags = tags.unwrap_or_default();
    if tags.len() > TAGS_MAX {
        return Err(ToolError::invalid(
            tool,
            field,
            format!("{} is too many; give at most {TAGS_MAX}", tags.len()),
        ));
    }
    tags.iter()
        .try_for_each(|t| check_len(tool, field, Some(t), TAG_MAX))
}

/// Checks the free text of a task: title, description, project and tags.
pub(crate) fn check_task_text(
    tool: &str,
    title: Option<&str>,
    description: Option<&str>,
    project: Option<&str>,
    tags: Option<&[String]>,
) -> Result<(), ToolError> {
    check_len(tool, "title", title, TITLE_MAX)?;
    check_len(tool, "description", description, DESCRIPTION_MAX)?;
    check_len(tool, "project", project, NAME_MAX)?;
    check_tags(tool, "tags", tags)
}

/// Checks an hours value is a finite, non-negative number.
pub(crate) fn check_hours(
    tool: &str,
    field: &str,
    hours: Option<f64>,
) -> Result<Option<f64>, ToolError> {
    match hours {
        Some(h) if !h.is_finite() || h < 0.0 => Err(ToolError::invalid(
            tool,
            field,
            format!("{h} is not a number of hours; give a positive number like 4 or 1.5"),
        )),
        other => Ok(other),
    }
}
