//! Requests about data and models: which ML tool a clause asks for and its
//! arguments, grounded in the workspace's datasets (names and columns) and
//! models ("the customer data" → `churn`, "churn" as a column → `churned`).

use std::sync::LazyLock;

use maestro_catalog::Filter;
use maestro_tools::Platform;
use regex::Regex;
use serde_json::{Map, Value, json};

use super::training;
use super::{Cue, re, setter};
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
        let names = platform.lookup(None);
        let datasets = names
            .datasets()
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
        let records = names.models().unwrap_or_default();
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

/// Phrasings of the ML requests, tried in order. `MODEL` in a clause stands
/// for "model" after a model named with a version ("churn v2" reads "churn model v2").
static ML_CUES: LazyLock<Vec<Cue>> = LazyLock::new(|| {
    [
        (r"\bwhich\s+(?:tables|datasets|data\s*sets|DSs?)\b|^\W*datasets\W*$|\bloaded\s+as\s+data\b|\bbeen\s+loaded\b", "list_datasets"),
        (r"\bmodel\s+card\b|\bdocument\b.*\bmodel\b|\bdatasheet\b.*\bmodel\b", "model_card"),
        (r"\bfair(?:ly|ness)?\b|\bbias(?:ed)?\b|\bsame\s+predictions\b|\bequally\b|\bwhatever\b.*\b(?:people|customers|they)\b|\bdiscriminat|\btreat\w*\b.*\b(?:differently|the\s+same|equally|alike)\b|\bfour[- ]fifths\b|\bdisparate\b|\bequal\s+opportunity\b|\bdemographic\s+parity\b", "check_bias"),
        (r"(?:\bwhy\b|\bexplai?n\w*|\bbreak\s*down\b|\bwhat\s+makes\b|\bshap(?:ley)?\b|\bcontributions?\b|\breasons?\b|\bpushed\b|\bdrove\b|\bcaused\b).*ROW_ID|ROW_ID.*(?:\bwhy\b|\bexplai?n\w*|\bbreak\s*down\b|\bshap(?:ley)?\b|\bcontributions?\b|\bpushed\b|\bdrove\b|\bcaused\b)|\bexplain\b.*\bprediction\b|\bwhy\b.*\bmodel\b.*\b(?:predict\w*|think|say|classif\w*|flag\w*)\b", "explain_prediction"),
        (r"(?:\bdelete|\bremove|\bdrop|\btrash|\berase|\bwipe|\bpurge|\bnuke|\bscrap|\bdestroy|\bkill|\bget\s+rid\s+of|\bdiscard)\b.*\bmodels?\b|\bmodels?\b.*\b(?:delete|remove|drop|trash|erase|wipe|purge|nuke|scrap|destroy|get\s+rid\s+of|discard)(?:d|ed)?\b", "delete_model"),
        (r"\b(?:promote|deploy|stage|demote|move|put|push|ship|send|mark|set|make|roll)\b.*\b(?:production|staging|prod|stage)\b|\b(?:promote|demote)\b|\bout\s+of\s+production\b", "promote_model"),
        (r"\bcompare\b.*\b(?:models?|versions?|v\d|@\d)|\bwhich\b.*\bversions?\b.*\b(?:best|better|wins?)\b|\bside\s+by\s+side\b|\bnext\s+to\b.*\bmodel\b|\bmodel\b.*\bnext\s+to\b|\bmodel\b.*\b(?:stack\s+up|versus|vs\.?|against)\b|\bversions\b.*\b(?:rank|compare|against|stack|differ)\w*|\bwhich\s+(?:one|1|version)\b.*\b(?:wins?|best|better|higher)\b|\bversions?\b.*\bcompare\b|\bvs\.?\b.*\bversion\b|\bversion\b.*\bvs\.?\b|\bwhich\s+scores\s+(?:higher|better)\b", "compare_models"),
        (r"\b(?:when\s+was|how\s+long\s+did)\b.*\b(?:model|training)\b.*\btrain|\b(?:algorithm|family|hyper-?param\w*|params|parameters|settings)\b.*\bmodel\b|\bmodel\b.*\b(?:algorithm|hyper-?param\w*|parameters)\b", "describe_model"),
        (r"\bexplai?n\w*\b.*\bmodel\b|\binterpret\b.*\bmodel\b|\bpermutation\s+importances?\b|\bglobal\s+(?:feature\s+)?importances?\b|\bglobal\s+explanation\b|\bmodel\b.*\b(?:rel(?:y|ies)\s+on|depends?\s+on|look\s+at|pay(?:ing)?\s+attention|make\s+its\s+predictions|decides?|lean\w*\s+on)\b|\bhow\s+(?:does|do)\b.*\bmodel\b.*\bwork\b|\bdriv\w*\b.*\bmodel\b|\b(?:features?|columns?|variables?|inputs?)\b.*\b(?:drive|matter\s+(?:most\s+)?(?:to|for|in))\b.*\bmodel\b|\bfeature\s+importances?\b.*\bmodel\b|\bmodel['’]?s?\b.*\bfeature\s+importances?\b|\bpartial\s+dependence\b", "explain_model"),
        (r"^\W*models\W*$|\bhas\s+(?:a\s+|any\s+)?model\s+been\s+trained\b|\bhave\s+(?:we|you)\s+trained\b|\bwhat\s+have\s+we\s+trained\b|\btrained\s+so\s+far\b|^\W*models\s+(?:on|for|trained|from)\b|\b(?:list|show|what|which|any|see)\b.*\bmodels\b|\b(?:list|show)\s+(?:me\s+)?(?:all|every|each)\s+(?:the\s+)?models?\b|\bmodel\s+registry\b|\bregistered\s+models\b|\bmodels\s+(?:do\s+we|have\s+we)\b", "list_models"),
        (r"\b(?:re)?train\w*\b|\bfit\w*\b|\bautoml\b|\bauto-ml\b|\bbuild\b.*\b(?:model|classifier|regressor|predictor)\b|\bbuild\s+(?:me\s+)?something\b|\b(?:model|classifier|regressor)\s+(?:to|that|which)\s+predicts?\b|\blearn\s+to\s+predict\b|\bcreate\b.*\bmodel\b", "run_automl"),
        (r"\b(?:predict\w*|score|scoring|forecast|classify|apply|run|estimate|will|would|likely|expected|how\s+many|how\s+much|inference)\b.*\.csv\b|\.csv\b.*\b(?:predict\w*|score|scoring|classify|will|likely)\b|\b(?:run|apply|use)\b.*\bmodel\b.*\b(?:on|to|for)\b.*\b(?:new|these|those|fresh|upcoming)\b|\binference\b.*\bmodel\b|\bmodel\b.*\binference\b|\b(?:get|give|make|produce|generate|want)\b.*\bpredictions?\b.*\bmodel\b", "predict"),
        (r"\b(?:register|import|upload|ingest|load|add|catalog(?:ue)?|track|take\s+(?:it\s+)?in|bring\s+in|pull\s+in|read\s+in)\b.*\.csv\b|\.csv\b.*\b(?:register|to\s+the\s+catalog|as\s+a\s+dataset|take\s+(?:it\s+)?in|import|ingest|load)\b|\b(?:new\s+)?data\s*set\s*:.*\.csv\b|\b(?:register|import|upload|ingest|add|catalog(?:ue)?)\b.*\b(?:new\s+)?(?:dataset|data\s*set|csv\s+file|spreadsheet)\b|\bunder\s+the\s+name\b|\binto\s+the\s+catalog(?:ue)?\b", "register_dataset"),
        (r"\b(?:which|what)\b.*\b(?:features?|columns?|variables?|factors?|fields?|attributes?)\b.*\b(?:matter|important|drive|predict|influence|affect|tell|relevant|explain|correlate|related|associated|relate)\w*|\bfeatures?\b.*\b(?:most\s+)?(?:related|relevant|predictive|important|informative)\b|\bwhat\s+(?:drives|explains|predicts|determines|influences|affects)\b|\b(?:strongest|best|top|key)\s+(?:predictors|drivers|features)\b|\bpredictors\s+of\b|\bdrivers?\s+of\b|\bmost\s+(?:informative|predictive)\b|\bmutual\s+information\b|\b(?:feature|variable)\s+screening\b|\bwhat\s+makes\b|\bfeature\s+(?:importance|selection|discovery|ranking)\b|\brank\b.*\b(?:features?|columns?)\b|\bcorrelat\w*\b.*\bwith\b", "discover_features"),
        (r"\b(?:describe|details?|how\s+(?:good|accurate|well)|performance|metrics?|accuracy|score|stats|tell\s+me\s+about|show|info|auc|auroc|roc|r2|rmse|mae|f1|log\s*loss|cv)\b.*\bmodel\b|\bmodel\b.*\b(?:details?|performance|metrics?|accuracy|how\s+good|do(?:ing)?|good\s+enough|any\s+good|usable|reliable|trust\w*)\b", "describe_model"),
        (r"\b(?:list|show|what|which|any|see|ls)\b.*\b(?:datasets|data\s*sets|data\s+catalog|data\s+do\s+we|tables)\b|\bwhat\s+data\b|\bdata\b.*\bloaded\b|\bdata\s+(?:is\s+|do\s+we\s+have\s+)?(?:available|registered)\b|\bdata\s+catalog\b|\bdatasets\b.*\b(?:registered|available|have)\b", "list_datasets"),
        (r"\b(?:describe|profile|summar(?:y|i[sz]e)|schema|columns?|missing|nulls?|blanks?|rows?|fields|statistics|stats|distribut\w*|types?|overview|look\s+like|what['’]?s\s+in|inside|basics|range|spread)\b", "describe_dataset"),
    ]
    .into_iter()
    .map(|(cue, tool)| {
        let cue = cue.replace("ROW_ID", ROW_ID);
        Cue::new(format!("(?i){cue}"), tool)
    })
    .collect()
});

/// A row named by an id: "customer 1042", "row 7", "#12", "C100042", "T-10042".
const ROW_ID: &str = r"(?:\b(?:customer|row|record|client|user|id|entry|line|patient|sample|flower|example|task|account)\s*(?:#|no\.?|number|id)?\s*([A-Za-z]{0,4}-?\d[\w-]*)|#\s*([A-Za-z]{0,4}\d[\w-]*)|\b([A-Z]{1,4}-?\d{3,})\b)";

/// Thanks and reactions that mention models without asking for anything.
static CHATTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\W*(?:thanks|thank\s+you|thx|cool|great|nice|lol|haha|ok(?:ay)?|awesome|wow|love|i\s+(?:love|like|hate))\b|\breminds?\s+me\s+of\b",
    )
});

/// Tools that need a dataset or model named (or found) in the clause.
const NEEDS_ASSET: &[&str] = &["describe_dataset", "discover_features", "describe_model"];

/// "churn v2" → "churn model v2", so phrasings written for "the churn model" match.
fn with_model_word(clause: &str, g: &MlGrounding) -> String {
    let mut out = clause.to_string();
    for (at, name) in mentions(clause, g).into_iter().rev() {
        let end = at + name.len();
        if end <= out.len() && VERSION_NEXT.is_match(&out[end..]) {
            out.insert_str(end, " model");
        }
    }
    out
}

static VERSION_NEXT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*(?:,\s*)?(?:version|ver\.?|v)\s*#?\s*\d|^@\d"));

static CORRECTION: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\W*not\s+[^,:;]+[,:;]\s*(?:sorry\s*[,:;]?\s*)?"));
static NUMBER_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|forty-five|fifty|sixty|ninety|first|second|third|fourth|fifth)\b",
    )
});

/// "not iris, wine: describe it" → "wine: describe it".
fn corrected(clause: &str) -> &str {
    CORRECTION
        .find(clause)
        .map_or(clause, |m| &clause[m.end()..])
}

/// Number words as digits, ordinals as "2nd" ("version three", "the second
/// version", "ninety secs", "row fifteen").
fn numbers(clause: &str) -> String {
    NUMBER_WORD
        .replace_all(clause, |c: &regex::Captures| {
            let word = c[1].to_lowercase();
            // "a 15 second budget": a unit after a number, not "2nd".
            let after_number = clause[..c.get(0).map_or(0, |m| m.start())]
                .trim_end()
                .ends_with(|ch: char| ch.is_ascii_digit());
            if word == "second" && after_number {
                return c[0].to_string();
            }
            let n = match word.as_str() {
                "one" => "1",
                "two" => "2",
                "three" => "3",
                "four" => "4",
                "five" => "5",
                "six" => "6",
                "seven" => "7",
                "eight" => "8",
                "nine" => "9",
                "ten" => "10",
                "eleven" => "11",
                "twelve" => "12",
                "fifteen" => "15",
                "twenty" => "20",
                "thirty" => "30",
                "forty" => "40",
                "forty-five" => "45",
                "fifty" => "50",
                "sixty" => "60",
                "ninety" => "90",
                "first" => "1st",
                "second" => "2nd",
                "third" => "3rd",
                "fourth" => "4th",
                _ => "5th",
            };
            n.to_string()
        })
        .into_owned()
}

/// The ML tool a clause asks for, if any. Dataset and model requests that do
/// not name data or a model are left to the other tools.
pub fn intent(clause: &str, g: &MlGrounding) -> Option<&'static str> {
    if CHATTER.is_match(clause) {
        return None;
    }
    let clause = &with_model_word(&numbers(corrected(clause)), g);
    let names_asset = !mentions(clause, g).is_empty()
        || MODEL_WORD.is_match(clause)
        || DATA_WORD.is_match(clause);
    let allowed = |tool: &str| match tool {
        "run_automl" => MODEL_WORD.is_match(clause) || names_asset && TRAIN_ON.is_match(clause),
        t => names_asset || !NEEDS_ASSET.contains(&t),
    };
    ML_CUES
        .iter()
        .find(|cue| allowed(cue.tool) && cue.is_match(clause))
        .map(|cue| cue.tool)
}

static MODEL_WORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:models?|automl|auto-ml|classifier|regressor|predictor)\b"));
static DATA_WORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:dataset|data\s*set|data|csv|table|columns?)\b"));
static TRAIN_ON: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:train|fit|learn|build)\w*\b.*\b(?:on|from|using|with)\b|\bpredict\w*\b")
});
static PATH: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?i)["“']([^"”']+\.csv)["”']|(?:^|[\s(])([^\s"'”()]+\.csv)\b"#));
static VERSION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:version|ver\.?|v)\s*#?\s*(\d+)\b|@(\d+)\b|\b(\d+)(?:st|nd|rd|th)\s+version\b")
});
static ID: LazyLock<Regex> = LazyLock::new(|| re(ROW_ID));
static METRIC: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(roc[\s_-]*auc|auroc|auc|balanced[\s_-]+accuracy|accuracy|f1(?:[\s_-]*score)?|log[\s_-]*loss|cross[\s_-]*entropy|r2|r²|r[\s_-]*squared|rmse|root\s+mean\s+squared\s+error|mae|mean\s+absolute\s+error)",
    )
});
static BUDGET: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:(\d+(?:\.\d+)?)\s*(?:-\s*)?|(an?|half\s+an?|half\s+a|(?:a\s+)?quarter\s+of\s+an?)\s+)(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b",
    )
});
static TARGET_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:predict(?:ing|s|ion\s+of)?|target(?:ing)?|forecast(?:ing)?|estimat(?:e|ing)|classify(?:ing)?|for|of|drives?|driving|explains?|affects?|influences?|behind|about|label|outcome|column|whether|relate\s+to|related\s+to|tells?\s+(?:me|us)|makes?\s+(?:a|an|the)?\s*\w*)\s+(?:the\s+|a\s+|an\s+)?(?:column\s+|target\s+(?:column\s+)?|value\s+of\s+)?",
    )
});
static GROUP_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:across|by|between|for|over|regarding|among|per|on|of|to|in)\s+(?:different\s+|the\s+|each\s+|all\s+)?",
    )
});
static WORD: LazyLock<Regex> = LazyLock::new(|| re(r"[\w-]+"));
/// What follows a target named as the subject: "X (in data) is explained by".
static SUBJECT_OF: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\W*(?:in\s+[\w-]+\s+)?(?:is\s+|are\s+|gets?\s+)?(?:explained|driven|determined|predicted|influenced|affected|caused)\b",
    )
});
/// Words for the groups of a gender column.
static GENDER_WORDS: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:men|women|males?|females?|genders?|sexes)\b"));
/// The words that describe data or a model: "the (customer churn) data".
static DATA_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:the|our|my|this|that)\s+((?:[\w-]+\s+){0,2}?[\w-]+)\s+(?:data|dataset|data\s*set|table|records|csv|model|classifier|predictor)\b",
    )
});
static DATA_NEXT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s+(?:data|dataset|data\s*set|model|table|csv)\b"));
/// Words that never name a column on their own.
const NOT_COLUMNS: &[&str] = &[
    "the", "a", "an", "in", "on", "of", "for", "to", "and", "model", "models", "data", "dataset",
    "column", "columns", "features", "feature", "which", "what", "most", "me", "is", "it",
];

fn norm(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
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
            let pattern = format!(
                r"\b(?:{}|{})\b",
                regex::escape(&name.to_lowercase()),
                regex::escape(&spaced)
            );
            Regex::new(&pattern)
                .ok()?
                .find(&lower)
                .map(|m| (m.start(), name))
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
        // "how many rows does the flower data have?" → look up "flower".
        // Only words that describe data or a model are looked up.
        let query = DATA_PHRASE.captures(clause)?.get(1)?.as_str();
        let hits = platform
            .catalog()
            .search(query, 2, &Filter::kind("dataset"))
            .ok()?;
        let best = hits.first()?;
        let clear = best.score > 0.15 && hits.get(1).is_none_or(|h| h.score < best.score * 0.8);
        clear.then(|| best.entry.payload["name"].as_str().map(str::to_string))?
    })
}

/// The model a clause is about: a model or dataset name; with `by_column`,
/// else the one dataset that has a column the clause names ("predict
/// churned" → churn); else the catalog's clear match.
fn model(clause: &str, g: &MlGrounding, platform: &Platform, by_column: bool) -> Option<String> {
    if let Some((_, n)) = mentions(clause, g).into_iter().next() {
        return Some(n);
    }
    if by_column {
        let having: Vec<&Known> = g
            .datasets
            .iter()
            .filter(|d| !column_mentions(clause, &d.columns, g).is_empty())
            .collect();
        if let [one] = having.as_slice() {
            return Some(one.name.clone());
        }
    }
    dataset(clause, g, platform)
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
                w.len() >= 4
                    && (c.starts_with(&w) || w.starts_with(&c))
                    && c.len().abs_diff(w.len()) <= 3
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
    // "tenure" → tenure_months: the one column whose first word it is.
    let first_word = || {
        let matches: Vec<&String> = columns
            .iter()
            .filter(|c| c.split(['_', ' ']).next().is_some_and(|f| norm(f) == w))
            .collect();
        (w.len() >= 4 && matches.len() == 1).then(|| matches[0])
    };
    exact
        .or_else(stem)
        .or_else(first_word)
        .or_else(close)
        .cloned()
}

/// Columns of `columns` the clause names, by position: windows of up to
/// three words, exact first, then a stem or close spelling for one or two
/// words. Windows that name a dataset or model are skipped.
fn column_mentions(clause: &str, columns: &[String], g: &MlGrounding) -> Vec<(usize, String)> {
    let words: Vec<regex::Match> = WORD.find_iter(clause).collect();
    // A word (or two) naming a dataset or model names it, not a column,
    // unless the name comes again later ("what drives churn in the churn data").
    let spans: Vec<(usize, usize)> = g
        .datasets
        .iter()
        .map(|d| d.name.as_str())
        .chain(g.models.iter().map(String::as_str))
        .flat_map(|name| {
            let spaced = regex::escape(&name.to_lowercase().replace(['_', '-'], " "));
            let pattern = format!(r"(?i)\b(?:{}|{})\b", regex::escape(name), spaced);
            Regex::new(&pattern)
                .map(|r| {
                    r.find_iter(clause)
                        .map(|m| (m.start(), m.end()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .collect();
    let names_asset = |word: usize| {
        let at = words[word].start();
        spans.iter().any(|&(start, end)| {
            let repeated = spans.iter().any(|&(s2, _)| {
                s2 > end
                    && clause[s2..]
                        .to_lowercase()
                        .starts_with(&clause[start..end].to_lowercase())
            });
            let followed = DATA_NEXT.is_match(&clause[end..]);
            (start..end).contains(&at) && (followed || !repeated)
        })
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let window = |n: usize| {
            (i + n <= words.len()).then(|| &clause[words[i].start()..words[i + n - 1].end()])
        };
        let exact = (1..=3).rev().find_map(|n| {
            let w = window(n)?;
            columns
                .iter()
                .find(|c| norm(c) == norm(w))
                .map(|c| (n, c.clone()))
        });
        let loose = || {
            if NOT_COLUMNS.contains(&words[i].as_str().to_lowercase().as_str()) {
                return None;
            }
            (1..=3).rev().find_map(|n| {
                let w = window(n)?;
                // "the customer data" describes data, it names no column.
                let describes_data = DATA_NEXT.is_match(&clause[words[i + n - 1].end()..]);
                if describes_data
                    || names_asset(i)
                    || (i + 1 < words.len() && n == 2 && names_asset(i + 1))
                {
                    return None;
                }
                column(w, columns).map(|c| (n, c))
            })
        };
        match exact.or_else(loose) {
            Some((n, c)) => {
                found.push((words[i].start(), c));
                i += n;
            }
            None => i += 1,
        }
    }
    found
}

/// The columns of the dataset called `name` (or the dataset a model was trained on).
fn columns_of<'g>(name: &str, g: &'g MlGrounding) -> &'g [String] {
    let dataset = g
        .targets
        .iter()
        .find(|(m, _, _)| m == name)
        .map_or(name, |(_, d, _)| d.as_str());
    g.datasets
        .iter()
        .find(|d| d.name == dataset)
        .map_or(&[], |d| d.columns.as_slice())
}

/// The target column a clause names for `dataset`: the first column named
/// right after a cue ("predicting", "for", "drives"…), else the only column named.
fn target(clause: &str, dataset: &str, g: &MlGrounding) -> Option<String> {
    let mentions = column_mentions(clause, columns_of(dataset, g), g);
    let cued = TARGET_CUE.find_iter(clause).find_map(|cue| {
        mentions
            .iter()
            .find(|(at, _)| *at == cue.end())
            .map(|(_, c)| c.clone())
    });
    // "is missed_deadline explained more by priority or by category?"
    let subject = || {
        mentions
            .iter()
            .find(|(at, c)| SUBJECT_OF.is_match(&clause[at + c.len().min(clause.len() - at)..]))
            .map(|(_, c)| c.clone())
    };
    cued.or_else(subject).or_else(|| match mentions.as_slice() {
        [(_, only)] => Some(only.clone()),
        _ => None,
    })
}

fn budget(clause: &str) -> Option<f64> {
    let caps = BUDGET.captures(clause)?;
    let n = match (caps.get(1), caps.get(2).map(|m| m.as_str().to_lowercase())) {
        (Some(digits), _) => digits.as_str().parse().ok()?,
        (None, Some(w)) if w.starts_with("half") => 0.5,
        (None, Some(w)) if w.contains("quarter") => 0.25,
        _ => 1.0,
    };
    let unit = caps.get(3)?.as_str().to_lowercase();
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
            "Which model? None is trained yet: try “train a model on DATASET predicting COLUMN”."
                .into()
        } else {
            format!("Which model? There are {}.", names.join(", "))
        },
    )
}

/// The arguments of an ML tool read from a clause, and what is still missing.
pub fn build(
    tool: &str,
    clause: &str,
    g: &MlGrounding,
    platform: &Platform,
) -> (Map<String, Value>, Option<Gap>) {
    let raw = corrected(clause);
    let clause = &numbers(raw);
    let mut args = Map::new();
    let version = VERSION
        .captures(clause)
        .and_then(|c| c.get(1).or(c.get(2)).or(c.get(3)))
        .and_then(|m| m.as_str().parse::<u32>().ok());
    let path = PATH
        .captures(raw)
        .and_then(|c| c.get(1).or(c.get(2)))
        .map(|m| m.as_str().to_string());
    let at = MlClause {
        clause,
        raw,
        version,
        path,
    };
    let mut missing = None;
    match tool {
        "register_dataset" => args_register_dataset(&at, &mut args, &mut missing),
        "list_datasets" => {}
        "list_models" => args_list_models(&at, g, &mut args),
        "describe_dataset" | "discover_features" | "run_automl" => {
            args_describe_dataset_like(tool, &at, g, platform, &mut args, &mut missing)
        }
        "compare_models" => args_compare_models(&at, g, &mut args, &mut missing),
        _ => model_args(tool, &at, g, platform, &mut args, &mut missing),
    }
    (args, missing)
}

/// A clause read for a data or model tool: with numbers as digits, as
/// typed, and the model version and file path it names.
struct MlClause<'a> {
    clause: &'a str,
    raw: &'a str,
    version: Option<u32>,
    path: Option<String>,
}

/// The arguments of `register_dataset` in a clause, and what to ask when one is missing.
fn args_register_dataset(
    at: &MlClause<'_>,
    args: &mut Map<String, Value>,
    missing: &mut Option<Gap>,
) {
    let raw = at.raw;
    let path = at.path.clone();
    let mut set = setter(args);
    let after = path
        .as_ref()
        .and_then(|p| raw.find(p.as_str()).map(|i| &raw[i + p.len()..]))
        .unwrap_or(raw);
    if let Some(d) = re_capture(
        r#"(?i)(?:\bwith\s+(?:the\s+|a\s+)?description|\bdesc(?:ription)?\s*:?|\bdescribed\s+as)\s*["“']?([^"”']+?)["”']?\s*$"#,
        after,
    ) {
        set("description", json!(d.trim()));
    }
    let after = after.trim_start_matches(['"', '”', '\'']);
    let naming = after.split(['"', '“']).next().unwrap_or(after);
    if let Some(n) = re_capture(
        r"(?i)\b(?:as|called|named|call\s+it|under\s+the\s+name)\s+['\x22“]?([\w-]+)",
        naming,
    )
    .filter(|n| !["a", "an", "the", "dataset", "data", "new"].contains(&n.to_lowercase().as_str()))
    {
        set("name", json!(n));
    }
    match path {
        Some(p) => set("path", json!(p)),
        None => {
            *missing = gap(
                "path",
                "Which CSV file? Give its path, e.g. data/customers.csv.".into(),
            )
        }
    }
}

/// The arguments of `list_models` in a clause, and what to ask when one is missing.
fn args_list_models(at: &MlClause<'_>, g: &MlGrounding, args: &mut Map<String, Value>) {
    let clause = at.clause;
    let mut set = setter(args);
    if let Some(d) = re_capture(
        r"(?i)\b(?:trained\s+on|for|on|from)\s+(?:the\s+)?([\w-]+)",
        clause,
    )
    .and_then(|w| g.datasets.iter().find(|d| norm(&d.name) == norm(&w)))
    {
        set("dataset", json!(d.name));
    }
}

/// The arguments of `describe_dataset` / `discover_features` / `run_automl` in a clause, and what to ask when one is missing.
fn args_describe_dataset_like(
    tool: &str,
    at: &MlClause<'_>,
    g: &MlGrounding,
    platform: &Platform,
    args: &mut Map<String, Value>,
    missing: &mut Option<Gap>,
) {
    let clause = at.clause;
    let mut set = setter(args);
    match dataset(clause, g, platform) {
        Some(d) => {
            set("dataset", json!(d));
            if tool == "describe_dataset" {
                if let Some((_, c)) = column_mentions(clause, columns_of(&d, g), g)
                    .into_iter()
                    .next()
                {
                    set("column", json!(c));
                }
            } else {
                // Retraining a model keeps its target unless another is named.
                let known = g
                    .targets
                    .iter()
                    .rev()
                    .find(|(m, dataset, _)| {
                        *dataset == d && mentions(clause, g).iter().any(|(_, n)| n == m)
                    })
                    .map(|(_, _, t)| t.clone());
                let (without_excluded, excluded) = training::exclusion(clause);
                let excluded: Vec<String> = excluded
                    .map(|text| column_mentions(text, columns_of(&d, g), g))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(_, c)| c)
                    .collect();
                if !excluded.is_empty() {
                    set("exclude", json!(excluded));
                }
                match target(&without_excluded, &d, g).or(known) {
                    Some(t) => set("target", json!(t)),
                    None => {
                        let columns = g
                            .datasets
                            .iter()
                            .find(|k| k.name == d)
                            .map(|k| k.columns.join(", "))
                            .unwrap_or_default();
                        *missing = gap(
                            "target",
                            format!(
                                "Which column of {d} should be predicted? Its columns are {columns}."
                            ),
                        );
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
                if let Some(name) = training::model_name(clause) {
                    set("name", json!(name));
                }
                if let Some(k) = training::folds(clause) {
                    set("folds", json!(k));
                }
                if let Some(seed) = training::seed(clause) {
                    set("seed", json!(seed));
                }
            }
        }
        None => {
            let names: Vec<&str> = g.datasets.iter().map(|d| d.name.as_str()).collect();
            *missing = gap(
                "dataset",
                if names.is_empty() {
                    "Which dataset? None is registered yet: add one with “register data/FILE.csv”."
                        .into()
                } else {
                    format!("Which dataset? There are {}.", names.join(", "))
                },
            );
        }
    }
}

/// The arguments of `compare_models` in a clause, and what to ask when one is missing.
fn args_compare_models(
    at: &MlClause<'_>,
    g: &MlGrounding,
    args: &mut Map<String, Value>,
    missing: &mut Option<Gap>,
) {
    let clause = at.clause;
    let mut set = setter(args);
    let clause = &with_model_word(clause, g);
    let named = mentions(clause, g);
    let mut versions: Vec<(usize, u32)> = VERSION
        .captures_iter(clause)
        .filter_map(|c| {
            let m = c.get(1).or(c.get(2)).or(c.get(3))?;
            Some((m.start(), m.as_str().parse().ok()?))
        })
        .collect();
    if let Ok(more) = Regex::new(r"(?i)\b(?:and|with|vs\.?|versus|to|against)\s+(\d+)\b") {
        versions.extend(more.captures_iter(clause).filter_map(|c| {
            let m = c.get(1)?;
            Some((m.start(), m.as_str().parse().ok()?))
        }));
    }
    // "the 2nd vs the 3rd version": ordinals count when versions are meant.
    if clause.to_lowercase().contains("version")
        && let Ok(ordinal) = Regex::new(r"(?i)\b(\d+)(?:st|nd|rd|th)\b")
    {
        for c in ordinal.captures_iter(clause) {
            if let Some(m) = c.get(1)
                && let Ok(v) = m.as_str().parse::<u32>()
                && !versions.iter().any(|&(at, _)| at == m.start())
            {
                versions.push((m.start(), v));
            }
        }
    }
    versions.sort();
    versions.dedup_by_key(|v| v.0);
    let owner = |at: usize| {
        named
            .iter()
            .rev()
            .find(|(p, _)| *p < at)
            .or(named.first())
            .map(|(_, n)| n.clone())
    };
    let pinned: Vec<String> = versions
        .iter()
        .filter_map(|&(at, v)| Some(format!("{}@{v}", owner(at)?)))
        .collect();
    if pinned.len() >= 2 {
        set("models", json!(pinned));
    } else if !named.is_empty() {
        set(
            "models",
            json!(named.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>()),
        );
    } else {
        *missing = which_model(g);
    }
}

/// The arguments of the model tools (the model, its version, and what each needs besides) in a clause, and what to ask when one is missing.
fn model_args(
    tool: &str,
    at: &MlClause<'_>,
    g: &MlGrounding,
    platform: &Platform,
    args: &mut Map<String, Value>,
    missing: &mut Option<Gap>,
) {
    let clause = at.clause;
    let version = at.version;
    let path = at.path.clone();
    let mut set = setter(args);
    let name = model(clause, g, platform, tool == "predict");
    match &name {
        Some(m) => set("model", json!(m)),
        None => *missing = which_model(g),
    }
    if let Some(v) = version {
        set("version", json!(v));
    }
    match tool {
        "predict" => match path {
            Some(p) => set("path", json!(p)),
            None => {
                *missing = missing
                    .take()
                    .or(gap("path", "Which CSV file should I predict for?".into()))
            }
        },
        "explain_prediction" => match ID
            .captures(clause)
            .and_then(|c| c.get(1).or(c.get(2)).or(c.get(3)))
        {
            Some(id) => set("id", json!(id.as_str())),
            None => {
                *missing = missing.take().or(gap(
                    "id",
                    "Which row? Give its id (e.g. C101042) or row number.".into(),
                ))
            }
        },
        "promote_model" => match stage_named(clause) {
            Some(stage) => set("stage", json!(stage)),
            None => {
                *missing = missing
                    .take()
                    .or(gap("stage", "Which stage: staging or production?".into()))
            }
        },
        "check_bias" => {
            let (column, columns) = bias_column(clause, name.as_deref(), g);
            match column {
                Some(c) => set("column", json!(c)),
                None => {
                    *missing = missing.take().or(gap(
                        "column",
                        format!(
                            "Across which column? For example: {}.",
                            columns
                                .iter()
                                .take(6)
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ))
                }
            }
        }
        _ => {}
    }
}

/// The stage a promotion names: `none` for a demotion, else production or staging.
fn stage_named(clause: &str) -> Option<&'static str> {
    let lower = clause.to_lowercase();
    if [
        "demote",
        "out of production",
        "unstage",
        "to none",
        "no stage",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        Some("none")
    } else if lower.contains("production")
        || lower.contains("prod")
        || lower.contains("ship")
        || lower.contains("deploy")
    {
        Some("production")
    } else if lower.contains("staging") || lower.contains("stage") {
        Some("staging")
    } else {
        None
    }
}

/// The column a bias check is across (the one a group cue or a gender word
/// points at, else the first named that is neither the target nor an id),
/// and the columns it could be.
fn bias_column(
    clause: &str,
    model: Option<&str>,
    g: &MlGrounding,
) -> (Option<String>, Vec<String>) {
    let all: Vec<String> = g
        .datasets
        .iter()
        .flat_map(|d| d.columns.iter().cloned())
        .collect();
    let columns = model.map_or(all.as_slice(), |m| columns_of(m, g));
    let target = model
        .and_then(|m| g.targets.iter().find(|(n, _, _)| n == m))
        .map(|(_, _, t)| t.as_str());
    let id_like = |c: &str| {
        let c = c.to_lowercase();
        c == "id" || c.ends_with("_id")
    };
    let mut named: Vec<(usize, String)> = column_mentions(clause, columns, g)
        .into_iter()
        .filter(|(_, c)| Some(c.as_str()) != target && !id_like(c))
        .collect();
    if let Some(m) = GENDER_WORDS.find(clause)
        && let Some(c) = columns
            .iter()
            .find(|c| ["gender", "sex"].contains(&c.to_lowercase().as_str()))
    {
        named.push((m.start(), c.clone()));
        named.sort();
    }
    let cued = GROUP_CUE
        .find_iter(clause)
        .find_map(|cue| named.iter().find(|(at, _)| *at == cue.end()));
    let column = cued.or(named.first()).map(|(_, c)| c.clone());
    (column, columns.to_vec())
}

fn re_capture(pattern: &str, text: &str) -> Option<String> {
    let caps = Regex::new(pattern).ok()?.captures(text)?;
    caps.iter()
        .skip(1)
        .flatten()
        .next()
        .map(|m| m.as_str().to_string())
}

/// Fills a field an ML call asked for from the person's answer.
pub fn answer(
    field: &str,
    text: &str,
    args: &mut Map<String, Value>,
    g: &MlGrounding,
    platform: &Platform,
) -> Option<Gap> {
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
                None => gap(
                    field,
                    format!("{text:?} is not a column I know; which column?"),
                ),
            }
        }
        "dataset" => match dataset(text, g, platform) {
            Some(d) => {
                args.insert("dataset".into(), json!(d));
                None
            }
            None => gap(
                "dataset",
                format!("{text:?} is not a dataset I know; which one?"),
            ),
        },
        "model" => match model(text, g, platform, false) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn grounding() -> MlGrounding {
        let churn = [
            "customer_id",
            "gender",
            "tenure_months",
            "monthly_charges",
            "payment_method",
            "churned",
        ];
        MlGrounding {
            datasets: vec![
                Known {
                    name: "churn".into(),
                    columns: churn.map(String::from).to_vec(),
                },
                Known {
                    name: "iris".into(),
                    columns: vec!["petal length (cm)".into(), "target".into()],
                },
            ],
            models: vec!["churn".into()],
            targets: vec![("churn".into(), "churn".into(), "churned".into())],
        }
    }

    #[test]
    fn finds_columns_by_loose_names_but_not_the_dataset_name() {
        let g = grounding();
        let churn = columns_of("churn", &g);
        assert_eq!(
            target("what drives churn in the churn data?", "churn", &g).as_deref(),
            Some("churned")
        );
        assert_eq!(
            target("train a model on churn predicting churned", "churn", &g).as_deref(),
            Some("churned")
        );
        assert!(column_mentions("what columns does churn have?", churn, &g).is_empty());
        let found = column_mentions(
            "does it discriminate on payment method or montly charges",
            churn,
            &g,
        );
        let names: Vec<&str> = found.iter().map(|(_, c)| c.as_str()).collect();
        assert_eq!(names, ["payment_method", "monthly_charges"]);
        assert_eq!(
            target("stats on petal length in iris", "iris", &g).as_deref(),
            Some("petal length (cm)")
        );
    }

    #[test]
    fn reads_budgets_metrics_and_intents() {
        assert_eq!(budget("with 2 minutes"), Some(120.0));
        assert_eq!(budget("half a minute"), Some(30.0));
        assert_eq!(budget("30 seconds"), Some(30.0));
        assert_eq!(budget(&numbers("ninety secs")), Some(90.0));
        assert_eq!(budget("can a model be trained on iris as the label"), None);
        assert_eq!(budget("a quarter of an hour"), Some(900.0));
        assert_eq!(budget(&numbers("with a 15 second budget")), Some(15.0));
        assert_eq!(budget("a 15-second budget"), Some(15.0));
        assert_eq!(
            corrected("not iris, wine: describe it"),
            "wine: describe it"
        );
        assert_eq!(
            numbers("the second version, row fifteen"),
            "the 2nd version, row 15"
        );
        assert_eq!(metric("optimise ROC AUC"), Some("roc_auc"));
        assert_eq!(metric("minimise mean absolute error"), Some("mae"));
        let g = grounding();
        assert_eq!(
            intent("global explanation of churn v2 please", &g),
            Some("explain_model")
        );
        assert_eq!(intent("remove churn version 1", &g), Some("delete_model"));
        assert_eq!(intent("thanks, that model card looks great", &g), None);
        assert_eq!(intent("delete the churn report", &g), None);
    }
}
