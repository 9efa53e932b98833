//! CSV files read into entities without storing them: people, tasks (e.g.
//! a finished history) and single columns. Errors name the line and column.

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::{NewPerson, NewTask, Status};

/// The file is not what was expected (the message says where and what to do).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CsvError(pub String);

/// One column of a CSV file, row by row (`None` where the cell is empty).
pub fn column(csv_text: &str, name: &str) -> Result<Vec<Option<String>>, CsvError> {
    Ok(read_csv(csv_text, &[name])?
        .into_iter()
        .map(|mut row| row.remove(name))
        .collect())
}

/// Reads people from CSV without storing them (columns `name` (required), `email`,
/// `slack_id`, `skills` (comma-separated), `capacity` or `capacity_hours_per_week`,
/// `timezone`).
pub fn parse_people(csv_text: &str) -> Result<Vec<NewPerson>, CsvError> {
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
                timezone: row.get("timezone").cloned(),
            })
        })
        .collect()
}

/// Reads tasks from CSV without storing them. Columns: `title` (required),
/// `description`, `project`, `assignee`, `status`, `priority`, `due` (or
/// `due_at`), `estimate_hours`, `tags`, `topic` and `category` (both become
/// tags), `created_at`, `completed_at` (makes the task done), `actual_hours`.
/// Other columns (`task_id`, `story_points`, `missed_deadline`) are ignored.
pub fn parse_tasks(csv_text: &str) -> Result<Vec<NewTask>, CsvError> {
    let rows = read_csv(csv_text, &["title"])?;
    let mut tasks = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let line = i + 2;
        let field = |k: &str| row.get(k).cloned();
        let completed_at = field("completed_at")
            .map(|v| instant(&v, "completed_at", line))
            .transpose()?;
        let status = parse_enum(row, "status", line)?.or(completed_at.map(|_| Status::Done));
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

fn read_csv(text: &str, required: &[&str]) -> Result<Vec<Row>, CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| CsvError(format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    if let Some(missing) = required.iter().find(|r| !headers.iter().any(|h| h == *r)) {
        return Err(CsvError(format!(
            "the file has no `{missing}` column (it has: {}); the header row must name it",
            headers.join(", ")
        )));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| CsvError(format!("line {}: {e}", i + 2)))?;
        let row: Row = headers
            .iter()
            .zip(record.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(h, v)| (h.clone(), v.to_string()))
            .collect();
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(CsvError(
            "the file has a header but no rows; nothing to import".into(),
        ));
    }
    Ok(rows)
}

fn parse_enum<T: std::str::FromStr<Err = String>>(
    row: &Row,
    column: &str,
    line: usize,
) -> Result<Option<T>, CsvError> {
    row.get(column)
        .map(|v| {
            v.parse()
                .map_err(|e| CsvError(format!("line {line}, column {column}: {e}")))
        })
        .transpose()
}

fn number(v: &str, column: &str, line: usize) -> Result<f64, CsvError> {
    v.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .ok_or_else(|| {
            CsvError(format!(
                "line {line}, column {column}: {v:?} is not a non-negative number"
            ))
        })
}

fn date(v: &str, column: &str, line: usize) -> Result<NaiveDate, CsvError> {
    NaiveDate::parse_from_str(v.get(..10).unwrap_or(v), "%Y-%m-%d").map_err(|_| {
        CsvError(format!(
            "line {line}, column {column}: {v:?} is not a date (YYYY-MM-DD)"
        ))
    })
}

fn instant(v: &str, column: &str, line: usize) -> Result<DateTime<Utc>, CsvError> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            date(v, column, line).map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
        })
}
