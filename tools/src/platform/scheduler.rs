//! The scheduler's side of the platform: [`Platform::tick`] turns due
//! occurrences of recurring tasks into tasks, once each (see
//! [`crate::autopilot`]).

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::autopilot::RecurringSpec;
use crate::autopilot::scheduler::{
    CreatedOccurrence, FailedRule, TickReport, due_occurrences, occurrence_note,
};
use crate::platform::Platform;
use crate::tool::ToolError;
use maestro_store::{AuditRecord, NewTask, StoredRule, Task};

impl Platform {
    /// Runs everything due at `now` once: each active recurring task's
    /// occurrences that have entered their lead time, plus the latest one
    /// missed while nothing ran. A rule that fails is reported and the
    /// others still run.
    pub fn tick(&self, now: DateTime<Utc>) -> Result<TickReport, ToolError> {
        let mut report = TickReport::default();
        for stored in self.store().rules()?.into_iter().filter(|r| r.active) {
            if let Err(e) = self.run_rule(&stored, now, &mut report) {
                report.failed.push(FailedRule {
                    rule: stored.id,
                    error: e.to_string(),
                });
            }
        }
        Ok(report)
    }

    fn run_rule(
        &self,
        stored: &StoredRule,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), ToolError> {
        let spec = RecurringSpec::of(stored)?;
        if spec.cancelled {
            return Ok(());
        }
        let (rule, zone) = spec
            .schedule()
            .map_err(|e| ToolError::invalid("create_recurring_task", "rule", e))?;
        for (at, catch_up) in due_occurrences(&rule, zone, &spec, stored.created_at, now)? {
            let key = format!("recurring:{}:{}", stored.id, at.format("%Y-%m-%dT%H:%M"));
            let task = NewTask {
                title: spec.title.clone(),
                description: Some(occurrence_note(stored.id, &rule, at)),
                project: spec.project.clone(),
                assignee: spec.assignee.clone(),
                priority: spec.priority,
                due: Some(at.date_naive()),
                estimate_hours: spec.estimate_hours,
                tags: spec.tags.clone(),
                ..NewTask::default()
            };
            if let Some(task) = self.store().create_task_once(&key, task, now)? {
                self.record_occurrence(stored.id, &key, &task, now);
                self.index_tasks(std::slice::from_ref(&task))?;
                self.mark_in_step()?;
                report.created.push(CreatedOccurrence {
                    rule: stored.id,
                    task: task.id,
                    due: at.date_naive(),
                    catch_up,
                });
            }
        }
        Ok(())
    }

    /// Audits a task the scheduler created, as `scheduler` on behalf of
    /// the recurring task (a failed record does not undo the task).
    fn record_occurrence(&self, rule: i64, key: &str, task: &Task, now: DateTime<Utc>) {
        let record = AuditRecord {
            at: now,
            actor: Some("scheduler".into()),
            tool: "create_recurring_task".into(),
            arguments: json!({"id": rule, "occurrence": key}),
            status: "ok".into(),
            result: serde_json::to_value(task).unwrap_or_default(),
        };
        let _ = self.store().record(&record);
    }
}
