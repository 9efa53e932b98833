//! Requests about data and models: which ML tool a clause asks for and its
//! arguments, grounded in the workspace's datasets (names and columns) and
//! models ("the customer data" → `churn`, "churn" as a column → `churned`).

use std::sync::LazyLock;

use maestro_catalog::Filter;
use maestro_tools::Platform;
use regex::Regex;
use serde_json::{Map, Value, json};

use super::re;
use crate::plan::Gap;

/// A registered dataset as the planner sees it.
pub struct Known {
    /// Dataset name.
    pub name: String,
    /// Its columns.
    pub columns: Vec<String>,
}

/// The datasets and model names of the workspace.
pub struct MlGrounding {
    /// Datasets with their columns.
    pub datasets: Vec<Known>,
    /// Model names (distinct).
    pub models: Vec<String>,
    /// (model, dataset, target) of every model's latest version.
    pub targets: Vec<(String, String, String)>,
}

impl MlGrounding {
    /// Reads the workspace's datasets and models.
    pub fn of(platform: &Platform) -> Self {
        let store = platform.store();
        let datasets = store
            .list_datasets()
            .unwrap_or_default()
            .into_iter()
            .map(|d| Known {
                columns: d
                    .profile
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p["name"].as_str().map(str::to_string))
                    .collect(),
                name: d.name,
            })
            .collect();
        let records = store.list_models().unwrap_or_default();
        let mut models: Vec<String> = records.iter().map(|m| m.name.clone()).collect();
        models.dedup();
        let targets = records
            .into_iter()
            .map(|m| (m.name, m.dataset, m.target))
            .collect();
        Self {
            datasets,
            models,
            targets,
        }
    }
}

/// Phrasings of the ML requests, tried in order.
static ML_CUES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"\bmodel\s+card\b|\bdocument\b.*\bmodel\b|\bdatasheet\b.*\bmodel\b", "model_card"),
        (r"\bfair(?:ly|ness)?\b|\bbias(?:ed)?\b|\bdiscriminat|\btreat\w*\b.*\bdifferently\b|\bfour[- ]fifths\b|\bdisparate\b|\bequal\s+opportunity\b|\bdemographic\s+parity\b", "check_bias"),
        (r"\bwhy\b.*\b(?:customer|row|record|client|user|id|#|number|C\d+)\s*#?\s*[A-Za-z]*\d|\bexplain\b.*\bprediction\b|\b(?:contributions?|shap)\b.*\b(?:row|customer|record)\b", "explain_prediction"),
        (r"(?:\bdelete|\bremove|\bdrop|\btrash|\berase|\bget\s+rid\s+of|\bdiscard)\b.*\bmodels?\b", "delete_model"),
        (r"\b(?:promote|deploy|stage|demote|move|put|push|ship|send|mark)\b.*\b(?:production|staging|prod)\b|\b(?:promote|demote)\b.*\bmodel\b", "promote_model"),
        (r"\bcompare\b.*\b(?:models?|versions?|v\d|@\d)|\bwhich\b.*\bversions?\b.*\b(?:best|better|wins?)\b|\bmodels?\b.*\bside\s+by\s+side\b", "compare_models"),
        (r"\bexplain\b.*\bmodel\b|\binterpret\b.*\bmodel\b|\bmodel\b.*\b(?:rel(?:y|ies)\s+on|depends?\s+on|look\s+at|pay\s+attention)|\b(?:features?|columns?|variables?)\b.*\b(?:drive|matter\s+(?:most\s+)?(?:to|for|in))\b.*\bmodel\b|\bfeature\s+importances?\b.*\bmodel\b|\bmodel['’]?s?\b.*\bfeature\s+importances?\b|\bpartial\s+dependence\b", "explain_model"),
        (r"\b(?:re)?train\w*\b|\bfit\s+(?:a\s+)?model\b|\bautoml\b|\bauto-ml\b|\bbuild\b.*\bmodel\b|\bmodel\s+(?:to|that|which)\s+predicts?\b|\blearn\s+to\s+predict\b|\bcreate\b.*\bmodel\b", "run_automl"),
        (r"\b(?:predict\w*|score|scoring|forecast|classify|apply|run)\b.*\.csv\b|\.csv\b.*\b(?:predict\w*|score|scoring|classify)\b", "predict"),
        (r"\b(?:register|import|upload|ingest|load|add|catalog(?:ue)?|track)\b.*\.csv\b|\.csv\b.*\b(?:register|to\s+the\s+catalog|as\s+a\s+dataset)\b", "register_dataset"),
        (r"\b(?:which|what)\b.*\b(?:features?|columns?|variables?|factors?|fields?|attributes?)\b.*\b(?:matter|important|drive|predict|influence|affect|tell|relevant|explain|correlate|related|associated)\w*|\bwhat\s+drives\b|\bdrivers?\s+of\b|\bkey\s+drivers\b|\bfeature\s+(?:importance|selection|discovery|ranking)\b|\brank\b.*\b(?:features?|columns?)\b|\bcorrelat\w*\b.*\bwith\b|\bmost\s+predictive\b", "discover_features"),
        (r"\b(?:list|show|what|which|any|see)\b.*\bmodels\b|\bmodel\s+registry\b|\bregistered\s+models\b|\bmodels\s+(?:do\s+we|have\s+we)\b", "list_models"),
        (r"\b(?:describe|details?|how\s+(?:good|accurate|well)|performance|metrics?|accuracy|score|stats)\b.*\bmodel\b|\bmodel\b.*\b(?:details?|performance|metrics?|accuracy|how\s+good)\b|\btell\s+me\s+about\b.*\bmodel\b", "describe_model"),
        (r"\b(?:list|show|what|which|any|see)\b.*\b(?:datasets|data\s*sets|data\s+catalog|data\s+do\s+we|tables|data\s+(?:is\s+)?(?:available|registered))\b|\bdata\s+catalog\b|\bdatasets\b.*\b(?:registered|available|have)\b", "list_datasets"),
        (r"\b(?:describe|profile|summari[sz]e|schema|columns?|missing|nulls?|blanks?|rows?|fields|statistics|stats|distribution|types?|overview|look\s+like|what['’]?s\s+in)\b", "describe_dataset"),
    ]
    .into_iter()
    .map(|(cue, tool)| (re(&format!("(?i){cue}")), tool))
    .collect()
});

/// Tools that need a dataset or model named (or found) in the clause.
const NEEDS_ASSET: &[&str] = &["describe_dataset", "discover_features", "describe_model"];

/// The ML tool a clause asks for, if any. Dataset and model requests that do
/// not name data or a model are left to the other tools.
pub fn intent(clause: &str, g: &MlGrounding) -> Option<&'static str> {
    let (_, tool) = ML_CUES.iter().find(|(cue, _)| cue.is_match(clause))?;
    let names_asset = !mentions(clause, g).is_empty() || MODEL_WORD.is_match(clause) || DATA_WORD.is_match(clause);
    if NEEDS_ASSET.contains(tool) && !names_asset {
        return None;
    }
    if *tool == "run_automl" && !(MODEL_WORD.is_match(clause) || names_asset && TRAIN_ON.is_match(clause)) {
        return None;
    }
    Some(tool)
}

static MODEL_WORD: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:models?|automl|auto-ml|classifier|regressor|predictor)\b"));
static DATA_WORD: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:dataset|data\s*set|data|csv|table|columns?)\b"));
static TRAIN_ON: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:train|fit|learn)\w*\b.*\b(?:on|from|using|with)\b|\bpredict\w*\b"));
static PATH: LazyLock<Regex> = LazyLock::new(|| re(r#"(?i)(?:^|[\s"'“(])([^\s"'”()]+\.csv)\b"#));
static VERSION: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:version|ver\.?|v)\s*(\d+)\b|@(\d+)\b"));
static ID: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:customer|row|record|client|user|id|number|no\.?|entry|line|patient|sample|flower|example)\s*(?:#|no\.?|number|id)?\s*([A-Za-z]{0,4}-?\d[\w-]*)|#\s*([A-Za-z]{0,4}\d[\w-]*)|\b([A-Z]{1,4}-?\d{3,})\b")
});
static METRIC: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(roc[\s_-]*auc|auroc|auc|balanced[\s_-]+accuracy|accuracy|f1(?:[\s_-]*score)?|log[\s_-]*loss|cross[\s_-]*entropy|r2|r²|r[\s_-]*squared|rmse|root\s+mean\s+squared\s+error|mae|mean\s+absolute\s+error)")
});
static BUDGET: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|ten|fifteen|twenty|thirty|half\s+an?|half\s+a)\s*(?:-\s*)?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b")
});
static TARGET_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:predict(?:ing|s|ion\s+of)?|target(?:ing)?|forecast(?:ing)?|estimat(?:e|ing)|classify(?:ing)?|for|of|drives?|driving|explains?|affects?|influences?|behind|on|about|label|outcome|column|whether)\s+(?:the\s+|a\s+|an\s+)?(?:column\s+|target\s+|value\s+of\s+)?([\w-]+(?:\s+[\w-]+)?)")
});
static GROUP_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:across|by|between|for|over|regarding|among|per|on|of|to)\s+(?:different\s+|the\s+|each\s+|all\s+)?([\w-]+)")
});

fn norm(s: &str) -> String {
    s.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Datasets (and models named like them) a clause names, by position.
fn mentions(clause: &str, g: &MlGrounding) -> Vec<(usize, String)> {
    let lower = clause.to_lowercase();
    let mut found: Vec<(usize, String)> = g
        .datasets
        .iter()
        .map(|d| d.name.clone())
        .chain(g.models.iter().cloned())
        .filter_map(|name| {
            let spaced = name.to_lowercase().replace(['_', '-'], " ");
            let pattern = format!(r"\b(?:{}|{})\b", regex::escape(&name.to_lowercase()), regex::escape(&spaced));
            Regex::new(&pattern).ok()?.find(&lower).map(|m| (m.start(), name))
        })
        .collect();
    found.sort();
    found.dedup_by(|a, b| a.1 == b.1);
    found
}

/// The dataset a clause is about: named, or the catalog's clear best match.
fn dataset(clause: &str, g: &MlGrounding, platform: &Platform) -> Option<String> {
    let named = mentions(clause, g)
        .into_iter()
        .find(|(_, n)| g.datasets.iter().any(|d| &d.name == n))
        .map(|(_, n)| n);
    named.or_else(|| {
        let hits = platform.catalog().search(clause, 2, &Filter::kind("dataset")).ok()?;
        let best = hits.first()?;
        let clear = best.score > 0.25 && hits.get(1).is_none_or(|h| h.score < best.score * 0.8);
        clear.then(|| best.entry.payload["name"].as_str().map(str::to_string))?
    })
}

/// The model a clause is about: a model or dataset name, else the dataset
/// whose columns include a column the clause names (e.g. "predict churned").
fn model(clause: &str, g: &MlGrounding, platform: &Platform) -> Option<String> {
    if let Some((_, n)) = mentions(clause, g).into_iter().next() {
        return Some(n);
    }
    let lower = clause.to_lowercase();
    let by_column: Vec<&Known> = g
        .datasets
        .iter()
        .filter(|d| {
            d.columns.iter().any(|c| {
                c.len() > 3 && Regex::new(&format!(r"\b{}\b", regex::escape(&c.to_lowercase()))).is_ok_and(|r| r.is_match(&lower))
            })
        })
        .collect();
    match by_column.as_slice() {
        [one] => Some(one.name.clone()),
        _ => dataset(clause, g, platform),
    }
}

/// The column of `columns` that `words` names: exact, with spaces for
/// underscores, a stem ("churn" → churned) or a single close spelling.
fn column(words: &str, columns: &[String]) -> Option<String> {
    let w = norm(words);
    if w.len() < 2 {
        return None;
    }
    let exact = columns.iter().find(|c| norm(c) == w);
    let stem = || {
        let matches: Vec<&String> = columns
            .iter()
            .filter(|c| {
                let c = norm(c);
                w.len() >= 4 && (c.starts_with(&w) || w.starts_with(&c)) && c.len().abs_diff(w.len()) <= 3
            })
            .collect();
        (matches.len() == 1).then(|| matches[0])
    };
    let close = || {
        let mut scored: Vec<(f64, &String)> = columns
            .iter()
            .map(|c| (strsim::normalized_levenshtein(&norm(c), &w), c))
            .filter(|(s, _)| *s >= 0.75)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        (scored.len() == 1 || scored.len() > 1 && scored[0].0 > scored[1].0).then(|| scored[0].1)
    };
    exact.or_else(stem).or_else(close).cloned()
}

/// The target column a clause names for `dataset`, skipping the words that
/// name the dataset itself.
fn target(clause: &str, dataset: &str, g: &MlGrounding) -> Option<String> {
    let columns = &g.datasets.iter().find(|d| d.name == dataset)?.columns;
    let dataset_words = norm(dataset);
    for caps in TARGET_CUE.captures_iter(clause) {
        let Some(words) = caps.get(1) else { continue };
        let words = words.as_str();
        let first = words.split_whitespace().next().unwrap_or(words);
        let after = &clause[caps.get(1).map_or(0, |m| m.end())..];
        let names_dataset = norm(first) == dataset_words
            && (after.trim_start().to_lowercase().starts_with("data") || words.to_lowercase().ends_with(" data") || words.to_lowercase().ends_with(" dataset") || words.to_lowercase().ends_with(" model"));
        if names_dataset {
            continue;
        }
        if let Some(c) = column(words, columns).or_else(|| column(first, columns)) {
            return Some(c);
        }
    }
    None
}

fn budget(clause: &str) -> Option<f64> {
    let caps = BUDGET.captures(clause)?;
    let amount = caps.get(1)?.as_str().to_lowercase();
    let n = match amount.as_str() {
        "a" | "an" | "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "ten" => 10.0,
        "fifteen" => 15.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        a if a.starts_with("half") => 0.5,
        a => a.parse().ok()?,
    };
    let unit = caps.get(2)?.as_str().to_lowercase();
    let scale = match unit.chars().next()? {
        'm' => 60.0,
        'h' => 3600.0,
        _ => 1.0,
    };
    Some(n * scale)
}

fn metric(clause: &str) -> Option<&'static str> {
    let m = norm(METRIC.captures(clause)?.get(1)?.as_str());
    Some(match m.as_str() {
        "rocauc" | "auroc" | "auc" => "roc_auc",
        "balancedaccuracy" => "balanced_accuracy",
        "accuracy" => "accuracy",
        "logloss" | "crossentropy" => "log_loss",
        "r2" | "r²" | "rsquared" => "r2",
        "rmse" | "rootmeansquarederror" => "rmse",
        "mae" | "meanabsoluteerror" => "mae",
        _ => "f1",
    })
}

fn gap(field: &str, question: String) -> Option<Gap> {
    Some(Gap {
        field: field.into(),
        question,
    })
}

fn which_model(g: &MlGrounding) -> Option<Gap> {
    let names: Vec<&str> = g.models.iter().map(String::as_str).collect();
    gap(
        "model",
        if names.is_empty() {
            "Which model? None is trained yet: try “train a model on DATASET predicting COLUMN”.".into()
        } else {
            format!("Which model? There are {}.", names.join(", "))
        },
    )
}

/// The arguments of an ML tool read from a clause, and what is still missing.
pub fn build(tool: &str, clause: &str, g: &MlGrounding, platform: &Platform) -> (Map<String, Value>, Option<Gap>) {
    let mut args = Map::new();
    let mut set = |k: &str, v: Value| {
        args.insert(k.into(), v);
    };
    let version = VERSION.captures(clause).and_then(|c| c.get(1).or(c.get(2))).and_then(|m| m.as_str().parse::<u32>().ok());
    let path = PATH.captures(clause).and_then(|c| c.get(1)).map(|m| m.as_str().to_string());
    let mut missing = None;
    match tool {
        "register_dataset" => match path {
            Some(p) => {
                set("path", json!(p));
                if let Some(n) = re_capture(r"(?i)\b(?:as|called|named)\s+['\x22“]?([\w-]+)", clause) {
                    set("name", json!(n));
                }
            }
            None => missing = gap("path", "Which CSV file? Give its path, e.g. data/customers.csv.".into()),
        },
        "list_datasets" => {}
        "list_models" => {
            if let Some(d) = re_capture(r"(?i)\b(?:trained\s+on|for|on|from)\s+(?:the\s+)?([\w-]+)", clause).and_then(|w| g.datasets.iter().find(|d| norm(&d.name) == norm(&w))) {
                set("dataset", json!(d.name));
            }
        }
        "describe_dataset" | "discover_features" | "run_automl" => match dataset(clause, g, platform) {
            Some(d) => {
                set("dataset", json!(d));
                if tool == "describe_dataset" {
                    let columns = &g.datasets.iter().find(|k| k.name == d).map(|k| k.columns.clone()).unwrap_or_default();
                    if let Some(c) = re_capture(r"(?i)\b(?:the\s+)?([\w-]+)\s+column\b|\bcolumn\s+([\w-]+)", clause).and_then(|w| column(&w, columns)) {
                        set("column", json!(c));
                    }
                } else {
                    // Retraining a model keeps its target unless another is named.
                    let known = g
                        .targets
                        .iter()
                        .rev()
                        .find(|(m, dataset, _)| *dataset == d && mentions(clause, g).iter().any(|(_, n)| n == m))
                        .map(|(_, _, t)| t.clone());
                    match target(clause, &d, g).or(known) {
                        Some(t) => set("target", json!(t)),
                        None => {
                            let columns = g.datasets.iter().find(|k| k.name == d).map(|k| k.columns.join(", ")).unwrap_or_default();
                            missing = gap("target", format!("Which column of {d} should be predicted? Its columns are {columns}."));
                        }
                    }
                }
                if tool == "run_automl" {
                    if let Some(m) = metric(clause) {
                        set("metric", json!(m));
                    }
                    if let Some(b) = budget(clause) {
                        set("budget_seconds", json!(b));
                    }
                }
            }
            None => {
                let names: Vec<&str> = g.datasets.iter().map(|d| d.name.as_str()).collect();
                missing = gap(
                    "dataset",
                    if names.is_empty() {
                        "Which dataset? None is registered yet: add one with “register data/FILE.csv”.".into()
                    } else {
                        format!("Which dataset? There are {}.", names.join(", "))
                    },
                );
            }
        },
        "compare_models" => {
            let name = model(clause, g, platform);
            let versions: Vec<u32> = VERSION
                .captures_iter(clause)
                .filter_map(|c| c.get(1).or(c.get(2))?.as_str().parse().ok())
                .chain(re_captures(r"(?i)\b(?:and|with|vs\.?|versus|to)\s+(\d+)\b", clause))
                .collect();
            match name {
                Some(n) if versions.len() >= 2 => set("models", json!(versions.iter().map(|v| format!("{n}@{v}")).collect::<Vec<_>>())),
                Some(n) => set("models", json!([n])),
                None => missing = which_model(g),
            }
        }
        _ => {
            let name = model(clause, g, platform);
            match &name {
                Some(m) => set("model", json!(m)),
                None => missing = which_model(g),
            }
            if let Some(v) = version
                && tool != "predict"
            {
                set("version", json!(v));
            }
            match tool {
                "predict" => match path {
                    Some(p) => set("path", json!(p)),
                    None => missing = missing.or(gap("path", "Which CSV file should I predict for?".into())),
                },
                "explain_prediction" => match ID.captures(clause).and_then(|c| c.get(1).or(c.get(2)).or(c.get(3))) {
                    Some(id) => set("id", json!(id.as_str())),
                    None => missing = missing.or(gap("id", "Which row? Give its id (e.g. C101042) or row number.".into())),
                },
                "promote_model" => {
                    let lower = clause.to_lowercase();
                    let stage = if lower.contains("staging") || lower.contains(" stage") {
                        "staging"
                    } else if lower.contains("demote") || lower.contains("out of production") || lower.contains("unstage") {
                        "none"
                    } else {
                        "production"
                    };
                    set("stage", json!(stage));
                }
                "check_bias" => {
                    let columns: Vec<String> = name
                        .as_deref()
                        .and_then(|m| g.datasets.iter().find(|d| d.name == m))
                        .map(|d| d.columns.clone())
                        .unwrap_or_default();
                    let found = GROUP_CUE
                        .captures_iter(clause)
                        .filter_map(|c| column(c.get(1)?.as_str(), &columns))
                        .find(|c| name.as_deref().is_none_or(|m| norm(m) != norm(c)));
                    match found {
                        Some(c) => set("column", json!(c)),
                        None => missing = missing.or(gap("column", format!("Across which column? For example: {}.", columns.iter().take(6).cloned().collect::<Vec<_>>().join(", ")))),
                    }
                }
                _ => {}
            }
        }
    }
    (args, missing)
}

fn re_capture(pattern: &str, text: &str) -> Option<String> {
    let caps = Regex::new(pattern).ok()?.captures(text)?;
    caps.iter().skip(1).flatten().next().map(|m| m.as_str().to_string())
}

fn re_captures(pattern: &str, text: &str) -> Vec<u32> {
    Regex::new(pattern)
        .map(|r| r.captures_iter(text).filter_map(|c| c.get(1)?.as_str().parse().ok()).collect())
        .unwrap_or_default()
}

/// Fills a field an ML call asked for from the person's answer.
pub fn answer(field: &str, text: &str, args: &mut Map<String, Value>, g: &MlGrounding, platform: &Platform) -> Option<Gap> {
    let text = text.trim().trim_end_matches(['.', '!', '?']);
    match field {
        "target" | "column" => {
            let source = args
                .get("dataset")
                .or_else(|| args.get("model"))
                .and_then(Value::as_str)
                .and_then(|d| g.datasets.iter().find(|k| k.name == d));
            match source.and_then(|d| column(text, &d.columns)) {
                Some(c) => {
                    args.insert(field.into(), json!(c));
                    None
                }
                None => gap(field, format!("{text:?} is not a column I know; which column?")),
            }
        }
        "dataset" => match dataset(text, g, platform) {
            Some(d) => {
                args.insert("dataset".into(), json!(d));
                None
            }
            None => gap("dataset", format!("{text:?} is not a dataset I know; which one?")),
        },
        "model" => match model(text, g, platform) {
            Some(m) => {
                args.insert("model".into(), json!(m));
                None
            }
            None => which_model(g),
        },
        _ => {
            args.insert(field.into(), json!(text));
            None
        }
    }
}
