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
        name: QdrantIndex::collection_for("shared", &workspace),
    };
    let backends = Backends::new(None, Some(config.url.clone()), config.api_key.clone())
        .unwrap()
        .with_qdrant_prefix(Some("shared".into()))
        .unwrap();
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

#[test]
fn two_deployments_on_one_qdrant_never_share_a_collection() {
    let test = "two_deployments_on_one_qdrant_never_share_a_collection";
    let Some(config) = QdrantConfig::for_tests(test) else {
        return;
    };
    let workspace = format!("test_{}_two", std::process::id());
    let clock = Clock::parse("2026-11-26T10:00:00Z").unwrap();
    let backends = Backends::new(None, Some(config.url.clone()), config.api_key.clone()).unwrap();
    let (first_home, second_home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let open = |home: &std::path::Path, backends: &Backends| {
        Platform::connect(home, &workspace, clock, backends)
    };
    // Each home's store has its own installation id, so its own collection.
    let first = open(first_home.path(), &backends).unwrap();
    let second = open(second_home.path(), &backends).unwrap();
    let mut cleanup = Vec::new();
    for p in [&first, &second] {
        let installation = p.installation().unwrap();
        cleanup.push(Collection {
            config: config.clone(),
            name: QdrantIndex::collection_for(&installation[..12], &workspace),
        });
    }
    first
        .call(None, "create_task", json!({"title": "Water the plants"}))
        .unwrap();
    second
        .call(
            None,
            "create_task",
            json!({"title": "Audit the secret payroll export"}),
        )
        .unwrap();
    let hits = first
        .catalog()
        .search("secret payroll export", 5, &Filter::kind("task"))
        .unwrap();
    assert!(
        hits.iter()
            .all(|h| h.entry.payload["title"] == "Water the plants"),
        "{hits:?}"
    );
    // One prefix given to both: the second deployment is refused, and told why.
    let prefixed = |p: &str| backends.clone().with_qdrant_prefix(Some(p.into())).unwrap();
    let prefix = format!("p{}", std::process::id());
    cleanup.push(Collection {
        config: config.clone(),
        name: QdrantIndex::collection_for(&prefix, &workspace),
    });
    let first = open(first_home.path(), &prefixed(&prefix)).unwrap();
    first
        .call(None, "create_task", json!({"title": "Water the ferns"}))
        .unwrap();
    let err = open(second_home.path(), &prefixed(&prefix))
        .err()
        .expect("a collection another installation made is refused");
    let message = err.to_string();
    assert!(
        message.contains("another Maestro installation")
            && message.contains("MAESTRO_QDRANT_PREFIX"),
        "{message}"
    );
    let hits = first
        .catalog()
        .search("water ferns", 1, &Filter::kind("task"))
        .unwrap();
    assert_eq!(hits[0].entry.payload["title"], "Water the ferns");
}
