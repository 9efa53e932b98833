//! `/data`: the data catalog, one dataset's column profiles with a
//! histogram per numeric column, and registering a file (only under
//! `MAESTRO_DATA_ROOTS`, as over REST).

use std::sync::Arc;

use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::render::{csrf, histogram, output};
use super::{PageError, Viewer};
use crate::state::AppState;

/// The data catalog pages and registration.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/data", get(list).post(register))
        .route("/data/{name}", get(one))
}

async fn list(viewer: Viewer) -> Result<Response, PageError> {
    let datasets = viewer.query(|q| q.datasets()).await?;
    let body = html! {
        @if datasets.is_empty() { p { "No datasets yet." } }
        @else {
            div.scroll {
                table {
                    thead { tr { th { "Name" } th { "Version" } th { "Rows" } th { "Columns" } th { "Description" } th { "Registered (UTC)" } } }
                    tbody {
                        @for d in &datasets {
                            tr {
                                td { a href=(format!("/data/{}", crate::api::segment(&d.name))) { (d.name) } }
                                td { (d.version) }
                                td { (d.rows) }
                                td { (d.columns) }
                                td { (d.description) }
                                td { (d.created_at.format("%Y-%m-%d %H:%M")) }
                            }
                        }
                    }
                }
            }
        }
        @if viewer.can_write() { (register_form(&viewer)) }
    };
    Ok(viewer.page("/data", "Data", body))
}

fn register_form(viewer: &Viewer) -> Markup {
    html! {
        details.create {
            summary { "Register a file" }
            form method="post" action="/data" {
                (csrf(viewer))
                label for="path" { "CSV file (a path on the server, under MAESTRO_DATA_ROOTS)" }
                input #path type="text" name="path" required;
                label for="name" { "Name (optional)" }
                input #name type="text" name="name";
                label for="description" { "Description (optional)" }
                input #description type="text" name="description";
                button type="submit" { "Register" }
            }
        }
    }
}

#[derive(Deserialize)]
struct Register {
    path: String,
    name: Option<String>,
    description: Option<String>,
}

async fn register(viewer: Viewer, Form(form): Form<Register>) -> Result<Response, PageError> {
    let mut args = Map::new();
    args.insert("path".into(), json!(form.path.trim()));
    for (key, value) in [("name", form.name), ("description", form.description)] {
        if let Some(v) = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        {
            args.insert(key.into(), json!(v));
        }
    }
    let out = viewer.call("register_dataset", Value::Object(args)).await?;
    let name = out.data["name"].as_str().unwrap_or_default();
    Ok(viewer.done(
        &format!("/data/{}", crate::api::segment(name)),
        &out.summary,
    ))
}

async fn one(viewer: Viewer, Path(name): Path<String>) -> Result<Response, PageError> {
    let described = viewer
        .call("describe_dataset", json!({ "dataset": name }))
        .await?;
    let columns = described.data["columns"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let title = described.data["dataset"]["name"]
        .as_str()
        .unwrap_or(&name)
        .to_string();
    let body = html! {
        (output(&described))
        h2 { "Distributions" }
        div.histograms {
            @for c in &columns { (column_histogram(c)) }
        }
        p { a href="/data" { "All datasets" } }
    };
    Ok(viewer.page("/data", &title, body))
}

/// A numeric column's histogram, when its profile has one.
fn column_histogram(column: &Value) -> Markup {
    let counts: Vec<usize> = column["histogram"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_u64().map(|c| c as usize))
                .collect()
        })
        .unwrap_or_default();
    let (Some(min), Some(max)) = (column["min"].as_f64(), column["max"].as_f64()) else {
        return html! {};
    };
    if counts.is_empty() {
        return html! {};
    }
    let name = column["name"].as_str().unwrap_or("column");
    html! { div { h3 { (name) } (histogram(name, min, max, &counts)) } }
}
