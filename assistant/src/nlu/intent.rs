//! The intent model: which tool a request asks for (or none), with
//! probabilities, from the request with its spans replaced by their kinds.
//!
//! It is trained by `maestro nlu train` on the generated corpus and the
//! development corpora, and the result is committed as
//! `assistant/data/nlu/intent.bin`: nothing is trained when Maestro starts.

use std::sync::LazyLock;

use chrono::NaiveDate;
use maestro_tools::Registry;
use serde::Deserialize;

use super::features::{hashed, view};
use super::generate::{self, NONE, Sizes};
use super::linear::{FormatError, Linear, Training};
use super::pools;
use super::spans::{Span, recognise};
use super::template::TemplateError;
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

/// Training could not start.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A tool's phrasing template is malformed.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A development corpus line is not a labelled request.
    #[error("{file} line {line}: {problem}")]
    Corpus {
        /// Which corpus.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        problem: String,
    },
}

/// A labelled request of a development corpus (`{"text", "calls", "outcome"}`).
#[derive(Deserialize)]
struct DevCase {
    text: String,
    calls: Vec<DevCall>,
}

#[derive(Deserialize)]
struct DevCall {
    tool: String,
}

impl IntentModel {
    /// The model shipped with Maestro.
    pub fn shipped() -> Result<&'static IntentModel, &'static FormatError> {
        static MODEL: LazyLock<Result<IntentModel, FormatError>> =
            LazyLock::new(|| IntentModel::from_bytes(SHIPPED));
        MODEL.as_ref()
    }

    /// Reads a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FormatError> {
        Ok(Self {
            linear: Linear::from_bytes(bytes)?,
        })
    }

    /// The model file.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.linear.to_bytes()
    }

    /// Trains on `registry`'s phrasings and `dev` corpora (name, JSON Lines
    /// text), seeing the generated names as a workspace would on `today`.
    pub fn train(
        registry: &Registry,
        dev: &[(&str, &str)],
        sizes: Sizes,
        today: NaiveDate,
    ) -> Result<Self, TrainError> {
        let mut texts: Vec<(String, String)> = generate::corpus(registry, sizes, 7)?
            .into_iter()
            .map(|e| (e.text, e.label))
            .collect();
        for (file, corpus) in dev {
            texts.extend(dev_cases(file, corpus)?);
        }
        let mut labels: Vec<String> = texts.iter().map(|(_, l)| l.clone()).collect();
        labels.sort();
        labels.dedup();
        let lex = pools::lexicon(today);
        let data: Vec<(Vec<u32>, usize)> = texts
            .iter()
            .map(|(text, label)| {
                let tokens = tokenize(text);
                let spans = recognise(&tokens, &lex);
                let index = labels.binary_search(label).unwrap_or(0);
                (hashed(&view(&tokens, &spans), BITS), index)
            })
            .collect();
        Ok(Self {
            linear: Linear::train(labels, BITS, &data, Training::default()),
        })
    }

    /// The labels it tells apart: tool names and [`NONE`].
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

/// The single-tool and no-tool requests of a development corpus.
fn dev_cases(file: &str, corpus: &str) -> Result<Vec<(String, String)>, TrainError> {
    let mut out = Vec::new();
    for (i, line) in corpus.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with("{\"meta\"") {
            continue;
        }
        let case: DevCase = serde_json::from_str(line).map_err(|e| TrainError::Corpus {
            file: file.to_string(),
            line: i + 1,
            problem: e.to_string(),
        })?;
        let mut tools: Vec<&str> = case.calls.iter().map(|c| c.tool.as_str()).collect();
        tools.dedup();
        match tools.as_slice() {
            [] => out.push((case.text, NONE.to_string())),
            [tool] => out.push((case.text, tool.to_string())),
            _ => {}
        }
    }
    Ok(out)
}
