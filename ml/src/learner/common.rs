//! What every family shares: checks of hyper-parameters and training data,
//! the classification targets as families take them, and small numeric helpers.

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};

use super::{PROBABILITY_FLOOR, Params};
use crate::error::{MlError, Result};

impl Params {
    /// Refuses hyper-parameters no family could train with.
    pub(super) fn validate(&self) -> Result<()> {
        let family = self.family();
        let bad = |what: &str| Err(fit_error(family, what));
        match *self {
            Params::Linear { c, l1_ratio } => {
                if !(c.is_finite() && c > 0.0) {
                    return bad(&format!("c must be a positive number, not {c}"));
                }
                if !(0.0..=1.0).contains(&l1_ratio) {
                    return bad(&format!("l1_ratio must be between 0 and 1, not {l1_ratio}"));
                }
            }
            Params::Tree {
                min_samples_leaf, ..
            } => {
                if min_samples_leaf == 0 {
                    return bad("min_samples_leaf must be at least 1");
                }
            }
            Params::Forest {
                trees,
                sample_ratio,
                ..
            } => {
                if trees == 0 {
                    return bad("trees must be at least 1");
                }
                if !(sample_ratio > 0.0 && sample_ratio <= 1.0) {
                    return bad(&format!(
                        "sample_ratio must be above 0 and at most 1, not {sample_ratio}"
                    ));
                }
            }
            Params::Boost {
                iterations,
                learning_rate,
                min_leaf_weight,
                l2,
                subsample,
                ..
            } => {
                if iterations == 0 {
                    return bad("iterations must be at least 1");
                }
                if !(learning_rate.is_finite() && learning_rate > 0.0) {
                    return bad(&format!(
                        "learning_rate must be a positive number, not {learning_rate}"
                    ));
                }
                if !(min_leaf_weight.is_finite() && min_leaf_weight >= 0.0) {
                    return bad(&format!(
                        "min_leaf_weight must be 0 or more, not {min_leaf_weight}"
                    ));
                }
                if !(l2.is_finite() && l2 >= 0.0) {
                    return bad(&format!("l2 must be 0 or more, not {l2}"));
                }
                if !(subsample > 0.0 && subsample <= 1.0) {
                    return bad(&format!(
                        "subsample must be above 0 and at most 1, not {subsample}"
                    ));
                }
            }
            Params::Knn { k, .. } => {
                if k == 0 {
                    return bad("k must be at least 1");
                }
            }
            Params::Svm { c, gamma } => {
                if !(c.is_finite() && c > 0.0) {
                    return bad(&format!("c must be a positive number, not {c}"));
                }
                if !(gamma.is_finite() && gamma > 0.0) {
                    return bad(&format!("gamma must be a positive number, not {gamma}"));
                }
            }
            Params::NaiveBayes { var_smoothing } => {
                if !(var_smoothing.is_finite() && var_smoothing >= 0.0) {
                    return bad(&format!(
                        "var_smoothing must be 0 or more, not {var_smoothing}"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Rows from which a learner fit uses every core (AutoML fits folds side by
/// side on data too small for a holdout, whose folds mostly train on fewer).
pub(crate) const PARALLEL_ROWS: usize = 45_000;

/// Cores a learner fit may use on `rows` rows (1 below [`PARALLEL_ROWS`]).
pub(super) fn cores_for(rows: usize) -> usize {
    if rows < PARALLEL_ROWS {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Classification targets checked once for every family.
pub(super) struct ClassInfo<'a> {
    /// One class index per row, each below `classes`.
    pub(super) y: ArrayView1<'a, usize>,
    /// Number of probability columns.
    pub(super) classes: usize,
    /// Rows per class.
    pub(super) counts: Vec<usize>,
    /// Training class shares, floored and normalised (the fallback prediction).
    pub(super) prior: Vec<f64>,
}

impl<'a> ClassInfo<'a> {
    pub(super) fn new(
        family: &'static str,
        x: ArrayView2<f64>,
        y: ArrayView1<'a, usize>,
        classes: usize,
    ) -> Result<Self> {
        if classes < 2 {
            return Err(MlError::Request(format!(
                "a classifier needs at least two classes, not {classes}"
            )));
        }
        if y.len() != x.nrows() {
            return Err(MlError::Data(format!(
                "{} rows but {} labels; give one label per row",
                x.nrows(),
                y.len()
            )));
        }
        let mut counts = vec![0usize; classes];
        for &c in y {
            match counts.get_mut(c) {
                Some(n) => *n += 1,
                None => {
                    return Err(MlError::Data(format!(
                        "class index {c} is out of range for {classes} classes; labels must be \
                         0..{classes}"
                    )));
                }
            }
        }
        let present: Vec<usize> = (0..classes).filter(|&c| counts[c] > 0).collect();
        if present.len() < 2 {
            return Err(fit_error(
                family,
                format!(
                    "the training rows hold only one class (class {}); a classifier needs rows \
                     of at least two classes: use more rows or check the target column",
                    present.first().copied().unwrap_or(0)
                ),
            ));
        }
        let n = y.len() as f64;
        let mut prior: Vec<f64> = counts
            .iter()
            .map(|&c| (c as f64 / n).max(PROBABILITY_FLOOR))
            .collect();
        let sum: f64 = prior.iter().sum();
        prior.iter_mut().for_each(|p| *p /= sum);
        Ok(Self {
            y,
            classes,
            counts,
            prior,
        })
    }

    /// The classes that have training rows, in order.
    pub(super) fn present(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.classes).filter(|&c| self.counts[c] > 0)
    }
}

/// Refuses empty, featureless or non-finite training records.
pub(super) fn check_records(x: ArrayView2<f64>) -> Result<()> {
    if x.nrows() == 0 {
        return Err(MlError::Data(
            "no training rows; a learner needs at least one row".into(),
        ));
    }
    if x.ncols() == 0 {
        return Err(MlError::Data(
            "no feature columns; a learner needs at least one input column".into(),
        ));
    }
    if let Some(((row, col), v)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(MlError::Data(format!(
            "feature {col} of row {row} is {v}; encode missing and infinite values before training"
        )));
    }
    Ok(())
}

/// Refuses numeric targets of the wrong length or with non-finite values.
pub(super) fn check_values(x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<()> {
    if y.len() != x.nrows() {
        return Err(MlError::Data(format!(
            "{} rows but {} targets; give one target per row",
            x.nrows(),
            y.len()
        )));
    }
    if let Some((row, v)) = y.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(MlError::Data(format!(
            "the target of row {row} is {v}; drop rows without a finite target"
        )));
    }
    Ok(())
}

/// A [`MlError::Fit`] for a family.
pub(super) fn fit_error(family: &'static str, message: impl Into<String>) -> MlError {
    MlError::Fit {
        family,
        message: message.into(),
    }
}

/// `1 / (1 + e^-z)`, computed without overflow for large `|z|`.
pub(super) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Row-major copy of the chosen rows (bootstrap samples, subsamples).
pub(super) fn select_rows(x: ArrayView2<f64>, rows: &[usize]) -> Array2<f64> {
    x.select(Axis(0), rows)
}

/// SplitMix64: a small seeded generator for bootstrap samples and subsamples,
/// so results depend on the seed only.
pub(super) struct SplitMix(u64);

impl SplitMix {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(super) fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// `m` distinct indices of `0..n` (`m <= n`), in increasing order.
    pub(super) fn sample_without_replacement(&mut self, n: usize, m: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..m.min(n) {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(m.min(n));
        all.sort_unstable();
        all
    }
}
