//! Bulk loading: the demo workspace and CSV files of people and task history.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;

use crate::model::{NewPerson, NewTask, Person, Task};
use crate::platform::Platform;
use crate::store::MergedPeople;
use crate::tool::ToolError;

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
    status: crate::model::Status,
    priority: crate::model::Priority,
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

/// One column of a CSV file, row by row (`None` where the cell is empty).
pub fn column(csv_text: &str, name: &str) -> Result<Vec<Option<String>>, ImportError> {
    Ok(read_csv(csv_text, &[name])?
        .into_iter()
        .map(|mut row| row.remove(name))
        .collect())
}

/// Reads people from CSV without storing them (columns as [`import_people`]).
pub fn parse_people(csv_text: &str) -> Result<Vec<NewPerson>, ImportError> {
    let rows = read_csv(csv_text, &["name"])?;
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let line = i + 2;
            let capacity = match row.get("capacity").or(row.get("capacity_hours_per_week")) {
                Some(c) => Some(number(c, "capacity", line)?),
                None => None,
            };
            Ok(NewPerson {
                name: row.get("name").cloned().unwrap_or_default(),
                email: row.get("email").cloned(),
                slack_id: row.get("slack_id").cloned(),
                skills: row
                    .get("skills")
                    .map(|s| s.split(',').map(str::to_string).collect())
                    .unwrap_or_default(),
                capacity,
            })
        })
        .collect()
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
            match crate::work::find_person(&team, &name) {
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

/// Reads tasks from CSV without storing them. Columns: `title` (required),
/// `description`, `project`, `assignee`, `status`, `priority`, `due` (or
/// `due_at`), `estimate_hours`, `tags`, `topic` and `category` (both become
/// tags), `created_at`, `completed_at` (makes the task done), `actual_hours`.
/// Other columns (`task_id`, `story_points`, `missed_deadline`) are ignored.
pub fn parse_tasks(csv_text: &str) -> Result<Vec<NewTask>, ImportError> {
    let rows = read_csv(csv_text, &["title"])?;
    let mut tasks = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let line = i + 2;
        let field = |k: &str| row.get(k).cloned();
        let completed_at = field("completed_at")
            .map(|v| instant(&v, "completed_at", line))
            .transpose()?;
        let status =
            parse_enum(row, "status", line)?.or(completed_at.map(|_| crate::model::Status::Done));
        tasks.push(NewTask {
            title: field("title").unwrap_or_default(),
            description: field("description"),
            project: field("project"),
            assignee: field("assignee"),
            status,
            priority: parse_enum(row, "priority", line)?,
            due: field("due")
                .or(field("due_at"))
                .map(|v| date(&v, "due", line))
                .transpose()?,
            estimate_hours: field("estimate_hours")
                .map(|v| number(&v, "estimate_hours", line))
                .transpose()?,
            tags: field("tags")
                .map(|t| {
                    t.split(',')
                        .map(|t| t.trim().to_string())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
                .into_iter()
                .chain(field("topic"))
                .chain(field("category"))
                .collect(),
            created_at: field("created_at")
                .map(|v| instant(&v, "created_at", line))
                .transpose()?,
            completed_at,
            actual_hours: field("actual_hours")
                .map(|v| number(&v, "actual_hours", line))
                .transpose()?,
        });
    }
    Ok(tasks)
}

type Row = std::collections::HashMap<String, String>;

fn read_csv(text: &str, required: &[&str]) -> Result<Vec<Row>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::Format(format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    if let Some(missing) = required.iter().find(|r| !headers.iter().any(|h| h == *r)) {
        return Err(ImportError::Format(format!(
            "the file has no `{missing}` column (it has: {}); the header row must name it",
            headers.join(", ")
        )));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ImportError::Format(format!("line {}: {e}", i + 2)))?;
        let row: Row = headers
            .iter()
            .zip(record.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(h, v)| (h.clone(), v.to_string()))
            .collect();
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(ImportError::Format(
            "the file has a header but no rows; nothing to import".into(),
        ));
    }
    Ok(rows)
}

fn parse_enum<T: std::str::FromStr<Err = String>>(
    row: &Row,
    column: &str,
    line: usize,
) -> Result<Option<T>, ImportError> {
    row.get(column)
        .map(|v| {
            v.parse()
                .map_err(|e| ImportError::Format(format!("line {line}, column {column}: {e}")))
        })
        .transpose()
}

fn number(v: &str, column: &str, line: usize) -> Result<f64, ImportError> {
    v.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .ok_or_else(|| {
            ImportError::Format(format!(
                "line {line}, column {column}: {v:?} is not a non-negative number"
            ))
        })
}

fn date(v: &str, column: &str, line: usize) -> Result<NaiveDate, ImportError> {
    NaiveDate::parse_from_str(v.get(..10).unwrap_or(v), "%Y-%m-%d").map_err(|_| {
        ImportError::Format(format!(
            "line {line}, column {column}: {v:?} is not a date (YYYY-MM-DD)"
        ))
    })
}

fn instant(v: &str, column: &str, line: usize) -> Result<DateTime<Utc>, ImportError> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            date(v, column, line).map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
        })
}
