//! `maestro usage` and `%config usage`: the tokens the language model used.

use maestro_tools::{Query, Table, ToolError, UsageRecord};
use serde::Serialize;

/// Recent turns and their totals.
#[derive(Debug, Serialize)]
pub struct UsageReport {
    /// Turns counted.
    pub turns: usize,
    /// Tokens sent.
    pub prompt_tokens: i64,
    /// Tokens received.
    pub completion_tokens: i64,
    /// Estimated US dollars over the turns whose price is known.
    pub cost_usd: f64,
    /// The turns, newest first.
    pub records: Vec<UsageRecord>,
}

impl UsageReport {
    /// The newest `limit` turns of the workspace, read through `query`.
    pub fn load(query: &Query<'_>, limit: usize) -> Result<Self, ToolError> {
        let records = query.usage(limit)?;
        Ok(Self {
            turns: records.len(),
            prompt_tokens: records.iter().map(|r| r.prompt_tokens).sum(),
            completion_tokens: records.iter().map(|r| r.completion_tokens).sum(),
            // Folded from +0.0: an empty `sum` of floats is -0.0, printed as such.
            cost_usd: records
                .iter()
                .filter_map(|r| r.cost_usd)
                .fold(0.0, |total, c| total + c),
            records,
        })
    }

    /// One line of totals.
    pub fn summary(&self) -> String {
        if self.turns == 0 {
            return "No language-model turns yet (the local planner uses no tokens).".into();
        }
        format!(
            "{} turn(s): {} tokens sent, {} received, about ${:.4}.",
            self.turns, self.prompt_tokens, self.completion_tokens, self.cost_usd
        )
    }

    /// The turns as a table.
    pub fn table(&self) -> Table {
        let mut table = Table::new(&[
            "when", "session", "model", "requests", "sent", "received", "cost",
        ]);
        for r in &self.records {
            table.rows.push(vec![
                r.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                r.session.clone(),
                r.model.clone(),
                r.requests.to_string(),
                r.prompt_tokens.to_string(),
                r.completion_tokens.to_string(),
                r.cost_usd.map_or("unknown".into(), |c| format!("${c:.4}")),
            ]);
        }
        table
    }
}
