//! `maestro reindex`: the catalog rebuilt from the store and the tools, for
//! a new or damaged index (or after `maestro migrate`).

use maestro_catalog::Entry;
use serde::Serialize;

use crate::platform::Platform;
use crate::tool::ToolError;
use maestro_store::TaskFilter;

/// How many entries of each kind the rebuilt catalog holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reindexed {
    /// Tools.
    pub tools: usize,
    /// People.
    pub people: usize,
    /// Tasks.
    pub tasks: usize,
    /// Datasets (latest versions).
    pub datasets: usize,
    /// Model names.
    pub models: usize,
    /// Entries the catalog held before.
    pub before: usize,
}

impl Platform {
    /// Empties the catalog (every entry, stale ones included: the file, or
    /// the workspace's Qdrant collection) and fills it again from the store
    /// and the tools.
    pub fn reindex(&self) -> Result<Reindexed, ToolError> {
        let store = self.store();
        let people = store.list_people()?;
        let tasks = store.list_tasks(&TaskFilter::default())?;
        let datasets = store.list_datasets()?;
        let models = store.list_models()?;
        let before = self.catalog().clear()?;
        self.mark_rebuilding()?;
        let tools: Vec<Entry> = self.tool_entries();
        let report = Reindexed {
            tools: tools.len(),
            people: people.len(),
            tasks: tasks.len(),
            datasets: datasets.len(),
            models: 0,
            before,
        };
        self.catalog().upsert(tools)?;
        self.index_people(&people)?;
        self.index_tasks(&tasks)?;
        for d in &datasets {
            let columns: Vec<String> = d
                .profile
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.get("name")?.as_str().map(str::to_string))
                .collect();
            self.index_dataset(d, &columns)?;
        }
        // One entry per model name, described by its latest version.
        let mut latest: Vec<_> = models.iter().rev().collect();
        latest.dedup_by(|a, b| a.name.eq_ignore_ascii_case(&b.name));
        for m in &latest {
            self.index_model(m)?;
        }
        self.mark_in_step()?;
        Ok(Reindexed {
            models: latest.len(),
            ..report
        })
    }
}
