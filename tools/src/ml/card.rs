//! `model_card`: a Markdown model card generated from the registry, filled
//! into the template in `prompts/model_card.md`.

use maestro_ml::explain::Importance;
use serde_json::{Value, json};

use super::explain::{bias_report, importance};
use super::models::ModelArgs;
use super::{find_model, load_pipeline, score};
use crate::store::ModelRecord;
use crate::tool::{Context, Display, Effect, ToolError, ToolOutput, TypedTool};

const TEMPLATE: &str = include_str!("../../../prompts/model_card.md");

/// Columns whose groups a card checks for fairness when the data has them.
const SENSITIVE: &[&str] = &[
    "gender",
    "sex",
    "race",
    "ethnicity",
    "age_group",
    "religion",
    "nationality",
    "disability",
];

fn list(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// Writes a model card.
pub struct ModelCard;

impl TypedTool for ModelCard {
    type Args = ModelArgs;
    const NAME: &'static str = "model_card";
    const DESCRIPTION: &'static str = "Write a model card in Markdown: intended use, data, metrics with their cross-validation spread, what the model relies on, fairness across sensitive columns, and limitations.";
    const EXAMPLES: &'static [&'static str] = &[
        "write a model card for the churn model",
        "document the churn model",
        "model card for iris",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(write|make|generate|create) a model card (for|of) {model:model} [{version:version}]",
        "model card (for|on) [the] {model:model} [model]",
        "document the {model:model} model (in|as) a model card",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: ModelArgs) -> Result<ToolOutput, ToolError> {
        let m = find_model(ctx.platform, &a.model, a.version)?;
        let pipeline = load_pipeline(ctx.platform, &m)?;
        let dataset = ctx
            .platform
            .store()
            .get_dataset(&m.dataset, Some(m.dataset_version))?;
        let frame = super::explain::training_frame(ctx.platform, &m)?;
        let sensitive: Vec<&String> = frame
            .names()
            .iter()
            .filter(|n| SENSITIVE.contains(&n.to_lowercase().as_str()))
            .collect();
        let card = CardFacts::of(&m, &dataset.description)
            .with(
                "importance",
                importance_list(&importance(&pipeline, &frame)),
            )
            .with("fairness", fairness(ctx, &m, &sensitive))
            .render();
        Ok(ToolOutput::new(
            format!("Model card for {} version {}.", m.name, m.version),
            json!({"model": m.name, "version": m.version, "markdown": card}),
        )
        .with(Display::Markdown { text: card }))
    }
}

/// What a model card says, by the template's `{{key}}`s.
struct CardFacts(Vec<(&'static str, String)>);

impl CardFacts {
    /// The facts the registry holds about `m` (trained on a dataset described as `about`).
    fn of(m: &ModelRecord, about: &str) -> Self {
        let d = &m.details;
        let rows = d["rows"].as_u64().unwrap_or(0);
        let features = list(&d["features"]);
        let or = |text: String, none: &str| {
            if text.is_empty() {
                none.to_string()
            } else {
                text
            }
        };
        Self(vec![
            ("name", m.name.clone()),
            ("version", m.version.to_string()),
            ("target", m.target.clone()),
            ("task", m.task.clone()),
            ("dataset", m.dataset.clone()),
            ("dataset_version", m.dataset_version.to_string()),
            ("description", or(about.to_string(), "no description given")),
            ("rows", rows.to_string()),
            ("feature_count", features.len().to_string()),
            ("features", features.join(", ")),
            ("dropped", or(dropped(d).join(", "), "nothing")),
            (
                "notes",
                list(&d["notes"])
                    .iter()
                    .map(|n| format!("- Note: {n}\n"))
                    .collect(),
            ),
            ("family", m.family.clone()),
            ("trials", d["trials"].to_string()),
            (
                "training_s",
                format!("{:.1}", d["training_s"].as_f64().unwrap_or(0.0)),
            ),
            ("params", d["params"].to_string()),
            ("stage", m.stage.as_str().to_string()),
            (
                "created_at",
                m.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            ),
            ("folds", d["folds"].to_string()),
            ("evaluation", evaluation(d)),
            ("seed", d["seed"].to_string()),
            ("metrics", metrics_table(d)),
            ("limitations", limitations(d, rows)),
        ])
    }

    /// These facts and one more.
    fn with(mut self, key: &'static str, value: String) -> Self {
        self.0.push((key, value));
        self
    }

    /// The card: the template with every fact in its place.
    fn render(&self) -> String {
        self.0
            .iter()
            .fold(TEMPLATE.to_string(), |text, (key, value)| {
                text.replace(&format!("{{{{{key}}}}}"), value)
            })
    }
}

/// How the scores were estimated: k-fold cross-validation, or one holdout
/// on large data (models trained before holdouts existed used folds).
fn evaluation(d: &Value) -> String {
    match d["validation"]["method"].as_str() {
        Some("holdout") => format!(
            "a holdout of {} rows; score on the whole holdout ± standard deviation over five parts of it",
            d["validation"]["rows"]
        ),
        _ => format!(
            "{}-fold cross-validation; mean ± standard deviation over folds",
            d["folds"]
        ),
    }
}

/// Each metric with its spread over folds, as a Markdown table.
fn metrics_table(details: &Value) -> String {
    let rows: String = details["metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            format!(
                "| {} | {} ± {} |\n",
                x["metric"].as_str().unwrap_or_default(),
                score(x["mean"].as_f64().unwrap_or(f64::NAN)),
                score(x["std"].as_f64().unwrap_or(f64::NAN))
            )
        })
        .collect();
    format!("| metric | value |\n|---|---|\n{rows}")
}

/// The eight features the model relies on most, with their intervals.
fn importance_list(found: &[Importance]) -> String {
    found
        .iter()
        .take(8)
        .map(|i| {
            format!(
                "- {}: {} (95% interval {} to {})\n",
                i.feature,
                score(i.mean),
                score(i.low),
                score(i.high)
            )
        })
        .collect()
}

/// The columns left out of training, each with why.
fn dropped(details: &Value) -> Vec<String> {
    details["dropped"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            format!(
                "{} ({})",
                x["column"].as_str().unwrap_or_default(),
                x["reason"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// What the card's reader should keep in mind, as a Markdown list.
fn limitations(details: &Value, rows: u64) -> String {
    let mut limitations = vec![
        "Scores are cross-validated on the training data; they hold for new data only if it comes from the same population and period.".to_string(),
        "Permutation importance measures association the model uses, not cause.".to_string(),
    ];
    if rows < 1000 {
        limitations.push(format!(
            "Trained on {rows} rows: estimates are uncertain (see the spread over folds)."
        ));
    }
    if details["interrupted"].as_bool() == Some(true) {
        limitations
            .push("The search was interrupted; a longer run may find a better model.".into());
    }
    limitations.iter().map(|l| format!("- {l}\n")).collect()
}

/// The fairness section: a bias check per sensitive column present in the data.
fn fairness(ctx: &Context<'_>, m: &ModelRecord, sensitive: &[&String]) -> String {
    if m.task != "binary" {
        return "Not assessed: bias checks compare yes/no decisions and this model is not binary."
            .into();
    }
    if sensitive.is_empty() {
        return "The data has no column commonly treated as sensitive (gender, sex, race, ethnicity, age group…); run check_bias with a column to assess one.".into();
    }
    sensitive
        .iter()
        .map(|column| match bias_report(ctx.platform, m, column) {
            Ok((column, r)) => {
                let rates: Vec<String> = r
                    .groups
                    .iter()
                    .map(|g| format!("{} {:.1}%", g.group, g.selection_rate * 100.0))
                    .collect();
                format!(
                    "- **{column}** (out-of-fold): predicted-positive rate {}; demographic-parity ratio {}. {}\n",
                    rates.join(", "),
                    r.demographic_parity_ratio.map_or("undefined".into(), |v| format!("{v:.2}")),
                    r.verdict
                )
            }
            Err(e) => format!("- **{column}**: could not be checked ({e})\n"),
        })
        .collect()
}
