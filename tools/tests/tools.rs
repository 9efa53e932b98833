//! The work tools through `Platform::call`: validation, grounding, audit.

use maestro_tools::{Clock, Platform, StatusFilter, TaskFilter, ToolError};
use serde_json::{Value, json};

fn platform() -> Platform {
    let p = Platform::in_memory(Clock::parse("2026-11-26T10:00:00Z").unwrap()).unwrap();
    p.call(
        None,
        "add_person",
        json!({"name": "Bob Smith", "skills": ["frontend"]}),
    )
    .unwrap();
    p
}

fn error(p: &Platform, tool: &str, args: Value) -> String {
    p.call(Some("Bob Smith"), tool, args)
        .unwrap_err()
        .to_string()
}

#[test]
fn create_task_returns_the_task_object_and_indexes_it() {
    let p = platform();
    let out = p
        .call(Some("Bob Smith"), "create_task", json!({"title": "fix the login bug", "assignee": "me", "priority": "high", "due": "2026-12-04", "tags": ["web"], "estimate_hours": 3}))
        .unwrap();
    let keys: Vec<&str> = out
        .data
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "id",
        "title",
        "description",
        "project",
        "assignee",
        "status",
        "priority",
        "due",
        "estimate_hours",
        "tags",
        "created_at",
        "updated_at",
        "completed_at",
    ] {
        assert!(keys.contains(&k), "task JSON lacks {k}: {keys:?}");
    }
    assert_eq!(
        (out.data["assignee"].as_str(), out.data["due"].as_str()),
        (Some("Bob Smith"), Some("2026-12-04"))
    );
    let hits = p
        .call(
            None,
            "search_catalog",
            json!({"query": "login bug", "kind": "task"}),
        )
        .unwrap();
    assert_eq!(hits.data[0]["payload"]["id"], out.data["id"]);
}

#[test]
fn bad_arguments_name_the_field_and_change_nothing() {
    let p = platform();
    assert!(
        error(
            &p,
            "create_task",
            json!({"title": "x", "priority": "extreme"})
        )
        .contains("`priority`")
    );
    assert!(error(&p, "create_task", json!({"titel": "x"})).contains("titel"));
    assert!(
        error(
            &p,
            "create_task",
            json!({"title": "x", "due": "2026-11-01"})
        )
        .contains("in the past")
    );
    assert!(
        error(&p, "create_task", json!({"title": "x", "due": "Friday"})).contains("YYYY-MM-DD")
    );
    assert!(
        error(
            &p,
            "create_task",
            json!({"title": "x", "estimate_hours": -2})
        )
        .contains("estimate_hours")
    );
    assert!(error(&p, "update_task", json!({"id": 1})).contains("say what to change"));
    assert!(error(&p, "complete_task", json!({"id": 42})).contains("no task 42"));
    let unknown = error(&p, "create_task", json!({"title": "x", "assignee": "Bbo"}));
    assert!(
        unknown.contains("not on the team") && unknown.contains("Bob Smith"),
        "{unknown}"
    );
    let tasks = p.call(None, "list_tasks", json!({})).unwrap();
    assert_eq!(tasks.data, json!([]), "no failed call left a task behind");
    assert!(matches!(
        p.call(None, "launch_rockets", json!({})),
        Err(ToolError::UnknownTool(_))
    ));
}

#[test]
fn every_call_is_audited_with_who_what_and_how() {
    let p = platform();
    p.call(Some("Bob Smith"), "create_task", json!({"title": "a"}))
        .unwrap();
    let _ = p.call(Some("Bob Smith"), "delete_task", json!({"id": 99}));
    let log = p.query(None).audit_log(10).unwrap();
    assert_eq!(log[0].tool, "delete_task");
    assert_eq!(
        (log[0].status.as_str(), log[0].actor.as_deref()),
        ("error", Some("Bob Smith"))
    );
    assert_eq!(
        (log[1].tool.as_str(), log[1].status.as_str()),
        ("create_task", "ok")
    );
    assert_eq!(log[1].arguments, json!({"title": "a"}));
}

#[test]
fn reads_for_someone_are_audited_and_lookups_to_understand_are_not() {
    let p = platform();
    p.call(None, "create_task", json!({"title": "a", "project": "Web"}))
        .unwrap();
    let open = TaskFilter {
        status: Some(StatusFilter::Open),
        ..TaskFilter::default()
    };
    assert_eq!(p.query(Some("Bob Smith")).tasks(&open).unwrap().len(), 1);
    assert!(p.query(Some("Bob Smith")).task(7).is_err());
    p.lookup(Some("Bob Smith")).people().unwrap();
    p.lookup(None).project("web").unwrap();
    let log = p.lookup(None).audit_log(10).unwrap();
    let seen: Vec<(&str, &str, &Value)> = log[..3]
        .iter()
        .map(|r| (r.tool.as_str(), r.status.as_str(), &r.result))
        .collect();
    assert_eq!(
        seen,
        [
            ("query.task", "error", &json!("there is no task 7")),
            ("query.tasks", "ok", &json!("1 tasks")),
            ("create_task", "ok", &log[2].result),
        ]
    );
    assert_eq!(log[1].arguments, json!({"status": "open"}));
    assert_eq!(log[1].actor.as_deref(), Some("Bob Smith"));
    // "me" is the one asking, by the rule every tool uses.
    assert_eq!(
        p.lookup(Some("bob")).person("me").unwrap().name,
        "Bob Smith"
    );
}

#[test]
fn every_tool_has_a_schema_examples_and_a_description() {
    let p = platform();
    let names: Vec<&str> = p.registry().iter().map(|t| t.name()).collect();
    for name in [
        "create_task",
        "update_task",
        "complete_task",
        "delete_task",
        "assign_task",
        "list_tasks",
        "search_catalog",
        "add_person",
        "list_people",
        "help",
    ] {
        assert!(names.contains(&name), "missing tool {name}");
    }
    for t in p.registry().iter() {
        assert!(t.examples().len() >= 3, "{} needs 3+ examples", t.name());
        assert_eq!(t.schema()["type"], "object", "{}", t.name());
        assert!(!t.description().is_empty());
    }
    assert_eq!(
        p.registry().get("create_task").unwrap().schema()["required"],
        json!(["title"])
    );
}

#[test]
fn importing_tasks_is_all_or_nothing_and_explains_missing_columns() {
    let p = platform();
    let err = maestro_tools::import::import_tasks(&p, "name,due\nx,2026-01-01\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("`title`"), "{err}");
    let err = maestro_tools::import::import_tasks(&p, "title,assignee\na,Bob Smith\nb,Nobody\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Nobody") && err.contains("Nothing was imported"),
        "{err}"
    );
    assert_eq!(
        p.call(None, "list_tasks", json!({})).unwrap().data,
        json!([])
    );
    let ok = maestro_tools::import::import_tasks(
        &p,
        "title,assignee,created_at,completed_at,actual_hours\nmigrate db,Bob Smith,2024-12-02,2024-12-03,2.5\n",
    )
    .unwrap();
    assert_eq!(
        (ok[0].status, ok[0].actual_hours),
        (maestro_tools::Status::Done, Some(2.5))
    );
}

#[test]
fn update_tasks_changes_every_match_and_asks_first_when_more_than_one() {
    let p = Platform::in_memory(Clock::parse("2026-11-26T10:00:00Z").unwrap()).unwrap();
    maestro_tools::import::load_demo(&p).unwrap();
    let bobs =
        json!({"filter": {"assignee": "Bob", "status": "open"}, "changes": {"assignee": "Dave"}});
    let question = p.confirmation(None, "update_tasks", &bobs).unwrap();
    assert!(question.contains("3 tasks"), "{question}");
    assert!(question.contains("#1"), "{question}");
    let one = json!({"filter": {"tag": "docs"}, "changes": {"status": "done"}});
    assert_eq!(p.confirmation(None, "update_tasks", &one), None);

    let out = p.call(None, "update_tasks", bobs).unwrap();
    assert!(
        out.summary.starts_with("Changed 3 tasks"),
        "{}",
        out.summary
    );
    let moved = p
        .call(
            None,
            "list_tasks",
            json!({"assignee": "Dave", "status": "open"}),
        )
        .unwrap();
    let ids: Vec<i64> = moved
        .data
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    for id in [1, 3, 9] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    let none = p
        .call(
            None,
            "list_tasks",
            json!({"assignee": "Bob", "status": "open"}),
        )
        .unwrap();
    assert_eq!(none.data, json!([]));

    let nothing = p
        .call(
            None,
            "update_tasks",
            json!({"filter": {"project": "Nowhere"}, "changes": {"priority": "low"}}),
        )
        .unwrap();
    assert!(nothing.summary.contains("nothing changed"));
}

#[test]
fn update_tasks_needs_a_filter_and_a_change_and_checks_both_before_changing_anything() {
    let p = Platform::in_memory(Clock::parse("2026-11-26T10:00:00Z").unwrap()).unwrap();
    maestro_tools::import::load_demo(&p).unwrap();
    let before = p.call(None, "list_tasks", json!({})).unwrap().data;
    let err = error(
        &p,
        "update_tasks",
        json!({"filter": {}, "changes": {"priority": "low"}}),
    );
    assert!(err.contains("say which tasks"), "{err}");
    // "Every status" narrows nothing, so it is no filter either.
    let err = error(
        &p,
        "update_tasks",
        json!({"filter": {"status": "all"}, "changes": {"priority": "low"}}),
    );
    assert!(err.contains("say which tasks"), "{err}");
    let err = error(
        &p,
        "update_tasks",
        json!({"filter": {"project": "Website"}, "changes": {}}),
    );
    assert!(err.contains("say what to change"), "{err}");
    let err = error(
        &p,
        "update_tasks",
        json!({"filter": {"project": "Website"}, "changes": {"assignee": "Zed"}}),
    );
    assert!(err.to_lowercase().contains("zed"), "{err}");
    let err = error(
        &p,
        "update_tasks",
        json!({"filter": {"project": "Website"}, "changes": {"due": "2020-01-01"}}),
    );
    assert!(err.contains("due"), "{err}");
    assert_eq!(p.call(None, "list_tasks", json!({})).unwrap().data, before);
}

#[test]
fn free_text_has_a_length_limit_that_says_what_to_do() {
    let p = platform();
    let long = "x".repeat(100_000);
    for (tool, args, field) in [
        ("create_task", json!({"title": long}), "title"),
        (
            "create_task",
            json!({"title": "x", "description": long}),
            "description",
        ),
        ("create_task", json!({"title": "x", "tags": [long]}), "tags"),
        ("add_person", json!({"name": long}), "name"),
        (
            "add_person",
            json!({"name": "Frank Moore", "skills": vec!["rust"; 51]}),
            "skills",
        ),
    ] {
        let e = error(&p, tool, args);
        assert!(e.contains(field) && e.contains("at most"), "{tool}: {e}");
    }
    let tasks = p.call(None, "list_tasks", json!({})).unwrap();
    assert_eq!(tasks.data, json!([]), "no failed call left a task behind");
    let people = p.call(None, "list_people", json!({})).unwrap();
    assert_eq!(people.data.as_array().unwrap().len(), 1);
    // Within the limits all is as before.
    let ok = "y".repeat(500);
    assert!(p.call(None, "create_task", json!({"title": ok})).is_ok());
}

#[test]
fn watchers_hear_of_changes_and_not_of_reads_or_failures() {
    use std::sync::{Arc, Mutex};
    let p = platform();
    let heard: Arc<Mutex<Vec<String>>> = Arc::default();
    let ears = Arc::clone(&heard);
    p.watch(Arc::new(move |change: &maestro_tools::Change<'_>| {
        let title = change.data["title"].as_str().unwrap_or("").to_string();
        ears.lock()
            .unwrap()
            .push(format!("{} {title}", change.tool));
    }));
    p.call(None, "create_task", json!({"title": "Patch the VPN"}))
        .unwrap();
    p.call(None, "list_tasks", json!({})).unwrap();
    p.call(None, "create_task", json!({"title": ""}))
        .unwrap_err();
    p.call(None, "complete_task", json!({"id": 1})).unwrap();
    assert_eq!(
        *heard.lock().unwrap(),
        ["create_task Patch the VPN", "complete_task Patch the VPN"]
    );
}

#[test]
fn listing_tasks_shows_open_ones_and_says_how_many_done_are_hidden() {
    let p = platform();
    for title in ["ship it", "write docs", "fix login"] {
        p.call(
            None,
            "create_task",
            json!({"title": title, "assignee": "Bob"}),
        )
        .unwrap();
    }
    p.call(None, "complete_task", json!({"id": 1})).unwrap();
    let titles = |out: &maestro_tools::ToolOutput| -> Vec<String> {
        out.data
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_string())
            .collect()
    };
    let open = p
        .call(None, "list_tasks", json!({"assignee": "Bob"}))
        .unwrap();
    assert_eq!(titles(&open), ["write docs", "fix login"]);
    assert!(
        open.summary.starts_with("2 open tasks.") && open.summary.contains("1 done task not shown"),
        "{}",
        open.summary
    );
    let all = p
        .call(None, "list_tasks", json!({"status": "all"}))
        .unwrap();
    assert_eq!(titles(&all).len(), 3);
    assert_eq!(all.summary, "3 tasks.");
    let done = p
        .call(None, "list_tasks", json!({"status": "done"}))
        .unwrap();
    assert_eq!(titles(&done), ["ship it"]);
}
