//! `maestro recurring` and `maestro scheduler`: recurring tasks, and the
//! scheduler's tick for cron and tests.

use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::Subcommand;
use maestro_tools::{Backends, Clock, Platform};
use serde_json::json;

use crate::commands::{Ctx, object, print_output};

#[derive(Subcommand)]
#[command(after_help = "Examples:
  maestro recurring add \"send the status report\" --rule \"FREQ=WEEKLY;BYDAY=MO;BYHOUR=9\" --assignee me --timezone Europe/Berlin
  maestro recurring list --json
  maestro recurring cancel 2
  maestro ask \"every Monday at 9 send the status report\"")]
pub enum RecurringCommand {
    /// Set up a recurring task.
    Add {
        /// What each occurrence is.
        title: String,
        /// RFC 5545 RRULE, e.g. "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9" (every Monday at 9:00).
        #[arg(long)]
        rule: String,
        /// Who does it ("me" for --as).
        #[arg(long)]
        assignee: Option<String>,
        /// IANA time zone (default: the workspace's `timezone` setting).
        #[arg(long)]
        timezone: Option<String>,
        /// Create each occurrence this many days before its day.
        #[arg(long)]
        lead_days: Option<u32>,
        /// Project name.
        #[arg(long)]
        project: Option<String>,
        /// Print the recurring task as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Recurring tasks with their schedule and next due day.
    List {
        /// As a JSON list of {id, title, assignee, rule, timezone, next_due, active, …}.
        #[arg(long)]
        json: bool,
    },
    /// Cancel a recurring task for good (tasks already created stay).
    Cancel {
        /// The recurring task's number.
        id: i64,
    },
}

#[derive(Subcommand)]
#[command(after_help = "Example (cron, every minute):
  * * * * * maestro scheduler tick")]
pub enum SchedulerCommand {
    /// Run everything due now (MAESTRO_NOW when set) in every workspace, once, and exit.
    Tick {
        /// Print a JSON object {workspace: {created, failed}}.
        #[arg(long)]
        json: bool,
        /// Only this workspace.
        #[arg(long, value_name = "WORKSPACE")]
        only: Option<String>,
    },
}

/// `maestro recurring list|cancel`: one tool call each.
pub fn recurring(ctx: &Ctx, command: RecurringCommand) -> Result<ExitCode> {
    let (tool, args, json) = match command {
        RecurringCommand::Add {
            title,
            rule,
            assignee,
            timezone,
            lead_days,
            project,
            json,
        } => (
            "create_recurring_task",
            object(json!({"title": title, "rule": rule, "assignee": assignee,
                "timezone": timezone, "lead_days": lead_days, "project": project})),
            json,
        ),
        RecurringCommand::List { json } => ("list_recurring", json!({}), json),
        RecurringCommand::Cancel { id } => ("cancel_recurring", json!({ "id": id }), false),
    };
    let out = ctx.platform()?.call(ctx.actor(), tool, args)?;
    print_output(&out, json, &ctx.charts()?);
    Ok(ExitCode::SUCCESS)
}

/// `maestro scheduler tick`: every workspace ticked at the clock's now;
/// fails (after ticking every workspace) when a rule could not run.
pub fn scheduler(ctx: &Ctx, command: SchedulerCommand) -> Result<ExitCode> {
    let SchedulerCommand::Tick { json, only } = command;
    let home = ctx.home()?;
    let clock = Clock::from_env()?;
    let backends = Backends::from_env()?;
    let mut workspaces: Vec<String> = backends
        .directory(&home)?
        .list_workspaces()?
        .into_iter()
        .map(|w| w.name)
        .collect();
    if let Some(name) = only {
        if !workspaces.contains(&name) {
            bail!("there is no workspace {name:?}; `maestro workspace list` shows them");
        }
        workspaces = vec![name];
    }
    let mut reports = serde_json::Map::new();
    let mut failed = 0;
    for workspace in workspaces {
        let platform = Platform::connect(&home, &workspace, clock, &backends)
            .with_context(|| format!("workspace {workspace}"))?;
        let report = platform.tick(clock.now())?;
        failed += report.failed.len();
        if !json {
            for c in &report.created {
                let late = if c.catch_up { " (catch-up)" } else { "" };
                println!(
                    "{workspace}: recurring task {} → task {} due {}{late}",
                    c.rule, c.task, c.due
                );
            }
            for f in &report.failed {
                eprintln!("{workspace}: recurring task {}: {}", f.rule, f.error);
            }
        }
        reports.insert(workspace, serde_json::to_value(&report)?);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
