//! The scheduler inside the server: every [`ServerConfig::scheduler`]
//! period, each workspace's [`maestro_tools::Platform::tick`], then (when
//! Slack is configured) the messages it posted go out as Slack DMs. Several
//! servers may run it at once: the store's claims keep every occurrence to
//! one task and every reminder and digest to one message.
//!
//! [`ServerConfig::scheduler`]: crate::ServerConfig::scheduler

use std::sync::Arc;

use crate::problem::Problem;
use crate::state::{AppState, blocking};

/// Starts the scheduler when the configuration asks for it (within a tokio
/// runtime); it stops with the server.
pub fn start(state: &Arc<AppState>) {
    let Some(period) = state.config.scheduler else {
        return;
    };
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::error!("the scheduler needs a tokio runtime; it is off");
        return;
    };
    let state = Arc::clone(state);
    runtime.spawn(async move {
        let mut every = tokio::time::interval(period);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => tick_all(&state).await,
                () = state.config.stop.cancelled() => return,
            }
        }
    });
}

/// One tick of every workspace; failures are logged, and the next period
/// tries again.
async fn tick_all(state: &Arc<AppState>) {
    let directory = Arc::clone(&state.directory);
    let workspaces = match blocking(move || Ok(directory.list_workspaces()?)).await {
        Ok(list) => list,
        Err(e) => {
            tracing::error!(error = %e.detail, "the scheduler cannot list the workspaces");
            return;
        }
    };
    for workspace in workspaces {
        if let Err(e) = tick_one(state, &workspace.name).await {
            tracing::error!(workspace = workspace.name, error = %e.detail, "the scheduler's tick failed");
        }
    }
}

async fn tick_one(state: &Arc<AppState>, workspace: &str) -> Result<(), Problem> {
    let assistant = state.assistant(workspace).await?;
    let now = state.config.clock.now();
    let ticker = assistant.clone();
    let report = blocking(move || Ok(ticker.platform().tick(now)?)).await?;
    log(workspace, &report);
    if let Some(slack) = &state.slack {
        match crate::slack::deliver(state, slack, workspace, assistant, now).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(workspace, sent, "the scheduler's messages went to Slack"),
            Err(e) => tracing::error!(
                workspace,
                error = e,
                "the outbox could not be sent to Slack"
            ),
        }
    }
    Ok(())
}

/// Logs what a tick did.
fn log(workspace: &str, report: &maestro_tools::autopilot::TickReport) {
    for created in &report.created {
        tracing::info!(
            workspace,
            recurring = created.rule,
            task = created.task,
            due = %created.due,
            catch_up = created.catch_up,
            "the scheduler created a task"
        );
    }
    for failed in &report.failed {
        tracing::warn!(
            workspace,
            recurring = failed.rule,
            error = failed.error,
            "a recurring task could not run"
        );
    }
    for id in &report.reminded {
        tracing::info!(workspace, reminder = id, "the scheduler posted a reminder");
    }
    for digest in &report.digests {
        tracing::info!(
            workspace,
            person = digest.person,
            sent = digest.sent,
            "a daily digest"
        );
    }
    for failed in &report.failed_jobs {
        tracing::warn!(
            workspace,
            job = failed.job,
            error = failed.error,
            "a job could not run"
        );
    }
}
