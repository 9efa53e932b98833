//! `/v1/reminders` (list, set, cancel), `/v1/digest/{person}` and
//! `/v1/outbox`: what the scheduler tells people, each a call of the tool of
//! the same purpose (the outbox a read).

use axum::Json;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use maestro_tools::store::Scope;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppStateRef, Route, call_tool, created, object, open, read};
use crate::auth::Caller;
use crate::openapi::{Doc, schema_ref};
use crate::problem::Problem;

/// The most outbox messages one request lists.
const OUTBOX_LIMIT_MAX: usize = 500;

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route {
            doc: Doc::new("GET", "/v1/reminders", "Reminders still to come.")
                .scope(Scope::Read)
                .query(&[("person", "only this person's")])
                .response(
                    200,
                    json!({"type": "array", "items": schema_ref("ReminderView")}),
                ),
            handler: get(list_reminders),
        },
        Route {
            doc: Doc::new(
                "POST",
                "/v1/reminders",
                "Set a one-shot reminder (the arguments of create_reminder).",
            )
            .scope(Scope::Write)
            .request(schema_ref("tool.create_reminder"))
            .response(201, schema_ref("ReminderView")),
            handler: post(create_reminder),
        },
        Route {
            doc: Doc::new(
                "DELETE",
                "/v1/reminders/{id}",
                "Cancel a reminder that has not been delivered.",
            )
            .scope(Scope::Write)
            .response(200, schema_ref("ReminderView")),
            handler: delete(cancel_reminder),
        },
        Route {
            doc: Doc::new(
                "GET",
                "/v1/digest/{person}",
                "A person's digest now: overdue, due in the next two working days, at risk, new for them, and whether it changed since their last digest.",
            )
            .scope(Scope::Read)
            .response(200, schema_ref("DigestReport")),
            handler: get(digest),
        },
        Route {
            doc: Doc::new(
                "GET",
                "/v1/outbox",
                "The messages the scheduler posted (reminders, digests), newest first.",
            )
            .scope(Scope::Read)
            .query(&[
                ("person", "only this person's"),
                ("limit", "at most this many (default 50, at most 500)"),
            ])
            .response(200, json!({"type": "array", "items": schema_ref("Message")})),
            handler: get(outbox),
        },
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonQuery {
    person: Option<String>,
}

async fn list_reminders(
    state: AppStateRef,
    caller: Caller,
    Query(q): Query<PersonQuery>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let args = match q.person {
        Some(name) => json!({ "person": name }),
        None => json!({}),
    };
    let out = call_tool(assistant, &caller, "list_reminders", args).await?;
    Ok(Json(out.data).into_response())
}

async fn create_reminder(
    state: AppStateRef,
    caller: Caller,
    Json(body): Json<Value>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let args = Value::Object(object(body)?);
    let out = call_tool(assistant, &caller, "create_reminder", args).await?;
    let id = out.data["id"].as_i64().unwrap_or_default();
    Ok(created(format!("/v1/reminders/{id}"), out.data))
}

async fn cancel_reminder(
    state: AppStateRef,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let out = call_tool(assistant, &caller, "cancel_reminder", json!({ "id": id })).await?;
    Ok(Json(out.data).into_response())
}

async fn digest(
    state: AppStateRef,
    caller: Caller,
    Path(person): Path<String>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let out = call_tool(assistant, &caller, "digest", json!({ "person": person })).await?;
    Ok(Json(out.data).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutboxQuery {
    person: Option<String>,
    limit: Option<usize>,
}

async fn outbox(
    state: AppStateRef,
    caller: Caller,
    Query(q): Query<OutboxQuery>,
) -> Result<Response, Problem> {
    let limit = q.limit.unwrap_or(50);
    if limit == 0 || limit > OUTBOX_LIMIT_MAX {
        return Err(Problem::bad_request(format!(
            "limit must be 1 to {OUTBOX_LIMIT_MAX}"
        )));
    }
    let assistant = open(&state, &caller).await?;
    let messages = read(assistant, &caller, move |r| {
        r.outbox(q.person.as_deref(), limit)
    })
    .await?;
    Ok(Json(messages).into_response())
}
