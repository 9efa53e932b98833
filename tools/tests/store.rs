//! The behaviour every `Store` must have, run against the SQLite store (in a
//! real file and in memory). Other backends run the same `suite`.

use chrono::{DateTime, NaiveDate, Utc};
use maestro_tools::store::SqliteStore;
use maestro_tools::{
    AuditRecord, NewPerson, NewTask, Priority, Status, StatusFilter, Store, StoreError, TaskFilter,
    TaskPatch, UsageRecord,
};
use serde_json::json;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn person(name: &str) -> NewPerson {
    NewPerson {
        name: name.into(),
        skills: vec!["Rust".into()],
        ..NewPerson::default()
    }
}

fn suite(store: &dyn Store) {
    let now = at("2026-11-26T10:00:00Z");
    // People: unique names, case-insensitively; skills lower-cased; default capacity.
    let bob = store.add_person(person("Bob Smith")).unwrap();
    assert_eq!(
        (bob.skills.as_slice(), bob.capacity),
        (["rust".to_string()].as_slice(), 40.0)
    );
    assert!(matches!(
        store.add_person(person("bob smith")),
        Err(StoreError::Conflict(_))
    ));
    // A batch with one bad row stores nothing.
    assert!(
        store
            .add_people(vec![person("Carol Diaz"), person("")])
            .is_err()
    );
    assert_eq!(store.list_people().unwrap().len(), 1);

    // Tasks: defaults, projects created on use, unknown assignees refused.
    let t = store
        .create_task(
            NewTask {
                title: " Fix login ".into(),
                project: Some("Web".into()),
                assignee: Some("BOB SMITH".into()),
                due: Some(date("2026-12-01")),
                tags: vec!["#Bug".into()],
                ..NewTask::default()
            },
            now,
        )
        .unwrap();
    assert_eq!(
        (t.title.as_str(), t.status, t.priority),
        ("Fix login", Status::Todo, Priority::Medium)
    );
    assert_eq!(
        (
            t.assignee.as_deref(),
            t.project.as_deref(),
            t.tags.as_slice()
        ),
        (
            Some("Bob Smith"),
            Some("Web"),
            ["bug".to_string()].as_slice()
        )
    );
    assert!(
        store
            .create_task(
                NewTask {
                    title: "x".into(),
                    assignee: Some("Zed".into()),
                    ..NewTask::default()
                },
                now
            )
            .is_err()
    );
    assert_eq!(store.list_projects().unwrap(), ["Web"]);

    // A batch of tasks is all or nothing.
    let batch = vec![
        NewTask {
            title: "a".into(),
            ..NewTask::default()
        },
        NewTask {
            title: "".into(),
            ..NewTask::default()
        },
    ];
    assert!(store.create_tasks(batch, now).is_err());
    assert_eq!(store.list_tasks(&TaskFilter::default()).unwrap().len(), 1);

    // Updates: done sets completed_at, reopening clears it; unknown ids are NotFound.
    let later = at("2026-11-27T09:00:00Z");
    let done = store
        .update_task(
            t.id,
            TaskPatch {
                status: Some(Status::Done),
                ..TaskPatch::default()
            },
            later,
        )
        .unwrap();
    assert_eq!((done.completed_at, done.updated_at), (Some(later), later));
    let reopened = store
        .update_task(
            t.id,
            TaskPatch {
                status: Some(Status::Todo),
                ..TaskPatch::default()
            },
            later,
        )
        .unwrap();
    assert_eq!(reopened.completed_at, None);
    assert!(matches!(
        store.update_task(999, TaskPatch::default(), now),
        Err(StoreError::NotFound { .. })
    ));

    // Filters and order: by due date (undated last), then priority.
    store
        .create_task(
            NewTask {
                title: "urgent, undated".into(),
                priority: Some(Priority::Urgent),
                ..NewTask::default()
            },
            now,
        )
        .unwrap();
    store
        .create_task(
            NewTask {
                title: "late".into(),
                due: Some(date("2026-11-20")),
                ..NewTask::default()
            },
            now,
        )
        .unwrap();
    let titles = |f: TaskFilter| {
        store
            .list_tasks(&f)
            .unwrap()
            .into_iter()
            .map(|t| t.title)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        titles(TaskFilter::default()),
        ["late", "Fix login", "urgent, undated"]
    );
    assert_eq!(
        titles(TaskFilter {
            overdue_on: Some(date("2026-11-26")),
            ..TaskFilter::default()
        }),
        ["late"]
    );
    assert_eq!(
        titles(TaskFilter {
            assignee: Some("bob smith".into()),
            ..TaskFilter::default()
        }),
        ["Fix login"]
    );
    assert_eq!(
        titles(TaskFilter {
            tag: Some("#bug".into()),
            ..TaskFilter::default()
        }),
        ["Fix login"]
    );
    assert_eq!(
        titles(TaskFilter {
            status: Some(StatusFilter::Open),
            limit: Some(2),
            ..TaskFilter::default()
        })
        .len(),
        2
    );
    assert_eq!(
        titles(TaskFilter {
            due_before: Some(date("2026-11-30")),
            ..TaskFilter::default()
        }),
        ["late"]
    );

    // Delete returns the task as it was; then it is gone.
    assert_eq!(store.delete_task(t.id).unwrap().title, "Fix login");
    assert!(matches!(
        store.get_task(t.id),
        Err(StoreError::NotFound { .. })
    ));

    // Audit log, newest first; sessions round-trip.
    for tool in ["a", "b"] {
        let r = AuditRecord {
            at: now,
            actor: Some("Bob Smith".into()),
            tool: tool.into(),
            arguments: json!({"id": 1}),
            status: "ok".into(),
            result: json!(null),
        };
        store.record(&r).unwrap();
    }
    assert_eq!(
        store
            .audit_log(5)
            .unwrap()
            .iter()
            .map(|r| r.tool.as_str())
            .collect::<Vec<_>>(),
        ["b", "a"]
    );
    assert_eq!(store.load_session("s").unwrap(), None);
    store.save_session("s", &json!({"k": 1}), now).unwrap();
    store.save_session("s", &json!({"k": 2}), now).unwrap();
    assert_eq!(store.load_session("s").unwrap(), Some(json!({"k": 2})));

    // Language-model usage, newest first, the unknown cost kept unknown.
    for (model, cost) in [("gpt-4o", Some(0.01)), ("qwen2.5:7b", None)] {
        let u = UsageRecord {
            at: now,
            session: "s".into(),
            model: model.into(),
            prompt_tokens: 1200,
            completion_tokens: 80,
            requests: 2,
            cost_usd: cost,
        };
        store.record_usage(&u).unwrap();
    }
    let usage = store.usage(10).unwrap();
    assert_eq!(usage.len(), 2);
    assert_eq!(
        (usage[0].model.as_str(), usage[0].cost_usd),
        ("qwen2.5:7b", None)
    );
    assert_eq!(
        (usage[1].prompt_tokens, usage[1].cost_usd),
        (1200, Some(0.01))
    );
    assert_eq!(usage[1].at, now);
    assert_eq!(store.usage(1).unwrap().len(), 1);
}

#[test]
fn sqlite_in_memory_behaves_like_a_store() {
    suite(&SqliteStore::in_memory("default").unwrap());
}

#[test]
fn sqlite_file_behaves_like_a_store_and_keeps_data_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("maestro.db");
    suite(&SqliteStore::open(&path, "default").unwrap());
    let again = SqliteStore::open(&path, "default").unwrap();
    assert_eq!(again.list_people().unwrap().len(), 1);
    // Another workspace in the same file sees none of it.
    let other = SqliteStore::open(&path, "other").unwrap();
    assert!(
        other.list_people().unwrap().is_empty()
            && other.list_tasks(&TaskFilter::default()).unwrap().is_empty()
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("maestro.db");
    let junk = vec![b'x'; 8192];
    std::fs::write(&path, &junk).unwrap();
    let err = SqliteStore::open(&path, "default")
        .err()
        .expect("junk must not open")
        .to_string();
    assert!(
        err.contains("not a Maestro database") && err.contains("--home"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), junk, "nothing was changed");
}

#[test]
fn each_workspace_has_its_own_catalog_refilled_from_the_store() {
    let home = tempfile::tempdir().unwrap();
    let clock = maestro_tools::Clock::fixed(at("2026-11-26T10:00:00Z"));
    let tasks_found = |p: &maestro_tools::Platform| -> Vec<String> {
        let out = p
            .call(
                None,
                "search_catalog",
                json!({"query": "rotate billing keys"}),
            )
            .unwrap();
        out.data
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "task")
            .map(|e| e["payload"]["title"].as_str().unwrap().to_string())
            .collect()
    };
    let acme = maestro_tools::Platform::open(home.path(), "acme", clock).unwrap();
    acme.call(
        None,
        "create_task",
        json!({"title": "Rotate the billing keys"}),
    )
    .unwrap();
    assert_eq!(tasks_found(&acme), ["Rotate the billing keys"]);
    drop(acme);
    let beta = maestro_tools::Platform::open(home.path(), "beta", clock).unwrap();
    assert!(tasks_found(&beta).is_empty());
    // A workspace whose catalog file is new (an install from before) is indexed from its store.
    std::fs::remove_file(home.path().join("catalog-acme.db")).unwrap();
    let acme = maestro_tools::Platform::open(home.path(), "acme", clock).unwrap();
    assert_eq!(tasks_found(&acme), ["Rotate the billing keys"]);
    assert!(maestro_tools::Platform::open(home.path(), "../x", clock).is_err());
}
