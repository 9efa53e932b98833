//! The embedded catalog file as a mirror of the store: whatever happened
//! between them while no platform was open (a run killed between the two
//! writes, a damaged file, a store replaced), opening the platform puts the
//! catalog back in step.

use std::path::Path;

use maestro_catalog::Filter;
use maestro_tools::store::{SqliteStore, Store};
use maestro_tools::{Clock, NewTask, Platform};
use serde_json::json;

fn open(home: &Path) -> Platform {
    Platform::open(
        home,
        "default",
        Clock::parse("2026-11-26T10:00:00Z").unwrap(),
    )
    .unwrap()
}

/// The title of the task a search of the catalog finds first for `query`.
fn found(p: &Platform, query: &str) -> Option<String> {
    let hits = p.catalog().search(query, 1, &Filter::kind("task")).unwrap();
    let title = hits.first()?.entry.payload["title"].as_str()?.to_string();
    Some(title)
}

fn create(p: &Platform, title: &str) {
    p.call(None, "create_task", json!({"title": title}))
        .unwrap();
}

#[test]
fn a_change_the_catalog_missed_is_indexed_at_the_next_open() {
    let home = tempfile::tempdir().unwrap();
    {
        let p = open(home.path());
        create(&p, "Rotate the billing keys");
        // As if the process died between the store's commit and the index
        // write (or another program changed the database).
        SqliteStore::open(&home.path().join("maestro.db"), "default")
            .unwrap()
            .create_task(
                NewTask {
                    title: "Renew the TLS certificates".into(),
                    ..NewTask::default()
                },
                p.clock().now(),
            )
            .unwrap();
        assert_eq!(
            found(&p, "renew tls certificates").as_deref(),
            Some("Rotate the billing keys"),
            "the catalog missed it"
        );
    }
    let p = open(home.path());
    assert_eq!(
        found(&p, "renew tls certificates").as_deref(),
        Some("Renew the TLS certificates")
    );
    assert_eq!(
        found(&p, "rotate billing keys").as_deref(),
        Some("Rotate the billing keys")
    );
}

#[test]
fn a_catalog_left_from_a_deleted_store_lists_nothing_that_is_gone() {
    let home = tempfile::tempdir().unwrap();
    {
        let p = open(home.path());
        for i in 0..10 {
            create(&p, &format!("Audit the payroll export {i}"));
        }
    }
    for file in ["maestro.db", "maestro.db-wal", "maestro.db-shm"] {
        let _ = std::fs::remove_file(home.path().join(file));
    }
    let p = open(home.path());
    assert_eq!(found(&p, "audit payroll export"), None);
    create(&p, "Water the plants");
    assert_eq!(
        found(&p, "audit payroll export").as_deref(),
        Some("Water the plants"),
        "the only task there is"
    );
}

#[test]
fn a_catalog_from_another_store_is_rebuilt_not_read() {
    let (mine, theirs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    create(&open(theirs.path()), "Audit the secret payroll export");
    create(&open(mine.path()), "Water the plants");
    // Their catalog file copied over mine: both stores have a task #1.
    std::fs::copy(
        theirs.path().join("catalog-default.db"),
        mine.path().join("catalog-default.db"),
    )
    .unwrap();
    let p = open(mine.path());
    assert_eq!(
        found(&p, "secret payroll export").as_deref(),
        Some("Water the plants"),
        "the only task of this store"
    );
}

#[test]
fn a_damaged_catalog_file_is_moved_aside_and_rebuilt() {
    let home = tempfile::tempdir().unwrap();
    create(&open(home.path()), "Rotate the billing keys");
    let file = home.path().join("catalog-default.db");
    for journal in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{journal}", file.display()));
    }
    std::fs::write(&file, vec![0x5a; 8192]).unwrap();
    let p = open(home.path());
    assert_eq!(
        found(&p, "rotate billing keys").as_deref(),
        Some("Rotate the billing keys")
    );
    let aside: Vec<String> = std::fs::read_dir(home.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("catalog-default.db.damaged-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(
        std::fs::read(home.path().join(&aside[0])).unwrap(),
        vec![0x5a; 8192],
        "the damaged file is kept, unchanged"
    );
}
