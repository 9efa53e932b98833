//! `maestro eval work`: train on the earliest part of a history, replay the
//! rest in creation order and score the models against simple baselines.

use std::collections::HashMap;

use serde::Serialize;

use super::{Insight, InsightError, Member, WorkItem};
use maestro_store::csv::{self as import, CsvError};

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum WorkEvalError {
    /// A file could not be read.
    #[error(transparent)]
    Import(#[from] CsvError),
    /// The models could not be trained.
    #[error(transparent)]
    Insight(#[from] InsightError),
    /// The split leaves nothing to train on or to test.
    #[error("--split {0} leaves no tasks to train on or to test; use a value such as 0.8")]
    Split(f64),
}

/// Evaluates a history and people file in the layout `maestro import` takes.
pub fn evaluate_csv(history: &str, people: &str, split: f64) -> Result<WorkEval, WorkEvalError> {
    if !(split > 0.0 && split < 1.0) {
        return Err(WorkEvalError::Split(split));
    }
    let team: Vec<Member> = import::parse_people(people)?
        .iter()
        .map(|p| Member {
            name: p.name.clone(),
            capacity: p.capacity.unwrap_or(40.0).max(1.0),
            skills: p.skills.iter().map(|s| s.trim().to_lowercase()).collect(),
        })
        .collect();
    let tasks = import::parse_tasks(history)?;
    let categories =
        import::column(history, "category").unwrap_or_else(|_| vec![None; tasks.len()]);
    let today = chrono::Utc::now().date_naive();
    let items = tasks
        .iter()
        .map(|t| WorkItem::from_new(t, today))
        .zip(categories)
        .collect();
    evaluate(items, &team, split)
}

/// The figures of one evaluation (the JSON of `maestro eval work --json`).
#[derive(Debug, Clone, Serialize)]
pub struct WorkEval {
    /// Share of test tasks whose real assignee is the first suggestion.
    pub assignment_top1: f64,
    /// … is among the first three.
    pub assignment_top3: f64,
    /// Top-1 of "the most frequent assignee of the task's category".
    pub baseline_top1: f64,
    /// Mean absolute error of predicted hours.
    pub duration_mae: f64,
    /// Mean absolute error of the estimate taken as it is.
    pub estimate_mae: f64,
    /// ROC AUC of the probability of missing the due date.
    pub risk_auc: f64,
    /// Brier score of that probability.
    pub risk_brier: f64,
    /// Tasks created before the split (those finished by then are learnt from).
    pub n_train: usize,
    /// Tasks evaluated.
    pub n_test: usize,
}

/// Evaluates on `items` (with each one's category for the baseline), training
/// on the earliest `split` share by creation date.
pub fn evaluate(
    mut items: Vec<(WorkItem, Option<String>)>,
    team: &[Member],
    split: f64,
) -> Result<WorkEval, WorkEvalError> {
    items.sort_by_key(|(item, _)| item.created);
    let (mut items, categories): (Vec<WorkItem>, Vec<Option<String>>) = items.into_iter().unzip();
    let n_train = ((items.len() as f64) * split.clamp(0.0, 1.0)).round() as usize;
    if n_train == 0 || n_train >= items.len() {
        return Err(WorkEvalError::Split(split));
    }
    // Train on what was known when the first test task was created: tasks
    // still open then count as open work, without their (future) outcome.
    let cutoff = items[n_train].created;
    let known: Vec<WorkItem> = items[..n_train]
        .iter()
        .cloned()
        .map(|mut t| {
            if t.completed.is_some_and(|c| c > cutoff) {
                t.completed = None;
                t.actual = None;
            }
            t
        })
        .collect();
    let insight = Insight::train(&known, team)?;
    insight.annotate(&mut items);

    let mut by_category: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
    for (item, category) in items[..n_train].iter().zip(&categories) {
        if let (Some(c), Some(a)) = (category, &item.assignee) {
            *by_category.entry(c).or_default().entry(a).or_default() += 1;
        }
    }
    let baseline = |category: &Option<String>| {
        category
            .as_deref()
            .and_then(|c| by_category.get(c))
            .and_then(|counts| counts.iter().max_by_key(|(name, n)| (**n, *name)))
            .map(|(name, _)| name.to_string())
    };

    let (mut top1, mut top3, mut base, mut assigned) = (0usize, 0usize, 0usize, 0usize);
    let (mut abs_model, mut abs_estimate, mut timed) = (0.0, 0.0, 0usize);
    let mut risks: Vec<(f64, bool)> = Vec::new();
    for i in n_train..items.len() {
        let item = &items[i];
        let open = Insight::workload_before(&items, i);
        if let Some(who) = &item.assignee {
            let mut unassigned = item.clone();
            unassigned.assignee = None;
            let ranked = insight.suggest(&unassigned, &open);
            let rank = ranked.iter().position(|s| s.name.eq_ignore_ascii_case(who));
            assigned += 1;
            top1 += usize::from(rank == Some(0));
            top3 += usize::from(rank.is_some_and(|r| r < 3));
            base +=
                usize::from(baseline(&categories[i]).is_some_and(|b| b.eq_ignore_ascii_case(who)));
        }
        if let (Some(actual), Some(estimate)) = (item.actual, item.estimate) {
            abs_model += (insight.estimate(item, &open).hours - actual).abs();
            abs_estimate += (estimate - actual).abs();
            timed += 1;
        }
        if let (Some(due), Some(done)) = (item.due, item.completed)
            && let Some(r) = insight.risk(item, &open, item.created)
        {
            risks.push((r.probability, done > due));
        }
    }
    let share = |n: usize, of: usize| n as f64 / of.max(1) as f64;
    Ok(WorkEval {
        assignment_top1: share(top1, assigned),
        assignment_top3: share(top3, assigned),
        baseline_top1: share(base, assigned),
        duration_mae: abs_model / timed.max(1) as f64,
        estimate_mae: abs_estimate / timed.max(1) as f64,
        risk_auc: roc_auc(&risks),
        risk_brier: risks
            .iter()
            .map(|(p, y)| (p - f64::from(*y)).powi(2))
            .sum::<f64>()
            / risks.len().max(1) as f64,
        n_train,
        n_test: items.len() - n_train,
    })
}

/// Area under the ROC curve (the chance a late task scores above an on-time
/// one; ties count half).
pub fn roc_auc(scored: &[(f64, bool)]) -> f64 {
    let mut sorted = scored.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < sorted.len() {
        let mut j = i;
        while j < sorted.len() && sorted[j].0 == sorted[i].0 {
            j += 1;
        }
        let mid_rank = (i + j + 1) as f64 / 2.0;
        rank_sum += mid_rank * sorted[i..j].iter().filter(|s| s.1).count() as f64;
        i = j;
    }
    let positives = sorted.iter().filter(|s| s.1).count() as f64;
    let negatives = sorted.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return f64::NAN;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_ranks_positives_over_negatives() {
        assert_eq!(roc_auc(&[(0.1, false), (0.9, true)]), 1.0);
        assert_eq!(roc_auc(&[(0.9, false), (0.1, true)]), 0.0);
        assert_eq!(roc_auc(&[(0.5, false), (0.5, true)]), 0.5);
        assert!(roc_auc(&[(0.5, true)]).is_nan());
    }
}
