//! `update_tasks`: one change to every task that matches a filter ("move all
//! of Bob's open tasks to Dave", "mark every docs task as done"). More than
//! one task changed asks for a yes first; the reply says how many and which.

use schemars::JsonSchema;
use serde::Deserialize;

use super::people::plural;
use super::tasks::{ListTasksArgs, task_table};
use super::{check_hours, check_task_text, parse_due};
use crate::tool::{Context, Display, Effect, ToolError, ToolOutput, TypedTool, YES_OR_NO};
use maestro_store::{Priority, Status, StatusFilter, Task, TaskPatch};

/// What to change on each matching task.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskChanges {
    /// New project.
    pub project: Option<String>,
    /// New assignee.
    pub assignee: Option<String>,
    /// New status: todo, in_progress or done.
    pub status: Option<Status>,
    /// New priority.
    pub priority: Option<Priority>,
    /// New due date, YYYY-MM-DD.
    pub due: Option<String>,
    /// New estimate in hours.
    pub estimate_hours: Option<f64>,
    /// New tags (replace the old ones).
    pub tags: Option<Vec<String>>,
}

/// Arguments of `update_tasks`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTasksArgs {
    /// Which tasks: the filters of `list_tasks` (at least one).
    pub filter: ListTasksArgs,
    /// What to change on each of them (at least one field).
    pub changes: TaskChanges,
}

/// Changes every task that matches a filter.
pub struct UpdateTasks;

impl UpdateTasks {
    /// The tasks the filter matches and the patch to apply, all checked
    /// before anything changes.
    fn plan(ctx: &Context<'_>, a: &UpdateTasksArgs) -> Result<(Vec<Task>, TaskPatch), ToolError> {
        let f = &a.filter;
        // "all" narrows nothing: it cannot stand in for a filter.
        let filtered = f.assignee.is_some()
            || f.status.is_some_and(|s| s != StatusFilter::All)
            || f.project.is_some()
            || f.priority.is_some()
            || f.tag.is_some()
            || f.due_before.is_some()
            || f.overdue == Some(true);
        if !filtered {
            return Err(ToolError::invalid(
                Self::NAME,
                "filter",
                "say which tasks, e.g. {\"assignee\": \"Bob\", \"status\": \"open\"}",
            ));
        }
        let c = &a.changes;
        let assignee = c
            .assignee
            .as_deref()
            .map(|n| ctx.platform.lookup(ctx.actor).person(n))
            .transpose()?;
        check_task_text(
            Self::NAME,
            None,
            None,
            c.project.as_deref(),
            c.tags.as_deref(),
        )?;
        let patch = TaskPatch {
            project: c.project.clone(),
            assignee: assignee.map(|p| p.name),
            status: c.status,
            priority: c.priority,
            due: c
                .due
                .as_deref()
                .map(|d| parse_due(ctx, Self::NAME, d))
                .transpose()?,
            estimate_hours: check_hours(Self::NAME, "estimate_hours", c.estimate_hours)?,
            tags: c.tags.clone(),
            ..TaskPatch::default()
        };
        if patch.is_empty() {
            return Err(ToolError::invalid(
                Self::NAME,
                "changes",
                "say what to change, e.g. {\"assignee\": \"Dave\"}",
            ));
        }
        let tasks = ctx
            .platform
            .store()
            .list_tasks(&f.to_filter(ctx, Self::NAME)?)?;
        Ok((tasks, patch))
    }
}

fn names(tasks: &[Task]) -> String {
    let shown: Vec<String> = tasks
        .iter()
        .take(5)
        .map(|t| format!("#{} “{}”", t.id, t.title))
        .collect();
    let more = tasks.len().saturating_sub(shown.len());
    match more {
        0 => shown.join(", "),
        n => format!("{} and {n} more", shown.join(", ")),
    }
}

impl TypedTool for UpdateTasks {
    type Args = UpdateTasksArgs;
    const NAME: &'static str = "update_tasks";
    const DESCRIPTION: &'static str = "Change every task that matches a filter at once (reassign all of someone's open tasks, mark every task with a tag done, raise a project's priority); asks first when more than one task changes.";
    const EXAMPLES: &'static [&'static str] = &[
        "move all of Bob's open tasks to Dave",
        "mark every docs task as done",
        "raise all the Platform tasks to high priority",
        "push everything overdue to next Monday",
        "give all of Erin's todo tasks to Carol",
        "set every task tagged security to urgent",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(move|reassign|hand|give) all [of] {filter.assignee:person}'s [{filter.status:open_status}] (tasks|tickets|work) to {changes.assignee:person}",
        "(mark|set) (every|all [the]) {filter.tag:tag} (task|tasks|ticket|tickets) [as] {changes.status:done_status}",
        "(raise|bump|set) all [the] {filter.project:project} tasks to {changes.priority:priority}",
        "(push|move) everything {filter.overdue:overdue} to {changes.due:date}",
        "(push|move) all [of] {filter.assignee:person}'s [{filter.status:open_status}] tasks to {changes.due:date}",
        "(set|make) (every|all [the]) {filter.priority:priority} (task|tasks|ticket|tickets) {changes.priority:priority}",
        "everything in {filter.project:project} should be {changes.priority:priority}",
        "(move|put) all [the] {filter.project:project} tasks (into|under|to) {changes.project:project}",
        "(start|kick off) all {filter.assignee:me} {filter.status:todo_status} tasks",
        "(mark|set) all [of] {filter.assignee:person}'s tasks in {filter.project:project} [as] {changes.status:done_status}",
        "(retag|tag) all [the] {filter.project:project} tasks [as|with] {changes.tags:tags}",
        "(move|push) every {filter.status:open_status} task due (by|before) {filter.due_before:date} to {changes.due:date}",
        "{changes.status:start_status} (all|every one of) {filter.assignee:me} {filter.status:todo_status} (tasks|tickets)",
        "(set|change|make) the estimate (on|of|for) (all|every) [the] {filter.tag:tag} (tasks|tickets) to {changes.estimate_hours:hours}",
        "(reassign|move|hand|give|transfer) all [of] {filter.assignee:person}'s [{filter.status:open_status}] (tasks|tickets|stuff|work) to {changes.assignee:me_object}",
        "(retag|tag|label) (every|all [the]) {filter.tag:tag} (task|tasks|ticket|tickets) (as|with) {changes.tags:tags}",
        "(all|every one of) [the] {filter.project:project} (tasks|tickets)<due (by|before) {filter.due_before:date}|that are {filter.status:open_status}> (need to be|should be|are|must be|go) {changes.priority:priority} [now]",
        "(every|all) [{filter.status:open_status}] {filter.project:project} (task|tasks)[ due before {filter.due_before:date}] (→|-|:|,) (move|push) (it|them|) to {changes.due:date}",
        "(move|put|shift) (every|all [the]|each) {filter.project:project} (task|tasks|ticket|tickets) (into|to|under|over to) {changes.project:project}",
        "everything (tagged|with the tag) {filter.tag:tag} (should be|is|goes) {changes.priority:priority} [now|from now on]",
        "{changes.status:done_verb} (every|all [the]) {filter.tag:tag} (tasks|tickets)<in {filter.project:project}|of {filter.assignee:person}>",
    ];
    const EFFECT: Effect = Effect::Write;

    fn confirm(&self, ctx: &Context<'_>, a: &UpdateTasksArgs) -> Option<String> {
        let (tasks, _) = Self::plan(ctx, a).ok()?;
        (tasks.len() > 1).then(|| {
            format!(
                "This will change {} tasks: {}. Are you sure? {YES_OR_NO}",
                tasks.len(),
                names(&tasks)
            )
        })
    }

    fn run(&self, ctx: &Context<'_>, a: UpdateTasksArgs) -> Result<ToolOutput, ToolError> {
        let (tasks, patch) = Self::plan(ctx, &a)?;
        if tasks.is_empty() {
            return Ok(ToolOutput::new(
                "No tasks match that filter; nothing changed.".to_string(),
                Vec::<Task>::new(),
            ));
        }
        let mut changed = Vec::with_capacity(tasks.len());
        for task in &tasks {
            changed.push(
                ctx.platform
                    .store()
                    .update_task(task.id, patch.clone(), ctx.now)?,
            );
        }
        ctx.platform.index_tasks(&changed)?;
        let n = changed.len();
        Ok(ToolOutput::new(
            format!(
                "Changed {n} {}: {}.",
                plural(n, "task", "tasks"),
                names(&changed)
            ),
            &changed,
        )
        .with(Display::Table(task_table(&changed))))
    }
}
