//! `maestro serve`, `maestro workspace …` and `maestro token …`: the server
//! and the workspaces and tokens it serves.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Result, bail};
use clap::Subcommand;
use maestro_server::{ServerConfig, SlackConfig};
use maestro_tools::store::{Directory, Scope};
use maestro_tools::{Backends, Clock, FileAccess, Platform};
use serde_json::json;

use crate::commands::{assistant, with_connected_servers};

#[derive(Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace (optionally serving a Slack team).
    Create {
        /// Letters, digits, '-' or '_'.
        name: String,
        /// The Slack team id (T…) whose requests this workspace serves.
        #[arg(long)]
        slack_team: Option<String>,
    },
    /// List the workspaces.
    List {
        /// As a JSON list.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Make an API token (printed once; only its hash is kept).
    Create {
        /// The workspace it opens.
        #[arg(long)]
        workspace: String,
        /// A name for people ("ci"), unique among the workspace's live tokens.
        #[arg(long)]
        name: String,
        /// read, write (the default) or admin.
        #[arg(long, default_value = "write")]
        scope: String,
        /// Print {"token", "name", "workspace", "scope"}.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token: it opens nothing from now on.
    Revoke {
        /// Its workspace.
        #[arg(long)]
        workspace: String,
        /// Its name.
        #[arg(long)]
        name: String,
    },
    /// List a workspace's live tokens (names and scopes, never the tokens).
    List {
        /// The workspace.
        #[arg(long)]
        workspace: String,
        /// As a JSON list.
        #[arg(long)]
        json: bool,
    },
}

/// The directory of the backends the environment chooses.
fn directory(home: &Path) -> Result<Box<dyn Directory>> {
    Ok(Backends::from_env()?.directory(home)?)
}

/// `maestro workspace …`
pub fn workspace(home: &Path, command: &WorkspaceCommand) -> Result<ExitCode> {
    let directory = directory(home)?;
    match command {
        WorkspaceCommand::Create { name, slack_team } => {
            let w = directory.create_workspace(name, slack_team.as_deref())?;
            match &w.slack_team {
                Some(team) => println!(
                    "Created the workspace {} for the Slack team {team}.",
                    w.name
                ),
                None => println!("Created the workspace {}.", w.name),
            }
        }
        WorkspaceCommand::List { json } => {
            let all = directory.list_workspaces()?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for w in all {
                    println!("{:<24} {}", w.name, w.slack_team.unwrap_or_default());
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `maestro token …`
pub fn token(home: &Path, clock: Clock, command: &TokenCommand) -> Result<ExitCode> {
    let directory = directory(home)?;
    match command {
        TokenCommand::Create {
            workspace,
            name,
            scope,
            json,
        } => {
            let scope: Scope = scope.parse().map_err(anyhow::Error::msg)?;
            let (token, info) = directory.create_token(workspace, name, scope, clock.now())?;
            if *json {
                println!(
                    "{}",
                    json!({"token": token, "name": info.name, "workspace": info.workspace, "scope": info.scope})
                );
            } else {
                println!("{token}");
                eprintln!(
                    "The token {:?} opens the workspace {} with the {} scope. It is shown only now; keep it safe.",
                    info.name, info.workspace, info.scope
                );
            }
        }
        TokenCommand::Revoke { workspace, name } => {
            let info = directory.revoke_token(workspace, name, clock.now())?;
            println!(
                "Revoked the token {:?} of the workspace {}.",
                info.name, info.workspace
            );
        }
        TokenCommand::List { workspace, json } => {
            let all = directory.list_tokens(workspace)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for t in all {
                    println!(
                        "{:<24} {:<6} {}",
                        t.name,
                        t.scope,
                        t.created_at.to_rfc3339()
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The Slack bot from the environment: both secrets, or neither.
fn slack_from_env() -> Result<Option<SlackConfig>> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let app_token = var("SLACK_APP_TOKEN");
    if app_token
        .as_deref()
        .is_some_and(|t| !t.starts_with("xapp-"))
    {
        bail!(
            "SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write scope"
        );
    }
    let config = |signing_secret: String, bot_token: String| SlackConfig {
        signing_secret,
        bot_token,
        api_url: var("SLACK_API_URL").unwrap_or_else(|| maestro_server::SLACK_API_URL.into()),
        app_token: app_token.clone(),
    };
    match (
        var("SLACK_SIGNING_SECRET"),
        var("SLACK_BOT_TOKEN"),
        &app_token,
    ) {
        (Some(secret), Some(bot), _) => Ok(Some(config(secret, bot))),
        // Socket Mode alone: Slack's HTTP requests are refused.
        (None, Some(bot), Some(_)) => Ok(Some(config(String::new(), bot))),
        (None, None, None) => Ok(None),
        _ => bail!(
            "set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (Slack over HTTP), SLACK_APP_TOKEN (Socket Mode) or both, or none of them"
        ),
    }
}

/// The host names `/mcp` answers to besides the loopback ones: the one
/// served on (unless it is every interface) and those in `MAESTRO_MCP_HOSTS`
/// (comma-separated, for a server behind a proxy or a DNS name).
fn mcp_hosts(addr: &str) -> Vec<String> {
    let listening = addr
        .rsplit_once(':')
        .map(|(host, _)| host.trim_matches(['[', ']']).to_string())
        .filter(|h| !h.is_empty() && h != "0.0.0.0" && h != "::");
    let named = std::env::var("MAESTRO_MCP_HOSTS").unwrap_or_default();
    let named = named.split(',').map(str::trim).filter(|h| !h.is_empty());
    listening
        .into_iter()
        .chain(named.map(String::from))
        .collect()
}

/// How often the scheduler runs: `MAESTRO_SCHEDULER_SECONDS` (default 60;
/// 0 turns it off, for a deployment that runs `maestro scheduler tick` from cron).
fn scheduler_from_env() -> Result<Option<std::time::Duration>> {
    match std::env::var("MAESTRO_SCHEDULER_SECONDS") {
        Err(_) => Ok(Some(std::time::Duration::from_secs(60))),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(0) => Ok(None),
            Ok(seconds) => Ok(Some(std::time::Duration::from_secs(seconds))),
            Err(_) => bail!(
                "MAESTRO_SCHEDULER_SECONDS={text:?} is not a number of seconds; give e.g. 60, or 0 to turn the scheduler off"
            ),
        },
    }
}

/// `maestro serve --addr HOST:PORT`
pub fn serve(home: &Path, addr: &str) -> Result<ExitCode> {
    let clock = Clock::from_env()?;
    let backends = Backends::from_env()?;
    let directory = backends.directory(home)?;
    let mut config = ServerConfig::new(clock);
    config.files = FileAccess::from_roots(std::env::var("MAESTRO_DATA_ROOTS").ok().as_deref())
        .map_err(anyhow::Error::msg)?;
    config.slack = slack_from_env()?;
    config.uploads = Some(home.join("uploads"));
    config.public_url = std::env::var("MAESTRO_PUBLIC_URL")
        .ok()
        .map(|u| u.trim().trim_end_matches('/').to_string())
        .filter(|u| !u.is_empty());
    config.hosts.extend(mcp_hosts(addr));
    config.scheduler = scheduler_from_env()?;
    let slack = config.slack.is_some();
    let home = home.to_path_buf();
    let opener: maestro_server::Opener = Arc::new(move |workspace: &str| {
        let platform =
            Platform::connect(&home, workspace, clock, &backends).map_err(|e| e.to_string())?;
        let platform = with_connected_servers(platform).map_err(|e| format!("{e:#}"))?;
        assistant(platform).map_err(|e| format!("{e:#}"))
    });
    maestro_server::run(addr, config, Arc::from(directory), opener, |bound| {
        eprintln!(
            "Maestro is serving http://{bound} (REST under /v1, OpenAPI at /openapi.json, MCP at /mcp{}). Ctrl-C stops it.",
            if slack { ", Slack under /slack" } else { "" }
        );
    })?;
    Ok(ExitCode::SUCCESS)
}
