//! `maestro`: the command line. Argument parsing and wiring only; the work
//! happens in the platform's tools and the assistant.

mod autopilot;
mod charts;
mod chat;
mod commands;
mod kernel;
mod logging;
mod mcp;
mod ml;
mod nlu;
mod serve;
mod tasks;
mod terminal;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Maestro: plain language in, platform actions out.
#[derive(Parser)]
#[command(name = "maestro", version, about)]
pub struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    command: Command,
}

/// The flags every command takes.
#[derive(clap::Args)]
pub struct Globals {
    /// State directory (default: the platform's data directory, e.g. ~/.local/share/maestro).
    #[arg(long, global = true, env = "MAESTRO_HOME")]
    home: Option<PathBuf>,
    /// Who is speaking (for "me", "my tasks" and the audit log).
    #[arg(long = "as", global = true, env = "MAESTRO_USER")]
    actor: Option<String>,
    /// Workspace to act in.
    #[arg(long, global = true, default_value = "default")]
    workspace: String,
}

#[derive(Subcommand)]
enum Command {
    /// Chat interactively (loads the demo workspace on first run).
    Chat {
        /// Load the demo workspace (only into an empty workspace).
        #[arg(long)]
        demo: bool,
    },
    /// Ask one thing in plain language.
    Ask {
        /// Print one JSON object: {"reply", "actions"}.
        #[arg(long)]
        json: bool,
        /// Confirm destructive actions without asking.
        #[arg(long)]
        yes: bool,
        /// Continue this conversation (answers to questions, "yes" to
        /// confirmations). Without it the request stands alone.
        #[arg(long)]
        session: Option<String>,
        /// The request (`-` reads it from standard input).
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
    },
    /// List or add tasks.
    #[command(subcommand)]
    Tasks(tasks::TasksCommand),
    /// List or add people.
    #[command(subcommand)]
    People(commands::PeopleCommand),
    /// The workspace's settings: how dates are written, when sprints run.
    #[command(subcommand)]
    Settings(commands::SettingsCommand),
    /// Import people or tasks from CSV.
    #[command(subcommand)]
    Import(commands::ImportCommand),
    /// List or cancel recurring tasks.
    #[command(subcommand)]
    Recurring(autopilot::RecurringCommand),
    /// The scheduler: `scheduler tick` runs what is due now, once.
    #[command(subcommand)]
    Scheduler(autopilot::SchedulerCommand),
    /// Set, list or cancel one-shot reminders.
    #[command(subcommand)]
    Reminders(autopilot::RemindersCommand),
    /// A person's digest now: overdue, due soon, at risk, new for them.
    Digest {
        /// Whose ("me" for --as).
        person: String,
        /// As JSON {person, overdue, due_soon, at_risk, new_for_you, changed_since_last}.
        #[arg(long)]
        json: bool,
    },
    /// The messages the scheduler posted (reminders, digests).
    #[command(subcommand)]
    Outbox(autopilot::OutboxCommand),
    /// List the tools (names, descriptions, argument schemas).
    Tools {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Measure the planner on a labelled corpus (JSON Lines).
    #[command(args_conflicts_with_subcommands = true)]
    Eval {
        #[command(subcommand)]
        suite: Option<commands::EvalSuite>,
        /// The corpus, e.g. examples/eval/work.jsonl.
        file: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// List every missed case.
        #[arg(long)]
        verbose: bool,
    },
    /// Load the demo workspace into an empty workspace.
    Demo,
    /// Tokens and estimated cost of the language-model planner, newest turns first.
    Usage {
        /// As JSON.
        #[arg(long)]
        json: bool,
        /// How many turns.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Register, list and describe datasets.
    #[command(subcommand)]
    Data(ml::DataCommand),
    /// Train a model on a dataset with AutoML and register it.
    Automl(ml::AutomlArgs),
    /// Predict with a registered model for the rows of a CSV file.
    Predict(ml::PredictCommand),
    /// List registered models.
    #[command(subcommand)]
    Models(ml::ModelsCommand),
    /// The Jupyter kernel: `kernel install`, or serve a connection file.
    Kernel(kernel::KernelArgs),
    /// Serve the REST API and the Slack bot.
    Serve {
        /// Where to listen (HOST:PORT).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Serve this workspace's tools to an MCP client (Claude, VS Code,
    /// Cursor, Jupyter AI) over stdio.
    Mcp(mcp::McpArgs),
    /// Create or list workspaces.
    #[command(subcommand)]
    Workspace(serve::WorkspaceCommand),
    /// Create, revoke or list API tokens.
    #[command(subcommand)]
    Token(serve::TokenCommand),
    /// Copy the embedded SQLite database (every workspace) into the
    /// PostgreSQL at MAESTRO_DATABASE_URL; all or nothing.
    Migrate,
    /// Rebuild the catalog (the search index) from the store and the tools.
    Reindex,
    /// Show what Maestro reads in a request (spans, intent scores) and the
    /// calls it would make, without running them.
    Parse {
        /// As JSON.
        #[arg(long)]
        json: bool,
        /// The request.
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
    },
    /// Train the understanding model (`nlu train`).
    #[command(subcommand)]
    Nlu(nlu::NluCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `maestro … | head` ends quietly when the reader goes away, as Unix tools
    // do; a server or a kernel outlives whoever reads its log.
    let serving = matches!(cli.command, Command::Serve { .. } | Command::Kernel(_));
    #[cfg(unix)]
    if !serving {
        // SAFETY: restoring the default SIGPIPE action before any thread starts.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    logging::init(matches!(cli.command, Command::Serve { .. }));
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
