//! The daily digest's noise reduction, measured on the shipped history
//! (`examples/history`): September 2026 replayed day by day — each morning
//! the scheduler ticks at 09:00, then the day's tasks are created and
//! finished — and every person's digest each working day is either sent or
//! skipped as having no news. Prints the share skipped.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use maestro_tools::store::csv::{parse_people, parse_tasks};
use maestro_tools::store::{SqliteStore, Store};
use maestro_tools::{Clock, NewTask, Platform, Status, TaskPatch};

fn history(file: &str) -> String {
    let path = format!("{}/../examples/history/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, 0, 0).unwrap().and_utc()
}

/// A task as it was before `day`: open if it was finished on or after it.
fn open_before(mut task: NewTask, day: NaiveDate) -> NewTask {
    if task.completed_at.is_some_and(|t| t.date_naive() >= day) {
        task.completed_at = None;
        task.status = Some(Status::Todo);
        task.actual_hours = None;
    }
    task
}

/// Notes that stored task `id` (history row `row`) is finished on its day.
fn finish_later(finishing: &mut BTreeMap<NaiveDate, Vec<i64>>, row: &NewTask, id: i64) {
    if let Some(done) = row.completed_at {
        finishing.entry(done.date_naive()).or_default().push(id);
    }
}

#[test]
fn a_month_of_the_shipped_history_skips_the_digests_with_no_news() {
    let first = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let home = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&home.path().join("maestro.db"), "default").unwrap();
    store
        .add_people(parse_people(&history("task_history_people.csv")).unwrap())
        .unwrap();
    let tasks = parse_tasks(&history("task_history.csv")).unwrap();
    let created = |t: &NewTask| t.created_at.unwrap().date_naive();
    let (before, during): (Vec<NewTask>, Vec<NewTask>) =
        tasks.into_iter().partition(|t| created(t) < first);
    let earlier: Vec<NewTask> = before.into_iter().map(|t| open_before(t, first)).collect();
    // Which stored task each still-open row is, to finish it on its day.
    let mut finishing: BTreeMap<NaiveDate, Vec<i64>> = BTreeMap::new();
    let all = parse_tasks(&history("task_history.csv")).unwrap();
    let stored = store.create_tasks(earlier, at(first, 0)).unwrap();
    for (task, row) in stored.iter().zip(all.iter().filter(|t| created(t) < first)) {
        if task.status != Status::Done {
            finish_later(&mut finishing, row, task.id);
        }
    }
    let platform = Platform::open(
        home.path(),
        "default",
        Clock::parse("2026-09-01T00:00:00Z").unwrap(),
    )
    .unwrap();
    let (mut sent, mut skipped, mut decisions) = (0, 0, BTreeMap::<NaiveDate, usize>::new());
    let mut day = first;
    while day <= last {
        let report = platform.tick(at(day, 9)).unwrap();
        assert!(report.failed_jobs.is_empty(), "{:?}", report.failed_jobs);
        for d in &report.digests {
            assert_eq!(d.day, day);
            *decisions.entry(day).or_default() += 1;
            if d.sent { sent += 1 } else { skipped += 1 }
        }
        // The day's work, at noon: new tasks, then those finished today.
        let today: Vec<NewTask> = during
            .iter()
            .filter(|t| created(t) == day)
            .cloned()
            .map(|t| open_before(t, day))
            .collect();
        let made = store.create_tasks(today.clone(), at(day, 12)).unwrap();
        for (task, row) in made.iter().zip(during.iter().filter(|t| created(t) == day)) {
            finish_later(&mut finishing, row, task.id);
        }
        for id in finishing.remove(&day).unwrap_or_default() {
            let done = TaskPatch {
                status: Some(Status::Done),
                ..TaskPatch::default()
            };
            store.update_task(id, done, at(day, 12)).unwrap();
        }
        day = day + Days::new(1);
    }
    let working_days = (0..30)
        .map(|d| first + Days::new(d))
        .filter(|d| d.weekday().num_days_from_monday() < 5)
        .count();
    println!(
        "September 2026 of the shipped history, 10 people × {working_days} working days: {sent} digests sent, {skipped} skipped ({:.1}% skipped)",
        100.0 * skipped as f64 / (sent + skipped) as f64
    );
    assert_eq!(
        decisions.len(),
        working_days,
        "a digest round each working day only"
    );
    assert!(decisions.values().all(|n| *n == 10), "{decisions:?}");
    assert!(sent > 0 && skipped > 0, "{sent} sent, {skipped} skipped");
}
