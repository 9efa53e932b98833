//! `/v1/datasets` (list, get, register, upload) and `/v1/models` (list, get, change
//! stage, delete).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, RawQuery};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post, put};
use maestro_assistant::Assistant;
use maestro_tools::ml::model_json;
use maestro_tools::store::{DatasetSummary, ModelSummary, Scope};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppStateRef, Page, Route, call_tool, created, object, open, read, segment};
use crate::auth::Caller;
use crate::openapi::{Doc, schema_ref};
use crate::problem::Problem;
use crate::state::{blocking, random_id};

pub(super) fn routes() -> Vec<Route> {
    let mut routes = dataset_routes();
    routes.extend(model_routes());
    routes
}

/// The query parameters of a paged listing.
const PAGE: [(&str, &str); 2] = [
    ("limit", "page size, 1 to 1000 (default 100)"),
    ("offset", "entries to skip"),
];

/// The query parameter that picks one version.
const VERSION: [(&str, &str); 1] = [("version", "a version number (default: the latest)")];

/// `/v1/datasets` and `/v1/datasets/{name}`.
fn dataset_routes() -> Vec<Route> {
    vec![
        Route {
            doc: Doc::new(
                "GET",
                "/v1/datasets",
                "Registered dataset versions, by name then version.",
            )
            .scope(Scope::Read)
            .query(&[("name", "only this dataset's versions"), PAGE[0], PAGE[1]])
            .response(
                200,
                json!({"type": "array", "items": schema_ref("Dataset")}),
            ),
            handler: get(list_datasets),
        },
        Route {
            doc: Doc::new(
                "POST",
                "/v1/datasets",
                "Register a CSV file (only under MAESTRO_DATA_ROOTS) as a dataset version.",
            )
            .scope(Scope::Write)
            .request(schema_ref("tool.register_dataset"))
            .response(201, schema_ref("Dataset")),
            handler: post(register_dataset),
        },
        Route {
            doc: Doc::new(
                "PUT",
                "/v1/datasets/{name}",
                "Upload a CSV body (`Content-Type: text/csv`, at most 64 MiB) as dataset NAME: a new dataset, or a new version when the content changed. The server keeps the file; no shared file system is needed.",
            )
            .scope(Scope::Write)
            .query(&[("description", "what it holds")])
            .request_body("text/csv", json!({"type": "string"}))
            .response(201, schema_ref("Dataset")),
            handler: put(upload_dataset).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        },
        Route {
            doc: Doc::new(
                "GET",
                "/v1/datasets/{name}",
                "One dataset version with its column profile.",
            )
            .scope(Scope::Read)
            .query(&VERSION)
            .response(200, schema_ref("Dataset")),
            handler: get(one_dataset),
        },
    ]
}

/// `/v1/models` and `/v1/models/{name}`.
fn model_routes() -> Vec<Route> {
    vec![
        Route {
            doc: Doc::new(
                "GET",
                "/v1/models",
                "Registered model versions, by name then version.",
            )
            .scope(Scope::Read)
            .query(&[
                ("dataset", "only models trained on this dataset"),
                ("stage", "none, staging, production or archived"),
                PAGE[0],
                PAGE[1],
            ])
            .response(200, json!({"type": "array", "items": schema_ref("Model")})),
            handler: get(list_models),
        },
        Route {
            doc: Doc::new(
                "GET",
                "/v1/models/{name}",
                "One model version with its details.",
            )
            .scope(Scope::Read)
            .query(&VERSION)
            .response(200, schema_ref("Model")),
            handler: get(one_model),
        },
        Route {
            doc: Doc::new(
                "PATCH",
                "/v1/models/{name}",
                "Move a model version to a stage: {\"stage\", \"version\"?}.",
            )
            .scope(Scope::Write)
            .request(
                json!({"type": "object", "required": ["stage"], "properties": {
                    "stage": {"enum": ["none", "staging", "production", "archived"]},
                    "version": {"type": "integer", "minimum": 1}}}),
            )
            .response(200, schema_ref("Model")),
            handler: patch(promote_model),
        },
        Route {
            doc: Doc::new(
                "DELETE",
                "/v1/models/{name}",
                "Delete a model version (?version=N) or every version.",
            )
            .scope(Scope::Write)
            .query(&VERSION)
            .response(200, json!({"type": "object"})),
            handler: delete(delete_model),
        },
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatasetQuery {
    name: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

async fn list_datasets(
    state: AppStateRef,
    caller: Caller,
    Query(q): Query<DatasetQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let page = Page::new(q.limit, q.offset)?;
    let mut all = read(assistant, &caller, |q| q.datasets()).await?;
    if let Some(name) = q.name {
        all.retain(|d| d.name.eq_ignore_ascii_case(name.trim()));
    }
    let all: Vec<DatasetSummary> = all.iter().map(DatasetSummary::from).collect();
    Ok(page.respond(all, "/v1/datasets", raw.as_deref()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionQuery {
    version: Option<u32>,
}

async fn one_dataset(
    state: AppStateRef,
    caller: Caller,
    Path(name): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let d = read(assistant, &caller, move |r| r.dataset(&name, q.version)).await?;
    let body = DatasetSummary {
        profile: Some(d.profile.clone()),
        ..DatasetSummary::from(&d)
    };
    Ok(Json(body).into_response())
}

async fn register_dataset(
    state: AppStateRef,
    caller: Caller,
    Json(body): Json<Value>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    register(assistant, &caller, Value::Object(object(body)?)).await
}

/// Largest CSV body `PUT /v1/datasets/{name}` takes.
const UPLOAD_LIMIT: usize = 64 << 20;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    description: Option<String>,
}

/// Keeps the CSV body in the workspace's upload directory, named by its
/// content's hash (the same content twice is one file), and registers it.
async fn upload_dataset(
    state: AppStateRef,
    caller: Caller,
    Path(name): Path<String>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"));
    if !is_csv {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the file's content as the body with Content-Type: text/csv",
        ));
    }
    let assistant = open(&state, &caller).await?;
    let workspace = caller.workspace().to_string();
    let keeper = Arc::clone(&state);
    let path = blocking(move || {
        let dir = keeper.upload_dir(&workspace)?.ok_or_else(|| {
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "this server keeps no uploads; register a file under MAESTRO_DATA_ROOTS with POST /v1/datasets",
            )
        })?;
        let digest = ring::digest::digest(&ring::digest::SHA256, &body);
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        let path = dir.join(format!("{hex}.csv"));
        if !path.exists() {
            // Written whole under a name of its own before it takes the
            // final one, so no reader sees half a file and two uploads of
            // the same content at once do not meet.
            let partial = dir.join(format!("{hex}.{}.partial", random_id()));
            let kept = std::fs::write(&partial, &body).and_then(|()| std::fs::rename(&partial, &path));
            if let Err(e) = kept {
                let _ = std::fs::remove_file(&partial);
                if !path.exists() {
                    return Err(Problem::internal(format!("cannot keep the upload: {e}")));
                }
            }
        }
        Ok(path)
    })
    .await?;
    let mut args = json!({"path": path, "name": name});
    if let Some(description) = q.description {
        args["description"] = json!(description);
    }
    register(assistant, &caller, args).await
}

/// Registers a file with `register_dataset`: 201 with the version made (or found).
async fn register(assistant: Assistant, caller: &Caller, args: Value) -> Result<Response, Problem> {
    let out = call_tool(assistant.clone(), caller, "register_dataset", args).await?;
    let name = out.data["name"].as_str().unwrap_or_default().to_string();
    let version = out.data["version"].as_u64().map(|v| v as u32);
    let lookup = name.clone();
    let d = read(assistant, caller, move |r| r.dataset(&lookup, version)).await?;
    Ok(created(
        format!("/v1/datasets/{}?version={}", segment(&name), d.version),
        json!(DatasetSummary::from(&d)),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelQuery {
    dataset: Option<String>,
    stage: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

async fn list_models(
    state: AppStateRef,
    caller: Caller,
    Query(q): Query<ModelQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let page = Page::new(q.limit, q.offset)?;
    let all = read(assistant, &caller, |q| q.models()).await?;
    let all: Vec<Value> = all
        .iter()
        .map(model_json)
        .filter(|m| {
            q.dataset.as_deref().is_none_or(|d| {
                m["dataset"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(d))
            }) && q.stage.as_deref().is_none_or(|s| m["stage"] == s)
        })
        .collect();
    Ok(page.respond(all, "/v1/models", raw.as_deref()))
}

async fn one_model(
    state: AppStateRef,
    caller: Caller,
    Path(name): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let m = read(assistant, &caller, move |r| r.model(&name, q.version)).await?;
    let body = ModelSummary {
        family: Some(m.family.clone()),
        details: Some(m.details.clone()),
        ..ModelSummary::from(&m)
    };
    Ok(Json(body).into_response())
}

async fn promote_model(
    state: AppStateRef,
    caller: Caller,
    Path(name): Path<String>,
    Json(body): Json<Value>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let mut args = object(body)?;
    args.insert("model".into(), json!(name));
    let out = call_tool(assistant, &caller, "promote_model", Value::Object(args)).await?;
    Ok(Json(out.data).into_response())
}

async fn delete_model(
    state: AppStateRef,
    caller: Caller,
    Path(name): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let args = json!({"model": name, "version": q.version});
    let args = Value::Object(
        object(args)?
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .collect(),
    );
    let out = call_tool(assistant, &caller, "delete_model", args).await?;
    Ok(Json(out.data).into_response())
}
