//! Bulk loading: the demo workspace and CSV files of people and task history.

use chrono::Duration;
use maestro_store::csv::{CsvError, parse_people, parse_tasks};
use serde::Deserialize;

use crate::platform::Platform;
use crate::store::MergedPeople;
use crate::tool::ToolError;
use maestro_store::{NewPerson, NewTask, Person, Task};

/// The demo workspace (people, projects, tasks due relative to today).
pub const DEMO_WORKSPACE: &str = include_str!("../../examples/demo/workspace.json");

/// A bulk load failed; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not what was expected.
    #[error("{0}")]
    Format(String),
    /// The platform refused.
    #[error(transparent)]
    Tool(#[from] ToolError),
}

impl From<CsvError> for ImportError {
    fn from(e: CsvError) -> Self {
        Self::Format(e.0)
    }
}

impl From<crate::store::StoreError> for ImportError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Tool(e.into())
    }
}

#[derive(Deserialize)]
struct Demo {
    people: Vec<DemoPerson>,
    tasks: Vec<DemoTask>,
}

#[derive(Deserialize)]
struct DemoPerson {
    name: String,
    email: String,
    slack_id: String,
    skills: Vec<String>,
    capacity: f64,
}

#[derive(Deserialize)]
struct DemoTask {
    title: String,
    project: String,
    assignee: Option<String>,
    status: maestro_store::Status,
    priority: maestro_store::Priority,
    due_in_days: Option<i64>,
    estimate_hours: f64,
    tags: Vec<String>,
}

/// Loads the demo workspace into an empty one; returns (people, tasks) added.
pub fn load_demo(platform: &Platform) -> Result<(usize, usize), ImportError> {
    let demo: Demo = serde_json::from_str(DEMO_WORKSPACE)
        .map_err(|e| ImportError::Format(format!("demo workspace: {e}")))?;
    let today = platform.clock().today();
    let people = demo
        .people
        .into_iter()
        .map(|p| NewPerson {
            name: p.name,
            email: Some(p.email),
            slack_id: Some(p.slack_id),
            skills: p.skills,
            capacity: Some(p.capacity),
            timezone: None,
        })
        .collect();
    let tasks = demo
        .tasks
        .into_iter()
        .map(|t| NewTask {
            title: t.title,
            project: Some(t.project),
            assignee: t.assignee,
            status: Some(t.status),
            priority: Some(t.priority),
            due: t.due_in_days.map(|d| today + Duration::days(d)),
            estimate_hours: Some(t.estimate_hours),
            tags: t.tags,
            ..NewTask::default()
        })
        .collect();
    let (people, tasks) = store_all(platform, people, tasks)?;
    Ok((people.len(), tasks.len()))
}

fn store_all(
    platform: &Platform,
    people: Vec<NewPerson>,
    tasks: Vec<NewTask>,
) -> Result<(Vec<Person>, Vec<Task>), ImportError> {
    let people = platform.store().add_people(people)?;
    platform.index_people(&people).map_err(ToolError::from)?;
    let tasks = platform
        .store()
        .create_tasks(tasks, platform.clock().now())?;
    platform.index_tasks(&tasks).map_err(ToolError::from)?;
    platform.mark_in_step()?;
    Ok((people, tasks))
}

/// Imports people from CSV with columns `name` (required), `email`,
/// `slack_id`, `skills` (comma-separated), `capacity` or
/// `capacity_hours_per_week`. Someone already on the team — by e-mail, then
/// Slack id, then name — is updated, not added again. All rows or none.
pub fn import_people(platform: &Platform, csv_text: &str) -> Result<MergedPeople, ImportError> {
    let people = parse_people(csv_text)?;
    let merged = platform.store().merge_people(people)?;
    let changed: Vec<Person> = merged
        .added
        .iter()
        .chain(&merged.updated)
        .cloned()
        .collect();
    platform.index_people(&changed).map_err(ToolError::from)?;
    platform.mark_in_step()?;
    Ok(merged)
}

/// Imports tasks (e.g. finished history) from CSV. Needs `title`; reads
/// `description`, `project`, `assignee`, `status`, `priority`, `due` or
/// `due_at`, `estimate_hours`, `tags`, `created_at`, `completed_at`,
/// `actual_hours`. A row with `completed_at` and no status is done.
/// All rows or none are stored.
pub fn import_tasks(platform: &Platform, csv_text: &str) -> Result<Vec<Task>, ImportError> {
    let mut tasks = parse_tasks(csv_text)?;
    let team = platform.store().list_people()?;
    // An assignee is someone on the team by name, e-mail, Slack id or a first
    // name nobody else has ("Alice" after an import kept "Alice Johnson").
    let mut unknown: Vec<String> = Vec::new();
    for task in &mut tasks {
        if let Some(name) = task.assignee.take() {
            match crate::store::names::find_person(&team, &name) {
                Some(person) => task.assignee = Some(person.name.clone()),
                None => unknown.push(name),
            }
        }
    }
    unknown.sort();
    unknown.dedup();
    if !unknown.is_empty() {
        return Err(ImportError::Format(format!(
            "these assignees are not on the team: {}; add them first (`maestro import people FILE.csv` or `maestro people add`). Nothing was imported.",
            unknown.join(", ")
        )));
    }
    Ok(store_all(platform, Vec::new(), tasks)?.1)
}
