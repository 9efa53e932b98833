//! The intent model: which tool a request asks for (or none), with
//! probabilities, from the request with its spans replaced by their kinds.
//!
//! It is trained by `maestro nlu train` (see `train.rs`) and committed as
//! `assistant/data/nlu/intent.bin`: nothing is trained when Maestro starts.

use std::sync::LazyLock;

use super::features::{hashed, view};
use super::lexicon::Lexicon;
use super::linear::{FormatError, Linear, Training};
use super::spans::{Span, recognise};
use super::tokens::{Token, tokenize};

/// Feature hash width.
const BITS: u32 = 18;

/// The committed model.
static SHIPPED: &[u8] = include_bytes!("../../data/nlu/intent.bin");

/// A trained intent model.
#[derive(Debug, Clone, PartialEq)]
pub struct IntentModel {
    linear: Linear,
}

impl IntentModel {
    /// The model shipped with Maestro.
    pub fn shipped() -> Result<&'static IntentModel, &'static FormatError> {
        static MODEL: LazyLock<Result<IntentModel, FormatError>> =
            LazyLock::new(|| IntentModel::from_bytes(SHIPPED));
        MODEL.as_ref()
    }

    /// Reads a model file.
    pub fn from_bytes(
        bytes: impl Into<std::borrow::Cow<'static, [u8]>>,
    ) -> Result<Self, FormatError> {
        Ok(Self {
            linear: Linear::from_bytes(bytes)?,
        })
    }

    /// The model file.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.linear.to_bytes()
    }

    /// Trains on `(text, label)` requests, read through the recognisers against `lex`.
    pub fn fit(texts: &[(String, String)], lex: &Lexicon) -> Self {
        let mut labels: Vec<String> = texts.iter().map(|(_, l)| l.clone()).collect();
        labels.sort();
        labels.dedup();
        let data: Vec<(Vec<u32>, usize)> = texts
            .iter()
            .map(|(text, label)| {
                let tokens = tokenize(text);
                let spans = recognise(&tokens, lex);
                let index = labels.binary_search(label).unwrap_or(0);
                (hashed(&view(&tokens, &spans), BITS), index)
            })
            .collect();
        Self {
            linear: Linear::train(labels, BITS, &data, Training::default()),
        }
    }

    /// The labels it tells apart: tool names and `none`.
    pub fn labels(&self) -> &[String] {
        self.linear.labels()
    }

    /// Every label with its probability, most likely first.
    pub fn classify(&self, tokens: &[Token], spans: &[Span]) -> Vec<(&str, f32)> {
        let feats = hashed(&view(tokens, spans), self.linear.bits());
        let mut ranked: Vec<(&str, f32)> = self
            .linear
            .labels()
            .iter()
            .map(String::as_str)
            .zip(self.linear.probabilities(&feats))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked
    }
}
