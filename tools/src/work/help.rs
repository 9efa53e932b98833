//! `help` and `search_catalog`.

use maestro_catalog::Filter;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use crate::tool::{Context, Display, Effect, Table, ToolError, ToolOutput, TypedTool};

/// Arguments of `help`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelpArgs {
    /// A tool name for detailed help.
    pub topic: Option<String>,
}

/// Explains what Maestro can do.
pub struct Help;

impl TypedTool for Help {
    type Args = HelpArgs;
    const NAME: &'static str = "help";
    const DESCRIPTION: &'static str = "Explain what Maestro can do, or how to use one tool.";
    const EXAMPLES: &'static [&'static str] = &[
        "help",
        "what can you do?",
        "how do I create a task?",
        "show me the commands",
        "how does assigning work",
        "I'm lost, what can I ask",
        "help with listing tasks",
        "what are your capabilities",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "what can you do",
        "help [me|pls|please]",
        "how do (I|you) use {topic:topic}",
        "help (with|on) {topic:topic}",
        "what (are your|commands do you have|tools do you have)",
        "how does this work",
        "what sort of things can you (do|help with)",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: HelpArgs) -> Result<ToolOutput, ToolError> {
        let registry = ctx.platform.registry();
        if let Some(topic) = a.topic.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let tool = registry
                .get(topic)
                .ok_or_else(|| ToolError::UnknownTool(topic.to_string()))?;
            let mut text = format!(
                "## `{}`\n\n{}\n\n**Try:**\n",
                tool.name(),
                tool.description()
            );
            for e in tool.examples().iter().take(4) {
                text.push_str(&format!("- {e}\n"));
            }
            let schema = tool.schema();
            if let Some(props) = schema["properties"].as_object() {
                text.push_str("\n**Arguments:**\n");
                for (name, prop) in props {
                    let desc = prop["description"].as_str().unwrap_or("");
                    text.push_str(&format!("- `{name}`: {desc}\n"));
                }
            }
            return Ok(ToolOutput::new(
                text.clone(),
                json!({"topic": tool.name(), "schema": schema}),
            )
            .with(Display::Markdown { text }));
        }
        let mut text = String::from("## What I can do\n\nAsk in plain words. For example:\n\n");
        for tool in registry.iter() {
            text.push_str(&format!(
                "- **{}** — {} _e.g. “{}”_\n",
                tool.name(),
                tool.description(),
                tool.examples()[0]
            ));
        }
        text.push_str("\nAsk `help <tool>` (e.g. `help create_task`) for one tool's details.\n");
        let names: Vec<&str> = registry.iter().map(|t| t.name()).collect();
        Ok(ToolOutput::new(text.clone(), json!({"tools": names})).with(Display::Markdown { text }))
    }
}

/// Arguments of `search_catalog`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// What to look for, in plain words.
    pub query: String,
    /// Only this kind: tool, task, person or project.
    pub kind: Option<String>,
    /// At most this many results (default 10).
    pub limit: Option<usize>,
}

/// Searches everything the catalog knows.
pub struct SearchCatalog;

impl TypedTool for SearchCatalog {
    type Args = SearchArgs;
    const NAME: &'static str = "search_catalog";
    const DESCRIPTION: &'static str = "Search the catalog (tasks, people, projects and tools) by meaning, e.g. to find anything about a topic.";
    const EXAMPLES: &'static [&'static str] = &[
        "search for anything about postgres",
        "find stuff related to the login page",
        "look up everything on security",
        "search the catalog for onboarding",
        "find items mentioning notifications",
        "is there anything about billing",
        "search mobile",
        "find whatever we have on design",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(search|look) for {query:query}",
        "(find|dig up|look up) anything (about|on|related to) {query:query}",
        "do we have anything (on|about) {query:query}",
        "search the catalog for {query:query}",
        "(is there|are there) (any|anything) (tasks|work|docs) (about|on) {query:query}",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: SearchArgs) -> Result<ToolOutput, ToolError> {
        if a.query.trim().is_empty() {
            return Err(ToolError::invalid(
                Self::NAME,
                "query",
                "say what to look for, e.g. \"postgres\"",
            ));
        }
        let filter = a.kind.as_deref().map_or_else(Filter::any, Filter::kind);
        let hits = ctx.platform.catalog().search(
            &a.query,
            a.limit.unwrap_or(10).clamp(1, 100),
            &filter,
        )?;
        let hits: Vec<_> = hits.into_iter().filter(|h| h.score > 0.05).collect();
        let mut table = Table::new(&["kind", "match", "score"]);
        for h in &hits {
            table.rows.push(vec![
                h.entry.kind.clone(),
                h.entry.text.chars().take(80).collect(),
                format!("{:.2}", h.score),
            ]);
        }
        let data: Vec<_> = hits
            .iter()
            .map(|h| json!({"id": h.entry.id, "kind": h.entry.kind, "text": h.entry.text, "payload": h.entry.payload, "score": h.score}))
            .collect();
        let summary = match hits.len() {
            0 => format!("Nothing in the catalog matches {:?}.", a.query),
            n => format!("{n} matches for {:?}.", a.query),
        };
        Ok(ToolOutput::new(summary, data).with(Display::Table(table)))
    }
}
