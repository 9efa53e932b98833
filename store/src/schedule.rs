//! What the scheduler keeps: recurring rules and the claims that make each
//! occurrence happen once. The [`ScheduleStore`] trait and its SQLite
//! implementation.

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};
use serde_json::Value;

use super::StoreError;
use super::sqlite::SqliteStore;
use crate::{NewTask, Task};

/// A recurring rule as stored. Its definition (`spec`) belongs to the tools
/// layer, which checks it; the store keeps it whole.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRule {
    /// Number, unique in the workspace, never reused.
    pub id: i64,
    /// The rule's definition (title, assignee, RRULE, time zone, …).
    pub spec: Value,
    /// False once paused or cancelled.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Recurring rules and once-only task creation. Like [`crate::Store`], every
/// method is one transaction.
pub trait ScheduleStore {
    /// Adds a rule, active.
    fn add_rule(&self, spec: &Value, now: DateTime<Utc>) -> Result<StoredRule, StoreError>;
    /// Every rule, active or not, by number.
    fn rules(&self) -> Result<Vec<StoredRule>, StoreError>;
    /// One rule.
    fn rule(&self, id: i64) -> Result<StoredRule, StoreError>;
    /// Replaces a rule's definition and state.
    fn update_rule(
        &self,
        id: i64,
        spec: &Value,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<StoredRule, StoreError>;
    /// Creates `task` unless a task was created under `key` before, in one
    /// transaction: however many callers race with the same key, one task
    /// is created. `None` when the key was taken.
    fn create_task_once(
        &self,
        key: &str,
        task: NewTask,
        now: DateTime<Utc>,
    ) -> Result<Option<Task>, StoreError>;
}

/// The SQLite schema of this module (one migration).
pub(super) const SQLITE_MIGRATION: &str = "CREATE TABLE recurring (
         workspace_id INTEGER NOT NULL REFERENCES workspaces(id), id INTEGER NOT NULL,
         spec TEXT NOT NULL, active INTEGER NOT NULL, created_at TEXT NOT NULL,
         updated_at TEXT NOT NULL, PRIMARY KEY (workspace_id, id));
     CREATE TABLE claims (
         workspace_id INTEGER NOT NULL REFERENCES workspaces(id), key TEXT NOT NULL,
         at TEXT NOT NULL, task_id INTEGER, PRIMARY KEY (workspace_id, key));";

const RULE_COLUMNS: &str = "id, spec, active, created_at, updated_at";

/// A stored rule from its columns ([`RULE_COLUMNS`]).
pub(super) fn stored_rule(
    id: i64,
    spec: &str,
    active: bool,
    created_at: &str,
    updated_at: &str,
) -> Result<StoredRule, StoreError> {
    let time = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| StoreError::Unusable(format!("recurring rule {id}: bad time {s:?}: {e}")))
    };
    Ok(StoredRule {
        id,
        spec: serde_json::from_str(spec)
            .map_err(|e| StoreError::Unusable(format!("recurring rule {id}: {e}")))?,
        active,
        created_at: time(created_at)?,
        updated_at: time(updated_at)?,
    })
}

fn sqlite_rule(r: &Row<'_>) -> Result<StoredRule, StoreError> {
    stored_rule(
        r.get(0)?,
        &r.get::<_, String>(1)?,
        r.get(2)?,
        &r.get::<_, String>(3)?,
        &r.get::<_, String>(4)?,
    )
}

impl SqliteStore {
    fn rule_in(&self, tx: &rusqlite::Connection, id: i64) -> Result<StoredRule, StoreError> {
        let mut stmt = tx.prepare(&format!(
            "SELECT {RULE_COLUMNS} FROM recurring WHERE workspace_id = ?1 AND id = ?2"
        ))?;
        let mut rows = stmt.query(params![self.workspace_id, id])?;
        match rows.next()? {
            Some(r) => sqlite_rule(r),
            None => Err(StoreError::NotFound {
                what: "recurring task",
                key: id.to_string(),
            }),
        }
    }
}

impl ScheduleStore for SqliteStore {
    fn add_rule(&self, spec: &Value, now: DateTime<Utc>) -> Result<StoredRule, StoreError> {
        self.write(|tx| {
            let id: i64 = tx.query_row(
                "SELECT coalesce(max(id), 0) + 1 FROM recurring WHERE workspace_id = ?1",
                [self.workspace_id],
                |r| r.get(0),
            )?;
            let now = now.to_rfc3339();
            tx.execute(
                "INSERT INTO recurring (workspace_id, id, spec, active, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 1, ?4, ?4)",
                params![self.workspace_id, id, spec.to_string(), now],
            )?;
            self.rule_in(tx, id)
        })
    }

    fn rules(&self) -> Result<Vec<StoredRule>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {RULE_COLUMNS} FROM recurring WHERE workspace_id = ?1 ORDER BY id"
        ))?;
        let mut rows = stmt.query([self.workspace_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(sqlite_rule(r)?);
        }
        Ok(out)
    }

    fn rule(&self, id: i64) -> Result<StoredRule, StoreError> {
        self.rule_in(&self.conn(), id)
    }

    fn update_rule(
        &self,
        id: i64,
        spec: &Value,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<StoredRule, StoreError> {
        self.write(|tx| {
            self.rule_in(tx, id)?;
            tx.execute(
                "UPDATE recurring SET spec = ?3, active = ?4, updated_at = ?5
                 WHERE workspace_id = ?1 AND id = ?2",
                params![
                    self.workspace_id,
                    id,
                    spec.to_string(),
                    active,
                    now.to_rfc3339()
                ],
            )?;
            self.rule_in(tx, id)
        })
    }

    fn create_task_once(
        &self,
        key: &str,
        task: NewTask,
        now: DateTime<Utc>,
    ) -> Result<Option<Task>, StoreError> {
        self.write(|tx| {
            if !self.claim_in(tx, key, now)? {
                return Ok(None);
            }
            let id = self.insert_task(tx, task, now)?;
            tx.execute(
                "UPDATE claims SET task_id = ?3 WHERE workspace_id = ?1 AND key = ?2",
                params![self.workspace_id, key, id],
            )?;
            self.task_in(tx, id).map(Some)
        })
    }
}
