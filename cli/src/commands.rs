//! The subcommands: each turns flags into a tool call or an assistant turn.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use maestro_assistant::{
    Answer, Assistant, Event, LlmConfig, LlmPlanner, LocalPlanner, Planner, Status, TurnOptions,
    UsageReport, eval,
};
use maestro_tools::store::PgStore;
use maestro_tools::{Backends, Clock, Display, Platform, ToolOutput, import, insight};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::charts::Charts;
use crate::terminal::{Style, render};
use crate::{Cli, Command, Globals, autopilot, chat, kernel, ml, nlu, serve, tasks};

#[derive(Subcommand)]
pub enum SettingsCommand {
    /// The workspace's settings with their values in force.
    List {
        /// As a JSON list of {key, value, about}.
        #[arg(long)]
        json: bool,
    },
    /// Change a setting (date_order, sprint_start, sprint_days).
    Set {
        /// Which setting.
        key: String,
        /// Its new value.
        value: String,
    },
}

/// A person's details as `people add` and `people update` take them, and as
/// `add_person` and `update_person` take them.
#[derive(Args, Serialize)]
pub struct PersonDetails {
    /// Full name (for update: their name on the team).
    name: String,
    /// E-mail address.
    #[arg(long)]
    email: Option<String>,
    /// Slack member id.
    #[arg(long)]
    slack_id: Option<String>,
    /// Comma-separated skills.
    #[arg(long, value_delimiter = ',')]
    skills: Option<Vec<String>>,
    /// Hours a week.
    #[arg(long)]
    capacity: Option<f64>,
    /// IANA time zone or city, e.g. Europe/Berlin (default: the workspace's).
    #[arg(long = "tz", alias = "timezone", value_name = "ZONE")]
    timezone: Option<String>,
}

#[derive(Subcommand)]
#[command(after_help = "Examples:
  maestro people add \"Frank Moore\" --email frank@acme.io --skills rust,sql --capacity 30
  maestro people add \"Gina Rossi\" --tz Europe/Rome
  maestro people update \"Bob Smith\" --tz America/New_York
  maestro people list --json
  maestro import people team.csv       # updates those already on the team")]
pub enum PeopleCommand {
    /// Add someone to the team.
    Add(#[command(flatten)] PersonDetails),
    /// Change someone's details (only the ones given; skills replace the old ones).
    Update(#[command(flatten)] PersonDetails),
    /// List the team.
    List {
        /// As a JSON list.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Tasks from CSV (needs a `title` column; all rows or none).
    Tasks {
        /// The CSV file.
        file: PathBuf,
    },
    /// People from CSV (needs a `name` column).
    People {
        /// The CSV file.
        file: PathBuf,
    },
}

/// What a command may need: the global flags, and the platform, opened on
/// first use (so `serve`, `eval`, `kernel install`, `migrate` and `token`
/// never open it).
pub struct Ctx {
    /// The flags every command takes.
    pub globals: Globals,
    platform: OnceCell<Platform>,
}

impl Ctx {
    fn new(globals: Globals) -> Self {
        Self {
            globals,
            platform: OnceCell::new(),
        }
    }

    /// The state directory.
    pub fn home(&self) -> Result<PathBuf> {
        home(&self.globals.home)
    }

    /// Who is speaking, if the flags say.
    pub fn actor(&self) -> Option<&str> {
        self.globals.actor.as_deref()
    }

    /// The platform of the flags' workspace, opened on first use.
    pub fn platform(&self) -> Result<&Platform> {
        if let Some(platform) = self.platform.get() {
            return Ok(platform);
        }
        let opened = open(&self.globals)?;
        Ok(self.platform.get_or_init(|| opened))
    }

    /// The platform, to hand over (to an assistant).
    pub fn into_platform(self) -> Result<Platform> {
        match self.platform.into_inner() {
            Some(platform) => Ok(platform),
            None => open(&self.globals),
        }
    }

    /// Where the workspace's charts are saved.
    pub fn charts(&self) -> Result<Charts> {
        Ok(Charts::new(&self.home()?, &self.globals.workspace))
    }
}

/// Runs a parsed command line: one arm per command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let ctx = Ctx::new(cli.globals);
    match cli.command {
        Command::Nlu(command) => nlu::run(&command),
        Command::Eval {
            suite,
            file,
            json,
            verbose,
        } => eval_command(suite, file, json, verbose),
        Command::Kernel(args) => kernel::run(ctx, &args),
        Command::Serve { addr } => serve::serve(&ctx.home()?, &addr),
        Command::Mcp(args) => crate::mcp::run(ctx, &args),
        Command::Workspace(command) => serve::workspace(&ctx.home()?, &command),
        Command::Migrate => migrate(&ctx),
        Command::Token(command) => serve::token(&ctx.home()?, Clock::from_env()?, &command),
        Command::Chat { demo } => chat_command(ctx, demo),
        Command::Ask {
            json,
            yes,
            session,
            text,
        } => ask_command(ctx, json, yes, session, &text),
        Command::Parse { json, text } => {
            let actor = ctx.globals.actor.clone();
            nlu::parse(
                &assistant(ctx.into_platform()?)?,
                actor,
                &text.join(" "),
                json,
            )
        }
        Command::Tasks(command) => {
            tasks::run(ctx.platform()?, ctx.actor(), command, &ctx.charts()?)
        }
        Command::Settings(command) => settings(ctx.platform()?, command),
        Command::People(command) => people(&ctx, command),
        Command::Import(command) => import_command(ctx.platform()?, command),
        Command::Recurring(command) => autopilot::recurring(&ctx, command),
        Command::Scheduler(command) => autopilot::scheduler(&ctx, command),
        Command::Reminders(command) => autopilot::reminders(&ctx, command),
        Command::Digest { person, json } => autopilot::digest(&ctx, &person, json),
        Command::Outbox(command) => autopilot::outbox(&ctx, command),
        Command::Usage { json, limit } => usage(ctx.platform()?, limit, json),
        Command::Tools { json } => tools(ctx.platform()?, json),
        Command::Demo => demo(ctx.platform()?),
        Command::Data(command) => ml::data(ctx.platform()?, ctx.actor(), command, &ctx.charts()?),
        Command::Models(command) => {
            ml::models(ctx.platform()?, ctx.actor(), command, &ctx.charts()?)
        }
        Command::Automl(args) => ml::automl(ctx.platform()?, args),
        Command::Predict(args) => ml::predict_file(ctx.platform()?, args),
        Command::Reindex => reindex(ctx.platform()?),
    }
}

/// `maestro eval`: the planner on a corpus, or the work intelligence on a history.
fn eval_command(
    suite: Option<EvalSuite>,
    file: Option<PathBuf>,
    json: bool,
    verbose: bool,
) -> Result<ExitCode> {
    match (suite, file) {
        (
            Some(EvalSuite::Work {
                history,
                people,
                split,
                json,
            }),
            _,
        ) => run_eval_work(&history, &people, split, json),
        (None, Some(file)) => run_eval(&file, json, verbose),
        (None, None) => bail!(
            "say what to measure: `maestro eval examples/eval/work.jsonl` (the planner) or `maestro eval work --history FILE.csv --people FILE.csv` (work intelligence)"
        ),
    }
}

/// `maestro chat`: the demo loaded into an empty workspace, then the conversation.
fn chat_command(ctx: Ctx, demo: bool) -> Result<ExitCode> {
    let home = ctx.home()?;
    let charts = ctx.charts()?;
    let actor = ctx.globals.actor.clone();
    let assistant = assistant(ctx.into_platform()?)?;
    let names = assistant.platform().lookup(None);
    let empty = names.people()?.is_empty() && names.tasks(&Default::default())?.is_empty();
    if empty {
        let (people, tasks) = import::load_demo(assistant.platform())?;
        println!("Loaded the demo workspace: {people} people, {tasks} tasks.");
    } else if demo {
        println!("This workspace already has data; the demo is only loaded into an empty one.");
    }
    chat::run(&assistant, actor, &home, &charts)
}

/// `maestro ask`: one turn, from the words given or standard input (`-`).
fn ask_command(
    ctx: Ctx,
    json: bool,
    yes: bool,
    session: Option<String>,
    text: &[String],
) -> Result<ExitCode> {
    let text = if text == ["-"] {
        stdin_text()?
    } else {
        text.join(" ")
    };
    let charts = ctx.charts()?;
    let actor = ctx.globals.actor.clone();
    let assistant = assistant(ctx.into_platform()?)?;
    let options = TurnOptions {
        actor,
        confirmed: yes,
        one_shot: session.is_none(),
        ..Default::default()
    };
    let session = session.as_deref().unwrap_or("cli");
    ask(&assistant, session, &text, options, json, &charts)
}

/// `maestro settings list|set`.
fn settings(platform: &Platform, command: SettingsCommand) -> Result<ExitCode> {
    match command {
        SettingsCommand::List { json } => {
            let values = platform.setting_values()?;
            if json {
                let list: Vec<_> = values
                    .iter()
                    .map(|(s, v)| json!({"key": s.key, "value": v, "about": s.about}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for (s, v) in &values {
                    let shown = if v.is_empty() { "(not set)" } else { v };
                    println!("{:<13} {:<12} {}", s.key, shown, s.about);
                }
            }
        }
        SettingsCommand::Set { key, value } => {
            platform.set_setting(&key, &value)?;
            println!("{key} = {}", value.trim());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `maestro people add|update|list`: one tool call each.
fn people(ctx: &Ctx, command: PeopleCommand) -> Result<ExitCode> {
    let (tool, args, json) = match command {
        PeopleCommand::Add(details) => ("add_person", object(json!(details)), false),
        PeopleCommand::Update(details) => ("update_person", object(json!(details)), false),
        PeopleCommand::List { json } => ("list_people", json!({}), json),
    };
    let out = ctx.platform()?.call(ctx.actor(), tool, args)?;
    print_output(&out, json, &ctx.charts()?);
    Ok(ExitCode::SUCCESS)
}

/// `maestro import tasks|people FILE.csv`.
fn import_command(platform: &Platform, command: ImportCommand) -> Result<ExitCode> {
    match command {
        ImportCommand::Tasks { file } => {
            let tasks = import::import_tasks(platform, &read(&file)?)?;
            println!("Imported {} tasks from {}.", tasks.len(), file.display());
        }
        ImportCommand::People { file } => {
            let merged = import::import_people(platform, &read(&file)?)?;
            println!(
                "Imported people from {}: {} added, {} updated, {} already as given.",
                file.display(),
                merged.added.len(),
                merged.updated.len(),
                merged.unchanged
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `maestro tools [--json]`: every tool, or their listings as JSON.
fn tools(platform: &Platform, json: bool) -> Result<ExitCode> {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&platform.registry().infos())?
        );
    } else {
        for t in platform.registry().iter() {
            println!("{:<16} {}", t.name(), t.description());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `maestro demo`: the demo workspace, into an empty one only.
fn demo(platform: &Platform) -> Result<ExitCode> {
    if !platform.lookup(None).people()?.is_empty() {
        bail!(
            "this workspace already has people; load the demo into an empty one (e.g. --home /tmp/maestro-demo)"
        );
    }
    let (people, tasks) = import::load_demo(platform)?;
    println!("Loaded the demo workspace: {people} people, {tasks} tasks.");
    Ok(ExitCode::SUCCESS)
}

/// `maestro reindex`: the catalog rebuilt from the store.
fn reindex(platform: &Platform) -> Result<ExitCode> {
    let r = platform.reindex()?;
    println!(
        "Reindexed the catalog: {} tools, {} people, {} tasks, {} datasets, {} models (it held {} entries before).",
        r.tools, r.people, r.tasks, r.datasets, r.models, r.before
    );
    Ok(ExitCode::SUCCESS)
}

fn home(flag: &Option<PathBuf>) -> Result<PathBuf> {
    match flag {
        Some(h) if !h.as_os_str().is_empty() => Ok(h.clone()),
        _ => dirs::data_dir().map(|d| d.join("maestro")).context(
            "cannot find a data directory for this user; set MAESTRO_HOME or pass --home DIR",
        ),
    }
}

/// Opens the platform the global flags name, on the backends the environment names.
fn open(globals: &Globals) -> Result<Platform> {
    let clock = Clock::from_env()?;
    let backends = Backends::from_env()?;
    let platform = Platform::connect(&home(&globals.home)?, &globals.workspace, clock, &backends)?;
    with_connected_servers(platform)
}

/// `platform` with the tools of the MCP servers connected to its workspace
/// (`maestro mcp add`), for the planners, tool search and every front end.
pub fn with_connected_servers(mut platform: Platform) -> Result<Platform> {
    match maestro_mcp::remote::tools_of(&platform) {
        Ok(tools) if !tools.is_empty() => platform.add_tools(tools)?,
        Ok(_) => {}
        Err(e) => eprintln!("warning: the connected MCP servers could not be read: {e}"),
    }
    Ok(platform)
}

/// `maestro migrate`: the embedded database copied into PostgreSQL.
fn migrate(ctx: &Ctx) -> Result<ExitCode> {
    let Some(url) = Backends::from_env()?.database_url else {
        bail!(
            "say where to copy to: set MAESTRO_DATABASE_URL=postgres://user:password@host/database"
        );
    };
    let source = ctx.home()?.join("maestro.db");
    if !source.is_file() {
        bail!(
            "there is no embedded database at {}; point --home / MAESTRO_HOME at the directory that holds maestro.db",
            source.display()
        );
    }
    let target = PgStore::connect(&url, &ctx.globals.workspace)?;
    for copied in target.copy_from_sqlite(&source)? {
        let rows: Vec<String> = copied
            .rows
            .iter()
            .map(|(table, n)| format!("{n} {}", table.replace('_', " ")))
            .collect();
        println!(
            "Copied workspace {} into PostgreSQL: {}.",
            copied.workspace,
            rows.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The assistant over `platform`: the language-model planner when an endpoint
/// is configured (`MAESTRO_LLM_BASE_URL`, `OPENAI_API_KEY`), else the local one.
pub fn assistant(platform: Platform) -> Result<Assistant> {
    let local = LocalPlanner::new(platform.registry())?;
    let planner: Box<dyn Planner> = match LlmConfig::from_env() {
        Ok(None) => Box::new(local),
        Ok(Some(config)) => match LlmPlanner::new(config, local) {
            Ok(llm) => Box::new(llm),
            Err(e) => {
                eprintln!("warning: {e}; answering with the local planner");
                Box::new(LocalPlanner::new(platform.registry())?)
            }
        },
        Err(e) => {
            eprintln!("warning: {e}; answering with the local planner");
            Box::new(local)
        }
    };
    Ok(Assistant::new(platform, planner))
}

/// `maestro usage`: the language model's tokens and estimated cost, newest first.
fn usage(platform: &Platform, limit: usize, json: bool) -> Result<ExitCode> {
    let report = UsageReport::load(&platform.query(None), limit)?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("{}", report.summary());
        if report.turns > 0 {
            println!("{}", report.table().to_text());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read(file: &Path) -> Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not UTF-8 text (bad byte at offset {}); save it as UTF-8 CSV",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// The request from standard input (`maestro ask -`).
fn stdin_text() -> Result<String> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
        .context("cannot read the request from standard input")?;
    String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!("the request on standard input is not UTF-8 text; type it in words")
    })
}

/// Drops nulls so that absent flags are absent arguments.
pub(crate) fn object(v: Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.into_iter()
                .filter(|(_, v)| !v.is_null())
                .collect::<Map<_, _>>(),
        ),
        other => other,
    }
}

pub(crate) fn print_output(out: &ToolOutput, json: bool, charts: &Charts) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&out.data).unwrap_or_default()
        );
        return;
    }
    println!("{}", render(&out.summary, Style::stdout()));
    for d in &out.displays {
        print_display(d, &out.summary, charts);
    }
}

/// Prints a display as plain text (Markdown that repeats `said` is skipped;
/// a chart is saved and its path printed).
pub fn print_display(d: &Display, said: &str, charts: &Charts) {
    match d {
        Display::Table(t) if !t.rows.is_empty() => println!("{}", t.to_text()),
        Display::Table(_) => {}
        Display::Markdown { text } if said.contains(text.trim()) => {}
        Display::Markdown { text } => println!("{}", render(text, Style::stdout())),
        Display::Chart { title, png } => match charts.save(title, png) {
            Ok(path) => println!("Chart “{title}”: {}", path.display()),
            Err(e) => eprintln!("warning: the chart “{title}” was not saved: {e:#}"),
        },
    }
}

/// A date flag's value (`--due`, `--due-before`) as `YYYY-MM-DD` for the
/// tool, read as people write dates, with the workspace's date order; an
/// error names the flag and says what it takes.
pub(crate) fn due_date(platform: &Platform, flag: &str, text: &str) -> Result<String> {
    let today = platform.clock().now().date_naive();
    let how = maestro_assistant::nlu::dates::Conventions::of(platform);
    maestro_assistant::nlu::dates::read_date(text, today, how)
        .map(|d| d.to_string())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{flag} {text:?} is not a date; write YYYY-MM-DD or a day such as \"friday\", \"next tuesday\" or \"in 2 weeks\""
            )
        })
}

/// One turn: prints replies (and tables), or one JSON object with `--json`.
pub fn ask(
    assistant: &Assistant,
    session: &str,
    text: &str,
    options: TurnOptions,
    json: bool,
    charts: &Charts,
) -> Result<ExitCode> {
    let mut answer = Answer::default();
    let mut shown = Vec::new();
    let mut saved = Vec::new();
    let mut streaming = false;
    let one_shot = options.one_shot;
    for event in assistant.turn(session, text, options) {
        answer.record(&event);
        if json {
            if let Event::Display(Display::Chart { title, png }) = &event {
                // A chart that cannot be saved never hides what the turn did.
                match charts.save(title, png) {
                    Ok(path) => saved.push(json!({"title": title, "path": path})),
                    Err(e) => eprintln!("warning: the chart “{title}” was not saved: {e:#}"),
                }
            }
            continue;
        }
        match event {
            Event::Display(d) => shown.push(d),
            Event::Delta { text } => {
                streaming = true;
                print!("{text}");
                std::io::Write::flush(&mut std::io::stdout())?;
            }
            Event::Reply { text } => {
                if std::mem::take(&mut streaming) {
                    println!();
                } else {
                    println!("{}", render(&text, Style::stdout()));
                }
                shown
                    .drain(..)
                    .for_each(|d| print_display(&d, &text, charts));
            }
            Event::Error { message } => eprintln!("error: {message}"),
            Event::Progress { line, .. } => eprintln!("{line}"),
            Event::Started { .. } | Event::Action(_) => {}
        }
    }
    if json {
        let mut value = serde_json::to_value(&answer)?;
        if !saved.is_empty() {
            value["charts"] = Value::Array(saved);
        }
        println!("{value}");
    }
    let waits = answer
        .actions
        .iter()
        .any(|a| matches!(a.status, Status::NeedsInput | Status::NeedsConfirmation));
    if one_shot && waits && !json {
        eprintln!(
            "(this request stands alone: to answer, ask again with --session NAME from the start, or add --yes to confirm)"
        );
    }
    Ok(ExitCode::from(exit_code(&answer)))
}

/// `maestro ask` exited: every action it took is done.
pub const EXIT_DONE: u8 = 0;
/// An action failed, or the request could not be handled.
pub const EXIT_FAILED: u8 = 1;
/// A destructive action waits for a yes (`--session` and "yes", or `--yes`).
pub const EXIT_NEEDS_CONFIRMATION: u8 = 3;
/// A question about a missing or unknown detail waits for an answer.
pub const EXIT_NEEDS_INPUT: u8 = 4;
/// No tool ran: the request was not read as anything Maestro does (or the
/// turn only talked: a greeting, a cancelled confirmation).
pub const EXIT_NOT_UNDERSTOOD: u8 = 5;

/// How a turn ended, for scripts (the `--json` output is the same either way).
fn exit_code(answer: &Answer) -> u8 {
    let waits = |status| answer.actions.iter().any(|a| a.status == status);
    if answer.failed {
        EXIT_FAILED
    } else if waits(Status::NeedsConfirmation) {
        EXIT_NEEDS_CONFIRMATION
    } else if waits(Status::NeedsInput) {
        EXIT_NEEDS_INPUT
    } else if answer.actions.is_empty() {
        EXIT_NOT_UNDERSTOOD
    } else {
        EXIT_DONE
    }
}

/// `maestro eval work …`
#[derive(Subcommand)]
pub enum EvalSuite {
    /// Train the work-intelligence models on the earliest part of a task
    /// history and score them on the rest (assignment, duration, risk).
    Work {
        /// Completed tasks, in the layout `maestro import tasks` takes.
        #[arg(long)]
        history: PathBuf,
        /// The people, in the layout `maestro import people` takes.
        #[arg(long)]
        people: PathBuf,
        /// Share of the history (by creation date) to train on.
        #[arg(long, default_value_t = 0.8)]
        split: f64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

fn run_eval_work(history: &Path, people: &Path, split: f64, json: bool) -> Result<ExitCode> {
    let report = insight::evaluate::evaluate_csv(&read(history)?, &read(people)?, split)?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "trained on {} tasks, tested on {}",
        report.n_train, report.n_test
    );
    println!(
        "assignment  top-1 {:.3}  top-3 {:.3}  (baseline top-1 {:.3}: most frequent assignee of the category)",
        report.assignment_top1, report.assignment_top3, report.baseline_top1
    );
    println!(
        "duration    MAE {:.2} h  (the estimate as it is: {:.2} h)",
        report.duration_mae, report.estimate_mae
    );
    println!(
        "risk        ROC AUC {:.3}  Brier {:.3}",
        report.risk_auc, report.risk_brier
    );
    Ok(ExitCode::SUCCESS)
}

fn run_eval(file: &Path, json: bool, verbose: bool) -> Result<ExitCode> {
    let corpus = read(file)?;
    let platform = Platform::in_memory(Clock::System)?;
    let planner = std::sync::Arc::new(LocalPlanner::new(platform.registry())?);
    let report = eval::evaluate(&corpus, file.parent().unwrap_or(Path::new(".")), planner)?;
    if json {
        let mut value = serde_json::to_value(&report)?;
        value["exact_accuracy"] = json!(report.exact_accuracy());
        value["tool_accuracy"] = json!(report.tool_accuracy());
        value["retrieval"]["recall"] = json!(report.retrieval.recall());
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} cases from {}", report.cases, file.display());
    println!(
        "exact-call accuracy  {:.1}%  ({}/{})",
        100.0 * report.exact_accuracy(),
        report.exact,
        report.cases
    );
    println!(
        "tool accuracy        {:.1}%  ({}/{})",
        100.0 * report.tool_accuracy(),
        report.tools,
        report.cases
    );
    println!(
        "irrelevant acted on  {}/{}",
        report.irrelevant_acted, report.irrelevant
    );
    if report.sessions > 0 {
        println!(
            "sessions all exact   {}/{} (their turns are counted above)",
            report.sessions_exact, report.sessions
        );
    }
    let r = &report.retrieval;
    println!(
        "tool retrieval       recall@{} {:.1}%  ({}/{}; catalog alone {}); first request {:.0} tokens with {} tools vs {:.0} with all",
        r.k,
        100.0 * r.recall(),
        r.found,
        r.cases,
        r.catalog_only,
        r.mean_prompt_tokens,
        r.k,
        r.mean_prompt_tokens_all_tools
    );
    println!("\nper expected tool (exact/cases):");
    for (tool, (n, exact)) in &report.per_tool {
        println!("  {tool:<16} {exact}/{n}");
    }
    let shown = if verbose {
        report.misses.len()
    } else {
        report.misses.len().min(10)
    };
    if shown > 0 {
        println!(
            "\nmisses{}:",
            if shown < report.misses.len() {
                " (first 10; --verbose for all)"
            } else {
                ""
            }
        );
        for m in &report.misses[..shown] {
            println!(
                "  {}\n    expected {}\n    got      {}",
                m.text, m.expected, m.got
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
