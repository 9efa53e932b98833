//! The work-intelligence tools on a real (in-memory SQLite) platform holding
//! part of the shipped history, plus open work, and their fallbacks on a
//! workspace with no history.

use maestro_tools::{Clock, Platform, import};
use serde_json::{Value, json};

const HISTORY: &str = include_str!("../../examples/history/task_history.csv");
const PEOPLE: &str = include_str!("../../examples/history/task_history_people.csv");

/// The first `rows` tasks of the shipped history, the team, and three open tasks.
fn platform(rows: usize) -> Platform {
    let p = Platform::in_memory(Clock::parse("2026-11-26T10:00:00Z").unwrap()).unwrap();
    import::import_people(&p, PEOPLE).unwrap();
    let history: String = HISTORY
        .lines()
        .take(rows + 1)
        .collect::<Vec<_>>()
        .join("\n");
    import::import_tasks(&p, &history).unwrap();
    for (title, who, due, estimate, project) in [
        (
            "Fix the SSO integration login loop",
            "Alice",
            "2026-11-27",
            30.0,
            "Website",
        ),
        (
            "Refactor the billing cron job",
            "Frank",
            "2026-12-18",
            6.0,
            "Billing Platform",
        ),
        (
            "Write the release notes",
            "Judy",
            "2026-12-04",
            3.0,
            "Website",
        ),
    ] {
        p.call(None, "create_task", json!({"title": title, "assignee": who, "due": due, "estimate_hours": estimate, "project": project}))
            .unwrap();
    }
    p
}

fn call(p: &Platform, tool: &str, args: Value) -> maestro_tools::ToolOutput {
    p.call(None, tool, args)
        .unwrap_or_else(|e| panic!("{tool}: {e}"))
}

#[test]
fn recommendations_follow_who_did_similar_work() {
    let p = platform(800);
    let out = call(
        &p,
        "recommend_assignee",
        json!({"title": "Fix the payment webhooks", "limit": 3}),
    );
    let names: Vec<&str> = out.data["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3);
    // Billing work goes to the billing people (Frank, Judy, Ivan in the history).
    assert!(
        names.iter().any(|n| ["Frank", "Judy", "Ivan"].contains(n)),
        "{names:?}"
    );
    assert!(out.summary.contains("learnt from"), "{}", out.summary);
    let scores: Vec<f64> = out.data["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn durations_come_with_an_interval_and_risk_ranks_open_tasks() {
    let p = platform(800);
    let id = p
        .query(None)
        .tasks(&Default::default())
        .unwrap()
        .iter()
        .map(|t| t.id)
        .max()
        .unwrap();
    let out = call(&p, "predict_duration", json!({"id": id - 2}));
    let (low, hours, high) = (
        out.data["low"].as_f64().unwrap(),
        out.data["hours"].as_f64().unwrap(),
        out.data["high"].as_f64().unwrap(),
    );
    assert!(low < hours && hours < high, "{}", out.data);

    let risk = call(&p, "assess_risk", json!({}));
    let ranked = risk.data.as_array().unwrap();
    assert_eq!(ranked.len(), 3, "the three open tasks with due dates");
    // 30 hours due tomorrow is the riskiest.
    assert_eq!(ranked[0]["id"], json!(id - 2));
    assert!(
        ranked[0]["probability"].as_f64().unwrap() > ranked[2]["probability"].as_f64().unwrap()
    );

    let timeline = call(&p, "project_timeline", json!({"project": "website"}));
    assert!(timeline.data["p50"].as_str().unwrap() <= timeline.data["p90"].as_str().unwrap());
    assert_eq!(timeline.data["open_tasks"], 2);
}

#[test]
fn workload_anomalies_and_assigning_to_the_best_fit() {
    let p = platform(800);
    let report = call(&p, "workload_report", json!({}));
    let alice = report
        .data
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person"] == "Alice")
        .unwrap();
    assert_eq!(alice["open_tasks"], 1);
    assert_eq!(alice["estimated_hours"], 30.0);

    let odd = call(&p, "detect_anomalies", json!({}));
    assert!(odd.summary.contains("unusual"), "{}", odd.summary);

    let created = call(
        &p,
        "create_task",
        json!({"title": "Patch the refund API", "auto_assign": true}),
    );
    assert!(created.data["assignee"].is_string(), "{}", created.data);
    assert!(created.summary.contains("best fit"), "{}", created.summary);
    let id = created.data["id"].as_i64().unwrap();
    let assigned = call(&p, "assign_task", json!({"id": id}));
    assert!(assigned.data["assignee"].is_string());
}

#[test]
fn without_history_the_tools_say_so_and_fall_back() {
    let p = Platform::in_memory(Clock::parse("2026-11-26T10:00:00Z").unwrap()).unwrap();
    import::load_demo(&p).unwrap();
    let out = call(&p, "predict_duration", json!({"id": 2}));
    assert!(
        out.summary.contains("Going by the estimate"),
        "{}",
        out.summary
    );
    assert!(out.summary.contains("no model yet"), "{}", out.summary);
    let rec = call(
        &p,
        "recommend_assignee",
        json!({"title": "fix the postgres backups"}),
    );
    assert!(!rec.data["suggestions"].as_array().unwrap().is_empty());
    let risk = p
        .call(None, "assess_risk", json!({}))
        .unwrap_err()
        .to_string();
    assert!(
        risk.contains("completed task") && risk.contains("overdue"),
        "{risk}"
    );
    let bad = p
        .call(None, "predict_duration", json!({}))
        .unwrap_err()
        .to_string();
    assert!(bad.contains("number"), "{bad}");
}
