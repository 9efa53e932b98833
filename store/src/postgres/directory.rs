//! The [`Directory`] in PostgreSQL: workspaces and tokens shared by every
//! server that points at the same database.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

use super::pool::Pool;
use super::{db, migrate};
use super::{start_bridge, stopped};
use crate::StoreError;
use crate::directory::{DELIVERY_MEMORY, rules};
use crate::sqlite::parse_time;
use crate::{Directory, Scope, TokenInfo, Workspace, token_hash, token_sessions};
use maestro_blocking::Bridge;

/// Workspaces and tokens in PostgreSQL.
pub struct PgDirectory {
    bridge: Bridge,
    pool: Arc<Pool>,
}

const TOKEN_SELECT: &str = "SELECT t.name, w.name, t.scope, t.created_at, t.id
    FROM tokens t JOIN workspaces w ON w.id = t.workspace_id";

fn token_from_row(r: &Row) -> Result<TokenInfo, StoreError> {
    let scope: String = r.try_get(2).map_err(db)?;
    let created: String = r.try_get(3).map_err(db)?;
    Ok(TokenInfo {
        id: r.try_get(4).map_err(db)?,
        name: r.try_get(0).map_err(db)?,
        workspace: r.try_get(1).map_err(db)?,
        scope: rules::stored_scope(&scope).map_err(StoreError::Unusable)?,
        created_at: parse_time(Some(created.clone())).ok_or_else(|| {
            StoreError::Unusable(format!(
                "a token's stored time {created:?} does not read back"
            ))
        })?,
    })
}

fn workspace_from_row(r: &Row) -> Result<Workspace, StoreError> {
    Ok(Workspace {
        name: r.try_get(0).map_err(db)?,
        slack_team: r.try_get(1).map_err(db)?,
    })
}

async fn workspace_id(
    client: &impl tokio_postgres::GenericClient,
    name: &str,
) -> Result<i64, StoreError> {
    client
        .query_opt("SELECT id FROM workspaces WHERE name = $1", &[&name])
        .await
        .map_err(db)?
        .ok_or_else(|| rules::unknown_workspace(name))?
        .try_get(0)
        .map_err(db)
}

impl PgDirectory {
    /// Connects to the database at `url`, migrating it when needed.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let bridge = start_bridge()?;
        let pool = Pool::new(url)?;
        let directory = Self { bridge, pool };
        directory.run(|pool| async move {
            let mut conn = pool.get().await?;
            migrate(&mut conn).await
        })?;
        Ok(directory)
    }

    fn run<T, F, Fut>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Pool>) -> Fut,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        self.bridge
            .run(work(Arc::clone(&self.pool)))
            .map_err(stopped)?
    }
}

impl Directory for PgDirectory {
    fn create_workspace(
        &self,
        name: &str,
        slack_team: Option<&str>,
    ) -> Result<Workspace, StoreError> {
        let team = rules::new_workspace(name, slack_team)?.map(str::to_string);
        let name = name.to_string();
        self.run(|pool| async move {
            let conn = pool.get().await?;
            // Either unique rule (name, team) makes this insert nothing; the
            // row in the way is committed by then, so the reads below see it.
            let inserted = conn
                .execute(
                    "INSERT INTO workspaces (name, slack_team) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&name, &team],
                )
                .await
                .map_err(db)?;
            if inserted == 1 {
                return Ok(Workspace {
                    name,
                    slack_team: team,
                });
            }
            if workspace_id(&*conn, &name).await.is_ok() {
                return Err(rules::workspace_exists(&name));
            }
            let team = team.unwrap_or_default();
            let other: String = conn
                .query_one("SELECT name FROM workspaces WHERE slack_team = $1", &[&team])
                .await
                .map_err(db)?
                .try_get(0)
                .map_err(db)?;
            Err(rules::team_taken(&team, &other))
        })
    }

    fn list_workspaces(&self) -> Result<Vec<Workspace>, StoreError> {
        self.run(|pool| async move {
            let rows = pool
                .get()
                .await?
                .query(
                    "SELECT name, slack_team FROM workspaces ORDER BY name COLLATE \"C\"",
                    &[],
                )
                .await
                .map_err(db)?;
            rows.iter().map(workspace_from_row).collect()
        })
    }

    fn workspace_for_team(&self, team: &str) -> Result<Option<Workspace>, StoreError> {
        let team = team.to_string();
        self.run(|pool| async move {
            pool.get()
                .await?
                .query_opt(
                    "SELECT name, slack_team FROM workspaces WHERE slack_team = $1",
                    &[&team],
                )
                .await
                .map_err(db)?
                .as_ref()
                .map(workspace_from_row)
                .transpose()
        })
    }

    fn create_token(
        &self,
        workspace: &str,
        name: &str,
        scope: Scope,
        now: DateTime<Utc>,
    ) -> Result<(String, TokenInfo), StoreError> {
        let name = rules::token_name(name)?;
        let (token, mut info) = rules::issue(workspace, name, scope, now)?;
        let hash = token_hash(&token);
        let record = info.clone();
        info.id = self.run(|pool| async move {
            let conn = pool.get().await?;
            let id = workspace_id(&*conn, &record.workspace).await?;
            conn.query_one(
                "INSERT INTO tokens (workspace_id, name, hash, scope, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&id, &record.name, &hash, &record.scope.as_str(), &record.created_at.to_rfc3339()],
            )
            .await
            .map_err(|e| match e.code() {
                // The partial unique index on live names: another live token has it.
                Some(code) if *code == SqlState::UNIQUE_VIOLATION => {
                    rules::token_taken(&record.workspace, &record.name)
                }
                _ => db(e),
            })?
            .try_get(0)
            .map_err(db)
        })?;
        Ok((token, info))
    }

    fn list_tokens(&self, workspace: &str) -> Result<Vec<TokenInfo>, StoreError> {
        let workspace = workspace.to_string();
        self.run(|pool| async move {
            let conn = pool.get().await?;
            let id = workspace_id(&*conn, &workspace).await?;
            let rows = conn
                .query(
                    &format!(
                        "{TOKEN_SELECT} WHERE t.workspace_id = $1 AND t.revoked_at IS NULL
                         ORDER BY lower(t.name) COLLATE \"C\""
                    ),
                    &[&id],
                )
                .await
                .map_err(db)?;
            rows.iter().map(token_from_row).collect()
        })
    }

    fn revoke_token(
        &self,
        workspace: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenInfo, StoreError> {
        let (workspace, name) = (workspace.to_string(), name.trim().to_string());
        self.run(|pool| async move {
            let mut conn = pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            let id = workspace_id(&tx, &workspace).await?;
            let row = tx
                .query_opt(
                    "UPDATE tokens t SET revoked_at = $3 FROM workspaces w
                     WHERE w.id = t.workspace_id AND t.workspace_id = $1
                       AND lower(t.name) = lower($2) AND t.revoked_at IS NULL
                     RETURNING t.name, w.name, t.scope, t.created_at, t.id",
                    &[&id, &name, &now.to_rfc3339()],
                )
                .await
                .map_err(db)?
                .ok_or_else(|| rules::no_live_token(&workspace, &name))?;
            let info = token_from_row(&row)?;
            tx.execute(
                "DELETE FROM sessions WHERE workspace_id = $1 AND starts_with(id, $2)",
                &[&id, &token_sessions(info.id)],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(info)
        })
    }

    fn authenticate(&self, token: &str) -> Result<Option<TokenInfo>, StoreError> {
        if !rules::may_be_token(token) {
            return Ok(None);
        }
        let hash = token_hash(token);
        self.run(|pool| async move {
            pool.get()
                .await?
                .query_opt(
                    &format!("{TOKEN_SELECT} WHERE t.hash = $1 AND t.revoked_at IS NULL"),
                    &[&hash],
                )
                .await
                .map_err(db)?
                .as_ref()
                .map(token_from_row)
                .transpose()
        })
    }

    fn first_delivery(&self, key: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let (key, now) = (key.to_string(), now.timestamp());
        self.run(|pool| async move {
            let conn = pool.get().await?;
            conn.execute(
                "DELETE FROM deliveries WHERE at < $1",
                &[&(now - DELIVERY_MEMORY)],
            )
            .await
            .map_err(db)?;
            let added = conn
                .execute(
                    "INSERT INTO deliveries (key, at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&key, &now],
                )
                .await
                .map_err(db)?;
            Ok(added == 1)
        })
    }
}
