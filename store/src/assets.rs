//! The data catalog and the model registry: versioned datasets and models,
//! the [`AssetStore`] trait and its SQLite implementation.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StoreError;
use super::sqlite::SqliteStore;

/// A registered dataset version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dataset {
    /// Name (unique in the workspace).
    pub name: String,
    /// Version (1, 2, … each time the file's content changed).
    pub version: u32,
    /// Where the file is.
    pub path: String,
    /// What it holds, in the owner's words.
    pub description: String,
    /// Rows of data.
    pub rows: usize,
    /// Columns.
    pub columns: usize,
    /// SHA-256 of the content.
    pub hash: String,
    /// Column profiles.
    pub profile: Value,
    /// When this version was registered.
    pub created_at: DateTime<Utc>,
}

/// A dataset version as listings show it: the contract's fields and when it
/// was registered (and, on one dataset's page, its column profiles).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(rename = "Dataset")]
pub struct DatasetSummary {
    /// Name.
    pub name: String,
    /// Version.
    pub version: u32,
    /// Rows of data.
    pub rows: usize,
    /// Columns.
    pub columns: usize,
    /// Where the file is.
    pub path: String,
    /// What it holds.
    pub description: String,
    /// When this version was registered.
    pub created_at: DateTime<Utc>,
    /// Column profiles (one dataset's page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<Value>,
}

impl From<&Dataset> for DatasetSummary {
    fn from(d: &Dataset) -> Self {
        Self {
            name: d.name.clone(),
            version: d.version,
            rows: d.rows,
            columns: d.columns,
            path: d.path.clone(),
            description: d.description.clone(),
            created_at: d.created_at,
            profile: None,
        }
    }
}

/// A dataset to register.
#[derive(Debug, Clone)]
pub struct NewDataset {
    /// Name.
    pub name: String,
    /// Path.
    pub path: String,
    /// Description.
    pub description: String,
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub columns: usize,
    /// Content hash.
    pub hash: String,
    /// Column profiles.
    pub profile: Value,
}

/// A model's place in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Just trained.
    None,
    /// Being tried.
    Staging,
    /// Serving (one version per model name).
    Production,
    /// Replaced by a newer production version.
    Archived,
}

impl Stage {
    /// The stage as stored and shown (`none`, `staging`, `production`, `archived`).
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::None => "none",
            Stage::Staging => "staging",
            Stage::Production => "production",
            Stage::Archived => "archived",
        }
    }

    pub(super) fn parse(s: &str) -> Self {
        match s {
            "staging" => Stage::Staging,
            "production" => Stage::Production,
            "archived" => Stage::Archived,
            _ => Stage::None,
        }
    }
}

/// A registered model version (without its artifact).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelRecord {
    /// Name.
    pub name: String,
    /// Version.
    pub version: u32,
    /// Dataset it was trained on.
    pub dataset: String,
    /// That dataset's version.
    pub dataset_version: u32,
    /// Column predicted.
    pub target: String,
    /// `binary`, `multiclass` or `regression`.
    pub task: String,
    /// Metric optimised.
    pub metric: String,
    /// Mean cross-validated score.
    pub cv_score: f64,
    /// Its standard deviation over folds.
    pub cv_std: f64,
    /// Life-cycle stage.
    pub stage: Stage,
    /// Winning family.
    pub family: String,
    /// Everything else: parameters, features, metrics, leaderboard, notes, timings.
    pub details: Value,
    /// When it was trained.
    pub created_at: DateTime<Utc>,
}

/// A model version as listings show it: the contract's fields (and, on one
/// model's page, its family and details).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(rename = "Model")]
pub struct ModelSummary {
    /// Name.
    pub name: String,
    /// Version.
    pub version: u32,
    /// Dataset it was trained on.
    pub dataset: String,
    /// Column predicted.
    pub target: String,
    /// `binary`, `multiclass` or `regression`.
    pub task: String,
    /// Metric optimised.
    pub metric: String,
    /// Mean cross-validated score.
    pub cv_score: f64,
    /// Life-cycle stage.
    pub stage: Stage,
    /// When it was trained.
    pub created_at: DateTime<Utc>,
    /// Winning family (one model's page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Parameters, features, metrics, leaderboard, notes, timings (one model's page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

impl From<&ModelRecord> for ModelSummary {
    fn from(m: &ModelRecord) -> Self {
        Self {
            name: m.name.clone(),
            version: m.version,
            dataset: m.dataset.clone(),
            target: m.target.clone(),
            task: m.task.clone(),
            metric: m.metric.clone(),
            cv_score: m.cv_score,
            stage: m.stage,
            created_at: m.created_at,
            family: None,
            details: None,
        }
    }
}

/// A model to register: its record (name and version are assigned) and its artifact.
#[derive(Debug, Clone)]
pub struct NewModel {
    /// The record; `version` and `stage` are set by the store.
    pub record: ModelRecord,
    /// The serialised pipeline.
    pub artifact: String,
}

/// Versioned datasets and models of one workspace. Every method is atomic.
pub trait AssetStore {
    /// Registers a dataset. When the latest version has the same content hash
    /// and path, returns it unchanged (`false`); otherwise adds a version (`true`).
    fn add_dataset(&self, d: NewDataset, now: DateTime<Utc>)
    -> Result<(Dataset, bool), StoreError>;
    /// The latest version of every dataset, by name.
    fn list_datasets(&self) -> Result<Vec<Dataset>, StoreError>;
    /// One dataset version (the latest when `version` is `None`).
    fn get_dataset(&self, name: &str, version: Option<u32>) -> Result<Dataset, StoreError>;
    /// Registers a model as the next version of its name.
    fn add_model(&self, m: NewModel, now: DateTime<Utc>) -> Result<ModelRecord, StoreError>;
    /// Every model version, by name then version.
    fn list_models(&self) -> Result<Vec<ModelRecord>, StoreError>;
    /// One model version (the latest when `version` is `None`).
    fn get_model(&self, name: &str, version: Option<u32>) -> Result<ModelRecord, StoreError>;
    /// A model version's artifact.
    fn model_artifact(&self, name: &str, version: u32) -> Result<String, StoreError>;
    /// Moves a version to a stage; a new production version archives the old one.
    fn set_stage(&self, name: &str, version: u32, stage: Stage) -> Result<ModelRecord, StoreError>;
    /// Deletes one version, or every version when `version` is `None`; returns what was deleted.
    fn delete_model(
        &self,
        name: &str,
        version: Option<u32>,
    ) -> Result<Vec<ModelRecord>, StoreError>;
}

pub(super) const DATASET_COLUMNS: &str =
    "name, version, path, description, rows, columns, hash, profile, created_at";
pub(super) const MODEL_COLUMNS: &str = "name, version, dataset, dataset_version, target, task, metric, cv_score, cv_std, stage, family, details, created_at";

/// A stored timestamp; one that does not parse is a storage error, never "now".
pub(super) fn time(column: usize, s: String) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                column,
                rusqlite::types::Type::Text,
                Box::new(e),
            )
        })
}

fn dataset_row(r: &Row<'_>) -> rusqlite::Result<Dataset> {
    Ok(Dataset {
        name: r.get(0)?,
        version: r.get(1)?,
        path: r.get(2)?,
        description: r.get(3)?,
        rows: r.get::<_, i64>(4)? as usize,
        columns: r.get::<_, i64>(5)? as usize,
        hash: r.get(6)?,
        profile: serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or(Value::Null),
        created_at: time(8, r.get(8)?)?,
    })
}

fn model_row(r: &Row<'_>) -> rusqlite::Result<ModelRecord> {
    Ok(ModelRecord {
        name: r.get(0)?,
        version: r.get(1)?,
        dataset: r.get(2)?,
        dataset_version: r.get(3)?,
        target: r.get(4)?,
        task: r.get(5)?,
        metric: r.get(6)?,
        cv_score: r.get(7)?,
        cv_std: r.get(8)?,
        stage: Stage::parse(&r.get::<_, String>(9)?),
        family: r.get(10)?,
        details: serde_json::from_str(&r.get::<_, String>(11)?).unwrap_or(Value::Null),
        created_at: time(12, r.get(12)?)?,
    })
}

pub(super) fn not_found(what: &'static str, name: &str, version: Option<u32>) -> StoreError {
    StoreError::NotFound {
        what,
        key: match version {
            Some(v) => format!("{name} version {v}"),
            None => name.to_string(),
        },
    }
}

impl SqliteStore {
    fn model_in(
        &self,
        conn: &rusqlite::Connection,
        name: &str,
        version: Option<u32>,
    ) -> Result<ModelRecord, StoreError> {
        conn.query_row(
            &format!(
                "SELECT {MODEL_COLUMNS} FROM models WHERE workspace_id = ?1 AND lower(name) = lower(?2)
                 AND (?3 IS NULL OR version = ?3) ORDER BY version DESC LIMIT 1"
            ),
            params![self.workspace_id, name, version],
            model_row,
        )
        .optional()?
        .ok_or_else(|| not_found("model", name, version))
    }
}

impl AssetStore for SqliteStore {
    fn add_dataset(
        &self,
        d: NewDataset,
        now: DateTime<Utc>,
    ) -> Result<(Dataset, bool), StoreError> {
        self.write(|tx| {
            let latest = tx
                .query_row(
                    &format!(
                        "SELECT {DATASET_COLUMNS} FROM datasets WHERE workspace_id = ?1
                         AND lower(name) = lower(?2) ORDER BY version DESC LIMIT 1"
                    ),
                    params![self.workspace_id, d.name],
                    dataset_row,
                )
                .optional()?;
            if let Some(l) = &latest
                && l.hash == d.hash
                && l.path == d.path
            {
                if l.description != d.description && !d.description.is_empty() {
                    tx.execute(
                        "UPDATE datasets SET description = ?1 WHERE workspace_id = ?2 AND name = ?3 AND version = ?4",
                        params![d.description, self.workspace_id, l.name, l.version],
                    )?;
                    let mut l = l.clone();
                    l.description = d.description;
                    return Ok((l, false));
                }
                return Ok((l.clone(), false));
            }
            let version = latest.as_ref().map_or(1, |l| l.version + 1);
            let name = latest.map_or(d.name, |l| l.name);
            let description = d.description;
            tx.execute(
                &format!(
                    "INSERT INTO datasets (workspace_id, {DATASET_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                ),
                params![
                    self.workspace_id,
                    name,
                    version,
                    d.path,
                    description,
                    d.rows as i64,
                    d.columns as i64,
                    d.hash,
                    d.profile.to_string(),
                    now.to_rfc3339()
                ],
            )?;
            Ok((
                Dataset {
                    name,
                    version,
                    path: d.path,
                    description,
                    rows: d.rows,
                    columns: d.columns,
                    hash: d.hash,
                    profile: d.profile,
                    created_at: now,
                },
                true,
            ))
        })
    }

    fn list_datasets(&self) -> Result<Vec<Dataset>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {DATASET_COLUMNS} FROM datasets d WHERE workspace_id = ?1 AND version =
             (SELECT max(version) FROM datasets WHERE workspace_id = d.workspace_id AND name = d.name)
             ORDER BY lower(name)"
        ))?;
        let rows = stmt.query_map([self.workspace_id], dataset_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn get_dataset(&self, name: &str, version: Option<u32>) -> Result<Dataset, StoreError> {
        self.conn()
            .query_row(
                &format!(
                    "SELECT {DATASET_COLUMNS} FROM datasets WHERE workspace_id = ?1 AND lower(name) = lower(?2)
                     AND (?3 IS NULL OR version = ?3) ORDER BY version DESC LIMIT 1"
                ),
                params![self.workspace_id, name, version],
                dataset_row,
            )
            .optional()?
            .ok_or_else(|| not_found("dataset", name, version))
    }

    fn add_model(&self, m: NewModel, now: DateTime<Utc>) -> Result<ModelRecord, StoreError> {
        self.write(|tx| {
            let version: u32 = tx.query_row(
                "SELECT coalesce(max(version), 0) + 1 FROM models WHERE workspace_id = ?1 AND lower(name) = lower(?2)",
                params![self.workspace_id, m.record.name],
                |r| r.get(0),
            )?;
            let r = ModelRecord {
                version,
                stage: Stage::None,
                created_at: now,
                ..m.record
            };
            tx.execute(
                &format!(
                    "INSERT INTO models (workspace_id, {MODEL_COLUMNS}, artifact)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
                ),
                params![
                    self.workspace_id,
                    r.name,
                    r.version,
                    r.dataset,
                    r.dataset_version,
                    r.target,
                    r.task,
                    r.metric,
                    r.cv_score,
                    r.cv_std,
                    r.stage.as_str(),
                    r.family,
                    r.details.to_string(),
                    now.to_rfc3339(),
                    m.artifact
                ],
            )?;
            Ok(r)
        })
    }

    fn list_models(&self) -> Result<Vec<ModelRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {MODEL_COLUMNS} FROM models WHERE workspace_id = ?1 ORDER BY lower(name), version"
        ))?;
        let rows = stmt.query_map([self.workspace_id], model_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn get_model(&self, name: &str, version: Option<u32>) -> Result<ModelRecord, StoreError> {
        self.model_in(&self.conn(), name, version)
    }

    fn model_artifact(&self, name: &str, version: u32) -> Result<String, StoreError> {
        self.conn()
            .query_row(
                "SELECT artifact FROM models WHERE workspace_id = ?1 AND lower(name) = lower(?2) AND version = ?3",
                params![self.workspace_id, name, version],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| not_found("model", name, Some(version)))
    }

    fn set_stage(&self, name: &str, version: u32, stage: Stage) -> Result<ModelRecord, StoreError> {
        self.write(|tx| {
            let current = self.model_in(tx, name, Some(version))?;
            if stage == Stage::Production {
                tx.execute(
                    "UPDATE models SET stage = 'archived' WHERE workspace_id = ?1 AND name = ?2 AND stage = 'production'",
                    params![self.workspace_id, current.name],
                )?;
            }
            tx.execute(
                "UPDATE models SET stage = ?1 WHERE workspace_id = ?2 AND name = ?3 AND version = ?4",
                params![stage.as_str(), self.workspace_id, current.name, version],
            )?;
            Ok(ModelRecord { stage, ..current })
        })
    }

    fn delete_model(
        &self,
        name: &str,
        version: Option<u32>,
    ) -> Result<Vec<ModelRecord>, StoreError> {
        self.write(|tx| {
            let mut stmt = tx.prepare(&format!(
                "SELECT {MODEL_COLUMNS} FROM models WHERE workspace_id = ?1 AND lower(name) = lower(?2)
                 AND (?3 IS NULL OR version = ?3) ORDER BY version"
            ))?;
            let gone: Vec<ModelRecord> = stmt
                .query_map(params![self.workspace_id, name, version], model_row)?
                .collect::<Result<_, _>>()?;
            if gone.is_empty() {
                return Err(not_found("model", name, version));
            }
            tx.execute(
                "DELETE FROM models WHERE workspace_id = ?1 AND lower(name) = lower(?2) AND (?3 IS NULL OR version = ?3)",
                params![self.workspace_id, name, version],
            )?;
            Ok(gone)
        })
    }
}
