//! `/v1/tasks`: list (filters, pages), get, create, update, delete.

use axum::Json;
use axum::extract::{Path, Query, RawQuery};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use maestro_tools::TaskFilter;
use maestro_tools::store::Scope;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppStateRef, Page, Route, call_tool, created, object, open, read, with_path_id};
use crate::auth::Caller;
use crate::openapi::{Doc, schema_ref};
use crate::problem::Problem;

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route {
            doc: Doc::new(
                "GET",
                "/v1/tasks",
                "List tasks (due date, then priority), filtered, a page at a time.",
            )
            .scope(Scope::Read)
            .query(&[
                ("assignee", "a person's name"),
                ("status", "todo, in_progress, done or open"),
                ("project", "a project name"),
                ("priority", "low, medium, high or urgent"),
                ("tag", "a tag"),
                ("due_before", "YYYY-MM-DD (inclusive)"),
                ("overdue", "true: not done and due before today"),
                ("limit", "page size, 1 to 1000 (default 100)"),
                ("offset", "tasks to skip"),
            ])
            .response(200, json!({"type": "array", "items": schema_ref("Task")})),
            handler: get(list),
        },
        Route {
            doc: Doc::new(
                "POST",
                "/v1/tasks",
                "Create a task (the arguments of create_task).",
            )
            .scope(Scope::Write)
            .request(schema_ref("tool.create_task"))
            .response(201, schema_ref("Task")),
            handler: post(create),
        },
        Route {
            doc: Doc::new("GET", "/v1/tasks/{id}", "One task.")
                .scope(Scope::Read)
                .response(200, schema_ref("Task")),
            handler: get(one),
        },
        Route {
            doc: Doc::new(
                "PATCH",
                "/v1/tasks/{id}",
                "Change a task (the arguments of update_task, without id).",
            )
            .scope(Scope::Write)
            .request(schema_ref("tool.update_task"))
            .response(200, schema_ref("Task")),
            handler: patch(update),
        },
        Route {
            doc: Doc::new(
                "DELETE",
                "/v1/tasks/{id}",
                "Delete a task for good; answers the task as it was.",
            )
            .scope(Scope::Write)
            .response(200, schema_ref("Task")),
            handler: delete(remove),
        },
    ]
}

/// A task listing's query: the filter's fields as text, and the page.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TaskQuery {
    pub assignee: Option<String>,
    pub status: Option<String>,
    pub project: Option<String>,
    pub priority: Option<String>,
    pub tag: Option<String>,
    pub due_before: Option<String>,
    pub overdue: Option<bool>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

impl TaskQuery {
    /// The filter these fields ask for (`overdue` as of `today`), or what is wrong with them.
    pub(crate) fn filter(self, today: chrono::NaiveDate) -> Result<TaskFilter, Problem> {
        let due_before = self
            .due_before
            .map(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d"))
            .transpose()
            .map_err(|_| Problem::bad_request("due_before must be a date, YYYY-MM-DD"))?;
        Ok(TaskFilter {
            assignee: self.assignee,
            status: parse(self.status)?,
            project: self.project,
            priority: parse(self.priority)?,
            tag: self.tag,
            due_before,
            overdue_on: self.overdue.unwrap_or(false).then_some(today),
            limit: None,
        })
    }
}

fn parse<T: std::str::FromStr<Err = String>>(v: Option<String>) -> Result<Option<T>, Problem> {
    v.map(|s| s.parse())
        .transpose()
        .map_err(Problem::bad_request)
}

async fn list(
    state: AppStateRef,
    caller: Caller,
    Query(q): Query<TaskQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let page = Page::new(q.limit, q.offset)?;
    let filter = q.filter(assistant.platform().clock().today())?;
    let tasks = read(assistant, &caller, move |q| q.tasks(&filter)).await?;
    Ok(page.respond(tasks, "/v1/tasks", raw.as_deref()))
}

async fn one(state: AppStateRef, caller: Caller, Path(id): Path<i64>) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let task = read(assistant, &caller, move |q| q.task(id)).await?;
    Ok(Json(task).into_response())
}

async fn create(
    state: AppStateRef,
    caller: Caller,
    Json(body): Json<Value>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let args = Value::Object(object(body)?);
    let out = call_tool(assistant, &caller, "create_task", args).await?;
    let id = out.data["id"].as_i64().unwrap_or_default();
    Ok(created(format!("/v1/tasks/{id}"), out.data))
}

async fn update(
    state: AppStateRef,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<Value>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let args = with_path_id(body, id)?;
    let out = call_tool(assistant, &caller, "update_task", args).await?;
    Ok(Json(out.data).into_response())
}

async fn remove(
    state: AppStateRef,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let out = call_tool(assistant, &caller, "delete_task", json!({"id": id})).await?;
    Ok(Json(out.data).into_response())
}
