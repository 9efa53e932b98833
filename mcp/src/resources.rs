//! The workspace's datasets, models and tasks as MCP resources:
//! `maestro://datasets/{name}` (profile JSON), `maestro://models/{name}`
//! (record JSON), `maestro://models/{name}/card` (Markdown model card) and
//! `maestro://tasks/{id}` (task JSON). Reads are audited as the caller's.

use maestro_tools::store::TaskFilter;
use rmcp::ErrorData;
use rmcp::model::{Resource, ResourceContents, ResourceTemplate};
use serde::Serialize;
use serde_json::{Value, json};

use crate::Grant;

const JSON: &str = "application/json";
const MARKDOWN: &str = "text/markdown";
/// At most this many tasks are listed (every task stays readable by its URI).
const LISTED_TASKS: usize = 200;

/// Every resource of the workspace: datasets, models with their cards, tasks.
pub(crate) fn list(grant: &Grant) -> Result<Vec<Resource>, ErrorData> {
    let query = grant.assistant.platform().query(grant.actor.as_deref());
    let mut out = Vec::new();
    for d in query.datasets().map_err(failed)? {
        out.push(
            Resource::new(format!("maestro://datasets/{}", d.name), d.name.clone())
                .with_title(format!("Dataset {}", d.name))
                .with_description(format!("Column profile of the dataset {}", d.name))
                .with_mime_type(JSON),
        );
    }
    for m in query.models().map_err(failed)? {
        out.push(
            Resource::new(format!("maestro://models/{}", m.name), m.name.clone())
                .with_title(format!("Model {}", m.name))
                .with_description(format!("The registry record of the model {}", m.name))
                .with_mime_type(JSON),
        );
        out.push(
            Resource::new(
                format!("maestro://models/{}/card", m.name),
                format!("{} card", m.name),
            )
            .with_title(format!("Model card of {}", m.name))
            .with_mime_type(MARKDOWN),
        );
    }
    let tasks = query.tasks(&TaskFilter::default()).map_err(failed)?;
    for t in tasks.iter().take(LISTED_TASKS) {
        out.push(
            Resource::new(
                format!("maestro://tasks/{}", t.id),
                format!("task {}", t.id),
            )
            .with_title(format!("#{} {}", t.id, t.title))
            .with_mime_type(JSON),
        );
    }
    Ok(out)
}

/// The URI templates of every kind of resource.
pub(crate) fn templates() -> Vec<ResourceTemplate> {
    let template = |uri: &str, name: &str, mime: &str, about: &str| {
        ResourceTemplate::new(uri, name)
            .with_description(about)
            .with_mime_type(mime)
    };
    vec![
        template(
            "maestro://datasets/{name}",
            "dataset",
            JSON,
            "A dataset's column profile",
        ),
        template(
            "maestro://models/{name}",
            "model",
            JSON,
            "A model's registry record",
        ),
        template(
            "maestro://models/{name}/card",
            "model card",
            MARKDOWN,
            "A model card in Markdown",
        ),
        template("maestro://tasks/{id}", "task", JSON, "A task"),
    ]
}

/// Reads one resource by its URI.
pub(crate) fn read(grant: &Grant, uri: &str) -> Result<ResourceContents, ErrorData> {
    let path = uri.strip_prefix("maestro://").ok_or_else(|| unknown(uri))?;
    let parts: Vec<&str> = path.split('/').collect();
    let platform = grant.assistant.platform();
    let actor = grant.actor.as_deref();
    match parts.as_slice() {
        ["datasets", name] => {
            let out = platform
                .call(actor, "describe_dataset", json!({"dataset": name}))
                .map_err(|e| missing(uri, e))?;
            json_contents(uri, &out.data)
        }
        ["models", name] => {
            let model = platform
                .query(actor)
                .model(name, None)
                .map_err(|e| missing(uri, e))?;
            json_contents(uri, &model)
        }
        ["models", name, "card"] => {
            let out = platform
                .call(actor, "model_card", json!({"model": name}))
                .map_err(|e| missing(uri, e))?;
            let card = out
                .data
                .get("markdown")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Ok(ResourceContents::text(card, uri).with_mime_type(MARKDOWN))
        }
        ["tasks", id] => {
            let id: i64 = id.parse().map_err(|_| unknown(uri))?;
            let task = platform
                .query(actor)
                .task(id)
                .map_err(|e| missing(uri, e))?;
            json_contents(uri, &task)
        }
        _ => Err(unknown(uri)),
    }
}

fn json_contents(uri: &str, value: &impl Serialize) -> Result<ResourceContents, ErrorData> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
    Ok(ResourceContents::text(text, uri).with_mime_type(JSON))
}

fn unknown(uri: &str) -> ErrorData {
    ErrorData::resource_not_found(
        format!(
            "{uri:?} is not a Maestro resource; use maestro://datasets/NAME, maestro://models/NAME, maestro://models/NAME/card or maestro://tasks/ID"
        ),
        None,
    )
}

fn missing(uri: &str, e: impl std::fmt::Display) -> ErrorData {
    ErrorData::resource_not_found(format!("{uri}: {e}"), None)
}

fn failed(e: impl std::fmt::Display) -> ErrorData {
    ErrorData::internal_error(e.to_string(), None)
}
