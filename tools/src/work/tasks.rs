//! The task tools: create, update, complete, delete, assign and list.

use schemars::JsonSchema;
use serde::Deserialize;

use super::people::plural;
use super::{check_hours, parse_date, parse_due};
use crate::model::{NewTask, Priority, Status, StatusFilter, Task, TaskFilter, TaskPatch};
use crate::tool::{Context, Display, Effect, Table, ToolError, ToolOutput, TypedTool};

/// Arguments of `create_task`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTaskArgs {
    /// What is to be done, e.g. "fix the login bug".
    pub title: String,
    /// Details.
    pub description: Option<String>,
    /// Project name (created when new).
    pub project: Option<String>,
    /// Name of the person who will do it ("me" for the speaker).
    pub assignee: Option<String>,
    /// Initial status (default todo).
    pub status: Option<Status>,
    /// Priority (default medium).
    pub priority: Option<Priority>,
    /// Due date, YYYY-MM-DD, today or later.
    pub due: Option<String>,
    /// Estimated hours of work.
    pub estimate_hours: Option<f64>,
    /// Tags, e.g. ["backend", "bug"].
    pub tags: Option<Vec<String>>,
    /// Without an assignee: give it to the best fit (`recommend_assignee`'s first choice).
    pub auto_assign: Option<bool>,
}

/// Creates a task.
pub struct CreateTask;

impl TypedTool for CreateTask {
    type Args = CreateTaskArgs;
    const NAME: &'static str = "create_task";
    const DESCRIPTION: &'static str = "Create a new task (a to-do, ticket or piece of work) with optional assignee, due date, priority, project, tags and estimate.";
    const EXAMPLES: &'static [&'static str] = &[
        "create a task to fix the login bug",
        "add a task for Bob to update the docs by Friday",
        "new task: write release notes",
        "remind me to renew the SSL certificate next Monday",
        "make a high priority ticket for the payment outage",
        "todo: clean up the staging database",
        "create an urgent task for Carol to investigate the data pipeline failure",
        "add a to-do to prepare the quarterly review, about 3 hours",
        "open a new ticket for the broken search page in the website project",
        "we need a task to upgrade the node version #backend",
        "can you add a task for Dave: rotate the database passwords due tomorrow",
        "put a task on my list to call the vendor",
        "create task \"Plan the offsite\" for Erin",
        "log a bug: checkout button does nothing on mobile",
    ];
    const EFFECT: Effect = Effect::Write;

    fn run(&self, ctx: &Context<'_>, a: CreateTaskArgs) -> Result<ToolOutput, ToolError> {
        if a.title.trim().is_empty() {
            return Err(ToolError::invalid(
                Self::NAME,
                "title",
                "say what the task is, e.g. \"fix the login bug\"",
            ));
        }
        let assignee = a
            .assignee
            .as_deref()
            .map(|n| ctx.platform.resolve_person(ctx.actor, n))
            .transpose()?;
        let task = ctx.platform.store().create_task(
            NewTask {
                title: a.title,
                description: a.description,
                project: a.project,
                assignee: assignee.map(|p| p.name),
                status: a.status,
                priority: a.priority,
                due: a
                    .due
                    .as_deref()
                    .map(|d| parse_due(ctx, Self::NAME, d))
                    .transpose()?,
                estimate_hours: check_hours(Self::NAME, "estimate_hours", a.estimate_hours)?,
                tags: a.tags.unwrap_or_default(),
                ..NewTask::default()
            },
            ctx.now,
        )?;
        let (task, why) = match (a.auto_assign, &task.assignee) {
            (Some(true), None) => {
                let (name, why) = best_fit(ctx, task.id)?;
                let patch = TaskPatch {
                    assignee: Some(name),
                    ..TaskPatch::default()
                };
                (
                    ctx.platform.store().update_task(task.id, patch, ctx.now)?,
                    why,
                )
            }
            _ => (task, String::new()),
        };
        ctx.platform.index_tasks(std::slice::from_ref(&task))?;
        Ok(ToolOutput::new(
            format!("Created {}{why}.", describe(&task)),
            &task,
        ))
    }
}

/// Arguments of `update_task`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTaskArgs {
    /// The task's number.
    pub id: i64,
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
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

/// Changes a task.
pub struct UpdateTask;

impl TypedTool for UpdateTask {
    type Args = UpdateTaskArgs;
    const NAME: &'static str = "update_task";
    const DESCRIPTION: &'static str = "Change an existing task: its title, description, project, status (start it, reopen it), priority, due date, estimate or tags.";
    const EXAMPLES: &'static [&'static str] = &[
        "change the due date of task 3 to next Friday",
        "set task 5 to high priority",
        "start working on task 2",
        "move task 7 to in progress",
        "rename task 4 to \"Migrate CI to the new runners\"",
        "push the deadline of the onboarding docs to Dec 12",
        "make task 9 urgent",
        "reopen task 11",
        "change the estimate of task 6 to 5 hours",
        "tag task 8 with #legal",
        "lower the priority of task 2",
        "move the dashboard task to the Platform project",
        "update task 1: due tomorrow",
        "postpone task 10 to next week",
    ];
    const EFFECT: Effect = Effect::Write;

    fn run(&self, ctx: &Context<'_>, a: UpdateTaskArgs) -> Result<ToolOutput, ToolError> {
        let assignee = a
            .assignee
            .as_deref()
            .map(|n| ctx.platform.resolve_person(ctx.actor, n))
            .transpose()?;
        let patch = TaskPatch {
            title: a.title,
            description: a.description,
            project: a.project,
            assignee: assignee.map(|p| p.name),
            status: a.status,
            priority: a.priority,
            due: a
                .due
                .as_deref()
                .map(|d| parse_due(ctx, Self::NAME, d))
                .transpose()?,
            estimate_hours: check_hours(Self::NAME, "estimate_hours", a.estimate_hours)?,
            tags: a.tags,
        };
        if patch.is_empty() {
            return Err(ToolError::invalid(
                Self::NAME,
                "(arguments)",
                "say what to change, e.g. {\"id\": 3, \"priority\": \"high\"}",
            ));
        }
        let task = ctx.platform.store().update_task(a.id, patch, ctx.now)?;
        ctx.platform.index_tasks(std::slice::from_ref(&task))?;
        Ok(ToolOutput::new(
            format!("Updated {}.", describe(&task)),
            &task,
        ))
    }
}

/// Arguments naming one task.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskId {
    /// The task's number.
    pub id: i64,
}

/// Marks a task done.
pub struct CompleteTask;

impl TypedTool for CompleteTask {
    type Args = TaskId;
    const NAME: &'static str = "complete_task";
    const DESCRIPTION: &'static str = "Mark a task as done (complete, finished, closed, resolved).";
    const EXAMPLES: &'static [&'static str] = &[
        "mark task 3 as done",
        "complete task 12",
        "I finished the onboarding docs",
        "task 5 is done",
        "close task 8",
        "the login bug is fixed, close it",
        "done with task 2",
        "resolve ticket 4",
        "we shipped the dark mode task, mark it complete",
        "check off task 6",
    ];
    const EFFECT: Effect = Effect::Write;

    fn run(&self, ctx: &Context<'_>, a: TaskId) -> Result<ToolOutput, ToolError> {
        let before = ctx.platform.store().get_task(a.id)?;
        if before.status == Status::Done {
            return Ok(ToolOutput::new(
                format!("Task #{} was already done.", before.id),
                &before,
            ));
        }
        let patch = TaskPatch {
            status: Some(Status::Done),
            ..TaskPatch::default()
        };
        let task = ctx.platform.store().update_task(a.id, patch, ctx.now)?;
        ctx.platform.index_tasks(std::slice::from_ref(&task))?;
        Ok(ToolOutput::new(
            format!("Marked task #{} “{}” done.", task.id, task.title),
            &task,
        ))
    }
}

/// Deletes a task.
pub struct DeleteTask;

impl TypedTool for DeleteTask {
    type Args = TaskId;
    const NAME: &'static str = "delete_task";
    const DESCRIPTION: &'static str =
        "Delete a task for good (remove, drop, get rid of it). Asks for confirmation first.";
    const EXAMPLES: &'static [&'static str] = &[
        "delete task 4",
        "remove task 9",
        "get rid of the feature flags task",
        "drop ticket 7, we don't need it",
        "please delete the privacy policy task",
        "trash task 11",
        "erase task 3 from the list",
        "cancel and delete task 6",
    ];
    const EFFECT: Effect = Effect::Destructive;

    fn run(&self, ctx: &Context<'_>, a: TaskId) -> Result<ToolOutput, ToolError> {
        let task = ctx.platform.store().delete_task(a.id)?;
        ctx.platform.unindex_task(task.id)?;
        Ok(ToolOutput::new(
            format!("Deleted task #{} “{}”.", task.id, task.title),
            &task,
        ))
    }
}

/// Arguments of `assign_task`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignArgs {
    /// The task's number.
    pub id: i64,
    /// Who takes it ("me" for the speaker); without it, the best fit
    /// (`recommend_assignee`'s first choice).
    pub assignee: Option<String>,
}

/// Gives a task to someone.
pub struct AssignTask;

impl TypedTool for AssignTask {
    type Args = AssignArgs;
    const NAME: &'static str = "assign_task";
    const DESCRIPTION: &'static str =
        "Assign (or reassign) an existing task to a person on the team.";
    const EXAMPLES: &'static [&'static str] = &[
        "assign task 3 to Bob",
        "give task 8 to Carol",
        "reassign the dashboard task to Dave",
        "let Erin handle task 12",
        "hand task 5 over to Alice",
        "I'll take task 9",
        "put Bob on task 4",
        "transfer ticket 2 to @carol",
        "task 7 goes to Dave",
        "assign the API keys task to me",
    ];
    const EFFECT: Effect = Effect::Write;

    fn run(&self, ctx: &Context<'_>, a: AssignArgs) -> Result<ToolOutput, ToolError> {
        let (name, why) = match a.assignee.as_deref() {
            Some(n) => (
                ctx.platform.resolve_person(ctx.actor, n)?.name,
                String::new(),
            ),
            None => best_fit(ctx, a.id)?,
        };
        let patch = TaskPatch {
            assignee: Some(name.clone()),
            ..TaskPatch::default()
        };
        let task = ctx.platform.store().update_task(a.id, patch, ctx.now)?;
        ctx.platform.index_tasks(std::slice::from_ref(&task))?;
        Ok(ToolOutput::new(
            format!(
                "Assigned task #{} “{}” to {name}{why}.",
                task.id, task.title
            ),
            &task,
        ))
    }
}

/// The best person for task `id` and why (for assigning without a name).
fn best_fit(ctx: &Context<'_>, id: i64) -> Result<(String, String), ToolError> {
    let snapshot = super::intel::Snapshot::take(ctx)?;
    let mut item = snapshot.item(AssignTask::NAME, id)?;
    item.assignee = None;
    let ranked = super::intel::rank(&snapshot, &item, Some(id))?;
    let best = &ranked[0];
    Ok((
        best.name.clone(),
        format!(", the best fit: {}", best.reasons.join("; ")),
    ))
}

/// Arguments of `list_tasks`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTasksArgs {
    /// Only this person's tasks ("me" for the speaker).
    pub assignee: Option<String>,
    /// todo, in_progress, done, or open (not done).
    pub status: Option<StatusFilter>,
    /// Only this project.
    pub project: Option<String>,
    /// Only this priority.
    pub priority: Option<Priority>,
    /// Only tasks with this tag.
    pub tag: Option<String>,
    /// Only tasks due on or before this date, YYYY-MM-DD.
    pub due_before: Option<String>,
    /// Only open tasks whose due date has passed.
    pub overdue: Option<bool>,
    /// At most this many tasks.
    pub limit: Option<usize>,
}

/// Lists tasks.
pub struct ListTasks;

impl TypedTool for ListTasks {
    type Args = ListTasksArgs;
    const NAME: &'static str = "list_tasks";
    const DESCRIPTION: &'static str = "List tasks, filtered by assignee, status, project, priority, tag, due date or overdue; answers what someone is working on.";
    const EXAMPLES: &'static [&'static str] = &[
        "what is Alice working on this week?",
        "show my tasks",
        "list all open tasks",
        "which tasks are overdue",
        "show the tasks in the Mobile App project",
        "what's on Bob's plate",
        "list urgent tasks",
        "what did Dave finish",
        "show tasks tagged #security",
        "what's due this week",
        "list tasks in progress",
        "what do I have to do today",
        "show everything assigned to Carol",
        "list the 5 most urgent tasks",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: ListTasksArgs) -> Result<ToolOutput, ToolError> {
        let assignee = a
            .assignee
            .as_deref()
            .map(|n| ctx.platform.resolve_person(ctx.actor, n))
            .transpose()?;
        let filter = TaskFilter {
            assignee: assignee.map(|p| p.name),
            status: a.status,
            project: a.project,
            priority: a.priority,
            tag: a.tag,
            due_before: a
                .due_before
                .as_deref()
                .map(|d| parse_date(Self::NAME, "due_before", d))
                .transpose()?,
            overdue_on: a.overdue.unwrap_or(false).then(|| ctx.now.date_naive()),
            limit: a.limit,
        };
        let tasks = ctx.platform.store().list_tasks(&filter)?;
        let summary = match tasks.len() {
            0 => "No tasks match.".to_string(),
            n => format!("{n} {}.", plural(n, "task", "tasks")),
        };
        Ok(ToolOutput::new(summary, &tasks).with(Display::Table(task_table(&tasks))))
    }
}

/// Tasks as a table: id, title, assignee, status, priority, due, project.
pub fn task_table(tasks: &[Task]) -> Table {
    let mut table = Table::new(&[
        "id", "title", "assignee", "status", "priority", "due", "project",
    ]);
    for t in tasks {
        table.rows.push(vec![
            t.id.to_string(),
            t.title.clone(),
            t.assignee.clone().unwrap_or_default(),
            t.status.to_string(),
            t.priority.to_string(),
            t.due.map(|d| d.to_string()).unwrap_or_default(),
            t.project.clone().unwrap_or_default(),
        ]);
    }
    table
}

/// "task #3 “fix the login bug” for Bob Smith, due 2026-12-04, high priority".
fn describe(t: &Task) -> String {
    let mut s = format!("task #{} “{}”", t.id, t.title);
    if let Some(a) = &t.assignee {
        s.push_str(&format!(" for {a}"));
    }
    if let Some(d) = t.due {
        s.push_str(&format!(", due {}", d.format("%a %Y-%m-%d")));
    }
    s.push_str(&format!(", {} priority", t.priority));
    if let Some(p) = &t.project {
        s.push_str(&format!(", in {p}"));
    }
    s
}
