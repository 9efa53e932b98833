//! The platform on a shared Qdrant catalog: what several servers pointing at
//! one Qdrant rely on. Runs when `MAESTRO_QDRANT_URL` names a server (a
//! workspace and collection of its own, deleted afterwards); says it skipped
//! otherwise.

use maestro_catalog::{Entry, Filter, QdrantConfig, QdrantIndex};
use maestro_tools::{Backends, Clock, Platform};
use serde_json::json;

/// Deletes the test's collection whatever happens.
struct Collection {
    config: QdrantConfig,
    name: String,
}

impl Drop for Collection {
    fn drop(&mut self) {
        let _ = QdrantIndex::open(&self.config, &self.name).and_then(QdrantIndex::delete);
    }
}

#[test]
fn platforms_on_one_qdrant_share_the_catalog_and_reindex_drops_stale_points() {
    let test = "platforms_on_one_qdrant_share_the_catalog_and_reindex_drops_stale_points";
    let Some(config) = QdrantConfig::for_tests(test) else {
        return;
    };
    let workspace = format!("test_{}", std::process::id());
    let _cleanup = Collection {
        config: config.clone(),
        name: QdrantIndex::collection_for(&workspace),
    };
    let backends = Backends::new(None, Some(config.url.clone()), config.api_key.clone()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let clock = Clock::parse("2026-11-26T10:00:00Z").unwrap();
    let open = || Platform::connect(home.path(), &workspace, clock, &backends).unwrap();

    let first = open();
    let second = open();
    first
        .call(
            None,
            "create_task",
            json!({"title": "Rotate the billing API keys"}),
        )
        .unwrap();
    let hits = second
        .catalog()
        .search("rotate billing keys", 1, &Filter::kind("task"))
        .unwrap();
    assert_eq!(
        hits[0].entry.payload["title"], "Rotate the billing API keys",
        "a task made through one platform is found through the other at once"
    );

    second
        .catalog()
        .upsert(vec![Entry::new(
            "task:999",
            "task",
            "a task the store never had",
        )])
        .unwrap();
    let report = first.reindex().unwrap();
    assert_eq!(report.tasks, 1);
    assert_eq!(second.catalog().get("task:999").unwrap(), None);
    assert!(second.catalog().get("task:1").unwrap().is_some());
}
