//! Support vector machines with a Gaussian kernel (linfa-svm): C-SVC (one
//! machine per class, one-vs-rest, for three or more classes) and ε-SVR.
//!
//! linfa's kernel matrix is dense (rows² numbers), so at most [`MAX_ROWS`]
//! rows, sampled with the seed, train a machine.

use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_svm::Svm;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{ClassInfo, SplitMix, fit_error, select_rows, sigmoid};
use crate::error::Result;

const FAMILY: &str = "svm";

/// Most training rows per machine (a 5000² kernel matrix is 200 MB).
const MAX_ROWS: usize = 5000;

/// Solver stopping tolerance (libsvm's and scikit-learn's default).
const SOLVER_EPS: f64 = 1e-3;

/// Decision values `f` become probabilities `sigmoid(PLATT_SCALE · f)`: a
/// fixed Platt-like scale, so the margins `f = ±1` map to 0.88 and 0.12.
const PLATT_SCALE: f64 = 2.0;

/// ε of ε-SVR, in standard deviations of the target.
const SVR_EPSILON: f64 = 0.1;

/// The training rows a machine sees: all of them, or a seeded sample of [`MAX_ROWS`].
fn training_rows(n: usize, seed: u64) -> Option<Vec<usize>> {
    (n > MAX_ROWS).then(|| SplitMix::new(seed).sample_without_replacement(n, MAX_ROWS))
}

/// The decision value of one row.
fn decision<T>(machine: &Svm<f64, T>, row: ArrayView1<f64>) -> f64 {
    machine.weighted_sum(&row) - machine.rho
}

/// SVM classifier.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct SvmClassifier {
    binary: bool,
    /// Binary: one machine for class 1 against class 0. Otherwise one per
    /// class against the rest, `None` for classes absent from the training rows.
    machines: Vec<Option<Svm<f64, bool>>>,
}

impl SvmClassifier {
    pub(super) fn fit(x: ArrayView2<f64>, info: &ClassInfo, c: f64, gamma: f64, seed: u64) -> Result<Self> {
        let sample = training_rows(x.nrows(), seed);
        let (x_owned, y): (Option<Array2<f64>>, Vec<usize>) = match &sample {
            Some(rows) => (
                Some(select_rows(x, rows)),
                rows.iter().map(|&r| info.y[r]).collect(),
            ),
            None => (None, info.y.to_vec()),
        };
        let x = match &x_owned {
            Some(sampled) => sampled.view(),
            None => x.view(),
        };
        let train = |class: usize| -> Result<Option<Svm<f64, bool>>> {
            let target: Array1<bool> = y.iter().map(|&c| c == class).collect();
            // A sample can miss a class, or hold nothing else.
            if target.iter().all(|&t| t) || !target.iter().any(|&t| t) {
                return Ok(None);
            }
            Svm::<f64, bool>::params()
                .gaussian_kernel(1.0 / gamma)
                .pos_neg_weights(c, c)
                .eps(SOLVER_EPS)
                .fit(&DatasetBase::new(x, target.view()))
                .map(Some)
                .map_err(|e| fit_error(FAMILY, format!("the SVM could not be trained ({e})")))
        };
        if info.classes == 2 {
            let machine = train(1)?;
            if machine.is_none() {
                return Err(fit_error(
                    FAMILY,
                    "the sampled training rows hold only one class; use more rows",
                ));
            }
            return Ok(Self {
                binary: true,
                machines: vec![machine],
            });
        }
        let mut machines = vec![None; info.classes];
        for class in info.present() {
            machines[class] = train(class)?;
        }
        Ok(Self {
            binary: false,
            machines,
        })
    }

    /// Class probabilities from scaled decision values (see [`PLATT_SCALE`]),
    /// normalised over the classes for one-vs-rest.
    pub(super) fn predict(&self, x: ArrayView2<f64>, classes: usize) -> Array2<f64> {
        let mut out = Array2::zeros((x.nrows(), classes));
        if self.binary {
            if let Some(Some(machine)) = self.machines.first() {
                for (mut out, row) in out.rows_mut().into_iter().zip(x.rows()) {
                    let f = PLATT_SCALE * decision(machine, row);
                    out[0] = sigmoid(-f);
                    out[1] = sigmoid(f);
                }
            }
            return out;
        }
        for (class, machine) in self.machines.iter().enumerate() {
            if let Some(machine) = machine {
                for (o, row) in out.column_mut(class).iter_mut().zip(x.rows()) {
                    *o = sigmoid(PLATT_SCALE * decision(machine, row));
                }
            }
        }
        out
    }
}

/// ε-SVR on the standardised target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct SvmRegressor {
    /// `None` when the target is constant: predict its mean.
    machine: Option<Svm<f64, f64>>,
    mean: f64,
    scale: f64,
}

impl SvmRegressor {
    pub(super) fn fit(x: ArrayView2<f64>, y: ArrayView1<f64>, c: f64, gamma: f64, seed: u64) -> Result<Self> {
        let sample = training_rows(x.nrows(), seed);
        let (x_owned, y): (Option<Array2<f64>>, Array1<f64>) = match &sample {
            Some(rows) => (
                Some(select_rows(x, rows)),
                rows.iter().map(|&r| y[r]).collect(),
            ),
            None => (None, y.to_owned()),
        };
        let x = match &x_owned {
            Some(sampled) => sampled.view(),
            None => x.view(),
        };
        let mean = y.mean().unwrap_or(0.0);
        let scale = y.std(0.0);
        if !(scale.is_finite() && scale > 0.0) {
            return Ok(Self {
                machine: None,
                mean,
                scale: 1.0,
            });
        }
        let target = y.mapv(|v| (v - mean) / scale);
        let machine = Svm::<f64, f64>::params()
            .gaussian_kernel(1.0 / gamma)
            .c_svr(c, Some(SVR_EPSILON))
            .eps(SOLVER_EPS)
            .fit(&DatasetBase::new(x, target.view()))
            .map_err(|e| fit_error(FAMILY, format!("the SVM could not be trained ({e})")))?;
        Ok(Self {
            machine: Some(machine),
            mean,
            scale,
        })
    }

    /// Predicted values.
    pub(super) fn predict(&self, x: ArrayView2<f64>) -> Array1<f64> {
        match &self.machine {
            Some(machine) => x
                .rows()
                .into_iter()
                .map(|row| self.mean + self.scale * decision(machine, row))
                .collect(),
            None => Array1::from_elem(x.nrows(), self.mean),
        }
    }
}
