//! Datasets and models in PostgreSQL.

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio_postgres::{GenericClient, Row};

use super::{PgStore, Shared, db, lock_name};
use crate::assets::{DATASET_COLUMNS, MODEL_COLUMNS, not_found};
use crate::{AssetStore, Dataset, ModelRecord, NewDataset, NewModel, Stage, StoreError};

fn time(what: &str, s: String) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(&s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Unusable(format!("a stored {what} time does not read back: {e}")))
}

/// A stored count or version as the type the caller sees.
fn number<T: TryFrom<i64>>(r: &Row, i: usize) -> Result<T, StoreError> {
    let n: i64 = r.try_get(i).map_err(db)?;
    T::try_from(n)
        .map_err(|_| StoreError::Unusable(format!("a stored number is out of range: {n}")))
}

fn dataset_row(r: &Row) -> Result<Dataset, StoreError> {
    Ok(Dataset {
        name: r.try_get(0).map_err(db)?,
        version: number(r, 1)?,
        path: r.try_get(2).map_err(db)?,
        description: r.try_get(3).map_err(db)?,
        rows: number(r, 4)?,
        columns: number(r, 5)?,
        hash: r.try_get(6).map_err(db)?,
        profile: serde_json::from_str(&r.try_get::<_, String>(7).map_err(db)?)
            .unwrap_or(Value::Null),
        created_at: time("dataset", r.try_get(8).map_err(db)?)?,
    })
}

fn model_row(r: &Row) -> Result<ModelRecord, StoreError> {
    Ok(ModelRecord {
        name: r.try_get(0).map_err(db)?,
        version: number(r, 1)?,
        dataset: r.try_get(2).map_err(db)?,
        dataset_version: number(r, 3)?,
        target: r.try_get(4).map_err(db)?,
        task: r.try_get(5).map_err(db)?,
        metric: r.try_get(6).map_err(db)?,
        cv_score: r.try_get(7).map_err(db)?,
        cv_std: r.try_get(8).map_err(db)?,
        stage: Stage::parse(&r.try_get::<_, String>(9).map_err(db)?),
        family: r.try_get(10).map_err(db)?,
        details: serde_json::from_str(&r.try_get::<_, String>(11).map_err(db)?)
            .unwrap_or(Value::Null),
        created_at: time("model", r.try_get(12).map_err(db)?)?,
    })
}

impl Shared {
    async fn models(
        &self,
        c: &impl GenericClient,
        name: &str,
        version: Option<u32>,
        latest_only: bool,
    ) -> Result<Vec<ModelRecord>, StoreError> {
        let sql = format!(
            "SELECT {MODEL_COLUMNS} FROM models WHERE workspace_id = $1 AND lower(name) = lower($2::text)
             AND ($3::bigint IS NULL OR version = $3) ORDER BY version {}",
            if latest_only { "DESC LIMIT 1" } else { "" }
        );
        let rows = c
            .query(&sql, &[&self.workspace_id, &name, &version.map(i64::from)])
            .await
            .map_err(db)?;
        let models: Vec<ModelRecord> = rows.iter().map(model_row).collect::<Result<_, _>>()?;
        if models.is_empty() {
            return Err(not_found("model", name, version));
        }
        Ok(models)
    }

    async fn add_dataset(
        &self,
        d: NewDataset,
        now: DateTime<Utc>,
    ) -> Result<(Dataset, bool), StoreError> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await.map_err(db)?;
        lock_name(&tx, self.workspace_id, "dataset", &d.name).await?;
        let latest = tx
            .query_opt(
                &format!(
                    "SELECT {DATASET_COLUMNS} FROM datasets WHERE workspace_id = $1
                     AND lower(name) = lower($2::text) ORDER BY version DESC LIMIT 1"
                ),
                &[&self.workspace_id, &d.name],
            )
            .await
            .map_err(db)?
            .map(|r| dataset_row(&r))
            .transpose()?;
        if let Some(mut l) = latest.clone()
            && l.hash == d.hash
            && l.path == d.path
        {
            if l.description != d.description && !d.description.is_empty() {
                tx.execute(
                    "UPDATE datasets SET description = $1 WHERE workspace_id = $2 AND name = $3 AND version = $4",
                    &[&d.description, &self.workspace_id, &l.name, &i64::from(l.version)],
                )
                .await
                .map_err(db)?;
                l.description = d.description;
            }
            tx.commit().await.map_err(db)?;
            return Ok((l, false));
        }
        let version = latest.as_ref().map_or(1, |l| l.version + 1);
        let dataset = Dataset {
            name: latest.map_or(d.name, |l| l.name),
            version,
            path: d.path,
            description: d.description,
            rows: d.rows,
            columns: d.columns,
            hash: d.hash,
            profile: d.profile,
            created_at: now,
        };
        tx.execute(
            &format!(
                "INSERT INTO datasets (workspace_id, {DATASET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ),
            &[
                &self.workspace_id,
                &dataset.name,
                &i64::from(version),
                &dataset.path,
                &dataset.description,
                &(dataset.rows as i64),
                &(dataset.columns as i64),
                &dataset.hash,
                &dataset.profile.to_string(),
                &now.to_rfc3339(),
            ],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok((dataset, true))
    }

    async fn add_model(&self, m: NewModel, now: DateTime<Utc>) -> Result<ModelRecord, StoreError> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await.map_err(db)?;
        lock_name(&tx, self.workspace_id, "model", &m.record.name).await?;
        let version: i64 = tx
            .query_one(
                "SELECT coalesce(max(version), 0) + 1 FROM models WHERE workspace_id = $1 AND lower(name) = lower($2::text)",
                &[&self.workspace_id, &m.record.name],
            )
            .await
            .map_err(db)?
            .try_get(0)
            .map_err(db)?;
        let r = ModelRecord {
            version: u32::try_from(version)
                .map_err(|_| StoreError::Conflict("too many versions of one model".into()))?,
            stage: Stage::None,
            created_at: now,
            ..m.record
        };
        tx.execute(
            &format!(
                "INSERT INTO models (workspace_id, {MODEL_COLUMNS}, artifact)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
            ),
            &[
                &self.workspace_id,
                &r.name,
                &version,
                &r.dataset,
                &i64::from(r.dataset_version),
                &r.target,
                &r.task,
                &r.metric,
                &r.cv_score,
                &r.cv_std,
                &r.stage.as_str(),
                &r.family,
                &r.details.to_string(),
                &now.to_rfc3339(),
                &m.artifact,
            ],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(r)
    }

    async fn set_stage(
        &self,
        name: &str,
        version: u32,
        stage: Stage,
    ) -> Result<ModelRecord, StoreError> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await.map_err(db)?;
        lock_name(&tx, self.workspace_id, "model", name).await?;
        let current = self.models(&tx, name, Some(version), true).await?.remove(0);
        if stage == Stage::Production {
            tx.execute(
                "UPDATE models SET stage = 'archived' WHERE workspace_id = $1 AND name = $2 AND stage = 'production'",
                &[&self.workspace_id, &current.name],
            )
            .await
            .map_err(db)?;
        }
        tx.execute(
            "UPDATE models SET stage = $1 WHERE workspace_id = $2 AND name = $3 AND version = $4",
            &[
                &stage.as_str(),
                &self.workspace_id,
                &current.name,
                &i64::from(version),
            ],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(ModelRecord { stage, ..current })
    }

    async fn delete_model(
        &self,
        name: &str,
        version: Option<u32>,
    ) -> Result<Vec<ModelRecord>, StoreError> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await.map_err(db)?;
        lock_name(&tx, self.workspace_id, "model", name).await?;
        let gone = self.models(&tx, name, version, false).await?;
        tx.execute(
            "DELETE FROM models WHERE workspace_id = $1 AND lower(name) = lower($2::text)
             AND ($3::bigint IS NULL OR version = $3)",
            &[&self.workspace_id, &name, &version.map(i64::from)],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(gone)
    }
}

impl AssetStore for PgStore {
    fn add_dataset(
        &self,
        d: NewDataset,
        now: DateTime<Utc>,
    ) -> Result<(Dataset, bool), StoreError> {
        self.run(move |s| async move { s.add_dataset(d, now).await })
    }

    fn list_datasets(&self) -> Result<Vec<Dataset>, StoreError> {
        self.run(|s| async move {
            let conn = s.pool.get().await?;
            let rows = conn
                .query(
                    &format!(
                        "SELECT {DATASET_COLUMNS} FROM datasets d WHERE workspace_id = $1 AND version =
                         (SELECT max(version) FROM datasets WHERE workspace_id = d.workspace_id AND name = d.name)
                         ORDER BY lower(name) COLLATE \"C\""
                    ),
                    &[&s.workspace_id],
                )
                .await
                .map_err(db)?;
            rows.iter().map(dataset_row).collect()
        })
    }

    fn get_dataset(&self, name: &str, version: Option<u32>) -> Result<Dataset, StoreError> {
        let name = name.to_string();
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            conn.query_opt(
                &format!(
                    "SELECT {DATASET_COLUMNS} FROM datasets WHERE workspace_id = $1 AND lower(name) = lower($2::text)
                     AND ($3::bigint IS NULL OR version = $3) ORDER BY version DESC LIMIT 1"
                ),
                &[&s.workspace_id, &name, &version.map(i64::from)],
            )
            .await
            .map_err(db)?
            .map(|r| dataset_row(&r))
            .transpose()?
            .ok_or_else(|| not_found("dataset", &name, version))
        })
    }

    fn add_model(&self, m: NewModel, now: DateTime<Utc>) -> Result<ModelRecord, StoreError> {
        self.run(move |s| async move { s.add_model(m, now).await })
    }

    fn list_models(&self) -> Result<Vec<ModelRecord>, StoreError> {
        self.run(|s| async move {
            let conn = s.pool.get().await?;
            let rows = conn
                .query(
                    &format!(
                        "SELECT {MODEL_COLUMNS} FROM models WHERE workspace_id = $1
                         ORDER BY lower(name) COLLATE \"C\", version"
                    ),
                    &[&s.workspace_id],
                )
                .await
                .map_err(db)?;
            rows.iter().map(model_row).collect()
        })
    }

    fn get_model(&self, name: &str, version: Option<u32>) -> Result<ModelRecord, StoreError> {
        let name = name.to_string();
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            Ok(s.models(&*conn, &name, version, true).await?.remove(0))
        })
    }

    fn model_artifact(&self, name: &str, version: u32) -> Result<String, StoreError> {
        let name = name.to_string();
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            conn.query_opt(
                "SELECT artifact FROM models WHERE workspace_id = $1 AND lower(name) = lower($2::text) AND version = $3",
                &[&s.workspace_id, &name, &i64::from(version)],
            )
            .await
            .map_err(db)?
            .map(|r| r.try_get(0).map_err(db))
            .transpose()?
            .ok_or_else(|| not_found("model", &name, Some(version)))
        })
    }

    fn set_stage(&self, name: &str, version: u32, stage: Stage) -> Result<ModelRecord, StoreError> {
        let name = name.to_string();
        self.run(move |s| async move { s.set_stage(&name, version, stage).await })
    }

    fn delete_model(
        &self,
        name: &str,
        version: Option<u32>,
    ) -> Result<Vec<ModelRecord>, StoreError> {
        let name = name.to_string();
        self.run(move |s| async move { s.delete_model(&name, version).await })
    }
}
