//! `workload_report` on the shipped history (4,000 tasks, 10 people), as a
//! one-shot `maestro ask` runs it: a platform opened, the models trained,
//! the report drawn. `cargo bench -p maestro-tools --bench workload`.

use criterion::{Criterion, criterion_group, criterion_main};
use maestro_tools::{Clock, Platform, import};
use serde_json::json;

const PEOPLE: &str = include_str!("../../examples/history/task_history_people.csv");
const HISTORY: &str = include_str!("../../examples/history/task_history.csv");

fn workload(c: &mut Criterion) {
    let home = tempfile::tempdir().unwrap();
    let clock = Clock::parse("2026-11-26T10:00:00Z").unwrap();
    {
        let p = Platform::open(home.path(), "default", clock).unwrap();
        import::import_people(&p, PEOPLE).unwrap();
        import::import_tasks(&p, HISTORY).unwrap();
    }
    let mut group = c.benchmark_group("workload");
    group.sample_size(10);
    group.bench_function("cold: open, train, report (4,000 tasks)", |b| {
        b.iter(|| {
            let p = Platform::open(home.path(), "default", clock).unwrap();
            p.call(None, "workload_report", json!({})).unwrap()
        })
    });
    let warm = Platform::open(home.path(), "default", clock).unwrap();
    warm.call(None, "workload_report", json!({})).unwrap();
    group.bench_function("warm: models kept (4,000 tasks)", |b| {
        b.iter(|| warm.call(None, "workload_report", json!({})).unwrap())
    });
    group.finish();
}

criterion_group!(benches, workload);
criterion_main!(benches);
