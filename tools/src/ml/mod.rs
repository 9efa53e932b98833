//! The ML platform's tools: the data catalog, AutoML, the model registry,
//! predictions, explanations, bias checks and model cards. The learning
//! itself lives in `maestro-ml`; these tools load data and models, call it,
//! and present the results.

mod card;
mod data;
mod explain;
mod models;
mod predict;
mod train;

use std::path::Path;

use maestro_catalog::Filter;
use maestro_ml::{Frame, MlError, Pipeline};

pub use card::ModelCard;
pub use data::{DescribeDataset, DiscoverFeatures, ListDatasets, RegisterDataset};
pub use explain::{CheckBias, ExplainModel, ExplainPrediction};
pub use models::{CompareModels, DeleteModel, DescribeModel, ListModels, PromoteModel, model_json};
pub use predict::{Predict, PredictArgs, described, predict};
pub use train::{RunAutoml, TrainRequest, train};

use crate::platform::Platform;
use crate::store::{Dataset, ModelRecord, Stage, StoreError};
use crate::tool::{Registry, ToolError};

/// The data and model tools: datasets, AutoML, the registry, predictions, explanations, bias, cards.
pub fn tools() -> Registry {
    let mut r = Registry::new();
    r.register(RegisterDataset);
    r.register(DescribeDataset);
    r.register(ListDatasets);
    r.register(DiscoverFeatures);
    r.register(RunAutoml);
    r.register(ListModels);
    r.register(DescribeModel);
    r.register(PromoteModel);
    r.register(CompareModels);
    r.register(DeleteModel);
    r.register(Predict);
    r.register(ExplainModel);
    r.register(ExplainPrediction);
    r.register(CheckBias);
    r.register(ModelCard);
    r
}

/// A dataset or model that is not in this workspace: a not-found error (a
/// 404 over REST, whatever other workspaces hold) with close names.
fn unknown(what: &'static str, name: &str, known: &[String], list: &str) -> ToolError {
    let close =
        crate::store::names::close_names(&name.to_lowercase(), known.iter().map(String::as_str));
    let hint = match close.as_slice() {
        [] if known.is_empty() => format!("there are none yet; {list}"),
        [] => format!("the {what}s are {}", known.join(", ")),
        [one] => format!("did you mean {one}?"),
        many => format!("did you mean one of {}?", many.join(", ")),
    };
    StoreError::NotFound {
        what,
        key: format!("{name:?}; {hint}"),
    }
    .into()
}

/// The dataset a request names: its exact name, or the catalog's closest dataset
/// ("the customer data" → `churn`) when that match is clear.
pub fn find_dataset(platform: &Platform, name: &str) -> Result<Dataset, ToolError> {
    match platform.store().get_dataset(name, None) {
        Ok(d) => return Ok(d),
        Err(StoreError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    if let Some(found) = closest(platform, "dataset", name) {
        return Ok(platform.store().get_dataset(&found, None)?);
    }
    let known: Vec<String> = platform
        .store()
        .list_datasets()?
        .into_iter()
        .map(|d| d.name)
        .collect();
    Err(unknown(
        "dataset",
        name,
        &known,
        "register one with `maestro data add FILE.csv`",
    ))
}

/// The model a request names (its latest version unless `version` is given);
/// a dataset's name finds the newest model trained on it.
pub fn find_model(
    platform: &Platform,
    name: &str,
    version: Option<u32>,
) -> Result<ModelRecord, ToolError> {
    let name = name.trim().trim_end_matches(" model").trim();
    match platform.store().get_model(name, version) {
        Ok(m) => return Ok(m),
        Err(StoreError::NotFound { .. }) if version.is_some() => {
            let versions: Vec<String> = platform
                .store()
                .list_models()?
                .into_iter()
                .filter(|m| m.name.eq_ignore_ascii_case(name))
                .map(|m| m.version.to_string())
                .collect();
            if !versions.is_empty() {
                return Err(MlError::Request(format!(
                    "{name} has no version {}; its versions are {}",
                    version.unwrap_or_default(),
                    versions.join(", ")
                ))
                .into());
            }
        }
        Err(StoreError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let models = platform.store().list_models()?;
    let on_dataset = models
        .iter()
        .filter(|m| m.dataset.eq_ignore_ascii_case(name))
        .max_by_key(|m| m.created_at);
    if let Some(m) = on_dataset {
        return Ok(platform.store().get_model(&m.name, version)?);
    }
    if let Some(found) = closest(platform, "model", name) {
        return Ok(platform.store().get_model(&found, version)?);
    }
    let mut known: Vec<String> = models.into_iter().map(|m| m.name).collect();
    known.dedup();
    Err(unknown(
        "model",
        name,
        &known,
        "train one with `maestro automl DATASET --target COLUMN`",
    ))
}

/// Which version of a model a request asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Pick {
    /// None named: the production version, then the staging one, then the latest.
    Default,
    /// This version.
    Version(u32),
    /// The latest version in this stage.
    Stage(Stage),
}

/// Splits a model as people name one: `churn`, `churn@2`, `churn@v2`,
/// `churn@production`, `churn@staging`.
pub(crate) fn model_spec(spec: &str) -> Result<(&str, Pick), String> {
    let Some((name, pick)) = spec.split_once('@') else {
        return Ok((spec, Pick::Default));
    };
    let pick = match pick.trim().to_lowercase().as_str() {
        "production" => Pick::Stage(Stage::Production),
        "staging" => Pick::Stage(Stage::Staging),
        v => Pick::Version(v.trim_start_matches('v').parse().map_err(|_| {
            format!("{spec:?}: after @ give a version number, production or staging (e.g. churn@2)")
        })?),
    };
    Ok((name.trim(), pick))
}

/// The version `pick` names, with why it was used.
pub(crate) fn pick_model(
    platform: &Platform,
    name: &str,
    pick: Pick,
) -> Result<(ModelRecord, &'static str), ToolError> {
    let latest = match pick {
        Pick::Version(v) => return Ok((find_model(platform, name, Some(v))?, "asked for")),
        _ => find_model(platform, name, None)?,
    };
    let versions: Vec<ModelRecord> = platform
        .store()
        .list_models()?
        .into_iter()
        .filter(|m| m.name == latest.name)
        .collect();
    let in_stage = |stage: Stage| versions.iter().rev().find(|m| m.stage == stage).cloned();
    match pick {
        Pick::Stage(wanted) => in_stage(wanted)
            .map(|m| (m, wanted.as_str()))
            .ok_or_else(|| {
                MlError::Request(format!(
                    "{name} has no {stage} version; promote one first (e.g. \"promote the {name} model to {stage}\")",
                    name = latest.name,
                    stage = wanted.as_str()
                ))
                .into()
            }),
        _ => Ok(match (in_stage(Stage::Production), in_stage(Stage::Staging)) {
            (Some(m), _) => (m, "production"),
            (None, Some(m)) => (m, "staging; none is in production"),
            (None, None) => (latest, "the latest; none is promoted"),
        }),
    }
}

/// The closest catalog entry of a kind, when it clearly matches.
fn closest(platform: &Platform, kind: &str, text: &str) -> Option<String> {
    let hits = platform
        .catalog()
        .search(text, 2, &Filter::kind(kind))
        .ok()?;
    let best = hits.first()?;
    let clear = best.score > 0.3 && hits.get(1).is_none_or(|h| h.score < best.score * 0.8);
    clear.then(|| best.entry.payload["name"].as_str().map(str::to_string))?
}

/// A model's saved pipeline.
pub fn load_pipeline(platform: &Platform, record: &ModelRecord) -> Result<Pipeline, ToolError> {
    let artifact = platform
        .store()
        .model_artifact(&record.name, record.version)?;
    serde_json::from_str(&artifact).map_err(|e| {
        MlError::Data(format!(
            "model {} version {} cannot be loaded ({e}); retrain it with run_automl",
            record.name, record.version
        ))
        .into()
    })
}

/// Reads a CSV file and its SHA-256.
pub fn read_csv(path: &Path) -> Result<(Frame, String), ToolError> {
    let bytes = std::fs::read(path).map_err(|e| {
        MlError::Data(format!(
            "cannot read {}: {e}; check the path and that you may read it",
            path.display()
        ))
    })?;
    let hash = ring::digest::digest(&ring::digest::SHA256, &bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let frame = Frame::from_csv(bytes.as_slice()).map_err(|e| match e {
        MlError::Data(m) => MlError::Data(format!("{}: {m}", path.display())),
        other => other,
    })?;
    Ok((frame, hash))
}

/// A registered dataset's rows, refused when the file changed since it was registered.
pub fn load_dataset(dataset: &Dataset) -> Result<Frame, ToolError> {
    let (frame, hash) = read_csv(Path::new(&dataset.path))?;
    if hash != dataset.hash {
        return Err(MlError::Data(format!(
            "{} changed since {} version {} was registered; register it again (`maestro data add {} --name {}`) to make a new version",
            dataset.path, dataset.name, dataset.version, dataset.path, dataset.name
        ))
        .into());
    }
    Ok(frame)
}

/// Formats a score for people.
fn score(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}
