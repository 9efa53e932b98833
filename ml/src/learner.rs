//! Learner families behind one interface: [`Params`] (a family and its
//! hyper-parameters) fit on an encoded matrix and give a [`Fitted`] model.
//!
//! Inputs are already encoded (numbers only, no missing values): see
//! [`crate::prep`]. Classification labels are class indices `0..k`.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::Result;

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
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Fitted {}

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

    /// Trains on `x` (rows × features) and `y`, deterministically for a seed.
    pub fn fit(&self, _x: ArrayView2<f64>, _y: Labels, _seed: u64) -> Result<Fitted> {
        unimplemented!("filled in by the learners work")
    }
}

impl Fitted {
    /// Predicts for rows of the same encoding the model was trained on.
    pub fn predict(&self, _x: ArrayView2<f64>) -> Output {
        unimplemented!("filled in by the learners work")
    }
}
