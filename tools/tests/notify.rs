//! Reminders and digests through `Platform::call` and the scheduler's tick:
//! a reminder delivered once at its time, never after it is cancelled; a
//! digest's lists; the daily digest at each person's local morning, once,
//! skipped when it has no news.

use chrono::{DateTime, Utc};
use maestro_tools::{Backends, Clock, Platform, ToolError, import};
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

fn call(p: &Platform, tool: &str, args: Value) -> Value {
    p.call(Some("Alice Johnson"), tool, args).unwrap().data
}

fn titles(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect()
}

/// The outbox, oldest first: (person, kind, text).
fn outbox(p: &Platform) -> Vec<(String, String, String)> {
    let mut all = p.lookup(None).outbox(None, 100).unwrap();
    all.reverse();
    all.into_iter()
        .map(|m| (m.person, m.kind, m.text))
        .collect()
}

#[test]
fn a_reminder_is_delivered_once_at_its_time_and_then_no_longer_listed() {
    let p = platform();
    let made = call(
        &p,
        "create_reminder",
        json!({"text": "call the broker", "at": "2026-12-07T15:00", "person": "me"}),
    );
    assert_eq!(made["id"], 1);
    assert_eq!(made["person"], "Alice Johnson");
    assert_eq!(made["at"], "2026-12-07T15:00");
    assert_eq!(made["timezone"], "UTC");
    let listed = call(&p, "list_reminders", json!({"person": "alice"}));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(
        p.tick(at("2026-12-07T14:59:00Z"))
            .unwrap()
            .reminded
            .is_empty()
    );
    assert_eq!(p.tick(at("2026-12-07T15:00:00Z")).unwrap().reminded, [1]);
    assert!(
        p.tick(at("2026-12-07T15:01:00Z"))
            .unwrap()
            .reminded
            .is_empty()
    );
    let reminders: Vec<_> = outbox(&p)
        .into_iter()
        .filter(|(_, kind, _)| kind == "reminder")
        .collect();
    assert_eq!(
        reminders,
        [(
            "Alice Johnson".to_string(),
            "reminder".to_string(),
            "Reminder: call the broker".to_string()
        )]
    );
    assert_eq!(call(&p, "list_reminders", json!({})), json!([]));
    let late = p.call(None, "cancel_reminder", json!({"id": 1}));
    assert!(
        matches!(&late, Err(ToolError::InvalidArgument { message, .. }) if message.contains("sent already")),
        "{late:?}"
    );
}

#[test]
fn a_reminder_in_another_zone_and_a_cancelled_one() {
    let p = platform();
    let berlin = call(
        &p,
        "create_reminder",
        json!({"text": "renew the certificates", "at": "2026-12-08T09:00",
               "person": "Dave Kim", "timezone": "Europe/Berlin"}),
    );
    let cancelled = call(
        &p,
        "create_reminder",
        json!({"text": "water the plants", "at": "2026-12-07T11:00", "person": "Bob Smith"}),
    );
    let day_alone = call(
        &p,
        "create_reminder",
        json!({"text": "pay the invoices", "at": "2026-12-09", "person": "Bob Smith"}),
    );
    assert_eq!(day_alone["at"], "2026-12-09T09:00", "a day alone is 09:00");
    call(&p, "cancel_reminder", json!({"id": day_alone["id"]}));
    call(&p, "cancel_reminder", json!({"id": cancelled["id"]}));
    // 09:00 in Berlin is 08:00 UTC.
    assert!(
        p.tick(at("2026-12-08T07:59:00Z"))
            .unwrap()
            .reminded
            .is_empty()
    );
    assert_eq!(
        p.tick(at("2026-12-08T08:00:00Z")).unwrap().reminded,
        [berlin["id"].as_i64().unwrap()]
    );
    let texts: Vec<String> = outbox(&p)
        .into_iter()
        .filter(|(_, kind, _)| kind == "reminder")
        .map(|(who, _, text)| format!("{who}: {text}"))
        .collect();
    assert_eq!(texts, ["Dave Kim: Reminder: renew the certificates"]);
}

#[test]
fn bad_reminders_are_refused_with_what_to_do() {
    let p = platform();
    for (args, field, says) in [
        (
            json!({"text": "x", "at": "2026-12-07T09:00"}),
            "at",
            "has passed",
        ),
        (
            json!({"text": "x", "at": "tomorrow at 3"}),
            "at",
            "YYYY-MM-DDTHH:MM",
        ),
        (
            json!({"text": "x", "at": "2027-03-28T02:30", "timezone": "Europe/Berlin"}),
            "at",
            "does not exist",
        ),
        (
            json!({"text": "x", "at": "2026-12-08T09:00", "timezone": "Mars/Olympus"}),
            "timezone",
            "IANA",
        ),
        (
            json!({"text": " ", "at": "2026-12-08T09:00"}),
            "text",
            "say what",
        ),
    ] {
        match p.call(Some("Alice Johnson"), "create_reminder", args.clone()) {
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
        "create_reminder",
        json!({"text": "x", "at": "2026-12-08T09:00", "person": "Zed"}),
    );
    assert!(
        matches!(stranger, Err(ToolError::UnknownPerson { .. })),
        "{stranger:?}"
    );
    let nobody = p.call(
        None,
        "create_reminder",
        json!({"text": "x", "at": "2026-12-08T09:00"}),
    );
    assert!(
        matches!(&nobody, Err(ToolError::InvalidArgument { field, .. }) if field == "person"),
        "{nobody:?}"
    );
    assert_eq!(call(&p, "list_reminders", json!({})), json!([]));
}

#[test]
fn a_digest_lists_overdue_due_soon_and_new_work() {
    let p = platform();
    let digest = call(&p, "digest", json!({"person": "me"}));
    assert_eq!(digest["person"], "Alice Johnson");
    assert_eq!(titles(&digest["overdue"]), ["Clean up old feature flags"]);
    // Today is Monday: due soon runs through Wednesday.
    assert_eq!(titles(&digest["due_soon"]), ["Rotate the API keys"]);
    assert_eq!(digest["new_for_you"].as_array().unwrap().len(), 3);
    assert_eq!(digest["at_risk"], json!([]), "no history to learn from");
    assert_eq!(digest["changed_since_last"], true);
    let unknown = p.call(None, "digest", json!({"person": "Zed"}));
    assert!(matches!(unknown, Err(ToolError::UnknownPerson { .. })));
}

/// The demo workspace in a SQLite file under `home`, its clock at `now`.
fn on_disk(home: &std::path::Path, now: &str) -> Platform {
    let backends = Backends::new(None, None, None).unwrap();
    Platform::connect(home, "default", Clock::parse(now).unwrap(), &backends).unwrap()
}

#[test]
fn the_daily_digest_comes_once_at_local_morning_on_working_days_and_only_with_news() {
    let home = tempfile::tempdir().unwrap();
    let p = on_disk(home.path(), NOW);
    import::load_demo(&p).unwrap();
    call(
        &p,
        "update_person",
        json!({"name": "Bob", "timezone": "America/New_York"}),
    );
    let sent = |now: &str| -> Vec<(String, bool)> {
        p.tick(at(now))
            .unwrap()
            .digests
            .into_iter()
            .map(|d| (d.person, d.sent))
            .collect()
    };
    let everyone_but_bob: Vec<(String, bool)> =
        ["Alice Johnson", "Carol Diaz", "Dave Kim", "Erin Walsh"]
            .iter()
            .map(|n| (n.to_string(), true))
            .collect();
    // Monday 10:00 UTC is 05:00 in New York: Bob's morning has not come.
    assert_eq!(sent("2026-12-07T10:00:00Z"), everyone_but_bob);
    assert_eq!(sent("2026-12-07T11:00:00Z"), [], "once a day");
    assert_eq!(sent("2026-12-07T14:00:00Z"), [("Bob Smith".into(), true)]);
    // Tuesday: Alice's two-factor task (due Thursday) is now due soon; the
    // others have nothing new.
    let tuesday = sent("2026-12-08T10:00:00Z");
    assert!(
        tuesday.contains(&("Alice Johnson".into(), true)),
        "{tuesday:?}"
    );
    assert!(tuesday.contains(&("Dave Kim".into(), false)), "{tuesday:?}");
    // Wednesday: nothing has changed for Alice.
    let wednesday = sent("2026-12-09T10:00:00Z");
    assert!(
        wednesday.contains(&("Alice Johnson".into(), false)),
        "{wednesday:?}"
    );
    // A new task for Dave, made on Wednesday afternoon, is news.
    call(
        &on_disk(home.path(), "2026-12-09T15:00:00Z"),
        "create_task",
        json!({"title": "Review the billing migration", "assignee": "Dave Kim"}),
    );
    let thursday = sent("2026-12-10T10:00:00Z");
    assert!(
        thursday.contains(&("Dave Kim".into(), true)),
        "{thursday:?}"
    );
    assert_eq!(sent("2026-12-12T10:00:00Z"), [], "not on Saturdays");
    let dave: Vec<String> = outbox(&p)
        .into_iter()
        .filter(|(who, kind, _)| who == "Dave Kim" && kind == "digest")
        .map(|(_, _, text)| text)
        .collect();
    assert_eq!(dave.len(), 2, "{dave:?}");
    assert!(dave[1].contains("Review the billing migration"), "{dave:?}");
}

#[test]
fn people_get_time_zones_checked_and_recurring_tasks_take_the_assignees() {
    let p = platform();
    let bad = p.call(
        None,
        "update_person",
        json!({"name": "Bob Smith", "timezone": "Atlantis"}),
    );
    assert!(
        matches!(&bad, Err(ToolError::InvalidArgument { field, .. }) if field == "timezone"),
        "{bad:?}"
    );
    let nothing = p.call(None, "update_person", json!({"name": "Bob Smith"}));
    assert!(
        matches!(&nothing, Err(ToolError::InvalidArgument { message, .. }) if message.contains("nothing to change")),
        "{nothing:?}"
    );
    let stranger = p.call(
        None,
        "update_person",
        json!({"name": "Zed", "timezone": "UTC"}),
    );
    assert!(matches!(stranger, Err(ToolError::UnknownPerson { .. })));
    let bob = call(
        &p,
        "update_person",
        json!({"name": "bob", "timezone": "europe/berlin"}),
    );
    assert_eq!(bob["timezone"], "Europe/Berlin");
    assert_eq!(bob["capacity"], 36.0, "other details stay");
    let carol = call(
        &p,
        "update_person",
        json!({"name": "carol", "timezone": "new york"}),
    );
    assert_eq!(
        carol["timezone"], "America/New_York",
        "a city names its zone"
    );
    let rule = call(
        &p,
        "create_recurring_task",
        json!({"title": "water the plants", "assignee": "Bob Smith", "rule": "FREQ=DAILY"}),
    );
    assert_eq!(rule["timezone"], "Europe/Berlin");
}
