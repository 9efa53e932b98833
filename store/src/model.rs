//! The platform's entities as callers see them (and as JSON shows them).

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Someone on the team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Person {
    /// Full name, unique in the workspace (case-insensitively).
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Slack member id (e.g. `U0123ABCD`).
    pub slack_id: Option<String>,
    /// Skills, lower-case.
    pub skills: Vec<String>,
    /// Hours a week this person can work.
    pub capacity: f64,
    /// Their IANA time zone (e.g. `Europe/Berlin`); the workspace's when unset.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// A person to add.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewPerson {
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Slack member id.
    pub slack_id: Option<String>,
    /// Skills.
    pub skills: Vec<String>,
    /// Hours a week (default 40).
    pub capacity: Option<f64>,
    /// IANA time zone.
    pub timezone: Option<String>,
}

impl NewPerson {
    /// The person as every store keeps them: name trimmed (an empty one is
    /// refused), skills trimmed and lower-cased, capacity 40 hours unless given.
    pub(crate) fn normalised(self) -> Result<Person, crate::StoreError> {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            return Err(crate::StoreError::Conflict("a person needs a name".into()));
        }
        Ok(Person {
            name,
            email: self.email,
            slack_id: self.slack_id,
            skills: self
                .skills
                .iter()
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect(),
            capacity: self.capacity.unwrap_or(40.0),
            timezone: self.timezone,
        })
    }
}

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not started.
    Todo,
    /// Being worked on.
    InProgress,
    /// Finished.
    Done,
}

/// A status filter: a status, or every status but `done`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Not started.
    Todo,
    /// Being worked on.
    InProgress,
    /// Finished.
    Done,
    /// Not finished (todo or in progress).
    Open,
    /// Every status (as when no status is given to the store; `list_tasks`
    /// shows open tasks unless asked for this).
    All,
}

/// How urgent a task is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Whenever there is time.
    Low,
    /// The default.
    Medium,
    /// Soon.
    High,
    /// Now.
    Urgent,
}

macro_rules! text_enum {
    ($ty:ty { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl $ty {
            /// The lower-case name used in JSON, the CLI and the store.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }
        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim().to_lowercase().replace([' ', '-'], "_").as_str() {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!("{other:?} is not one of: {}", [$($text),+].join(", "))),
                }
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(Status { Todo = "todo", InProgress = "in_progress", Done = "done" });
text_enum!(StatusFilter { Todo = "todo", InProgress = "in_progress", Done = "done", Open = "open", All = "all" });
text_enum!(Priority { Low = "low", Medium = "medium", High = "high", Urgent = "urgent" });

/// A unit of work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Task {
    /// Number, unique in the workspace.
    pub id: i64,
    /// What is to be done.
    pub title: String,
    /// Details.
    pub description: Option<String>,
    /// Project name.
    pub project: Option<String>,
    /// Name of the person who does it.
    pub assignee: Option<String>,
    /// Where it is.
    pub status: Status,
    /// How urgent it is.
    pub priority: Priority,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Estimated hours of work.
    pub estimate_hours: Option<f64>,
    /// Lower-case tags.
    pub tags: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was done.
    pub completed_at: Option<DateTime<Utc>>,
    /// Hours it really took (known for finished, imported work).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_hours: Option<f64>,
}

/// A task to create. People and projects are given by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewTask {
    /// What is to be done.
    pub title: String,
    /// Details.
    pub description: Option<String>,
    /// Project name (created when new).
    pub project: Option<String>,
    /// Name of an existing person.
    pub assignee: Option<String>,
    /// Default `todo`.
    pub status: Option<Status>,
    /// Default `medium`.
    pub priority: Option<Priority>,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Estimated hours.
    pub estimate_hours: Option<f64>,
    /// Tags.
    pub tags: Vec<String>,
    /// Creation instant (default now; imports keep their history).
    pub created_at: Option<DateTime<Utc>>,
    /// Completion instant for imported finished work.
    pub completed_at: Option<DateTime<Utc>>,
    /// Hours it really took.
    pub actual_hours: Option<f64>,
}

/// Changes to a task; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskPatch {
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New project name (created when new).
    pub project: Option<String>,
    /// New assignee (an existing person's name).
    pub assignee: Option<String>,
    /// New status; `done` sets `completed_at`, anything else clears it.
    pub status: Option<Status>,
    /// New priority.
    pub priority: Option<Priority>,
    /// New due date.
    pub due: Option<NaiveDate>,
    /// New estimate.
    pub estimate_hours: Option<f64>,
    /// New tags (replace the old ones).
    pub tags: Option<Vec<String>>,
}

impl TaskPatch {
    /// True when the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Which tasks to list. Every field narrows the result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskFilter {
    /// Assignee name.
    pub assignee: Option<String>,
    /// Status.
    pub status: Option<StatusFilter>,
    /// Project name.
    pub project: Option<String>,
    /// Priority.
    pub priority: Option<Priority>,
    /// Carries this tag.
    pub tag: Option<String>,
    /// Due on or before this date.
    pub due_before: Option<NaiveDate>,
    /// Not done and due before this date.
    pub overdue_on: Option<NaiveDate>,
    /// At most this many.
    pub limit: Option<usize>,
}
