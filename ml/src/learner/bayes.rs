//! Gaussian naive Bayes (linfa-bayes). Probabilities come from linfa's joint
//! log-likelihoods through a stable softmax (linfa's own `predict_proba`
//! underflows to NaN for rows far from every class).

use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_bayes::{GaussianNb, NaiveBayes};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize, Serializer};

use super::{ClassInfo, fit_error};
use crate::error::Result;

/// A fitted Gaussian naive Bayes model.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct GaussianBayes {
    model: GaussianNb<f64, usize>,
}

/// linfa keeps the classes in a `HashMap`, so serialising it directly writes
/// them in hash order and the same model saves as different bytes from run to
/// run. Going through a JSON value with its objects sorted makes it canonical.
impl Serialize for GaussianBayes {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Canonical {
            model: serde_json::Value,
        }
        let mut model = serde_json::to_value(&self.model).map_err(serde::ser::Error::custom)?;
        model.sort_all_objects();
        Canonical { model }.serialize(serializer)
    }
}

impl GaussianBayes {
    pub(super) fn fit(x: ArrayView2<f64>, info: &ClassInfo, var_smoothing: f64) -> Result<Self> {
        let model = GaussianNb::params()
            .var_smoothing(var_smoothing)
            .fit(&DatasetBase::new(x, info.y))
            .map_err(|e| {
                fit_error(
                    "naive_bayes",
                    format!("naive Bayes could not be fitted ({e})"),
                )
            })?;
        Ok(Self { model })
    }

    /// Class probabilities (classes absent at fit time get 0).
    pub(super) fn predict(&self, x: ArrayView2<f64>, classes: usize) -> Array2<f64> {
        let mut out = Array2::from_elem((x.nrows(), classes), f64::NEG_INFINITY);
        for (&class, jll) in self.model.joint_log_likelihood(x) {
            if class < classes {
                out.column_mut(class).assign(&jll);
            }
        }
        for mut row in out.rows_mut() {
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            // A row with no finite likelihood stays NaN: the caller uses the prior.
            row.mapv_inplace(|v| {
                if max.is_finite() {
                    (v - max).exp()
                } else {
                    f64::NAN
                }
            });
        }
        out
    }
}
