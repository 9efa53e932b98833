//! `maestro mcp`: Maestro's tools to an MCP client over stdio, and other MCP
//! servers' tools in Maestro (`mcp add`, `mcp list`, `mcp remove`).

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use maestro_mcp::remote::{self, Endpoint};
use maestro_mcp::{Approval, Grant, Options, ToolSet};
use maestro_tools::Platform;
use serde_json::json;

use crate::commands::{Ctx, assistant};

/// `maestro mcp` flags and subcommands.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct McpArgs {
    /// Which tools to list: `all`, or `search` (only ask, search_tools and
    /// call_tool, so a client pays a few hundred tokens instead of every schema).
    #[arg(long, value_enum, default_value = "all")]
    tools: Tools,
    /// Run deletions and bulk changes without asking the human (for scripts).
    #[arg(long)]
    yes: bool,
    #[command(subcommand)]
    command: Option<McpCommand>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Tools {
    All,
    Search,
}

/// Other MCP servers whose tools Maestro uses.
#[derive(clap::Subcommand)]
enum McpCommand {
    /// Connect another MCP server to this workspace: `add NAME -- COMMAND
    /// ARGS…` (stdio) or `add NAME --url URL [--header K:V]` (HTTP). Its
    /// tools become `NAME.tool`.
    Add {
        /// A name for it (letters, digits, '-').
        name: String,
        /// Its streamable HTTP endpoint.
        #[arg(long, conflicts_with = "command")]
        url: Option<String>,
        /// A header to send, as `Name: value` (repeatable; HTTP only).
        #[arg(long = "header", value_name = "K:V", requires = "url")]
        headers: Vec<String>,
        /// The command that starts it, after `--`.
        #[arg(last = true)]
        command: Vec<String>,
    },
    /// The connected MCP servers and their tools.
    List {
        /// As JSON: [{name, command | url, tools}].
        #[arg(long)]
        json: bool,
    },
    /// Disconnect an MCP server: its tools are gone from the next start.
    Remove {
        /// Its name.
        name: String,
    },
}

/// Runs `maestro mcp …`.
pub fn run(ctx: Ctx, args: &McpArgs) -> Result<ExitCode> {
    match &args.command {
        None => serve(ctx, args),
        Some(McpCommand::Add {
            name,
            url,
            headers,
            command,
        }) => add(ctx.platform()?, name, url.as_deref(), headers, command),
        Some(McpCommand::List { json }) => list(ctx.platform()?, *json),
        Some(McpCommand::Remove { name }) => remove(ctx.platform()?, name),
    }
}

/// Serves the workspace (`--workspace`) as `--as` until the client hangs up.
fn serve(ctx: Ctx, args: &McpArgs) -> Result<ExitCode> {
    let actor = ctx.globals.actor.clone();
    let grant = Grant {
        assistant: assistant(ctx.into_platform()?)?,
        sessions: format!("mcp:{}:", actor.as_deref().unwrap_or("")),
        actor,
        writes: true,
    };
    let options = Options {
        tools: match args.tools {
            Tools::All => ToolSet::All,
            Tools::Search => ToolSet::Search,
        },
        approval: if args.yes {
            Approval::Granted
        } else {
            Approval::AskHuman
        },
    };
    maestro_mcp::serve_stdio(grant, options).map_err(|e| anyhow!(e))?;
    Ok(ExitCode::SUCCESS)
}

/// Connects to the server once, to check it answers and list its tools, then stores it.
fn add(
    platform: &Platform,
    name: &str,
    url: Option<&str>,
    headers: &[String],
    command: &[String],
) -> Result<ExitCode> {
    remote::check_server_name(name).map_err(|e| anyhow!(e))?;
    let endpoint = match url {
        Some(url) => Endpoint::Url {
            url: url.to_string(),
            headers: parse_headers(headers)?,
        },
        None if command.is_empty() => bail!(
            "say how to reach the server: `maestro mcp add {name} -- COMMAND ARGS…` or `maestro mcp add {name} --url URL`"
        ),
        None => Endpoint::Command {
            command: command.to_vec(),
        },
    };
    let mut server = remote::connect(endpoint)
        .map_err(|e| anyhow!("the MCP server {name} did not answer: {e}; nothing was added"))?;
    let (kept, odd): (Vec<_>, Vec<_>) = server
        .tools
        .into_iter()
        .partition(|t| remote::callable_name(&t.name));
    server.tools = kept;
    for tool in odd {
        eprintln!(
            "skipped the tool {:?}: language-model APIs refuse names beyond letters, digits, '_' and '-' (at most 48)",
            tool.name
        );
    }
    let names: Vec<String> = server
        .tools
        .iter()
        .map(|t| format!("{name}.{}", t.name))
        .collect();
    platform.set_mcp_server(name, Some(&serde_json::to_value(&server)?))?;
    println!(
        "Added the MCP server {name} with {} tools: {}.",
        names.len(),
        names.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

/// Forgets the server and takes its tools out of the catalog.
fn remove(platform: &Platform, name: &str) -> Result<ExitCode> {
    let Some(stored) = platform.mcp_servers()?.remove(name) else {
        bail!("no MCP server is called {name:?}; `maestro mcp list` shows them");
    };
    let server: remote::Server = serde_json::from_value(stored)?;
    let entries: Vec<String> = server
        .tools
        .iter()
        .map(|t| format!("tool:{name}.{}", t.name))
        .collect();
    platform.catalog().remove(&entries)?;
    platform.set_mcp_server(name, None)?;
    println!("Removed the MCP server {name}.");
    Ok(ExitCode::SUCCESS)
}

fn parse_headers(headers: &[String]) -> Result<HashMap<String, String>> {
    headers
        .iter()
        .map(|h| match h.split_once(':') {
            Some((k, v)) if !k.trim().is_empty() => {
                Ok((k.trim().to_string(), v.trim().to_string()))
            }
            _ => Err(anyhow!(
                "--header {h:?} must be `Name: value`, e.g. \"Authorization: Bearer TOKEN\""
            )),
        })
        .collect()
}

fn list(platform: &Platform, json: bool) -> Result<ExitCode> {
    let mut rows = Vec::new();
    for (name, value) in platform.mcp_servers()? {
        let server: remote::Server = serde_json::from_value(value)?;
        let tools: Vec<String> = server.tools.iter().map(|t| t.name.to_string()).collect();
        let (command, url) = match &server.endpoint {
            Endpoint::Command { command } => (Some(command.join(" ")), None),
            Endpoint::Url { url, .. } => (None, Some(url.clone())),
        };
        rows.push(json!({"name": name, "command": command, "url": url, "tools": tools}));
    }
    if json {
        println!("{}", serde_json::Value::Array(rows));
    } else if rows.is_empty() {
        println!("No MCP servers are connected; `maestro mcp add NAME -- COMMAND` connects one.");
    } else {
        for r in &rows {
            let reach = r["command"]
                .as_str()
                .or(r["url"].as_str())
                .unwrap_or_default();
            let tools = r["tools"].as_array().map_or(0, Vec::len);
            println!(
                "{:<16} {tools:>3} tools  {reach}",
                r["name"].as_str().unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
