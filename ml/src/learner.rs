//! Learner families behind one interface: [`Params`] (a family and its
//! hyper-parameters) fit on an encoded matrix and give a [`Fitted`] model.
//!
//! Inputs are already encoded (numbers only, no missing values): see
//! [`crate::prep`]. Classification labels are class indices `0..k`.
//!
//! How the families map onto their libraries:
//!
//! | family | classification | regression |
//! |---|---|---|
//! | `linear` | linfa-logistic (binary or multinomial) | linfa-elasticnet |
//! | `tree` | CART (Gini), leaf class shares as probabilities | — |
//! | `forest` | random forest of those trees, mean of leaf class shares | — |
//! | `boost` | forust-ml `LogLoss` (one-vs-rest for k ≥ 3) | forust-ml `SquaredLoss` |
//! | `knn` | neighbour vote shares (brute force) | neighbour mean |
//! | `svm` | linfa-svm, Gaussian kernel (one-vs-rest for k ≥ 3) | linfa-svm ε-SVR |
//! | `naive_bayes` | linfa-bayes Gaussian NB | — |
//!
//! Every classifier predicts exactly `classes` probability columns (the
//! `classes` given at fit time, even for classes absent from the training
//! rows), none below about [`PROBABILITY_FLOOR`], rows summing to 1. Non-finite
//! outputs are replaced by the training class shares (classification) or the
//! training mean (regression), so predictions are always finite.
//!
//! A classifier needs rows of at least two classes: a fit on rows of one class
//! is refused with [`MlError::Fit`] by every family.

mod bayes;
mod boost;
mod common;
mod knn;
mod linear;
mod svm;
#[cfg(test)]
mod tests;
mod trees;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{MlError, Result};

use common::{
    ClassInfo, PARALLEL_ROWS, SplitMix, check_records, check_values, cores_for, fit_error,
    select_rows, sigmoid,
};

/// The smallest probability a classifier gives any class (then rows are
/// renormalised), so a class missing from the training rows never gets an
/// exact zero (an infinite log-loss).
pub const PROBABILITY_FLOOR: f64 = 1e-9;

/// What is learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Two classes.
    Binary,
    /// Three or more classes.
    Multiclass,
    /// A number.
    Regression,
}

/// Training targets as learners take them.
#[derive(Debug, Clone, Copy)]
pub enum Labels<'a> {
    /// Class indices `0..classes`.
    Classes {
        /// One index per row.
        y: ArrayView1<'a, usize>,
        /// How many classes there are (some may be absent from a fold).
        classes: usize,
    },
    /// Real values.
    Values(ArrayView1<'a, f64>),
}

/// A learner's predictions for a batch of rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// One row per input row, one column per class; rows sum to 1.
    Probabilities(Array2<f64>),
    /// One value per input row.
    Values(Array1<f64>),
}

/// A learner family and its hyper-parameters. Serialised as
/// `{"family": "...", ...params}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum Params {
    /// Logistic regression (classification) or elastic net (regression).
    /// `c` is the inverse regularisation strength (penalty = 1/c).
    Linear {
        /// Inverse regularisation strength.
        c: f64,
        /// Share of L1 in the penalty (regression only; 0 = ridge).
        l1_ratio: f64,
    },
    /// One decision tree (classification).
    Tree {
        /// Deepest split.
        max_depth: usize,
        /// Fewest rows in a leaf.
        min_samples_leaf: usize,
    },
    /// Bagged decision trees (classification).
    Forest {
        /// Number of trees.
        trees: usize,
        /// Deepest split of each tree.
        max_depth: usize,
        /// Share of rows each tree sees.
        sample_ratio: f64,
    },
    /// Gradient-boosted trees (forust-ml).
    Boost {
        /// Boosting rounds.
        iterations: usize,
        /// Shrinkage.
        learning_rate: f32,
        /// Deepest split.
        max_depth: usize,
        /// Fewest hessian weight in a leaf.
        min_leaf_weight: f32,
        /// L2 regularisation on leaf weights.
        l2: f32,
        /// Share of rows sampled per round.
        subsample: f32,
    },
    /// k nearest neighbours.
    Knn {
        /// Neighbours consulted.
        k: usize,
        /// Weight neighbours by inverse distance.
        distance_weighted: bool,
    },
    /// Support vector machine with a Gaussian kernel (one-vs-rest for many classes).
    Svm {
        /// Penalty on margin violations.
        c: f64,
        /// Kernel width: `exp(-gamma * |a - b|^2)`.
        gamma: f64,
    },
    /// Gaussian naive Bayes (classification).
    NaiveBayes {
        /// Variance added for stability, as a share of the largest variance.
        var_smoothing: f64,
    },
}

/// A trained learner; serialisable so models can be saved and loaded.
///
/// Predictions never panic and are always finite: see [`Fitted::predict`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fitted {
    /// A model of class probabilities.
    Classifier(Classifier),
    /// A model of a number.
    Regressor(Regressor),
}

/// A trained classifier: the family's model, the number of features it was
/// trained on and the training class shares (the fallback prediction).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Classifier {
    features: usize,
    /// Training class shares, one per class (floored and normalised).
    prior: Vec<f64>,
    model: ClassModel,
}

/// A trained regressor: the family's model, the number of features it was
/// trained on and the training mean (the fallback prediction).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Regressor {
    features: usize,
    mean: f64,
    model: RegModel,
}

/// The families' classification models.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ClassModel {
    Linear(linear::Logistic),
    Tree(trees::Tree),
    Forest(trees::Forest),
    Boost(boost::BoostClassifier),
    Knn(knn::KnnClassifier),
    Svm(svm::SvmClassifier),
    NaiveBayes(bayes::GaussianBayes),
}

/// The families' regression models.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RegModel {
    Linear(linear::LinearRegressor),
    Boost(boost::BoostRegressor),
    Knn(knn::KnnRegressor),
    Svm(svm::SvmRegressor),
}

impl Params {
    /// The family's name as shown on leaderboards.
    pub fn family(&self) -> &'static str {
        match self {
            Params::Linear { .. } => "linear",
            Params::Tree { .. } => "tree",
            Params::Forest { .. } => "forest",
            Params::Boost { .. } => "boost",
            Params::Knn { .. } => "knn",
            Params::Svm { .. } => "svm",
            Params::NaiveBayes { .. } => "naive_bayes",
        }
    }

    /// Whether this family can learn this task.
    pub fn supports(&self, task: Task) -> bool {
        match self {
            Params::Tree { .. } | Params::Forest { .. } | Params::NaiveBayes { .. } => {
                task != Task::Regression
            }
            _ => true,
        }
    }

    /// Whether inputs should be standardised first (distance and margin based families).
    pub fn wants_scaling(&self) -> bool {
        matches!(
            self,
            Params::Linear { .. } | Params::Knn { .. } | Params::Svm { .. }
        )
    }

    /// The hyper-parameters as a JSON object, without the `family` key (for leaderboards).
    pub fn describe(&self) -> Value {
        match self {
            Params::Linear { c, l1_ratio } => json!({ "c": c, "l1_ratio": l1_ratio }),
            Params::Tree {
                max_depth,
                min_samples_leaf,
            } => json!({ "max_depth": max_depth, "min_samples_leaf": min_samples_leaf }),
            Params::Forest {
                trees,
                max_depth,
                sample_ratio,
            } => json!({ "trees": trees, "max_depth": max_depth, "sample_ratio": sample_ratio }),
            Params::Boost {
                iterations,
                learning_rate,
                max_depth,
                min_leaf_weight,
                l2,
                subsample,
            } => json!({
                "iterations": iterations,
                "learning_rate": learning_rate,
                "max_depth": max_depth,
                "min_leaf_weight": min_leaf_weight,
                "l2": l2,
                "subsample": subsample,
            }),
            Params::Knn {
                k,
                distance_weighted,
            } => json!({ "k": k, "distance_weighted": distance_weighted }),
            Params::Svm { c, gamma } => json!({ "c": c, "gamma": gamma }),
            Params::NaiveBayes { var_smoothing } => json!({ "var_smoothing": var_smoothing }),
        }
    }

    /// Trains on `x` (rows × features) and `y`, deterministically for a seed.
    ///
    /// Refuses, with an error rather than a panic: invalid hyper-parameters
    /// ([`MlError::Fit`]), a task the family cannot learn ([`MlError::Request`]),
    /// empty or non-finite data, mismatched lengths or class indices out of range
    /// ([`MlError::Data`]), classification rows of a single class and failures
    /// inside the underlying library ([`MlError::Fit`]).
    ///
    /// How the hyper-parameters map onto the libraries:
    ///
    /// * `linear`, classification: `c` is scikit-learn's `C` for
    ///   `LogisticRegression`: the objective is the log-loss summed over the rows
    ///   plus `0.5·|w|²/c` (linfa-logistic's `alpha = 1/c`; its loss is a sum).
    /// * `linear`, regression (linfa-elasticnet; pure ridge, `l1_ratio = 0`, is
    ///   solved in closed form instead, as linfa's duality-gap stopping rule never
    ///   fires without an L1 part and it always runs all its sweeps): the objective is
    ///   `0.5·Σ(y − ŷ)² + (1/c)·(l1_ratio·|w|₁ + (1 − l1_ratio)/2·|w|²)`, so with
    ///   `l1_ratio = 0` it is scikit-learn's `Ridge(alpha = 1/c)`, and in general
    ///   scikit-learn's `ElasticNet(alpha = 1/(c·n), l1_ratio)` for `n` rows
    ///   (linfa-elasticnet's loss is a mean, so its `penalty = 1/(c·n)`). The
    ///   intercept is not penalised.
    /// * `tree`: CART with Gini splits (grown here, deterministically: see
    ///   `learner/trees.rs` for why not linfa-trees), `max_depth` (at least 1),
    ///   `min_samples_leaf` rows per leaf; probabilities are the leaf's class
    ///   shares.
    /// * `forest`: a random forest of `trees` such trees, each grown on
    ///   `sample_ratio · n` rows drawn with replacement (one row per leaf at
    ///   least), each split choosing among `√features` random features;
    ///   probabilities are the mean of the trees' leaf class shares. Each
    ///   tree draws from its own seed (drawn from `seed`), and from
    ///   45,000 rows the trees grow on every core: the same forest.
    /// * `boost`: forust-ml (on every core from 45,000 rows), `iterations`, `learning_rate`,
    ///   `max_depth`, `min_leaf_weight`, `l2` as named; `subsample < 1` samples
    ///   rows each round (when the sample has at least 50 expected rows); the
    ///   seed is forust's seed (class `j` of one-vs-rest uses `seed + j`).
    /// * `knn`: `k` nearest by Euclidean distance (capped at the training rows);
    ///   `distance_weighted` weighs neighbours by `1/distance` (exact matches,
    ///   if any, take all the weight) as scikit-learn's `weights="distance"`.
    /// * `svm`: `c` is libsvm's (scikit-learn's) `C`, the kernel is
    ///   `exp(-gamma·|a − b|²)` (linfa's `eps = 1/gamma`). Classification turns a
    ///   decision value `f` into `1/(1 + exp(-2f))` (a fixed Platt-like scale: the
    ///   margins `f = ±1` map to 0.88 and 0.12); one-vs-rest scores are normalised
    ///   over the classes. Regression is ε-SVR on the standardised target with
    ///   `ε = 0.1` standard deviations. At most 5000 rows (a seeded sample) train
    ///   an SVM: the kernel matrix is dense.
    /// * `naive_bayes`: the variance added is `var_smoothing` × the largest
    ///   feature variance, as in scikit-learn.
    pub fn fit(&self, x: ArrayView2<f64>, y: Labels, seed: u64) -> Result<Fitted> {
        self.fit_from(x, y, seed, None)
    }

    /// [`Params::fit`], starting from `warm` (an earlier fit of the same
    /// family on the same features, e.g. on a sample of these rows) where the
    /// family can: logistic regression starts its solver from `warm`'s
    /// coefficients, so a refit on every row takes a few solver steps. The
    /// other families ignore it.
    pub fn fit_from(
        &self,
        x: ArrayView2<f64>,
        y: Labels,
        seed: u64,
        warm: Option<&Fitted>,
    ) -> Result<Fitted> {
        self.validate()?;
        check_records(x)?;
        match y {
            Labels::Classes { y, classes } => {
                let info = ClassInfo::new(self.family(), x, y, classes)?;
                let warm = match warm {
                    Some(Fitted::Classifier(c)) => Some(&c.model),
                    _ => None,
                };
                let model = self.fit_classes(x, &info, seed, warm)?;
                Ok(Fitted::Classifier(Classifier {
                    features: x.ncols(),
                    prior: info.prior,
                    model,
                }))
            }
            Labels::Values(y) => {
                if !self.supports(Task::Regression) {
                    return Err(MlError::Request(format!(
                        "{} learns classes only, not numbers; choose linear, boost, knn or svm \
                         for a numeric target",
                        self.family()
                    )));
                }
                check_values(x, y)?;
                let model = self.fit_values(x, y, seed)?;
                Ok(Fitted::Regressor(Regressor {
                    features: x.ncols(),
                    mean: y.mean().unwrap_or(0.0),
                    model,
                }))
            }
        }
    }

    fn fit_classes(
        &self,
        x: ArrayView2<f64>,
        info: &ClassInfo,
        seed: u64,
        warm: Option<&ClassModel>,
    ) -> Result<ClassModel> {
        Ok(match *self {
            Params::Linear { c, .. } => {
                let warm = match warm {
                    Some(ClassModel::Linear(l)) => Some(l),
                    _ => None,
                };
                ClassModel::Linear(linear::Logistic::fit(x, info, c, warm)?)
            }
            Params::Tree {
                max_depth,
                min_samples_leaf,
            } => ClassModel::Tree(trees::Tree::fit(x, info, max_depth, min_samples_leaf)?),
            Params::Forest {
                trees,
                max_depth,
                sample_ratio,
            } => ClassModel::Forest(trees::Forest::fit(
                x,
                info,
                trees,
                max_depth,
                sample_ratio,
                seed,
            )?),
            Params::Boost { .. } => ClassModel::Boost(boost::BoostClassifier::fit(
                x,
                info,
                &boost::Settings::from_params(self),
                seed,
            )?),
            Params::Knn {
                k,
                distance_weighted,
            } => ClassModel::Knn(knn::KnnClassifier::fit(x, info, k, distance_weighted)),
            Params::Svm { c, gamma } => {
                ClassModel::Svm(svm::SvmClassifier::fit(x, info, c, gamma, seed)?)
            }
            Params::NaiveBayes { var_smoothing } => {
                ClassModel::NaiveBayes(bayes::GaussianBayes::fit(x, info, var_smoothing)?)
            }
        })
    }

    fn fit_values(&self, x: ArrayView2<f64>, y: ArrayView1<f64>, seed: u64) -> Result<RegModel> {
        Ok(match *self {
            Params::Linear { c, l1_ratio } => {
                RegModel::Linear(linear::LinearRegressor::fit(x, y, c, l1_ratio)?)
            }
            Params::Boost { .. } => RegModel::Boost(boost::BoostRegressor::fit(
                x,
                y,
                &boost::Settings::from_params(self),
                seed,
            )?),
            Params::Knn {
                k,
                distance_weighted,
            } => RegModel::Knn(knn::KnnRegressor::fit(x, y, k, distance_weighted)),
            Params::Svm { c, gamma } => {
                RegModel::Svm(svm::SvmRegressor::fit(x, y, c, gamma, seed)?)
            }
            Params::Tree { .. } | Params::Forest { .. } | Params::NaiveBayes { .. } => {
                return Err(MlError::Request(format!(
                    "{} learns classes only, not numbers",
                    self.family()
                )));
            }
        })
    }
}

impl Fitted {
    /// Predicts for rows of the same encoding the model was trained on.
    ///
    /// Classifiers give [`Output::Probabilities`] with one column per class
    /// (as many as `classes` at fit time), every entry finite and floored at
    /// [`PROBABILITY_FLOOR`] before the rows are renormalised to sum to 1;
    /// regressors give
    /// [`Output::Values`], all finite. A row whose prediction is not finite
    /// (e.g. inputs far outside the training range) gets the training class
    /// shares or the training mean instead. Rows of the wrong width (see
    /// [`Fitted::features`]) cannot be scored and all get that fallback.
    pub fn predict(&self, x: ArrayView2<f64>) -> Output {
        match self {
            Fitted::Classifier(c) => Output::Probabilities(c.predict(x)),
            Fitted::Regressor(r) => Output::Values(r.predict(x)),
        }
    }

    /// The family that was trained (as [`Params::family`]).
    pub fn family(&self) -> &'static str {
        match self {
            Fitted::Classifier(c) => match c.model {
                ClassModel::Linear(_) => "linear",
                ClassModel::Tree(_) => "tree",
                ClassModel::Forest(_) => "forest",
                ClassModel::Boost(_) => "boost",
                ClassModel::Knn(_) => "knn",
                ClassModel::Svm(_) => "svm",
                ClassModel::NaiveBayes(_) => "naive_bayes",
            },
            Fitted::Regressor(r) => match r.model {
                RegModel::Linear(_) => "linear",
                RegModel::Boost(_) => "boost",
                RegModel::Knn(_) => "knn",
                RegModel::Svm(_) => "svm",
            },
        }
    }

    /// How many features (columns) the model was trained on.
    pub fn features(&self) -> usize {
        match self {
            Fitted::Classifier(c) => c.features,
            Fitted::Regressor(r) => r.features,
        }
    }

    /// How many probability columns a classifier predicts; `None` for a regressor.
    pub fn classes(&self) -> Option<usize> {
        match self {
            Fitted::Classifier(c) => Some(c.prior.len()),
            Fitted::Regressor(_) => None,
        }
    }
}

impl Classifier {
    /// Class probabilities, sanitised: see [`Fitted::predict`].
    fn predict(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let classes = self.prior.len();
        if x.ncols() != self.features {
            let mut out = Array2::zeros((x.nrows(), classes));
            out.rows_mut()
                .into_iter()
                .for_each(|mut row| row.assign(&ArrayView1::from(&self.prior[..])));
            return out;
        }
        let mut out = match &self.model {
            ClassModel::Linear(m) => m.predict(x, classes),
            ClassModel::Tree(m) => m.predict(x, classes),
            ClassModel::Forest(m) => m.predict(x, classes),
            ClassModel::Boost(m) => m.predict(x, classes),
            ClassModel::Knn(m) => m.predict(x, classes),
            ClassModel::Svm(m) => m.predict(x, classes),
            ClassModel::NaiveBayes(m) => m.predict(x, classes),
        };
        for mut row in out.rows_mut() {
            let ok = row.iter().all(|p| p.is_finite() && *p >= 0.0) && row.sum() > 0.0;
            if ok {
                // Scores become shares; the floor keeps absent classes above zero.
                let sum = row.sum();
                row.mapv_inplace(|p| (p / sum).max(PROBABILITY_FLOOR));
                let sum = row.sum();
                row.mapv_inplace(|p| p / sum);
            } else {
                // Not finite (e.g. every likelihood underflowed): the training shares.
                row.assign(&ArrayView1::from(&self.prior[..]));
            }
        }
        out
    }
}

impl Regressor {
    /// Values, sanitised: see [`Fitted::predict`].
    fn predict(&self, x: ArrayView2<f64>) -> Array1<f64> {
        if x.ncols() != self.features {
            return Array1::from_elem(x.nrows(), self.mean);
        }
        let mut out = match &self.model {
            RegModel::Linear(m) => m.predict(x),
            RegModel::Boost(m) => m.predict(x),
            RegModel::Knn(m) => m.predict(x),
            RegModel::Svm(m) => m.predict(x),
        };
        // A non-finite prediction (overflow on extreme inputs) becomes the training mean.
        out.mapv_inplace(|v| if v.is_finite() { v } else { self.mean });
        out
    }
}
