//! [`Platform`]: the store, the catalog, the clock and the tools, wired together.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use maestro_catalog::{Catalog, CatalogError, Entry};
use serde_json::{Value, json};

mod backends;
mod files;
mod mirror;
mod queries;
mod reindex;
mod scheduler;
pub mod settings;

pub use backends::Backends;
pub use files::FileAccess;
pub use queries::{Project, Query};
pub use reindex::Reindexed;

use crate::clock::Clock;
use crate::insight::{Insight, InsightError, Member, WorkItem};
use crate::store::{
    AuditRecord, Dataset, ModelRecord, SqliteStore, Store, StoreError, UsageRecord,
    check_workspace_name,
};
use crate::tool::{Context, Effect, Hooks, Registry, Tool, ToolError, ToolOutput, YES_OR_NO};
use maestro_store::{Person, Task};

/// The platform could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// The home directory cannot be created or used.
    #[error(
        "cannot use {path} as Maestro's home: {reason}; choose another with --home or MAESTRO_HOME"
    )]
    Home {
        /// The directory.
        path: String,
        /// Why not.
        reason: String,
    },
    /// The store failed to open.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The catalog failed to open.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// A new catalog could not be filled from the store.
    #[error("cannot fill the workspace's new catalog: {0}")]
    Reindex(String),
    /// The catalog belongs to another installation (the message says what to do).
    #[error("{0}")]
    Foreign(String),
}

/// The platform: state, catalog, clock and tools. Shared by every front end.
pub struct Platform {
    store: Box<dyn Store>,
    catalog: Mutex<Catalog>,
    clock: Clock,
    registry: Registry,
    /// The work-intelligence models with the history size and the team they
    /// were trained on.
    insight: Mutex<Option<(usize, String, Arc<Insight>)>>,
    /// Which files the tools may read on behalf of this platform's callers.
    files: RwLock<FileAccess>,
    /// Told of every change made through [`Platform::call`].
    watchers: RwLock<Vec<Watcher>>,
}

/// A change made through [`Platform::call`]: the tool and the data it answered
/// (a task, a list of tasks, a person…).
pub struct Change<'a> {
    /// The tool that changed something.
    pub tool: &'a str,
    /// What it answered.
    pub data: &'a Value,
}

/// Hears of changes ([`Platform::watch`]); called on the changing thread, so
/// it should hand any slow work elsewhere.
pub type Watcher = Arc<dyn Fn(&Change<'_>) + Send + Sync>;

impl Platform {
    /// Opens the embedded platform in `home` (`maestro.db` and `catalog-WORKSPACE.db`), for `workspace`.
    pub fn open(home: &Path, workspace: &str, clock: Clock) -> Result<Self, PlatformError> {
        Self::prepare_home(home)?;
        check_workspace_name(workspace)?;
        let store = SqliteStore::open(&home.join("maestro.db"), workspace)?;
        Self::with_store(
            home,
            workspace,
            Box::new(store),
            clock,
            &Backends::default(),
        )
    }

    /// Opens the platform for `workspace` on the chosen backends; with none
    /// chosen, exactly [`Platform::open`].
    pub fn connect(
        home: &Path,
        workspace: &str,
        clock: Clock,
        backends: &Backends,
    ) -> Result<Self, PlatformError> {
        if *backends == Backends::default() {
            return Self::open(home, workspace, clock);
        }
        Self::prepare_home(home)?;
        check_workspace_name(workspace)?;
        let store = backends.store(home, workspace)?;
        Self::with_store(home, workspace, store, clock, backends)
    }

    /// A platform over `store` with the workspace's own catalog (its file in
    /// `home`, or its Qdrant collection), brought in step with the store
    /// ([`Platform::reconcile`]: filled when new, rebuilt when behind).
    pub(crate) fn with_store(
        home: &Path,
        workspace: &str,
        store: Box<dyn Store>,
        clock: Clock,
        backends: &Backends,
    ) -> Result<Self, PlatformError> {
        let stamp = store.stamp()?;
        let (catalog, location) = backends.catalog(home, workspace, &stamp.installation)?;
        let platform = Self::with_parts(store, catalog, clock)?;
        platform.reconcile(&location, stamp)?;
        Ok(platform)
    }

    /// Creates the home directory when needed and checks it is one.
    pub(crate) fn prepare_home(home: &Path) -> Result<(), PlatformError> {
        let home_error = |reason: String| PlatformError::Home {
            path: home.display().to_string(),
            reason,
        };
        std::fs::create_dir_all(home).map_err(|e| home_error(e.to_string()))?;
        if !home.is_dir() {
            return Err(home_error("it is not a directory".into()));
        }
        Ok(())
    }

    /// A platform that lives in memory (tests, examples, evaluation).
    pub fn in_memory(clock: Clock) -> Result<Self, PlatformError> {
        Self::with_parts(
            Box::new(SqliteStore::in_memory("default")?),
            Catalog::in_memory(),
            clock,
        )
    }

    /// A platform from a store and a catalog; indexes the tools when their text changed.
    pub fn with_parts(
        store: Box<dyn Store>,
        catalog: Catalog,
        clock: Clock,
    ) -> Result<Self, PlatformError> {
        let platform = Self {
            store,
            catalog: Mutex::new(catalog),
            clock,
            registry: crate::every_tool(),
            insight: Mutex::new(None),
            files: RwLock::new(FileAccess::Any),
            watchers: RwLock::new(Vec::new()),
        };
        platform.catalog().refresh(platform.tool_entries())?;
        Ok(platform)
    }

    /// Adds tools from elsewhere (another MCP server's) to the registry and
    /// the catalog, so that the language-model planner and tool search find
    /// them; a tool of the same name is replaced.
    pub fn add_tools(&mut self, tools: Vec<Arc<dyn Tool>>) -> Result<(), CatalogError> {
        for tool in tools {
            self.registry.register_shared(tool);
        }
        let entries = self.tool_entries();
        self.catalog().refresh(entries)
    }

    /// The catalog entries of the tools.
    pub(crate) fn tool_entries(&self) -> Vec<Entry> {
        self.registry
            .iter()
            .map(|t| {
                let text = format!(
                    "{}: {} {}",
                    t.name().replace('_', " "),
                    t.description(),
                    t.examples().join(". ")
                );
                Entry::new(format!("tool:{}", t.name()), "tool", text)
                    .with_payload(json!({"name": t.name(), "effect": t.effect()}))
            })
            .collect()
    }

    /// The work-intelligence models for `items` (in creation order) and
    /// `team`; trained on first use and again when the history has grown by a
    /// tenth (at least 10 tasks), shrunk, or the team changed.
    pub fn insight(
        &self,
        items: &[WorkItem],
        team: &[Member],
    ) -> Result<Arc<Insight>, InsightError> {
        let history = items.iter().filter(|i| i.is_history()).count();
        let people: String = team
            .iter()
            .map(|m| {
                format!(
                    "{}|{}|{}\n",
                    m.name.to_lowercase(),
                    m.capacity,
                    m.skills.join(",")
                )
            })
            .collect();
        let mut cache = self.insight.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((n, known, models)) = cache.as_ref()
            && *known == people
            && history >= *n
            && history < n + (n / 10).max(10)
        {
            return Ok(Arc::clone(models));
        }
        let models = Arc::new(Insight::train(items, team)?);
        *cache = Some((history, people, Arc::clone(&models)));
        Ok(models)
    }

    /// Reads on behalf of `actor` (a person's name, or none), each recorded in
    /// the audit log: what was asked and how much was answered, not the data.
    pub fn query<'a>(&'a self, actor: Option<&'a str>) -> Query<'a> {
        Query::new(self, actor, true)
    }

    /// The same reads on behalf of `actor` to understand a request or complete
    /// a word (names, references, columns): nothing is shown to anyone, so
    /// nothing is recorded. Tools use it too: their call is recorded already.
    pub fn lookup<'a>(&'a self, actor: Option<&'a str>) -> Query<'a> {
        Query::new(self, actor, false)
    }

    /// The workspace's name.
    pub fn workspace(&self) -> &str {
        self.store.workspace()
    }

    /// Forgets conversation `id` (a turn on its own that needed a session
    /// only while it waited for a yes).
    pub fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        self.store.delete_session(id)
    }

    /// Conversation `id`'s saved state, if any.
    pub fn load_session(&self, id: &str) -> Result<Option<Value>, StoreError> {
        self.store.load_session(id)
    }

    /// Saves conversation `id`'s state as of `now`.
    pub fn save_session(
        &self,
        id: &str,
        state: &Value,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        self.store.save_session(id, state, now)
    }

    /// Records the tokens a language-model turn used.
    pub fn record_usage(&self, usage: &UsageRecord) -> Result<(), StoreError> {
        self.store.record_usage(usage)
    }

    /// The id of the installation the store belongs to (it names Qdrant collections).
    pub fn installation(&self) -> Result<String, StoreError> {
        Ok(self.store.stamp()?.installation)
    }

    /// Fails when the store cannot be read (health checks).
    pub fn check_store(&self) -> Result<(), StoreError> {
        self.store.stamp().map(drop)
    }

    /// The store (front ends read through [`Platform::query`]).
    pub(crate) fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The catalog (locked while the guard lives).
    pub fn catalog(&self) -> MutexGuard<'_, Catalog> {
        self.catalog
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Limits which files the tools may read from now on (a server sets it
    /// for remote callers; local callers keep [`FileAccess::Any`]).
    pub fn restrict_files(&self, access: FileAccess) {
        *self.files.write().unwrap_or_else(|p| p.into_inner()) = access;
    }

    /// `path` made absolute and, when files are restricted, canonical and
    /// inside an allowed root; otherwise an error that says what to do.
    pub fn readable_path(&self, path: &Path) -> Result<PathBuf, String> {
        let access = self.files.read().unwrap_or_else(|p| p.into_inner());
        access.check(path)
    }

    /// The clock.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// The tools.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Runs tool `name` as `actor` and records it in the audit log.
    ///
    /// The audit record is written after the action; if writing it fails the
    /// action's result is still returned (it already happened).
    pub fn call(
        &self,
        actor: Option<&str>,
        name: &str,
        args: Value,
    ) -> Result<ToolOutput, ToolError> {
        self.call_with(actor, name, args, Hooks::default())
    }

    /// Runs the read-only tool `name` without an audit record: for a view
    /// that refreshes on its own (an App Home), which is nobody's request.
    /// A tool that changes anything is refused.
    pub fn consult(&self, name: &str, args: Value) -> Result<ToolOutput, ToolError> {
        let tool = self
            .registry
            .get(name)
            .ok_or_else(|| ToolError::UnknownTool(name.to_string()))?;
        if tool.effect() != Effect::Read {
            return Err(ToolError::invalid(
                name,
                "effect",
                "only a read-only tool can be consulted; call it instead",
            ));
        }
        let ctx = Context {
            platform: self,
            actor: None,
            now: self.clock.now(),
            hooks: Hooks::default(),
        };
        tool.call(&ctx, args)
    }

    /// The question to ask before `name` runs with `args`, when it needs a
    /// yes beyond its effect (see [`Tool::confirmation`]).
    pub fn confirmation(&self, actor: Option<&str>, name: &str, args: &Value) -> Option<String> {
        let tool = self.registry.get(name)?;
        let ctx = Context {
            platform: self,
            actor,
            now: self.clock.now(),
            hooks: Hooks::default(),
        };
        tool.confirmation(&ctx, args)
    }

    /// The question a person must answer yes to before `name` runs with
    /// `args`: the tool's own (a deletion naming what it removes, a bulk
    /// change), or for another destructive tool one naming the call. `None`
    /// when the call may simply run.
    pub fn approval_question(
        &self,
        actor: Option<&str>,
        name: &str,
        args: &Value,
    ) -> Option<String> {
        let tool = self.registry.get(name)?;
        let asked = self.confirmation(actor, name, args);
        if asked.is_some() || tool.effect() != Effect::Destructive {
            return asked;
        }
        Some(format!(
            "This will run {name} with {args}, which cannot be undone. Are you sure? {YES_OR_NO}"
        ))
    }

    /// Records in the audit log that a person approved `name` with `args`,
    /// and how (`by`, e.g. "the human over MCP (elicitation)"), before it runs.
    pub fn record_approval(&self, actor: Option<&str>, name: &str, args: &Value, by: &str) {
        let record = AuditRecord {
            at: self.clock.now(),
            actor: actor.map(str::to_string),
            tool: name.into(),
            arguments: args.clone(),
            status: "approved".into(),
            result: Value::String(format!("approved by {by}")),
        };
        // A lost approval record never blocks the approved action.
        let _ = self.store.record(&record);
    }

    /// [`Platform::call`] with progress reports and a cancel flag for long work.
    pub fn call_with(
        &self,
        actor: Option<&str>,
        name: &str,
        args: Value,
        hooks: Hooks<'_>,
    ) -> Result<ToolOutput, ToolError> {
        let tool = self
            .registry
            .get(name)
            .ok_or_else(|| ToolError::UnknownTool(name.to_string()))?;
        let now = self.clock.now();
        let started = std::time::Instant::now();
        let result = tool.call(
            &Context {
                platform: self,
                actor,
                now,
                hooks,
            },
            args.clone(),
        );
        // Changes are kept whole; for reads, what was answered, not the data read.
        let (status, recorded) = match &result {
            Ok(out) if tool.effect() == Effect::Read => ("ok", Value::String(out.summary.clone())),
            Ok(out) => ("ok", out.data.clone()),
            Err(e) => ("error", Value::String(e.to_string())),
        };
        let record = AuditRecord {
            at: now,
            actor: actor.map(str::to_string),
            tool: name.into(),
            arguments: args,
            status: status.into(),
            result: recorded,
        };
        tracing::info!(
            tool = name,
            effect = tool.effect().as_str(),
            status,
            ms = started.elapsed().as_millis() as u64,
            "tool ran"
        );
        let _ = self.store.record(&record);
        if let (Ok(out), false) = (&result, tool.effect() == Effect::Read) {
            // The change is made; a stamp left behind only means a rebuild at the next open.
            let _ = self.mark_in_step();
            let change = Change {
                tool: name,
                data: &out.data,
            };
            let watchers = self.watchers.read().unwrap_or_else(|p| p.into_inner());
            watchers.iter().for_each(|w| w(&change));
        }
        result
    }

    /// Tells `watcher` of every change made through [`Platform::call`] from now on.
    pub fn watch(&self, watcher: Watcher) {
        self.watchers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(watcher);
    }

    /// Puts tasks in the catalog (or refreshes them).
    pub fn index_tasks(&self, tasks: &[Task]) -> Result<(), CatalogError> {
        let entries = tasks
            .iter()
            .map(|t| {
                let text = [Some(t.title.as_str()), t.description.as_deref(), t.project.as_deref()]
                    .into_iter()
                    .flatten()
                    .chain(t.tags.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(" ");
                Entry::new(format!("task:{}", t.id), "task", text).with_payload(json!({
                    "id": t.id, "title": t.title, "status": t.status, "assignee": t.assignee, "project": t.project,
                }))
            })
            .collect();
        self.catalog().upsert(entries)?;
        let projects: Vec<Entry> = tasks
            .iter()
            .filter_map(|t| t.project.as_deref())
            .map(|p| {
                Entry::new(format!("project:{}", p.to_lowercase()), "project", p)
                    .with_payload(json!({"name": p}))
            })
            .collect();
        self.catalog().refresh(projects)
    }

    /// Puts a dataset in the catalog so requests can find it by what it holds.
    pub fn index_dataset(&self, d: &Dataset, columns: &[String]) -> Result<(), CatalogError> {
        let text = format!(
            "{} dataset data table {} columns {}",
            d.name.replace('_', " "),
            d.description,
            columns.join(" ").replace('_', " ")
        );
        self.catalog().upsert(vec![
            Entry::new(
                format!("dataset:{}", d.name.to_lowercase()),
                "dataset",
                text,
            )
            .with_payload(json!({"name": d.name, "columns": columns})),
        ])
    }

    /// Puts a model in the catalog (described by this version).
    pub fn index_model(&self, m: &ModelRecord) -> Result<(), CatalogError> {
        let text = format!(
            "{} model predicting {} trained on {} {}",
            m.name.replace('_', " "),
            m.target.replace('_', " "),
            m.dataset.replace('_', " "),
            m.task
        );
        self.catalog().upsert(vec![
            Entry::new(format!("model:{}", m.name.to_lowercase()), "model", text)
                .with_payload(json!({"name": m.name, "target": m.target, "dataset": m.dataset})),
        ])
    }

    /// Takes a task out of the catalog.
    pub fn unindex_task(&self, id: i64) -> Result<(), CatalogError> {
        self.catalog().remove(&[format!("task:{id}")])
    }

    /// Puts people in the catalog (or refreshes them).
    pub fn index_people(&self, people: &[Person]) -> Result<(), CatalogError> {
        let entries = people
            .iter()
            .map(|p| {
                let text = format!("{} {}", p.name, p.skills.join(" "));
                Entry::new(format!("person:{}", p.name.to_lowercase()), "person", text)
                    .with_payload(json!({"name": p.name}))
            })
            .collect();
        self.catalog().upsert(entries)
    }
}
