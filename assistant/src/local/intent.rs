//! Which tool a clause asks for: a multinomial logistic regression (linfa)
//! over hashed word, word-pair and trigram features, trained on the tools'
//! example requests plus examples of requests that ask for no tool.

use linfa::prelude::*;
use linfa_logistic::{MultiFittedLogisticRegression, MultiLogisticRegression};
use maestro_catalog::{Embedder, HashEmbedder};
use ndarray::{Array1, Array2};

/// The label of requests that ask for no tool.
pub const NONE: &str = "none";

/// Requests that are not about the platform (the `none` class).
const UNRELATED: &str = include_str!("../../data/unrelated.txt");

/// A trained intent classifier.
pub struct IntentModel {
    labels: Vec<String>,
    embedder: HashEmbedder,
    model: MultiFittedLogisticRegression<f64, usize>,
}

/// Training failed (only with unusable examples).
#[derive(Debug, thiserror::Error)]
#[error("cannot train the intent classifier: {0}")]
pub struct TrainError(String);

impl IntentModel {
    /// Trains on `(text, tool)` examples; the `none` examples are added here.
    pub fn train(examples: &[(&str, &str)]) -> Result<Self, TrainError> {
        let embedder = HashEmbedder::new(512);
        let unrelated = UNRELATED
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        let all: Vec<(&str, &str)> = examples
            .iter()
            .copied()
            .chain(unrelated.map(|t| (t, NONE)))
            .collect();
        let mut labels: Vec<String> = all.iter().map(|(_, l)| l.to_string()).collect();
        labels.sort();
        labels.dedup();
        let mut x = Array2::<f64>::zeros((all.len(), embedder.dims()));
        let mut y = Array1::<usize>::zeros(all.len());
        for (row, (text, label)) in all.iter().enumerate() {
            for (i, v) in embedder.embed(text) {
                x[(row, i as usize)] = f64::from(v);
            }
            y[row] = labels.iter().position(|l| l == label).unwrap_or(0);
        }
        let model = MultiLogisticRegression::default()
            .alpha(0.002)
            .max_iterations(60)
            .fit(&Dataset::new(x, y))
            .map_err(|e| TrainError(e.to_string()))?;
        Ok(Self {
            labels,
            embedder,
            model,
        })
    }

    /// Labels with their probabilities, most likely first.
    pub fn classify(&self, text: &str) -> Vec<(&str, f64)> {
        let mut x = Array2::<f64>::zeros((1, self.embedder.dims()));
        for (i, v) in self.embedder.embed(text) {
            x[(0, i as usize)] = f64::from(v);
        }
        let probs = self.model.predict_probabilities(&x);
        let mut out: Vec<(&str, f64)> = self
            .model
            .classes()
            .iter()
            .zip(probs.row(0).iter())
            .map(|(&c, &p)| (self.labels[c].as_str(), p))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }
}
