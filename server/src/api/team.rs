//! `/v1/people` (list, get, add) and `/v1/projects` (list, get).

use axum::Json;
use axum::extract::{Path, Query, RawQuery};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maestro_tools::ToolError;
use maestro_tools::store::Scope;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppStateRef, Page, Route, call_tool, created, object, open, read, segment};
use crate::auth::Caller;
use crate::openapi::{Doc, schema_ref};
use crate::problem::Problem;

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
    let assistant = open(&state, &caller).await?;
    let page = Page::new(q.limit, q.offset)?;
    let mut people = read(assistant, &caller, |r| r.people()).await?;
    if let Some(skill) = q.skill {
        let skill = skill.trim().to_lowercase();
        people.retain(|p| p.skills.contains(&skill));
    }
    Ok(page.respond(people, "/v1/people", raw.as_deref()))
}

/// The person `name` means, by the rule chat uses (full name, Slack id,
/// e-mail, or a first name only one person has); 404 otherwise.
async fn one_person(
    state: AppStateRef,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    // Nobody by that name is a resource that is not there (in a tool's
    // arguments the same error is a 422: the request names someone unknown).
    let person = read(assistant, &caller, move |r| match r.person(&name) {
        Err(e @ ToolError::UnknownPerson { .. }) => Err(Problem::not_found(e.to_string())),
        other => other.map_err(Problem::from),
    })
    .await?;
    Ok(Json(person).into_response())
}

async fn add_person(
    state: AppStateRef,
    caller: Caller,
    Json(body): Json<Value>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
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

async fn list_projects(
    state: AppStateRef,
    caller: Caller,
    Query(q): Query<PageQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let page = Page::new(q.limit, q.offset)?;
    let all = read(assistant, &caller, |r| r.projects()).await?;
    Ok(page.respond(all, "/v1/projects", raw.as_deref()))
}

async fn one_project(
    state: AppStateRef,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let project = read(assistant, &caller, move |r| r.project(&name)).await?;
    Ok(Json(project).into_response())
}
