//! The data catalog's tools: register, describe and list datasets, and rank
//! the features that tell most about a target.

use std::path::Path;

use maestro_ml::MlError;
use maestro_ml::features::discover;
use maestro_ml::profile::{ColumnProfile, profile};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::{find_dataset, load_dataset, read_csv};
use crate::store::NewDataset;
use crate::tool::{Context, Display, Effect, Table, ToolError, ToolOutput, TypedTool};

/// Arguments of `register_dataset`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterArgs {
    /// Path of a CSV file with a header row.
    pub path: String,
    /// Name to register it under (default: the file name without extension).
    pub name: Option<String>,
    /// What the data holds.
    pub description: Option<String>,
}

/// Registers a CSV file in the data catalog, with a profile of every column.
pub struct RegisterDataset;

impl TypedTool for RegisterDataset {
    type Args = RegisterArgs;
    const NAME: &'static str = "register_dataset";
    const DESCRIPTION: &'static str = "Register a CSV file as a dataset in the data catalog: profiles every column (type, missing, distinct, statistics); a changed file becomes a new version.";
    const EXAMPLES: &'static [&'static str] = &[
        "register examples/data/churn.csv as churn",
        "add the dataset data/customers.csv",
        "load data/sales.csv into the catalog",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(register|add|load|import|catalog|upload) {path:path} [(as|under the name|named|called) {name:dataset}]",
        "(I have|there's|got) a new (csv|file|dataset) at {path:path}[, (register|add) it]",
        "(add|register) {path:path} to the (catalog|data catalog) [as {name:dataset}]",
        "register {path:path} with (description|the description) \"{description:description}\"",
    ];
    const EFFECT: Effect = Effect::Write;

    fn run(&self, ctx: &Context<'_>, a: RegisterArgs) -> Result<ToolOutput, ToolError> {
        let path = Path::new(a.path.trim());
        let absolute = ctx.platform.readable_path(path).map_err(MlError::Data)?;
        let (frame, hash) = read_csv(&absolute)?;
        let name = match a.name.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => absolute
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "dataset".into()),
        };
        if !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return Err(ToolError::invalid(
                Self::NAME,
                "name",
                format!("{name:?}: use letters, digits, '_' or '-' (e.g. churn_2024)"),
            ));
        }
        let profiles = profile(&frame);
        let (dataset, new) = ctx.platform.store().add_dataset(
            NewDataset {
                name,
                path: absolute.display().to_string(),
                description: a.description.unwrap_or_default().trim().to_string(),
                rows: frame.rows(),
                columns: frame.names().len(),
                hash,
                profile: serde_json::to_value(&profiles).unwrap_or_default(),
            },
            ctx.now,
        )?;
        ctx.platform.index_dataset(&dataset, frame.names())?;
        let summary = if new {
            format!(
                "Registered {} version {}: {} rows, {} columns.",
                dataset.name, dataset.version, dataset.rows, dataset.columns
            )
        } else {
            format!(
                "{} version {} already holds this file unchanged ({} rows, {} columns).",
                dataset.name, dataset.version, dataset.rows, dataset.columns
            )
        };
        Ok(ToolOutput::new(summary, &dataset).with(Display::Table(profile_table(&profiles))))
    }
}

fn profile_table(profiles: &[ColumnProfile]) -> Table {
    let mut t = Table::new(&[
        "column",
        "type",
        "missing",
        "distinct",
        "min",
        "max",
        "mean",
        "top values",
    ]);
    let num = |v: Option<f64>| {
        v.map_or(String::new(), |v| {
            format!("{v:.4}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        })
    };
    for p in profiles {
        t.rows.push(vec![
            p.name.clone(),
            serde_json::to_value(p.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            p.missing.to_string(),
            p.distinct.to_string(),
            p.first.clone().unwrap_or_else(|| num(p.min)),
            p.last.clone().unwrap_or_else(|| num(p.max)),
            num(p.mean),
            p.top
                .iter()
                .take(3)
                .map(|t| format!("{} ({})", t.value, t.count))
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    t
}

/// Arguments naming a dataset.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatasetArgs {
    /// Dataset name (or words that describe it, e.g. "the customer data").
    pub dataset: String,
    /// Only this column.
    pub column: Option<String>,
}

/// Shows a dataset's columns: types, missing values, distinct counts and statistics.
pub struct DescribeDataset;

impl TypedTool for DescribeDataset {
    type Args = DatasetArgs;
    const NAME: &'static str = "describe_dataset";
    const DESCRIPTION: &'static str = "Describe a dataset: its columns with type, missing and distinct counts, min/max/mean and top values.";
    const EXAMPLES: &'static [&'static str] = &[
        "what columns does churn have and how many are missing?",
        "describe the churn data",
        "profile the customer dataset",
        "how many rows are in iris?",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(describe|profile|summarise|summarize) [the] {dataset:dataset} [dataset|data|table]",
        "what's in [the] {dataset:dataset} [dataset|data]",
        "(show|give) me (an overview|a profile|the columns) of {dataset:dataset}",
        "(describe|profile) [the] {column:column} [column] (in|of) {dataset:dataset}",
        "what does {column:column} look like in {dataset:dataset}",
        "(how many|any) (missing values|nulls|rows) (in|does) {dataset:dataset} [have]",
        "(range|distribution|mean|min and max|top values) of {column:column} in {dataset:dataset}",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: DatasetArgs) -> Result<ToolOutput, ToolError> {
        let d = find_dataset(ctx.platform, &a.dataset)?;
        let mut profiles: Vec<ColumnProfile> =
            serde_json::from_value(d.profile.clone()).unwrap_or_default();
        if let Some(column) = &a.column {
            let names: Vec<String> = profiles.iter().map(|p| p.name.clone()).collect();
            let frame = maestro_ml::Frame::new(names, vec![Vec::new(); profiles.len()])?;
            let i = frame.require(column)?;
            profiles = vec![profiles.swap_remove(i)];
        }
        let missing: Vec<String> = profiles
            .iter()
            .filter(|p| p.missing > 0)
            .map(|p| format!("{} ({})", p.name, p.missing))
            .collect();
        let summary = format!(
            "{} (version {}{}) has {} rows and {} columns; {}.",
            d.name,
            d.version,
            if d.description.is_empty() {
                String::new()
            } else {
                format!(", {}", d.description)
            },
            d.rows,
            d.columns,
            if missing.is_empty() {
                "no missing values".to_string()
            } else {
                format!("missing values in {}", missing.join(", "))
            }
        );
        Ok(
            ToolOutput::new(summary, json!({"dataset": d, "columns": profiles}))
                .with(Display::Table(profile_table(&profiles))),
        )
    }
}

/// Arguments of `list_datasets` (none).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

/// Lists the registered datasets.
pub struct ListDatasets;

impl TypedTool for ListDatasets {
    type Args = NoArgs;
    const NAME: &'static str = "list_datasets";
    const DESCRIPTION: &'static str =
        "List the datasets in the data catalog with their version, rows, columns and description.";
    const EXAMPLES: &'static [&'static str] = &[
        "list datasets",
        "what data do we have?",
        "show the data catalog",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(list|show) [the|all] [the] datasets",
        "what (data|datasets) (do we have|is loaded|are there)",
        "what's in the data catalog",
        "which datasets are (registered|available|loaded)",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, _: NoArgs) -> Result<ToolOutput, ToolError> {
        let all = ctx.platform.store().list_datasets()?;
        let mut t = Table::new(&["name", "version", "rows", "columns", "description", "path"]);
        for d in &all {
            t.rows.push(vec![
                d.name.clone(),
                d.version.to_string(),
                d.rows.to_string(),
                d.columns.to_string(),
                d.description.clone(),
                d.path.clone(),
            ]);
        }
        // The contract's dataset object: `maestro data list --json`.
        let data: Vec<_> = all
            .iter()
            .map(|d| json!({"name": d.name, "version": d.version, "rows": d.rows, "columns": d.columns, "path": d.path, "description": d.description}))
            .collect();
        let summary = match all.len() {
            0 => "No datasets yet; register one with `maestro data add FILE.csv`.".to_string(),
            n => format!("{n} dataset{}.", if n == 1 { "" } else { "s" }),
        };
        Ok(ToolOutput::new(summary, data).with(Display::Table(t)))
    }
}

/// Arguments of `discover_features`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscoverArgs {
    /// Dataset name.
    pub dataset: String,
    /// Column to explain.
    pub target: String,
    /// Columns to leave out.
    pub exclude: Option<Vec<String>>,
}

/// Ranks the columns that tell most about a target.
pub struct DiscoverFeatures;

impl TypedTool for DiscoverFeatures {
    type Args = DiscoverArgs;
    const NAME: &'static str = "discover_features";
    const DESCRIPTION: &'static str = "Rank a dataset's columns by how much they tell about a target column: correlation, mutual information and tree-ensemble importance, with a reason for each.";
    const EXAMPLES: &'static [&'static str] = &[
        "which features matter most for churned in the churn data?",
        "what drives churned in churn?",
        "which columns predict actual_hours in task_durations?",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "what (predicts|drives|explains|influences) {target:column} in {dataset:dataset}",
        "which (columns|features) (matter|are most predictive|correlate) (for|with) {target:column} in {dataset:dataset}",
        "(rank|find) [the] features for {target:column} (on|in) {dataset:dataset}[, (exclude|without|ignore|leave out) {exclude:column}]",
        "does {column} (matter|relate|have anything to do with) {target:column} in {dataset:dataset}",
        "(feature ranking|feature importance) for {target:column} (on|in) {dataset:dataset}",
        "what in {dataset:dataset} tells (me|us) the most about {target:column}",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: DiscoverArgs) -> Result<ToolOutput, ToolError> {
        let d = find_dataset(ctx.platform, &a.dataset)?;
        let frame = load_dataset(&d)?;
        let found = discover(&frame, &a.target, &a.exclude.unwrap_or_default())?;
        let mut t = Table::new(&["rank", "feature", "importance", "MI", "association", "why"]);
        for f in &found.features {
            t.rows.push(vec![
                f.rank.to_string(),
                f.feature.clone(),
                format!("{:.0}%", f.importance * 100.0),
                format!("{:.3}", f.mutual_information),
                format!("{:.2}", f.association),
                f.reason.clone(),
            ]);
        }
        let top: Vec<&str> = found
            .features
            .iter()
            .take(3)
            .map(|f| f.feature.as_str())
            .collect();
        let summary = format!(
            "For {} in {}, the strongest features are {}.{}",
            found.target,
            d.name,
            top.join(", "),
            if found.skipped.is_empty() {
                String::new()
            } else {
                format!(
                    " Left out: {}.",
                    found
                        .skipped
                        .iter()
                        .map(|(c, why)| format!("{c} ({why})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
        let labels: Vec<String> = found
            .features
            .iter()
            .take(15)
            .map(|f| f.feature.clone())
            .collect();
        let values: Vec<f64> = found
            .features
            .iter()
            .take(15)
            .map(|f| f.importance)
            .collect();
        let mut out = ToolOutput::new(summary, &found).with(Display::Table(t));
        if let Ok(png) = crate::chart::hbars(
            &format!("What tells most about {}", found.target),
            &labels,
            &values,
            None,
            "share of tree-ensemble gain",
        ) {
            out = out.with(Display::Chart {
                title: format!("Feature importance for {}", found.target),
                png,
            });
        }
        Ok(out)
    }
}
