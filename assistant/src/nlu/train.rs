//! Training both models (`maestro nlu train`): the intent model on the
//! generated corpus plus the development corpora, the tagger on the
//! generated corpus, whose slots say which argument each part fills; and
//! the vocabulary misspellings are read against.

use chrono::NaiveDate;
use maestro_tools::Registry;
use serde::Deserialize;

use super::generate::{self, NONE, Sizes};
use super::intent::IntentModel;
use super::pools;
use super::spans::recognise;
use super::spelling::Vocabulary;
use super::tagger::{Sequence, Tagger, gold, units};
use super::template::TemplateError;
use super::tokens::tokenize;

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

/// Both trained models.
pub struct Trained {
    /// Which tool.
    pub intent: IntentModel,
    /// Which argument each part fills.
    pub tagger: Tagger,
    /// The words of the training requests, which misspellings are read as.
    pub vocabulary: Vocabulary,
}

/// Trains on `registry`'s phrasings and `dev` corpora (name, JSON Lines
/// text), seeing the generated names as a workspace would on `today`.
pub fn train(
    registry: &Registry,
    dev: &[(&str, &str)],
    sizes: Sizes,
    today: NaiveDate,
) -> Result<Trained, TrainError> {
    let corpus = generate::corpus(registry, sizes, 7)?;
    let lex = pools::lexicon(today);
    let sequences: Vec<Sequence> = corpus
        .iter()
        .filter(|e| !e.slots.is_empty() && e.label != NONE)
        .map(|e| {
            let tokens = tokenize(&e.text);
            let spans = recognise(&tokens, &lex);
            let units = units(&tokens, &spans);
            Sequence {
                tool: e.label.clone(),
                labels: gold(&units, &tokens, &e.slots),
                units: units.into_iter().map(|u| u.text).collect(),
            }
        })
        .collect();
    // The vocabulary leaves out the typos made on purpose: "trian" is not a word.
    let spelt: Vec<&str> = corpus
        .iter()
        .filter(|e| !e.misspelt)
        .map(|e| e.text.as_str())
        .collect();
    let mut vocabulary = Vocabulary::count(spelt);
    let mut texts: Vec<(String, String)> = corpus.into_iter().map(|e| (e.text, e.label)).collect();
    let mut dev_texts = Vec::new();
    for (file, text) in dev {
        dev_texts.extend(dev_cases(file, text)?);
    }
    vocabulary.add(dev_texts.iter().map(|(text, _)| text.as_str()));
    texts.extend(dev_texts);
    vocabulary.demote(
        lex.people
            .iter()
            .flat_map(|p| p.name.split_whitespace().map(str::to_string)),
    );
    Ok(Trained {
        vocabulary,
        intent: IntentModel::fit(&texts, &lex),
        tagger: Tagger::train(&sequences),
    })
}

/// A labelled request of a development corpus (`{"text", "calls", "outcome"}`).
#[derive(Deserialize)]
struct DevCase {
    text: String,
    calls: Vec<DevCall>,
    #[serde(default)]
    outcome: Option<String>,
}

#[derive(Deserialize)]
struct DevCall {
    tool: String,
}

/// The single-tool and irrelevant requests of a development corpus.
/// Sessions are left out (their turns lean on what came before), and so
/// are requests that only ask a question back.
fn dev_cases(file: &str, corpus: &str) -> Result<Vec<(String, String)>, TrainError> {
    let mut out = Vec::new();
    for (i, line) in corpus.lines().enumerate() {
        if line.trim().is_empty()
            || line.starts_with("{\"meta\"")
            || line.starts_with("{\"session\"")
        {
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
            [] if case.outcome.as_deref() == Some("none") => {
                out.push((case.text, NONE.to_string()))
            }
            [tool] => out.push((case.text, tool.to_string())),
            _ => {}
        }
    }
    Ok(out)
}
