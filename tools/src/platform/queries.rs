//! Typed reads for front ends ([`Platform::query`]): one rule per question,
//! recorded in the audit log like a tool call, so that the CLI, the kernel,
//! REST and Slack answer "who is bob?" or "which tasks are open?" alike.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

use crate::platform::Platform;
use crate::store::names;
use crate::store::{AuditRecord, Dataset, ModelRecord, UsageRecord};
use crate::tool::ToolError;
use maestro_store::{Message, Person, Status, Task, TaskFilter};

/// A project with its task counts.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Project {
    /// Name, as first written.
    pub name: String,
    /// Tasks in it.
    pub tasks: usize,
    /// Of those, not done.
    pub open_tasks: usize,
}

/// Reads of one workspace on someone's behalf (from [`Platform::query`] or
/// [`Platform::lookup`]).
pub struct Query<'a> {
    platform: &'a Platform,
    actor: Option<&'a str>,
    audited: bool,
}

impl<'a> Query<'a> {
    /// Reads on behalf of `actor`; recorded in the audit log when `audited`.
    pub(crate) fn new(platform: &'a Platform, actor: Option<&'a str>, audited: bool) -> Self {
        Self {
            platform,
            actor,
            audited,
        }
    }
}

impl Query<'_> {
    /// The tasks `filter` selects, by id.
    pub fn tasks(&self, filter: &TaskFilter) -> Result<Vec<Task>, ToolError> {
        let tasks = self.platform.store().list_tasks(filter);
        self.audit("tasks", filter_json(filter), tasks, |t| {
            format!("{} tasks", t.len())
        })
    }

    /// Task `id`.
    pub fn task(&self, id: i64) -> Result<Task, ToolError> {
        let task = self.platform.store().get_task(id);
        self.audit("task", json!({"id": id}), task, |t| {
            format!("task {}", t.id)
        })
    }

    /// The newest `limit` messages in the outbox, newest first; only
    /// `person`'s (found as [`Query::person`] finds them) when given.
    pub fn outbox(&self, person: Option<&str>, limit: usize) -> Result<Vec<Message>, ToolError> {
        let name = person
            .map(|p| self.find_person(p))
            .transpose()?
            .map(|p| p.name);
        let messages = self
            .platform
            .store()
            .messages(name.as_deref(), None, limit)
            .map_err(ToolError::from);
        self.audit(
            "outbox",
            json!({"person": name, "limit": limit}),
            messages,
            |m| format!("{} messages", m.len()),
        )
    }

    /// The team, by name.
    pub fn people(&self) -> Result<Vec<Person>, ToolError> {
        let people = self.platform.store().list_people();
        self.audit("people", json!({}), people, |p| {
            format!("{} people", p.len())
        })
    }

    /// The one person `name` means: full name, Slack id or e-mail (any case),
    /// a first name only one person has, or `me` for the actor. Never a guess:
    /// otherwise [`ToolError::UnknownPerson`] with close names.
    pub fn person(&self, name: &str) -> Result<Person, ToolError> {
        let person = self.find_person(name);
        self.audit("person", json!({"name": name}), person, |p| p.name.clone())
    }

    fn find_person(&self, name: &str) -> Result<Person, ToolError> {
        let people = self.platform.store().list_people()?;
        let wanted = match name.trim().trim_start_matches('@').to_lowercase().as_str() {
            "me" | "myself" | "i" => {
                self.actor
                    .map(str::to_lowercase)
                    .ok_or_else(|| ToolError::UnknownPerson {
                        name: "me".into(),
                        suggestions: Vec::new(),
                    })?
            }
            other => other.to_string(),
        };
        match names::find_person(&people, &wanted) {
            Some(p) => Ok(p.clone()),
            _ => Err(ToolError::UnknownPerson {
                name: name.trim().to_string(),
                suggestions: names::close_names(&wanted, people.iter().map(|p| p.name.as_str())),
            }),
        }
    }

    /// The projects' names, as first written, by name.
    pub fn project_names(&self) -> Result<Vec<String>, ToolError> {
        let names = self.platform.store().list_projects();
        self.audit("project_names", json!({}), names, |n| {
            format!("{} projects", n.len())
        })
    }

    /// Every project with its task counts, by name.
    pub fn projects(&self) -> Result<Vec<Project>, ToolError> {
        let projects = self.count_projects();
        self.audit("projects", json!({}), projects, |p| {
            format!("{} projects", p.len())
        })
    }

    /// The project called `name` (any case) with its task counts.
    pub fn project(&self, name: &str) -> Result<Project, ToolError> {
        let project = self.count_projects().and_then(|all| {
            all.into_iter()
                .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| not_found("project", name))
        });
        self.audit("project", json!({"name": name}), project, |p| {
            p.name.clone()
        })
    }

    fn count_projects(&self) -> Result<Vec<Project>, ToolError> {
        let store = self.platform.store();
        let tasks = store.list_tasks(&TaskFilter::default())?;
        Ok(store
            .list_projects()?
            .into_iter()
            .map(|name| {
                let of = tasks.iter().filter(|t| {
                    t.project
                        .as_deref()
                        .is_some_and(|p| p.eq_ignore_ascii_case(&name))
                });
                let (all, open) = of.fold((0, 0), |(all, open), t| {
                    (all + 1, open + usize::from(t.status != Status::Done))
                });
                Project {
                    name,
                    tasks: all,
                    open_tasks: open,
                }
            })
            .collect())
    }

    /// The latest version of every dataset, by name.
    pub fn datasets(&self) -> Result<Vec<Dataset>, ToolError> {
        let all = self.platform.store().list_datasets();
        self.audit("datasets", json!({}), all, |d| {
            format!("{} datasets", d.len())
        })
    }

    /// Dataset `name` (any case) at `version`, or its latest.
    pub fn dataset(&self, name: &str, version: Option<u32>) -> Result<Dataset, ToolError> {
        let dataset = self.platform.store().get_dataset(name, version);
        self.audit(
            "dataset",
            json!({"name": name, "version": version}),
            dataset,
            |d| format!("{} v{}", d.name, d.version),
        )
    }

    /// Every version of every model, by name then version.
    pub fn models(&self) -> Result<Vec<ModelRecord>, ToolError> {
        let all = self.platform.store().list_models();
        self.audit("models", json!({}), all, |m| {
            format!("{} model versions", m.len())
        })
    }

    /// Model `name` at `version`, or its latest.
    pub fn model(&self, name: &str, version: Option<u32>) -> Result<ModelRecord, ToolError> {
        let model = self.platform.store().get_model(name, version);
        self.audit(
            "model",
            json!({"name": name, "version": version}),
            model,
            |m| format!("{} v{}", m.name, m.version),
        )
    }

    /// The newest `limit` entries of the audit log, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditRecord>, ToolError> {
        let log = self.platform.store().audit_log(limit);
        self.audit("audit_log", json!({"limit": limit}), log, |l| {
            format!("{} entries", l.len())
        })
    }

    /// The newest `limit` language-model turns' token use, newest first.
    pub fn usage(&self, limit: usize) -> Result<Vec<UsageRecord>, ToolError> {
        let usage = self.platform.store().usage(limit);
        self.audit("usage", json!({"limit": limit}), usage, |u| {
            format!("{} turns", u.len())
        })
    }

    /// Records the read (as `query.WHAT`) when this query is audited and
    /// passes its answer on; a log that cannot be written never hides the answer.
    fn audit<T>(
        &self,
        what: &str,
        arguments: Value,
        answer: Result<T, impl Into<ToolError>>,
        summary: impl Fn(&T) -> String,
    ) -> Result<T, ToolError> {
        let answer = answer.map_err(Into::into);
        if self.audited {
            let (status, result) = match &answer {
                Ok(value) => ("ok", summary(value)),
                Err(e) => ("error", e.to_string()),
            };
            let _ = self.platform.store().record(&AuditRecord {
                at: self.platform.clock().now(),
                actor: self.actor.map(str::to_string),
                tool: format!("query.{what}"),
                arguments,
                status: status.into(),
                result: Value::String(result),
            });
        }
        answer
    }
}

/// The error for a `kind` called `name` that is not there.
fn not_found(kind: &'static str, name: &str) -> ToolError {
    ToolError::Store(crate::store::StoreError::NotFound {
        what: kind,
        key: name.trim().into(),
    })
}

/// The filter's narrowing fields, as the audit log shows a read's arguments.
fn filter_json(filter: &TaskFilter) -> Value {
    let mut out = serde_json::Map::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            out.insert(key.into(), Value::String(v));
        }
    };
    put("assignee", filter.assignee.clone());
    put("status", filter.status.map(|s| s.as_str().into()));
    put("project", filter.project.clone());
    put("priority", filter.priority.map(|p| p.as_str().into()));
    put("tag", filter.tag.clone());
    put("due_before", filter.due_before.map(|d| d.to_string()));
    put("overdue_on", filter.overdue_on.map(|d| d.to_string()));
    put("limit", filter.limit.map(|l| l.to_string()));
    Value::Object(out)
}
