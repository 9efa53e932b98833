//! `/v1/people` (list, get, add) and `/v1/projects` (list, get).

use axum::Json;
use axum::extract::{Path, Query, RawQuery};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maestro_tools::TaskFilter;
use maestro_tools::store::Scope;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppStateRef, Page, Route, call_tool, created, object, open, segment};
use crate::auth::Caller;
use crate::openapi::{Doc, schema_ref};
use crate::problem::Problem;
use crate::state::blocking;

pub(super) fn routes() -> Vec<Route> {
    let page = [
        ("limit", "page size, 1 to 1000 (default 100)"),
        ("offset", "entries to skip"),
    ];
    vec![
        Route {
            doc: Doc::new("GET", "/v1/people", "The team, by name, a page at a time.")
                .scope(Scope::Read)
                .query(&[("skill", "only people with this skill"), page[0], page[1]])
                .response(200, json!({"type": "array", "items": schema_ref("Person")})),
            handler: get(list_people),
        },
        Route {
            doc: Doc::new(
                "POST",
                "/v1/people",
                "Add someone (the arguments of add_person).",
            )
            .scope(Scope::Write)
            .request(schema_ref("tool.add_person"))
            .response(201, schema_ref("Person")),
            handler: post(add_person),
        },
        Route {
            doc: Doc::new(
                "GET",
                "/v1/people/{name}",
                "One person, by full name, Slack id or e-mail.",
            )
            .scope(Scope::Read)
            .response(200, schema_ref("Person")),
            handler: get(one_person),
        },
        Route {
            doc: Doc::new(
                "GET",
                "/v1/projects",
                "Projects with their task counts, by name.",
            )
            .scope(Scope::Read)
            .query(&page)
            .response(
                200,
                json!({"type": "array", "items": schema_ref("Project")}),
            ),
            handler: get(list_projects),
        },
        Route {
            doc: Doc::new(
                "GET",
                "/v1/projects/{name}",
                "One project with its task counts.",
            )
            .scope(Scope::Read)
            .response(200, schema_ref("Project")),
            handler: get(one_project),
        },
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PeopleQuery {
    skill: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

async fn list_people(
    state: AppStateRef,
    caller: Caller,
    Query(q): Query<PeopleQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller, Scope::Read).await?;
    let page = Page::new(q.limit, q.offset)?;
    let mut people = blocking(move || Ok(assistant.platform().store().list_people()?)).await?;
    if let Some(skill) = q.skill {
        let skill = skill.trim().to_lowercase();
        people.retain(|p| p.skills.contains(&skill));
    }
    Ok(page.respond(people, "/v1/people", raw.as_deref()))
}

async fn one_person(
    state: AppStateRef,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller, Scope::Read).await?;
    let people = blocking(move || Ok(assistant.platform().store().list_people()?)).await?;
    let wanted = name.trim().to_lowercase();
    let same = |s: Option<&str>| s.is_some_and(|s| s.to_lowercase() == wanted);
    people
        .into_iter()
        .find(|p| same(Some(&p.name)) || same(p.slack_id.as_deref()) || same(p.email.as_deref()))
        .map(|p| Json(p).into_response())
        .ok_or_else(|| Problem::not_found(format!("there is no person {name:?}")))
}

async fn add_person(
    state: AppStateRef,
    caller: Caller,
    Json(body): Json<Value>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller, Scope::Write).await?;
    let args = Value::Object(object(body)?);
    let out = call_tool(assistant, &caller, "add_person", args).await?;
    let name = out.data["name"].as_str().unwrap_or_default();
    Ok(created(format!("/v1/people/{}", segment(name)), out.data))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    limit: Option<usize>,
    offset: Option<usize>,
}

/// Every project with its task counts (one pass over the tasks).
fn projects(assistant: &maestro_assistant::Assistant) -> Result<Vec<Value>, Problem> {
    let store = assistant.platform().store();
    let names = store.list_projects()?;
    let tasks = store.list_tasks(&TaskFilter::default())?;
    Ok(names
        .into_iter()
        .map(|name| {
            let of: Vec<_> = tasks
                .iter()
                .filter(|t| {
                    t.project
                        .as_deref()
                        .is_some_and(|p| p.eq_ignore_ascii_case(&name))
                })
                .collect();
            let open = of
                .iter()
                .filter(|t| t.status != maestro_tools::Status::Done)
                .count();
            json!({"name": name, "tasks": of.len(), "open_tasks": open})
        })
        .collect())
}

async fn list_projects(
    state: AppStateRef,
    caller: Caller,
    Query(q): Query<PageQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller, Scope::Read).await?;
    let page = Page::new(q.limit, q.offset)?;
    let all = blocking(move || projects(&assistant)).await?;
    Ok(page.respond(all, "/v1/projects", raw.as_deref()))
}

async fn one_project(
    state: AppStateRef,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller, Scope::Read).await?;
    let all = blocking(move || projects(&assistant)).await?;
    all.into_iter()
        .find(|p| {
            p["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name.trim()))
        })
        .map(|p| Json(p).into_response())
        .ok_or_else(|| Problem::not_found(format!("there is no project {name:?}")))
}
