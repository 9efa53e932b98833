//! Where the platform's state lives: the entities (tasks, people, datasets,
//! models), the [`Store`] trait, its SQLite implementation (the embedded
//! default) and its PostgreSQL one (shared), the [`Directory`] of workspaces,
//! tokens and Slack teams, and CSV files read into entities.
//!
//! An API boundary: every method is one transaction, names are checked here,
//! and both backends pass the same suite (`tools/tests/store.rs`).

#![deny(missing_docs)]

mod assets;
pub mod csv;
mod directory;
mod merge;
mod model;
pub mod names;
mod notify;
mod postgres;
mod schedule;
mod sqlite;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

pub use assets::{
    AssetStore, Dataset, DatasetSummary, ModelRecord, ModelSummary, NewDataset, NewModel, Stage,
};
pub use directory::{
    DELIVERY_MEMORY, Directory, Scope, SqliteDirectory, TokenInfo, Workspace, check_workspace_name,
    token_hash, token_sessions,
};
pub use merge::MergedPeople;
pub use notify::{Message, NewMessage, NewReminder, NotifyStore, Reminder};
pub use postgres::{CopiedWorkspace, PgDirectory, PgStore, test_database_url};
pub use schedule::{ScheduleStore, StoredRule};
pub use sqlite::SqliteStore;

pub use model::{
    NewPerson, NewTask, Person, Priority, Status, StatusFilter, Task, TaskFilter, TaskPatch,
};

/// What can go wrong in a store. Messages say what to do next.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such object.
    #[error("there is no {what} {key}")]
    NotFound {
        /// Kind of object.
        what: &'static str,
        /// How it was asked for.
        key: String,
    },
    /// The change would break a rule (a duplicate name, an unknown person…).
    #[error("{0}")]
    Conflict(String),
    /// The database file is not usable.
    #[error("{0}")]
    Unusable(String),
    /// The database failed.
    #[error("storage failed: {0}")]
    Storage(#[from] rusqlite::Error),
    /// The PostgreSQL server failed.
    #[error("storage failed: {0}")]
    Postgres(#[from] tokio_postgres::Error),
}

/// One line of the audit log: who ran which tool, with what, and how it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who asked (a person's name), if known.
    pub actor: Option<String>,
    /// The tool.
    pub tool: String,
    /// Its arguments.
    pub arguments: Value,
    /// `ok` or `error`.
    pub status: String,
    /// The result data, or the error message.
    pub result: Value,
}

/// The tokens one turn of the language-model planner used (`maestro usage`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageRecord {
    /// When the turn ended.
    pub at: DateTime<Utc>,
    /// The conversation.
    pub session: String,
    /// The model that answered.
    pub model: String,
    /// Tokens sent, over every request of the turn.
    pub prompt_tokens: i64,
    /// Tokens received.
    pub completion_tokens: i64,
    /// Chat-completion requests the turn made.
    pub requests: i64,
    /// Estimated cost in US dollars, when the model's price is known.
    pub cost_usd: Option<f64>,
}

/// The platform's state for one workspace. Implementations keep every method
/// atomic: a failed call changes nothing. Datasets and models come with
/// [`AssetStore`], recurring rules with [`ScheduleStore`], reminders and the
/// outbox with [`NotifyStore`].
pub trait Store: AssetStore + ScheduleStore + NotifyStore + Send + Sync {
    /// The workspace this store is scoped to.
    fn workspace(&self) -> &str;

    /// Adds a person; names are unique case-insensitively.
    fn add_person(&self, person: NewPerson) -> Result<Person, StoreError>;
    /// Adds many people at once, all or none.
    fn add_people(&self, people: Vec<NewPerson>) -> Result<Vec<Person>, StoreError>;
    /// Imports people, all or none: each is matched to the team by e-mail,
    /// then Slack id, then name, and updated; the others are added.
    fn merge_people(&self, people: Vec<NewPerson>) -> Result<MergedPeople, StoreError>;
    /// Everyone, by name.
    fn list_people(&self) -> Result<Vec<Person>, StoreError>;

    /// Every project name, sorted.
    fn list_projects(&self) -> Result<Vec<String>, StoreError>;

    /// Creates a task (its project is created when new; its assignee must exist).
    fn create_task(&self, task: NewTask, now: DateTime<Utc>) -> Result<Task, StoreError>;
    /// Creates many tasks at once, all or none.
    fn create_tasks(
        &self,
        tasks: Vec<NewTask>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Task>, StoreError>;
    /// One task.
    fn get_task(&self, id: i64) -> Result<Task, StoreError>;
    /// Applies a patch and returns the task as it is now.
    fn update_task(
        &self,
        id: i64,
        patch: TaskPatch,
        now: DateTime<Utc>,
    ) -> Result<Task, StoreError>;
    /// Deletes a task and returns it as it was.
    fn delete_task(&self, id: i64) -> Result<Task, StoreError>;
    /// Tasks matching the filter: by due date (undated last), then priority (highest first), then id.
    fn list_tasks(&self, filter: &TaskFilter) -> Result<Vec<Task>, StoreError>;

    /// Appends to the audit log.
    fn record(&self, record: &AuditRecord) -> Result<(), StoreError>;
    /// The newest `limit` audit records, newest first.
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError>;

    /// Records the language-model tokens of one turn.
    fn record_usage(&self, usage: &UsageRecord) -> Result<(), StoreError>;
    /// The newest `limit` usage records, newest first.
    fn usage(&self, limit: usize) -> Result<Vec<UsageRecord>, StoreError>;

    /// A conversation's saved state.
    fn load_session(&self, id: &str) -> Result<Option<Value>, StoreError>;
    /// Saves a conversation's state.
    fn save_session(&self, id: &str, state: &Value, now: DateTime<Utc>) -> Result<(), StoreError>;
    /// Forgets a conversation (an unknown one is no error).
    fn delete_session(&self, id: &str) -> Result<(), StoreError>;

    /// The workspace's settings, by key (see [`crate::settings`]).
    fn settings(&self) -> Result<BTreeMap<String, String>, StoreError>;
    /// Sets one workspace setting (checked by the caller).
    fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError>;

    /// Which store this is and how many changes the catalog mirrors it has
    /// seen: what a catalog records to tell that it is in step.
    fn stamp(&self) -> Result<StoreStamp, StoreError>;
}

/// A store's identity and change count, as a catalog records them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct StoreStamp {
    /// The installation: a random id made with the schema.
    pub installation: String,
    /// Changes to the workspace's tasks, people, datasets and models so far
    /// (counted by the database itself, in the changing transaction).
    pub changes: i64,
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_sqlite_migration_has_its_postgres_twin() {
        assert_eq!(
            super::sqlite::MIGRATIONS.len(),
            super::postgres::MIGRATIONS.len(),
            "write the new migration in PostgreSQL's dialect too (store/postgres/mod.rs)"
        );
    }
}
