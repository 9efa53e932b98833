//! Whether a task will miss its due date: logistic regression (linfa-logistic)
//! on the time left against the predicted work and the assignee's queue.

use chrono::NaiveDate;
use linfa::prelude::*;
use linfa_logistic::{FittedLogisticRegression, LogisticRegression};
use ndarray::Array2;
use serde::Serialize;

use super::duration::{DurationModel, Estimate};
use super::{
    Insight, InsightError, Member, WorkItem, Workload, business_days, capacity, load_ratio,
};
use maestro_store::Priority;

/// The chance of missing the due date, and why.
#[derive(Debug, Clone, Serialize)]
pub struct RiskAssessment {
    /// Probability (0–1) of finishing after the due date.
    pub probability: f64,
    /// The main reasons, strongest first.
    pub reasons: Vec<String>,
}

/// The trained risk model.
pub struct RiskModel {
    fitted: Option<FittedLogisticRegression<f64, bool>>,
    /// Share of late tasks, used when one outcome is missing from the
    /// history; `None` when no finished task had a due date.
    base_rate: Option<f64>,
}

/// The situation of a task on a given day.
struct Situation {
    /// Working days until the due date.
    slack: f64,
    /// Predicted working days of effort for the assignee.
    work: f64,
    /// Working days of open work already queued for the assignee.
    queue: f64,
    /// High or urgent.
    pressing: bool,
}

impl Situation {
    fn of(
        item: &WorkItem,
        open: &Workload,
        team: &[Member],
        hours: f64,
        on: NaiveDate,
    ) -> Option<Self> {
        let due = item.due?;
        let who = item.assignee.as_deref();
        let per_day = who.map_or(8.0, |w| capacity(team, w) / 5.0);
        Some(Self {
            slack: business_days(on, due),
            work: hours / per_day,
            queue: who.map_or(0.0, |w| load_ratio(team, open, w) * 5.0),
            pressing: matches!(item.priority, Priority::High | Priority::Urgent),
        })
    }

    fn features(&self) -> [f64; 6] {
        let queue_weight = if self.pressing { 0.4 } else { 1.0 };
        let margin = self.slack - 1.3 * self.work - self.queue * queue_weight;
        [
            self.slack.clamp(-20.0, 40.0),
            self.work.min(20.0),
            self.queue.min(20.0),
            f64::from(self.pressing),
            margin.clamp(-30.0, 40.0),
            (margin.clamp(-30.0, 40.0) / 5.0).tanh(),
        ]
    }
}

impl RiskModel {
    /// Learns from the history items that had a due date.
    pub fn train(
        items: &[WorkItem],
        history: &[usize],
        team: &[Member],
        duration: &DurationModel,
    ) -> Result<Self, InsightError> {
        let mut rows = Vec::new();
        let mut late = Vec::new();
        for &i in history {
            let item = &items[i];
            let (Some(due), Some(done)) = (item.due, item.completed) else {
                continue;
            };
            let open = Insight::workload_before(items, i);
            let hours = duration.estimate(item, &open, team).hours;
            if let Some(s) = Situation::of(item, &open, team, hours, item.created) {
                rows.push(s.features());
                late.push(done > due);
            }
        }
        if late.is_empty() {
            return Ok(Self {
                fitted: None,
                base_rate: None,
            });
        }
        let base_rate = Some(late.iter().filter(|l| **l).count() as f64 / late.len() as f64);
        let both = late.iter().any(|l| *l) && late.iter().any(|l| !*l);
        let x = Array2::from_shape_fn((rows.len(), 6), |(i, j)| rows[i][j]);
        // With one outcome only, or if the fit fails, the base rate serves.
        let fitted = both
            .then(|| {
                LogisticRegression::default()
                    .max_iterations(200)
                    .fit(&Dataset::new(x, ndarray::Array1::from(late)))
                    .ok()
            })
            .flatten();
        Ok(Self { fitted, base_rate })
    }

    /// Whether any finished task had a due date to learn from.
    pub fn has_history(&self) -> bool {
        self.base_rate.is_some()
    }

    /// The risk for `item` as things stand on `today`; `None` without a due
    /// date or without history to learn lateness from.
    pub fn assess(
        &self,
        item: &WorkItem,
        open: &Workload,
        team: &[Member],
        hours: &Estimate,
        today: NaiveDate,
    ) -> Option<RiskAssessment> {
        let due = item.due?;
        if item.completed.is_none() && today > due {
            return Some(RiskAssessment {
                probability: 1.0,
                reasons: vec![format!(
                    "already {:.0} working day(s) overdue",
                    business_days(due, today)
                )],
            });
        }
        // The full predicted hours count as still to do: progress is not tracked.
        let s = Situation::of(item, open, team, hours.hours, today.max(item.created))?;
        let probability = match &self.fitted {
            Some(model) => {
                let x = Array2::from_shape_vec((1, 6), s.features().to_vec()).ok()?;
                let p = model.predict_probabilities(&x)[0];
                if model.labels().pos.class { p } else { 1.0 - p }
            }
            None => self.base_rate?,
        };
        let who = item.assignee.as_deref().unwrap_or("whoever takes it");
        let mut reasons = vec![
            format!("due in {:.0} working day(s)", s.slack),
            format!(
                "about {:.1} h of work ({:.1} working day(s) for {who})",
                hours.hours, s.work
            ),
        ];
        if s.queue >= 0.5 {
            reasons.push(format!(
                "{who} has {:.1} working day(s) of other open work",
                s.queue
            ));
        }
        if item.assignee.is_none() {
            reasons.push("nobody is assigned".into());
        }
        Some(RiskAssessment {
            probability,
            reasons,
        })
    }
}
