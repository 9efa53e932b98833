//! The scheduler runs each job exactly once: eight `maestro scheduler tick`
//! processes at the same moment, day after day, over a hundred recurring
//! tasks, thirty reminders and ten people's daily digests, on a SQLite file
//! and on PostgreSQL.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use chrono::{Datelike, Days, NaiveDate};
use maestro_tools::{Backends, Clock, Platform, StatusFilter, TaskFilter};
use serde_json::json;

const RULES: usize = 100;
const DAYS: u64 = 10;
const TICKERS: usize = 8;
const PEOPLE: usize = 10;
const REMINDERS: usize = 30;

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

fn tick(home: &Path, url: Option<&str>, workspace: &str, day: NaiveDate) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_maestro"));
    command
        .args(["--home", home.to_str().unwrap()])
        .args(["scheduler", "tick", "--json", "--only", workspace])
        .env("MAESTRO_NOW", format!("{day}T12:00:00Z"))
        .env_remove("MAESTRO_DATABASE_URL")
        .env_remove("MAESTRO_QDRANT_URL");
    if let Some(url) = url {
        command.env("MAESTRO_DATABASE_URL", url);
    }
    command.output().expect("maestro runs")
}

/// Rule `i`: daily, or weekly on one day, some created days ahead.
fn rule(i: usize) -> (String, u64) {
    let lead = (i % 3) as u64;
    match i % 2 {
        0 => ("FREQ=DAILY".into(), lead),
        _ => {
            let day = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][i % 7];
            (format!("FREQ=WEEKLY;BYDAY={day}"), lead)
        }
    }
}

/// The due days rule `i` owes after ticks on each of the days.
fn expected(i: usize) -> Vec<NaiveDate> {
    let (text, lead) = rule(i);
    let last = first_day() + Days::new(DAYS - 1 + lead);
    let weekday = text.strip_prefix("FREQ=WEEKLY;BYDAY=");
    let mut days = Vec::new();
    let mut day = first_day();
    while day <= last {
        let code = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
            [day.weekday().num_days_from_monday() as usize];
        if weekday.is_none_or(|w| w == code) {
            days.push(day);
        }
        day = day + Days::new(1);
    }
    days
}

fn ticks_make_each_occurrence_once(url: Option<&str>, workspace: &str) {
    let home = tempfile::tempdir().unwrap();
    let backends = Backends::new(url.map(str::to_string), None, None).unwrap();
    let clock = Clock::parse(&format!("{}T08:00:00Z", first_day())).unwrap();
    let platform = Platform::connect(home.path(), workspace, clock, &backends).unwrap();
    for i in 0..RULES {
        let (text, lead) = rule(i);
        platform
            .call(
                None,
                "create_recurring_task",
                json!({"title": format!("rule {i}"), "rule": text, "lead_days": lead}),
            )
            .unwrap();
    }
    add_people_and_reminders(&platform);
    drop(platform);
    let mut digests: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut reminded: BTreeMap<i64, usize> = BTreeMap::new();
    for d in 0..DAYS {
        let day = first_day() + Days::new(d);
        let outputs: Vec<Output> = std::thread::scope(|scope| {
            let running: Vec<_> = (0..TICKERS)
                .map(|_| scope.spawn(|| tick(home.path(), url, workspace, day)))
                .collect();
            running.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for out in &outputs {
            assert!(
                out.status.success(),
                "{day}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let report = &report[workspace];
            for d in report["digests"].as_array().unwrap() {
                let key = (d["person"].to_string(), d["day"].to_string());
                *digests.entry(key).or_default() += 1;
            }
            for id in report["reminded"].as_array().unwrap() {
                *reminded.entry(id.as_i64().unwrap()).or_default() += 1;
            }
        }
    }
    let working_days = (0..DAYS)
        .filter(|d| {
            (first_day() + Days::new(*d))
                .weekday()
                .num_days_from_monday()
                < 5
        })
        .count();
    let twice = digests.values().filter(|n| **n > 1).count();
    println!(
        "{TICKERS} tickers × {PEOPLE} people × {working_days} working days: {} digests due, {twice} twice; {} of {REMINDERS} reminders, {} twice",
        digests.len(),
        reminded.len(),
        reminded.values().filter(|n| **n > 1).count()
    );
    assert_eq!(
        digests.len(),
        PEOPLE * working_days,
        "a digest for each person and working day"
    );
    assert_eq!(twice, 0);
    assert_eq!(reminded.len(), REMINDERS);
    assert!(reminded.values().all(|n| *n == 1), "{reminded:?}");
    let platform = Platform::connect(home.path(), workspace, clock, &backends).unwrap();
    let all = TaskFilter {
        status: Some(StatusFilter::All),
        ..TaskFilter::default()
    };
    let mut made: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for task in platform.lookup(None).tasks(&all).unwrap() {
        made.entry(task.title).or_default().push(task.due.unwrap());
    }
    let (mut duplicates, mut missing, mut total) = (0, 0, 0);
    for i in 0..RULES {
        let mut got = made.remove(&format!("rule {i}")).unwrap_or_default();
        got.sort();
        let before = got.len();
        got.dedup();
        duplicates += before - got.len();
        let want = expected(i);
        missing += want.iter().filter(|d| !got.contains(d)).count();
        assert!(
            got.iter().all(|d| want.contains(d)),
            "rule {i}: {got:?} vs {want:?}"
        );
        total += want.len();
    }
    println!(
        "{TICKERS} tickers × {RULES} rules × {DAYS} days: {total} occurrences, {duplicates} duplicates, {missing} missing"
    );
    assert_eq!((duplicates, missing), (0, 0));
    made.retain(|title, _| !title.starts_with("work "));
    assert!(made.is_empty(), "tasks from nowhere: {made:?}");
}

/// Ten people (one in Tokyo), each with tasks falling due over the days,
/// and reminders spread over the days.
fn add_people_and_reminders(platform: &Platform) {
    for p in 0..PEOPLE {
        let zone = if p == 0 { "Asia/Tokyo" } else { "UTC" };
        platform
            .call(
                None,
                "add_person",
                json!({"name": format!("Person {p}"), "timezone": zone}),
            )
            .unwrap();
        for k in 0..3 {
            let due = first_day() + Days::new((p + 4 * k) as u64);
            platform
                .call(
                    None,
                    "create_task",
                    json!({"title": format!("work {p}.{k}"), "assignee": format!("Person {p}"), "due": due}),
                )
                .unwrap();
        }
    }
    for r in 0..REMINDERS {
        let day = first_day() + Days::new(r as u64 % DAYS);
        platform
            .call(
                None,
                "create_reminder",
                json!({"text": format!("reminder {r}"), "person": format!("Person {}", r % PEOPLE),
                       "at": format!("{day}T11:00")}),
            )
            .unwrap();
    }
}

#[test]
fn eight_tickers_at_once_make_each_occurrence_once_on_sqlite() {
    ticks_make_each_occurrence_once(None, "default");
}

#[test]
fn eight_tickers_at_once_make_each_occurrence_once_on_postgres() {
    let Some(url) = maestro_tools::store::test_database_url("scheduler") else {
        return;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    ticks_make_each_occurrence_once(Some(&url), &format!("ticks-{nanos}"));
}
