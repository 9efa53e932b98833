//! The model registry's tools: list, describe, promote, compare and delete.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{find_model, score};
use crate::store::{ModelRecord, ModelSummary, Stage};
use crate::tool::{Context, Display, Effect, Table, ToolError, ToolOutput, TypedTool, YES_OR_NO};

/// A model record as `maestro models list --json` prints it.
pub fn model_json(m: &ModelRecord) -> Value {
    json!(ModelSummary::from(m))
}

fn models_table(models: &[ModelRecord]) -> Table {
    let mut t = Table::new(&[
        "name", "version", "dataset", "target", "task", "metric", "cv score", "family", "stage",
        "created",
    ]);
    for m in models {
        t.rows.push(vec![
            m.name.clone(),
            m.version.to_string(),
            format!("{} v{}", m.dataset, m.dataset_version),
            m.target.clone(),
            m.task.clone(),
            m.metric.clone(),
            format!("{} ± {}", score(m.cv_score), score(m.cv_std)),
            m.family.clone(),
            serde_json::to_value(m.stage)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            m.created_at.format("%Y-%m-%d %H:%M").to_string(),
        ]);
    }
    t
}

/// Arguments of `list_models`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListArgs {
    /// Only models trained on this dataset.
    pub dataset: Option<String>,
}

/// Lists registered models.
pub struct ListModels;

impl TypedTool for ListModels {
    type Args = ListArgs;
    const NAME: &'static str = "list_models";
    const DESCRIPTION: &'static str = "List the models in the registry: name, version, dataset, target, metric, cross-validated score and stage.";
    const EXAMPLES: &'static [&'static str] = &[
        "list models",
        "which models do we have?",
        "show the model registry",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(list|show) [the|all] [the] models",
        "what models do we have",
        "what's in the [model] registry",
        "(list|show) models (trained on|for) {dataset:dataset}",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: ListArgs) -> Result<ToolOutput, ToolError> {
        let models: Vec<ModelRecord> = ctx
            .platform
            .store()
            .list_models()?
            .into_iter()
            .filter(|m| {
                a.dataset
                    .as_deref()
                    .is_none_or(|d| m.dataset.eq_ignore_ascii_case(d))
            })
            .collect();
        let summary = match models.len() {
            0 => "No models yet; train one with `maestro automl DATASET --target COLUMN` or by asking, e.g. “train a model on churn predicting churned”.".to_string(),
            n => format!("{n} model version{}.", if n == 1 { "" } else { "s" }),
        };
        let data: Vec<Value> = models.iter().map(model_json).collect();
        Ok(ToolOutput::new(summary, data).with(Display::Table(models_table(&models))))
    }
}

/// Arguments naming one model version.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelArgs {
    /// Model name (or its dataset's name: "the churn model").
    pub model: String,
    /// Version (default: the latest).
    pub version: Option<u32>,
}

/// Describes one model version.
pub struct DescribeModel;

impl TypedTool for DescribeModel {
    type Args = ModelArgs;
    const NAME: &'static str = "describe_model";
    const DESCRIPTION: &'static str = "Describe a model: its dataset, target, features, winning family and parameters, every metric with its spread, and training time.";
    const EXAMPLES: &'static [&'static str] = &[
        "describe the churn model",
        "how good is the churn model?",
        "show model churn version 2",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(describe|show|tell me about) the {model:model} model [{version:version}]",
        "what('s| is) the (score|auc|accuracy|metric) (of|on|for) {model:model} {version:version}",
        "(details|info|deets) (on|about) the {model:model} model",
        "what (features|params|parameters) does the {model:model} model use",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: ModelArgs) -> Result<ToolOutput, ToolError> {
        let m = find_model(ctx.platform, &a.model, a.version)?;
        let mut t = Table::new(&["metric", "mean", "std"]);
        for row in m.details["metrics"].as_array().into_iter().flatten() {
            t.rows.push(vec![
                row["metric"].as_str().unwrap_or_default().to_string(),
                score(row["mean"].as_f64().unwrap_or(f64::NAN)),
                score(row["std"].as_f64().unwrap_or(f64::NAN)),
            ]);
        }
        let features: Vec<&str> = m.details["features"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let summary = format!(
            "{} version {} predicts {} ({}) from {} features of {} v{}; {} with {} = {} ± {}; stage {}; trained {} in {:.1} s.",
            m.name,
            m.version,
            m.target,
            m.task,
            features.len(),
            m.dataset,
            m.dataset_version,
            m.family,
            m.metric,
            score(m.cv_score),
            score(m.cv_std),
            serde_json::to_value(m.stage)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            m.created_at.format("%Y-%m-%d %H:%M"),
            m.details["training_s"].as_f64().unwrap_or(0.0)
        );
        let mut out = ToolOutput::new(summary, &m).with(Display::Table(t));
        if let Some(chart) = super::explain::fit_chart(&m) {
            out = out.with(chart);
        }
        Ok(out)
    }
}

/// Arguments of `promote_model`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromoteArgs {
    /// Model name.
    pub model: String,
    /// Version (default: the latest).
    pub version: Option<u32>,
    /// Stage to move to: staging or production (none to take it out).
    pub stage: Stage,
}

/// Moves a model version between stages.
pub struct PromoteModel;

impl TypedTool for PromoteModel {
    type Args = PromoteArgs;
    const NAME: &'static str = "promote_model";
    const DESCRIPTION: &'static str = "Move a model version to a stage (none, staging, production); promoting to production archives the previous production version.";
    const EXAMPLES: &'static [&'static str] = &[
        "promote the churn model to production",
        "move churn version 2 to staging",
        "put model iris v1 in production",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(promote|move|push|ship|deploy) {model:model} {version:version} to {stage:stage}",
        "(put|move) the {model:model} model (in|into|to) {stage:stage}",
        "make {model:model} {version:version} the {stage:stage} (model|version)",
        "take the {model:model} model out of {stage}",
    ];
    const EFFECT: Effect = Effect::Write;

    fn run(&self, ctx: &Context<'_>, a: PromoteArgs) -> Result<ToolOutput, ToolError> {
        let m = find_model(ctx.platform, &a.model, a.version)?;
        let moved = ctx
            .platform
            .store()
            .set_stage(&m.name, m.version, a.stage)?;
        let stage = serde_json::to_value(a.stage)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        Ok(ToolOutput::new(
            format!(
                "{} version {} is now in {stage}.",
                moved.name, moved.version
            ),
            model_json(&moved),
        ))
    }
}

/// Arguments of `compare_models`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareArgs {
    /// Models to compare: names (latest version) or `name@version`; one name compares all its versions.
    pub models: Vec<String>,
}

/// Compares model versions side by side.
pub struct CompareModels;

impl TypedTool for CompareModels {
    type Args = CompareArgs;
    const NAME: &'static str = "compare_models";
    const DESCRIPTION: &'static str = "Compare models or versions side by side: every metric with its spread, family, features and training time.";
    const EXAMPLES: &'static [&'static str] = &[
        "compare the churn models",
        "compare churn@1 and churn@2",
        "which churn version is best?",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "compare {model:model} {version:version} (and|with|vs|to) {version:version}",
        "compare the {model:model} and {model:model} models",
        "{model:model} {version:version} vs {version:version}",
        "how do [all] the {model:model} versions (compare|stack up)",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: CompareArgs) -> Result<ToolOutput, ToolError> {
        let mut chosen = Vec::new();
        for spec in &a.models {
            let (name, pick) =
                super::model_spec(spec).map_err(|e| ToolError::invalid(Self::NAME, "models", e))?;
            let version = match pick {
                super::Pick::Default => None,
                pick => Some(super::pick_model(ctx.platform, name, pick)?.0.version),
            };
            let m = super::find_model(ctx.platform, name, version)?;
            if version.is_none() && a.models.len() == 1 {
                chosen.extend(
                    ctx.platform
                        .store()
                        .list_models()?
                        .into_iter()
                        .filter(|o| o.name == m.name),
                );
            } else {
                chosen.push(m);
            }
        }
        if chosen.is_empty() {
            return Err(ToolError::invalid(
                Self::NAME,
                "models",
                "name at least one model, e.g. [\"churn\"]",
            ));
        }
        let metrics: Vec<String> = chosen[0].details["metrics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["metric"].as_str().map(str::to_string))
            .collect();
        let mut columns = vec!["model".to_string(), "family".into()];
        columns.extend(metrics.iter().cloned());
        columns.push("trained s".into());
        let mut t = Table {
            columns,
            rows: Vec::new(),
        };
        for m in &chosen {
            let mut row = vec![format!("{}@{}", m.name, m.version), m.family.clone()];
            for name in &metrics {
                let found = m.details["metrics"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|x| x["metric"] == name.as_str());
                row.push(found.map_or("-".into(), |x| {
                    format!(
                        "{} ± {}",
                        score(x["mean"].as_f64().unwrap_or(f64::NAN)),
                        score(x["std"].as_f64().unwrap_or(f64::NAN))
                    )
                }));
            }
            row.push(format!(
                "{:.1}",
                m.details["training_s"].as_f64().unwrap_or(0.0)
            ));
            t.rows.push(row);
        }
        let higher = !matches!(chosen[0].metric.as_str(), "log_loss" | "rmse" | "mae");
        let best = chosen
            .iter()
            .filter(|m| m.metric == chosen[0].metric)
            .max_by(|a, b| {
                let (x, y) = (a.cv_score, b.cv_score);
                if higher {
                    x.total_cmp(&y)
                } else {
                    y.total_cmp(&x)
                }
            })
            .map(|m| format!("{}@{}", m.name, m.version))
            .unwrap_or_default();
        let summary = format!(
            "Compared {} model versions; best on {}: {best}.",
            chosen.len(),
            chosen[0].metric
        );
        Ok(ToolOutput::new(summary, &chosen).with(Display::Table(t)))
    }
}

/// Deletes a model version (or every version).
pub struct DeleteModel;

impl TypedTool for DeleteModel {
    type Args = ModelArgs;
    const NAME: &'static str = "delete_model";
    const DESCRIPTION: &'static str = "Delete a model version from the registry, or every version of a model when no version is given.";
    const EXAMPLES: &'static [&'static str] = &[
        "delete the churn model",
        "remove model churn version 1",
        "drop the iris model",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(delete|remove|drop|trash|nuke|get rid of) [the] {model:model} model [{version:version}]",
        "(delete|remove|drop) {model:model} {version:version} [from the registry]",
    ];
    const EFFECT: Effect = Effect::Destructive;

    fn confirm(&self, _: &Context<'_>, a: &ModelArgs) -> Option<String> {
        let what = match a.version {
            Some(v) => format!("version {v} of the model {}", a.model),
            None => format!("every version of the model {}", a.model),
        };
        Some(format!(
            "This will delete {what} for good. Are you sure? {YES_OR_NO}"
        ))
    }

    fn run(&self, ctx: &Context<'_>, a: ModelArgs) -> Result<ToolOutput, ToolError> {
        let m = find_model(ctx.platform, &a.model, a.version)?;
        let gone = ctx.platform.store().delete_model(&m.name, a.version)?;
        if ctx.platform.store().get_model(&m.name, None).is_err() {
            ctx.platform
                .catalog()
                .remove(&[format!("model:{}", m.name.to_lowercase())])?;
        }
        let versions: Vec<String> = gone.iter().map(|g| g.version.to_string()).collect();
        Ok(ToolOutput::new(
            format!(
                "Deleted {} version{} {}.",
                m.name,
                if gone.len() == 1 { "" } else { "s" },
                versions.join(", ")
            ),
            gone.iter().map(model_json).collect::<Vec<_>>(),
        ))
    }
}
