//! `maestro mcp`: Maestro's tools to an MCP client over stdio.

use std::process::ExitCode;

use anyhow::{Result, anyhow};
use maestro_mcp::{Approval, Grant, Options, ToolSet};

use crate::commands::{Ctx, assistant};

/// `maestro mcp` flags.
#[derive(clap::Args)]
pub struct McpArgs {
    /// Which tools to list: `all`, or `search` (only ask, search_tools and
    /// call_tool, so a client pays a few hundred tokens instead of every schema).
    #[arg(long, value_enum, default_value = "all")]
    tools: Tools,
    /// Run deletions and bulk changes without asking the human (for scripts).
    #[arg(long)]
    yes: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Tools {
    All,
    Search,
}

/// Serves the workspace (`--workspace`) as `--as` until the client hangs up.
pub fn run(ctx: Ctx, args: &McpArgs) -> Result<ExitCode> {
    let actor = ctx.globals.actor.clone();
    let grant = Grant {
        assistant: assistant(ctx.into_platform()?)?,
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
