//! `/people`: the team with skills and capacity, the workload chart, and
//! who the work-intelligence models recommend for a typed task.

use std::sync::Arc;

use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use maud::html;
use serde::Deserialize;
use serde_json::json;

use super::render::{number, output};
use super::{PageError, Viewer};
use crate::state::AppState;

/// The people page.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/people", get(people))
}

#[derive(Deserialize)]
struct Recommend {
    task: Option<String>,
}

async fn people(viewer: Viewer, Query(q): Query<Recommend>) -> Result<Response, PageError> {
    let team = viewer.query(|q| q.people()).await?;
    let workload = viewer.call("workload_report", json!({})).await?;
    let task = q
        .task
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let recommended = match &task {
        Some(title) => Some(
            viewer
                .call("recommend_assignee", json!({ "title": title }))
                .await?,
        ),
        None => None,
    };
    let body = html! {
        div.scroll {
            table {
                thead { tr { th { "Name" } th { "E-mail" } th { "Skills" } th { "Capacity (h/week)" } } }
                tbody {
                    @for p in &team {
                        tr {
                            td { (p.name) }
                            td { (p.email.as_deref().unwrap_or("—")) }
                            td { (p.skills.join(", ")) }
                            td { (number(p.capacity)) }
                        }
                    }
                }
            }
        }
        h2 { "Workload" }
        (output(&workload))
        h2 #recommend { "Who should take it?" }
        form.filters method="get" action="/people#recommend" {
            label for="task" { "Task" }
            input #task type="text" name="task" value=[task.as_deref()] placeholder="e.g. fix the login bug" required;
            button type="submit" { "Recommend" }
        }
        @if let Some(out) = &recommended { (output(out)) }
    };
    Ok(viewer.page("/people", "People", body))
}
