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

/// linfa's default gradient tolerance, kept up to [`TOLERANCE_ROWS`] rows.
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
    /// Binary logistic regression for two classes, multinomial for more.
    pub(super) fn fit(x: ArrayView2<f64>, info: &ClassInfo, c: f64) -> Result<Self> {
        let model = Self::solve(x, info, c)?;
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

    fn solve(x: ArrayView2<f64>, info: &ClassInfo, c: f64) -> Result<Self> {
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
            let model = LogisticRegression::default()
                .alpha(alpha)
                .max_iterations(LOGISTIC_ITERATIONS)
                .gradient_tolerance(tolerance)
                .fit(&data)
                .map_err(failed)?;
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
            let model = MultiLogisticRegression::default()
                .alpha(alpha)
                .max_iterations(LOGISTIC_ITERATIONS)
                .gradient_tolerance(tolerance)
                .fit(&data)
                .map_err(failed)?;
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
