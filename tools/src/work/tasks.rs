//! The task tools: create, update, complete, delete, assign and list.

use schemars::JsonSchema;
use serde::Deserialize;

use super::people::plural;
use super::{check_hours, check_task_text, parse_date, parse_due};
use crate::tool::{Context, Display, Effect, Table, ToolError, ToolOutput, TypedTool, YES_OR_NO};
use maestro_store::{NewTask, Priority, Status, StatusFilter, Task, TaskFilter, TaskPatch};

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
    const PHRASINGS: &'static [&'static str] = &[
        "(create|add|make|open|log|file|put in|jot down|start) (a|a new|an) (task|ticket|todo|to-do|item|card) (to|for) {title:title}",
        "(create|add|make|open) a (task|ticket|todo) for {assignee:person} to {title:title} [(by|due|before) {due:date}]",
        "{assignee:person} (needs to|should|has to|must|is going to) {title:title} [(by|before) {due:date}]",
        "(new task|new ticket|todo|task|ticket|new todo): {title:title}[, {priority:priority}][, (for|assign to|give it to) {assignee:person}][, due {due:date}]",
        "remind {assignee:person} to {title:title} (by|before) {due:date}",
        "(add|put) '{title:title}' (on|to) (my|the) (list|board|todo list) [for {due:date}]",
        "(can you|could you|pls|please) (add|create|make) a {priority:priority} (task|ticket) (for|to) {title:title}",
        "(create|add|make) a (task|ticket) in {project:project} to {title:title}",
        "(task|ticket|todo) for {assignee:person}: {title:title}[, {estimate_hours:hours}][, tags {tags:tags}]",
        "(add|create|make) \"{title:title}\" (for|and assign it to) {assignee:person} [due {due:date}]",
        "we need a (task|ticket) to {title:title} [in the {project:project} project]",
        "(log|file|open) a bug: {title:title}[, {priority:priority}]",
        "(make|create|add) a task to {title:title}, (estimate|about|roughly) {estimate_hours:hours}",
        "(create|add) a (task|ticket) to {title:title} and (give|assign) it to {assignee:person}",
        "(add|create) a task to {title:title} (tagged|tag it|with tags) {tags:tags}",
        "(create|add|make) a (task|todo) for me to {title:title} [(by|due) {due:date}]",
        "(put|add) a task on {assignee:person}'s (list|plate) to {title:title}",
        "(new|create a) ticket for {assignee:person}, {title:title}, due {due:date}, {priority:priority}",
        "{title:title}, (due|by) {due:date}, (assign|give) it to {assignee:person}",
        "(add|create) a task to {title:title} and give it to whoever fits best",
        "(new task|task|ticket|todo|new ticket|task pls|ticket pls|to-do|track this|new bug|bug): {title:title}<(for|assign to|give it to|owner|) {assignee:person}|[due|by] {due:date}|{priority:priority}|[est|estimate|~|about] {estimate_hours:hours}|[in|project] {project:project}|(tags|tag it|tagged) {tags:tags}>",
        "(ticket|task|todo|one more|new task|task pls|another one) for {assignee:person}<{priority:priority}|[due|by] {due:date}|[in] {project:project}>: {title:title}",
        "{assignee:person} (-|:|,) (new task|task|ticket|todo|new ticket) (-|:) {title:title}<[due|by] {due:date}|{priority:priority}|[est|~] {estimate_hours:hours}|[in] {project:project}>",
        "(I want|I need|we need|get|have|let's get) {assignee:person} to {title:title}<[by|due] {due:date}|{priority:priority}|[in] {project:project}>",
        "(add to|new in|new for|for) {project:project}: {title:title}<(for|assign to|) {assignee:person}|[due|by] {due:date}|{priority:priority}>",
        "(we need someone to|someone should|somebody needs to|can someone|could someone) {title:title}<[by|before] {due:date}|{priority:priority}|[in] {project:project}>",
        "(i need to|i have to|i gotta|i should|note to self:|remind me to) {title:title}<[by|before] {due:date}|{priority:priority}>",
        "(can you|pls|please|could you|) (create|add|make|open|set up|spin up|get) a (task|ticket|todo|card) for {assignee:person} to {title:title}<[due|by] {due:date}|{priority:priority}|[est|~] {estimate_hours:hours}|[in] {project:project}|(tags|tag it) {tags:tags}>",
        "(add|create|make) (a|an) {priority:priority} (one|task|ticket) for {assignee:person}: {title:title}",
        "{title:title} (-|—|:) (make it a|add a|as a) [{priority:priority}] (task|ticket) [in {project:project}]",
    ];
    const EFFECT: Effect = Effect::Write;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(Task));

    fn run(&self, ctx: &Context<'_>, a: CreateTaskArgs) -> Result<ToolOutput, ToolError> {
        if a.title.trim().is_empty() {
            return Err(ToolError::invalid(
                Self::NAME,
                "title",
                "say what the task is, e.g. \"fix the login bug\"",
            ));
        }
        check_task_text(
            Self::NAME,
            Some(&a.title),
            a.description.as_deref(),
            a.project.as_deref(),
            a.tags.as_deref(),
        )?;
        let assignee = a
            .assignee
            .as_deref()
            .map(|n| ctx.platform.lookup(ctx.actor).person(n))
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
    const PHRASINGS: &'static [&'static str] = &[
        "(push|move|postpone|delay|shift|bump) {id:task} to {due:date}",
        "(change|set|make|move) the (due date|deadline) (of|for|on) {id:task} (to|for) {due:date}",
        "{id:task} (is|should be|can be) due {due:date} [now|instead]",
        "(bump|raise|set|make|change|lower) {id:task} to {priority:priority}",
        "{id:task} is {priority:priority} now",
        "(start|begin|kick off|pick up) {id:task}",
        "(I'm|we're|I am) (starting|working) on {id:task} [now]",
        "(reopen|re-open) {id:task}",
        "{id:task} (isn't|is not) (done|finished) (yet|after all), (reopen|open) it",
        "(rename|retitle) {id:task} to \"{title:title}\"",
        "(change|update|set) the estimate (of|for|on) {id:task} to {estimate_hours:hours}",
        "{id:task} will take (about|around|roughly) {estimate_hours:hours}",
        "(move|put) {id:task} (into|to|under) {project:project}",
        "(tag|label) {id:task} [with|as] {tags:tags}",
        "(add|set|put) the description (of|on) {id:task} to \"{description:description}\"",
        "{id:task}: (due|deadline) {due:date} and {priority:priority}",
        "make {id:task} {priority:priority} and due {due:date}",
        "(reschedule|move|push|slide|shift) {id:task} to {due:date}",
        "(drop|lower|reduce|raise|bump) the (priority|prio) (on|of) {id:task} to {priority:priority}",
        "{id:task} is slipping(,|-|;) (new due date is|move it to|push it to|make it) {due:date}",
        "(tag|label) {id:task} (with|as) {tags:tags}",
        "{id:task} will take (more like|about|closer to|at least) {estimate_hours:hours}",
        "{id:task}<(due|deadline|now due|new due date) {due:date}|(now|make it) {priority:priority}|(estimate|est) {estimate_hours:hours}>",
        "(i'm|we're) (working on|on|starting) {id:task} (now|today|this week)",
        "(add|put|set) a description (to|on) {id:task}: {description:description}",
        "(est|estimate) (for|on) {id:task} (is|=|:) [more like|about|now] {estimate_hours:hours}",
        "{id:task} should be {priority:priority} [tbh|imo|now]",
        "(pull|bring) {id:task} (in|forward) to {due:date}",
        "{id:task} (slipped|is slipping|is running late|got pushed|got delayed|is delayed)[,] (make it|move it to|new date is|now due|due) {due:date}",
        "(new|the new) (due date|deadline|date) for {id:task} (is|=|:) {due:date}",
        "{id:task} is blocked (until|till|til) {due:date}[, (move|push) the (date|deadline)]",
        "{id:task}(:| -|,) (due|deadline|new date) {due:date}",
        "(I'm|im|I am|we're) (picking up|starting on|kicking off|chipping away at|getting started on|diving into) {id:task} [(today|now|this morning)]",
        "(started|kicked off|began|picked up) {id:task} [(today|this morning)]",
        "{id:task} is (underway|in flight|being worked on) [now]",
        "(flip|move|put|set|send) {id:task} back to (todo|to do|not started|the backlog)",
        "(un-complete|uncomplete|undo|un-close) {id:task}[, (it's|its) not (done|finished)]",
        "{id:task} (→|->|to) {priority:priority} [pls|please]",
        "(priority|prio) (on|for|of) {id:task} (→|->|to|is now|=) {priority:priority}",
        "{id:task} is (prob|probably|maybe|about|roughly|realistically) {estimate_hours:hours} (of work|of effort|of dev work|all in)",
        "{id:task} (needs|will need|is gonna need|is going to need) {estimate_hours:hours} [(total|in total|all told)]",
        "{id:task} (belongs|goes|should live) (in|under) {project:project} [actually]",
        "(description|details|notes) (for|on) {id:task}: {description:description}",
    ];
    const EFFECT: Effect = Effect::Write;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(Task));

    fn run(&self, ctx: &Context<'_>, a: UpdateTaskArgs) -> Result<ToolOutput, ToolError> {
        check_task_text(
            Self::NAME,
            a.title.as_deref(),
            a.description.as_deref(),
            a.project.as_deref(),
            a.tags.as_deref(),
        )?;
        let assignee = a
            .assignee
            .as_deref()
            .map(|n| ctx.platform.lookup(ctx.actor).person(n))
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
    const PHRASINGS: &'static [&'static str] = &[
        "(mark|set) {id:task} (as done|as complete|done|complete|finished|closed|as finished)",
        "(complete|close|finish|resolve|close out) {id:task}",
        "{id:task} is (done|finished|shipped|fixed|complete|live|wrapped up|resolved)",
        "(I'm|I am|we're|we are) (done|finished) with {id:task}",
        "(I|we|{person}) (finished|completed|shipped|wrapped up|fixed) {id:task} [(today|yesterday|last night)]",
        "{id:task} can be (closed|marked done|marked as done)",
        "(tick|check) off {id:task}",
        "done with {id:task}",
        "{id:task}(:| -| —) (done|finished|shipped|done and dusted|all done)",
        "{id:task} (is|was|got) (finished|shipped|wrapped up|sorted|done) [finally|at last]",
        "{id:task} (cleaned up|sorted|fixed|handled|wrapped up|shipped), (tick|check|mark) it off",
        "{id:task} (went out|went live|is live|is out|is in prod|is deployed|got merged|landed|is over the line|is a wrap|is sorted|is all set|got signed off) [(today|yesterday|last night|in the release|this morning)]",
        "{id:task}(:| -|,) (done|finished|complete|shipped|sorted) [(and dusted|✅)]",
        "{id:task} (got|was|has been) (delivered|deployed|merged|shipped|approved|signed off)[, (close|closing) it]",
        "(closing|wrapping up|ticking off|signing off on) {id:task}",
        "(that's|thats) {id:task} (done|sorted|wrapped up|finished)",
    ];
    const EFFECT: Effect = Effect::Write;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(Task));

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
    const PHRASINGS: &'static [&'static str] = &[
        "(delete|remove|drop|scrap|trash|bin|nuke|kill|get rid of|cancel) {id:task}",
        "{id:task} (is|was) a (duplicate|dupe|mistake), (delete|remove|drop) it",
        "we're not doing {id:task} (anymore|after all), (delete|remove|scrap) it",
        "(please|pls) (delete|remove|drop) {id:task} for good",
        "(throw away|toss|axe) {id:task}",
        "{id:task} is a (dupe|duplicate|mistake)[,] (bin|drop|kill|delete|remove|scrap) it",
        "(kill off|bin|axe|scrap|drop|ditch) {id:task}[, (nobody|no one) (needs|wants|looks at) it]",
        "(remove|take|pull) {id:task} (from|off) the (board|list|backlog)",
        "(drop|delete|remove) {id:task} [pls], (we're|we are) not doing it",
    ];
    const EFFECT: Effect = Effect::Destructive;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(Task));

    fn confirm(&self, ctx: &Context<'_>, a: &TaskId) -> Option<String> {
        let what = match ctx.platform.lookup(None).task(a.id) {
            Ok(task) => format!("task #{} “{}”", a.id, task.title),
            Err(_) => format!("task #{}", a.id),
        };
        Some(format!(
            "This will delete {what} for good. Are you sure? {YES_OR_NO}"
        ))
    }

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
    const PHRASINGS: &'static [&'static str] = &[
        "(assign|give|hand|pass|reassign) {id:task} to {assignee:person}",
        "(hand|pass) {id:task} (over|off) to {assignee:person}",
        "{assignee:person} (should|can|will) (take|own|handle|pick up) {id:task}",
        "{assignee:person} is (taking|handling|owning|picking up) {id:task}",
        "(assign|give) {id:task} to me",
        "(put|make) {assignee:person} (on|the owner of) {id:task}",
        "{id:task} should (go to|be owned by|be handled by) {assignee:person}",
        "(assign|give) {id:task} to whoever (fits|is) best",
        "{id:task} (→|->|to) @{assignee:person}",
        "(let|have) {assignee:person} (pick up|take|handle|own|grab) {id:task}",
        "{assignee:person}('s got| has| owns| is on) {id:task} now",
        "{assignee:person} should (handle|take|own|do) {id:task} instead",
        "(move|shift|switch) {id:task} [over] to {assignee:person}",
        "(i'll|I will|let me) (grab|take|handle|own) {id:task}",
        "(I'll|Ill|I will|lemme|let me) (take|grab|pick up|own|handle) {id:task}",
        "{id:task} (→|->) {assignee:person} [pls]",
        "{id:task} should be {assignee:person}'s [now]",
        "{assignee:person}('s| is) taking {id:task} (off|over from) {person}['s plate]",
        "(put|stick) {assignee:person}'s name on {id:task}",
        "{assignee:person} (can|will|could) take over {id:task} [while {person} is out]",
    ];
    const EFFECT: Effect = Effect::Write;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(Task));

    fn run(&self, ctx: &Context<'_>, a: AssignArgs) -> Result<ToolOutput, ToolError> {
        let (name, why) = match a.assignee.as_deref() {
            Some(n) => (
                ctx.platform.lookup(ctx.actor).person(n)?.name,
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
    /// todo, in_progress, done, open (not done) or all; open when not given.
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

impl ListTasksArgs {
    /// The store's filter for these arguments (people resolved, dates
    /// checked); open tasks only unless a status is given.
    pub fn to_filter(&self, ctx: &Context<'_>, tool: &str) -> Result<TaskFilter, ToolError> {
        let assignee = self
            .assignee
            .as_deref()
            .map(|n| ctx.platform.lookup(ctx.actor).person(n))
            .transpose()?;
        Ok(TaskFilter {
            assignee: assignee.map(|p| p.name),
            status: match self.status.unwrap_or(StatusFilter::Open) {
                StatusFilter::All => None,
                status => Some(status),
            },
            project: self.project.clone(),
            priority: self.priority,
            tag: self.tag.clone(),
            due_before: self
                .due_before
                .as_deref()
                .map(|d| parse_date(tool, "due_before", d))
                .transpose()?,
            overdue_on: self.overdue.unwrap_or(false).then(|| ctx.now.date_naive()),
            limit: self.limit,
        })
    }
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
    const PHRASINGS: &'static [&'static str] = &[
        "(show|list|give me|pull up) {assignee:person}'s [open] tasks",
        "what('s| is) {assignee:person} working on",
        "what's on {assignee:person}'s plate",
        "(show|list) (my|the) (open|outstanding|remaining) tasks",
        "(what's|what is|anything) (overdue|late|past due) [in {project:project}]",
        "(show|list|give me|pull up) [all] [the] {priority:priority} (tasks|tickets|stuff|things|items|work|todos)",
        "(show|list) tasks (tagged|with the tag) {tag:tags}",
        "(what's|what is|anything) due (before|by) {due_before:date}",
        "(list|show|pull up) [the|all the] {project:project} (tasks|tickets|stuff|work|items)",
        "what did {assignee:person} (finish|complete|close)",
        "(show|list) (done|finished|completed) tasks",
        "(what's|what is) in progress [in {project:project}]",
        "(top|first) {limit:number} tasks [in {project:project}]",
        "what (do I have|have I got) (due|on) {due_before:date}",
        "which tasks (are|does) {assignee:person} (have|own) [in {project:project}]",
        "(whats|what's|what is) (in progress|being worked on) [across the team|right now|at the moment]",
        "(pull up|show me|gimme|give me) everything (assigned to|owned by|on) {assignee:person}",
        "(which|what) (cards|tickets|items|tasks|stories|todos) does {assignee:person} have (in flight|in progress|open|going|on the go)",
        "what's {assignee:person} (got going|plugging away at|busy with|juggling)",
        "what's (left|still open|outstanding) for {assignee:person}",
        "has anything in {project:project} (been closed|been finished|been done|shipped) [yet]",
        "(what's|whats|anything) still (sitting|stuck) in (todo|to do|the backlog) [for {project:project}]",
    ];
    const EFFECT: Effect = Effect::Read;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(Vec<Task>));

    fn run(&self, ctx: &Context<'_>, a: ListTasksArgs) -> Result<ToolOutput, ToolError> {
        let filter = a.to_filter(ctx, Self::NAME)?;
        let tasks = ctx.platform.store().list_tasks(&filter)?;
        let open = if a.status.is_none() { "open " } else { "" };
        let mut summary = match tasks.len() {
            0 => format!("No {open}tasks match."),
            n => format!("{n} {open}{}.", plural(n, "task", "tasks")),
        };
        if a.status.is_none() && a.overdue != Some(true) {
            let done = ctx.platform.store().list_tasks(&TaskFilter {
                status: Some(StatusFilter::Done),
                limit: None,
                ..filter
            })?;
            if !done.is_empty() {
                summary.push_str(&format!(
                    " {} done {} not shown: ask for done tasks, or tasks of any status, to see {}.",
                    done.len(),
                    plural(done.len(), "task", "tasks"),
                    plural(done.len(), "it", "them")
                ));
            }
        }
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
