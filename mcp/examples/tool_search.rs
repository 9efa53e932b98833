//! What tool search saves and how often it finds the right tool:
//! `cargo run -p maestro-mcp --example tool_search`.
//!
//! Prints the o200k tokens of `tools/list` with every tool and with
//! `--tools search`, then `search_tools` recall@5 of the expected tool (each
//! request's first call) on the held-out corpora. The corpora are only read
//! here; nothing is tuned on them.

use std::error::Error;

use maestro_assistant::llm::budget::Tokens;
use maestro_mcp::{ToolSet, nearest_tools, tool_list};
use maestro_tools::{Clock, Platform};
use rmcp::model::ListToolsResult;
use serde_json::Value;

const CORPORA: [&str; 3] = ["work_holdout", "ml_holdout", "chat_holdout"];

fn main() -> Result<(), Box<dyn Error>> {
    let platform = Platform::in_memory(Clock::from_env()?)?;
    let tokens = Tokens::for_model("gpt-4o");
    for (label, set) in [
        ("every tool", ToolSet::All),
        ("--tools search", ToolSet::Search),
    ] {
        let listed = ListToolsResult::with_all_items(tool_list(platform.registry(), set, true));
        let count = tokens.count(&serde_json::to_string(&listed)?);
        println!("tools/list, {label}: {count} tokens (o200k)");
    }
    for corpus in CORPORA {
        let path = format!(
            "{}/../examples/eval/{corpus}.jsonl",
            env!("CARGO_MANIFEST_DIR")
        );
        let (mut found, mut total) = (0, 0);
        for (text, tool) in expected_tools(&std::fs::read_to_string(path)?) {
            let near = nearest_tools(&platform, &text, 5, |_| true)?;
            total += 1;
            found += usize::from(near.iter().any(|t| t.name == tool));
        }
        let share = 100.0 * found as f64 / total.max(1) as f64;
        println!("search_tools recall@5, {corpus}: {share:.1}% ({found}/{total})");
    }
    Ok(())
}

/// Each request of a corpus (sessions flattened) with the tool of its first call.
fn expected_tools(corpus: &str) -> Vec<(String, String)> {
    let cases = corpus
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok());
    let turns = cases.flat_map(|case| match case.get("session") {
        Some(Value::Array(turns)) => turns.clone(),
        _ => vec![case],
    });
    turns
        .filter_map(|turn| {
            let text = turn.get("text")?.as_str()?.to_string();
            let tool = turn
                .get("calls")?
                .get(0)?
                .get("tool")?
                .as_str()?
                .to_string();
            Some((text, tool))
        })
        .collect()
}
