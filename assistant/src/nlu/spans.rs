//! Deterministic recognisers: typed, resolved spans over a request's tokens.
//!
//! Each token belongs to at most one span. Recognisers run in order of how
//! sure they are: quoted text, pasted things (mentions, e-mails, paths, task
//! numbers, tags), dates, quantities with a unit (hours, seconds, versions),
//! closed word lists (priorities, metrics, stages), the workspace's names
//! (people, "me", projects, datasets, models, columns, skills), then bare numbers.

use serde::Serialize;
use serde_json::{Value, json};

use super::dates::{self, date_at};
use super::lexicon::{Lexicon, column_words, is_common_word};
use super::moments::{dated_moment, moment_at, moment_value};
use super::recurrence::recurrence_at;
use super::tokens::Token;

/// What a span is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    /// Text in quotes (a title, a description).
    Quoted,
    /// A calendar day.
    Date,
    /// How often something recurs (its value is an RRULE).
    Recurrence,
    /// A day and a time of day (its value is `YYYY-MM-DDTHH:MM`, local).
    Moment,
    /// A number of hours of work.
    Hours,
    /// A time budget in seconds.
    Seconds,
    /// A task by number (`#12`, "task 12").
    TaskRef,
    /// Someone on the team, or a name that looks like a person's.
    Person,
    /// The speaker ("me", "my", "I").
    Me,
    /// A project.
    Project,
    /// A dataset (its name may be a model's too).
    Dataset,
    /// A model that is not a dataset's name.
    Model,
    /// A dataset column.
    Column,
    /// A model version.
    Version,
    /// A task priority.
    Priority,
    /// A model metric.
    Metric,
    /// A model stage.
    Stage,
    /// A skill someone on the team has.
    Skill,
    /// A `#tag`.
    Tag,
    /// An e-mail address.
    Email,
    /// A file path.
    Path,
    /// A plain number.
    Number,
}

impl SpanKind {
    /// The placeholder the span becomes in the intent model's view of the text.
    pub fn placeholder(self) -> &'static str {
        match self {
            SpanKind::Quoted => "<quoted>",
            SpanKind::Date => "<date>",
            SpanKind::Recurrence => "<rule>",
            SpanKind::Moment => "<time>",
            SpanKind::Hours => "<hours>",
            SpanKind::Seconds => "<seconds>",
            SpanKind::TaskRef => "<task>",
            SpanKind::Person => "<person>",
            SpanKind::Me => "<me>",
            SpanKind::Project => "<project>",
            SpanKind::Dataset => "<dataset>",
            SpanKind::Model => "<model>",
            SpanKind::Column => "<column>",
            SpanKind::Version => "<version>",
            SpanKind::Priority => "<priority>",
            SpanKind::Metric => "<metric>",
            SpanKind::Stage => "<stage>",
            SpanKind::Skill => "<skill>",
            SpanKind::Tag => "<tag>",
            SpanKind::Email => "<email>",
            SpanKind::Path => "<path>",
            SpanKind::Number => "<number>",
        }
    }
}

/// A recognised span: tokens `start..end`, what it is and what it means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    /// First token.
    pub start: usize,
    /// Just past the last token.
    pub end: usize,
    /// What it is.
    pub kind: SpanKind,
    /// What it means: a date as `YYYY-MM-DD`, a number, a person's full
    /// name (or the name as typed with `"known": false`), a column's name…
    pub value: Value,
}

/// Every span in `tokens`, in text order.
pub fn recognise(tokens: &[Token], lex: &Lexicon) -> Vec<Span> {
    let mut found = Found {
        taken: vec![false; tokens.len()],
        spans: Vec::new(),
    };
    quoted(tokens, &mut found);
    each(tokens, &mut found, |t, i| pasted(t, i, lex));
    each(tokens, &mut found, |t, i| {
        recurrence_at(t, i, lex.today, lex.dates)
            .map(|(len, rule)| (len, SpanKind::Recurrence, json!(rule)))
    });
    each(tokens, &mut found, |t, i| {
        dated_moment(t, i, lex.now, lex.dates)
            .or_else(|| moment_at(t, i, lex.now, lex.dates))
            .map(|m| (m.len, SpanKind::Moment, json!(moment_value(m.at))))
    });
    each(tokens, &mut found, |t, i| {
        date_at(t, i, lex.today, lex.dates).map(|m| {
            let value = json!(m.date.to_string());
            (m.len, SpanKind::Date, value)
        })
    });
    each(tokens, &mut found, quantity);
    each(tokens, &mut found, closed_word);
    each(tokens, &mut found, |t, i| name(t, i, lex));
    let datasets: Vec<String> = found
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::Dataset)
        .filter_map(|s| s.value.as_str().map(str::to_string))
        .collect();
    each(tokens, &mut found, |t, i| column(t, i, lex, &datasets));
    each(tokens, &mut found, number);
    found.spans.sort_by_key(|s| s.start);
    found.spans
}

struct Found {
    taken: Vec<bool>,
    spans: Vec<Span>,
}

impl Found {
    fn free(&self, start: usize, end: usize) -> bool {
        end <= self.taken.len() && !self.taken[start..end].iter().any(|t| *t)
    }

    fn add(&mut self, start: usize, end: usize, kind: SpanKind, value: Value) {
        self.taken[start..end].iter_mut().for_each(|t| *t = true);
        self.spans.push(Span {
            start,
            end,
            kind,
            value,
        });
    }
}

/// Runs one recogniser at every free token, left to right.
fn each(
    tokens: &[Token],
    found: &mut Found,
    recogniser: impl Fn(&[Token], usize) -> Option<(usize, SpanKind, Value)>,
) {
    let mut i = 0;
    while i < tokens.len() {
        let hit = found
            .free(i, i + 1)
            .then(|| recogniser(tokens, i))
            .flatten()
            .filter(|(len, _, _)| *len > 0 && found.free(i, i + len));
        match hit {
            Some((len, kind, value)) => {
                found.add(i, i + len, kind, value);
                i += len;
            }
            None => i += 1,
        }
    }
}

fn is_quote(t: &Token) -> bool {
    matches!(t.text.as_str(), "\"" | "“" | "”" | "'" | "‘" | "’")
}

/// Text between a pair of quotes.
fn quoted(tokens: &[Token], found: &mut Found) {
    let mut i = 0;
    while i < tokens.len() {
        let open = &tokens[i];
        let opens = is_quote(open) && tokens.get(i + 1).is_some_and(|t| !is_quote(t));
        if let Some(close) = opens
            .then(|| (i + 2..tokens.len()).find(|&j| is_quote(&tokens[j])))
            .flatten()
        {
            let text = open_text(tokens, i + 1, close);
            found.add(i, close + 1, SpanKind::Quoted, json!(text));
            i = close + 1;
        } else {
            i += 1;
        }
    }
}

/// The request's text from token `start` to just before `end`, as typed.
fn open_text(tokens: &[Token], start: usize, end: usize) -> String {
    let mut out = String::new();
    for (k, t) in tokens[start..end].iter().enumerate() {
        if k > 0 && t.start > tokens[start + k - 1].end {
            out.push(' ');
        }
        out.push_str(&t.text);
    }
    out
}

/// Things people paste whole: Slack mentions, e-mails, paths, `#12`, `#tag`,
/// "task 12".
fn pasted(tokens: &[Token], i: usize, lex: &Lexicon) -> Option<(usize, SpanKind, Value)> {
    let t = &tokens[i];
    let w = t.lower.as_str();
    if let Some(id) = w.strip_prefix("<@").and_then(|r| r.strip_suffix('>')) {
        let id = id.split('|').next().unwrap_or(id).to_uppercase();
        return Some((1, SpanKind::Person, person_value(lex, &id)));
    }
    if w.contains('@') && w.contains('.') && !w.starts_with('@') && !w.contains('/') {
        return Some((1, SpanKind::Email, json!(t.text)));
    }
    let file_like = w.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && (2..=5).contains(&ext.len()) && ext.chars().all(char::is_alphabetic)
    });
    if (w.contains('/') && file_like) || w.starts_with("~/") || w.starts_with("./") {
        return Some((1, SpanKind::Path, json!(t.text)));
    }
    if let Some(rest) = w.strip_prefix('#') {
        if let Ok(n) = rest.parse::<i64>() {
            return Some((1, SpanKind::TaskRef, json!(n)));
        }
        if rest.chars().next().is_some_and(char::is_alphabetic) {
            return Some((1, SpanKind::Tag, json!(rest)));
        }
    }
    if matches!(w, "task" | "ticket" | "issue" | "todo" | "card" | "item") {
        let next = tokens.get(i + 1)?.lower.trim_start_matches('#').to_string();
        let n: i64 = next.parse().ok()?;
        return Some((2, SpanKind::TaskRef, json!(n)));
    }
    None
}

fn person_value(lex: &Lexicon, id: &str) -> Value {
    match lex.person(id) {
        Some(p) => json!(p.name),
        None => json!({"unknown": id}),
    }
}

/// Hours of work ("6h", "5 hours"), budgets ("90s", "2 min") and versions
/// ("v2", "version 3").
fn quantity(tokens: &[Token], i: usize) -> Option<(usize, SpanKind, Value)> {
    let w = tokens[i].lower.as_str();
    if let Some(v) = w.strip_prefix('v').and_then(|n| n.parse::<u32>().ok()) {
        return Some((1, SpanKind::Version, json!(v)));
    }
    if w == "version" {
        let v: u32 = tokens.get(i + 1)?.lower.parse().ok()?;
        return Some((2, SpanKind::Version, json!(v)));
    }
    let split = w.find(|c: char| !(c.is_ascii_digit() || c == '.'));
    let (num, unit, len) = match split {
        Some(0) => return None,
        Some(at) => (&w[..at], &w[at..], 1),
        None => (w, tokens.get(i + 1).map_or("", |t| t.lower.as_str()), 2),
    };
    let n = number_word(num)?;
    if let Some(h) = hours_unit(unit) {
        return Some((len, SpanKind::Hours, json!(n * h)));
    }
    let seconds = match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        _ => return None,
    };
    Some((len, SpanKind::Seconds, json!(n * seconds)))
}

fn hours_unit(unit: &str) -> Option<f64> {
    match unit {
        "h" | "hr" | "hrs" | "hour" | "hours" => Some(1.0),
        _ => None,
    }
}

/// A number as digits or a word ("3", "2.5", "three").
pub fn number_word(w: &str) -> Option<f64> {
    if let Ok(n) = w.parse::<f64>() {
        return n.is_finite().then_some(n);
    }
    dates::count(w)
        .filter(|_| w.chars().all(char::is_alphabetic) && !matches!(w, "a" | "an"))
        .map(|n| n as f64)
}

/// Priorities, metrics and stages.
fn closed_word(tokens: &[Token], i: usize) -> Option<(usize, SpanKind, Value)> {
    let w = |k: usize| tokens.get(i + k).map_or("", |t| t.lower.as_str());
    let pri = |p: &str| Some(json!(p));
    let two = |a: &str| {
        matches!(
            w(1),
            "pri" | "prio" | "priority" | "priorty" | "pri." | "prio."
        ) && w(0) == a
    };
    let hyphenated = w(0)
        .strip_suffix("-priority")
        .or_else(|| w(0).strip_suffix("-pri"));
    if let Some(level @ ("high" | "low" | "medium" | "top")) = hyphenated {
        let level = if level == "top" { "urgent" } else { level };
        return Some((1, SpanKind::Priority, json!(level)));
    }
    let priority = match w(0) {
        "top" if two("top") => Some((2, pri("urgent"))),
        "high" | "low" | "medium" if two(w(0)) => Some((2, pri(w(0)))),
        "urgent" | "urgently" | "critical" | "p0" => Some((1, pri("urgent"))),
        "no" if w(1) == "rush" => Some((2, pri("low"))),
        "p1" => Some((1, pri("high"))),
        "p2" => Some((1, pri("medium"))),
        "p3" => Some((1, pri("low"))),
        "high" | "low" | "medium" | "normal" => {
            Some((1, pri(if w(0) == "normal" { "medium" } else { w(0) })))
        }
        _ => None,
    };
    if let Some((len, value)) = priority {
        return Some((len, SpanKind::Priority, value?));
    }
    let metric = match (w(0), w(1)) {
        ("roc", "auc") => Some((2, "roc_auc")),
        ("log", "loss") => Some((2, "log_loss")),
        ("balanced", "accuracy") => Some((2, "balanced_accuracy")),
        ("auc" | "roc_auc" | "auroc", _) => Some((1, "roc_auc")),
        ("f1" | "f1-score", _) => Some((1, "f1")),
        ("accuracy", _) => Some((1, "accuracy")),
        ("rmse", _) => Some((1, "rmse")),
        ("mae", _) => Some((1, "mae")),
        ("r2" | "r²", _) => Some((1, "r2")),
        ("log_loss" | "logloss", _) => Some((1, "log_loss")),
        _ => None,
    };
    if let Some((len, m)) = metric {
        return Some((len, SpanKind::Metric, json!(m)));
    }
    let stage = match w(0) {
        "production" | "prod" | "@prod" | "@production" => "production",
        "staging" | "@staging" => "staging",
        _ => return None,
    };
    Some((1, SpanKind::Stage, json!(stage)))
}

/// The workspace's names: people, the speaker, projects, datasets, models, skills.
fn name(tokens: &[Token], i: usize, lex: &Lexicon) -> Option<(usize, SpanKind, Value)> {
    let w = tokens[i].lower.as_str();
    if matches!(
        w,
        "me" | "my" | "i" | "myself" | "mine" | "i'm" | "i've" | "i'll"
    ) {
        return Some((1, SpanKind::Me, json!(lex.actor)));
    }
    // The longest name that starts here: projects and people run to several words.
    for len in (1..=3).rev() {
        if i + len > tokens.len() || tokens[i..i + len].iter().any(Token::is_punct) {
            continue;
        }
        let words = tokens[i..i + len]
            .iter()
            .map(|t| t.lower.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(p) = lex.projects.iter().find(|p| p.to_lowercase() == words) {
            return Some((len, SpanKind::Project, json!(p)));
        }
        if let Some((d, _)) = lex.datasets.iter().find(|(d, _)| same_name(d, &words)) {
            return Some((len, SpanKind::Dataset, json!(d)));
        }
        if let Some(m) = lex.models.iter().find(|m| same_name(m, &words)) {
            return Some((len, SpanKind::Model, json!(m)));
        }
        let at_name = len == 1 && w.starts_with('@');
        if let Some(p) = (len <= 2 || at_name).then(|| lex.person(&words)).flatten() {
            return Some((len, SpanKind::Person, json!(p.name)));
        }
        if len == 1 && lex.skills.contains(&words) {
            return Some((1, SpanKind::Skill, json!(words)));
        }
    }
    w.strip_prefix('@')
        .filter(|n| n.chars().all(char::is_alphanumeric) && !n.is_empty())
        .map(|n| (1, SpanKind::Person, json!({"unknown": n})))
}

fn same_name(name: &str, words: &str) -> bool {
    let name = name.to_lowercase();
    name == words || name.replace(['_', '-'], " ") == words
}

/// A column of a dataset the request names (or of any dataset): its exact
/// name, its words ("monthly charges"), or a word only one column has
/// ("tenure" → `tenure_months`).
fn column(
    tokens: &[Token],
    i: usize,
    lex: &Lexicon,
    datasets: &[String],
) -> Option<(usize, SpanKind, Value)> {
    let columns: Vec<&str> = if datasets.is_empty() {
        lex.columns(None)
    } else {
        datasets.iter().flat_map(|d| lex.columns(Some(d))).collect()
    };
    if columns.is_empty() || tokens[i].is_punct() {
        return None;
    }
    for len in (1..=4).rev() {
        if i + len > tokens.len() {
            continue;
        }
        let typed = tokens[i..i + len]
            .iter()
            .map(|t| t.lower.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let exact: Vec<&&str> = columns
            .iter()
            .filter(|c| c.to_lowercase() == typed || column_words(c) == typed.replace('_', " "))
            .collect();
        if let Some(c) = exact.first() {
            return Some((len, SpanKind::Column, json!(c)));
        }
    }
    let w = tokens[i].lower.as_str();
    if w.len() < 4 || is_common_word(w) {
        return None;
    }
    let partial: Vec<&&str> = columns
        .iter()
        .filter(|c| column_words(c).split(' ').any(|part| part == w))
        .collect();
    let mut distinct: Vec<&str> = partial.iter().map(|c| **c).collect();
    distinct.dedup();
    match distinct.as_slice() {
        [only] => Some((1, SpanKind::Column, json!(only))),
        _ => None,
    }
}

/// Numbers left over ("top 3", "limit 5", "3 folds").
fn number(tokens: &[Token], i: usize) -> Option<(usize, SpanKind, Value)> {
    number_word(&tokens[i].lower).map(|n| (1, SpanKind::Number, json!(n)))
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;
    use chrono::NaiveDate;
    use maestro_tools::Person;

    fn lexicon() -> Lexicon {
        let person = |n: &str, slack: &str| Person {
            name: n.into(),
            email: None,
            slack_id: Some(slack.into()),
            skills: vec![],
            capacity: 40.0,
            timezone: None,
        };
        Lexicon {
            people: vec![
                person("Alice Johnson", "U01ALICE"),
                person("Bob Smith", "U02BOB"),
            ],
            actor: Some("Alice Johnson".into()),
            projects: vec!["Mobile App".into(), "Billing".into()],
            skills: vec!["postgres".into()],
            datasets: vec![(
                "churn".into(),
                vec![
                    "tenure_months".into(),
                    "monthly_charges".into(),
                    "churned".into(),
                ],
            )],
            models: vec![],
            today: NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
            now: NaiveDate::from_ymd_opt(2026, 12, 8)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap(),
            dates: Default::default(),
        }
    }

    fn spans(text: &str) -> Vec<(SpanKind, Value)> {
        recognise(&tokenize(text), &lexicon())
            .into_iter()
            .map(|s| (s.kind, s.value))
            .collect()
    }

    #[test]
    fn a_busy_request_is_taken_apart() {
        use SpanKind::*;
        assert_eq!(
            spans("pls add 'Load test it' for bbo in mobile app, high pri, 8h, due 12/15 #perf"),
            [
                (Quoted, json!("Load test it")),
                (Person, json!("Bob Smith")),
                (Project, json!("Mobile App")),
                (Priority, json!("high")),
                (Hours, json!(8.0)),
                (Date, json!("2026-12-15")),
                (Tag, json!("perf")),
            ]
        );
    }

    #[test]
    fn mentions_task_numbers_me_and_unknown_people() {
        use SpanKind::*;
        assert_eq!(
            spans("assign task 3 to <@U02BOB> and #4 to me, ask @zed"),
            [
                (TaskRef, json!(3)),
                (Person, json!("Bob Smith")),
                (TaskRef, json!(4)),
                (Me, json!("Alice Johnson")),
                (Person, json!({"unknown": "zed"})),
            ]
        );
    }

    #[test]
    fn data_words_become_datasets_columns_metrics_and_budgets() {
        use SpanKind::*;
        assert_eq!(
            spans("train churn on churned w/ roc auc, drop tenure, 2 min, v3 to prod"),
            [
                (Dataset, json!("churn")),
                (Column, json!("churned")),
                (Metric, json!("roc_auc")),
                (Column, json!("tenure_months")),
                (Seconds, json!(120.0)),
                (Version, json!(3)),
                (Stage, json!("production")),
            ]
        );
        assert_eq!(
            spans("who knows postgres? top 3"),
            [(Skill, json!("postgres")), (Number, json!(3.0))]
        );
    }
}
