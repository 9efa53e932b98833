//! Linear models: logistic regression (linfa-logistic) for classes, elastic
//! net (linfa-elasticnet) for numbers. Only the coefficients are kept.
//!
//! The penalty mapping from `c` is documented on [`super::Params::fit`].

use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_elasticnet::ElasticNet;
use linfa_logistic::{LogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use super::{ClassInfo, fit_error, sigmoid};
use crate::error::Result;

const FAMILY: &str = "linear";

/// L-BFGS iterations for logistic regression (scikit-learn uses 100; linfa's
/// gradient tolerance is absolute and its loss a sum, so allow more).
const LOGISTIC_ITERATIONS: u64 = 300;

/// linfa's default gradient tolerance, kept below [`TOLERANCE_ROWS`] rows.
const GRADIENT_TOLERANCE: f64 = 1e-4;

/// Rows from which the gradient tolerance is per row: linfa's loss and
/// gradient are sums over rows, so a fixed tolerance asks ever more of
/// large data (an 800k-row fit ran its 300 iterations, a minute, for the
/// model a 40k-row fit matched). From AutoML's first sample on, so every
/// sample it climbs is fitted alike and its cost grows with the rows alone.
const TOLERANCE_ROWS: usize = 10_000;

/// The gradient tolerance per row on large data.
const ROW_TOLERANCE: f64 = 1e-5;

/// The gradient tolerance for `rows` rows.
fn gradient_tolerance(rows: usize) -> f64 {
    if rows < TOLERANCE_ROWS {
        GRADIENT_TOLERANCE
    } else {
        ROW_TOLERANCE * rows as f64
    }
}

/// A fitted logistic regression: `scores = x·coef + intercept`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Logistic {
    /// Features × score columns.
    coef: Array2<f64>,
    /// One per score column.
    intercept: Array1<f64>,
    /// Binary: one score column, the log-odds of class 1. Otherwise the class
    /// index of each (softmax) score column: the classes present at fit time.
    columns: Vec<usize>,
    binary: bool,
}

impl Logistic {
    /// Binary logistic regression for two classes, multinomial for more;
    /// the solver starts from `warm`'s coefficients when it has the same
    /// features and classes (a refit on more rows), else from zero.
    pub(super) fn fit(
        x: ArrayView2<f64>,
        info: &ClassInfo,
        c: f64,
        warm: Option<&Logistic>,
    ) -> Result<Self> {
        let model = Self::solve(x, info, c, warm)?;
        if model
            .coef
            .iter()
            .chain(&model.intercept)
            .any(|w| !w.is_finite())
        {
            return Err(fit_error(
                FAMILY,
                "logistic regression gave non-finite coefficients; try a smaller c",
            ));
        }
        Ok(model)
    }

    /// Coefficients and intercept as linfa's binary solver starts from them:
    /// one column oriented towards linfa's positive class (the larger one,
    /// the first seen on a tie), the intercept last.
    fn binary_start(&self, features: usize, info: &ClassInfo) -> Option<Array1<f64>> {
        if !self.binary || self.coef.nrows() != features {
            return None;
        }
        let first = *info.y.first()?;
        let larger = match info.counts[1].cmp(&info.counts[0]) {
            std::cmp::Ordering::Equal => first,
            std::cmp::Ordering::Greater => 1,
            std::cmp::Ordering::Less => 0,
        };
        let sign = if larger == 1 { 1.0 } else { -1.0 };
        let mut start: Array1<f64> = self.coef.column(0).iter().map(|w| w * sign).collect();
        start
            .append(Axis(0), (self.intercept.clone() * sign).view())
            .ok()?;
        Some(start)
    }

    /// Coefficients and intercepts as linfa's multinomial solver starts from
    /// them: a column per class present (in order), the intercepts last.
    fn multi_start(&self, features: usize, info: &ClassInfo) -> Option<Array2<f64>> {
        let present: Vec<usize> = info.present().collect();
        if self.binary || self.coef.nrows() != features || self.columns != present {
            return None;
        }
        let mut start = self.coef.clone();
        start.push_row(self.intercept.view()).ok().map(|()| start)
    }

    fn solve(
        x: ArrayView2<f64>,
        info: &ClassInfo,
        c: f64,
        warm: Option<&Logistic>,
    ) -> Result<Self> {
        let alpha = 1.0 / c;
        let tolerance = gradient_tolerance(x.nrows());
        let data = DatasetBase::new(x, info.y);
        let failed = |e: linfa_logistic::error::Error| {
            fit_error(
                FAMILY,
                format!("logistic regression did not converge ({e}); try a smaller c"),
            )
        };
        if info.classes == 2 {
            // Both classes are present (checked in `ClassInfo`).
            let mut solver = LogisticRegression::default()
                .alpha(alpha)
                .max_iterations(LOGISTIC_ITERATIONS)
                .gradient_tolerance(tolerance);
            if let Some(start) = warm.and_then(|w| w.binary_start(x.ncols(), info)) {
                solver = solver.initial_params(start);
            }
            let model = solver.fit(&data).map_err(failed)?;
            // linfa scores its "positive" class, whichever label that is: turn
            // the scores into the log-odds of class 1.
            let sign = if model.labels().pos.class == 1 {
                1.0
            } else {
                -1.0
            };
            let coef = (model.params() * sign).insert_axis(Axis(1));
            Ok(Self {
                coef,
                intercept: Array1::from_elem(1, model.intercept() * sign),
                columns: vec![1],
                binary: true,
            })
        } else {
            let mut solver = MultiLogisticRegression::default()
                .alpha(alpha)
                .max_iterations(LOGISTIC_ITERATIONS)
                .gradient_tolerance(tolerance);
            if let Some(start) = warm.and_then(|w| w.multi_start(x.ncols(), info)) {
                solver = solver.initial_params(start);
            }
            let model = solver.fit(&data).map_err(failed)?;
            Ok(Self {
                coef: model.params().clone(),
                intercept: model.intercept().clone(),
                columns: model.classes().to_vec(),
                binary: false,
            })
        }
    }

    /// Class probabilities (`classes` columns; classes absent at fit time get 0).
    pub(super) fn predict(&self, x: ArrayView2<f64>, classes: usize) -> Array2<f64> {
        let scores = x.dot(&self.coef) + &self.intercept;
        let mut out = Array2::zeros((x.nrows(), classes));
        if self.binary {
            for (mut row, s) in out.rows_mut().into_iter().zip(scores.column(0)) {
                row[0] = sigmoid(-s);
                row[1] = sigmoid(*s);
            }
            return out;
        }
        for (mut row, s) in out.rows_mut().into_iter().zip(scores.rows()) {
            let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            for (&class, v) in self.columns.iter().zip(s) {
                row[class] = (v - max).exp();
            }
        }
        out
    }
}

/// A fitted elastic net: `y = x·coef + intercept`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct LinearRegressor {
    coef: Array1<f64>,
    intercept: f64,
}

impl LinearRegressor {
    /// Elastic net with an unpenalised intercept.
    pub(super) fn fit(
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        c: f64,
        l1_ratio: f64,
    ) -> Result<Self> {
        let n = x.nrows() as f64;
        // linfa-elasticnet centres y but not x for its intercept, which is only
        // right for centred features: centre both here and fit without one.
        let means = x
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::zeros(x.ncols()));
        let y_mean = y.mean().unwrap_or(0.0);
        let xc = &x - &means;
        let yc = y.mapv(|v| v - y_mean);
        let coef = if l1_ratio == 0.0 {
            ridge(&xc, &yc, 1.0 / c).ok_or_else(|| {
                fit_error(
                    FAMILY,
                    "ridge regression could not be solved (the features are degenerate); try a \
                     smaller c",
                )
            })?
        } else {
            let model = ElasticNet::params()
                .penalty(1.0 / (c * n))
                .l1_ratio(l1_ratio)
                .with_intercept(false)
                .fit(&DatasetBase::new(xc.view(), yc.view()))
                .map_err(|e| {
                    fit_error(
                        FAMILY,
                        format!("elastic net could not be fitted ({e}); try a smaller c"),
                    )
                })?;
            model.hyperplane().clone()
        };
        if coef.iter().any(|w| !w.is_finite()) {
            return Err(fit_error(
                FAMILY,
                "elastic net gave non-finite coefficients; try a smaller c or scale the features",
            ));
        }
        Ok(Self {
            intercept: y_mean - means.dot(&coef),
            coef,
        })
    }

    /// Predicted values.
    pub(super) fn predict(&self, x: ArrayView2<f64>) -> Array1<f64> {
        x.dot(&self.coef) + self.intercept
    }
}

/// Ridge regression on centred data: minimises `0.5·|y − x·w|² + 0.5·lambda·|w|²`
/// by solving `(xᵀx + lambda·I)·w = xᵀy` (Cholesky). `None` if the system is
/// not positive definite in floating point.
fn ridge(x: &Array2<f64>, y: &Array1<f64>, lambda: f64) -> Option<Array1<f64>> {
    let p = x.ncols();
    let mut a = x.t().dot(x);
    for i in 0..p {
        a[[i, i]] += lambda;
    }
    let b = x.t().dot(y);
    cholesky_solve(a.as_standard_layout().as_slice()?, b.to_vec(), p).map(Array1::from)
}

/// Solves `a·w = b` for a symmetric positive definite `p × p` matrix `a` (row major).
fn cholesky_solve(a: &[f64], mut b: Vec<f64>, p: usize) -> Option<Vec<f64>> {
    // Lower factor, row major: a = l·lᵀ.
    let mut l = vec![0.0; p * p];
    for j in 0..p {
        let (row_j, _) = l.split_at(j * p + j);
        let row_j = &row_j[j * p..];
        let d = a[j * p + j] - row_j.iter().map(|v| v * v).sum::<f64>();
        if !(d.is_finite() && d > 0.0) {
            return None;
        }
        let d = d.sqrt();
        l[j * p + j] = d;
        for i in j + 1..p {
            let dot: f64 = (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum();
            l[i * p + j] = (a[i * p + j] - dot) / d;
        }
    }
    for i in 0..p {
        let dot: f64 = (0..i).map(|k| l[i * p + k] * b[k]).sum();
        b[i] = (b[i] - dot) / l[i * p + i];
    }
    for i in (0..p).rev() {
        let dot: f64 = (i + 1..p).map(|k| l[k * p + i] * b[k]).sum();
        b[i] = (b[i] - dot) / l[i * p + i];
    }
    b.iter().all(|v| v.is_finite()).then_some(b)
}

#[cfg(test)]
mod tests {
    use ndarray::Array1;

    use super::*;
    use crate::learner::common::SplitMix;

    /// Two overlapping classes on two features (the second is noise); class
    /// 1 has `ones` of every 10 rows.
    fn data(rows: usize, ones: usize) -> (Array2<f64>, Array1<usize>) {
        let mut rng = SplitMix::new(3);
        let mut unit = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let y: Array1<usize> = (0..rows).map(|r| usize::from(r % 10 < ones)).collect();
        let x = Array2::from_shape_fn((rows, 2), |(r, c)| {
            let shift = if c == 0 && y[r] == 1 { 1.0 } else { 0.0 };
            shift + 2.0 * unit() - 1.0
        });
        (x, y)
    }

    /// Our binary start is linfa's own solution, whichever class linfa
    /// takes as positive, and the multinomial start linfa's layout.
    #[test]
    fn warm_starts_are_laid_out_as_linfa_solves() {
        for ones in [3, 7] {
            let (x, y) = data(400, ones);
            let info = ClassInfo::new(FAMILY, x.view(), y.view(), 2).unwrap();
            let ours = Logistic::fit(x.view(), &info, 1.0, None).unwrap();
            let theirs = LogisticRegression::default()
                .alpha(1.0)
                .max_iterations(LOGISTIC_ITERATIONS)
                .gradient_tolerance(GRADIENT_TOLERANCE)
                .fit(&DatasetBase::new(x.view(), y.view()))
                .unwrap();
            let start = ours.binary_start(2, &info).unwrap();
            let mut expected = theirs.params().to_vec();
            expected.push(theirs.intercept());
            for (a, b) in start.iter().zip(&expected) {
                assert!(
                    (a - b).abs() < 1e-6,
                    "{ones}/10 ones: {start} vs {expected:?}"
                );
            }
            assert!(ours.binary_start(3, &info).is_none(), "other features");
            assert!(ours.multi_start(2, &info).is_none());
        }
        let y: Array1<usize> = (0..300).map(|r| r % 3).collect();
        let x = Array2::from_shape_fn((300, 2), |(r, c)| (r % 3 + c) as f64 + (r % 7) as f64 / 7.0);
        let info = ClassInfo::new(FAMILY, x.view(), y.view(), 3).unwrap();
        let multi = Logistic::fit(x.view(), &info, 1.0, None).unwrap();
        let start = multi.multi_start(2, &info).unwrap();
        assert_eq!(
            start.dim(),
            (3, 3),
            "features and the intercepts, a column per class"
        );
        assert_eq!(start.row(2), multi.intercept.view());
    }

    /// A refit on every row from a sample's fit reaches the cold fit's model.
    #[test]
    fn a_warm_refit_reaches_the_cold_fit() {
        let (x, y) = data(4000, 4);
        let info = ClassInfo::new(FAMILY, x.view(), y.view(), 2).unwrap();
        let sample = x.slice(ndarray::s![..500, ..]);
        let sample_y = y.slice(ndarray::s![..500]);
        let sample_info = ClassInfo::new(FAMILY, sample, sample_y, 2).unwrap();
        let warm = Logistic::fit(sample, &sample_info, 1.0, None).unwrap();
        let cold = Logistic::fit(x.view(), &info, 1.0, None).unwrap();
        let refit = Logistic::fit(x.view(), &info, 1.0, Some(&warm)).unwrap();
        let (a, b) = (cold.predict(x.view(), 2), refit.predict(x.view(), 2));
        let gap = (&a - &b).mapv(f64::abs).fold(0.0f64, |m, v| m.max(*v));
        assert!(gap < 1e-3, "probabilities differ by {gap}");
    }
}
