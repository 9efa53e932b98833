//! [`ScheduleStore`] on PostgreSQL.

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio_postgres::{GenericClient, Row};

use super::{PgStore, Shared, db};
use crate::schedule::{ScheduleStore, StoredRule, stored_rule};
use crate::{NewTask, StoreError, Task};

const RULE_SELECT: &str =
    "SELECT id, spec, active, created_at, updated_at FROM recurring WHERE workspace_id = $1";

fn pg_rule(r: &Row) -> Result<StoredRule, StoreError> {
    stored_rule(
        r.get(0),
        r.get::<_, &str>(1),
        r.get(2),
        r.get::<_, &str>(3),
        r.get::<_, &str>(4),
    )
}

impl Shared {
    async fn rule_in(&self, c: &impl GenericClient, id: i64) -> Result<StoredRule, StoreError> {
        c.query_opt(
            &format!("{RULE_SELECT} AND id = $2"),
            &[&self.workspace_id, &id],
        )
        .await
        .map_err(db)?
        .map(|r| pg_rule(&r))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            what: "recurring task",
            key: id.to_string(),
        })
    }
}

impl ScheduleStore for PgStore {
    fn add_rule(&self, spec: &Value, now: DateTime<Utc>) -> Result<StoredRule, StoreError> {
        let spec = spec.to_string();
        self.run(move |s| async move {
            let mut conn = s.pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            s.lock_workspace(&tx).await?;
            let id: i64 = tx
                .query_one(
                    "SELECT coalesce(max(id), 0) + 1 FROM recurring WHERE workspace_id = $1",
                    &[&s.workspace_id],
                )
                .await
                .map_err(db)?
                .get(0);
            let now = now.to_rfc3339();
            tx.execute(
                "INSERT INTO recurring (workspace_id, id, spec, active, created_at, updated_at)
                 VALUES ($1, $2, $3, true, $4, $4)",
                &[&s.workspace_id, &id, &spec, &now],
            )
            .await
            .map_err(db)?;
            let rule = s.rule_in(&tx, id).await?;
            tx.commit().await.map_err(db)?;
            Ok(rule)
        })
    }

    fn rules(&self) -> Result<Vec<StoredRule>, StoreError> {
        self.run(|s| async move {
            let conn = s.pool.get().await?;
            let rows = conn
                .query(&format!("{RULE_SELECT} ORDER BY id"), &[&s.workspace_id])
                .await
                .map_err(db)?;
            rows.iter().map(pg_rule).collect()
        })
    }

    fn rule(&self, id: i64) -> Result<StoredRule, StoreError> {
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            s.rule_in(&*conn, id).await
        })
    }

    fn update_rule(
        &self,
        id: i64,
        spec: &Value,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<StoredRule, StoreError> {
        let spec = spec.to_string();
        self.run(move |s| async move {
            let mut conn = s.pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            s.rule_in(&tx, id).await?;
            tx.execute(
                "UPDATE recurring SET spec = $3, active = $4, updated_at = $5
                 WHERE workspace_id = $1 AND id = $2",
                &[&s.workspace_id, &id, &spec, &active, &now.to_rfc3339()],
            )
            .await
            .map_err(db)?;
            let rule = s.rule_in(&tx, id).await?;
            tx.commit().await.map_err(db)?;
            Ok(rule)
        })
    }

    fn create_task_once(
        &self,
        key: &str,
        task: NewTask,
        now: DateTime<Utc>,
    ) -> Result<Option<Task>, StoreError> {
        let key = key.to_string();
        self.run(move |s| async move {
            let mut conn = s.pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            if !s.claim_in(&tx, &key, now).await? {
                return Ok(None);
            }
            let id = s.insert_task(&tx, task, now).await?;
            tx.execute(
                "UPDATE claims SET task_id = $3 WHERE workspace_id = $1 AND key = $2",
                &[&s.workspace_id, &key, &id],
            )
            .await
            .map_err(db)?;
            let task = s.task_in(&tx, id, false).await?;
            tx.commit().await.map_err(db)?;
            Ok(Some(task))
        })
    }
}
