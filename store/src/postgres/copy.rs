//! `maestro migrate`: every workspace of an embedded SQLite database copied
//! into PostgreSQL, in one transaction, with task numbers and timestamps kept.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::types::Value as SqlValue;
use tokio_postgres::Transaction;
use tokio_postgres::types::ToSql;

use super::{PgStore, db};
use crate::{SqliteStore, StoreError};

/// What was copied for one workspace.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CopiedWorkspace {
    /// The workspace's name.
    pub workspace: String,
    /// Rows copied, per table, in copy order.
    pub rows: Vec<(&'static str, usize)>,
}

/// A table to copy: the columns read from SQLite (the first is its old id
/// when `remap` names it) and the columns written in PostgreSQL.
struct Table {
    name: &'static str,
    read: &'static str,
    write: &'static [&'static str],
    /// Columns holding people or project ids that must be translated.
    remap: &'static [(&'static str, &'static str)],
    /// Whether PostgreSQL assigns new ids, which `remap` of later tables uses.
    new_ids: bool,
}

/// In dependency order; every table the schema has.
const TABLES: &[Table] = &[
    Table {
        name: "people",
        read: "SELECT id, name, email, slack_id, skills, capacity, timezone FROM people WHERE workspace_id = ?1 ORDER BY id",
        write: &["name", "email", "slack_id", "skills", "capacity", "timezone"],
        remap: &[],
        new_ids: true,
    },
    Table {
        name: "projects",
        read: "SELECT id, name FROM projects WHERE workspace_id = ?1 ORDER BY id",
        write: &["name"],
        remap: &[],
        new_ids: true,
    },
    Table {
        name: "tasks",
        read: "SELECT id, title, description, project_id, assignee_id, status, priority, due, estimate_hours,
                   tags, created_at, updated_at, completed_at, actual_hours FROM tasks WHERE workspace_id = ?1 ORDER BY id",
        write: &[
            "id",
            "title",
            "description",
            "project_id",
            "assignee_id",
            "status",
            "priority",
            "due",
            "estimate_hours",
            "tags",
            "created_at",
            "updated_at",
            "completed_at",
            "actual_hours",
        ],
        remap: &[("project_id", "projects"), ("assignee_id", "people")],
        new_ids: false,
    },
    Table {
        name: "audit_log",
        read: "SELECT at, actor, tool, arguments, status, result FROM audit_log WHERE workspace_id = ?1 ORDER BY id",
        write: &["at", "actor", "tool", "arguments", "status", "result"],
        remap: &[],
        new_ids: false,
    },
    Table {
        name: "llm_usage",
        read: "SELECT at, session, model, prompt_tokens, completion_tokens, requests, cost_usd
               FROM llm_usage WHERE workspace_id = ?1 ORDER BY id",
        write: &[
            "at",
            "session",
            "model",
            "prompt_tokens",
            "completion_tokens",
            "requests",
            "cost_usd",
        ],
        remap: &[],
        new_ids: false,
    },
    Table {
        name: "sessions",
        read: "SELECT id, state, updated_at FROM sessions WHERE workspace_id = ?1",
        write: &["id", "state", "updated_at"],
        remap: &[],
        new_ids: false,
    },
    Table {
        name: "datasets",
        read: "SELECT name, version, path, description, rows, columns, hash, profile, created_at
               FROM datasets WHERE workspace_id = ?1",
        write: &[
            "name",
            "version",
            "path",
            "description",
            "rows",
            "columns",
            "hash",
            "profile",
            "created_at",
        ],
        remap: &[],
        new_ids: false,
    },
    Table {
        name: "models",
        read: "SELECT name, version, dataset, dataset_version, target, task, metric, cv_score, cv_std, stage,
                   family, details, artifact, created_at FROM models WHERE workspace_id = ?1",
        write: &[
            "name",
            "version",
            "dataset",
            "dataset_version",
            "target",
            "task",
            "metric",
            "cv_score",
            "cv_std",
            "stage",
            "family",
            "details",
            "artifact",
            "created_at",
        ],
        remap: &[],
        new_ids: false,
    },
    Table {
        name: "recurring",
        read: "SELECT id, spec, active, created_at, updated_at FROM recurring WHERE workspace_id = ?1 ORDER BY id",
        write: &["id", "spec", "active", "created_at", "updated_at"],
        remap: &[],
        new_ids: false,
    },
    Table {
        name: "claims",
        read: "SELECT key, at, task_id FROM claims WHERE workspace_id = ?1",
        write: &["key", "at", "task_id"],
        remap: &[],
        new_ids: false,
    },
    Table {
        name: "reminders",
        read: "SELECT id, person, text, at, timezone, created_by, state, created_at FROM reminders WHERE workspace_id = ?1 ORDER BY id",
        write: &["id", "person", "text", "at", "timezone", "created_by", "state", "created_at"],
        remap: &[],
        new_ids: false,
    },
    Table {
        name: "outbox",
        read: "SELECT id, key, person, kind, text, body, created_at, state, channel, error FROM outbox WHERE workspace_id = ?1 ORDER BY id",
        write: &["id", "key", "person", "kind", "text", "body", "created_at", "state", "channel", "error"],
        remap: &[],
        new_ids: false,
    },
    Table {
        name: "tokens",
        read: "SELECT name, hash, scope, created_at, revoked_at FROM tokens WHERE workspace_id = ?1 ORDER BY id",
        write: &["name", "hash", "scope", "created_at", "revoked_at"],
        remap: &[],
        new_ids: false,
    },
];

/// One workspace's rows, read from SQLite as text (numbers printed so that
/// they read back exactly) and written through casts to PostgreSQL's types.
struct Snapshot {
    workspace: String,
    slack_team: Option<String>,
    tables: Vec<Vec<Vec<Option<String>>>>,
}

fn text(column: usize, v: SqlValue) -> rusqlite::Result<Option<String>> {
    Ok(match v {
        SqlValue::Null => None,
        SqlValue::Integer(i) => Some(i.to_string()),
        SqlValue::Real(r) => Some(r.to_string()),
        SqlValue::Text(t) => Some(t),
        SqlValue::Blob(_) => {
            return Err(rusqlite::Error::InvalidColumnType(
                column,
                "a binary value where Maestro keeps text".into(),
                rusqlite::types::Type::Blob,
            ));
        }
    })
}

fn read_sqlite(path: &Path) -> Result<Vec<Snapshot>, StoreError> {
    let conn = SqliteStore::open_existing(path)?;
    let workspaces: Vec<(i64, String, Option<String>)> = conn
        .prepare("SELECT id, name, slack_team FROM workspaces ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut snapshots = Vec::new();
    for (id, workspace, slack_team) in workspaces {
        let mut tables = Vec::new();
        for table in TABLES {
            let mut stmt = conn.prepare(table.read)?;
            let width = stmt.column_count();
            let rows = stmt
                .query_map([id], |r| {
                    (0..width)
                        .map(|i| text(i, r.get::<_, SqlValue>(i)?))
                        .collect::<Result<Vec<_>, _>>()
                })?
                .collect::<Result<Vec<_>, _>>()?;
            tables.push(rows);
        }
        snapshots.push(Snapshot {
            workspace,
            slack_team,
            tables,
        });
    }
    Ok(snapshots)
}

impl PgStore {
    /// Copies every workspace of the SQLite database at `path` into this
    /// store's database, all or nothing. Refuses when a workspace of the
    /// same name already holds data there.
    pub fn copy_from_sqlite(&self, path: &Path) -> Result<Vec<CopiedWorkspace>, StoreError> {
        let snapshots = read_sqlite(path)?;
        self.run(|s| async move {
            let mut conn = s.pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            let mut copied = Vec::new();
            for snapshot in snapshots {
                copied.push(copy_workspace(&tx, snapshot).await?);
            }
            tx.commit().await.map_err(db)?;
            Ok(copied)
        })
    }
}

async fn copy_workspace(
    tx: &Transaction<'_>,
    snapshot: Snapshot,
) -> Result<CopiedWorkspace, StoreError> {
    let name = snapshot.workspace;
    tx.execute(
        "INSERT INTO workspaces (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
        &[&name],
    )
    .await
    .map_err(db)?;
    let row = tx
        .query_one(
            "SELECT id, slack_team FROM workspaces WHERE name = $1 FOR UPDATE",
            &[&name],
        )
        .await
        .map_err(db)?;
    let workspace_id: i64 = row.try_get(0).map_err(db)?;
    let team: Option<String> = row.try_get(1).map_err(db)?;
    match (&snapshot.slack_team, team) {
        (Some(from), Some(to)) if *from != to => {
            return Err(StoreError::Conflict(format!(
                "workspace {name:?} serves the Slack team {from} here but {to} in PostgreSQL; nothing was copied"
            )));
        }
        (Some(from), None) => {
            tx.execute(
                "UPDATE workspaces SET slack_team = $2 WHERE id = $1",
                &[&workspace_id, from],
            )
            .await
            .map_err(db)?;
        }
        _ => {}
    }
    for table in TABLES {
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE workspace_id = $1)",
            table.name
        );
        let used: bool = tx
            .query_one(&sql, &[&workspace_id])
            .await
            .map_err(db)?
            .try_get(0)
            .map_err(db)?;
        if used {
            return Err(StoreError::Conflict(format!(
                "workspace {name:?} already has {} in PostgreSQL; nothing was copied (migrate into an empty workspace)",
                table.name
            )));
        }
    }
    let mut new_ids: HashMap<&str, HashMap<String, String>> = HashMap::new();
    let mut rows = Vec::new();
    for (table, data) in TABLES.iter().zip(snapshot.tables) {
        let insert = insert_sql(tx, table).await?;
        let mut ids = HashMap::new();
        for mut row in data {
            let old_id = table.new_ids.then(|| row.remove(0)).flatten();
            for (column, from) in table.remap {
                let i = table
                    .write
                    .iter()
                    .position(|c| c == column)
                    .expect("listed");
                if let Some(old) = row[i].take() {
                    row[i] = Some(new_ids[from].get(&old).cloned().ok_or_else(|| {
                        StoreError::Unusable(format!(
                            "{} refers to {from} row {old}, which does not exist; repair the SQLite file first",
                            table.name
                        ))
                    })?);
                }
            }
            let mut params: Vec<&(dyn ToSql + Sync)> = vec![&workspace_id];
            params.extend(row.iter().map(|v| v as &(dyn ToSql + Sync)));
            let inserted = tx.query_opt(&insert, &params).await.map_err(db)?;
            if let (Some(old), Some(new)) = (old_id, inserted) {
                let new: i64 = new.try_get(0).map_err(db)?;
                ids.insert(old, new.to_string());
            }
        }
        rows.push((table.name, tx_count(tx, table.name, workspace_id).await?));
        new_ids.insert(table.name, ids);
    }
    // Task numbers go on from the highest copied one.
    tx.execute(
        "UPDATE workspaces SET last_task_id = greatest(last_task_id,
             (SELECT coalesce(max(id), 0) FROM tasks WHERE workspace_id = $1)) WHERE id = $1",
        &[&workspace_id],
    )
    .await
    .map_err(db)?;
    Ok(CopiedWorkspace {
        workspace: name,
        rows,
    })
}

/// `INSERT … VALUES ($2::text::TYPE, …)`, the types read from the target table.
async fn insert_sql(tx: &Transaction<'_>, table: &Table) -> Result<String, StoreError> {
    let types = tx
        .query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1",
            &[&table.name],
        )
        .await
        .map_err(db)?;
    let types: HashMap<String, String> = types
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, tokio_postgres::Error>>()
        .map_err(db)?;
    let values: Vec<String> = table
        .write
        .iter()
        .enumerate()
        .map(|(i, c)| match types.get(*c) {
            Some(t) => Ok(format!("${}::text::{t}", i + 2)),
            None => Err(StoreError::Unusable(format!(
                "the PostgreSQL table {} has no column {c}; is the database Maestro's?",
                table.name
            ))),
        })
        .collect::<Result<_, _>>()?;
    Ok(format!(
        "INSERT INTO {} (workspace_id, {}) VALUES ($1, {}){}",
        table.name,
        table.write.join(", "),
        values.join(", "),
        if table.new_ids { " RETURNING id" } else { "" }
    ))
}

async fn tx_count(
    tx: &Transaction<'_>,
    table: &str,
    workspace_id: i64,
) -> Result<usize, StoreError> {
    let n: i64 = tx
        .query_one(
            &format!("SELECT count(*) FROM {table} WHERE workspace_id = $1"),
            &[&workspace_id],
        )
        .await
        .map_err(db)?
        .try_get(0)
        .map_err(db)?;
    Ok(n as usize)
}
