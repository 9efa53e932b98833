//! `/v1/tools`: the tool list, and direct calls with schema validation.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maestro_tools::Effect;
use maestro_tools::store::Scope;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppStateRef, Route, open};
use crate::auth::Caller;
use crate::openapi::{Doc, schema_ref};
use crate::problem::Problem;
use crate::state::blocking;

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route {
            doc: Doc::new("GET", "/v1/tools", "Every tool: name, description, effect, examples and argument schema.")
                .scope(Scope::Read)
                .response(200, json!({"type": "array", "items": schema_ref("ToolInfo")})),
            handler: get(list),
        },
        Route {
            doc: Doc::new("POST", "/v1/tools/{name}", "Call a tool directly; the body is its arguments object (see the tool.* schemas). Read tools need the read scope, others write; destructive tools need ?confirm=true (else 409). Invalid arguments: 422 naming the field.")
                .scope(Scope::Read)
                .query(&[("confirm", "true to run a destructive tool")])
                .request(json!({"type": "object"}))
                .response(200, schema_ref("ToolOutput")),
            handler: post(call),
        },
    ]
}

async fn list(state: AppStateRef, caller: Caller) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    Ok(Json(assistant.platform().registry().infos()).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CallQuery {
    confirm: Option<bool>,
}

async fn call(
    state: AppStateRef,
    caller: Caller,
    Path(name): Path<String>,
    Query(q): Query<CallQuery>,
    body: Bytes,
) -> Result<Response, Problem> {
    let assistant = open(&state, &caller).await?;
    let tool = assistant
        .platform()
        .registry()
        .get(&name)
        .cloned()
        .ok_or_else(|| {
            Problem::not_found(format!(
                "there is no tool called {name:?}; GET /v1/tools lists them"
            ))
        })?;
    let effect = tool.effect();
    if effect != Effect::Read {
        caller.require(Scope::Write)?;
    }
    if effect == Effect::Destructive && q.confirm != Some(true) {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            format!("{name} cannot be undone; repeat the request with ?confirm=true to run it"),
        ));
    }
    let args: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            Problem::bad_request(format!(
                "the body is not JSON ({e}); send the tool's arguments as a JSON object"
            ))
        })?
    };
    let actor = format!("token:{}", caller.0.name);
    if q.confirm != Some(true) {
        let (platform, name, args, actor) =
            (assistant.clone(), name.clone(), args.clone(), actor.clone());
        let question =
            blocking(move || Ok(platform.platform().confirmation(Some(&actor), &name, &args)))
                .await?;
        if let Some(question) = question {
            return Err(Problem::new(
                StatusCode::CONFLICT,
                format!("{question} Repeat the request with ?confirm=true to run it."),
            ));
        }
    }
    let out =
        blocking(move || Ok(assistant.platform().call(Some(&actor), tool.name(), args)?)).await?;
    Ok(Json(out).into_response())
}
