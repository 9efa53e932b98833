//! Scores for classifiers and regressors, and which one each task uses by default.

use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use crate::error::{MlError, Result};
use crate::learner::{Output, Task};

/// A way to score predictions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of rows classified correctly.
    Accuracy,
    /// Mean recall over classes.
    BalancedAccuracy,
    /// F1 of the positive class (binary) or the mean over classes (multiclass).
    F1,
    /// Area under the ROC curve (one-vs-rest mean for many classes).
    RocAuc,
    /// Cross-entropy of the predicted probabilities (lower is better).
    LogLoss,
    /// Coefficient of determination.
    R2,
    /// Root mean squared error (lower is better).
    Rmse,
    /// Mean absolute error (lower is better).
    Mae,
}

/// Every metric, for messages.
pub const ALL: [Metric; 8] = [
    Metric::Accuracy,
    Metric::BalancedAccuracy,
    Metric::F1,
    Metric::RocAuc,
    Metric::LogLoss,
    Metric::R2,
    Metric::Rmse,
    Metric::Mae,
];

impl Metric {
    /// The metric's name as used on the CLI and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::BalancedAccuracy => "balanced_accuracy",
            Metric::F1 => "f1",
            Metric::RocAuc => "roc_auc",
            Metric::LogLoss => "log_loss",
            Metric::R2 => "r2",
            Metric::Rmse => "rmse",
            Metric::Mae => "mae",
        }
    }

    /// Reads a metric name as people write it ("ROC AUC", "auc", "r²", "log-loss"…).
    pub fn parse(text: &str) -> Result<Self> {
        let key: String = text
            .to_lowercase()
            .replace('²', "2")
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let metric = match key.as_str() {
            "accuracy" | "acc" => Metric::Accuracy,
            "balancedaccuracy" | "balancedacc" => Metric::BalancedAccuracy,
            "f1" | "f1score" | "fscore" => Metric::F1,
            "rocauc" | "auc" | "auroc" | "roc" => Metric::RocAuc,
            "logloss" | "crossentropy" => Metric::LogLoss,
            "r2" | "rsquared" => Metric::R2,
            "rmse" => Metric::Rmse,
            "mae" => Metric::Mae,
            _ => {
                return Err(MlError::Request(format!(
                    "unknown metric {text:?}; use one of {}",
                    ALL.map(Metric::name).join(", ")
                )));
            }
        };
        Ok(metric)
    }

    /// The default for a task: ROC AUC (binary), accuracy (multiclass), R² (regression).
    pub fn default_for(task: Task) -> Self {
        match task {
            Task::Binary => Metric::RocAuc,
            Task::Multiclass => Metric::Accuracy,
            Task::Regression => Metric::R2,
        }
    }

    /// Whether the metric scores this kind of task.
    pub fn applies_to(self, task: Task) -> bool {
        let regression = matches!(self, Metric::R2 | Metric::Rmse | Metric::Mae);
        regression == (task == Task::Regression)
    }

    /// Whether a higher value is better.
    pub fn higher_is_better(self) -> bool {
        !matches!(self, Metric::LogLoss | Metric::Rmse | Metric::Mae)
    }

    /// The metrics reported for a task.
    pub fn reported(task: Task) -> &'static [Metric] {
        match task {
            Task::Regression => &[Metric::R2, Metric::Rmse, Metric::Mae],
            _ => &[
                Metric::Accuracy,
                Metric::BalancedAccuracy,
                Metric::F1,
                Metric::RocAuc,
                Metric::LogLoss,
            ],
        }
    }

    /// Scores predictions against the truth (class indices or values).
    pub fn score(self, truth: &Truth, output: &Output) -> f64 {
        match (truth, output) {
            (Truth::Classes(y), Output::Probabilities(p)) => self.classification(*y, p),
            (Truth::Values(y), Output::Values(v)) => self.regression(*y, v.view()),
            _ => f64::NAN,
        }
    }

    fn classification(self, y: ArrayView1<usize>, p: &Array2<f64>) -> f64 {
        let k = p.ncols();
        let predicted: Vec<usize> = p.rows().into_iter().map(argmax).collect();
        let n = y.len() as f64;
        match self {
            Metric::Accuracy => y.iter().zip(&predicted).filter(|(a, b)| a == b).count() as f64 / n,
            Metric::BalancedAccuracy => {
                let recalls: Vec<f64> = (0..k)
                    .filter_map(|c| {
                        let total = y.iter().filter(|&&t| t == c).count();
                        (total > 0).then(|| {
                            let hit = y
                                .iter()
                                .zip(&predicted)
                                .filter(|&(&t, &q)| t == c && q == c)
                                .count();
                            hit as f64 / total as f64
                        })
                    })
                    .collect();
                mean(&recalls)
            }
            Metric::F1 => {
                let f1 = |c: usize| {
                    let tp = y
                        .iter()
                        .zip(&predicted)
                        .filter(|&(&t, &q)| t == c && q == c)
                        .count() as f64;
                    let fp = predicted.iter().filter(|&&q| q == c).count() as f64 - tp;
                    let fn_ = y.iter().filter(|&&t| t == c).count() as f64 - tp;
                    if tp == 0.0 {
                        0.0
                    } else {
                        2.0 * tp / (2.0 * tp + fp + fn_)
                    }
                };
                if k == 2 {
                    f1(1)
                } else {
                    mean(&(0..k).map(f1).collect::<Vec<_>>())
                }
            }
            Metric::RocAuc => {
                if k == 2 {
                    auc(y, p.column(1), 1)
                } else {
                    let aucs: Vec<f64> = (0..k)
                        .map(|c| auc(y, p.column(c), c))
                        .filter(|a| a.is_finite())
                        .collect();
                    mean(&aucs)
                }
            }
            Metric::LogLoss => {
                y.iter()
                    .enumerate()
                    .map(|(i, &c)| -p[[i, c]].clamp(1e-15, 1.0).ln())
                    .sum::<f64>()
                    / n
            }
            _ => f64::NAN,
        }
    }

    fn regression(self, y: ArrayView1<f64>, v: ArrayView1<f64>) -> f64 {
        let n = y.len() as f64;
        let sse: f64 = y.iter().zip(v).map(|(a, b)| (a - b).powi(2)).sum();
        match self {
            Metric::R2 => {
                let mean = y.sum() / n;
                let sst: f64 = y.iter().map(|a| (a - mean).powi(2)).sum();
                if sst > 0.0 { 1.0 - sse / sst } else { 0.0 }
            }
            Metric::Rmse => (sse / n).sqrt(),
            Metric::Mae => y.iter().zip(v).map(|(a, b)| (a - b).abs()).sum::<f64>() / n,
            _ => f64::NAN,
        }
    }
}

/// The true targets of scored rows.
#[derive(Debug, Clone, Copy)]
pub enum Truth<'a> {
    /// Class indices.
    Classes(ArrayView1<'a, usize>),
    /// Values.
    Values(ArrayView1<'a, f64>),
}

/// Position of the largest value (first on ties).
pub fn argmax(row: ArrayView1<f64>) -> usize {
    row.iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, &v)| {
            if v > best.1 { (i, v) } else { best }
        })
        .0
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// ROC AUC of `score` for class `positive` against the rest (ties count half);
/// NaN when only one side is present.
fn auc(y: ArrayView1<usize>, score: ArrayView1<f64>, positive: usize) -> f64 {
    let mut order: Vec<usize> = (0..y.len()).collect();
    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let (mut rank_sum, mut positives) = (0.0, 0usize);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && score[order[j + 1]] == score[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            if y[o] == positive {
                rank_sum += rank;
                positives += 1;
            }
        }
        i = j + 1;
    }
    let negatives = y.len() - positives;
    if positives == 0 || negatives == 0 {
        return f64::NAN;
    }
    let p = positives as f64;
    (rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, array};

    #[test]
    fn classification_scores() {
        let y = array![0usize, 0, 1, 1];
        let p = Output::Probabilities(array![[0.9, 0.1], [0.4, 0.6], [0.35, 0.65], [0.2, 0.8]]);
        let t = Truth::Classes(y.view());
        assert_eq!(Metric::Accuracy.score(&t, &p), 0.75);
        assert_eq!(Metric::RocAuc.score(&t, &p), 1.0);
        assert!((Metric::F1.score(&t, &p) - 0.8).abs() < 1e-12);
        assert_eq!(Metric::BalancedAccuracy.score(&t, &p), 0.75);
        let ll = Metric::LogLoss.score(&t, &p);
        let expected = -(0.9f64.ln() + 0.4f64.ln() + 0.65f64.ln() + 0.8f64.ln()) / 4.0;
        assert!((ll - expected).abs() < 1e-12);
    }

    #[test]
    fn regression_scores() {
        let y: Array1<f64> = array![1.0, 2.0, 3.0];
        let v = Output::Values(array![1.0, 2.0, 4.0]);
        let t = Truth::Values(y.view());
        assert!((Metric::R2.score(&t, &v) - 0.5).abs() < 1e-12);
        assert!((Metric::Mae.score(&t, &v) - 1.0 / 3.0).abs() < 1e-12);
        assert!((Metric::Rmse.score(&t, &v) - (1.0f64 / 3.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn reads_names_people_write() {
        assert_eq!(Metric::parse("ROC AUC").unwrap(), Metric::RocAuc);
        assert_eq!(Metric::parse("r²").unwrap(), Metric::R2);
        assert_eq!(Metric::parse("log-loss").unwrap(), Metric::LogLoss);
        assert!(
            Metric::parse("speed")
                .unwrap_err()
                .to_string()
                .contains("roc_auc")
        );
        assert!(!Metric::R2.applies_to(Task::Binary));
        assert!(Metric::F1.applies_to(Task::Multiclass));
    }
}
