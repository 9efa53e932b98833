//! `maestro recurring`, `reminders`, `digest`, `outbox` and `scheduler`:
//! recurring tasks, reminders, digests, what the scheduler posted, and the
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
#[command(after_help = "Examples:
  maestro reminders add \"call the broker\" --at 2026-12-08T15:00 --person me
  maestro reminders list --json
  maestro reminders cancel 1
  maestro ask \"remind me tomorrow at 3pm to call the broker\"")]
pub enum RemindersCommand {
    /// Remind someone once, at a local time.
    Add {
        /// What of.
        text: String,
        /// When, local: YYYY-MM-DDTHH:MM.
        #[arg(long)]
        at: String,
        /// Who ("me" for --as; default: --as).
        #[arg(long)]
        person: Option<String>,
        /// IANA time zone of --at (default: the workspace's).
        #[arg(long)]
        timezone: Option<String>,
        /// Print the reminder as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Reminders still to come.
    List {
        /// Only this person's.
        #[arg(long)]
        person: Option<String>,
        /// As a JSON list of {id, person, text, at, timezone, state}.
        #[arg(long)]
        json: bool,
    },
    /// Cancel a reminder before it is delivered.
    Cancel {
        /// The reminder's number.
        id: i64,
    },
}

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// The newest messages first.
    List {
        /// Only this person's.
        #[arg(long)]
        person: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// As a JSON list of {id, key, person, kind, text, body, created_at, state, channel, error}.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
#[command(after_help = "Example (cron, every minute):
  * * * * * maestro scheduler tick")]
pub enum SchedulerCommand {
    /// Run everything due now (MAESTRO_NOW when set) in every workspace, once, and exit.
    Tick {
        /// Print a JSON object {workspace: {created, failed, reminded, digests, failed_jobs}}.
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

/// `maestro reminders add|list|cancel`: one tool call each.
pub fn reminders(ctx: &Ctx, command: RemindersCommand) -> Result<ExitCode> {
    let (tool, args, json) = match command {
        RemindersCommand::Add {
            text,
            at,
            person,
            timezone,
            json,
        } => (
            "create_reminder",
            object(json!({"text": text, "at": at, "person": person, "timezone": timezone})),
            json,
        ),
        RemindersCommand::List { person, json } => {
            ("list_reminders", object(json!({ "person": person })), json)
        }
        RemindersCommand::Cancel { id } => ("cancel_reminder", json!({ "id": id }), false),
    };
    let out = ctx.platform()?.call(ctx.actor(), tool, args)?;
    print_output(&out, json, &ctx.charts()?);
    Ok(ExitCode::SUCCESS)
}

/// `maestro digest PERSON`: the `digest` tool.
pub fn digest(ctx: &Ctx, person: &str, json: bool) -> Result<ExitCode> {
    let out = ctx
        .platform()?
        .call(ctx.actor(), "digest", json!({ "person": person }))?;
    print_output(&out, json, &ctx.charts()?);
    Ok(ExitCode::SUCCESS)
}

/// `maestro outbox list`: the newest messages, as a table or JSON.
pub fn outbox(ctx: &Ctx, command: OutboxCommand) -> Result<ExitCode> {
    let OutboxCommand::List {
        person,
        limit,
        json,
    } = command;
    let messages = ctx
        .platform()?
        .query(ctx.actor())
        .outbox(person.as_deref(), limit)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&messages)?);
        return Ok(ExitCode::SUCCESS);
    }
    if messages.is_empty() {
        println!("The outbox is empty.");
    }
    for m in &messages {
        let when = m.created_at.format("%Y-%m-%d %H:%M UTC");
        let first = m.text.lines().next().unwrap_or_default();
        println!(
            "{} {when} {} ({}, {}): {first}",
            m.id, m.person, m.kind, m.state
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `maestro scheduler tick`: every workspace ticked at the clock's now;
/// fails (after ticking every workspace) when a rule, reminder or digest
/// could not run.
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
        failed += report.failed.len() + report.failed_jobs.len();
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
            for id in &report.reminded {
                println!("{workspace}: reminder {id} delivered");
            }
            for d in &report.digests {
                let what = if d.sent { "sent" } else { "skipped (no news)" };
                println!("{workspace}: digest for {} on {}: {what}", d.person, d.day);
            }
            for f in &report.failed_jobs {
                eprintln!("{workspace}: {}: {}", f.job, f.error);
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
