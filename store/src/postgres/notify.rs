//! [`NotifyStore`] on PostgreSQL.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};

use super::{PgStore, Shared, db};
use crate::StoreError;
use crate::notify::{
    Columns, MESSAGE_COLUMNS, Message, NewMessage, NewReminder, NotifyStore, REMINDER_COLUMNS,
    Reminder, message_from, messages_query, reminder_from,
};

impl Columns for Row {
    fn number(&self, i: usize) -> Result<i64, StoreError> {
        self.try_get(i).map_err(db)
    }
    fn text(&self, i: usize) -> Result<Option<String>, StoreError> {
        self.try_get(i).map_err(db)
    }
}

impl Shared {
    async fn reminder_in(&self, c: &impl GenericClient, id: i64) -> Result<Reminder, StoreError> {
        c.query_opt(
            &format!(
                "SELECT {REMINDER_COLUMNS} FROM reminders WHERE workspace_id = $1 AND id = $2"
            ),
            &[&self.workspace_id, &id],
        )
        .await
        .map_err(db)?
        .map(|r| reminder_from(&r))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            what: "reminder",
            key: id.to_string(),
        })
    }

    /// Takes `key` in the claims table; a racing claim of the same key
    /// waits for the first to commit, then finds it taken.
    pub(super) async fn claim_in(
        &self,
        c: &impl GenericClient,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(c.query_opt(
            "INSERT INTO claims (workspace_id, key, at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING RETURNING 1",
            &[&self.workspace_id, &key, &now.to_rfc3339()],
        )
        .await
        .map_err(db)?
        .is_some())
    }

    /// Locks the workspace's row, so that concurrent callers number rows one
    /// after another.
    pub(super) async fn lock_workspace(&self, c: &impl GenericClient) -> Result<(), StoreError> {
        c.execute(
            "SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE",
            &[&self.workspace_id],
        )
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn next_id(&self, c: &impl GenericClient, table: &str) -> Result<i64, StoreError> {
        Ok(c.query_one(
            &format!("SELECT coalesce(max(id), 0) + 1 FROM {table} WHERE workspace_id = $1"),
            &[&self.workspace_id],
        )
        .await
        .map_err(db)?
        .get(0))
    }
}

impl NotifyStore for PgStore {
    fn add_reminder(
        &self,
        reminder: &NewReminder,
        now: DateTime<Utc>,
    ) -> Result<Reminder, StoreError> {
        let reminder = reminder.clone();
        self.run(move |s| async move {
            let mut conn = s.pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            s.lock_workspace(&tx).await?;
            let id = s.next_id(&tx, "reminders").await?;
            tx.execute(
                "INSERT INTO reminders (workspace_id, id, person, text, at, timezone, created_by,
                     state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)",
                &[
                    &s.workspace_id,
                    &id,
                    &reminder.person,
                    &reminder.text,
                    &reminder.at.to_rfc3339(),
                    &reminder.timezone,
                    &reminder.created_by,
                    &now.to_rfc3339(),
                ],
            )
            .await
            .map_err(db)?;
            let added = s.reminder_in(&tx, id).await?;
            tx.commit().await.map_err(db)?;
            Ok(added)
        })
    }

    fn reminders(&self) -> Result<Vec<Reminder>, StoreError> {
        self.run(|s| async move {
            let conn = s.pool.get().await?;
            conn.query(
                &format!(
                    "SELECT {REMINDER_COLUMNS} FROM reminders WHERE workspace_id = $1 ORDER BY id"
                ),
                &[&s.workspace_id],
            )
            .await
            .map_err(db)?
            .iter()
            .map(reminder_from)
            .collect()
        })
    }

    fn set_reminder_state(&self, id: i64, state: &str) -> Result<Reminder, StoreError> {
        let state = state.to_string();
        self.run(move |s| async move {
            let mut conn = s.pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            s.reminder_in(&tx, id).await?;
            tx.execute(
                "UPDATE reminders SET state = $3 WHERE workspace_id = $1 AND id = $2",
                &[&s.workspace_id, &id, &state],
            )
            .await
            .map_err(db)?;
            let changed = s.reminder_in(&tx, id).await?;
            tx.commit().await.map_err(db)?;
            Ok(changed)
        })
    }

    fn claim(&self, key: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let key = key.to_string();
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            s.claim_in(&*conn, &key, now).await
        })
    }

    fn claimed(&self, key: &str) -> Result<bool, StoreError> {
        let key = key.to_string();
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            conn.query_one(
                "SELECT EXISTS (SELECT 1 FROM claims WHERE workspace_id = $1 AND key = $2)",
                &[&s.workspace_id, &key],
            )
            .await
            .map_err(db)?
            .try_get(0)
            .map_err(db)
        })
    }

    fn post_once(
        &self,
        key: &str,
        message: &NewMessage,
        now: DateTime<Utc>,
    ) -> Result<Option<Message>, StoreError> {
        let (key, message) = (key.to_string(), message.clone());
        self.run(move |s| async move {
            let mut conn = s.pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            if !s.claim_in(&tx, &key, now).await? {
                return Ok(None);
            }
            s.lock_workspace(&tx).await?;
            let id = s.next_id(&tx, "outbox").await?;
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO outbox (workspace_id, id, key, person, kind, text, body,
                             created_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'kept')
                         RETURNING {MESSAGE_COLUMNS}"
                    ),
                    &[
                        &s.workspace_id,
                        &id,
                        &key,
                        &message.person,
                        &message.kind,
                        &message.text,
                        &message.body.to_string(),
                        &now.to_rfc3339(),
                    ],
                )
                .await
                .map_err(db)?;
            let posted = message_from(&row)?;
            tx.commit().await.map_err(db)?;
            Ok(Some(posted))
        })
    }

    fn messages(
        &self,
        person: Option<&str>,
        kind: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError> {
        let person = person.map(str::to_string);
        let kind = kind.map(str::to_string);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            conn.query(
                &messages_query('$'),
                &[&s.workspace_id, &person, &kind, &limit],
            )
            .await
            .map_err(db)?
            .iter()
            .map(message_from)
            .collect()
        })
    }

    fn move_message(
        &self,
        id: i64,
        from: &str,
        to: &str,
        channel: Option<&str>,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        let (from, to) = (from.to_string(), to.to_string());
        let (channel, error) = (channel.map(str::to_string), error.map(str::to_string));
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            let moved = conn
                .execute(
                    "UPDATE outbox SET state = $4, channel = coalesce($5, channel), error = $6
                     WHERE workspace_id = $1 AND id = $2 AND state = $3",
                    &[&s.workspace_id, &id, &from, &to, &channel, &error],
                )
                .await
                .map_err(db)?;
            Ok(moved == 1)
        })
    }
}
