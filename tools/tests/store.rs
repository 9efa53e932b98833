//! The behaviour every `Store` must have, one test per behaviour and backend:
//! `sqlite::…` on a real SQLite file, `postgres::…` on a real PostgreSQL
//! server (see `support`).

mod support;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use maestro_tools::store::{
    ModelRecord, NewDataset, NewMessage, NewModel, NewReminder, PgStore, Scope, SqliteStore, Stage,
    Workspace, token_sessions,
};
use maestro_tools::{
    AuditRecord, NewPerson, NewTask, Priority, Status, StatusFilter, Store, StoreError, Task,
    TaskFilter, TaskPatch, UsageRecord,
};
use serde_json::json;
use support::Backend;

on_every_backend!(
    people_have_unique_names_and_batches_are_all_or_nothing,
    tasks_get_defaults_projects_and_known_assignees,
    task_batches_are_all_or_nothing,
    updates_track_completion_and_unknown_ids_are_not_found,
    filters_and_order,
    deleting_returns_the_task_and_removes_it,
    audit_log_is_newest_first_and_sessions_round_trip,
    usage_is_newest_first_with_unknown_costs_kept_unknown,
    datasets_are_versioned_by_content,
    models_are_versioned_staged_and_deleted,
    workspaces_see_only_their_own_data_and_survive_reopening,
    concurrent_writers_lose_no_update_and_duplicate_no_task,
    works_when_called_from_inside_a_tokio_runtime,
    a_token_opens_its_workspace_until_revoked,
    workspace_names_and_slack_teams_are_unique_and_checked,
    racing_creators_make_one_workspace,
    settings_are_kept_per_workspace_and_overwritten,
    task_numbers_are_per_workspace_and_never_reused,
    the_stamp_counts_every_change_the_catalog_mirrors,
    a_delivery_counts_once_until_forgotten,
    revoking_a_token_deletes_its_conversations,
    importing_people_updates_the_team_all_or_nothing,
    recurring_rules_are_numbered_per_workspace_kept_whole_and_changed,
    racing_claims_of_one_key_create_one_task,
    reminders_are_numbered_kept_whole_and_change_state,
    racing_posts_of_one_key_put_one_message_in_the_outbox,
    people_keep_their_time_zone_through_imports,
);

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn now() -> DateTime<Utc> {
    at("2026-11-26T10:00:00Z")
}

fn person(name: &str) -> NewPerson {
    NewPerson {
        name: name.into(),
        skills: vec!["Rust".into()],
        ..NewPerson::default()
    }
}

fn task(title: &str) -> NewTask {
    NewTask {
        title: title.into(),
        ..NewTask::default()
    }
}

fn titles(store: &dyn Store, f: TaskFilter) -> Vec<String> {
    store
        .list_tasks(&f)
        .unwrap()
        .into_iter()
        .map(|t| t.title)
        .collect()
}

/// Bob Smith and one task assigned to him in project Web, tagged `bug`.
fn fix_login(store: &dyn Store) -> Task {
    store.add_person(person("Bob Smith")).unwrap();
    store
        .create_task(
            NewTask {
                title: " Fix login ".into(),
                project: Some("Web".into()),
                assignee: Some("BOB SMITH".into()),
                due: Some(date("2026-12-01")),
                tags: vec!["#Bug".into()],
                ..NewTask::default()
            },
            now(),
        )
        .unwrap()
}

fn people_have_unique_names_and_batches_are_all_or_nothing(b: &Backend) {
    let store = b.store("default");
    let bob = store.add_person(person("Bob Smith")).unwrap();
    assert_eq!(
        (bob.skills.as_slice(), bob.capacity),
        (["rust".to_string()].as_slice(), 40.0)
    );
    assert!(matches!(
        store.add_person(person("bob smith")),
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store
            .add_people(vec![person("Carol Diaz"), person("")])
            .is_err()
    );
    assert!(matches!(
        store.add_people(vec![person("Dan"), person("DAN")]),
        Err(StoreError::Conflict(_))
    ));
    store.add_person(person("alice")).unwrap();
    let names: Vec<String> = store
        .list_people()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["alice", "Bob Smith"]);
}

fn tasks_get_defaults_projects_and_known_assignees(b: &Backend) {
    let store = b.store("default");
    let t = fix_login(store.as_ref());
    assert_eq!(
        (t.title.as_str(), t.status, t.priority, t.created_at),
        ("Fix login", Status::Todo, Priority::Medium, now())
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
    assert_eq!(store.get_task(t.id).unwrap(), t);
    let unknown = store.create_task(
        NewTask {
            assignee: Some("Zed".into()),
            ..task("x")
        },
        now(),
    );
    assert!(
        matches!(unknown, Err(StoreError::Conflict(_))),
        "{unknown:?}"
    );
    // The same project in other letters is the same project.
    store
        .create_task(
            NewTask {
                project: Some("web".into()),
                ..task("y")
            },
            now(),
        )
        .unwrap();
    store
        .create_task(
            NewTask {
                project: Some("Api".into()),
                ..task("z")
            },
            now(),
        )
        .unwrap();
    assert_eq!(store.list_projects().unwrap(), ["Api", "Web"]);
}

fn task_batches_are_all_or_nothing(b: &Backend) {
    let store = b.store("default");
    assert!(
        store
            .create_tasks(vec![task("a"), task("")], now())
            .is_err()
    );
    assert!(store.list_tasks(&TaskFilter::default()).unwrap().is_empty());
    let made = store
        .create_tasks(vec![task("a"), task("b")], now())
        .unwrap();
    assert_eq!(made.len(), 2);
    assert_ne!(made[0].id, made[1].id);
    assert_eq!(titles(store.as_ref(), TaskFilter::default()), ["a", "b"]);
}

fn updates_track_completion_and_unknown_ids_are_not_found(b: &Backend) {
    let store = b.store("default");
    let t = fix_login(store.as_ref());
    let later = at("2026-11-27T09:00:00.123456789Z");
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
    assert_eq!((done.title, done.tags), (t.title.clone(), t.tags.clone()));
    let reopened = store
        .update_task(
            t.id,
            TaskPatch {
                status: Some(Status::Todo),
                title: Some("Fix the login".into()),
                tags: Some(vec!["ux".into()]),
                ..TaskPatch::default()
            },
            later,
        )
        .unwrap();
    assert_eq!(reopened.completed_at, None);
    assert_eq!(
        (reopened.title.as_str(), reopened.tags.as_slice()),
        ("Fix the login", ["ux".to_string()].as_slice())
    );
    assert!(matches!(
        store.update_task(999, TaskPatch::default(), now()),
        Err(StoreError::NotFound { .. })
    ));
    let blank = store.update_task(
        t.id,
        TaskPatch {
            title: Some(" ".into()),
            ..TaskPatch::default()
        },
        now(),
    );
    assert!(matches!(blank, Err(StoreError::Conflict(_))));
    assert_eq!(store.get_task(t.id).unwrap().title, "Fix the login");
}

fn filters_and_order(b: &Backend) {
    let store = b.store("default");
    fix_login(store.as_ref());
    for t in [
        NewTask {
            priority: Some(Priority::Urgent),
            ..task("urgent, undated")
        },
        NewTask {
            due: Some(date("2026-11-20")),
            ..task("late")
        },
        NewTask {
            due: Some(date("2026-12-01")),
            priority: Some(Priority::High),
            status: Some(Status::Done),
            ..task("high, same day")
        },
    ] {
        store.create_task(t, now()).unwrap();
    }
    let s = store.as_ref();
    assert_eq!(
        titles(s, TaskFilter::default()),
        ["late", "high, same day", "Fix login", "urgent, undated"]
    );
    let only = |f: TaskFilter| titles(s, f);
    assert_eq!(
        only(TaskFilter {
            overdue_on: Some(date("2026-11-26")),
            ..TaskFilter::default()
        }),
        ["late"]
    );
    assert_eq!(
        only(TaskFilter {
            assignee: Some("bob smith".into()),
            ..TaskFilter::default()
        }),
        ["Fix login"]
    );
    assert_eq!(
        only(TaskFilter {
            project: Some("WEB".into()),
            ..TaskFilter::default()
        }),
        ["Fix login"]
    );
    assert_eq!(
        only(TaskFilter {
            tag: Some("#bug".into()),
            ..TaskFilter::default()
        }),
        ["Fix login"]
    );
    assert_eq!(
        only(TaskFilter {
            priority: Some(Priority::Urgent),
            ..TaskFilter::default()
        }),
        ["urgent, undated"]
    );
    assert_eq!(
        only(TaskFilter {
            status: Some(StatusFilter::Open),
            limit: Some(2),
            ..TaskFilter::default()
        }),
        ["late", "Fix login"]
    );
    assert_eq!(
        only(TaskFilter {
            status: Some(StatusFilter::Done),
            ..TaskFilter::default()
        }),
        ["high, same day"]
    );
    // "all" is every status, as no status is.
    assert_eq!(
        only(TaskFilter {
            status: Some(StatusFilter::All),
            ..TaskFilter::default()
        }),
        only(TaskFilter::default())
    );
    assert!(only(TaskFilter::default()).contains(&"high, same day".to_string()));
    assert_eq!(
        only(TaskFilter {
            due_before: Some(date("2026-11-30")),
            ..TaskFilter::default()
        }),
        ["late"]
    );
}

fn deleting_returns_the_task_and_removes_it(b: &Backend) {
    let store = b.store("default");
    let t = fix_login(store.as_ref());
    assert_eq!(store.delete_task(t.id).unwrap(), t);
    assert!(matches!(
        store.get_task(t.id),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.delete_task(t.id),
        Err(StoreError::NotFound { .. })
    ));
}

fn audit_log_is_newest_first_and_sessions_round_trip(b: &Backend) {
    let store = b.store("default");
    for tool in ["a", "b", "c"] {
        let r = AuditRecord {
            at: now(),
            actor: Some("Bob Smith".into()),
            tool: tool.into(),
            arguments: json!({"id": 1, "text": "é \"quoted\""}),
            status: "ok".into(),
            result: json!(null),
        };
        store.record(&r).unwrap();
    }
    let log = store.audit_log(2).unwrap();
    assert_eq!(
        log.iter().map(|r| r.tool.as_str()).collect::<Vec<_>>(),
        ["c", "b"]
    );
    assert_eq!(log[0].arguments, json!({"id": 1, "text": "é \"quoted\""}));
    assert_eq!(store.load_session("s").unwrap(), None);
    store.save_session("s", &json!({"k": 1}), now()).unwrap();
    store.save_session("s", &json!({"k": 2}), now()).unwrap();
    assert_eq!(store.load_session("s").unwrap(), Some(json!({"k": 2})));
    store.save_session("t", &json!({"k": 3}), now()).unwrap();
    store.delete_session("s").unwrap();
    store.delete_session("never-saved").unwrap();
    assert_eq!(store.load_session("s").unwrap(), None);
    assert_eq!(store.load_session("t").unwrap(), Some(json!({"k": 3})));
}

fn settings_are_kept_per_workspace_and_overwritten(b: &Backend) {
    let (one, two) = (b.store("default"), b.store("other"));
    assert!(one.settings().unwrap().is_empty());
    one.set_setting("date_order", "month_first").unwrap();
    one.set_setting("date_order", "day_first").unwrap();
    two.set_setting("sprint_days", "7").unwrap();
    let got = one.settings().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got["date_order"], "day_first");
    assert_eq!(two.settings().unwrap()["sprint_days"], "7");
}

fn usage_is_newest_first_with_unknown_costs_kept_unknown(b: &Backend) {
    let store = b.store("default");
    let at = at("2026-11-26T10:00:00.123456789Z");
    for (model, cost) in [("gpt-4o", Some(0.01)), ("qwen2.5:7b", None)] {
        let u = UsageRecord {
            at,
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
        (usage[1].prompt_tokens, usage[1].cost_usd, usage[1].at),
        (1200, Some(0.01), at)
    );
    assert_eq!(store.usage(1).unwrap().len(), 1);
    assert!(b.store("other").usage(10).unwrap().is_empty());
}

fn dataset(hash: &str) -> NewDataset {
    NewDataset {
        name: "Churn".into(),
        path: "/data/churn.csv".into(),
        description: "customers".into(),
        rows: 100,
        columns: 5,
        hash: hash.into(),
        profile: json!([{"name": "age"}]),
    }
}

fn datasets_are_versioned_by_content(b: &Backend) {
    let store = b.store("default");
    let (first, added) = store.add_dataset(dataset("h1"), now()).unwrap();
    assert_eq!((first.version, added), (1, true));
    let (same, added) = store.add_dataset(dataset("h1"), now()).unwrap();
    assert_eq!((same, added), (first.clone(), false));
    let (second, added) = store
        .add_dataset(
            NewDataset {
                name: "churn".into(),
                ..dataset("h2")
            },
            now(),
        )
        .unwrap();
    assert_eq!(
        (second.version, second.name.as_str(), added),
        (2, "Churn", true)
    );
    assert_eq!(
        store.list_datasets().unwrap(),
        std::slice::from_ref(&second)
    );
    assert_eq!(store.get_dataset("CHURN", Some(1)).unwrap(), first);
    assert!(matches!(
        store.get_dataset("churn", Some(3)),
        Err(StoreError::NotFound { .. })
    ));
}

fn model(name: &str) -> NewModel {
    NewModel {
        record: ModelRecord {
            name: name.into(),
            version: 0,
            dataset: "churn".into(),
            dataset_version: 1,
            target: "left".into(),
            task: "binary".into(),
            metric: "roc_auc".into(),
            cv_score: 0.875,
            cv_std: 0.01,
            stage: Stage::Production,
            family: "logistic".into(),
            details: json!({"c": 1.0}),
            created_at: now(),
        },
        artifact: format!("{{\"model\": \"{name}\"}}"),
    }
}

fn models_are_versioned_staged_and_deleted(b: &Backend) {
    let store = b.store("default");
    let v1 = store.add_model(model("churn-model"), now()).unwrap();
    let v2 = store.add_model(model("churn-model"), now()).unwrap();
    assert_eq!((v1.version, v1.stage, v2.version), (1, Stage::None, 2));
    store.add_model(model("another"), now()).unwrap();
    assert_eq!(store.get_model("CHURN-MODEL", None).unwrap(), v2);
    assert_eq!(
        store.model_artifact("churn-model", 1).unwrap(),
        "{\"model\": \"churn-model\"}"
    );
    store
        .set_stage("churn-model", 1, Stage::Production)
        .unwrap();
    store
        .set_stage("churn-model", 2, Stage::Production)
        .unwrap();
    let stages: Vec<(String, u32, Stage)> = store
        .list_models()
        .unwrap()
        .into_iter()
        .map(|m| (m.name, m.version, m.stage))
        .collect();
    assert_eq!(
        stages,
        [
            ("another".into(), 1, Stage::None),
            ("churn-model".into(), 1, Stage::Archived),
            ("churn-model".into(), 2, Stage::Production),
        ]
    );
    assert!(matches!(
        store.set_stage("churn-model", 9, Stage::Staging),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.delete_model("churn-model", None).unwrap().len(), 2);
    assert!(matches!(
        store.delete_model("churn-model", None),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.list_models().unwrap().len(), 1);
}

fn workspaces_see_only_their_own_data_and_survive_reopening(b: &Backend) {
    let t = fix_login(b.store("default").as_ref());
    let again = b.store("default");
    assert_eq!(again.get_task(t.id).unwrap(), t);
    assert_eq!(again.list_people().unwrap().len(), 1);
    let other = b.store("other");
    assert!(
        other.list_people().unwrap().is_empty()
            && other.list_tasks(&TaskFilter::default()).unwrap().is_empty()
    );
    assert!(matches!(
        other.get_task(t.id),
        Err(StoreError::NotFound { .. })
    ));
}

/// Eight writers, each with its own store (as separate servers would have):
/// every task created exactly once, and concurrent patches to different
/// fields of the same task all kept.
fn concurrent_writers_lose_no_update_and_duplicate_no_task(b: &Backend) {
    let shared = b
        .store("default")
        .create_task(task("shared"), now())
        .unwrap();
    let writers: Vec<Arc<dyn Store>> = (0..8).map(|_| Arc::from(b.store("default"))).collect();
    std::thread::scope(|scope| {
        for (w, store) in writers.iter().enumerate() {
            scope.spawn(move || {
                for i in 0..10 {
                    let t = store
                        .create_task(task(&format!("w{w}-{i}")), now())
                        .unwrap();
                    store
                        .update_task(
                            t.id,
                            TaskPatch {
                                status: Some(Status::Done),
                                ..TaskPatch::default()
                            },
                            now(),
                        )
                        .unwrap();
                }
                let patch = match w % 4 {
                    0 => TaskPatch {
                        priority: Some(Priority::Urgent),
                        ..TaskPatch::default()
                    },
                    1 => TaskPatch {
                        description: Some("described".into()),
                        ..TaskPatch::default()
                    },
                    2 => TaskPatch {
                        estimate_hours: Some(3.0),
                        ..TaskPatch::default()
                    },
                    _ => TaskPatch {
                        due: Some(date("2026-12-24")),
                        ..TaskPatch::default()
                    },
                };
                store.update_task(shared.id, patch, now()).unwrap();
            });
        }
    });
    let store = b.store("default");
    let done = store
        .list_tasks(&TaskFilter {
            status: Some(StatusFilter::Done),
            ..TaskFilter::default()
        })
        .unwrap();
    let mut ids: Vec<i64> = done.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((done.len(), ids.len()), (80, 80));
    let s = store.get_task(shared.id).unwrap();
    assert_eq!(
        (
            s.priority,
            s.description.as_deref(),
            s.estimate_hours,
            s.due
        ),
        (
            Priority::Urgent,
            Some("described"),
            Some(3.0),
            Some(date("2026-12-24"))
        )
    );
}

fn works_when_called_from_inside_a_tokio_runtime(b: &Backend) {
    let store = b.store("default");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let made = runtime.block_on(async { store.create_task(task("from async"), now()) });
    assert_eq!(made.unwrap().title, "from async");
    // The store may also be dropped on a runtime thread.
    runtime.block_on(async move { drop(store) });
}

fn a_token_opens_its_workspace_until_revoked(b: &Backend) {
    let d = b.directory();
    let (acme, beta) = (b.name("acme"), b.name("beta"));
    d.create_workspace(&acme, None).unwrap();
    d.create_workspace(&beta, None).unwrap();
    let (token, info) = d.create_token(&acme, " ci ", Scope::Write, now()).unwrap();
    assert!(token.starts_with("mst_") && token.len() == 68, "{token}");
    assert_eq!(
        (info.name.as_str(), info.workspace.as_str()),
        ("ci", acme.as_str())
    );
    assert_eq!(d.authenticate(&token).unwrap(), Some(info.clone()));
    assert_eq!(d.authenticate(&format!("{token}x")).unwrap(), None);
    assert_eq!(d.authenticate("not-a-token").unwrap(), None);
    let (other, _) = d.create_token(&beta, "ci", Scope::Read, now()).unwrap();
    assert_eq!(d.authenticate(&other).unwrap().unwrap().workspace, beta);
    assert_eq!(d.list_tokens(&acme).unwrap(), [info]);
    let err = d.create_token(&acme, "CI", Scope::Read, now()).unwrap_err();
    assert!(err.to_string().contains("already has a token"), "{err}");
    assert!(d.create_token(&acme, "  ", Scope::Read, now()).is_err());

    d.revoke_token(&acme, "CI", now()).unwrap();
    assert_eq!(d.authenticate(&token).unwrap(), None);
    assert!(d.list_tokens(&acme).unwrap().is_empty());
    assert!(matches!(
        d.revoke_token(&acme, "ci", now()),
        Err(StoreError::NotFound { .. })
    ));
    assert!(
        d.authenticate(&other).unwrap().is_some(),
        "beta's token lives"
    );
    // A revoked token's name is free again.
    let (again, _) = d.create_token(&acme, "ci", Scope::Admin, now()).unwrap();
    assert_eq!(d.authenticate(&again).unwrap().unwrap().scope, Scope::Admin);
    assert!(matches!(
        d.create_token(&b.name("nowhere"), "ci", Scope::Read, now()),
        Err(StoreError::NotFound { .. })
    ));
}

fn workspace_names_and_slack_teams_are_unique_and_checked(b: &Backend) {
    let d = b.directory();
    let (acme, beta, team) = (b.name("acme"), b.name("beta"), b.name("T1"));
    let made = d
        .create_workspace(&acme, Some(&format!(" {team} ")))
        .unwrap();
    assert_eq!(made.slack_team.as_deref(), Some(team.as_str()));
    let err = d.create_workspace(&acme, None).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    let err = d.create_workspace(&beta, Some(&team)).unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("already maps to the workspace {acme:?}")),
        "{err}"
    );
    assert!(d.create_workspace("../etc", None).is_err());
    d.create_workspace(&beta, Some(" ")).unwrap();
    assert_eq!(
        d.workspace_for_team(&team).unwrap().map(|w| w.name),
        Some(acme.clone())
    );
    assert_eq!(d.workspace_for_team(&b.name("T2")).unwrap(), None);
    let mine: Vec<Workspace> = d
        .list_workspaces()
        .unwrap()
        .into_iter()
        .filter(|w| [&acme, &beta].contains(&&w.name))
        .collect();
    assert_eq!(
        mine,
        [
            Workspace {
                name: acme,
                slack_team: Some(team)
            },
            Workspace {
                name: beta,
                slack_team: None
            }
        ]
    );
}

fn racing_creators_make_one_workspace(b: &Backend) {
    let name = b.name("race");
    let wins = std::thread::scope(|s| {
        let racers: Vec<_> = (0..8)
            .map(|_| s.spawn(|| b.directory().create_workspace(&name, None)))
            .collect();
        racers
            .into_iter()
            .map(|r| r.join().unwrap())
            .filter(|made| match made {
                Ok(_) => true,
                Err(e) => {
                    assert!(e.to_string().contains("already exists"), "{e}");
                    false
                }
            })
            .count()
    });
    assert_eq!(wins, 1);
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

#[test]
fn a_postgres_server_that_is_not_there_is_a_clear_error() {
    let err = PgStore::connect("postgres://maestro@127.0.0.1:1/maestro", "default")
        .err()
        .expect("nothing listens on port 1")
        .to_string();
    assert!(
        err.contains("cannot connect to PostgreSQL at 127.0.0.1:1")
            && err.contains("MAESTRO_DATABASE_URL"),
        "{err}"
    );
    let err = PgStore::connect("mysql://x", "default")
        .err()
        .expect("not a PostgreSQL URL")
        .to_string();
    assert!(err.contains("not a valid PostgreSQL URL"), "{err}");
}

fn task_numbers_are_per_workspace_and_never_reused(b: &Backend) {
    let (one, two) = (b.store("default"), b.store("other"));
    let first = one.create_task(task("a"), now()).unwrap().id;
    let second = one.create_task(task("b"), now()).unwrap().id;
    assert_eq!(second, first + 1);
    one.delete_task(second).unwrap();
    let third = one.create_task(task("c"), now()).unwrap().id;
    assert_eq!(third, second + 1, "a deleted number is not issued again");
    // Another workspace counts on its own and never sees the first's numbers.
    assert_eq!(two.create_task(task("x"), now()).unwrap().id, 1);
    assert!(matches!(
        two.get_task(third),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(one.get_task(1).unwrap().title, "a");
    assert_eq!(two.get_task(1).unwrap().title, "x");
    // Changing or deleting #1 in one workspace leaves the other's #1 alone.
    one.delete_task(1).unwrap();
    assert_eq!(two.get_task(1).unwrap().title, "x");
}

fn the_stamp_counts_every_change_the_catalog_mirrors(b: &Backend) {
    let (one, two) = (b.store("default"), b.store("other"));
    let start = one.stamp().unwrap();
    assert_eq!(start.installation.len(), 32, "{start:?}");
    assert_eq!(start.installation, two.stamp().unwrap().installation);
    let t = fix_login(one.as_ref());
    let after_create = one.stamp().unwrap().changes;
    assert!(after_create >= start.changes + 2, "a person and a task");
    one.update_task(
        t.id,
        TaskPatch {
            title: Some("fix the login".into()),
            ..TaskPatch::default()
        },
        now(),
    )
    .unwrap();
    let after_update = one.stamp().unwrap().changes;
    assert!(after_update > after_create);
    one.delete_task(t.id).unwrap();
    assert!(one.stamp().unwrap().changes > after_update);
    // Sessions and settings are not mirrored; another workspace's changes do not count.
    let before = one.stamp().unwrap().changes;
    one.save_session("s", &json!({}), now()).unwrap();
    one.set_setting("date_order", "day_first").unwrap();
    two.create_task(task("elsewhere"), now()).unwrap();
    assert_eq!(one.stamp().unwrap().changes, before);
}

fn a_delivery_counts_once_until_forgotten(b: &Backend) {
    let d = b.directory();
    let key = b.name("Ev1");
    assert!(d.first_delivery(&key, now()).unwrap());
    assert!(!d.first_delivery(&key, now()).unwrap());
    assert!(d.first_delivery(&b.name("Ev2"), now()).unwrap());
    let later = now() + chrono::Duration::seconds(maestro_tools::store::DELIVERY_MEMORY + 1);
    assert!(
        d.first_delivery(&key, later).unwrap(),
        "forgotten after the memory"
    );
    // A second server on the same database knows it too.
    assert!(!b.directory().first_delivery(&key, later).unwrap());
}

fn revoking_a_token_deletes_its_conversations(b: &Backend) {
    let store = b.store("tokens");
    let d = b.directory();
    let workspace = store.workspace().to_string();
    let (_, ci) = d
        .create_token(&workspace, "ci", Scope::Write, now())
        .unwrap();
    let (_, bot) = d
        .create_token(&workspace, "bot", Scope::Write, now())
        .unwrap();
    let pending = json!({"confirm": [{"tool": "delete_task", "arguments": {"id": 1}}]});
    let mine = format!("{}s1", token_sessions(ci.id));
    let theirs = format!("{}s1", token_sessions(bot.id));
    for session in [&mine, &theirs, &"slack:C1".to_string()] {
        store.save_session(session, &pending, now()).unwrap();
    }
    d.revoke_token(&workspace, "ci", now()).unwrap();
    assert_eq!(store.load_session(&mine).unwrap(), None);
    assert!(store.load_session(&theirs).unwrap().is_some());
    assert!(store.load_session("slack:C1").unwrap().is_some());
}

fn importing_people_updates_the_team_all_or_nothing(b: &Backend) {
    let store = b.store("default");
    store
        .add_person(NewPerson {
            email: Some("bob@acme.io".into()),
            ..person("Bob Smith")
        })
        .unwrap();
    let merged = store
        .merge_people(vec![
            NewPerson {
                name: "Bobby".into(),
                email: Some("BOB@acme.io".into()),
                capacity: Some(20.0),
                ..NewPerson::default()
            },
            person("Ann Lee"),
        ])
        .unwrap();
    assert_eq!(
        (merged.added.len(), merged.updated.len(), merged.unchanged),
        (1, 1, 0)
    );
    let people = store.list_people().unwrap();
    assert_eq!(
        people
            .iter()
            .map(|p| (p.name.as_str(), p.capacity))
            .collect::<Vec<_>>(),
        [("Ann Lee", 40.0), ("Bob Smith", 20.0)]
    );
    // A bad row refuses the whole file.
    let err = store.merge_people(vec![person("Cy Young"), person("  ")]);
    assert!(err.is_err());
    assert_eq!(store.list_people().unwrap().len(), 2);
    // Two rows for one new person: one addition with both rows' details,
    // never an addition and an update of the same person.
    let merged = store
        .merge_people(vec![
            NewPerson {
                email: Some("dee@acme.io".into()),
                ..person("Dee Park")
            },
            NewPerson {
                name: "Dee".into(),
                email: Some("dee@acme.io".into()),
                capacity: Some(30.0),
                ..NewPerson::default()
            },
        ])
        .unwrap();
    assert_eq!(
        (merged.added.len(), merged.updated.len(), merged.unchanged),
        (1, 0, 0)
    );
    assert_eq!(
        (merged.added[0].name.as_str(), merged.added[0].capacity),
        ("Dee Park", 30.0)
    );
}

fn recurring_rules_are_numbered_per_workspace_kept_whole_and_changed(b: &Backend) {
    let store = b.store("default");
    let other = b.store(&b.name("other"));
    let spec = json!({"title": "send the report", "rule": "FREQ=WEEKLY;BYDAY=MO", "n": [1, 2]});
    let first = store.add_rule(&spec, now()).unwrap();
    let second = store.add_rule(&json!({"title": "b"}), now()).unwrap();
    let elsewhere = other.add_rule(&json!({"title": "c"}), now()).unwrap();
    assert_eq!((first.id, second.id, elsewhere.id), (1, 2, 1));
    assert_eq!((first.spec.clone(), first.active), (spec, true));
    let later = at("2026-11-27T08:00:00Z");
    let paused = store
        .update_rule(1, &json!({"title": "send it"}), false, later)
        .unwrap();
    assert_eq!(
        (
            paused.spec["title"].as_str(),
            paused.active,
            paused.updated_at,
            paused.created_at
        ),
        (Some("send it"), false, later, now())
    );
    let ids: Vec<i64> = store.rules().unwrap().iter().map(|r| r.id).collect();
    assert_eq!(ids, [1, 2]);
    assert_eq!(other.rules().unwrap().len(), 1);
    assert!(matches!(store.rule(9), Err(StoreError::NotFound { .. })));
    assert!(matches!(
        store.update_rule(9, &json!({}), true, now()),
        Err(StoreError::NotFound { .. })
    ));
}

fn racing_claims_of_one_key_create_one_task(b: &Backend) {
    b.store("default").add_person(person("Ann")).unwrap();
    let racers: Vec<Arc<dyn Store>> = (0..8).map(|_| Arc::from(b.store("default"))).collect();
    let created: Vec<Vec<i64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = racers
            .iter()
            .map(|store| {
                scope.spawn(move || {
                    (0..10)
                        .filter_map(|day| {
                            let t = NewTask {
                                title: format!("day {day}"),
                                assignee: Some("Ann".into()),
                                ..NewTask::default()
                            };
                            store
                                .create_task_once(&format!("rule:1:{day}"), t, now())
                                .unwrap()
                                .map(|t| t.id)
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut ids: Vec<i64> = created.into_iter().flatten().collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=10).collect::<Vec<_>>(), "each key made one task");
    let store = b.store("default");
    assert_eq!(store.list_tasks(&TaskFilter::default()).unwrap().len(), 10);
    // A claim that fails (an unknown assignee) takes nothing: the key stays free.
    let stranger = NewTask {
        title: "x".into(),
        assignee: Some("Nobody".into()),
        ..NewTask::default()
    };
    assert!(store.create_task_once("rule:2:1", stranger, now()).is_err());
    assert!(
        store
            .create_task_once("rule:2:1", task("x"), now())
            .unwrap()
            .is_some()
    );
}

fn reminders_are_numbered_kept_whole_and_change_state(b: &Backend) {
    let store = b.store("default");
    let other = b.store(&b.name("other"));
    let reminder = |person: &str| NewReminder {
        person: person.into(),
        text: "call the broker".into(),
        at: at("2026-12-08T14:00:00Z"),
        timezone: "Europe/Berlin".into(),
        created_by: Some("Ann".into()),
    };
    let first = store.add_reminder(&reminder("Ann"), now()).unwrap();
    let second = store.add_reminder(&reminder("Bo"), now()).unwrap();
    let elsewhere = other.add_reminder(&reminder("Cy"), now()).unwrap();
    assert_eq!((first.id, second.id, elsewhere.id), (1, 2, 1));
    assert_eq!(
        (
            first.person.as_str(),
            first.at,
            first.timezone.as_str(),
            first.created_by.as_deref(),
            first.state.as_str(),
            first.created_at
        ),
        (
            "Ann",
            at("2026-12-08T14:00:00Z"),
            "Europe/Berlin",
            Some("Ann"),
            "pending",
            now()
        )
    );
    let sent = store.set_reminder_state(2, "sent").unwrap();
    assert_eq!(sent.state, "sent");
    let states: Vec<String> = store
        .reminders()
        .unwrap()
        .into_iter()
        .map(|r| r.state)
        .collect();
    assert_eq!(states, ["pending", "sent"]);
    assert!(matches!(
        store.set_reminder_state(9, "sent"),
        Err(StoreError::NotFound { .. })
    ));
}

fn racing_posts_of_one_key_put_one_message_in_the_outbox(b: &Backend) {
    let racers: Vec<Arc<dyn Store>> = (0..8).map(|_| Arc::from(b.store("default"))).collect();
    let message = |day: u32| NewMessage {
        person: "Ann".into(),
        kind: "digest".into(),
        text: format!("day {day}"),
        body: json!({"signature": day}),
    };
    let posted: Vec<Vec<i64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = racers
            .iter()
            .map(|store| {
                scope.spawn(move || {
                    (0..10)
                        .filter_map(|day| {
                            store
                                .post_once(&format!("digest:Ann:{day}"), &message(day), now())
                                .unwrap()
                                .map(|m| m.id)
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut ids: Vec<i64> = posted.into_iter().flatten().collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=10).collect::<Vec<_>>(), "each key posted once");
    let store = b.store("default");
    let newest = store.messages(Some("ann"), Some("digest"), 3).unwrap();
    let ids: Vec<i64> = newest.iter().map(|m| m.id).collect();
    assert_eq!(ids, [10, 9, 8], "newest first, any case of the name");
    assert_eq!(newest[0].state, "kept");
    assert!(newest[0].body["signature"].is_number());
    assert!(store.messages(Some("Bo"), None, 10).unwrap().is_empty());
    assert!(
        store
            .messages(None, Some("reminder"), 10)
            .unwrap()
            .is_empty()
    );
    // A bare claim is taken once, and seen.
    assert!(!store.claimed("digest:Bo:1").unwrap());
    assert!(store.claim("digest:Bo:1", now()).unwrap());
    assert!(!store.claim("digest:Bo:1", now()).unwrap());
    assert!(store.claimed("digest:Bo:1").unwrap());
    // A message is taken by one sender, then recorded.
    assert!(
        store
            .move_message(10, "kept", "sending", None, None)
            .unwrap()
    );
    assert!(
        !store
            .move_message(10, "kept", "sending", None, None)
            .unwrap()
    );
    let failed = Some("chat.postMessage: Slack said \"channel_not_found\"");
    assert!(
        store
            .move_message(10, "sending", "failed", Some("slack"), failed)
            .unwrap()
    );
    let last = &store.messages(None, None, 1).unwrap()[0];
    assert_eq!(
        (
            last.state.as_str(),
            last.channel.as_deref(),
            last.error.as_deref()
        ),
        ("failed", Some("slack"), failed)
    );
}

fn people_keep_their_time_zone_through_imports(b: &Backend) {
    let store = b.store("default");
    store
        .add_person(NewPerson {
            timezone: Some("Europe/Berlin".into()),
            ..person("Ann")
        })
        .unwrap();
    store.add_person(person("Bo")).unwrap();
    // An import without a zone keeps Ann's; one with a zone sets Bo's.
    store
        .merge_people(vec![
            NewPerson {
                capacity: Some(20.0),
                ..person("Ann")
            },
            NewPerson {
                timezone: Some("Asia/Tokyo".into()),
                ..person("Bo")
            },
        ])
        .unwrap();
    let zones: Vec<Option<String>> = store
        .list_people()
        .unwrap()
        .into_iter()
        .map(|p| p.timezone)
        .collect();
    assert_eq!(
        zones,
        [Some("Europe/Berlin".into()), Some("Asia/Tokyo".into())]
    );
}
