//! The tool framework: [`Tool`], typed tools, argument validation and the [`Registry`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::platform::Platform;
use crate::store::StoreError;

/// How a question that waits for a yes ends, in chat (front ends with
/// buttons or forms may leave it out).
pub const YES_OR_NO: &str = "Answer “yes” to go ahead or “no” to cancel.";

/// What a tool does to the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Only reads.
    Read,
    /// Creates or changes things.
    Write,
    /// Deletes things: the assistant asks for confirmation first.
    Destructive,
}

impl Effect {
    /// The effect as JSON and the log show it (`read`, `write`, `destructive`).
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Read => "read",
            Effect::Write => "write",
            Effect::Destructive => "destructive",
        }
    }
}

/// Everything a tool needs for one call.
pub struct Context<'a> {
    /// The platform the tool acts on.
    pub platform: &'a Platform,
    /// Who asked (a person's name), if known.
    pub actor: Option<&'a str>,
    /// "Now" for this call.
    pub now: DateTime<Utc>,
    /// Who is told about progress, and how long work is stopped.
    pub hooks: Hooks<'a>,
}

/// Hears a line of progress and the share of the work done, when known.
pub type Progress<'a> = dyn Fn(&str, Option<f64>) + 'a;

/// Optional links from a long-running tool back to whoever called it.
#[derive(Clone, Copy, Default)]
pub struct Hooks<'a> {
    /// Hears a line per step of progress (e.g. each AutoML trial) and the
    /// share of the work done, when known.
    pub progress: Option<&'a Progress<'a>>,
    /// When set, long work stops early and keeps what it has.
    pub cancel: Option<&'a AtomicBool>,
}

impl Hooks<'_> {
    /// Reports a line of progress, if anyone listens.
    pub fn progress(&self, line: &str, done: Option<f64>) {
        if let Some(p) = self.progress {
            p(line, done);
        }
    }
}

/// A table for people to read; front ends render it as text, Markdown or HTML.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, JsonSchema)]
pub struct Table {
    /// Column headings.
    pub columns: Vec<String>,
    /// Cells, row by row.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these headings and no rows.
    pub fn new(columns: &[&str]) -> Self {
        Self {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// As a Markdown table (pipes in cells escaped).
    pub fn to_markdown(&self) -> String {
        let cell = |c: &str| c.replace('|', "\\|").replace('\n', " ");
        let mut out = format!(
            "| {} |\n|{}\n",
            self.columns.join(" | "),
            "---|".repeat(self.columns.len())
        );
        for row in &self.rows {
            out.push_str(&format!(
                "| {} |\n",
                row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
            ));
        }
        out
    }

    /// As aligned plain text.
    pub fn to_text(&self) -> String {
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                    .chain([self.columns[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        let mut out = vec![line(&self.columns)];
        out.extend(self.rows.iter().map(|r| line(r)));
        out.join("\n")
    }

    /// As an HTML table (cells escaped).
    pub fn to_html(&self) -> String {
        let esc = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        };
        let head: String = self
            .columns
            .iter()
            .map(|c| format!("<th>{}</th>", esc(c)))
            .collect();
        let body: String = self
            .rows
            .iter()
            .map(|r| {
                format!(
                    "<tr>{}</tr>",
                    r.iter()
                        .map(|c| format!("<td>{}</td>", esc(c)))
                        .collect::<String>()
                )
            })
            .collect();
        format!("<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    }
}

/// Something to show besides the summary.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Display {
    /// A table.
    Table(Table),
    /// Markdown text.
    Markdown {
        /// The text.
        text: String,
    },
    /// A chart.
    Chart {
        /// What it shows.
        title: String,
        /// The image, PNG encoded as base64.
        png: String,
    },
}

/// What a tool returns.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ToolOutput {
    /// One or two sentences for people.
    pub summary: String,
    /// The result as data (e.g. the task object).
    pub data: Value,
    /// Tables and other things to show.
    pub displays: Vec<Display>,
}

impl ToolOutput {
    /// An output with a summary and data, nothing to display.
    pub fn new(summary: impl Into<String>, data: impl Serialize) -> Self {
        Self {
            summary: summary.into(),
            data: serde_json::to_value(data).unwrap_or(Value::Null),
            displays: Vec::new(),
        }
    }

    /// The same output with one more display.
    pub fn with(mut self, display: Display) -> Self {
        self.displays.push(display);
        self
    }
}

/// Why a tool call failed; every message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// No tool of that name.
    #[error("there is no tool called {0:?}; `maestro tools` lists them")]
    UnknownTool(String),
    /// An argument is missing, of the wrong type or out of range.
    #[error("{tool}: argument `{field}`: {message}")]
    InvalidArgument {
        /// The tool.
        tool: String,
        /// The argument (a path like `tags[1]` for nested values).
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A person named in the arguments is not on the team.
    #[error("{name:?} is not on the team{}", suggest(.suggestions))]
    UnknownPerson {
        /// The name as given.
        name: String,
        /// Close names of people who are on the team.
        suggestions: Vec<String>,
    },
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The catalog failed.
    #[error(transparent)]
    Catalog(#[from] maestro_catalog::CatalogError),
    /// Data or a model could not be used (the message names the fix).
    #[error(transparent)]
    Ml(#[from] maestro_ml::MlError),
    /// Another MCP server's tool failed, or the server could not be reached.
    #[error("the MCP server {server}: {message}")]
    External {
        /// The server's name (`maestro mcp add NAME …`).
        server: String,
        /// What it said, or why it could not be reached, and what to do.
        message: String,
    },
}

fn suggest(names: &[String]) -> String {
    match names {
        [] => "; `list people` shows who is".to_string(),
        [one] => format!("; did you mean {one}?"),
        many => format!("; did you mean one of {}?", many.join(", ")),
    }
}

impl ToolError {
    /// An invalid-argument error for `tool`.
    pub fn invalid(tool: &str, field: &str, message: impl Into<String>) -> Self {
        Self::InvalidArgument {
            tool: tool.into(),
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A platform action that the assistant, the CLI and the REST API can call.
pub trait Tool: Send + Sync {
    /// Public name (a contract: users, scripts and LLMs rely on it).
    fn name(&self) -> &'static str;
    /// What the tool does, for people and LLMs.
    fn description(&self) -> &'static str;
    /// Example requests (at least three); the local planner learns from them.
    fn examples(&self) -> &'static [&'static str];
    /// Phrasing templates the understanding model is trained on: carrier
    /// phrases with `(a|b)` alternatives, `[optional]` parts and
    /// `{argument:kind}` slots (see `maestro_assistant::nlu::template`).
    fn phrasings(&self) -> &'static [&'static str];
    /// Read, write or destructive.
    fn effect(&self) -> Effect;
    /// JSON Schema of the arguments object.
    fn schema(&self) -> Value;
    /// JSON Schema of the result's data, when it is typed (e.g. a task).
    fn output_schema(&self) -> Option<Value> {
        None
    }
    /// Validates `args` and runs.
    fn call(&self, ctx: &Context<'_>, args: Value) -> Result<ToolOutput, ToolError>;
    /// Validates `args` against the schema without running anything.
    fn check(&self, args: &Value) -> Result<(), ToolError>;
    /// The question to ask before this call runs, when it needs a yes (a
    /// deletion naming what it removes, a bulk change to more than one item);
    /// `None` otherwise.
    fn confirmation(&self, ctx: &Context<'_>, args: &Value) -> Option<String>;
}

/// A tool as listings show it (`maestro tools --json`, `GET /v1/tools`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ToolInfo {
    /// Public name.
    pub name: &'static str,
    /// What the tool does.
    pub description: &'static str,
    /// Read, write or destructive.
    pub effect: Effect,
    /// Example requests.
    pub examples: &'static [&'static str],
    /// JSON Schema of the arguments object.
    pub schema: Value,
    /// JSON Schema of the result's data, when it is typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
}

impl ToolInfo {
    /// The listing of `tool`.
    pub fn of(tool: &dyn Tool) -> Self {
        Self {
            name: tool.name(),
            description: tool.description(),
            effect: tool.effect(),
            examples: tool.examples(),
            schema: tool.schema(),
            output: tool.output_schema(),
        }
    }
}

/// A tool with typed arguments; its schema is derived and its arguments are
/// validated by deserialising them (errors name the bad field).
pub trait TypedTool: Send + Sync {
    /// The arguments.
    type Args: DeserializeOwned + JsonSchema;
    /// See [`Tool::name`].
    const NAME: &'static str;
    /// See [`Tool::description`].
    const DESCRIPTION: &'static str;
    /// See [`Tool::examples`].
    const EXAMPLES: &'static [&'static str];
    /// See [`Tool::phrasings`].
    const PHRASINGS: &'static [&'static str];
    /// See [`Tool::effect`].
    const EFFECT: Effect;
    /// The schema of the result's data, when it is typed (see [`Tool::output_schema`]).
    const OUTPUT: Option<fn() -> schemars::Schema> = None;
    /// Runs with valid arguments.
    fn run(&self, ctx: &Context<'_>, args: Self::Args) -> Result<ToolOutput, ToolError>;
    /// See [`Tool::confirmation`] (none by default).
    fn confirm(&self, _ctx: &Context<'_>, _args: &Self::Args) -> Option<String> {
        None
    }
}

impl<T: TypedTool> Tool for T {
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn description(&self) -> &'static str {
        T::DESCRIPTION
    }
    fn examples(&self) -> &'static [&'static str] {
        T::EXAMPLES
    }
    fn phrasings(&self) -> &'static [&'static str] {
        T::PHRASINGS
    }
    fn effect(&self) -> Effect {
        T::EFFECT
    }
    fn schema(&self) -> Value {
        schema_of::<T::Args>()
    }
    fn output_schema(&self) -> Option<Value> {
        T::OUTPUT.map(|schema| bare(schema()))
    }
    fn call(&self, ctx: &Context<'_>, args: Value) -> Result<ToolOutput, ToolError> {
        self.run(ctx, parse_args(T::NAME, args)?)
    }
    fn confirmation(&self, ctx: &Context<'_>, args: &Value) -> Option<String> {
        let args = parse_args(T::NAME, args.clone()).ok()?;
        self.confirm(ctx, &args)
    }
    fn check(&self, args: &Value) -> Result<(), ToolError> {
        parse_args::<T::Args>(T::NAME, args.clone()).map(|_| ())
    }
}

/// The JSON Schema of `T` as tools publish it (no `$schema` or `title`).
pub fn schema_of<T: JsonSchema>() -> Value {
    bare(schemars::schema_for!(T))
}

/// A derived schema without its `$schema` and `title` keys.
fn bare(schema: schemars::Schema) -> Value {
    let mut schema = serde_json::to_value(schema).unwrap_or(Value::Null);
    if let Some(obj) = schema.as_object_mut() {
        obj.remove("$schema");
        obj.remove("title");
    }
    schema
}

/// Deserialises a tool's arguments, naming the bad field on error.
pub fn parse_args<A: DeserializeOwned>(tool: &str, args: Value) -> Result<A, ToolError> {
    let args = if args.is_null() {
        Value::Object(Default::default())
    } else {
        args
    };
    if !args.is_object() {
        return Err(ToolError::invalid(
            tool,
            "(arguments)",
            "arguments must be a JSON object, e.g. {\"id\": 3}",
        ));
    }
    serde_path_to_error::deserialize(args).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let field = if path == "." {
            // serde names missing and unknown fields in the message itself.
            message
                .split('`')
                .nth(1)
                .unwrap_or("(arguments)")
                .to_string()
        } else {
            path
        };
        ToolError::invalid(tool, &field, message)
    })
}

/// All tools, by name.
#[derive(Clone, Default)]
pub struct Registry {
    tools: BTreeMap<&'static str, Arc<dyn Tool>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a tool (replacing one of the same name).
    pub fn register(&mut self, tool: impl Tool + 'static) {
        self.register_shared(Arc::new(tool));
    }

    /// Adds a shared tool (replacing one of the same name).
    pub fn register_shared(&mut self, tool: Arc<dyn Tool>) {
        self.tools.insert(tool.name(), tool);
    }

    /// The tool with this name.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn Tool>> {
        self.tools.get(name)
    }

    /// Every tool, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Tool>> {
        self.tools.values()
    }

    /// This registry with every tool of `other` added.
    pub fn with(mut self, other: Registry) -> Self {
        self.tools.extend(other.tools);
        self
    }

    /// Every tool's listing, by name.
    pub fn infos(&self) -> Vec<ToolInfo> {
        self.iter().map(|t| ToolInfo::of(t.as_ref())).collect()
    }

    /// Number of tools.
    pub fn len(&self) -> usize {
        self.tools.len()
    }

    /// True when there are no tools.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Args {
        id: i64,
        tags: Option<Vec<String>>,
    }

    #[test]
    fn validation_errors_name_the_bad_field() {
        let err = |v: Value| parse_args::<Args>("t", v).unwrap_err().to_string();
        assert!(err(json!({})).contains("`id`"), "{}", err(json!({})));
        assert!(err(json!({"id": "x"})).contains("argument `id`"));
        assert!(err(json!({"id": 1, "tags": ["a", 2]})).contains("`tags[1]`"));
        assert!(err(json!({"id": 1, "colour": "red"})).contains("`colour`"));
        assert!(err(json!([1])).contains("JSON object"));
    }

    #[test]
    fn tables_render_escaped_in_every_format() {
        let mut t = Table::new(&["id", "title"]);
        t.rows.push(vec!["1".into(), "a|b <c>".into()]);
        assert!(t.to_markdown().contains("a\\|b <c>"));
        assert!(t.to_html().contains("a|b &lt;c&gt;"));
        assert_eq!(t.to_text().lines().nth(1).unwrap(), "1   a|b <c>");
    }
}
