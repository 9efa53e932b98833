//! `/v1/recurring`: list, create, change and cancel recurring tasks (each a
//! call of the tool of the same purpose).

use axum::Json;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use maestro_tools::store::Scope;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppStateRef, Route, call_tool, created, object, open, with_path_id};
use crate::auth::Caller;
use crate::openapi::{Doc, schema_ref};
use crate::problem::Problem;

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route {
            doc: Doc::new(
                "GET",
                "/v1/recurring",
                "Recurring tasks (not cancelled) with their schedule and next due day.",
            )
            .scope(Scope::Read)
            .query(&[("assignee", "only those for this person")])
            .response(
                200,
                json!({"type": "array", "items": schema_ref("Recurring")}),
            ),
            handler: get(list),
        },
        Route {
            doc: Doc::new(
                "POST",
                "/v1/recurring",
                "Set up a recurring task (the arguments of create_recurring_task).",
            )
            .scope(Scope::Write)
            .request(schema_ref("tool.create_recurring_task"))
            .response(201, schema_ref("Recurring")),
            handler: post(create),
        },
        Route {
            doc: Doc::new(
                "PATCH",
                "/v1/recurring/{id}",
                "Change, pause ({\"active\": false}) or resume a recurring task (the arguments of update_recurring, without id).",
            )
            .scope(Scope::Write)
            .request(schema_ref("tool.update_recurring"))
            .response(200, schema_ref("Recurring")),
            handler: patch(update),
        },
        Route {
            doc: Doc::new(
                "DELETE",
                "/v1/recurring/{id}",
                "Cancel a recurring task for good; tasks already created stay.",
            )
            .scope(Scope::Write)
            .response(200, schema_ref("Recurring")),
            handler: delete(cancel),
        },
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecurringQuery {
    assignee: Option<String>,
}

async fn list(
    state: AppStateRef,
    caller: Caller,
    Query(q): Query<RecurringQuery>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let args = match q.assignee {
        Some(name) => json!({ "assignee": name }),
        None => json!({}),
    };
    let out = call_tool(assistant, &caller, "list_recurring", args).await?;
    Ok(Json(out.data).into_response())
}

async fn create(
    state: AppStateRef,
    caller: Caller,
    Json(body): Json<Value>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let args = Value::Object(object(body)?);
    let out = call_tool(assistant, &caller, "create_recurring_task", args).await?;
    let id = out.data["id"].as_i64().unwrap_or_default();
    Ok(created(format!("/v1/recurring/{id}"), out.data))
}

async fn update(
    state: AppStateRef,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<Value>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let out = call_tool(
        assistant,
        &caller,
        "update_recurring",
        with_path_id(body, id)?,
    )
    .await?;
    Ok(Json(out.data).into_response())
}

async fn cancel(
    state: AppStateRef,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let out = call_tool(assistant, &caller, "cancel_recurring", json!({ "id": id })).await?;
    Ok(Json(out.data).into_response())
}
