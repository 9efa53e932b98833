//! `maestro data`, `maestro automl`, `maestro predict`, `maestro models`:
//! flags in, the ML tools' code out.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use clap::{Args, Subcommand};
use maestro_tools::ml::{PredictArgs, TrainRequest, described, predict, train};
use maestro_tools::{Hooks, Platform};
use serde_json::json;

use crate::charts::Charts;
use crate::commands::{object, print_output};

/// `maestro data …`
#[derive(Subcommand)]
#[command(after_help = "Examples:
  maestro data add examples/data/churn.csv --description \"customer churn, monthly\"
  maestro data list --json
  maestro data describe churn
  maestro automl churn --target churned --budget 30")]
pub enum DataCommand {
    /// Register a CSV file (a changed file becomes a new version).
    Add {
        /// The CSV file.
        file: PathBuf,
        /// Name (default: the file name).
        #[arg(long)]
        name: Option<String>,
        /// What the data holds.
        #[arg(long)]
        description: Option<String>,
        /// Print the dataset as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List datasets.
    List {
        /// As JSON: a list of {name, version, rows, columns, path, description}.
        #[arg(long)]
        json: bool,
    },
    /// Describe a dataset's columns.
    Describe {
        /// Dataset name.
        name: String,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `maestro models …`
#[derive(Subcommand)]
#[command(after_help = "Examples:
  maestro models list --json
  maestro predict churn examples/data/new_customers.csv --json
  maestro ask \"promote the churn model to production\"")]
pub enum ModelsCommand {
    /// List models.
    List {
        /// As JSON: a list of {name, version, dataset, target, task, metric, cv_score, stage, created_at}.
        #[arg(long)]
        json: bool,
    },
}

/// `maestro automl NAME --target COL …`
#[derive(Args)]
pub struct AutomlArgs {
    /// Dataset name.
    dataset: String,
    /// Column to predict.
    #[arg(long)]
    target: String,
    /// Metric to optimise (roc_auc, accuracy, balanced_accuracy, f1, log_loss, r2, rmse, mae).
    #[arg(long)]
    metric: Option<String>,
    /// Wall-clock budget in seconds.
    #[arg(long, default_value_t = 30.0)]
    budget: f64,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Columns never used as features (comma-separated).
    #[arg(long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// Model name (default: the dataset's name).
    #[arg(long)]
    name: Option<String>,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
}

/// `maestro predict MODEL FILE`
#[derive(Args)]
pub struct PredictCommand {
    /// Model name (latest version).
    model: String,
    /// CSV file with the model's columns.
    file: PathBuf,
    /// Print {"predictions": [...], "probabilities": [[...]]|null}.
    #[arg(long)]
    json: bool,
}

/// Set by Ctrl-C while a training run is going: the search stops and keeps the best so far.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
extern "C" fn on_interrupt(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::Relaxed);
}

/// Runs `maestro data …`.
pub fn data(
    platform: &Platform,
    actor: Option<&str>,
    command: DataCommand,
    charts: &Charts,
) -> Result<ExitCode> {
    let (tool, args, json) = match command {
        DataCommand::Add {
            file,
            name,
            description,
            json,
        } => (
            "register_dataset",
            object(
                json!({"path": file.display().to_string(), "name": name, "description": description}),
            ),
            json,
        ),
        DataCommand::List { json } => ("list_datasets", json!({}), json),
        DataCommand::Describe { name, json } => {
            ("describe_dataset", json!({"dataset": name}), json)
        }
    };
    print_output(&platform.call(actor, tool, args)?, json, charts);
    Ok(ExitCode::SUCCESS)
}

/// Runs `maestro models …`.
pub fn models(
    platform: &Platform,
    actor: Option<&str>,
    command: ModelsCommand,
    charts: &Charts,
) -> Result<ExitCode> {
    let ModelsCommand::List { json } = command;
    print_output(
        &platform.call(actor, "list_models", json!({}))?,
        json,
        charts,
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `maestro automl …`: progress on stderr, Ctrl-C keeps the best so far.
pub fn automl(platform: &Platform, a: AutomlArgs) -> Result<ExitCode> {
    let request = TrainRequest {
        dataset: a.dataset,
        target: a.target,
        metric: a.metric,
        budget_seconds: Some(a.budget),
        folds: Some(a.folds),
        seed: Some(a.seed),
        exclude: (!a.exclude.is_empty()).then_some(a.exclude),
        name: a.name,
    };
    #[cfg(unix)]
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    let previous = unsafe {
        libc::signal(
            libc::SIGINT,
            on_interrupt as *const () as libc::sighandler_t,
        )
    };
    let progress = |line: &str, _: Option<f64>| eprintln!("{line}");
    let result = train(
        platform,
        &request,
        Hooks {
            progress: Some(&progress),
            cancel: Some(&INTERRUPTED),
        },
    );
    #[cfg(unix)]
    // SAFETY: puts back the handler that was there before.
    unsafe {
        libc::signal(libc::SIGINT, previous);
    }
    let (record, outcome, result) = result?;
    // Trained outside `Platform::call`: the catalog's stamp moves on here.
    platform.mark_in_step()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        println!(
            "Trained {} version {}: {} {} = {:.4} ± {:.4} ({}) with {} ({} trials, {:.1} s){}.",
            record.name,
            record.version,
            record.task,
            record.metric,
            record.cv_score,
            record.cv_std,
            outcome.validation.describe(),
            record.family,
            outcome.trials,
            outcome.elapsed_s,
            if outcome.interrupted {
                ", stopped early on request"
            } else {
                ""
            }
        );
        for t in outcome.leaderboard.iter().take(10) {
            println!(
                "  {:<11} {:.4} ± {:.4}  {:>7} rows  {}",
                t.family, t.cv_score, t.cv_std, t.train_rows, t.params
            );
        }
        for note in &outcome.notes {
            println!("Note: {note}.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `maestro predict MODEL FILE`.
pub fn predict_file(platform: &Platform, a: PredictCommand) -> Result<ExitCode> {
    let args = PredictArgs {
        model: a.model,
        version: None,
        path: Some(a.file.display().to_string()),
        rows: None,
    };
    let predicted = predict(platform, &args)?;
    let (summary, table) = described(&predicted, usize::MAX);
    let result = &predicted.result;
    if a.json {
        // Which version answered goes to stderr; stdout stays the contract object.
        eprintln!("{summary}");
        let mut out =
            json!({"predictions": result["predictions"], "probabilities": result["probabilities"]});
        if !result["classes"].is_null() {
            out["classes"] = result["classes"].clone();
        }
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!("{summary}");
        println!("{}", table.to_text());
    }
    Ok(ExitCode::SUCCESS)
}
