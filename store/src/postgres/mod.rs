//! The shared store: PostgreSQL, for teams that run several servers.
//!
//! It keeps the SQLite store's schema and behaviour. The differences in
//! dialect live in one place, [`MIGRATIONS`]: entry *i* there is SQLite's
//! migration *i* written for PostgreSQL, and a `maestro_schema` table counts
//! how many ran (SQLite uses `PRAGMA user_version`). Timestamps, dates and
//! JSON stay text, as in SQLite, so that values round-trip exactly.
//!
//! Concurrency: writers in several processes are serialised where SQLite's
//! single writer would have serialised them: a task's row is locked
//! (`SELECT … FOR UPDATE`) before it is changed or deleted, task numbers come
//! from a per-workspace counter row, and dataset and model versions are
//! allocated under a transaction-scoped advisory lock on their name.

mod assets;
mod copy;
mod directory;
mod notify;
mod pool;
mod schedule;
mod work;

use std::future::Future;
use std::sync::Arc;

use maestro_blocking::{Bridge, Stopped};
use tokio_postgres::error::SqlState;

use super::StoreError;
pub use copy::CopiedWorkspace;
pub use directory::PgDirectory;
use pool::Pool;

/// Schema changes in PostgreSQL's dialect, one per SQLite migration, in the same order.
pub(super) const MIGRATIONS: &[&str] = &[
    "CREATE TABLE workspaces (
         id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE,
         last_task_id BIGINT NOT NULL DEFAULT 0);
     CREATE TABLE people (
         id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
         name TEXT NOT NULL, email TEXT, slack_id TEXT, skills TEXT NOT NULL DEFAULT '[]',
         capacity DOUBLE PRECISION NOT NULL DEFAULT 40);
     CREATE UNIQUE INDEX people_name ON people (workspace_id, lower(name));
     CREATE TABLE projects (
         id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL);
     CREATE UNIQUE INDEX projects_name ON projects (workspace_id, lower(name));
     CREATE TABLE tasks (
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id), id BIGINT NOT NULL,
         title TEXT NOT NULL, description TEXT,
         project_id BIGINT REFERENCES projects(id), assignee_id BIGINT REFERENCES people(id),
         status TEXT NOT NULL, priority TEXT NOT NULL, due TEXT, estimate_hours DOUBLE PRECISION,
         tags TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
         completed_at TEXT, actual_hours DOUBLE PRECISION, PRIMARY KEY (workspace_id, id));
     CREATE INDEX tasks_workspace ON tasks (workspace_id, status);
     CREATE TABLE audit_log (
         id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
         at TEXT NOT NULL, actor TEXT, tool TEXT NOT NULL, arguments TEXT NOT NULL,
         status TEXT NOT NULL, result TEXT NOT NULL);
     CREATE TABLE sessions (
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id), id TEXT NOT NULL,
         state TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (workspace_id, id));",
    "CREATE INDEX tasks_assignee ON tasks (workspace_id, assignee_id);
     CREATE INDEX tasks_project ON tasks (workspace_id, project_id);",
    "CREATE TABLE datasets (
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL,
         version BIGINT NOT NULL, path TEXT NOT NULL, description TEXT NOT NULL,
         rows BIGINT NOT NULL, columns BIGINT NOT NULL, hash TEXT NOT NULL,
         profile TEXT NOT NULL, created_at TEXT NOT NULL,
         PRIMARY KEY (workspace_id, name, version));
     CREATE TABLE models (
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL,
         version BIGINT NOT NULL, dataset TEXT NOT NULL, dataset_version BIGINT NOT NULL,
         target TEXT NOT NULL, task TEXT NOT NULL, metric TEXT NOT NULL,
         cv_score DOUBLE PRECISION NOT NULL, cv_std DOUBLE PRECISION NOT NULL,
         stage TEXT NOT NULL, family TEXT NOT NULL, details TEXT NOT NULL,
         artifact TEXT NOT NULL, created_at TEXT NOT NULL,
         PRIMARY KEY (workspace_id, name, version));",
    "CREATE TABLE llm_usage (
         id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
         at TEXT NOT NULL, session TEXT NOT NULL, model TEXT NOT NULL,
         prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
         requests BIGINT NOT NULL, cost_usd DOUBLE PRECISION);",
    "ALTER TABLE workspaces ADD COLUMN slack_team TEXT;
     CREATE UNIQUE INDEX workspaces_slack_team ON workspaces (slack_team) WHERE slack_team IS NOT NULL;
     CREATE TABLE tokens (
         id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
         name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, scope TEXT NOT NULL,
         created_at TEXT NOT NULL, revoked_at TEXT);
     CREATE UNIQUE INDEX tokens_live_name ON tokens (workspace_id, lower(name)) WHERE revoked_at IS NULL;",
    "CREATE TABLE settings (
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id), key TEXT NOT NULL,
         value TEXT NOT NULL, PRIMARY KEY (workspace_id, key));",
    // Task numbers were per workspace here from the start.
    "ALTER TABLE workspaces ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
     CREATE FUNCTION maestro_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
         IF TG_OP = 'DELETE' THEN
             UPDATE workspaces SET generation = generation + 1 WHERE id = OLD.workspace_id;
         ELSE
             UPDATE workspaces SET generation = generation + 1 WHERE id = NEW.workspace_id;
         END IF;
         RETURN NULL;
     END $$;
     CREATE TRIGGER tasks_changes AFTER INSERT OR UPDATE OR DELETE ON tasks
         FOR EACH ROW EXECUTE FUNCTION maestro_count_change();
     CREATE TRIGGER people_changes AFTER INSERT OR UPDATE OR DELETE ON people
         FOR EACH ROW EXECUTE FUNCTION maestro_count_change();
     CREATE TRIGGER datasets_changes AFTER INSERT OR UPDATE OR DELETE ON datasets
         FOR EACH ROW EXECUTE FUNCTION maestro_count_change();
     CREATE TRIGGER models_changes AFTER INSERT OR UPDATE OR DELETE ON models
         FOR EACH ROW EXECUTE FUNCTION maestro_count_change();
     CREATE TABLE deliveries (key TEXT PRIMARY KEY, at BIGINT NOT NULL);
     CREATE INDEX deliveries_at ON deliveries (at);
     CREATE TABLE installation (id TEXT NOT NULL);
     INSERT INTO installation (id) VALUES (md5(random()::text || clock_timestamp()::text));",
    "CREATE TABLE recurring (
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id), id BIGINT NOT NULL,
         spec TEXT NOT NULL, active BOOLEAN NOT NULL, created_at TEXT NOT NULL,
         updated_at TEXT NOT NULL, PRIMARY KEY (workspace_id, id));
     CREATE TABLE claims (
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id), key TEXT NOT NULL,
         at TEXT NOT NULL, task_id BIGINT, PRIMARY KEY (workspace_id, key));",
    "ALTER TABLE people ADD COLUMN timezone TEXT;
     CREATE TABLE reminders (
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id), id BIGINT NOT NULL,
         person TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL, timezone TEXT NOT NULL,
         created_by TEXT, state TEXT NOT NULL, created_at TEXT NOT NULL,
         PRIMARY KEY (workspace_id, id));
     CREATE TABLE outbox (
         workspace_id BIGINT NOT NULL REFERENCES workspaces(id), id BIGINT NOT NULL,
         key TEXT NOT NULL, person TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
         body TEXT NOT NULL, created_at TEXT NOT NULL, state TEXT NOT NULL, channel TEXT,
         error TEXT, PRIMARY KEY (workspace_id, id), UNIQUE (workspace_id, key));",
];

/// Advisory-lock key under which migrations run, so that servers starting
/// together migrate once.
const MIGRATION_LOCK: i64 = 0x006d_6165_7374_726f; // "maestro"

/// The PostgreSQL store, scoped to one workspace.
pub struct PgStore {
    bridge: Bridge,
    shared: Arc<Shared>,
    workspace: String,
}

/// What every call needs, owned by the futures that run on the bridge.
struct Shared {
    pool: Arc<Pool>,
    workspace_id: i64,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host/db`),
    /// migrates it when needed and scopes the store to `workspace` (created on first use).
    pub fn connect(url: &str, workspace: &str) -> Result<Self, StoreError> {
        let bridge = start_bridge()?;
        let pool = Pool::new(url)?;
        let setup = {
            let pool = Arc::clone(&pool);
            let workspace = workspace.to_string();
            async move {
                let mut conn = pool.get().await?;
                migrate(&mut conn).await?;
                conn.execute(
                    "INSERT INTO workspaces (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                    &[&workspace],
                )
                .await
                .map_err(db)?;
                let row = conn
                    .query_one("SELECT id FROM workspaces WHERE name = $1", &[&workspace])
                    .await
                    .map_err(db)?;
                row.try_get(0).map_err(db)
            }
        };
        let workspace_id = bridge.run(setup).map_err(stopped)??;
        Ok(Self {
            bridge,
            shared: Arc::new(Shared { pool, workspace_id }),
            workspace: workspace.to_string(),
        })
    }

    /// Runs `work` with the shared state on the store's runtime.
    fn run<T, F, Fut>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Shared>) -> Fut,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        self.bridge
            .run(work(Arc::clone(&self.shared)))
            .map_err(stopped)?
    }
}

/// The runtime that PostgreSQL calls run on, for the store and the directory.
fn start_bridge() -> Result<Bridge, StoreError> {
    Bridge::new("maestro-postgres")
        .map_err(|e| StoreError::Unusable(format!("cannot start the PostgreSQL client: {e}")))
}

/// A call whose runtime went away.
fn stopped(_: Stopped) -> StoreError {
    StoreError::Unusable("the PostgreSQL client stopped in the middle of a call".into())
}

async fn migrate(conn: &mut tokio_postgres::Client) -> Result<(), StoreError> {
    let tx = conn.transaction().await.map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS maestro_schema (version INTEGER NOT NULL)")
        .await
        .map_err(db)?;
    let version: i32 = match tx
        .query_opt("SELECT version FROM maestro_schema", &[])
        .await
        .map_err(db)?
    {
        Some(row) => row.try_get(0).map_err(db)?,
        None => {
            tx.execute("INSERT INTO maestro_schema (version) VALUES (0)", &[])
                .await
                .map_err(db)?;
            0
        }
    };
    let known = MIGRATIONS.len();
    if version as usize > known {
        return Err(StoreError::Unusable(format!(
            "the database has schema version {version}, newer than this maestro knows ({known}); upgrade maestro"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql).await.map_err(db)?;
        tx.execute("UPDATE maestro_schema SET version = $1", &[&(i as i32 + 1)])
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

/// For test suites: the PostgreSQL server to test against,
/// `MAESTRO_TEST_DATABASE_URL` (`scripts/postgres.sh` starts one and sets it).
/// Without it, `None` after saying on stderr that `test` was skipped, unless
/// `MAESTRO_REQUIRE_POSTGRES` is set (the test command sets it): then the
/// test fails, so that a missing server never passes for a green run.
pub fn test_database_url(test: &str) -> Option<String> {
    use std::io::Write;
    match std::env::var("MAESTRO_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("MAESTRO_REQUIRE_POSTGRES").is_some() => panic!(
            "MAESTRO_REQUIRE_POSTGRES is set but MAESTRO_TEST_DATABASE_URL is not: run the tests through scripts/postgres.sh"
        ),
        _ => {
            // Straight to stderr: the test harness captures `eprintln!`.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test} on PostgreSQL: MAESTRO_TEST_DATABASE_URL is not set (`scripts/postgres.sh cargo test …` runs it)"
            );
            None
        }
    }
}

/// A PostgreSQL error as a store error: broken rules are conflicts.
fn db(e: tokio_postgres::Error) -> StoreError {
    match e.code() {
        Some(code) if *code == SqlState::UNIQUE_VIOLATION => StoreError::Conflict(format!(
            "that already exists ({}); use another name or try again",
            e.as_db_error().map_or("", |d| d.message())
        )),
        Some(code) if *code == SqlState::FOREIGN_KEY_VIOLATION => StoreError::Conflict(format!(
            "that refers to something that does not exist ({})",
            e.as_db_error().map_or("", |d| d.message())
        )),
        _ => StoreError::Postgres(e),
    }
}

/// Takes a lock, held until the transaction ends, on one name of one kind
/// in one workspace (dataset or model versions are allocated under it).
async fn lock_name(
    tx: &tokio_postgres::Transaction<'_>,
    workspace_id: i64,
    kind: &str,
    name: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, $2))",
        &[&format!("{kind}:{}", name.to_lowercase()), &workspace_id],
    )
    .await
    .map_err(db)?;
    Ok(())
}
