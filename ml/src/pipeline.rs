//! A trained model as it is saved: the target, the preprocessing, the learner
//! and how to undo a log target. Predicts from raw frames.

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{MlError, Result};
use crate::frame::Frame;
use crate::learner::{Fitted, Labels, Output, Params};
use crate::prep::{EncodeReport, PrepOptions, Preprocessor};
use crate::target::{Target, TargetValues};

/// A learner family with its hyper-parameters and how its inputs and target are shaped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Family and hyper-parameters.
    pub params: Params,
    /// Log skewed non-negative features first.
    #[serde(default)]
    pub log_features: bool,
    /// Learn `ln(1 + y)` and transform back (regression on skewed non-negative targets).
    #[serde(default)]
    pub log_target: bool,
}

impl Candidate {
    /// A candidate with no transforms.
    pub fn plain(params: Params) -> Self {
        Self {
            params,
            log_features: false,
            log_target: false,
        }
    }

    /// How this candidate wants its inputs encoded.
    pub fn prep_options(&self) -> PrepOptions {
        let trees = matches!(
            self.params,
            Params::Tree { .. } | Params::Forest { .. } | Params::Boost { .. }
        );
        PrepOptions {
            scale: self.params.wants_scaling(),
            one_hot: !trees,
            log_skewed: self.log_features,
        }
    }

    /// Hyper-parameters for people and JSON (transforms included when on).
    pub fn describe(&self) -> Value {
        let mut params = self.params.describe();
        if let Value::Object(map) = &mut params {
            if self.log_features {
                map.insert("log_features".into(), Value::Bool(true));
            }
            if self.log_target {
                map.insert("log_target".into(), Value::Bool(true));
            }
        }
        params
    }
}

/// Training targets for the rows of an encoded matrix.
#[derive(Debug, Clone)]
pub enum Ys {
    /// Class indices.
    Classes(Array1<usize>),
    /// Values.
    Values(Array1<f64>),
}

impl Ys {
    /// The targets of `rows` (each must have a target).
    pub fn gather(values: &TargetValues, rows: &[usize]) -> Self {
        match values {
            TargetValues::Classes(v) => {
                Ys::Classes(rows.iter().map(|&r| v[r].unwrap_or(0)).collect())
            }
            TargetValues::Values(v) => {
                Ys::Values(rows.iter().map(|&r| v[r].unwrap_or(0.0)).collect())
            }
        }
    }
}

/// What a prediction run met besides the predictions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PredictReport {
    /// Model columns the data lacked (imputed as missing).
    pub missing_columns: Vec<String>,
    /// Unseen category levels and cells of the wrong kind, per column.
    #[serde(flatten)]
    pub cells: EncodeReport,
}

impl PredictReport {
    /// Plain sentences about anything unusual, for the person who asked.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if !self.missing_columns.is_empty() {
            notes.push(format!(
                "the data has no {} column{}: filled in as the training data's typical value",
                self.missing_columns.join(", "),
                if self.missing_columns.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ));
        }
        for (column, n) in &self.cells.unseen {
            notes.push(format!(
                "{n} row(s) have a {column} value never seen in training: treated as other"
            ));
        }
        for (column, n) in &self.cells.unparsable {
            notes.push(format!(
                "{n} {column} cell(s) are not of the column's kind: treated as missing"
            ));
        }
        notes
    }
}

/// Predictions for a frame's rows, in order.
#[derive(Debug, Clone)]
pub struct Prediction {
    /// Probabilities per class, or values.
    pub output: Output,
    /// What was unusual in the data.
    pub report: PredictReport,
}

/// A trained model, ready to save (serde) and to predict.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pipeline {
    /// What it predicts.
    pub target: Target,
    /// The winning configuration.
    pub candidate: Candidate,
    /// Fitted preprocessing.
    pub prep: Preprocessor,
    fitted: Fitted,
    /// Duan's smearing factor for a log target (1 otherwise).
    smear: f64,
}

impl Pipeline {
    /// Trains a candidate on an encoded matrix (from `prep`) and its
    /// targets, starting from `warm` (the same candidate fitted on a sample of
    /// these rows) where its family can (see [`Params::fit_from`]).
    pub fn train(
        target: &Target,
        candidate: &Candidate,
        prep: Preprocessor,
        x: ArrayView2<f64>,
        y: &Ys,
        seed: u64,
        warm: Option<&Pipeline>,
    ) -> Result<Self> {
        let mut smear = 1.0;
        let fitted = match y {
            Ys::Classes(y) => candidate.params.fit_from(
                x,
                Labels::Classes {
                    y: y.view(),
                    classes: target.classes.len(),
                },
                seed,
                warm.map(|w| &w.fitted),
            )?,
            Ys::Values(y) if candidate.log_target => {
                let logged = y.mapv(|v| v.max(0.0).ln_1p());
                let fitted = candidate
                    .params
                    .fit(x, Labels::Values(logged.view()), seed)?;
                if let Output::Values(fit) = fitted.predict(x) {
                    let s = (&logged - &fit).mapv(f64::exp).mean().unwrap_or(1.0);
                    smear = if s.is_finite() { s } else { 1.0 };
                }
                fitted
            }
            Ys::Values(y) => candidate.params.fit(x, Labels::Values(y.view()), seed)?,
        };
        Ok(Self {
            target: target.clone(),
            candidate: candidate.clone(),
            prep,
            fitted,
            smear,
        })
    }

    /// Predicts encoded rows.
    pub fn predict_encoded(&self, x: ArrayView2<f64>) -> Output {
        match self.fitted.predict(x) {
            Output::Values(v) if self.candidate.log_target => {
                Output::Values(v.mapv(|p| (p.exp() * self.smear - 1.0).max(0.0)))
            }
            other => other,
        }
    }

    /// The raw columns the model reads.
    pub fn features(&self) -> Vec<String> {
        self.prep
            .features()
            .iter()
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Predicts every row of a frame. Columns the frame lacks are imputed and
    /// reported; a frame with none of the model's columns is refused.
    pub fn predict(&self, frame: &Frame) -> Result<Prediction> {
        let features = self.features();
        let missing: Vec<String> = features
            .iter()
            .filter(|f| frame.index_of(f).is_none())
            .cloned()
            .collect();
        if missing.len() == features.len() {
            return Err(MlError::Data(format!(
                "the data has none of the columns the model uses ({}); check that it is the right file",
                features.join(", ")
            )));
        }
        let (x, cells) = self.prep.transform(frame);
        Ok(Prediction {
            output: self.predict_encoded(x.view()),
            report: PredictReport {
                missing_columns: missing,
                cells,
            },
        })
    }

    /// The model's score on a frame that holds the target (rows without a
    /// known target value are skipped).
    pub fn score(&self, frame: &Frame, metric: crate::metrics::Metric) -> Result<f64> {
        let values = self.target.values_in(frame)?;
        let rows = values.present();
        if rows.is_empty() {
            return Err(MlError::Data(format!(
                "no row has a usable {} value to score against",
                self.target.name
            )));
        }
        let out = self.predict(&frame.take_rows(&rows))?.output;
        Ok(match Ys::gather(&values, &rows) {
            Ys::Classes(y) => metric.score(&crate::metrics::Truth::Classes(y.view()), &out),
            Ys::Values(y) => metric.score(&crate::metrics::Truth::Values(y.view()), &out),
        })
    }

    /// One number per row for explanations: the positive-class probability
    /// (binary), the probability of `class` (multiclass), or the value.
    pub fn predict_scalar(&self, frame: &Frame, class: usize) -> Vec<f64> {
        let (x, _) = self.prep.transform(frame);
        match self.predict_encoded(x.view()) {
            Output::Probabilities(p) => p.column(class.min(p.ncols() - 1)).to_vec(),
            Output::Values(v) => v.to_vec(),
        }
    }
}
