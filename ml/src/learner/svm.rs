//! Support vector machines with a Gaussian kernel (linfa-svm): C-SVC (one
//! machine per class, one-vs-rest, for three or more classes) and ε-SVR.
//!
//! linfa trains; the model keeps only what predicting needs (support rows,
//! their coefficients and the offset) and scores a block of rows with one
//! matrix product, rather than linfa's row-by-row kernel sums.
//!
//! linfa's kernel matrix is dense (rows² numbers), so at most [`MAX_ROWS`]
//! rows, sampled with the seed, train a machine.

use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_svm::Svm;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
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

/// Most query × support-row kernel values held at once when predicting.
const BLOCK_CELLS: usize = 1 << 20;

/// The training rows a machine sees: all of them, or a seeded sample of [`MAX_ROWS`].
fn training_rows(n: usize, seed: u64) -> Option<Vec<usize>> {
    (n > MAX_ROWS).then(|| SplitMix::new(seed).sample_without_replacement(n, MAX_ROWS))
}

/// A trained machine: `f(x) = Σ coef_i · exp(-gamma·|x − support_i|²) − rho`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Machine {
    /// Support rows × features.
    support: Array2<f64>,
    /// Squared norm of each support row.
    norms: Array1<f64>,
    /// Signed dual coefficient of each support row.
    coef: Array1<f64>,
    rho: f64,
    gamma: f64,
}

impl Machine {
    /// The support rows of a linfa machine trained on `x` (linfa's `alpha` has
    /// one entry per training row, in order; it keeps the same rows).
    fn from_linfa<T>(svm: &Svm<f64, T>, x: ArrayView2<f64>, gamma: f64) -> Self {
        let rows: Vec<usize> = svm
            .alpha
            .iter()
            .enumerate()
            .filter(|(_, a)| a.abs() > 100.0 * f64::EPSILON)
            .map(|(i, _)| i)
            .collect();
        let support = x.select(Axis(0), &rows);
        let norms = support.rows().into_iter().map(|r| r.dot(&r)).collect();
        Self {
            coef: rows.iter().map(|&i| svm.alpha[i]).collect(),
            support,
            norms,
            rho: svm.rho,
            gamma,
        }
    }

    /// Decision values of every row.
    fn decisions(&self, x: ArrayView2<f64>) -> Array1<f64> {
        let mut out = Array1::from_elem(x.nrows(), -self.rho);
        if self.coef.is_empty() {
            return out;
        }
        let block = (BLOCK_CELLS / self.coef.len()).max(1);
        let mut start = 0;
        while start < x.nrows() {
            let end = (start + block).min(x.nrows());
            let q = x.slice(s![start..end, ..]);
            // Squared distances from q·supportᵀ and the norms, then the kernel.
            let mut kernel = q.dot(&self.support.t());
            for (row, mut k) in q.rows().into_iter().zip(kernel.rows_mut()) {
                let qn = row.dot(&row);
                k.iter_mut()
                    .zip(&self.norms)
                    .for_each(|(k, sn)| *k = (-self.gamma * (qn + sn - 2.0 * *k).max(0.0)).exp());
            }
            let mut part = out.slice_mut(s![start..end]);
            part += &kernel.dot(&self.coef);
            start = end;
        }
        out
    }
}

/// SVM classifier.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct SvmClassifier {
    binary: bool,
    /// Binary: one machine for class 1 against class 0. Otherwise one per
    /// class against the rest, `None` for classes absent from the training rows.
    machines: Vec<Option<Machine>>,
}

impl SvmClassifier {
    pub(super) fn fit(
        x: ArrayView2<f64>,
        info: &ClassInfo,
        c: f64,
        gamma: f64,
        seed: u64,
    ) -> Result<Self> {
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
        let train = |class: usize| -> Result<Option<Machine>> {
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
                .map(|svm| Some(Machine::from_linfa(&svm, x, gamma)))
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
                for (mut row, f) in out.rows_mut().into_iter().zip(machine.decisions(x)) {
                    row[0] = sigmoid(-PLATT_SCALE * f);
                    row[1] = sigmoid(PLATT_SCALE * f);
                }
            }
            return out;
        }
        for (class, machine) in self.machines.iter().enumerate() {
            if let Some(machine) = machine {
                let scores = machine.decisions(x).mapv(|f| sigmoid(PLATT_SCALE * f));
                out.column_mut(class).assign(&scores);
            }
        }
        out
    }
}

/// ε-SVR on the standardised target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct SvmRegressor {
    /// `None` when the target is constant: predict its mean.
    machine: Option<Machine>,
    mean: f64,
    scale: f64,
}

impl SvmRegressor {
    pub(super) fn fit(
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        c: f64,
        gamma: f64,
        seed: u64,
    ) -> Result<Self> {
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
            machine: Some(Machine::from_linfa(&machine, x, gamma)),
            mean,
            scale,
        })
    }

    /// Predicted values.
    pub(super) fn predict(&self, x: ArrayView2<f64>) -> Array1<f64> {
        match &self.machine {
            Some(machine) => machine.decisions(x).mapv(|f| self.mean + self.scale * f),
            None => Array1::from_elem(x.nrows(), self.mean),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compact machine scores exactly as linfa's own decision function.
    #[test]
    fn compact_machines_match_linfa() {
        let x = Array2::from_shape_fn((150, 3), |(i, j)| {
            ((i * 7 + j * 13 + i * j) % 23) as f64 / 6.0 - 1.8
        });
        let gamma = 0.7;
        let y: Array1<bool> = x.rows().into_iter().map(|r| r[0] * r[1] > 0.2).collect();
        let svm = Svm::<f64, bool>::params()
            .gaussian_kernel(1.0 / gamma)
            .pos_neg_weights(2.0, 2.0)
            .eps(SOLVER_EPS)
            .fit(&DatasetBase::new(x.view(), y.view()))
            .unwrap();
        let machine = Machine::from_linfa(&svm, x.view(), gamma);
        assert!(machine.coef.len() < x.nrows());
        for (row, f) in x.rows().into_iter().zip(machine.decisions(x.view())) {
            let linfa = svm.weighted_sum(&row) - svm.rho;
            assert!((f - linfa).abs() < 1e-9, "{f} vs {linfa}");
        }

        let t: Array1<f64> = x.rows().into_iter().map(|r| r[0] - 0.5 * r[2]).collect();
        let svr = Svm::<f64, f64>::params()
            .gaussian_kernel(1.0 / gamma)
            .c_svr(3.0, Some(SVR_EPSILON))
            .eps(SOLVER_EPS)
            .fit(&DatasetBase::new(x.view(), t.view()))
            .unwrap();
        let machine = Machine::from_linfa(&svr, x.view(), gamma);
        for (row, f) in x.rows().into_iter().zip(machine.decisions(x.view())) {
            let linfa = svr.weighted_sum(&row) - svr.rho;
            assert!((f - linfa).abs() < 1e-9, "{f} vs {linfa}");
        }
    }
}
