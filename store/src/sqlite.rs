//! The embedded store: one SQLite file in WAL mode, migrated on open.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params, params_from_iter};
use serde_json::Value;

use super::merge::{self, Merge, MergedPeople};
use super::{AuditRecord, Store, StoreError, StoreStamp, UsageRecord};
use crate::{
    NewPerson, NewTask, Person, Priority, Status, StatusFilter, Task, TaskFilter, TaskPatch,
};

/// Schema changes, applied in order; `PRAGMA user_version` counts how many ran.
pub(super) const MIGRATIONS: &[&str] = &[
    "CREATE TABLE workspaces (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
     CREATE TABLE people (
         id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
         name TEXT NOT NULL, email TEXT, slack_id TEXT, skills TEXT NOT NULL DEFAULT '[]',
         capacity REAL NOT NULL DEFAULT 40);
     CREATE UNIQUE INDEX people_name ON people (workspace_id, lower(name));
     CREATE TABLE projects (
         id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
         name TEXT NOT NULL);
     CREATE UNIQUE INDEX projects_name ON projects (workspace_id, lower(name));
     CREATE TABLE tasks (
         id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
         title TEXT NOT NULL, description TEXT,
         project_id INTEGER REFERENCES projects(id), assignee_id INTEGER REFERENCES people(id),
         status TEXT NOT NULL, priority TEXT NOT NULL, due TEXT, estimate_hours REAL,
         tags TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
         completed_at TEXT, actual_hours REAL);
     CREATE INDEX tasks_workspace ON tasks (workspace_id, status);
     CREATE TABLE audit_log (
         id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
         at TEXT NOT NULL, actor TEXT, tool TEXT NOT NULL, arguments TEXT NOT NULL,
         status TEXT NOT NULL, result TEXT NOT NULL);
     CREATE TABLE sessions (
         workspace_id INTEGER NOT NULL REFERENCES workspaces(id), id TEXT NOT NULL,
         state TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (workspace_id, id));",
    "CREATE INDEX tasks_assignee ON tasks (workspace_id, assignee_id);
     CREATE INDEX tasks_project ON tasks (workspace_id, project_id);",
    "CREATE TABLE datasets (
         workspace_id INTEGER NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL,
         version INTEGER NOT NULL, path TEXT NOT NULL, description TEXT NOT NULL,
         rows INTEGER NOT NULL, columns INTEGER NOT NULL, hash TEXT NOT NULL,
         profile TEXT NOT NULL, created_at TEXT NOT NULL,
         PRIMARY KEY (workspace_id, name, version));
     CREATE TABLE models (
         workspace_id INTEGER NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL,
         version INTEGER NOT NULL, dataset TEXT NOT NULL, dataset_version INTEGER NOT NULL,
         target TEXT NOT NULL, task TEXT NOT NULL, metric TEXT NOT NULL, cv_score REAL NOT NULL,
         cv_std REAL NOT NULL, stage TEXT NOT NULL, family TEXT NOT NULL, details TEXT NOT NULL,
         artifact TEXT NOT NULL, created_at TEXT NOT NULL,
         PRIMARY KEY (workspace_id, name, version));",
    "CREATE TABLE llm_usage (
         id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
         at TEXT NOT NULL, session TEXT NOT NULL, model TEXT NOT NULL,
         prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
         requests INTEGER NOT NULL, cost_usd REAL);",
    "ALTER TABLE workspaces ADD COLUMN slack_team TEXT;
     CREATE UNIQUE INDEX workspaces_slack_team ON workspaces (slack_team) WHERE slack_team IS NOT NULL;
     CREATE TABLE tokens (
         id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
         name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, scope TEXT NOT NULL,
         created_at TEXT NOT NULL, revoked_at TEXT);
     CREATE UNIQUE INDEX tokens_live_name ON tokens (workspace_id, lower(name)) WHERE revoked_at IS NULL;",
    "CREATE TABLE settings (
         workspace_id INTEGER NOT NULL REFERENCES workspaces(id), key TEXT NOT NULL,
         value TEXT NOT NULL, PRIMARY KEY (workspace_id, key));",
    // Task numbers per workspace, never reused; a count of the changes the
    // catalog mirrors; delivered Slack requests; this installation's id.
    "ALTER TABLE workspaces ADD COLUMN last_task_id INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE workspaces ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
     UPDATE workspaces SET last_task_id =
         (SELECT coalesce(max(id), 0) FROM tasks WHERE tasks.workspace_id = workspaces.id);
     CREATE TABLE numbered_tasks (
         workspace_id INTEGER NOT NULL REFERENCES workspaces(id), id INTEGER NOT NULL,
         title TEXT NOT NULL, description TEXT,
         project_id INTEGER REFERENCES projects(id), assignee_id INTEGER REFERENCES people(id),
         status TEXT NOT NULL, priority TEXT NOT NULL, due TEXT, estimate_hours REAL,
         tags TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
         completed_at TEXT, actual_hours REAL, PRIMARY KEY (workspace_id, id));
     INSERT INTO numbered_tasks SELECT workspace_id, id, title, description, project_id,
         assignee_id, status, priority, due, estimate_hours, tags, created_at, updated_at,
         completed_at, actual_hours FROM tasks;
     DROP TABLE tasks;
     ALTER TABLE numbered_tasks RENAME TO tasks;
     CREATE INDEX tasks_workspace ON tasks (workspace_id, status);
     CREATE INDEX tasks_assignee ON tasks (workspace_id, assignee_id);
     CREATE INDEX tasks_project ON tasks (workspace_id, project_id);
     CREATE TRIGGER tasks_added AFTER INSERT ON tasks BEGIN
         UPDATE workspaces SET generation = generation + 1 WHERE id = NEW.workspace_id; END;
     CREATE TRIGGER tasks_changed AFTER UPDATE ON tasks BEGIN
         UPDATE workspaces SET generation = generation + 1 WHERE id = NEW.workspace_id; END;
     CREATE TRIGGER tasks_removed AFTER DELETE ON tasks BEGIN
         UPDATE workspaces SET generation = generation + 1 WHERE id = OLD.workspace_id; END;
     CREATE TRIGGER people_added AFTER INSERT ON people BEGIN
         UPDATE workspaces SET generation = generation + 1 WHERE id = NEW.workspace_id; END;
     CREATE TRIGGER people_changed AFTER UPDATE ON people BEGIN
         UPDATE workspaces SET generation = generation + 1 WHERE id = NEW.workspace_id; END;
     CREATE TRIGGER people_removed AFTER DELETE ON people BEGIN
         UPDATE workspaces SET generation = generation + 1 WHERE id = OLD.workspace_id; END;
     CREATE TRIGGER datasets_added AFTER INSERT ON datasets BEGIN
         UPDATE workspaces SET generation = generation + 1 WHERE id = NEW.workspace_id; END;
     CREATE TRIGGER datasets_changed AFTER UPDATE ON datasets BEGIN
         UPDATE workspaces SET generation = generation + 1 WHERE id = NEW.workspace_id; END;
     CREATE TRIGGER datasets_removed AFTER DELETE ON datasets BEGIN
         UPDATE workspaces SET generation = generation + 1 WHERE id = OLD.workspace_id; END;
     CREATE TRIGGER models_added AFTER INSERT ON models BEGIN
         UPDATE workspaces SET generation = generation + 1 WHERE id = NEW.workspace_id; END;
     CREATE TRIGGER models_changed AFTER UPDATE ON models BEGIN
         UPDATE workspaces SET generation = generation + 1 WHERE id = NEW.workspace_id; END;
     CREATE TRIGGER models_removed AFTER DELETE ON models BEGIN
         UPDATE workspaces SET generation = generation + 1 WHERE id = OLD.workspace_id; END;
     CREATE TABLE deliveries (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
     CREATE INDEX deliveries_at ON deliveries (at);
     CREATE TABLE installation (id TEXT NOT NULL);
     INSERT INTO installation (id) VALUES (lower(hex(randomblob(16))));",
    // Recurring rules and once-only claims (the scheduler).
    super::schedule::SQLITE_MIGRATION,
    // People's time zones, reminders and the outbox.
    super::notify::SQLITE_MIGRATION,
];

/// The SQLite store, scoped to one workspace.
pub struct SqliteStore {
    pub(super) conn: Mutex<Connection>,
    workspace: String,
    pub(super) workspace_id: i64,
}

const TASK_SELECT: &str = "SELECT t.id, t.title, t.description, pr.name, pe.name, t.status, t.priority,
        t.due, t.estimate_hours, t.tags, t.created_at, t.updated_at, t.completed_at, t.actual_hours
    FROM tasks t LEFT JOIN projects pr ON pr.id = t.project_id LEFT JOIN people pe ON pe.id = t.assignee_id";

impl SqliteStore {
    /// Opens (creating and migrating when needed) the database at `path`,
    /// scoped to `workspace` (created on first use).
    pub fn open(path: &Path, workspace: &str) -> Result<Self, StoreError> {
        Self::init(open_connection(path)?, workspace)
    }

    /// The database at `path`, which must exist, migrated to the current
    /// schema and not scoped to a workspace (for copying it elsewhere).
    pub(super) fn open_existing(path: &Path) -> Result<Connection, StoreError> {
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| unusable(path, &e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn).map_err(|e| match e {
            StoreError::Storage(e) => unusable(path, &e),
            other => other,
        })?;
        Ok(conn)
    }

    /// A store in memory (for tests and examples).
    pub fn in_memory(workspace: &str) -> Result<Self, StoreError> {
        Self::init(connect(Connection::open_in_memory()?)?, workspace)
    }

    fn init(conn: Connection, workspace: &str) -> Result<Self, StoreError> {
        conn.execute(
            "INSERT OR IGNORE INTO workspaces (name) VALUES (?1)",
            [workspace],
        )?;
        let workspace_id = conn.query_row(
            "SELECT id FROM workspaces WHERE name = ?1",
            [workspace],
            |r| r.get(0),
        )?;
        Ok(Self {
            conn: Mutex::new(conn),
            workspace: workspace.to_string(),
            workspace_id,
        })
    }

    pub(super) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    fn person_id(&self, tx: &Connection, name: &str) -> Result<i64, StoreError> {
        tx.query_row(
            "SELECT id FROM people WHERE workspace_id = ?1 AND lower(name) = lower(?2)",
            params![self.workspace_id, name],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            StoreError::Conflict(format!(
                "{name:?} is not on the team; add them first (`maestro people add {name:?}`)"
            ))
        })
    }

    fn project_id(&self, tx: &Connection, name: &str) -> Result<i64, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Conflict(
                "a project name cannot be empty".into(),
            ));
        }
        tx.execute(
            "INSERT INTO projects (workspace_id, name) SELECT ?1, ?2
             WHERE NOT EXISTS (SELECT 1 FROM projects WHERE workspace_id = ?1 AND lower(name) = lower(?2))",
            params![self.workspace_id, name],
        )?;
        Ok(tx.query_row(
            "SELECT id FROM projects WHERE workspace_id = ?1 AND lower(name) = lower(?2)",
            params![self.workspace_id, name],
            |r| r.get(0),
        )?)
    }

    /// Everyone, by name, as `conn` sees them.
    fn people_in(&self, conn: &Connection) -> Result<Vec<Person>, StoreError> {
        let mut stmt = conn.prepare_cached(
            "SELECT name, email, slack_id, skills, capacity, timezone FROM people WHERE workspace_id = ?1 ORDER BY lower(name)",
        )?;
        Ok(stmt
            .query_map([self.workspace_id], person_from_row)?
            .collect::<Result<_, _>>()?)
    }

    fn insert_person(&self, tx: &Connection, p: NewPerson) -> Result<Person, StoreError> {
        let person = p.normalised()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM people WHERE workspace_id = ?1 AND lower(name) = lower(?2))",
            params![self.workspace_id, person.name],
            |r| r.get(0),
        )?;
        if exists {
            return Err(StoreError::Conflict(format!(
                "{} is already on the team",
                person.name
            )));
        }
        tx.execute(
            "INSERT INTO people (workspace_id, name, email, slack_id, skills, capacity, timezone)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                self.workspace_id,
                person.name,
                person.email,
                person.slack_id,
                serde_json::to_string(&person.skills).unwrap_or_default(),
                person.capacity,
                person.timezone
            ],
        )?;
        Ok(person)
    }

    pub(super) fn insert_task(
        &self,
        tx: &Connection,
        t: NewTask,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let title = t.title.trim();
        if title.is_empty() {
            return Err(StoreError::Conflict("a task needs a title".into()));
        }
        let project = t
            .project
            .as_deref()
            .map(|p| self.project_id(tx, p))
            .transpose()?;
        let assignee = t
            .assignee
            .as_deref()
            .map(|p| self.person_id(tx, p))
            .transpose()?;
        let status = t.status.unwrap_or(Status::Todo);
        let created = t.created_at.unwrap_or(now);
        let completed = match status {
            Status::Done => Some(t.completed_at.unwrap_or(now)),
            _ => None,
        };
        // Numbers come from the workspace's counter: never shared, never reused.
        let id: i64 = tx.query_row(
            "UPDATE workspaces SET last_task_id = last_task_id + 1 WHERE id = ?1 RETURNING last_task_id",
            [self.workspace_id],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO tasks (workspace_id, id, title, description, project_id, assignee_id, status, priority,
                 due, estimate_hours, tags, created_at, updated_at, completed_at, actual_hours)
             VALUES (?1, ?14, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13)",
            params![
                self.workspace_id,
                title,
                t.description.filter(|d| !d.trim().is_empty()),
                project,
                assignee,
                status.as_str(),
                t.priority.unwrap_or(Priority::Medium).as_str(),
                t.due.map(|d| d.to_string()),
                t.estimate_hours,
                tags_json(&t.tags),
                created.to_rfc3339(),
                completed.map(|c| c.to_rfc3339()),
                t.actual_hours,
                id,
            ],
        )?;
        Ok(id)
    }

    pub(super) fn task_in(&self, tx: &Connection, id: i64) -> Result<Task, StoreError> {
        tx.query_row(
            &format!("{TASK_SELECT} WHERE t.workspace_id = ?1 AND t.id = ?2"),
            params![self.workspace_id, id],
            task_from_row,
        )
        .optional()?
        .ok_or(StoreError::NotFound {
            what: "task",
            key: id.to_string(),
        })
    }
}

/// Opens the database file at `path`, configured and migrated; errors say what to do.
/// Processes opening a new file together can find it locked while one of them
/// switches it to WAL (SQLite answers that without waiting): they try again.
pub(super) fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let conn = Connection::open(path).map_err(|e| unusable(path, &e))?;
        match connect(conn) {
            Ok(conn) => return Ok(conn),
            Err(StoreError::Storage(e))
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(StoreError::Storage(e)) => return Err(unusable(path, &e)),
            Err(other) => return Err(other),
        }
    }
}

/// Configures a connection (WAL, foreign keys, a busy timeout) and migrates its schema.
pub(super) fn connect(mut conn: Connection) -> Result<Connection, StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn unusable(path: &Path, e: &rusqlite::Error) -> StoreError {
    let advice = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            "it is not a Maestro database or it is damaged; move it aside (nothing was changed) or point --home elsewhere"
        }
        Some(
            rusqlite::ErrorCode::ReadOnly
            | rusqlite::ErrorCode::CannotOpen
            | rusqlite::ErrorCode::PermissionDenied,
        ) => {
            "the directory or file is not writable; fix its permissions or choose another with --home / MAESTRO_HOME"
        }
        _ => "check the file and its directory, or choose another home with --home / MAESTRO_HOME",
    };
    StoreError::Unusable(format!(
        "cannot use the database {}: {e}; {advice}",
        path.display()
    ))
}

/// Brings the schema up to date. The version is read inside a write
/// transaction, so processes opening a new file together migrate it once.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: usize = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > MIGRATIONS.len() {
        return Err(StoreError::Unusable(format!(
            "the database has schema version {version}, newer than this maestro knows ({}); upgrade maestro",
            MIGRATIONS.len()
        )));
    }
    for sql in &MIGRATIONS[version..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len())?;
    tx.commit()?;
    Ok(())
}

pub(super) fn tags_json(tags: &[String]) -> String {
    let mut clean: Vec<String> = tags
        .iter()
        .map(|t| t.trim().trim_start_matches('#').to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    clean.dedup();
    serde_json::to_string(&clean).unwrap_or_else(|_| "[]".into())
}

pub(super) fn parse_time(s: Option<String>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn task_from_row(r: &Row<'_>) -> rusqlite::Result<Task> {
    let text = |i: usize| r.get::<_, String>(i);
    let bad = |i: usize, e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    };
    Ok(Task {
        id: r.get(0)?,
        title: text(1)?,
        description: r.get(2)?,
        project: r.get(3)?,
        assignee: r.get(4)?,
        status: text(5)?.parse().map_err(|e| bad(5, e))?,
        priority: text(6)?.parse().map_err(|e| bad(6, e))?,
        due: r
            .get::<_, Option<String>>(7)?
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        estimate_hours: r.get(8)?,
        tags: serde_json::from_str(&text(9)?).unwrap_or_default(),
        created_at: parse_time(Some(text(10)?)).ok_or_else(|| bad(10, "bad created_at".into()))?,
        updated_at: parse_time(Some(text(11)?)).ok_or_else(|| bad(11, "bad updated_at".into()))?,
        completed_at: parse_time(r.get(12)?),
        actual_hours: r.get(13)?,
    })
}

fn person_from_row(r: &Row<'_>) -> rusqlite::Result<Person> {
    Ok(Person {
        name: r.get(0)?,
        email: r.get(1)?,
        slack_id: r.get(2)?,
        skills: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
        capacity: r.get(4)?,
        timezone: r.get(5)?,
    })
}

impl Store for SqliteStore {
    fn workspace(&self) -> &str {
        &self.workspace
    }

    fn add_person(&self, person: NewPerson) -> Result<Person, StoreError> {
        self.write(|tx| self.insert_person(tx, person))
    }

    fn add_people(&self, people: Vec<NewPerson>) -> Result<Vec<Person>, StoreError> {
        self.write(|tx| {
            people
                .into_iter()
                .map(|p| self.insert_person(tx, p))
                .collect()
        })
    }

    fn merge_people(&self, people: Vec<NewPerson>) -> Result<MergedPeople, StoreError> {
        self.write(|tx| {
            let mut merged = MergedPeople::default();
            for step in merge::plan(self.people_in(tx)?, people)? {
                match step {
                    Merge::Add(p) => merged.added.push(self.insert_person(tx, p)?),
                    Merge::Update(p) => {
                        tx.execute(
                            "UPDATE people SET email = ?3, slack_id = ?4, skills = ?5, capacity = ?6,
                                 timezone = ?7
                             WHERE workspace_id = ?1 AND lower(name) = lower(?2)",
                            params![
                                self.workspace_id,
                                p.name,
                                p.email,
                                p.slack_id,
                                serde_json::to_string(&p.skills).unwrap_or_default(),
                                p.capacity,
                                p.timezone
                            ],
                        )?;
                        merged.updated.push(p);
                    }
                    Merge::Same => merged.unchanged += 1,
                }
            }
            Ok(merged)
        })
    }

    fn list_people(&self) -> Result<Vec<Person>, StoreError> {
        self.people_in(&self.conn())
    }

    fn list_projects(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT name FROM projects WHERE workspace_id = ?1 ORDER BY lower(name)",
        )?;
        Ok(stmt
            .query_map([self.workspace_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?)
    }

    fn create_task(&self, task: NewTask, now: DateTime<Utc>) -> Result<Task, StoreError> {
        self.write(|tx| {
            let id = self.insert_task(tx, task, now)?;
            self.task_in(tx, id)
        })
    }

    fn create_tasks(
        &self,
        tasks: Vec<NewTask>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Task>, StoreError> {
        self.write(|tx| {
            let ids = tasks
                .into_iter()
                .enumerate()
                .map(|(i, t)| {
                    self.insert_task(tx, t, now)
                        .map_err(|e| StoreError::Conflict(format!("task {}: {e}", i + 1)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            ids.into_iter().map(|id| self.task_in(tx, id)).collect()
        })
    }

    fn get_task(&self, id: i64) -> Result<Task, StoreError> {
        self.task_in(&self.conn(), id)
    }

    fn update_task(
        &self,
        id: i64,
        patch: TaskPatch,
        now: DateTime<Utc>,
    ) -> Result<Task, StoreError> {
        self.write(|tx| {
            let before = self.task_in(tx, id)?;
            let project = patch.project.as_deref().map(|p| self.project_id(tx, p)).transpose()?;
            let assignee = patch.assignee.as_deref().map(|p| self.person_id(tx, p)).transpose()?;
            if let Some(title) = &patch.title
                && title.trim().is_empty()
            {
                return Err(StoreError::Conflict("a task's title cannot be empty".into()));
            }
            let completed_at = match patch.status {
                Some(Status::Done) if before.status != Status::Done => Some(Some(now.to_rfc3339())),
                Some(Status::Todo | Status::InProgress) => Some(None),
                _ => None,
            };
            tx.execute(
                "UPDATE tasks SET
                    title = coalesce(?3, title), description = coalesce(?4, description),
                    project_id = coalesce(?5, project_id), assignee_id = coalesce(?6, assignee_id),
                    status = coalesce(?7, status), priority = coalesce(?8, priority), due = coalesce(?9, due),
                    estimate_hours = coalesce(?10, estimate_hours), tags = coalesce(?11, tags),
                    completed_at = CASE WHEN ?12 THEN ?13 ELSE completed_at END, updated_at = ?14
                 WHERE workspace_id = ?1 AND id = ?2",
                params![
                    self.workspace_id,
                    id,
                    patch.title.as_deref().map(str::trim),
                    patch.description,
                    project,
                    assignee,
                    patch.status.map(Status::as_str),
                    patch.priority.map(Priority::as_str),
                    patch.due.map(|d| d.to_string()),
                    patch.estimate_hours,
                    patch.tags.as_deref().map(tags_json),
                    completed_at.is_some(),
                    completed_at.flatten(),
                    now.to_rfc3339(),
                ],
            )?;
            self.task_in(tx, id)
        })
    }

    fn delete_task(&self, id: i64) -> Result<Task, StoreError> {
        self.write(|tx| {
            let task = self.task_in(tx, id)?;
            tx.execute(
                "DELETE FROM tasks WHERE workspace_id = ?1 AND id = ?2",
                params![self.workspace_id, id],
            )?;
            Ok(task)
        })
    }

    fn list_tasks(&self, f: &TaskFilter) -> Result<Vec<Task>, StoreError> {
        // Only the filters given become conditions (`$` is the next parameter),
        // so SQLite can use the assignee and project indexes.
        let mut conds = vec!["t.workspace_id = ?1".to_string()];
        let mut values: Vec<SqlValue> = vec![self.workspace_id.into()];
        let mut cond = |sql: &str, value: SqlValue| {
            values.push(value);
            conds.push(sql.replace('$', &format!("?{}", values.len())));
        };
        match f.status {
            None | Some(StatusFilter::All) => {}
            Some(StatusFilter::Open) => cond("t.status <> $", "done".to_string().into()),
            Some(StatusFilter::Todo) => cond("t.status = $", "todo".to_string().into()),
            Some(StatusFilter::InProgress) => {
                cond("t.status = $", "in_progress".to_string().into())
            }
            Some(StatusFilter::Done) => cond("t.status = $", "done".to_string().into()),
        }
        if let Some(name) = &f.assignee {
            cond(
                "t.assignee_id = (SELECT id FROM people WHERE workspace_id = ?1 AND lower(name) = lower($))",
                name.clone().into(),
            );
        }
        if let Some(name) = &f.project {
            cond(
                "t.project_id = (SELECT id FROM projects WHERE workspace_id = ?1 AND lower(name) = lower($))",
                name.clone().into(),
            );
        }
        if let Some(p) = f.priority {
            cond("t.priority = $", p.as_str().to_string().into());
        }
        if let Some(tag) = &f.tag {
            cond(
                "EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value = lower($))",
                tag.trim_start_matches('#').to_string().into(),
            );
        }
        if let Some(d) = f.due_before {
            cond("t.due IS NOT NULL AND t.due <= $", d.to_string().into());
        }
        if let Some(d) = f.overdue_on {
            cond(
                "t.status <> 'done' AND t.due IS NOT NULL AND t.due < $",
                d.to_string().into(),
            );
        }
        values.push(f.limit.map_or(-1, |l| l as i64).into());
        let sql = format!(
            "{TASK_SELECT} WHERE {}
             ORDER BY t.due IS NULL, t.due,
               CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, t.id
             LIMIT ?{}",
            conds.join(" AND "),
            values.len()
        );
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(values), task_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn record(&self, r: &AuditRecord) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO audit_log (workspace_id, at, actor, tool, arguments, status, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![self.workspace_id, r.at.to_rfc3339(), r.actor, r.tool, r.arguments.to_string(), r.status, r.result.to_string()],
        )?;
        Ok(())
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT at, actor, tool, arguments, status, result FROM audit_log WHERE workspace_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![self.workspace_id, limit as i64], |r| {
            Ok(AuditRecord {
                at: parse_time(Some(r.get(0)?)).unwrap_or_default(),
                actor: r.get(1)?,
                tool: r.get(2)?,
                arguments: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or(Value::Null),
                status: r.get(4)?,
                result: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or(Value::Null),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn record_usage(&self, u: &UsageRecord) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO llm_usage (workspace_id, at, session, model, prompt_tokens, completion_tokens, requests, cost_usd)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![self.workspace_id, u.at.to_rfc3339(), u.session, u.model, u.prompt_tokens, u.completion_tokens, u.requests, u.cost_usd],
        )?;
        Ok(())
    }

    fn usage(&self, limit: usize) -> Result<Vec<UsageRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT at, session, model, prompt_tokens, completion_tokens, requests, cost_usd
             FROM llm_usage WHERE workspace_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![self.workspace_id, limit as i64], |r| {
            Ok(UsageRecord {
                at: super::assets::time(0, r.get(0)?)?,
                session: r.get(1)?,
                model: r.get(2)?,
                prompt_tokens: r.get(3)?,
                completion_tokens: r.get(4)?,
                requests: r.get(5)?,
                cost_usd: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn load_session(&self, id: &str) -> Result<Option<Value>, StoreError> {
        let state: Option<String> = self
            .conn()
            .query_row(
                "SELECT state FROM sessions WHERE workspace_id = ?1 AND id = ?2",
                params![self.workspace_id, id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(state.and_then(|s| serde_json::from_str(&s).ok()))
    }

    fn save_session(&self, id: &str, state: &Value, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO sessions (workspace_id, id, state, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (workspace_id, id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            params![self.workspace_id, id, state.to_string(), now.to_rfc3339()],
        )?;
        Ok(())
    }

    fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "DELETE FROM sessions WHERE workspace_id = ?1 AND id = ?2",
            params![self.workspace_id, id],
        )?;
        Ok(())
    }

    fn settings(&self) -> Result<BTreeMap<String, String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT key, value FROM settings WHERE workspace_id = ?1")?;
        let rows = stmt.query_map(params![self.workspace_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO settings (workspace_id, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (workspace_id, key) DO UPDATE SET value = excluded.value",
            params![self.workspace_id, key, value],
        )?;
        Ok(())
    }

    fn stamp(&self) -> Result<StoreStamp, StoreError> {
        Ok(self.conn().query_row(
            "SELECT (SELECT id FROM installation), generation FROM workspaces WHERE id = ?1",
            [self.workspace_id],
            |r| {
                Ok(StoreStamp {
                    installation: r.get(0)?,
                    changes: r.get(1)?,
                })
            },
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file from before task numbers were per workspace keeps every task
    /// and number; each workspace then counts on from its own highest.
    #[test]
    fn upgrading_keeps_task_numbers_and_counts_on_per_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("maestro.db");
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..6] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 6).unwrap();
            conn.execute_batch(
                "INSERT INTO workspaces (id, name) VALUES (1, 'default'), (2, 'other');
                 INSERT INTO tasks (id, workspace_id, title, status, priority, created_at, updated_at)
                 VALUES (1, 1, 'one', 'todo', 'low', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'), (2, 2, 'two', 'todo', 'low', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'),
                        (3, 1, 'three', 'todo', 'low', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00');",
            )
            .unwrap();
        }
        let default = SqliteStore::open(&path, "default").unwrap();
        let other = SqliteStore::open(&path, "other").unwrap();
        assert_eq!(default.get_task(3).unwrap().title, "three");
        assert_eq!(other.get_task(2).unwrap().title, "two");
        let new = |s: &SqliteStore| {
            s.create_task(
                NewTask {
                    title: "new".into(),
                    ..NewTask::default()
                },
                Utc::now(),
            )
            .unwrap()
            .id
        };
        assert_eq!((new(&default), new(&other)), (4, 3));
        assert_eq!(default.stamp().unwrap().installation.len(), 32);
    }
}
