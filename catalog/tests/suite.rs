//! One behavioural suite for the catalog, run on every index: the embedded
//! one in memory and in a file, and Qdrant when `MAESTRO_QDRANT_URL` names a
//! server (each test in a collection of its own, deleted afterwards). Without
//! the variable the Qdrant run is skipped with a line on stderr; with
//! `MAESTRO_REQUIRE_QDRANT=1` it fails instead.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use maestro_catalog::{
    Catalog, CatalogError, Embedder, Entry, Filter, HashEmbedder, QdrantConfig, QdrantIndex,
};
use serde_json::json;
use tempfile::TempDir;

/// Where one run of a test keeps its catalog.
enum Backend {
    Memory,
    File(TempDir),
    Qdrant {
        config: QdrantConfig,
        workspace: String,
    },
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Memory => "memory",
            Backend::File(_) => "file",
            Backend::Qdrant { .. } => "qdrant",
        }
    }

    /// Opens the catalog (again: a new one for memory, the same data otherwise).
    fn open(&self) -> Catalog {
        match self {
            Backend::Memory => Catalog::in_memory(),
            Backend::File(dir) => Catalog::open(&dir.path().join("catalog.db")).unwrap(),
            Backend::Qdrant { config, workspace } => Catalog::qdrant(
                config,
                &QdrantIndex::collection_for("test", workspace),
                Box::new(HashEmbedder::default()),
            )
            .unwrap(),
        }
    }

    /// Whether [`Backend::open`] sees what an earlier catalog wrote.
    fn persistent(&self) -> bool {
        !matches!(self, Backend::Memory)
    }

    /// Another, empty backend of the same kind.
    fn sibling(&self) -> Backend {
        match self {
            Backend::Memory => Backend::Memory,
            Backend::File(_) => Backend::File(tempfile::tempdir().unwrap()),
            Backend::Qdrant { config, .. } => qdrant(config.clone()),
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Backend::Qdrant { config, workspace } = self {
            let collection = QdrantIndex::collection_for("test", workspace);
            if let Err(e) = QdrantIndex::open(config, &collection).and_then(QdrantIndex::delete) {
                let _ = writeln!(std::io::stderr(), "could not delete {collection}: {e}");
            }
        }
    }
}

fn qdrant(config: QdrantConfig) -> Backend {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let workspace = format!(
        "test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    Backend::Qdrant { config, workspace }
}

/// Every backend this machine can run for `test`.
fn backends(test: &str) -> Vec<Backend> {
    let mut all = vec![Backend::Memory, Backend::File(tempfile::tempdir().unwrap())];
    all.extend(QdrantConfig::for_tests(test).map(qdrant));
    all
}

fn entries() -> Vec<Entry> {
    vec![
        Entry::new(
            "tool:create_task",
            "tool",
            "create a new task, add a todo item for someone",
        )
        .with_payload(json!({"name": "create_task", "effect": "write"})),
        Entry::new(
            "tool:list_people",
            "tool",
            "list the people on the team and their skills",
        )
        .with_payload(json!({"name": "list_people", "effect": "read"})),
        Entry::new("person:alice", "person", "Alice Johnson backend security")
            .with_payload(json!({"name": "Alice Johnson", "capacity": 40})),
        Entry::new("task:1", "task", "fix the login bug on safari").with_payload(json!({
            "id": 1, "status": "open", "assignee": "Alice Johnson", "urgent": true,
            "estimate": 2.5, "tags": ["web", "auth"], "project": {"name": "Web"},
        })),
        Entry::new("task:2", "task", "write the billing migration docs")
            .with_payload(json!({"id": 2, "status": "done", "assignee": null, "urgent": false})),
    ]
}

fn ids(hits: &[maestro_catalog::Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.entry.id.as_str()).collect()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[test]
fn ranks_by_the_dot_product_with_the_weighted_query() {
    for backend in backends("ranks_by_the_dot_product_with_the_weighted_query") {
        let mut c = backend.open();
        c.upsert(entries()).unwrap();
        let hits = c.search("add a todo task", 5, &Filter::any()).unwrap();
        assert_eq!(hits[0].entry.id, "tool:create_task", "{}", backend.name());
        let query = c.weighted_query("add a todo task").unwrap();
        for pair in hits.windows(2) {
            assert!(
                pair[0].score >= pair[1].score,
                "{}: best first",
                backend.name()
            );
        }
        for hit in &hits {
            let (_, vector) = c.index().get(&hit.entry.id).unwrap().unwrap();
            let dot: f32 = vector
                .iter()
                .filter_map(|(i, x)| query.iter().find(|(j, _)| j == i).map(|(_, y)| x * y))
                .sum();
            assert!(
                (dot - hit.score).abs() < 1e-4,
                "{}: {}",
                backend.name(),
                hit.entry.id
            );
        }
        assert_eq!(
            c.search("add a todo task", 2, &Filter::any())
                .unwrap()
                .len(),
            2
        );
    }
}

#[test]
fn filters_by_kind_and_by_payload_fields() {
    for backend in backends("filters_by_kind_and_by_payload_fields") {
        let name = backend.name();
        let mut c = backend.open();
        c.upsert(entries()).unwrap();
        let search = |filter: Filter| c.search("task for Alice login docs", 10, &filter).unwrap();
        let tools = search(Filter::kind("tool"));
        assert!(
            !tools.is_empty() && tools.iter().all(|h| h.entry.kind == "tool"),
            "{name}"
        );
        assert_eq!(
            ids(&search(Filter::kind("task").with("status", "done"))),
            ["task:2"],
            "{name}"
        );
        assert_eq!(
            ids(&search(Filter::any().with("assignee", "Alice Johnson"))),
            ["task:1"],
            "{name}"
        );
        assert_eq!(
            ids(&search(Filter::any().with("id", 1))),
            ["task:1"],
            "{name}"
        );
        assert_eq!(
            ids(&search(Filter::kind("task").with("urgent", false))),
            ["task:2"],
            "{name}"
        );
        assert_eq!(
            ids(&search(Filter::any().with("name", "Alice Johnson"))),
            ["person:alice"],
            "{name}"
        );
        assert!(
            search(Filter::kind("tool").with("id", 1)).is_empty(),
            "{name}"
        );
        assert!(
            search(Filter::any().with("id", "1")).is_empty(),
            "{name}: types differ"
        );
        assert!(search(Filter::kind("nothing")).is_empty(), "{name}");
        let refused = c.search("login", 5, &Filter::any().with("estimate", 2.5));
        assert!(matches!(refused, Err(CatalogError::Filter(_))), "{name}");
    }
}

#[test]
fn get_returns_entries_exactly_as_stored() {
    for backend in backends("get_returns_entries_exactly_as_stored") {
        let mut c = backend.open();
        c.upsert(entries()).unwrap();
        for entry in entries() {
            assert_eq!(c.get(&entry.id).unwrap(), Some(entry), "{}", backend.name());
        }
        assert_eq!(c.get("task:99").unwrap(), None, "{}", backend.name());
        let (_, vector) = c.index().get("task:1").unwrap().unwrap();
        assert_eq!(
            vector,
            HashEmbedder::default()
                .embed("fix the login bug on safari")
                .unwrap()
        );
    }
}

#[test]
fn upsert_replaces_by_id_and_refresh_writes_only_changes() {
    for backend in backends("upsert_replaces_by_id_and_refresh_writes_only_changes") {
        let name = backend.name();
        let mut c = backend.open();
        c.upsert(entries()).unwrap();
        let moved =
            Entry::new("task:1", "task", "rotate the api keys").with_payload(json!({"id": 1}));
        c.upsert(vec![moved.clone()]).unwrap();
        assert_eq!(c.len().unwrap(), entries().len(), "{name}");
        assert_eq!(c.get("task:1").unwrap(), Some(moved.clone()), "{name}");
        let hits = c.search("rotate keys", 1, &Filter::kind("task")).unwrap();
        assert_eq!(ids(&hits), ["task:1"], "{name}");
        assert!(
            c.search("safari", 5, &Filter::any())
                .unwrap()
                .iter()
                .all(|h| h.score < 0.2),
            "{name}"
        );

        let mut changed = entries();
        changed[0].text = "create a task".into();
        changed.push(Entry::new("project:web", "project", "Web"));
        c.refresh(changed.clone()).unwrap();
        assert_eq!(
            c.get("tool:create_task").unwrap(),
            Some(changed[0].clone()),
            "{name}"
        );
        assert_eq!(
            c.get("task:1").unwrap(),
            Some(entries()[3].clone()),
            "{name}"
        );
        assert_eq!(c.len().unwrap(), entries().len() + 1, "{name}");
    }
}

#[test]
fn remove_and_clear_forget_entries() {
    for backend in backends("remove_and_clear_forget_entries") {
        let name = backend.name();
        let mut c = backend.open();
        c.upsert(entries()).unwrap();
        c.remove(&["task:2".into(), "task:404".into()]).unwrap();
        assert_eq!(c.len().unwrap(), entries().len() - 1, "{name}");
        assert_eq!(c.get("task:2").unwrap(), None, "{name}");
        let hits = c
            .search("billing migration docs", 10, &Filter::any())
            .unwrap();
        assert!(!ids(&hits).contains(&"task:2"), "{name}");
        assert_eq!(c.clear().unwrap(), entries().len() - 1, "{name}");
        assert!(c.is_empty().unwrap(), "{name}");
        assert!(
            c.search("billing", 10, &Filter::any()).unwrap().is_empty(),
            "{name}"
        );
    }
}

#[test]
fn enumerates_every_entry_with_its_vector_across_pages() {
    for backend in backends("enumerates_every_entry_with_its_vector_across_pages") {
        let mut c = backend.open();
        let many: Vec<Entry> = (0..300)
            .map(|i| {
                Entry::new(
                    format!("task:{i}"),
                    "task",
                    format!("task number {i} words"),
                )
            })
            .collect();
        c.upsert(many.clone()).unwrap();
        let embedder = HashEmbedder::default();
        let mut seen = Vec::new();
        c.index()
            .scan(&mut |e, v| {
                assert_eq!(*v, embedder.embed(&e.text).unwrap());
                seen.push(e.id.clone());
            })
            .unwrap();
        let want = sorted(many.into_iter().map(|e| e.id).collect());
        assert_eq!(sorted(seen), want, "{}", backend.name());
        assert_eq!(c.len().unwrap(), 300, "{}", backend.name());
    }
}

#[test]
fn a_reopened_catalog_sees_what_was_written() {
    for backend in backends("a_reopened_catalog_sees_what_was_written")
        .into_iter()
        .filter(Backend::persistent)
    {
        {
            let mut c = backend.open();
            c.upsert(entries()).unwrap();
            c.remove(&["person:alice".into()]).unwrap();
        }
        let c = backend.open();
        assert_eq!(c.len().unwrap(), entries().len() - 1, "{}", backend.name());
        assert_eq!(c.get("person:alice").unwrap(), None);
        let hits = c.search("who is on the team", 1, &Filter::any()).unwrap();
        assert_eq!(ids(&hits), ["tool:list_people"], "{}", backend.name());
    }
}

#[test]
fn idf_stays_in_step_with_every_change() {
    for backend in backends("idf_stays_in_step_with_every_change") {
        let mut c = backend.open();
        let mut twice = entries();
        twice.extend(entries());
        c.upsert(twice).unwrap();
        c.upsert(vec![Entry::new("task:1", "task", "rotate the api keys")])
            .unwrap();
        c.remove(&["task:2".into()]).unwrap();
        let mut last = entries();
        last.retain(|e| e.id != "task:2");
        last[3] = Entry::new("task:1", "task", "rotate the api keys");

        let other = backend.sibling();
        let mut fresh = other.open();
        fresh.upsert(last).unwrap();
        for text in ["rotate keys", "the team", "fix the login bug"] {
            assert_eq!(
                c.weighted_query(text).unwrap(),
                fresh.weighted_query(text).unwrap(),
                "{}",
                backend.name()
            );
            if backend.persistent() {
                assert_eq!(
                    c.weighted_query(text).unwrap(),
                    backend.open().weighted_query(text).unwrap()
                );
            }
        }
    }
}

#[test]
fn a_stamp_travels_with_the_data_and_is_never_found() {
    for backend in backends("a_stamp_travels_with_the_data_and_is_never_found") {
        let mut c = backend.open();
        assert_eq!(c.stamp().unwrap(), None, "{}", backend.name());
        c.upsert(entries()).unwrap();
        let stamp = json!({"installation": "abc", "changes": 7});
        c.set_stamp(stamp.clone()).unwrap();
        let all = c.search("task todo alice", 100, &Filter::any()).unwrap();
        assert_eq!(all.len(), entries().len(), "{}", backend.name());
        assert!(!ids(&all).contains(&"_stamp"), "{}", backend.name());
        if backend.persistent() {
            assert_eq!(backend.open().stamp().unwrap(), Some(stamp));
        }
        c.clear().unwrap();
        assert_eq!(c.stamp().unwrap(), None, "{}", backend.name());
    }
}
