//! The scheduler's side of the platform: [`Platform::tick`] turns due
//! occurrences of recurring tasks into tasks, and posts due reminders and
//! daily digests to the outbox, once each (see [`crate::autopilot`]).

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde_json::json;

use crate::autopilot::scheduler::{
    CreatedOccurrence, DIGEST_HOUR, DigestOutcome, FailedJob, FailedRule, TickReport,
    due_occurrences, occurrence_note,
};
use crate::autopilot::{Digester, RecurringSpec};
use crate::platform::Platform;
use crate::tool::{Context, ToolError};
use maestro_store::{AuditRecord, Message, NewMessage, NewTask, Reminder, StoredRule, Task};

/// How many of the newest outbox messages a Slack delivery looks at.
const DELIVERY_WINDOW: usize = 500;

impl Platform {
    /// Runs everything due at `now` once: each active recurring task's
    /// occurrences that have entered their lead time (plus the latest one
    /// missed while nothing ran), the reminders whose time has come, and
    /// the daily digest of each person whose local morning it is. A job
    /// that fails is reported and the others still run.
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
        for reminder in self.store().reminders()? {
            if reminder.state == "pending" && reminder.at <= now {
                match self.deliver_reminder(&reminder, now) {
                    Ok(true) => report.reminded.push(reminder.id),
                    Ok(false) => {}
                    Err(e) => report.failed_jobs.push(FailedJob {
                        job: format!("reminder:{}", reminder.id),
                        error: e.to_string(),
                    }),
                }
            }
        }
        self.run_digests(now, &mut report)?;
        Ok(report)
    }

    /// Posts a due reminder once and marks it sent; false when another
    /// tick posted it.
    fn deliver_reminder(&self, reminder: &Reminder, now: DateTime<Utc>) -> Result<bool, ToolError> {
        let text = format!("Reminder: {}", reminder.text);
        let message = NewMessage {
            person: reminder.person.clone(),
            kind: "reminder".into(),
            text: text.clone(),
            body: json!({
                "reminder": reminder.id,
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": format!(":bell: {text}")}}],
            }),
        };
        let key = format!("reminder:{}", reminder.id);
        let posted = self.store().post_once(&key, &message, now)?.is_some();
        self.store().set_reminder_state(reminder.id, "sent")?;
        Ok(posted)
    }

    /// Each person's digest for their local day, once, from their local
    /// morning on working days: posted when it has news, skipped (and the
    /// day claimed all the same) when it is empty or unchanged.
    fn run_digests(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<(), ToolError> {
        let ctx = Context {
            platform: self,
            actor: None,
            now,
            hooks: Default::default(),
        };
        let mut digester: Option<Digester> = None;
        for person in self.store().list_people()? {
            let zone = self.zone_of(&person)?;
            let local = now.with_timezone(&zone);
            if local.hour() < DIGEST_HOUR || local.weekday().num_days_from_monday() >= 5 {
                continue;
            }
            let day = local.date_naive();
            let key = format!("digest:{}:{day}", person.name);
            if self.store().claimed(&key)? {
                continue;
            }
            let digester = match &mut digester {
                Some(d) => d,
                None => digester.insert(Digester::new(&ctx)?),
            };
            let outcome = digester.digest(&person, now).and_then(|digest| {
                let sent = match digest.is_empty() || !digest.changed_since_last {
                    true => self.store().claim(&key, now)?.then_some(false),
                    false => {
                        let posted = self.store().post_once(&key, &digest.message(day), now)?;
                        posted.map(|_| true)
                    }
                };
                Ok(sent)
            });
            match outcome {
                Ok(Some(sent)) => report.digests.push(DigestOutcome {
                    person: person.name,
                    day,
                    sent,
                }),
                Ok(None) => {}
                Err(e) => report.failed_jobs.push(FailedJob {
                    job: format!("digest:{}", person.name),
                    error: e.to_string(),
                }),
            }
        }
        Ok(())
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

impl Platform {
    /// The outbox messages posted since `since` and only kept so far, for
    /// people with a Slack id, oldest first, each with that id: what a Slack
    /// bot has to deliver.
    pub fn slack_deliveries(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(Message, String)>, ToolError> {
        let people = self.store().list_people()?;
        let mut out: Vec<(Message, String)> = self
            .store()
            .messages(None, None, DELIVERY_WINDOW)?
            .into_iter()
            .filter(|m| m.state == "kept" && m.created_at >= since)
            .filter_map(|m| {
                let person = people.iter().find(|p| p.name == m.person)?;
                let slack = person.slack_id.clone()?;
                Some((m, slack))
            })
            .collect();
        out.reverse();
        Ok(out)
    }

    /// Moves outbox message `id` from state `from` to `to` (with where it
    /// went or why it failed); false when it was not in `from`, because
    /// another sender took it.
    pub fn move_message(
        &self,
        id: i64,
        from: &str,
        to: &str,
        channel: Option<&str>,
        error: Option<&str>,
    ) -> Result<bool, ToolError> {
        Ok(self.store().move_message(id, from, to, channel, error)?)
    }
}
