//! How long a task will take: ridge regression (linfa-elasticnet) on the log
//! of actual hours, from the estimate, the assignee, the tags and which
//! tags this assignee is quick or slow at, their workload and the priority. The
//! 80% interval comes from the training residuals.

use std::collections::HashMap;

use linfa::prelude::*;
use linfa_elasticnet::{ElasticNet, ElasticNetParams};
use ndarray::{Array1, Array2};
use serde::Serialize;

use super::{Insight, InsightError, Member, WorkItem, Workload, load_ratio};
use maestro_store::Priority;

/// A tag becomes a feature once it appears this often in the history.
const MIN_TAG_COUNT: usize = 10;

/// Predicted hours with an 80% interval.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    /// Most likely hours (the median).
    pub hours: f64,
    /// 10th percentile.
    pub low: f64,
    /// 90th percentile.
    pub high: f64,
}

/// The trained duration model.
pub struct DurationModel {
    features: Features,
    fitted: ElasticNet<f64>,
    /// 10th and 90th percentiles of the log residuals.
    spread: (f64, f64),
}

/// Turns a task into the model's inputs.
struct Features {
    /// Tags common enough to learn from.
    tags: Vec<String>,
    /// Estimate used when a task has none.
    typical_estimate: f64,
    /// Median actual/estimate per person, applied to open hours when they are
    /// raw estimates (the sizing model); `None` when they are already expected hours.
    overrun: Option<Vec<f64>>,
}

impl DurationModel {
    /// Learns from `items[history]`; `estimate_loads` when the items' open
    /// work is sized by raw estimates (not yet annotated).
    pub fn train(
        items: &[WorkItem],
        history: &[usize],
        team: &[Member],
        estimate_loads: bool,
    ) -> Result<Self, InsightError> {
        let mut tag_counts: HashMap<&str, usize> = HashMap::new();
        for &i in history {
            for t in &items[i].tags {
                *tag_counts.entry(t.as_str()).or_default() += 1;
            }
        }
        let mut tags: Vec<String> = tag_counts
            .into_iter()
            .filter(|(_, c)| *c >= MIN_TAG_COUNT)
            .map(|(t, _)| t.to_lowercase())
            .collect();
        tags.sort();
        tags.dedup();
        let mut estimates: Vec<f64> = history.iter().filter_map(|&i| items[i].estimate).collect();
        estimates.sort_by(f64::total_cmp);
        let typical_estimate = estimates
            .get(estimates.len() / 2)
            .copied()
            .unwrap_or(super::DEFAULT_HOURS);
        let mut ratios = vec![Vec::new(); team.len()];
        for &i in history {
            let item = &items[i];
            let who = item
                .assignee
                .as_deref()
                .and_then(|a| team.iter().position(|m| m.name.eq_ignore_ascii_case(a)));
            if let (Some(p), Some(e), Some(a)) = (who, item.estimate, item.actual)
                && e > 0.0
            {
                ratios[p].push(a / e);
            }
        }
        let features = Features {
            tags,
            typical_estimate,
            overrun: estimate_loads.then(|| ratios.into_iter().map(super::median_or_one).collect()),
        };
        let rows: Vec<Vec<f64>> = history
            .iter()
            .map(|&i| {
                let open = Insight::workload_before(items, i);
                features.of(&items[i], &open, team)
            })
            .collect();
        let targets: Vec<f64> = history
            .iter()
            .map(|&i| items[i].actual.unwrap_or(1.0).max(0.05).ln())
            .collect();
        let x = to_matrix(&rows);
        let y = Array1::from(targets);
        let params: ElasticNetParams<f64> = ElasticNet::ridge().penalty(0.0001).max_iterations(200);
        let fitted = params
            .fit(&Dataset::new(x.clone(), y.clone()))
            .map_err(|e| InsightError::Fit("duration", e.to_string()))?;
        let mut residuals: Vec<f64> = (y - fitted.predict(&x)).to_vec();
        residuals.sort_by(f64::total_cmp);
        let at = |q: f64| residuals[((residuals.len() - 1) as f64 * q) as usize];
        Ok(Self {
            features,
            fitted,
            spread: (at(0.1), at(0.9)),
        })
    }

    /// Hours for `item` with an 80% interval.
    pub fn estimate(&self, item: &WorkItem, open: &Workload, team: &[Member]) -> Estimate {
        let x = to_matrix(&[self.features.of(item, open, team)]);
        let log_hours = self.fitted.predict(&x)[0];
        Estimate {
            hours: log_hours.exp(),
            low: (log_hours + self.spread.0).exp(),
            high: (log_hours + self.spread.1).exp(),
        }
    }
}

impl Features {
    fn of(&self, item: &WorkItem, open: &Workload, team: &[Member]) -> Vec<f64> {
        let estimate = item.estimate.unwrap_or(self.typical_estimate).max(0.05);
        let who = item
            .assignee
            .as_deref()
            .and_then(|a| team.iter().position(|m| m.name.eq_ignore_ascii_case(a)));
        let load = who.map_or(0.0, |p| {
            let overrun = self.overrun.as_ref().map_or(1.0, |o| o[p]);
            (load_ratio(team, open, &team[p].name) * overrun).min(3.0)
        });
        let mut f = vec![
            estimate.ln(),
            if item.estimate.is_some() { 0.0 } else { 1.0 },
            load,
            (1.0 + 0.25 * load).ln(),
        ];
        f.extend(
            team.iter()
                .enumerate()
                .map(|(p, _)| f64::from(Some(p) == who)),
        );
        let tags: Vec<String> = item.tags.iter().map(|t| t.to_lowercase()).collect();
        let has: Vec<f64> = self
            .tags
            .iter()
            .map(|t| f64::from(tags.contains(t)))
            .collect();
        f.extend(&has);
        // Who does what: people are quicker on their own kind of work.
        for p in 0..team.len() {
            f.extend(has.iter().map(|h| h * f64::from(Some(p) == who)));
        }
        f.extend(
            [Priority::Low, Priority::High, Priority::Urgent]
                .iter()
                .map(|p| f64::from(item.priority == *p)),
        );
        f
    }
}

fn to_matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let width = rows.first().map_or(0, Vec::len);
    Array2::from_shape_fn((rows.len(), width), |(i, j)| rows[i][j])
}
