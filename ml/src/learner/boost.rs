//! Gradient-boosted trees (forust-ml): `LogLoss` for two classes, one
//! `LogLoss` booster per class (one-vs-rest) for more, and `SquaredLoss` for
//! numbers. Single-threaded on small data (AutoML fits folds side by side
//! there); on large data forust builds each tree's histograms on every core,
//! which gives the same trees.

use std::borrow::Cow;
use std::sync::Arc;

use forust_ml::objective::ObjectiveType;
use forust_ml::sampler::SampleMethod;
use forust_ml::{GradientBooster, Matrix};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{ClassInfo, PARALLEL_ROWS, Params, fit_error, sigmoid};
use crate::error::Result;

const FAMILY: &str = "boost";

/// Rows sampling is skipped when a round would see fewer rows than this on
/// average (a round on no rows would give an empty tree).
const MIN_SAMPLED_ROWS: f32 = 50.0;

/// The boosting hyper-parameters of [`Params::Boost`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Settings {
    iterations: usize,
    learning_rate: f32,
    max_depth: usize,
    min_leaf_weight: f32,
    l2: f32,
    subsample: f32,
}

impl Settings {
    /// The settings of a `Boost` params (defaults for any other family).
    pub(super) fn from_params(params: &Params) -> Self {
        match *params {
            Params::Boost {
                iterations,
                learning_rate,
                max_depth,
                min_leaf_weight,
                l2,
                subsample,
            } => Self {
                iterations,
                learning_rate,
                max_depth,
                min_leaf_weight,
                l2,
                subsample,
            },
            _ => Self {
                iterations: 100,
                learning_rate: 0.1,
                max_depth: 4,
                min_leaf_weight: 1.0,
                l2: 1.0,
                subsample: 1.0,
            },
        }
    }

    /// Trains one booster on column-major data.
    fn train(
        &self,
        objective: ObjectiveType,
        data: &Matrix<f64>,
        y: &[f64],
        seed: u64,
    ) -> Result<Booster> {
        let sample = self.subsample < 1.0 && data.rows as f32 * self.subsample >= MIN_SAMPLED_ROWS;
        let mut booster = GradientBooster::default()
            .set_objective_type(objective)
            .set_iterations(self.iterations)
            .set_learning_rate(self.learning_rate)
            .set_max_depth(self.max_depth.max(1))
            .set_min_leaf_weight(self.min_leaf_weight)
            .set_l2(self.l2)
            .set_subsample(if sample { self.subsample } else { 1.0 })
            .set_sample_method(if sample {
                SampleMethod::Random
            } else {
                SampleMethod::None
            })
            .set_initialize_base_score(true)
            .set_parallel(data.rows >= PARALLEL_ROWS)
            .set_seed(seed);
        let weights = vec![1.0; data.rows];
        booster
            .fit(data, y, &weights, None)
            .map_err(|e| fit_error(FAMILY, format!("boosting failed: {e}")))?;
        // A leaf of zero hessian with no L2 gives 0/0: refuse rather than
        // predict NaN or save a model that cannot be loaded back.
        let finite = booster.base_score.is_finite()
            && booster
                .trees
                .iter()
                .all(|t| t.nodes.iter().all(|n| n.weight_value.is_finite()));
        if !finite {
            return Err(fit_error(
                FAMILY,
                "boosting gave non-finite leaf weights; raise l2 or min_leaf_weight",
            ));
        }
        Ok(Booster(Arc::new(booster)))
    }
}

/// A trained forust booster, shared (it is immutable once trained, and
/// forust's booster is neither `Clone` nor `Debug`).
#[derive(Clone)]
struct Booster(Arc<GradientBooster>);

impl Booster {
    /// Raw scores (log-odds for `LogLoss`) for column-major data.
    fn margins(&self, data: &Matrix<f64>) -> Vec<f64> {
        self.0.predict(data, false)
    }
}

impl std::fmt::Debug for Booster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Booster")
            .field("trees", &self.0.trees.len())
            .field("base_score", &self.0.base_score)
            .finish()
    }
}

impl Serialize for Booster {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.as_ref().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Booster {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        GradientBooster::deserialize(deserializer).map(|b| Booster(Arc::new(b)))
    }
}

/// The rows as forust wants them: one contiguous column after another —
/// borrowed when they are laid out so already (as encoded data is).
fn column_major(x: ArrayView2<'_, f64>) -> Cow<'_, [f64]> {
    match x.reversed_axes().to_slice() {
        Some(columns) => Cow::Borrowed(columns),
        None => Cow::Owned(x.t().iter().copied().collect()),
    }
}

/// Boosted classifier: one booster for class 1 (two classes), or one per
/// class present at fit time (one-vs-rest).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct BoostClassifier {
    binary: bool,
    /// Binary: a single booster for class 1. Otherwise one per class, `None`
    /// for classes absent from the training rows.
    boosters: Vec<Option<Booster>>,
}

impl BoostClassifier {
    pub(super) fn fit(
        x: ArrayView2<f64>,
        info: &ClassInfo,
        settings: &Settings,
        seed: u64,
    ) -> Result<Self> {
        let columns = column_major(x);
        let data = Matrix::new(&columns, x.nrows(), x.ncols());
        let target = |class: usize| -> Vec<f64> {
            info.y
                .iter()
                .map(|&c| f64::from(u8::from(c == class)))
                .collect()
        };
        if info.classes == 2 {
            let booster = settings.train(ObjectiveType::LogLoss, &data, &target(1), seed)?;
            return Ok(Self {
                binary: true,
                boosters: vec![Some(booster)],
            });
        }
        let mut boosters = vec![None; info.classes];
        for class in info.present() {
            let seed = seed.wrapping_add(class as u64);
            boosters[class] =
                Some(settings.train(ObjectiveType::LogLoss, &data, &target(class), seed)?);
        }
        Ok(Self {
            binary: false,
            boosters,
        })
    }

    /// Class probabilities: the sigmoid of class 1's log-odds for two classes,
    /// normalised one-vs-rest sigmoids for more (absent classes get 0).
    pub(super) fn predict(&self, x: ArrayView2<f64>, classes: usize) -> Array2<f64> {
        let columns = column_major(x);
        let data = Matrix::new(&columns, x.nrows(), x.ncols());
        let mut out = Array2::zeros((x.nrows(), classes));
        if self.binary {
            if let Some(Some(booster)) = self.boosters.first() {
                for (mut row, m) in out.rows_mut().into_iter().zip(booster.margins(&data)) {
                    row[0] = sigmoid(-m);
                    row[1] = sigmoid(m);
                }
            }
            return out;
        }
        for (class, booster) in self.boosters.iter().enumerate() {
            if let Some(booster) = booster {
                let margins = Array1::from(booster.margins(&data));
                out.column_mut(class).assign(&margins.mapv(sigmoid));
            }
        }
        out
    }
}

/// Boosted regressor (squared loss).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct BoostRegressor {
    booster: Booster,
}

impl BoostRegressor {
    pub(super) fn fit(
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        settings: &Settings,
        seed: u64,
    ) -> Result<Self> {
        let columns = column_major(x);
        let data = Matrix::new(&columns, x.nrows(), x.ncols());
        let y: Vec<f64> = y.to_vec();
        Ok(Self {
            booster: settings.train(ObjectiveType::SquaredLoss, &data, &y, seed)?,
        })
    }

    /// Predicted values.
    pub(super) fn predict(&self, x: ArrayView2<f64>) -> Array1<f64> {
        let columns = column_major(x);
        let data = Matrix::new(&columns, x.nrows(), x.ncols());
        Array1::from(self.booster.margins(&data))
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, ShapeBuilder};

    use super::*;

    #[test]
    fn column_major_inputs_are_borrowed_and_others_copied() {
        let f = Array2::from_shape_vec((2, 3).f(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        assert!(matches!(column_major(f.view()), Cow::Borrowed(_)));
        let c = f.as_standard_layout().into_owned();
        let copied = column_major(c.view());
        assert!(matches!(copied, Cow::Owned(_)));
        assert_eq!(*copied, *column_major(f.view()));
        assert_eq!(&*copied, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    }
}
