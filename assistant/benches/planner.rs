//! Planner latency per request on the demo workspace (training excluded).

use criterion::{Criterion, criterion_group, criterion_main};
use maestro_assistant::{LocalPlanner, Planner, Request};
use maestro_tools::{Clock, Platform, import};

fn bench(c: &mut Criterion) {
    let clock = Clock::parse("2026-11-26T10:00:00Z").unwrap();
    let platform = Platform::in_memory(clock).unwrap();
    import::load_demo(&platform).unwrap();
    let planner = LocalPlanner::new(platform.registry()).unwrap();
    for (name, text) in [
        (
            "create",
            "create a high-priority task for Bob to fix the login bug by next Friday",
        ),
        ("list", "what is Alice working on this week?"),
        ("by_words", "assign the churn report to Erin"),
    ] {
        let request = Request {
            text,
            platform: &platform,
            actor: Some("Alice Johnson"),
            now: clock.now(),
            waiting: None,
            focus: &Default::default(),
        };
        c.bench_function(&format!("plan_{name}"), |b| {
            b.iter(|| planner.plan(&request))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
