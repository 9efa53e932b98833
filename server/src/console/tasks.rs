//! `/tasks`: the board by status and the table, filtered as REST filters
//! (`api::TaskQuery`); creating, editing, completing, assigning and
//! deleting go through the same tools as chat.

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use maestro_tools::store::{Scope, Status, Task};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::render::{csrf, select};
use super::{PageError, Viewer};
use crate::api::TaskQuery;
use crate::state::AppState;

/// The task board, table and task pages, and their changes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/tasks", get(list).post(create))
        .route("/tasks/{id}", get(one).post(edit))
        .route("/tasks/{id}/complete", post(complete))
        .route("/tasks/{id}/assign", post(assign))
        .route("/tasks/{id}/delete", get(confirm_delete).post(delete))
}

/// Cards a board column shows; the table pages the rest.
const COLUMN_CARDS: usize = 50;
/// Rows a table page shows.
const TABLE_ROWS: usize = 100;

const STATUSES: [&str; 3] = ["todo", "in_progress", "done"];
const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// An empty form field means "not given".
fn given(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The listing's query string: the filter, the view and the page.
#[derive(Debug, Default, Deserialize)]
struct Listing {
    assignee: Option<String>,
    status: Option<String>,
    project: Option<String>,
    priority: Option<String>,
    due_before: Option<String>,
    view: Option<String>,
    offset: Option<usize>,
}

impl Listing {
    fn query(&self) -> TaskQuery {
        TaskQuery {
            assignee: given(self.assignee.clone()),
            status: given(self.status.clone()),
            project: given(self.project.clone()),
            priority: given(self.priority.clone()),
            due_before: given(self.due_before.clone()),
            ..TaskQuery::default()
        }
    }

    fn is_table(&self) -> bool {
        self.view.as_deref() == Some("table")
    }

    /// This listing's link at another offset.
    fn at(&self, offset: usize) -> String {
        let pairs = [
            ("assignee", &self.assignee),
            ("status", &self.status),
            ("project", &self.project),
            ("priority", &self.priority),
            ("due_before", &self.due_before),
        ];
        let mut query: Vec<(&str, String)> = pairs
            .iter()
            .filter_map(|(k, v)| given((*v).clone()).map(|v| (*k, v)))
            .collect();
        query.push(("view", "table".into()));
        query.push(("offset", offset.to_string()));
        format!(
            "/tasks?{}",
            serde_urlencoded::to_string(query).unwrap_or_default()
        )
    }
}

/// The team's names and the projects' names, for the forms' choices.
async fn choices(viewer: &Viewer) -> Result<(Vec<String>, Vec<String>), PageError> {
    viewer
        .query(|q| {
            let people = q.people()?.into_iter().map(|p| p.name).collect();
            Ok((people, q.project_names()?))
        })
        .await
}

async fn list(viewer: Viewer, Query(listing): Query<Listing>) -> Result<Response, PageError> {
    let today = viewer.assistant.platform().clock().today();
    let filter = listing.query().filter(today)?;
    let (tasks, (people, projects)) = (
        viewer.query(move |q| q.tasks(&filter)).await?,
        choices(&viewer).await?,
    );
    let body = html! {
        (filters(&listing, &people, &projects))
        @if listing.is_table() { (table(&viewer, &listing, &tasks)) } @else { (board(&viewer, &tasks)) }
        @if viewer.can_write() { (create_form(&viewer, &people, &projects)) }
    };
    Ok(viewer.page("/tasks", "Tasks", body))
}

fn filters(listing: &Listing, people: &[String], projects: &[String]) -> Markup {
    let statuses = strings(&["open", "todo", "in_progress", "done"]);
    html! {
        form.filters method="get" action="/tasks" aria-label="Filter tasks" {
            label { "Assignee " (select("assignee", people, listing.assignee.as_deref(), Some("anyone"))) }
            label { "Project " (select("project", projects, listing.project.as_deref(), Some("any"))) }
            label { "Status " (select("status", &statuses, listing.status.as_deref(), Some("any"))) }
            label { "Priority " (select("priority", &strings(&PRIORITIES), listing.priority.as_deref(), Some("any"))) }
            label { "Due by " input type="date" name="due_before" value=[listing.due_before.as_deref()]; }
            label { "View " (select("view", &strings(&["board", "table"]), listing.view.as_deref(), None)) }
            button type="submit" { "Show" }
        }
    }
}

fn board(viewer: &Viewer, tasks: &[Task]) -> Markup {
    let column = |status: Status| {
        let mut these: Vec<&Task> = tasks.iter().filter(|t| t.status == status).collect();
        if status == Status::Done {
            these.sort_by_key(|t| std::cmp::Reverse(t.completed_at));
        }
        these
    };
    let columns = [
        ("To do", column(Status::Todo)),
        ("In progress", column(Status::InProgress)),
        ("Done", column(Status::Done)),
    ];
    html! {
        div.board {
            @for (label, these) in &columns {
                section.column aria-label=(label) {
                    h2 { (label) " " span.count { (these.len()) } }
                    @for task in these.iter().take(COLUMN_CARDS) { (card(viewer, task)) }
                    @if these.len() > COLUMN_CARDS {
                        p.hint { (these.len() - COLUMN_CARDS) " more — " a href="/tasks?view=table" { "see the table" } }
                    }
                }
            }
        }
    }
}

fn card(viewer: &Viewer, task: &Task) -> Markup {
    html! {
        article.card data-task=(task.id) {
            a.title href=(format!("/tasks/{}", task.id)) { (task.title) }
            p.meta {
                "#" (task.id) " · " span.priority.(task.priority.as_str()) { (task.priority.as_str()) }
                @if let Some(a) = &task.assignee { " · " (a) }
                @if let Some(d) = task.due { " · due " (d) }
            }
            @if viewer.can_write() && task.status != Status::Done {
                form method="post" action=(format!("/tasks/{}/complete", task.id)) {
                    (csrf(viewer))
                    button.small type="submit" aria-label=(format!("Complete task {}", task.id)) { "Complete" }
                }
            }
        }
    }
}

fn table(viewer: &Viewer, listing: &Listing, tasks: &[Task]) -> Markup {
    let offset = listing.offset.unwrap_or(0).min(tasks.len());
    let shown = &tasks[offset..(offset + TABLE_ROWS).min(tasks.len())];
    html! {
        div.scroll {
            table.tasks {
                thead { tr { th { "#" } th { "Title" } th { "Status" } th { "Priority" } th { "Assignee" } th { "Project" } th { "Due" } @if viewer.can_write() { th { "" } } } }
                tbody {
                    @for t in shown {
                        tr {
                            td { (t.id) }
                            td { a href=(format!("/tasks/{}", t.id)) { (t.title) } }
                            td { (t.status.as_str()) }
                            td { (t.priority.as_str()) }
                            td { (t.assignee.as_deref().unwrap_or("—")) }
                            td { (t.project.as_deref().unwrap_or("—")) }
                            td { @if let Some(d) = t.due { (d) } @else { "—" } }
                            @if viewer.can_write() {
                                td { @if t.status != Status::Done {
                                    form method="post" action=(format!("/tasks/{}/complete", t.id)) {
                                        (csrf(viewer))
                                        button.small type="submit" aria-label=(format!("Complete task {}", t.id)) { "Complete" }
                                    }
                                } }
                            }
                        }
                    }
                }
            }
        }
        p.pages {
            ((offset + 1).min(tasks.len())) "–" (offset + shown.len()) " of " (tasks.len())
            @if offset > 0 { " · " a href=(listing.at(offset.saturating_sub(TABLE_ROWS))) { "previous" } }
            @if offset + TABLE_ROWS < tasks.len() { " · " a href=(listing.at(offset + TABLE_ROWS)) { "next" } }
        }
    }
}

fn create_form(viewer: &Viewer, people: &[String], projects: &[String]) -> Markup {
    html! {
        details.create open[false] {
            summary { "New task" }
            form method="post" action="/tasks" {
                (csrf(viewer))
                label for="title" { "Title" }
                input #title type="text" name="title" required maxlength="500";
                (task_fields(None, people, projects))
                button type="submit" { "Create task" }
            }
        }
    }
}

/// The fields create and edit share, filled from `task` when editing.
fn task_fields(task: Option<&Task>, people: &[String], projects: &[String]) -> Markup {
    let due = task.and_then(|t| t.due).map(|d| d.to_string());
    html! {
        div.fields {
            @if task.is_none() {
                label { "Assignee " (select("assignee", people, None, Some("nobody"))) }
            }
            label { "Priority " (select("priority", &strings(&PRIORITIES), Some(task.map_or("medium", |t| t.priority.as_str())), None)) }
            label { "Due " input type="date" name="due" value=[due]; }
            label { "Project " input type="text" name="project" list="projects" value=[task.and_then(|t| t.project.as_deref())]; }
            datalist #projects { @for p in projects { option value=(p) {} } }
        }
    }
}

/// A task form's fields.
#[derive(Debug, Deserialize)]
struct TaskForm {
    title: Option<String>,
    description: Option<String>,
    assignee: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    due: Option<String>,
    project: Option<String>,
}

impl TaskForm {
    /// The fields that can be cleared, which the form sent empty.
    fn emptied(&self) -> Vec<&'static str> {
        let fields = [
            ("description", &self.description),
            ("due", &self.due),
            ("project", &self.project),
        ];
        fields
            .into_iter()
            .filter(|(_, v)| v.as_deref().is_some_and(|v| v.trim().is_empty()))
            .map(|(k, _)| k)
            .collect()
    }

    /// The given fields as a tool's arguments (line ends as `\n`).
    fn arguments(self) -> Map<String, Value> {
        let fields = [
            ("title", self.title),
            (
                "description",
                self.description.map(|d| d.replace("\r\n", "\n")),
            ),
            ("assignee", self.assignee),
            ("status", self.status),
            ("priority", self.priority),
            ("due", self.due),
            ("project", self.project),
        ];
        fields
            .into_iter()
            .filter_map(|(k, v)| given(v).map(|v| (k.to_string(), Value::String(v))))
            .collect()
    }
}

async fn create(viewer: Viewer, Form(form): Form<TaskForm>) -> Result<Response, PageError> {
    let out = viewer
        .call("create_task", Value::Object(form.arguments()))
        .await?;
    Ok(viewer.done("/tasks", &out.summary))
}

async fn one(viewer: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let task = viewer.query(move |q| q.task(id)).await?;
    let (people, projects) = choices(&viewer).await?;
    let body = html! {
        dl.facts {
            dt { "Status" } dd { (task.status.as_str()) }
            dt { "Priority" } dd { (task.priority.as_str()) }
            dt { "Assignee" } dd { (task.assignee.as_deref().unwrap_or("nobody")) }
            dt { "Project" } dd { (task.project.as_deref().unwrap_or("none")) }
            dt { "Due" } dd { @if let Some(d) = task.due { (d) } @else { "no date" } }
            @if !task.tags.is_empty() { dt { "Tags" } dd { (task.tags.join(", ")) } }
        }
        @if let Some(d) = &task.description { p.description { (d) } }
        @if viewer.can_write() { (task_controls(&viewer, &task, &people, &projects)) }
        p { a href="/tasks" { "All tasks" } }
    };
    Ok(viewer.page("/tasks", &format!("#{} {}", task.id, task.title), body))
}

fn task_controls(viewer: &Viewer, task: &Task, people: &[String], projects: &[String]) -> Markup {
    let base = format!("/tasks/{}", task.id);
    html! {
        div.controls {
            @if task.status != Status::Done {
                form method="post" action=(format!("{base}/complete")) { (csrf(viewer)) button type="submit" { "Complete" } }
            }
            form method="post" action=(format!("{base}/assign")) {
                (csrf(viewer))
                label { "Assign to " (select("assignee", people, task.assignee.as_deref(), None)) }
                button type="submit" { "Assign" }
            }
            a.button.danger href=(format!("{base}/delete")) { "Delete…" }
        }
        form.edit method="post" action=(base) {
            (csrf(viewer))
            h2 { "Edit" }
            label for="title" { "Title" }
            input #title type="text" name="title" value=(task.title) required maxlength="500";
            label for="description" { "Description" }
            textarea #description name="description" rows="3" { (task.description.as_deref().unwrap_or("")) }
            label { "Status " (select("status", &strings(&STATUSES), Some(task.status.as_str()), None)) }
            (task_fields(Some(task), people, projects))
            button type="submit" { "Save" }
        }
    }
}

async fn edit(
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<TaskForm>,
) -> Result<Response, PageError> {
    let task = viewer.query(move |q| q.task(id)).await?;
    let current = serde_json::to_value(&task).unwrap_or_default();
    // A task's due date, project or description can be changed, not emptied: say so.
    let kept: Vec<&str> = form
        .emptied()
        .into_iter()
        .filter(|k| !current[*k].is_null())
        .map(|k| if k == "due" { "due date" } else { k })
        .collect();
    let kept = match kept.as_slice() {
        [] => String::new(),
        fields => format!(
            " Kept the {}: it can be changed here, not emptied.",
            fields.join(" and ")
        ),
    };
    // Only what the form changed goes to the tool.
    let mut args: Map<String, Value> = form
        .arguments()
        .into_iter()
        .filter(|(k, v)| current.get(k) != Some(v))
        .collect();
    let page = format!("/tasks/{id}");
    if args.is_empty() {
        return Ok(viewer.done(&page, &format!("Nothing changed.{kept}")));
    }
    args.insert("id".into(), json!(id));
    let out = viewer.call("update_task", Value::Object(args)).await?;
    Ok(viewer.done(&page, &format!("{}{kept}", out.summary)))
}

async fn complete(viewer: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let out = viewer.call("complete_task", json!({ "id": id })).await?;
    Ok(viewer.done("/tasks", &out.summary))
}

#[derive(Deserialize)]
struct Assign {
    assignee: String,
}

async fn assign(
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Assign>,
) -> Result<Response, PageError> {
    let args = json!({ "id": id, "assignee": form.assignee });
    let out = viewer.call("assign_task", args).await?;
    Ok(viewer.done(&format!("/tasks/{id}"), &out.summary))
}

async fn confirm_delete(viewer: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    viewer.caller.require(Scope::Write)?;
    let task = viewer.query(move |q| q.task(id)).await?;
    let body = html! {
        p { "Delete task #" (task.id) " “" (task.title) "” for good? This cannot be undone." }
        form.controls method="post" action=(format!("/tasks/{id}/delete")) {
            (csrf(&viewer))
            button.danger type="submit" { "Confirm" }
            a.button.secondary href=(format!("/tasks/{id}")) { "Cancel" }
        }
    };
    Ok(viewer.page("/tasks", "Delete task?", body))
}

async fn delete(viewer: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let out = viewer.call("delete_task", json!({ "id": id })).await?;
    Ok(viewer.done("/tasks", &out.summary))
}
