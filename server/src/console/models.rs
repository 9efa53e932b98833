//! `/models`: the registry, and one model's versions and stages, metrics
//! with their spread, leaderboard, model card, explanation, bias table and
//! comparison; promoting a version goes through `promote_model`.

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use maestro_tools::ToolOutput;
use maestro_tools::store::ModelRecord;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use super::render::{csrf, number, output, select};
use super::{PageError, Viewer};
use crate::api::segment;
use crate::state::AppState;

/// The model registry pages and promotion.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/models", get(list))
        .route("/models/{name}", get(one))
        .route("/models/{name}/promote", post(promote))
}

const STAGES: [&str; 3] = ["none", "staging", "production"];

async fn list(viewer: Viewer) -> Result<Response, PageError> {
    let models = viewer.query(|q| q.models()).await?;
    let body = html! {
        @if models.is_empty() { p { "No models yet: ask the chat to “train a model on churn predicting churned”." } }
        @else { (versions_table(&viewer, &models, false)) }
    };
    Ok(viewer.page("/models", "Models", body))
}

/// Model versions: score with spread, stage (with promotion when `promote`).
fn versions_table(viewer: &Viewer, models: &[ModelRecord], promote: bool) -> Markup {
    html! {
        div.scroll {
            table {
                thead { tr { th { "Model" } th { "Version" } th { "Stage" } th { "Family" } th { "Score (CV)" } th { "Dataset" } th { "Target" } th { "Trained (UTC)" } } }
                tbody {
                    @for m in models {
                        tr {
                            td { a href=(format!("/models/{}", segment(&m.name))) { (m.name) } }
                            td { (m.version) }
                            td {
                                @if promote && viewer.can_write() {
                                    form.inline method="post" action=(format!("/models/{}/promote", segment(&m.name))) {
                                        (csrf(viewer))
                                        input type="hidden" name="version" value=(m.version);
                                        label.visually-hidden for=(format!("stage-{}", m.version)) { "Stage of version " (m.version) }
                                        select id=(format!("stage-{}", m.version)) name="stage" {
                                            @for s in STAGES { option value=(s) selected[m.stage.as_str() == s] { (s) } }
                                        }
                                        button.small type="submit" { "Set" }
                                    }
                                } @else { (m.stage.as_str()) }
                            }
                            td { (m.family) }
                            td { (m.metric) " " (number(m.cv_score)) " ± " (number(m.cv_std)) }
                            td { (m.dataset) " v" (m.dataset_version) }
                            td { (m.target) }
                            td { (m.created_at.format("%Y-%m-%d %H:%M")) }
                        }
                    }
                }
            }
        }
    }
}

/// What one model's page also shows, on request.
#[derive(Deserialize, Default)]
struct Extras {
    version: Option<u32>,
    explain: Option<String>,
    bias: Option<String>,
    compare: Option<String>,
}

async fn one(
    viewer: Viewer,
    Path(name): Path<String>,
    Query(extras): Query<Extras>,
) -> Result<Response, PageError> {
    let wanted = name.clone();
    let (versions, others) = viewer
        .query(move |q| {
            let all = q.models()?;
            let (mine, others): (Vec<_>, Vec<_>) = all
                .into_iter()
                .partition(|m| m.name.eq_ignore_ascii_case(&wanted));
            Ok((mine, others))
        })
        .await?;
    let Some(latest) = versions.last().cloned() else {
        return Err(PageError::new(
            axum::http::StatusCode::NOT_FOUND,
            format!("there is no model called {name:?}; /models lists them"),
        ));
    };
    let shown = extras
        .version
        .and_then(|v| versions.iter().find(|m| m.version == v))
        .unwrap_or(&latest)
        .clone();
    let model = json!({ "model": shown.name, "version": shown.version });
    let described = viewer.call("describe_model", model.clone()).await?;
    let card = viewer.call("model_card", model.clone()).await?;
    let explained = match extras.explain.is_some() {
        true => Some(viewer.call("explain_model", model.clone()).await?),
        false => None,
    };
    let bias_column = extras.bias.clone().filter(|c| !c.is_empty());
    let bias = match &bias_column {
        Some(column) => {
            let args = json!({ "model": shown.name, "version": shown.version, "column": column });
            Some(viewer.call("check_bias", args).await?)
        }
        None => None,
    };
    let compared = comparison(&viewer, &shown, extras.compare.as_deref()).await?;
    let other_names: Vec<String> = {
        let mut names: Vec<String> = others.iter().map(|m| m.name.clone()).collect();
        names.dedup();
        names
    };
    let columns = bias_columns(&shown.details);
    let base = format!("/models/{}", segment(&shown.name));
    let body = html! {
        h2 { "Versions" }
        (versions_table(&viewer, &versions, true))
        h2 { "Version " (shown.version) }
        (output(&described))
        (leaderboard(&shown.details))
        h2 #explain { "Explanation" }
        @if let Some(out) = &explained { (output(out)) }
        @else {
            form method="get" action=(format!("{base}#explain")) {
                input type="hidden" name="version" value=(shown.version);
                button type="submit" name="explain" value="1" { "Explain the model" }
            }
        }
        h2 #bias { "Fairness" }
        form.filters method="get" action=(format!("{base}#bias")) {
            input type="hidden" name="version" value=(shown.version);
            label { "Sensitive column " (select("bias", &columns, bias_column.as_deref(), None)) }
            button type="submit" { "Check bias" }
        }
        @if let Some(out) = &bias { (output(out)) }
        h2 #compare { "Compare" }
        form.filters method="get" action=(format!("{base}#compare")) {
            input type="hidden" name="version" value=(shown.version);
            label { "With "
                select name="compare" {
                    option value="versions" { "every version of " (shown.name) }
                    @for n in &other_names { option value=(n) selected[extras.compare.as_deref() == Some(n.as_str())] { (n) } }
                }
            }
            button type="submit" { "Compare" }
        }
        @if let Some(out) = &compared { (output(out)) }
        h2 { "Model card" }
        (output(&card))
        p { a href="/models" { "All models" } }
    };
    Ok(viewer.page("/models", &shown.name, body))
}

/// The comparison asked for: with every version of the shown model
/// ("versions"), or with another model by name.
async fn comparison(
    viewer: &Viewer,
    shown: &ModelRecord,
    compare: Option<&str>,
) -> Result<Option<ToolOutput>, PageError> {
    let models = match compare.filter(|c| !c.is_empty()) {
        Some("versions") => json!([shown.name]),
        Some(other) => json!([format!("{}@{}", shown.name, shown.version), other]),
        None => return Ok(None),
    };
    let out = viewer
        .call("compare_models", json!({ "models": models }))
        .await?;
    Ok(Some(out))
}

/// The columns a bias check can group by: the model's features.
fn bias_columns(details: &Value) -> Vec<String> {
    details["features"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The AutoML trials the model was chosen from, best first.
fn leaderboard(details: &Value) -> Markup {
    let Some(trials) = details["leaderboard"].as_array().filter(|t| !t.is_empty()) else {
        return html! {};
    };
    html! {
        h3 { "Leaderboard" }
        div.scroll {
            table {
                thead { tr { th { "#" } th { "Family" } th { "Score (CV)" } th { "Fit (s)" } } }
                tbody {
                    @for (i, t) in trials.iter().enumerate() {
                        tr {
                            td { (i + 1) }
                            td { (t["family"].as_str().unwrap_or("")) }
                            td { (t["cv_score"].as_f64().map(number).unwrap_or_default()) }
                            td { (t["fit_s"].as_f64().map(|s| format!("{s:.2}")).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct Promote {
    version: u32,
    stage: String,
}

async fn promote(
    viewer: Viewer,
    Path(name): Path<String>,
    Form(form): Form<Promote>,
) -> Result<Response, PageError> {
    let args = json!({ "model": name, "version": form.version, "stage": form.stage });
    let out = viewer.call("promote_model", args).await?;
    let page = format!("/models/{}?version={}", segment(&name), form.version);
    Ok(viewer.done(&page, &out.summary))
}
