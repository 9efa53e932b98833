//! The language-model planner's own overhead: whole turns against an instant
//! fake endpoint on loopback (one tool call, then the answer), so what is
//! measured is retrieval, prompt building, token counting, two streamed HTTP
//! round trips, validation and the tool itself. Prints p50/p90/p99.
//!
//! `cargo bench -p maestro-assistant --bench llm_loop`

#[path = "../tests/fake_openai/mod.rs"]
#[allow(dead_code)]
mod fake_openai;

use std::time::Instant;

use fake_openai::{FakeOpenAi, Reply};
use maestro_assistant::{Assistant, LlmConfig, LlmPlanner, LocalPlanner, TurnOptions};
use maestro_tools::{Clock, Platform, import};

const TURNS: usize = 300;

fn main() {
    let mut replies = Vec::new();
    for _ in 0..=TURNS {
        replies.push(Reply::Calls(vec![("list_people", "{}".into())]));
        replies.push(Reply::Text("Here is the team."));
    }
    let fake = FakeOpenAi::start(replies);
    let platform = Platform::in_memory(Clock::parse("2026-11-26T10:00:00Z").unwrap()).unwrap();
    import::load_demo(&platform).unwrap();
    let local = LocalPlanner::new(platform.registry()).unwrap();
    let url = fake.url.clone();
    let config = LlmConfig::from_vars(|name| match name {
        "MAESTRO_LLM_BASE_URL" => Some(url.clone()),
        "MAESTRO_LLM_MODEL" => Some("gpt-4o-mini".into()),
        _ => None,
    })
    .unwrap()
    .unwrap();
    let assistant = Assistant::new(platform, Box::new(LlmPlanner::new(config, local).unwrap()));
    let turn = |i: usize| {
        let start = Instant::now();
        let events: Vec<_> = assistant
            .turn(
                &format!("s{i}"),
                "who is on the team?",
                TurnOptions::default(),
            )
            .collect();
        assert!(events.len() > 2);
        start.elapsed().as_secs_f64() * 1000.0
    };
    turn(0);
    let mut times: Vec<f64> = (1..=TURNS).map(turn).collect();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "llm turn (tool call + answer, instant model): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms over {TURNS} turns",
        at(0.5),
        at(0.9),
        at(0.99)
    );
}
