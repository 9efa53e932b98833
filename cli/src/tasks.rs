//! `maestro tasks …`: list, add, update, complete, assign and delete tasks,
//! each one tool call (so the same checks, audit and catalog updates as chat).

use std::io::IsTerminal as _;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use maestro_tools::{Display, Platform, ToolOutput};
use serde_json::{Value, json};

use crate::charts::Charts;
use crate::commands::{EXIT_NEEDS_CONFIRMATION, due_date, object, print_output};

/// Rows `tasks list` shows in a terminal unless `--limit` or `--all`.
const SHOWN: usize = 50;

#[derive(Subcommand)]
#[command(after_help = "Examples:
  maestro tasks list --assignee me --overdue
  maestro tasks add \"Write the runbook\" --assignee dave --due friday --priority high
  maestro tasks update 7 --due \"next tuesday\" --priority urgent
  maestro tasks complete 7
  maestro tasks assign 7 carol
  maestro tasks delete 7 --yes")]
pub enum TasksCommand {
    /// List tasks, soonest due first: open ones, at most 50 rows, unless
    /// --status, --limit or --all say otherwise (--json gives every match
    /// of every status unless --status or --limit).
    List {
        /// As a JSON list of task objects.
        #[arg(long)]
        json: bool,
        /// Only this person's ("me" for yourself).
        #[arg(long)]
        assignee: Option<String>,
        /// todo, in_progress, done or open (the default).
        #[arg(long, conflicts_with = "all")]
        status: Option<String>,
        /// Only this project.
        #[arg(long)]
        project: Option<String>,
        /// Only this priority: low, medium, high or urgent.
        #[arg(long)]
        priority: Option<String>,
        /// Only tasks with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Only tasks due on or before this day (YYYY-MM-DD, "friday", "end of month"…).
        #[arg(long)]
        due_before: Option<String>,
        /// Only open tasks past their due date.
        #[arg(long)]
        overdue: bool,
        /// Every task, done ones included, with no cap on the rows shown.
        #[arg(long)]
        all: bool,
        /// At most N tasks.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Add a task.
    Add {
        /// What is to be done.
        title: String,
        #[command(flatten)]
        fields: Fields,
        /// Print the task as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change a task: only the fields given.
    Update {
        /// The task's number.
        id: i64,
        /// A new title.
        #[arg(long)]
        title: Option<String>,
        /// todo, in_progress or done.
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        fields: Fields,
        /// Print the task as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Mark a task done.
    Complete {
        /// The task's number.
        id: i64,
        /// Print the task as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Give a task to someone on the team.
    Assign {
        /// The task's number.
        id: i64,
        /// Who takes it ("me" for yourself).
        person: String,
        /// Print the task as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a task for good: asks first in a terminal; --yes skips the question.
    Delete {
        /// The task's number.
        id: i64,
        /// Delete without asking.
        #[arg(long)]
        yes: bool,
        /// Print the deleted task as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The fields `add` and `update` share.
#[derive(clap::Args)]
pub struct Fields {
    /// Who does it.
    #[arg(long)]
    assignee: Option<String>,
    /// Due date: YYYY-MM-DD, or as people say it ("friday", "next tuesday", "in 2 weeks").
    #[arg(long)]
    due: Option<String>,
    /// low, medium, high or urgent.
    #[arg(long)]
    priority: Option<String>,
    /// Project name.
    #[arg(long)]
    project: Option<String>,
    /// Comma-separated tags (replacing the old ones).
    #[arg(long, value_delimiter = ',')]
    tags: Option<Vec<String>>,
    /// Estimated hours.
    #[arg(long)]
    estimate: Option<f64>,
    /// Details.
    #[arg(long)]
    description: Option<String>,
}

impl Fields {
    /// The tool arguments these flags give (dates read as people write them).
    fn arguments(self, platform: &Platform) -> Result<Value> {
        let due = self
            .due
            .map(|d| due_date(platform, "--due", &d))
            .transpose()?;
        Ok(
            json!({"assignee": self.assignee, "due": due, "priority": self.priority,
            "project": self.project, "tags": self.tags, "estimate_hours": self.estimate,
            "description": self.description}),
        )
    }
}

/// Runs one `maestro tasks` command as `actor`.
pub fn run(
    platform: &Platform,
    actor: Option<&str>,
    command: TasksCommand,
    charts: &Charts,
) -> Result<ExitCode> {
    let call = |tool: &str, args: Value| -> Result<ToolOutput> {
        Ok(platform.call(actor, tool, object(args))?)
    };
    let (out, json) = match command {
        TasksCommand::List {
            json,
            assignee,
            status,
            project,
            priority,
            tag,
            due_before,
            overdue,
            all,
            limit,
        } => {
            // People see the open tasks; scripts (--json) every task that matches.
            let every = if all || json { "all" } else { "open" };
            let status = status.unwrap_or_else(|| every.to_string());
            let due_before = due_before
                .map(|d| due_date(platform, "--due-before", &d))
                .transpose()?;
            let out = call(
                "list_tasks",
                json!({"assignee": assignee, "status": status, "project": project,
                    "priority": priority, "tag": tag, "due_before": due_before,
                    "overdue": overdue.then_some(true), "limit": limit}),
            )?;
            let capped = if json || all || limit.is_some() {
                out
            } else {
                capped(out)
            };
            (capped, json)
        }
        TasksCommand::Add {
            title,
            fields,
            json,
        } => {
            let mut args = fields.arguments(platform)?;
            args["title"] = json!(title);
            (call("create_task", args)?, json)
        }
        TasksCommand::Update {
            id,
            title,
            status,
            fields,
            json,
        } => {
            let mut args = fields.arguments(platform)?;
            args["id"] = json!(id);
            args["title"] = json!(title);
            args["status"] = json!(status);
            (call("update_task", args)?, json)
        }
        TasksCommand::Complete { id, json } => (call("complete_task", json!({"id": id}))?, json),
        TasksCommand::Assign { id, person, json } => (
            call("assign_task", json!({"id": id, "assignee": person}))?,
            json,
        ),
        TasksCommand::Delete { id, yes, json } => {
            if !yes && !confirmed(platform, id)? {
                return Ok(ExitCode::from(EXIT_NEEDS_CONFIRMATION));
            }
            (call("delete_task", json!({"id": id}))?, json)
        }
    };
    print_output(&out, json, charts);
    Ok(ExitCode::SUCCESS)
}

/// A list's table cut to [`SHOWN`] rows, saying how many more there are.
fn capped(mut out: ToolOutput) -> ToolOutput {
    for display in &mut out.displays {
        if let Display::Table(table) = display
            && table.rows.len() > SHOWN
        {
            let more = table.rows.len() - SHOWN;
            table.rows.truncate(SHOWN);
            out.summary.push_str(&format!(
                " Showing {SHOWN}: {more} more — use --limit N or --all."
            ));
        }
    }
    out
}

/// Whether the person at the terminal says yes to deleting task `id`; off a
/// terminal, no (and how to say yes is printed).
fn confirmed(platform: &Platform, id: i64) -> Result<bool> {
    let task = platform.lookup(None).task(id)?;
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "Not deleted: add --yes to delete task #{id} “{}” without asking.",
            task.title
        );
        return Ok(false);
    }
    eprint!("Delete task #{id} “{}” for good? [y/N] ", task.title);
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    let yes = matches!(answer.trim().to_lowercase().as_str(), "y" | "yes");
    if !yes {
        eprintln!("Not deleted.");
    }
    Ok(yes)
}
