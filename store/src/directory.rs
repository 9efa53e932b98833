//! The [`Directory`]: workspaces, their Slack teams and the API tokens that
//! open them. Unlike a [`Store`](super::Store) it is not scoped to one
//! workspace; only the server and the CLI's admin commands use it.

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::StoreError;
use super::assets::time as parse_stored_time;
use super::sqlite::open_connection;

/// What a token may do. Each scope includes the ones below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read resources (`GET`).
    Read,
    /// Also change them and chat.
    Write,
    /// Also manage the workspace.
    Admin,
}

impl Scope {
    /// The scope's name (`read`, `write`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Admin => "admin",
        }
    }

    /// True when a token of this scope may do what `needed` allows.
    pub fn allows(self, needed: Scope) -> bool {
        self >= needed
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            "admin" => Ok(Self::Admin),
            other => Err(format!(
                "{other:?} is not a scope; use read, write or admin"
            )),
        }
    }
}

/// A workspace as the directory knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workspace {
    /// Its name (letters, digits, `-`, `_`).
    pub name: String,
    /// The Slack team (`T…`) whose requests it serves.
    pub slack_team: Option<String>,
}

/// A token's record; the token itself is never stored, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// Its id, never reused: what a token's conversations are keyed by.
    pub id: i64,
    /// A name for people ("ci", "grafana"); unique among a workspace's live tokens.
    pub name: String,
    /// The one workspace it opens.
    pub workspace: String,
    /// What it may do.
    pub scope: Scope,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// Workspaces and tokens, across every workspace. Implementations keep every
/// method atomic.
pub trait Directory: Send + Sync {
    /// Creates a workspace (refused when the name is taken or malformed, or
    /// when the Slack team already maps to another workspace).
    fn create_workspace(
        &self,
        name: &str,
        slack_team: Option<&str>,
    ) -> Result<Workspace, StoreError>;
    /// Every workspace, by name.
    fn list_workspaces(&self) -> Result<Vec<Workspace>, StoreError>;
    /// The workspace a Slack team maps to, if any.
    fn workspace_for_team(&self, team: &str) -> Result<Option<Workspace>, StoreError>;
    /// Makes a token for an existing workspace; returns the token (shown
    /// once, never stored) and its record.
    fn create_token(
        &self,
        workspace: &str,
        name: &str,
        scope: Scope,
        now: DateTime<Utc>,
    ) -> Result<(String, TokenInfo), StoreError>;
    /// A workspace's live tokens, by name.
    fn list_tokens(&self, workspace: &str) -> Result<Vec<TokenInfo>, StoreError>;
    /// Revokes a workspace's live token called `name`; it opens nothing
    /// afterwards, and its conversations ([`token_sessions`]) are deleted.
    fn revoke_token(
        &self,
        workspace: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenInfo, StoreError>;
    /// The live token `token` (as presented by a client), or `None`.
    fn authenticate(&self, token: &str) -> Result<Option<TokenInfo>, StoreError>;
    /// Records a delivery (a Slack event id, or a signed request) and says
    /// whether it is the first time it came, across every server sharing
    /// the database. Deliveries older than [`DELIVERY_MEMORY`] are forgotten.
    fn first_delivery(&self, key: &str, now: DateTime<Utc>) -> Result<bool, StoreError>;
}

/// The start of the key of every conversation a token holds (REST chat
/// sessions): revoking the token deletes them, pending confirmations included.
pub fn token_sessions(token_id: i64) -> String {
    format!("api:{token_id}:")
}

/// How long a delivery is remembered, in seconds: longer than Slack's
/// five-minute signature window and its retries.
pub const DELIVERY_MEMORY: i64 = 3600;

/// Checks a workspace name: 1 to 64 letters, digits, `-` or `_` (it names files).
pub fn check_workspace_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "{name:?} cannot name a workspace; use 1 to 64 letters, digits, '-' or '_' (e.g. acme)"
        )))
    }
}

/// Prefix of every token, so that leaked ones are easy to recognise.
const TOKEN_PREFIX: &str = "mst_";

/// A fresh random token: the prefix and 32 random bytes in hex.
fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| StoreError::Unusable("the system's random source failed".into()))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex(&bytes)))
}

/// The SHA-256 of a token in hex: what is stored and looked up.
pub fn token_hash(token: &str) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The rules every [`Directory`] applies before and after touching its
/// database, so that the backends say the same things.
pub(super) mod rules {
    use super::*;

    /// A workspace's name, checked, and its Slack team, trimmed (blank is none).
    pub(crate) fn new_workspace<'a>(
        name: &str,
        slack_team: Option<&'a str>,
    ) -> Result<Option<&'a str>, StoreError> {
        check_workspace_name(name)?;
        Ok(slack_team.map(str::trim).filter(|t| !t.is_empty()))
    }

    /// The name is taken.
    pub(crate) fn workspace_exists(name: &str) -> StoreError {
        StoreError::Conflict(format!("the workspace {name:?} already exists"))
    }

    /// The Slack team is served by `other` already.
    pub(crate) fn team_taken(team: &str, other: &str) -> StoreError {
        StoreError::Conflict(format!(
            "the Slack team {team} already maps to the workspace {other:?}"
        ))
    }

    /// No workspace is called `name`.
    pub(crate) fn unknown_workspace(name: &str) -> StoreError {
        StoreError::NotFound {
            what: "workspace",
            key: format!("{name:?} (`maestro workspace list` shows them)"),
        }
    }

    /// A new token's name, trimmed; it must not be blank.
    pub(crate) fn token_name(name: &str) -> Result<&str, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Conflict(
                "a token needs a name (e.g. --name ci)".into(),
            ));
        }
        Ok(name)
    }

    /// A live token of the workspace has this name already.
    pub(crate) fn token_taken(workspace: &str, name: &str) -> StoreError {
        StoreError::Conflict(format!(
            "the workspace {workspace:?} already has a token called {name:?}; revoke it first or choose another name"
        ))
    }

    /// No live token of the workspace has this name.
    pub(crate) fn no_live_token(workspace: &str, name: &str) -> StoreError {
        StoreError::NotFound {
            what: "live token",
            key: format!("{name:?} in the workspace {workspace:?}"),
        }
    }

    /// A fresh token and the record of it.
    pub(crate) fn issue(
        workspace: &str,
        name: &str,
        scope: Scope,
        now: DateTime<Utc>,
    ) -> Result<(String, TokenInfo), StoreError> {
        let info = TokenInfo {
            // Set from the store once it is written.
            id: 0,
            name: name.into(),
            workspace: workspace.into(),
            scope,
            created_at: now,
        };
        Ok((new_token()?, info))
    }

    /// Whether `token` could be one of ours at all (others are not looked up).
    pub(crate) fn may_be_token(token: &str) -> bool {
        token.starts_with(TOKEN_PREFIX)
    }

    /// A stored scope read back.
    pub(crate) fn stored_scope(scope: &str) -> Result<Scope, String> {
        scope.parse()
    }
}

/// The directory in the embedded SQLite file (the same `maestro.db` as the store).
pub struct SqliteDirectory {
    conn: Mutex<Connection>,
}

impl SqliteDirectory {
    /// Opens (creating and migrating when needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            conn: Mutex::new(open_connection(path)?),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn workspace_id(conn: &Connection, name: &str) -> Result<i64, StoreError> {
    conn.query_row("SELECT id FROM workspaces WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| rules::unknown_workspace(name))
}

const TOKEN_SELECT: &str = "SELECT t.name, w.name, t.scope, t.created_at, t.id
    FROM tokens t JOIN workspaces w ON w.id = t.workspace_id";

fn token_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenInfo> {
    let scope: String = r.get(2)?;
    Ok(TokenInfo {
        id: r.get(4)?,
        name: r.get(0)?,
        workspace: r.get(1)?,
        scope: rules::stored_scope(&scope).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into())
        })?,
        created_at: parse_stored_time(3, r.get(3)?)?,
    })
}

impl Directory for SqliteDirectory {
    fn create_workspace(
        &self,
        name: &str,
        slack_team: Option<&str>,
    ) -> Result<Workspace, StoreError> {
        let team = rules::new_workspace(name, slack_team)?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM workspaces WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if exists {
            return Err(rules::workspace_exists(name));
        }
        if let Some(team) = team {
            let taken: Option<String> = tx
                .query_row(
                    "SELECT name FROM workspaces WHERE slack_team = ?1",
                    [team],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(other) = taken {
                return Err(rules::team_taken(team, &other));
            }
        }
        tx.execute(
            "INSERT INTO workspaces (name, slack_team) VALUES (?1, ?2)",
            params![name, team],
        )?;
        tx.commit()?;
        Ok(Workspace {
            name: name.into(),
            slack_team: team.map(str::to_string),
        })
    }

    fn list_workspaces(&self) -> Result<Vec<Workspace>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT name, slack_team FROM workspaces ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(Workspace {
                name: r.get(0)?,
                slack_team: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn workspace_for_team(&self, team: &str) -> Result<Option<Workspace>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT name, slack_team FROM workspaces WHERE slack_team = ?1",
                [team],
                |r| {
                    Ok(Workspace {
                        name: r.get(0)?,
                        slack_team: r.get(1)?,
                    })
                },
            )
            .optional()?)
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
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let id = workspace_id(&tx, workspace)?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM tokens WHERE workspace_id = ?1 AND lower(name) = lower(?2) AND revoked_at IS NULL)",
            params![id, name],
            |r| r.get(0),
        )?;
        if taken {
            return Err(rules::token_taken(workspace, name));
        }
        tx.execute(
            "INSERT INTO tokens (workspace_id, name, hash, scope, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, name, token_hash(&token), scope.as_str(), now.to_rfc3339()],
        )?;
        info.id = tx.last_insert_rowid();
        tx.commit()?;
        Ok((token, info))
    }

    fn list_tokens(&self, workspace: &str) -> Result<Vec<TokenInfo>, StoreError> {
        let conn = self.conn();
        let id = workspace_id(&conn, workspace)?;
        let mut stmt = conn.prepare_cached(&format!(
            "{TOKEN_SELECT} WHERE t.workspace_id = ?1 AND t.revoked_at IS NULL ORDER BY lower(t.name)"
        ))?;
        let rows = stmt.query_map([id], token_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn revoke_token(
        &self,
        workspace: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenInfo, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let id = workspace_id(&tx, workspace)?;
        let info = tx
            .query_row(
                &format!(
                    "{TOKEN_SELECT} WHERE t.workspace_id = ?1 AND lower(t.name) = lower(?2) AND t.revoked_at IS NULL"
                ),
                params![id, name.trim()],
                token_from_row,
            )
            .optional()?
            .ok_or_else(|| rules::no_live_token(workspace, name))?;
        tx.execute(
            "UPDATE tokens SET revoked_at = ?3 WHERE workspace_id = ?1 AND lower(name) = lower(?2) AND revoked_at IS NULL",
            params![id, name.trim(), now.to_rfc3339()],
        )?;
        let prefix = token_sessions(info.id);
        tx.execute(
            "DELETE FROM sessions WHERE workspace_id = ?1 AND substr(id, 1, length(?2)) = ?2",
            params![id, prefix],
        )?;
        tx.commit()?;
        Ok(info)
    }

    fn authenticate(&self, token: &str) -> Result<Option<TokenInfo>, StoreError> {
        if !rules::may_be_token(token) {
            return Ok(None);
        }
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "{TOKEN_SELECT} WHERE t.hash = ?1 AND t.revoked_at IS NULL"
        ))?;
        Ok(stmt
            .query_row([token_hash(token)], token_from_row)
            .optional()?)
    }

    fn first_delivery(&self, key: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now = now.timestamp();
        tx.execute(
            "DELETE FROM deliveries WHERE at < ?1",
            [now - DELIVERY_MEMORY],
        )?;
        let added = tx.execute(
            "INSERT OR IGNORE INTO deliveries (key, at) VALUES (?1, ?2)",
            params![key, now],
        )?;
        tx.commit()?;
        Ok(added == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_include_the_ones_below() {
        assert!(Scope::Admin.allows(Scope::Write) && Scope::Write.allows(Scope::Read));
        assert!(!Scope::Read.allows(Scope::Write));
        assert_eq!("ADMIN".parse::<Scope>(), Ok(Scope::Admin));
        assert!(
            "root"
                .parse::<Scope>()
                .unwrap_err()
                .contains("read, write or admin")
        );
    }
}
