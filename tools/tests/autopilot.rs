//! Recurring tasks through `Platform::call` and the scheduler's tick:
//! occurrences created once, in their time zone, at their lead time, one
//! catch-up after downtime, nothing while paused or after cancelling.

use chrono::{DateTime, Utc};
use maestro_tools::{Clock, Platform, StatusFilter, TaskFilter, ToolError, import};
use serde_json::{Value, json};

/// Monday 7 December 2026, 10:00 UTC.
const NOW: &str = "2026-12-07T10:00:00Z";

fn platform() -> Platform {
    let p = Platform::in_memory(Clock::parse(NOW).unwrap()).unwrap();
    import::load_demo(&p).unwrap();
    p
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn create(p: &Platform, args: Value) -> Value {
    p.call(Some("Alice Johnson"), "create_recurring_task", args)
        .unwrap()
        .data
}

/// The due days of the tasks a rule created, in order.
fn occurrences(p: &Platform, title: &str) -> Vec<String> {
    let filter = TaskFilter {
        status: Some(StatusFilter::All),
        ..TaskFilter::default()
    };
    p.lookup(None)
        .tasks(&filter)
        .unwrap()
        .into_iter()
        .filter(|t| t.title == title)
        .map(|t| t.due.map(|d| d.to_string()).unwrap_or_default())
        .collect()
}

#[test]
fn a_rule_is_checked_spelled_canonically_and_listed_with_its_next_day() {
    let p = platform();
    let made = create(
        &p,
        json!({"title": "send the status report", "assignee": "me",
               "rule": "byday=mo;freq=weekly;byhour=9", "timezone": "Europe/Berlin"}),
    );
    assert_eq!(made["rule"], "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0");
    assert_eq!(made["assignee"], "Alice Johnson");
    assert_eq!(made["schedule"], "every Monday at 09:00");
    // 9:00 in Berlin had passed when it was made: the next is next Monday.
    assert_eq!(made["next_due"], "2026-12-14");
    let listed = p.call(None, "list_recurring", json!({})).unwrap();
    assert_eq!(listed.data[0]["id"], 1);
    assert_eq!(listed.data[0]["timezone"], "Europe/Berlin");
    let mine = p
        .call(
            Some("Bob Smith"),
            "list_recurring",
            json!({"assignee": "me"}),
        )
        .unwrap();
    assert_eq!(mine.data, json!([]));
}

#[test]
fn bad_rules_zones_people_and_lead_times_are_refused_with_what_to_do() {
    let p = platform();
    for (args, field, says) in [
        (
            json!({"title": "x", "rule": "every monday"}),
            "rule",
            "FREQ=WEEKLY",
        ),
        (
            json!({"title": "x", "rule": "FREQ=HOURLY"}),
            "rule",
            "DAILY",
        ),
        (
            json!({"title": "x", "rule": "FREQ=DAILY", "timezone": "Mars/Olympus"}),
            "timezone",
            "IANA",
        ),
        (
            json!({"title": "x", "rule": "FREQ=DAILY", "lead_days": 400}),
            "lead_days",
            "0 to 365",
        ),
        (
            json!({"title": " ", "rule": "FREQ=DAILY"}),
            "title",
            "say what",
        ),
    ] {
        match p.call(None, "create_recurring_task", args.clone()) {
            Err(ToolError::InvalidArgument {
                field: f, message, ..
            }) => {
                assert_eq!(f, field, "{args}");
                assert!(message.contains(says), "{args}: {message}");
            }
            other => panic!("{args}: {other:?}"),
        }
    }
    let stranger = p.call(
        None,
        "create_recurring_task",
        json!({"title": "x", "rule": "FREQ=DAILY", "assignee": "Zed"}),
    );
    assert!(
        matches!(stranger, Err(ToolError::UnknownPerson { .. })),
        "{stranger:?}"
    );
    assert_eq!(
        p.call(None, "list_recurring", json!({})).unwrap().data,
        json!([])
    );
}

#[test]
fn each_occurrence_is_created_once_on_its_day_in_its_zone() {
    let p = platform();
    create(
        &p,
        json!({"title": "report", "assignee": "Bob", "rule": "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9",
               "timezone": "Europe/Berlin", "priority": "high", "tags": ["ops"]}),
    );
    assert!(
        p.tick(at(NOW)).unwrap().created.is_empty(),
        "today's 9:00 had passed"
    );
    // Sunday 23:30 UTC is already Monday 00:30 in Berlin: the day has come.
    let report = p.tick(at("2026-12-13T23:30:00Z")).unwrap();
    assert_eq!(report.created.len(), 1);
    assert_eq!(report.created[0].due.to_string(), "2026-12-14");
    assert!(!report.created[0].catch_up);
    for again in ["2026-12-13T23:31:00Z", "2026-12-14T12:00:00Z"] {
        assert!(p.tick(at(again)).unwrap().created.is_empty(), "{again}");
    }
    let task = p.lookup(None).task(report.created[0].task).unwrap();
    assert_eq!(
        (
            task.assignee.as_deref(),
            task.priority.to_string(),
            task.tags.clone()
        ),
        (
            Some("Bob Smith"),
            "high".to_string(),
            vec!["ops".to_string()]
        )
    );
    assert!(task.description.unwrap().contains("09:00 CET"));
}

#[test]
fn lead_days_create_occurrences_ahead_of_their_day() {
    let p = platform();
    create(
        &p,
        json!({"title": "close the books", "rule": "FREQ=MONTHLY;BYMONTHDAY=-1", "lead_days": 3}),
    );
    assert!(
        p.tick(at("2026-12-27T12:00:00Z"))
            .unwrap()
            .created
            .is_empty()
    );
    let report = p.tick(at("2026-12-28T00:00:00Z")).unwrap();
    assert_eq!(report.created[0].due.to_string(), "2026-12-31");
    assert_eq!(occurrences(&p, "close the books"), ["2026-12-31"]);
}

#[test]
fn after_downtime_one_catch_up_occurrence_not_one_per_missed_day() {
    let p = platform();
    create(
        &p,
        json!({"title": "check the inbox", "rule": "FREQ=DAILY"}),
    );
    p.tick(at(NOW)).unwrap();
    // Nothing ran from Tuesday to Thursday.
    let report = p.tick(at("2026-12-11T08:00:00Z")).unwrap();
    let made: Vec<(String, bool)> = report
        .created
        .iter()
        .map(|c| (c.due.to_string(), c.catch_up))
        .collect();
    assert_eq!(
        made,
        [
            ("2026-12-10".to_string(), true),
            ("2026-12-11".to_string(), false)
        ]
    );
    assert_eq!(
        occurrences(&p, "check the inbox"),
        ["2026-12-07", "2026-12-10", "2026-12-11"]
    );
}

#[test]
fn paused_rules_wait_resumed_ones_go_on_and_cancelled_ones_stop_for_good() {
    let p = platform();
    create(
        &p,
        json!({"title": "water the plants", "rule": "FREQ=DAILY"}),
    );
    let paused = p
        .call(None, "update_recurring", json!({"id": 1, "active": false}))
        .unwrap();
    assert_eq!(
        (
            paused.data["active"].clone(),
            paused.data["next_due"].clone()
        ),
        (json!(false), Value::Null)
    );
    assert!(p.tick(at(NOW)).unwrap().created.is_empty());
    let moved = p
        .call(
            None,
            "update_recurring",
            json!({"id": 1, "active": true, "rule": "FREQ=WEEKLY;BYDAY=WE"}),
        )
        .unwrap();
    assert_eq!(moved.data["next_due"], "2026-12-09");
    assert_eq!(p.tick(at("2026-12-09T06:00:00Z")).unwrap().created.len(), 1);
    p.call(None, "cancel_recurring", json!({"id": 1})).unwrap();
    assert!(
        p.tick(at("2026-12-16T06:00:00Z"))
            .unwrap()
            .created
            .is_empty()
    );
    let resumed = p.call(None, "update_recurring", json!({"id": 1, "active": true}));
    assert!(
        matches!(&resumed, Err(ToolError::InvalidArgument { message, .. }) if message.contains("cancelled")),
        "{resumed:?}"
    );
    assert_eq!(
        p.call(None, "list_recurring", json!({})).unwrap().data,
        json!([])
    );
    assert_eq!(occurrences(&p, "water the plants"), ["2026-12-09"]);
}

#[test]
fn a_rule_ends_on_its_until_day_or_after_its_count() {
    let p = platform();
    create(
        &p,
        json!({"title": "a", "rule": "FREQ=DAILY;UNTIL=20261208"}),
    );
    create(&p, json!({"title": "b", "rule": "FREQ=WEEKLY;COUNT=2"}));
    for day in 7..=31 {
        p.tick(at(&format!("2026-12-{day:02}T12:00:00Z"))).unwrap();
    }
    assert_eq!(occurrences(&p, "a"), ["2026-12-07", "2026-12-08"]);
    assert_eq!(occurrences(&p, "b"), ["2026-12-07", "2026-12-14"]);
    let over = p.call(
        None,
        "create_recurring_task",
        json!({"title": "c", "rule": "FREQ=DAILY;UNTIL=20261206"}),
    );
    assert!(
        matches!(&over, Err(ToolError::InvalidArgument { message, .. }) if message.contains("no occurrence from today")),
        "{over:?}"
    );
}
