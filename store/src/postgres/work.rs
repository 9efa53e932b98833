//! People, projects, tasks, the audit log and sessions in PostgreSQL.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row};

use super::{PgStore, Shared, db};
use crate::merge::{self, Merge, MergedPeople};
use crate::sqlite::{parse_time, tags_json};
use crate::{AuditRecord, Store, StoreError, StoreStamp, UsageRecord};
use crate::{
    NewPerson, NewTask, Person, Priority, Status, StatusFilter, Task, TaskFilter, TaskPatch,
};

const TASK_SELECT: &str = "SELECT t.id, t.title, t.description, pr.name, pe.name, t.status, t.priority,
        t.due, t.estimate_hours, t.tags, t.created_at, t.updated_at, t.completed_at, t.actual_hours
    FROM tasks t LEFT JOIN projects pr ON pr.id = t.project_id LEFT JOIN people pe ON pe.id = t.assignee_id";

/// A stored value that does not read back is a storage error, never a default.
fn bad(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Unusable(format!("a stored {what} does not read back: {e}"))
}

fn task_from_row(r: &Row) -> Result<Task, StoreError> {
    let text = |i: usize| r.try_get::<_, String>(i).map_err(db);
    let time = |i: usize, what: &str| {
        let s = text(i)?;
        parse_time(Some(s.clone())).ok_or_else(|| bad(what, s))
    };
    Ok(Task {
        id: r.try_get(0).map_err(db)?,
        title: text(1)?,
        description: r.try_get(2).map_err(db)?,
        project: r.try_get(3).map_err(db)?,
        assignee: r.try_get(4).map_err(db)?,
        status: text(5)?.parse().map_err(|e| bad("status", e))?,
        priority: text(6)?.parse().map_err(|e| bad("priority", e))?,
        due: r
            .try_get::<_, Option<String>>(7)
            .map_err(db)?
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        estimate_hours: r.try_get(8).map_err(db)?,
        tags: serde_json::from_str(&text(9)?).unwrap_or_default(),
        created_at: time(10, "created_at")?,
        updated_at: time(11, "updated_at")?,
        completed_at: parse_time(r.try_get(12).map_err(db)?),
        actual_hours: r.try_get(13).map_err(db)?,
    })
}

fn person_from_row(r: &Row) -> Result<Person, StoreError> {
    Ok(Person {
        name: r.try_get(0).map_err(db)?,
        email: r.try_get(1).map_err(db)?,
        slack_id: r.try_get(2).map_err(db)?,
        skills: serde_json::from_str(&r.try_get::<_, String>(3).map_err(db)?).unwrap_or_default(),
        capacity: r.try_get(4).map_err(db)?,
        timezone: r.try_get(5).map_err(db)?,
    })
}

impl Shared {
    async fn person_id(&self, c: &impl GenericClient, name: &str) -> Result<i64, StoreError> {
        c.query_opt(
            "SELECT id FROM people WHERE workspace_id = $1 AND lower(name) = lower($2::text)",
            &[&self.workspace_id, &name],
        )
        .await
        .map_err(db)?
        .map(|r| r.try_get(0).map_err(db))
        .transpose()?
        .ok_or_else(|| {
            StoreError::Conflict(format!(
                "{name:?} is not on the team; add them first (`maestro people add {name:?}`)"
            ))
        })
    }

    async fn project_id(&self, c: &impl GenericClient, name: &str) -> Result<i64, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Conflict(
                "a project name cannot be empty".into(),
            ));
        }
        // Race-free: a project created meanwhile by another writer is a no-op here.
        c.execute(
            "INSERT INTO projects (workspace_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&self.workspace_id, &name],
        )
        .await
        .map_err(db)?;
        c.query_one(
            "SELECT id FROM projects WHERE workspace_id = $1 AND lower(name) = lower($2::text)",
            &[&self.workspace_id, &name],
        )
        .await
        .map_err(db)?
        .try_get(0)
        .map_err(db)
    }

    /// Everyone, by name, as `c` sees them.
    async fn people_in(&self, c: &impl GenericClient) -> Result<Vec<Person>, StoreError> {
        let rows = c
            .query(
                "SELECT name, email, slack_id, skills, capacity, timezone FROM people WHERE workspace_id = $1
                 ORDER BY lower(name) COLLATE \"C\"",
                &[&self.workspace_id],
            )
            .await
            .map_err(db)?;
        rows.iter().map(person_from_row).collect()
    }

    async fn insert_person(
        &self,
        c: &impl GenericClient,
        p: NewPerson,
    ) -> Result<Person, StoreError> {
        let person = p.normalised()?;
        let inserted = c
            .execute(
                "INSERT INTO people (workspace_id, name, email, slack_id, skills, capacity, timezone)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                &[
                    &self.workspace_id,
                    &person.name,
                    &person.email,
                    &person.slack_id,
                    &serde_json::to_string(&person.skills).unwrap_or_default(),
                    &person.capacity,
                    &person.timezone,
                ],
            )
            .await
            .map_err(db)?;
        if inserted == 0 {
            return Err(StoreError::Conflict(format!(
                "{} is already on the team",
                person.name
            )));
        }
        Ok(person)
    }

    pub(super) async fn insert_task(
        &self,
        c: &impl GenericClient,
        t: NewTask,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let title = t.title.trim();
        if title.is_empty() {
            return Err(StoreError::Conflict("a task needs a title".into()));
        }
        let project = match t.project.as_deref() {
            Some(p) => Some(self.project_id(c, p).await?),
            None => None,
        };
        let assignee = match t.assignee.as_deref() {
            Some(p) => Some(self.person_id(c, p).await?),
            None => None,
        };
        let status = t.status.unwrap_or(Status::Todo);
        let created = t.created_at.unwrap_or(now).to_rfc3339();
        let completed = match status {
            Status::Done => Some(t.completed_at.unwrap_or(now).to_rfc3339()),
            _ => None,
        };
        // Task numbers come from the workspace's counter; its row lock
        // serialises concurrent creators until they commit.
        let id: i64 = c
            .query_one(
                "UPDATE workspaces SET last_task_id = last_task_id + 1 WHERE id = $1 RETURNING last_task_id",
                &[&self.workspace_id],
            )
            .await
            .map_err(db)?
            .try_get(0)
            .map_err(db)?;
        c.execute(
            "INSERT INTO tasks (workspace_id, id, title, description, project_id, assignee_id, status, priority,
                 due, estimate_hours, tags, created_at, updated_at, completed_at, actual_hours)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14)",
            &[
                &self.workspace_id,
                &id,
                &title,
                &t.description.filter(|d| !d.trim().is_empty()),
                &project,
                &assignee,
                &status.as_str(),
                &t.priority.unwrap_or(Priority::Medium).as_str(),
                &t.due.map(|d| d.to_string()),
                &t.estimate_hours,
                &tags_json(&t.tags),
                &created,
                &completed,
                &t.actual_hours,
            ],
        )
        .await
        .map_err(db)?;
        Ok(id)
    }

    /// One task; `lock` holds its row until the transaction ends.
    pub(super) async fn task_in(
        &self,
        c: &impl GenericClient,
        id: i64,
        lock: bool,
    ) -> Result<Task, StoreError> {
        let sql = format!(
            "{TASK_SELECT} WHERE t.workspace_id = $1 AND t.id = $2{}",
            if lock { " FOR UPDATE OF t" } else { "" }
        );
        let row = c
            .query_opt(&sql, &[&self.workspace_id, &id])
            .await
            .map_err(db)?
            .ok_or(StoreError::NotFound {
                what: "task",
                key: id.to_string(),
            })?;
        task_from_row(&row)
    }

    async fn update_task(
        &self,
        id: i64,
        patch: TaskPatch,
        now: DateTime<Utc>,
    ) -> Result<Task, StoreError> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await.map_err(db)?;
        let before = self.task_in(&tx, id, true).await?;
        let project = match patch.project.as_deref() {
            Some(p) => Some(self.project_id(&tx, p).await?),
            None => None,
        };
        let assignee = match patch.assignee.as_deref() {
            Some(p) => Some(self.person_id(&tx, p).await?),
            None => None,
        };
        if let Some(title) = &patch.title
            && title.trim().is_empty()
        {
            return Err(StoreError::Conflict(
                "a task's title cannot be empty".into(),
            ));
        }
        let completed_at = match patch.status {
            Some(Status::Done) if before.status != Status::Done => Some(Some(now.to_rfc3339())),
            Some(Status::Todo | Status::InProgress) => Some(None),
            _ => None,
        };
        tx.execute(
            "UPDATE tasks SET
                title = coalesce($3::text, title), description = coalesce($4::text, description),
                project_id = coalesce($5::bigint, project_id), assignee_id = coalesce($6::bigint, assignee_id),
                status = coalesce($7::text, status), priority = coalesce($8::text, priority),
                due = coalesce($9::text, due), estimate_hours = coalesce($10::float8, estimate_hours),
                tags = coalesce($11::text, tags),
                completed_at = CASE WHEN $12::boolean THEN $13::text ELSE completed_at END, updated_at = $14
             WHERE workspace_id = $1 AND id = $2",
            &[
                &self.workspace_id,
                &id,
                &patch.title.as_deref().map(str::trim),
                &patch.description,
                &project,
                &assignee,
                &patch.status.map(Status::as_str),
                &patch.priority.map(Priority::as_str),
                &patch.due.map(|d| d.to_string()),
                &patch.estimate_hours,
                &patch.tags.as_deref().map(tags_json),
                &completed_at.is_some(),
                &completed_at.flatten(),
                &now.to_rfc3339(),
            ],
        )
        .await
        .map_err(db)?;
        let task = self.task_in(&tx, id, false).await?;
        tx.commit().await.map_err(db)?;
        Ok(task)
    }

    async fn list_tasks(&self, f: TaskFilter) -> Result<Vec<Task>, StoreError> {
        // Only the filters given become conditions (`{v}` is the next parameter).
        let mut conds = vec!["t.workspace_id = $1".to_string()];
        let mut values: Vec<Box<dyn ToSql + Sync + Send>> = vec![Box::new(self.workspace_id)];
        let mut cond = |sql: &str, value: String| {
            values.push(Box::new(value));
            conds.push(sql.replace("{v}", &format!("${}::text", values.len())));
        };
        match f.status {
            None | Some(StatusFilter::All) => {}
            Some(StatusFilter::Open) => cond("t.status <> {v}", "done".into()),
            Some(s) => cond("t.status = {v}", s.as_str().into()),
        }
        if let Some(name) = f.assignee {
            cond(
                "t.assignee_id = (SELECT id FROM people WHERE workspace_id = $1 AND lower(name) = lower({v}))",
                name,
            );
        }
        if let Some(name) = f.project {
            cond(
                "t.project_id = (SELECT id FROM projects WHERE workspace_id = $1 AND lower(name) = lower({v}))",
                name,
            );
        }
        if let Some(p) = f.priority {
            cond("t.priority = {v}", p.as_str().into());
        }
        if let Some(tag) = f.tag {
            cond(
                "t.tags::jsonb ? lower({v})",
                tag.trim_start_matches('#').into(),
            );
        }
        if let Some(d) = f.due_before {
            cond("t.due IS NOT NULL AND t.due <= {v}", d.to_string());
        }
        if let Some(d) = f.overdue_on {
            cond(
                "t.status <> 'done' AND t.due IS NOT NULL AND t.due < {v}",
                d.to_string(),
            );
        }
        values.push(Box::new(f.limit.map(|l| l as i64)));
        // Text sorts byte-wise, as in SQLite, whatever the database's collation.
        let sql = format!(
            "{TASK_SELECT} WHERE {}
             ORDER BY t.due IS NULL, t.due COLLATE \"C\",
               CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, t.id
             LIMIT ${}::bigint",
            conds.join(" AND "),
            values.len()
        );
        let params: Vec<&(dyn ToSql + Sync)> = values
            .iter()
            .map(|v| v.as_ref() as &(dyn ToSql + Sync))
            .collect();
        let conn = self.pool.get().await?;
        let rows = conn.query(&sql, &params).await.map_err(db)?;
        rows.iter().map(task_from_row).collect()
    }
}

fn audit_from_row(r: &Row) -> Result<AuditRecord, StoreError> {
    let at: String = r.try_get(0).map_err(db)?;
    Ok(AuditRecord {
        at: parse_time(Some(at.clone())).ok_or_else(|| bad("audit time", at))?,
        actor: r.try_get(1).map_err(db)?,
        tool: r.try_get(2).map_err(db)?,
        arguments: serde_json::from_str(&r.try_get::<_, String>(3).map_err(db)?)
            .unwrap_or(Value::Null),
        status: r.try_get(4).map_err(db)?,
        result: serde_json::from_str(&r.try_get::<_, String>(5).map_err(db)?)
            .unwrap_or(Value::Null),
    })
}

impl Store for PgStore {
    fn workspace(&self) -> &str {
        &self.workspace
    }

    fn add_person(&self, person: NewPerson) -> Result<Person, StoreError> {
        self.add_people(vec![person])
            .map(|mut people| people.remove(0))
    }

    fn add_people(&self, people: Vec<NewPerson>) -> Result<Vec<Person>, StoreError> {
        self.run(|s| async move {
            let mut conn = s.pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            let mut added = Vec::with_capacity(people.len());
            for p in people {
                added.push(s.insert_person(&tx, p).await?);
            }
            tx.commit().await.map_err(db)?;
            Ok(added)
        })
    }

    fn merge_people(&self, people: Vec<NewPerson>) -> Result<MergedPeople, StoreError> {
        self.run(|s| async move {
            let mut conn = s.pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            // Serialises imports into one team, as SQLite's single writer does.
            tx.execute(
                "SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE",
                &[&s.workspace_id],
            )
            .await
            .map_err(db)?;
            let mut merged = MergedPeople::default();
            for step in merge::plan(s.people_in(&tx).await?, people)? {
                match step {
                    Merge::Add(p) => merged.added.push(s.insert_person(&tx, p).await?),
                    Merge::Update(p) => {
                        tx.execute(
                            "UPDATE people SET email = $3, slack_id = $4, skills = $5, capacity = $6,
                                 timezone = $7
                             WHERE workspace_id = $1 AND lower(name) = lower($2)",
                            &[
                                &s.workspace_id,
                                &p.name,
                                &p.email,
                                &p.slack_id,
                                &serde_json::to_string(&p.skills).unwrap_or_default(),
                                &p.capacity,
                                &p.timezone,
                            ],
                        )
                        .await
                        .map_err(db)?;
                        merged.updated.push(p);
                    }
                    Merge::Same => merged.unchanged += 1,
                }
            }
            tx.commit().await.map_err(db)?;
            Ok(merged)
        })
    }

    fn list_people(&self) -> Result<Vec<Person>, StoreError> {
        self.run(|s| async move { s.people_in(&*s.pool.get().await?).await })
    }

    fn list_projects(&self) -> Result<Vec<String>, StoreError> {
        self.run(|s| async move {
            let conn = s.pool.get().await?;
            let rows = conn
                .query(
                    "SELECT name FROM projects WHERE workspace_id = $1 ORDER BY lower(name) COLLATE \"C\"",
                    &[&s.workspace_id],
                )
                .await
                .map_err(db)?;
            rows.iter().map(|r| r.try_get(0).map_err(db)).collect()
        })
    }

    fn create_task(&self, task: NewTask, now: DateTime<Utc>) -> Result<Task, StoreError> {
        self.run(|s| async move {
            let mut conn = s.pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            let id = s.insert_task(&tx, task, now).await?;
            let task = s.task_in(&tx, id, false).await?;
            tx.commit().await.map_err(db)?;
            Ok(task)
        })
    }

    fn create_tasks(
        &self,
        tasks: Vec<NewTask>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Task>, StoreError> {
        self.run(|s| async move {
            let mut conn = s.pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            let mut ids = Vec::with_capacity(tasks.len());
            for (i, t) in tasks.into_iter().enumerate() {
                let id = s
                    .insert_task(&tx, t, now)
                    .await
                    .map_err(|e| StoreError::Conflict(format!("task {}: {e}", i + 1)))?;
                ids.push(id);
            }
            let mut created = Vec::with_capacity(ids.len());
            for id in ids {
                created.push(s.task_in(&tx, id, false).await?);
            }
            tx.commit().await.map_err(db)?;
            Ok(created)
        })
    }

    fn get_task(&self, id: i64) -> Result<Task, StoreError> {
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            s.task_in(&*conn, id, false).await
        })
    }

    fn update_task(
        &self,
        id: i64,
        patch: TaskPatch,
        now: DateTime<Utc>,
    ) -> Result<Task, StoreError> {
        self.run(move |s| async move { s.update_task(id, patch, now).await })
    }

    fn delete_task(&self, id: i64) -> Result<Task, StoreError> {
        self.run(move |s| async move {
            let mut conn = s.pool.get().await?;
            let tx = conn.transaction().await.map_err(db)?;
            let task = s.task_in(&tx, id, true).await?;
            tx.execute(
                "DELETE FROM tasks WHERE workspace_id = $1 AND id = $2",
                &[&s.workspace_id, &id],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(task)
        })
    }

    fn list_tasks(&self, filter: &TaskFilter) -> Result<Vec<Task>, StoreError> {
        let filter = filter.clone();
        self.run(|s| async move { s.list_tasks(filter).await })
    }

    fn record(&self, r: &AuditRecord) -> Result<(), StoreError> {
        let r = r.clone();
        self.run(|s| async move {
            let conn = s.pool.get().await?;
            conn.execute(
                "INSERT INTO audit_log (workspace_id, at, actor, tool, arguments, status, result)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &s.workspace_id,
                    &r.at.to_rfc3339(),
                    &r.actor,
                    &r.tool,
                    &r.arguments.to_string(),
                    &r.status,
                    &r.result.to_string(),
                ],
            )
            .await
            .map_err(db)?;
            Ok(())
        })
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            let rows = conn
                .query(
                    "SELECT at, actor, tool, arguments, status, result FROM audit_log
                     WHERE workspace_id = $1 ORDER BY id DESC LIMIT $2",
                    &[&s.workspace_id, &(limit as i64)],
                )
                .await
                .map_err(db)?;
            rows.iter().map(audit_from_row).collect()
        })
    }

    fn record_usage(&self, u: &UsageRecord) -> Result<(), StoreError> {
        let u = u.clone();
        self.run(|s| async move {
            let conn = s.pool.get().await?;
            conn.execute(
                "INSERT INTO llm_usage (workspace_id, at, session, model, prompt_tokens, completion_tokens, requests, cost_usd)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &s.workspace_id,
                    &u.at.to_rfc3339(),
                    &u.session,
                    &u.model,
                    &u.prompt_tokens,
                    &u.completion_tokens,
                    &u.requests,
                    &u.cost_usd,
                ],
            )
            .await
            .map_err(db)?;
            Ok(())
        })
    }

    fn usage(&self, limit: usize) -> Result<Vec<UsageRecord>, StoreError> {
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            let rows = conn
                .query(
                    "SELECT at, session, model, prompt_tokens, completion_tokens, requests, cost_usd
                     FROM llm_usage WHERE workspace_id = $1 ORDER BY id DESC LIMIT $2",
                    &[&s.workspace_id, &(limit as i64)],
                )
                .await
                .map_err(db)?;
            rows.iter()
                .map(|r| {
                    let at: String = r.try_get(0).map_err(db)?;
                    Ok(UsageRecord {
                        at: parse_time(Some(at.clone())).ok_or_else(|| bad("usage time", at))?,
                        session: r.try_get(1).map_err(db)?,
                        model: r.try_get(2).map_err(db)?,
                        prompt_tokens: r.try_get(3).map_err(db)?,
                        completion_tokens: r.try_get(4).map_err(db)?,
                        requests: r.try_get(5).map_err(db)?,
                        cost_usd: r.try_get(6).map_err(db)?,
                    })
                })
                .collect()
        })
    }

    fn load_session(&self, id: &str) -> Result<Option<Value>, StoreError> {
        let id = id.to_string();
        self.run(|s| async move {
            let conn = s.pool.get().await?;
            let row = conn
                .query_opt(
                    "SELECT state FROM sessions WHERE workspace_id = $1 AND id = $2",
                    &[&s.workspace_id, &id],
                )
                .await
                .map_err(db)?;
            let state: Option<String> = row.map(|r| r.try_get(0)).transpose().map_err(db)?;
            Ok(state.and_then(|s| serde_json::from_str(&s).ok()))
        })
    }

    fn save_session(&self, id: &str, state: &Value, now: DateTime<Utc>) -> Result<(), StoreError> {
        let (id, state) = (id.to_string(), state.to_string());
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            conn.execute(
                "INSERT INTO sessions (workspace_id, id, state, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (workspace_id, id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                &[&s.workspace_id, &id, &state, &now.to_rfc3339()],
            )
            .await
            .map_err(db)?;
            Ok(())
        })
    }

    fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_string();
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            conn.execute(
                "DELETE FROM sessions WHERE workspace_id = $1 AND id = $2",
                &[&s.workspace_id, &id],
            )
            .await
            .map_err(db)?;
            Ok(())
        })
    }

    fn settings(&self) -> Result<BTreeMap<String, String>, StoreError> {
        self.run(|s| async move {
            let conn = s.pool.get().await?;
            let rows = conn
                .query(
                    "SELECT key, value FROM settings WHERE workspace_id = $1",
                    &[&s.workspace_id],
                )
                .await
                .map_err(db)?;
            rows.iter()
                .map(|r| Ok((r.try_get(0).map_err(db)?, r.try_get(1).map_err(db)?)))
                .collect()
        })
    }

    fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let (key, value) = (key.to_string(), value.to_string());
        self.run(move |s| async move {
            let conn = s.pool.get().await?;
            conn.execute(
                "INSERT INTO settings (workspace_id, key, value) VALUES ($1, $2, $3)
                 ON CONFLICT (workspace_id, key) DO UPDATE SET value = excluded.value",
                &[&s.workspace_id, &key, &value],
            )
            .await
            .map_err(db)?;
            Ok(())
        })
    }

    fn stamp(&self) -> Result<StoreStamp, StoreError> {
        self.run(|s| async move {
            let conn = s.pool.get().await?;
            let row = conn
                .query_one(
                    "SELECT (SELECT id FROM installation), generation FROM workspaces WHERE id = $1",
                    &[&s.workspace_id],
                )
                .await
                .map_err(db)?;
            Ok(StoreStamp {
                installation: row.try_get(0).map_err(db)?,
                changes: row.try_get(1).map_err(db)?,
            })
        })
    }
}
