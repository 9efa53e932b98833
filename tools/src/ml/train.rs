//! `run_automl`: train on a registered dataset within a time budget, register
//! the winner, and show the leaderboard and how the winner did out of fold.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use maestro_ml::automl::{self, Outcome, Progress, Spec, Validation};
use maestro_ml::{Metric, MlError, Output};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{find_dataset, load_dataset, score};
use crate::platform::Platform;
use crate::store::{ModelRecord, NewModel, Stage};
use crate::tool::{Context, Display, Effect, Hooks, Table, ToolError, ToolOutput, TypedTool};

/// The longest budget accepted, in seconds.
const MAX_BUDGET: f64 = 3600.0;

/// A training run, as the tool and the CLI ask for it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainRequest {
    /// Dataset name.
    pub dataset: String,
    /// Column to predict.
    pub target: String,
    /// Metric to optimise: roc_auc, accuracy, balanced_accuracy, f1, log_loss, r2, rmse, mae
    /// (default: roc_auc for two classes, accuracy for more, r2 for numbers).
    pub metric: Option<String>,
    /// Wall-clock budget in seconds (default 30).
    pub budget_seconds: Option<f64>,
    /// Cross-validation folds (default 5).
    pub folds: Option<usize>,
    /// Random seed (default 42).
    pub seed: Option<u64>,
    /// Columns never used as features.
    pub exclude: Option<Vec<String>>,
    /// Model name (default: the dataset's name).
    pub name: Option<String>,
}

/// Seconds of search when the request names no budget.
const DEFAULT_BUDGET: f64 = 30.0;

/// How the search went: the budget (asked for or the default), whether it
/// was interrupted, the families with a finished trial and those without.
fn search_report(a: &TrainRequest, outcome: &maestro_ml::automl::Outcome) -> String {
    let budget = a.budget_seconds.unwrap_or(DEFAULT_BUDGET);
    let whose = if a.budget_seconds.is_some() {
        "asked for"
    } else {
        "the default"
    };
    // The search refines its best families until the budget is spent, so it
    // ends there unless it was interrupted.
    let stop = if outcome.interrupted {
        format!(
            "was stopped early on request within its {budget:.0} s budget ({whose}); the best model so far was kept"
        )
    } else {
        format!("used its {budget:.0} s budget ({whose})")
    };
    let tried: Vec<&str> = outcome
        .families
        .iter()
        .filter(|f| outcome.leaderboard.iter().any(|t| &t.family == *f))
        .map(String::as_str)
        .collect();
    let skipped: Vec<&str> = outcome
        .families
        .iter()
        .map(String::as_str)
        .filter(|f| !tried.contains(f))
        .collect();
    let mut report = format!(
        "The search {stop}; it finished trials of {}",
        listed(&tried)
    );
    if !skipped.is_empty() {
        // Left out for time, or every trial cut short or failed.
        report.push_str(&format!(", and none of {}", listed(&skipped)));
    }
    report.push('.');
    report
}

/// "a", "a and b", "a, b and c".
fn listed(items: &[&str]) -> String {
    match items {
        [] => "nothing".into(),
        [one] => (*one).into(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Trains and registers a model; returns its record and the result as the
/// CLI prints it (`maestro automl --json`).
pub fn train(
    platform: &Platform,
    req: &TrainRequest,
    hooks: Hooks<'_>,
) -> Result<(ModelRecord, Outcome, Value), ToolError> {
    let (budget, name) = checked(req)?;
    let dataset = find_dataset(platform, &req.dataset)?;
    let frame = load_dataset(&dataset)?;
    let spec = Spec {
        target: req.target.clone(),
        metric: req.metric.as_deref().map(Metric::parse).transpose()?,
        budget: Duration::from_secs_f64(budget),
        folds: req.folds.unwrap_or(5),
        seed: req.seed.unwrap_or(42),
        exclude: req.exclude.clone().unwrap_or_default(),
    };
    let never = AtomicBool::new(false);
    let mut metric = "";
    let outcome = automl::run(
        &frame,
        &spec,
        &mut |p| report(p, &mut metric, budget, hooks),
        hooks.cancel.unwrap_or(&never),
    )?;
    let pipeline = &outcome.pipeline;
    let artifact = serde_json::to_string(pipeline)
        .map_err(|e| MlError::Data(format!("the model could not be saved: {e}")))?;
    let leaderboard: Vec<Value> = outcome
        .leaderboard
        .iter()
        .map(|t| json!({"family": t.family, "params": t.params, "cv_score": t.cv_score, "fit_s": t.fit_s, "train_rows": t.train_rows}))
        .collect();
    let details = details(&outcome, &spec, budget, &leaderboard);
    let record = platform.store().add_model(
        NewModel {
            record: ModelRecord {
                name: name.map_or_else(|| dataset.name.clone(), str::to_string),
                version: 0,
                dataset: dataset.name.clone(),
                dataset_version: dataset.version,
                target: pipeline.target.name.clone(),
                task: task_name(&outcome),
                metric: outcome.metric.name().into(),
                cv_score: outcome.best.cv_score,
                cv_std: outcome.best.cv_std,
                stage: Stage::None,
                family: outcome.best.family.clone(),
                details,
                created_at: platform.clock().now(),
            },
            artifact,
        },
        platform.clock().now(),
    )?;
    platform.index_model(&record)?;
    let result = json!({
        "model": record.name,
        "version": record.version,
        "task": record.task,
        "metric": record.metric,
        "cv_score": outcome.best.cv_score,
        "cv_std": outcome.best.cv_std,
        "best": {"family": outcome.best.family, "params": outcome.best.params},
        "trials": outcome.trials,
        "elapsed_s": outcome.elapsed_s,
        "first_model_s": outcome.first_model_s,
        "validation": outcome.validation,
        "leaderboard": leaderboard,
    });
    Ok((record, outcome, result))
}

/// The budget and model name a request asks for, checked.
fn checked(req: &TrainRequest) -> Result<(f64, Option<&str>), ToolError> {
    let budget = req.budget_seconds.unwrap_or(DEFAULT_BUDGET);
    if !(budget.is_finite() && (1.0..=MAX_BUDGET).contains(&budget)) {
        return Err(ToolError::invalid(
            RunAutoml::NAME,
            "budget_seconds",
            format!("{budget} is out of range; give between 1 and {MAX_BUDGET} seconds"),
        ));
    }
    let name = req.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if let Some(name) = name
        && !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(ToolError::invalid(
            RunAutoml::NAME,
            "name",
            format!("{name:?}: use letters, digits, '_' or '-' (e.g. churn_v2)"),
        ));
    }
    Ok((budget, name))
}

/// Passes a line of the search's progress on, with the share of the budget spent.
fn report(p: Progress<'_>, metric: &mut &'static str, budget: f64, hooks: Hooks<'_>) {
    match p {
        Progress::Started {
            task,
            metric: m,
            rows,
            features,
        } => {
            *metric = m.name();
            hooks.progress(
                &format!(
                    "{task:?} task on {rows} rows and {features} features; optimising {metric} for {budget:.0} s"
                ),
                Some(0.0),
            )
        }
        Progress::Trial {
            trial,
            best,
            elapsed,
        } => hooks.progress(
            &format!(
                "trial {:>3} {:<11} {metric} {}  (best {} {}, {elapsed:.1} s)",
                trial.n,
                trial.family,
                score(trial.cv_score),
                score(best.cv_score),
                best.family
            ),
            Some((elapsed / budget).min(1.0)),
        ),
        Progress::Refit { family } => {
            hooks.progress(&format!("refitting {family} on every row"), Some(1.0))
        }
    }
}

/// What the registry keeps about a trained model besides its headline figures.
fn details(outcome: &Outcome, spec: &Spec, budget: f64, leaderboard: &[Value]) -> Value {
    let pipeline = &outcome.pipeline;
    json!({
        "params": outcome.best.params,
        "features": pipeline.features(),
        "classes": pipeline.target.classes,
        "rows": outcome.rows,
        "folds": spec.folds,
        "validation": outcome.validation,
        "first_model_s": outcome.first_model_s,
        "seed": spec.seed,
        "budget_s": budget,
        "training_s": outcome.elapsed_s,
        "trials": outcome.trials,
        "metrics": outcome.metrics.iter().map(|(m, mean, std)| json!({"metric": m.name(), "mean": mean, "std": std})).collect::<Vec<_>>(),
        "leaderboard": leaderboard.iter().take(20).collect::<Vec<_>>(),
        "dropped": outcome.dropped.iter().map(|(c, why)| json!({"column": c, "reason": why})).collect::<Vec<_>>(),
        "notes": outcome.notes,
        "interrupted": outcome.interrupted,
        "out_of_fold": out_of_fold(outcome),
    })
}

fn task_name(outcome: &Outcome) -> String {
    serde_json::to_value(outcome.pipeline.target.task)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// What the winner's out-of-fold predictions look like: a confusion matrix
/// for classes, residual quantiles and sample points for numbers.
fn out_of_fold(outcome: &Outcome) -> Value {
    match &outcome.oof {
        Output::Probabilities(p) => {
            let k = p.ncols();
            let mut matrix = vec![vec![0usize; k]; k];
            let predicted: Vec<usize> = p
                .rows()
                .into_iter()
                .map(maestro_ml::metrics::argmax)
                .collect();
            for (&q, &t) in predicted.iter().zip(&outcome.truth) {
                matrix[t as usize][q] += 1;
            }
            // Bias checks need a prediction for every row, or for every row
            // of a holdout (named by `rows`).
            match (outcome.oof_complete, outcome.validation) {
                (true, _) => json!({"confusion": matrix, "predicted": predicted}),
                (false, Validation::Holdout { .. }) => {
                    json!({"confusion": matrix, "predicted": predicted, "rows": outcome.scored_rows})
                }
                (false, _) => json!({"confusion": matrix}),
            }
        }
        Output::Values(v) => {
            let step = (v.len() / 400).max(1);
            let points: Vec<[f64; 2]> = v
                .iter()
                .zip(&outcome.truth)
                .step_by(step)
                .map(|(&p, &t)| [p, t])
                .collect();
            json!({"points": points})
        }
    }
}

/// Trains a model on a dataset (AutoML) and registers it.
pub struct RunAutoml;

impl TypedTool for RunAutoml {
    type Args = TrainRequest;
    const NAME: &'static str = "run_automl";
    const DESCRIPTION: &'static str = "Train a model on a dataset to predict a target column with AutoML: tries linear models, trees, forests, boosting, k-NN, SVM and naive Bayes with cross-validation within a time budget, then registers the best.";
    const EXAMPLES: &'static [&'static str] = &[
        "train a model on churn predicting churned, optimise roc auc, 30 seconds",
        "build a model to predict actual_hours from task_durations",
        "run automl on iris with target target",
        "retrain the churn model with 2 minutes",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(train|fit|build) a model on {dataset:dataset} (to predict|predicting|for) {target:column}[ (optimising|optimizing|using|by|with) {metric:metric}][, {budget_seconds:seconds} budget]",
        "(train|fit) {dataset:dataset} (on|->|for) {target:column}[, {metric:metric}]",
        "(run|kick off|start) automl on {dataset:dataset} (for|predicting|with target) {target:column}",
        "(train|build) a {target:column} (model|classifier|predictor|regressor) (on|from) {dataset:dataset}",
        "(train|retrain) on {dataset:dataset} (predicting|for) {target:column}, (without|exclude|excluding|drop|leave out) {exclude:column}",
        "(train|fit) a model on {dataset:dataset} for {target:column} [and] (call it|name it) {name:model}",
        "automl on {dataset:dataset}, target {target:column}, {folds:folds}[, seed {seed:number}]",
        "(train|fit|build) a model on {dataset:dataset}",
        "can (we|you) predict {target:column} from {dataset:dataset}",
    ];
    const EFFECT: Effect = Effect::Write;

    fn run(&self, ctx: &Context<'_>, a: TrainRequest) -> Result<ToolOutput, ToolError> {
        let (record, outcome, result) = train(ctx.platform, &a, ctx.hooks)?;
        // One row per family: its best configuration (the board is best first).
        let mut best: Vec<&maestro_ml::automl::Trial> = Vec::new();
        for trial in &outcome.leaderboard {
            if !best.iter().any(|b| b.family == trial.family) {
                best.push(trial);
            }
        }
        let mut t = Table::new(&["#", "family", &record.metric, "± std", "fit s", "params"]);
        for (i, trial) in best.iter().enumerate() {
            t.rows.push(vec![
                (i + 1).to_string(),
                trial.family.clone(),
                score(trial.cv_score),
                score(trial.cv_std),
                format!("{:.3}", trial.fit_s),
                trial.params.to_string(),
            ]);
        }
        let mut summary = format!(
            "Trained {} version {}: {} {} = {} ± {} ({}) with {} after {} trials in {:.1} s.",
            record.name,
            record.version,
            record.task,
            record.metric,
            score(record.cv_score),
            score(record.cv_std),
            outcome.validation.describe(),
            record.family,
            outcome.trials,
            outcome.elapsed_s
        );
        summary.push_str(&format!(" {}", search_report(&a, &outcome)));
        for note in &outcome.notes {
            summary.push_str(&format!(" Note: {note}."));
        }
        let mut out = ToolOutput::new(summary, result).with(Display::Table(t));
        let labels: Vec<String> = best.iter().map(|t| t.family.clone()).collect();
        let values: Vec<f64> = best.iter().map(|t| t.cv_score).collect();
        let errors: Vec<f64> = best.iter().map(|t| t.cv_std).collect();
        if let Ok(png) = crate::chart::hbars(
            "Leaderboard",
            &labels,
            &values,
            Some(&errors),
            &record.metric,
        ) {
            out = out.with(Display::Chart {
                title: "Leaderboard".into(),
                png,
            });
        }
        if let Some(chart) = super::explain::fit_chart(&record) {
            out = out.with(chart);
        }
        Ok(out)
    }
}
