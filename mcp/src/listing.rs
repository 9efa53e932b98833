//! What `tools/list` shows: registry tools with their schemas and
//! annotations, and the three tools of Maestro's own.

use std::sync::Arc;

use maestro_assistant::Answer;
use maestro_tools::{Effect, Registry, ToolInfo, schema_of};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ToolSet;

/// The tools the MCP server adds to the registry's.
pub const META_TOOLS: [&str; 3] = ["ask", "search_tools", "call_tool"];

/// The tools to list: with `writes` false only those that only read.
pub fn tool_list(registry: &Registry, set: ToolSet, writes: bool) -> Vec<Tool> {
    let mut tools = Vec::new();
    if writes {
        tools.push(ask_tool());
    }
    tools.push(search_tool());
    tools.push(call_tool());
    if set == ToolSet::All {
        tools.extend(
            registry
                .infos()
                .iter()
                .filter(|info| writes || info.effect == Effect::Read)
                .map(registry_tool),
        );
    }
    tools
}

/// A registry tool as MCP lists it, with an output schema when its result is typed.
pub fn registry_tool(info: &ToolInfo) -> Tool {
    let title = title_of(info.name);
    let tool = Tool::new(info.name, info.description, as_object(&info.schema))
        .with_title(title.clone())
        .with_annotations(annotations(&title, info.effect));
    match &info.output {
        Some(output) => tool.with_raw_output_schema(as_object(&structured_schema(output))),
        None => tool,
    }
}

/// The schema of a result as structured content carries it: an object as
/// it is, anything else (a list) under `result`, its `$defs` kept at the root.
fn structured_schema(data: &Value) -> Value {
    if data.get("type").and_then(Value::as_str) == Some("object") {
        return data.clone();
    }
    let mut inner = data.clone();
    let defs = inner.as_object_mut().and_then(|o| o.remove("$defs"));
    let mut wrapped = json!({
        "type": "object",
        "properties": {"result": inner},
        "required": ["result"]
    });
    if let Some(defs) = defs {
        wrapped["$defs"] = defs;
    }
    wrapped
}

/// Hints from the effect class: reads are read-only and idempotent, deletions
/// destructive (and idempotent: a second delete removes nothing more),
/// other changes neither. Every tool acts on this workspace only.
fn annotations(title: &str, effect: Effect) -> ToolAnnotations {
    ToolAnnotations::with_title(title)
        .read_only(effect == Effect::Read)
        .destructive(effect == Effect::Destructive)
        .idempotent(effect != Effect::Write)
        .open_world(false)
}

/// Hints for a tool that may run any other (reads, changes or deletions).
fn may_do_anything(title: &str) -> ToolAnnotations {
    ToolAnnotations::with_title(title)
        .read_only(false)
        .destructive(true)
        .idempotent(false)
        .open_world(false)
}

/// `create_task` → "Create task".
fn title_of(name: &str) -> String {
    let words = name.replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn as_object(schema: &Value) -> Arc<JsonObject> {
    Arc::new(schema.as_object().cloned().unwrap_or_else(|| {
        json!({"type": "object"})
            .as_object()
            .cloned()
            .unwrap_or_default()
    }))
}

/// The arguments of `ask`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AskArgs {
    /// The request, in plain language.
    pub text: String,
    /// A conversation name to continue (omit for a request on its own).
    pub session: Option<String>,
}

/// What `ask` answers: the turn as `maestro ask --json` shows it, and the
/// conversation to continue.
#[derive(Serialize, JsonSchema)]
pub(crate) struct AskResult<'a> {
    /// The turn.
    #[serde(flatten)]
    pub answer: &'a Answer,
    /// The conversation to continue with (pass it back as `session`).
    pub session: Option<&'a str>,
}

/// The arguments of `search_tools`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchArgs {
    /// What you want to do, in a few words.
    pub query: String,
    /// How many tools (1 to 20; default 5).
    #[schemars(range(min = 1, max = 20))]
    pub k: Option<usize>,
}

/// What `search_tools` answers.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Found {
    /// The nearest tools, best first.
    pub tools: Vec<FoundTool>,
}

/// One tool `search_tools` found.
#[derive(Serialize, JsonSchema)]
pub(crate) struct FoundTool {
    /// Its name (call it by this name, or through `call_tool`).
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Read, write or destructive.
    pub effect: Effect,
    /// The JSON Schema of its arguments.
    pub input_schema: Value,
}

/// The arguments of `call_tool`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CallArgs {
    /// The tool's name, as search_tools gave it.
    pub name: String,
    /// The tool's arguments (its input schema).
    #[serde(default)]
    pub arguments: JsonObject,
}

fn ask_tool() -> Tool {
    Tool::new(
        "ask",
        "Ask Maestro in plain language, as a person would type it (\"create a high-priority task for Bob to fix the login bug by Friday\", \"train a model on churn predicting churned\"). Runs one whole assistant turn: picks the platform's tools, fills in their arguments and runs them. Pass `session` to continue a conversation (follow-ups like \"assign it to carol\").",
        as_object(&schema_of::<AskArgs>()),
    )
    .with_title("Ask Maestro")
    .with_raw_output_schema(as_object(&schema_of::<AskResult>()))
    .with_annotations(may_do_anything("Ask Maestro"))
}

fn search_tool() -> Tool {
    Tool::new(
        "search_tools",
        "Find the tools that fit a request: the catalog's nearest tools, best first, with their descriptions and input schemas. Call one with `call_tool` (or by its name when it is listed).",
        as_object(&schema_of::<SearchArgs>()),
    )
    .with_title("Search tools")
    .with_raw_output_schema(as_object(&schema_of::<Found>()))
    .with_annotations(annotations("Search tools", Effect::Read))
}

fn call_tool() -> Tool {
    Tool::new(
        "call_tool",
        "Call one of Maestro's tools by name (find it with `search_tools`); `arguments` is its arguments object.",
        as_object(&schema_of::<CallArgs>()),
    )
    .with_title("Call tool")
    .with_annotations(may_do_anything("Call tool"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_read_as_words() {
        assert_eq!(title_of("create_task"), "Create task");
        assert_eq!(title_of("help"), "Help");
    }

    #[test]
    fn a_list_result_is_described_under_result_with_its_definitions_at_the_root() {
        let list = json!({"type": "array", "items": {"$ref": "#/$defs/Task"}, "$defs": {"Task": {"type": "object"}}});
        let wrapped = structured_schema(&list);
        assert_eq!(
            wrapped["properties"]["result"]["items"]["$ref"],
            "#/$defs/Task"
        );
        assert_eq!(wrapped["$defs"]["Task"]["type"], "object");
        assert!(wrapped["properties"]["result"].get("$defs").is_none());
        let task = json!({"type": "object", "properties": {"id": {"type": "integer"}}});
        assert_eq!(structured_schema(&task), task);
    }

    #[test]
    fn hints_follow_the_effect() {
        let read = annotations("t", Effect::Read);
        assert_eq!(
            (read.read_only_hint, read.destructive_hint),
            (Some(true), Some(false))
        );
        let write = annotations("t", Effect::Write);
        assert_eq!(
            (write.read_only_hint, write.idempotent_hint),
            (Some(false), Some(false))
        );
        let delete = annotations("t", Effect::Destructive);
        assert_eq!(delete.destructive_hint, Some(true));
    }
}
