//! What the scheduler tells people: one-shot reminders and the outbox of
//! messages (reminders due, daily digests), each posted once under a claim.
//! The [`NotifyStore`] trait and its SQLite implementation.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

use super::StoreError;
use super::sqlite::SqliteStore;

/// A reminder to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReminder {
    /// Who is reminded (a name on the team).
    pub person: String,
    /// What they are reminded of.
    pub text: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The IANA time zone `at` was given in (for showing it back).
    pub timezone: String,
    /// Who asked for it.
    pub created_by: Option<String>,
}

/// A one-shot reminder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reminder {
    /// Number, unique in the workspace, never reused.
    pub id: i64,
    /// Who is reminded.
    pub person: String,
    /// What of.
    pub text: String,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// The time zone it was set in.
    pub timezone: String,
    /// Who asked for it.
    pub created_by: Option<String>,
    /// `pending`, `sent` or `cancelled`.
    pub state: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// A message to put in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    /// For whom (a name on the team).
    pub person: String,
    /// `reminder` or `digest`.
    pub kind: String,
    /// The message as plain text.
    pub text: String,
    /// The message as data (a digest's lists, a reminder's id).
    pub body: Value,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Message {
    /// Number, in the order messages were posted.
    pub id: i64,
    /// The claim it was posted under (e.g. `digest:Bob Smith:2026-12-08`).
    pub key: String,
    /// For whom.
    pub person: String,
    /// `reminder` or `digest`.
    pub kind: String,
    /// Plain text.
    pub text: String,
    /// Data: a digest's lists and signature, Slack Block Kit `blocks`.
    pub body: Value,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
    /// `kept` (in the outbox only), `sending`, `sent` (delivered to
    /// `channel`) or `failed` (with `error`; still here).
    pub state: String,
    /// Where it was delivered (`slack`).
    pub channel: Option<String>,
    /// Why delivery failed.
    pub error: Option<String>,
}

/// Reminders and the outbox. Like [`crate::Store`], every method is one
/// transaction.
pub trait NotifyStore {
    /// Adds a reminder, pending.
    fn add_reminder(
        &self,
        reminder: &NewReminder,
        now: DateTime<Utc>,
    ) -> Result<Reminder, StoreError>;
    /// Every reminder, by number.
    fn reminders(&self) -> Result<Vec<Reminder>, StoreError>;
    /// Sets a reminder's state (`sent`, `cancelled`) and returns it.
    fn set_reminder_state(&self, id: i64, state: &str) -> Result<Reminder, StoreError>;
    /// Takes `key` unless it was taken before: true for the one caller that
    /// takes it, however many race.
    fn claim(&self, key: &str, now: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Whether `key` was taken.
    fn claimed(&self, key: &str) -> Result<bool, StoreError>;
    /// Claims `key` and puts `message` in the outbox in one transaction;
    /// `None` when the key was taken (the message was posted already).
    fn post_once(
        &self,
        key: &str,
        message: &NewMessage,
        now: DateTime<Utc>,
    ) -> Result<Option<Message>, StoreError>;
    /// The newest `limit` messages, newest first; only `person`'s when given,
    /// only of `kind` when given.
    fn messages(
        &self,
        person: Option<&str>,
        kind: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError>;
    /// Moves a message from state `from` to `to` (with where it went or why
    /// it failed); false when it was not in `from` (another sender has it).
    fn move_message(
        &self,
        id: i64,
        from: &str,
        to: &str,
        channel: Option<&str>,
        error: Option<&str>,
    ) -> Result<bool, StoreError>;
}

/// The SQLite schema of this module (one migration).
pub(super) const SQLITE_MIGRATION: &str = "ALTER TABLE people ADD COLUMN timezone TEXT;
     CREATE TABLE reminders (
         workspace_id INTEGER NOT NULL REFERENCES workspaces(id), id INTEGER NOT NULL,
         person TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL, timezone TEXT NOT NULL,
         created_by TEXT, state TEXT NOT NULL, created_at TEXT NOT NULL,
         PRIMARY KEY (workspace_id, id));
     CREATE TABLE outbox (
         workspace_id INTEGER NOT NULL REFERENCES workspaces(id), id INTEGER NOT NULL,
         key TEXT NOT NULL, person TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
         body TEXT NOT NULL, created_at TEXT NOT NULL, state TEXT NOT NULL, channel TEXT,
         error TEXT, PRIMARY KEY (workspace_id, id), UNIQUE (workspace_id, key));";

/// The columns [`reminder_from`] reads, in order.
pub(super) const REMINDER_COLUMNS: &str =
    "id, person, text, at, timezone, created_by, state, created_at";

/// The columns [`message_from`] reads, in order.
pub(super) const MESSAGE_COLUMNS: &str =
    "id, key, person, kind, text, body, created_at, state, channel, error";

/// Reads a stored time.
pub(super) fn time(what: &str, s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Unusable(format!("{what}: bad time {s:?}: {e}")))
}

/// The columns of one row, as text or numbers, whichever backend read them.
pub(super) trait Columns {
    /// Column `i` as a number.
    fn number(&self, i: usize) -> Result<i64, StoreError>;
    /// Column `i` as text, when not null.
    fn text(&self, i: usize) -> Result<Option<String>, StoreError>;
    /// Column `i` as text that is never null.
    fn string(&self, i: usize) -> Result<String, StoreError> {
        Ok(self.text(i)?.unwrap_or_default())
    }
}

impl Columns for Row<'_> {
    fn number(&self, i: usize) -> Result<i64, StoreError> {
        Ok(self.get(i)?)
    }
    fn text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.get(i)?)
    }
}

/// A reminder from its [`REMINDER_COLUMNS`].
pub(super) fn reminder_from(r: &impl Columns) -> Result<Reminder, StoreError> {
    let id = r.number(0)?;
    let what = format!("reminder {id}");
    Ok(Reminder {
        id,
        person: r.string(1)?,
        text: r.string(2)?,
        at: time(&what, &r.string(3)?)?,
        timezone: r.string(4)?,
        created_by: r.text(5)?,
        state: r.string(6)?,
        created_at: time(&what, &r.string(7)?)?,
    })
}

/// A message from its [`MESSAGE_COLUMNS`].
pub(super) fn message_from(r: &impl Columns) -> Result<Message, StoreError> {
    let id = r.number(0)?;
    let what = format!("outbox message {id}");
    Ok(Message {
        id,
        key: r.string(1)?,
        person: r.string(2)?,
        kind: r.string(3)?,
        text: r.string(4)?,
        body: serde_json::from_str(&r.string(5)?)
            .map_err(|e| StoreError::Unusable(format!("{what}: {e}")))?,
        created_at: time(&what, &r.string(6)?)?,
        state: r.string(7)?,
        channel: r.text(8)?,
        error: r.text(9)?,
    })
}

/// The message SELECT with `person` and `kind` filters in parameters 2 and 3
/// (`$n` on PostgreSQL, `?n` on SQLite) and the limit in 4.
pub(super) fn messages_query(mark: char) -> String {
    format!(
        "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE workspace_id = {mark}1
         AND (CAST({mark}2 AS TEXT) IS NULL OR lower(person) = lower(CAST({mark}2 AS TEXT)))
         AND (CAST({mark}3 AS TEXT) IS NULL OR kind = CAST({mark}3 AS TEXT))
         ORDER BY id DESC LIMIT {mark}4"
    )
}

impl SqliteStore {
    fn reminder_in(&self, tx: &rusqlite::Connection, id: i64) -> Result<Reminder, StoreError> {
        tx.query_row(
            &format!(
                "SELECT {REMINDER_COLUMNS} FROM reminders WHERE workspace_id = ?1 AND id = ?2"
            ),
            params![self.workspace_id, id],
            |r| Ok(reminder_from(r)),
        )
        .optional()?
        .unwrap_or(Err(StoreError::NotFound {
            what: "reminder",
            key: id.to_string(),
        }))
    }

    /// Takes `key` in the claims table inside `tx`.
    pub(super) fn claim_in(
        &self,
        tx: &rusqlite::Connection,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(tx
            .query_row(
                "INSERT INTO claims (workspace_id, key, at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING RETURNING 1",
                params![self.workspace_id, key, now.to_rfc3339()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }
}

impl NotifyStore for SqliteStore {
    fn add_reminder(
        &self,
        reminder: &NewReminder,
        now: DateTime<Utc>,
    ) -> Result<Reminder, StoreError> {
        self.write(|tx| {
            let id: i64 = tx.query_row(
                "SELECT coalesce(max(id), 0) + 1 FROM reminders WHERE workspace_id = ?1",
                [self.workspace_id],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO reminders (workspace_id, id, person, text, at, timezone, created_by,
                     state, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8)",
                params![
                    self.workspace_id,
                    id,
                    reminder.person,
                    reminder.text,
                    reminder.at.to_rfc3339(),
                    reminder.timezone,
                    reminder.created_by,
                    now.to_rfc3339()
                ],
            )?;
            self.reminder_in(tx, id)
        })
    }

    fn reminders(&self) -> Result<Vec<Reminder>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {REMINDER_COLUMNS} FROM reminders WHERE workspace_id = ?1 ORDER BY id"
        ))?;
        let mut rows = stmt.query([self.workspace_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(reminder_from(r)?);
        }
        Ok(out)
    }

    fn set_reminder_state(&self, id: i64, state: &str) -> Result<Reminder, StoreError> {
        self.write(|tx| {
            self.reminder_in(tx, id)?;
            tx.execute(
                "UPDATE reminders SET state = ?3 WHERE workspace_id = ?1 AND id = ?2",
                params![self.workspace_id, id, state],
            )?;
            self.reminder_in(tx, id)
        })
    }

    fn claim(&self, key: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.write(|tx| self.claim_in(tx, key, now))
    }

    fn claimed(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM claims WHERE workspace_id = ?1 AND key = ?2)",
            params![self.workspace_id, key],
            |r| r.get(0),
        )?)
    }

    fn post_once(
        &self,
        key: &str,
        message: &NewMessage,
        now: DateTime<Utc>,
    ) -> Result<Option<Message>, StoreError> {
        self.write(|tx| {
            if !self.claim_in(tx, key, now)? {
                return Ok(None);
            }
            let id: i64 = tx.query_row(
                "SELECT coalesce(max(id), 0) + 1 FROM outbox WHERE workspace_id = ?1",
                [self.workspace_id],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO outbox (workspace_id, id, key, person, kind, text, body, created_at,
                     state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'kept')",
                params![
                    self.workspace_id,
                    id,
                    key,
                    message.person,
                    message.kind,
                    message.text,
                    message.body.to_string(),
                    now.to_rfc3339()
                ],
            )?;
            tx.query_row(
                &format!(
                    "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE workspace_id = ?1 AND id = ?2"
                ),
                params![self.workspace_id, id],
                |r| Ok(message_from(r)),
            )?
            .map(Some)
        })
    }

    fn messages(
        &self,
        person: Option<&str>,
        kind: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&messages_query('?'))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = stmt.query(params![self.workspace_id, person, kind, limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(message_from(r)?);
        }
        Ok(out)
    }

    fn move_message(
        &self,
        id: i64,
        from: &str,
        to: &str,
        channel: Option<&str>,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let moved = tx.execute(
                "UPDATE outbox SET state = ?4, channel = coalesce(?5, channel), error = ?6
                 WHERE workspace_id = ?1 AND id = ?2 AND state = ?3",
                params![self.workspace_id, id, from, to, channel, error],
            )?;
            Ok(moved == 1)
        })
    }
}
