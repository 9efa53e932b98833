//! Token counting (`tiktoken-rs`), context windows, prices, and shrinking
//! large tool results to fit.

use serde_json::{Value, json};
use tiktoken_rs::CoreBPE;

/// Counts tokens the way the model does (`o200k_base` for unknown models).
pub struct Tokens {
    bpe: &'static CoreBPE,
}

/// Tokens every chat message costs beyond its text (role, separators).
const PER_MESSAGE: usize = 4;

impl Tokens {
    /// The encoding for `model`.
    pub fn for_model(model: &str) -> Self {
        let bpe = tiktoken_rs::bpe_for_model(model)
            .unwrap_or_else(|_| tiktoken_rs::o200k_base_singleton());
        Self { bpe }
    }

    /// Tokens in `text`.
    pub fn count(&self, text: &str) -> usize {
        self.bpe.count_with_special_tokens(text)
    }

    /// Tokens one chat message costs (text, tool calls and all).
    pub fn message(&self, message: &Value) -> usize {
        let text = match message.get("content") {
            Some(Value::String(s)) => self.count(s),
            _ => 0,
        };
        let calls = message
            .get("tool_calls")
            .map(|c| self.count(&c.to_string()))
            .unwrap_or(0);
        PER_MESSAGE + text + calls
    }

    /// Tokens of a whole prompt: messages plus the tools' definitions.
    pub fn prompt(&self, messages: &[Value], tools: &[Value]) -> usize {
        let tools = if tools.is_empty() {
            0
        } else {
            self.count(&Value::Array(tools.to_vec()).to_string())
        };
        messages.iter().map(|m| self.message(m)).sum::<usize>() + tools + 3
    }

    /// `value` as compact JSON of at most `limit` tokens: long lists keep their
    /// first items and say how many were left out; long strings are cut.
    pub fn shrink(&self, value: &Value, limit: usize) -> String {
        let full = value.to_string();
        if self.count(&full) <= limit {
            return full;
        }
        let mut keep = 32;
        while keep > 1 {
            let text = cut_lists(value, keep).to_string();
            if self.count(&text) <= limit {
                return text;
            }
            keep /= 2;
        }
        let text = cut_lists(value, 1).to_string();
        let chars: String = text.chars().take(limit * 3).collect();
        format!("{chars}… (cut to fit: the result was too large to show whole)")
    }
}

/// Keeps the first `keep` items of every list, noting what was left out.
fn cut_lists(value: &Value, keep: usize) -> Value {
    match value {
        Value::Array(items) if items.len() > keep => {
            let mut kept: Vec<Value> = items[..keep].iter().map(|v| cut_lists(v, keep)).collect();
            kept.push(json!(format!("… {} more not shown", items.len() - keep)));
            Value::Array(kept)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| cut_lists(v, keep)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), cut_lists(v, keep)))
                .collect(),
        ),
        Value::String(s) if s.chars().count() > 400 => {
            Value::String(format!("{}…", s.chars().take(400).collect::<String>()))
        }
        other => other.clone(),
    }
}

/// The context window of `model` in tokens (8,192 when unknown: set
/// `MAESTRO_LLM_CONTEXT` for local models with more).
pub fn context_window(model: &str) -> usize {
    tiktoken_rs::model::get_context_size(model).unwrap_or(8192)
}

/// Estimated US dollars for `prompt` and `completion` tokens of `model`, when
/// its list price is known (per million tokens, input then output).
pub fn cost(model: &str, prompt: i64, completion: i64) -> Option<f64> {
    const PRICES: &[(&str, f64, f64)] = &[
        ("gpt-4o-mini", 0.15, 0.60),
        ("gpt-4o", 2.50, 10.00),
        ("gpt-4.1-nano", 0.10, 0.40),
        ("gpt-4.1-mini", 0.40, 1.60),
        ("gpt-4.1", 2.00, 8.00),
        ("o4-mini", 1.10, 4.40),
        ("o3", 2.00, 8.00),
        ("gpt-3.5-turbo", 0.50, 1.50),
    ];
    let name = model.rsplit('/').next().unwrap_or(model);
    PRICES
        .iter()
        .find(|(prefix, ..)| name.starts_with(prefix))
        .map(|(_, input, output)| (prompt as f64 * input + completion as f64 * output) / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_known_text_and_grows_with_messages() {
        let t = Tokens::for_model("gpt-4o");
        assert_eq!(t.count("hello world"), 2);
        let one = [json!({"role": "user", "content": "hello world"})];
        let two = [
            one[0].clone(),
            json!({"role": "assistant", "content": "hi"}),
        ];
        assert!(t.prompt(&two, &[]) > t.prompt(&one, &[]));
        assert!(t.prompt(&one, &[json!({"type": "function"})]) > t.prompt(&one, &[]));
    }

    #[test]
    fn large_results_shrink_under_the_limit_and_say_so() {
        let t = Tokens::for_model("unknown-local-model");
        let rows: Vec<Value> = (0..500)
            .map(|i| json!({"id": i, "title": format!("task number {i} about billing")}))
            .collect();
        let value = json!({"tasks": rows, "count": 500});
        let small = t.shrink(&value, 300);
        assert!(t.count(&small) <= 300, "{} tokens", t.count(&small));
        assert!(small.contains("more not shown"), "{small}");
        assert!(small.contains("\"count\":500"), "totals survive: {small}");
        let tiny = json!({"a": 1});
        assert_eq!(t.shrink(&tiny, 300), tiny.to_string());
    }

    #[test]
    fn prices_are_known_for_openai_models_only() {
        let c = cost("gpt-4o-2024-08-06", 1_000_000, 0).unwrap();
        assert!((c - 2.5).abs() < 1e-9);
        assert!(cost("gpt-4o-mini", 0, 1_000_000).unwrap() < 1.0);
        assert_eq!(cost("qwen2.5:7b", 1000, 1000), None);
        assert_eq!(context_window("gpt-4o"), 128_000);
        assert_eq!(context_window("qwen2.5:7b"), 8192);
    }
}
