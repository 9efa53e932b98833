//! Schema-driven slot filling: the tagger says which argument each unit
//! fills; the tool's JSON Schema says what type that argument has. One
//! filler serves every tool: a span gives its resolved value (a person's
//! full name, a date, a number), words give their text as typed.

use serde_json::{Map, Value, json};

use super::spans::{Span, SpanKind};
use super::tagger::{OUTSIDE, Unit};
use super::tokens::Token;

/// What one request says about a tool's arguments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filled {
    /// Arguments with their values.
    pub arguments: Map<String, Value>,
    /// People named for an argument who are not on the team: (argument, name as typed).
    pub unknown_people: Vec<(String, String)>,
    /// Task references in words, to be looked up: (argument, words).
    pub task_words: Vec<(String, String)>,
}

/// The arguments `labels` give `units` of `text`, typed by `schema` (a
/// tool's argument schema). `actor` is who "me" is.
pub fn fill(
    schema: &Value,
    text: &str,
    tokens: &[Token],
    spans: &[Span],
    units: &[Unit],
    labels: &[String],
    actor: Option<&str>,
) -> Filled {
    let mut out = Filled::default();
    let mut i = 0;
    while i < units.len() {
        let field = labels[i].as_str();
        // A run of units with the same label is one value.
        let end = (i..units.len())
            .find(|&j| labels[j] != field)
            .unwrap_or(units.len());
        let Some(kind) = field_type(schema, field).filter(|_| field != OUTSIDE) else {
            i = end;
            continue;
        };
        let run = &units[i..end];
        match run {
            // A span on its own gives its resolved value…
            [Unit { span: Some(k), .. }] => put_span(&mut out, field, &kind, &spans[*k], actor),
            // …several spans of a list each give theirs…
            _ if kind == "array" && run.iter().all(|u| u.span.is_some()) => {
                for k in run.iter().filter_map(|u| u.span) {
                    put_span(&mut out, field, &kind, &spans[k], actor);
                }
            }
            // …and words (with any numbers among them) their text as typed.
            _ => {
                let words = text
                    [tokens[run[0].start].start..tokens[run[run.len() - 1].end - 1].end]
                    .trim_matches(|c: char| c.is_whitespace() || ",.;:!?".contains(c))
                    .to_string();
                put_words(&mut out, field, &kind, words);
            }
        }
        i = end;
    }
    out
}

/// The JSON type of `field` in `schema` ("string", "integer", "number",
/// "array", "boolean"), or `None` when the tool has no such argument.
fn field_type(schema: &Value, field: &str) -> Option<String> {
    let prop = schema.get("properties")?.get(field)?;
    let ty = match &prop["type"] {
        Value::String(t) => Some(t.clone()),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .map(str::to_string),
        _ => None,
    };
    // Enumerations (priority, status, stage) are strings.
    Some(ty.unwrap_or_else(|| "string".into()))
}

fn put_span(out: &mut Filled, field: &str, kind: &str, span: &Span, actor: Option<&str>) {
    let value = match span.kind {
        SpanKind::Me => match actor {
            Some(a) => json!(a),
            None => return,
        },
        SpanKind::Person => match &span.value {
            Value::String(name) => json!(name),
            other => {
                let typed = other["unknown"].as_str().unwrap_or("").to_string();
                out.unknown_people.push((field.to_string(), typed));
                return;
            }
        },
        _ => span.value.clone(),
    };
    let value = match kind {
        "integer" => match value.as_f64() {
            Some(n) if n.fract() == 0.0 => json!(n as i64),
            _ => return,
        },
        "number" => match value.as_f64() {
            Some(n) => json!(n),
            None => return,
        },
        "array" => return append(out, field, [value]),
        _ => match value {
            Value::String(_) => value,
            other => json!(other.to_string()),
        },
    };
    out.arguments.entry(field).or_insert(value);
}

fn put_words(out: &mut Filled, field: &str, kind: &str, words: String) {
    if words.is_empty() {
        return;
    }
    match kind {
        "integer" => out.task_words.push((field.to_string(), words)),
        "array" => {
            let items: Vec<Value> = words
                .split([',', '+', '&'])
                .flat_map(|p| p.split(" and "))
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .map(Value::String)
                .collect();
            append(out, field, items);
        }
        "number" => {
            if let Ok(n) = words.parse::<f64>() {
                out.arguments.entry(field).or_insert(json!(n));
            }
        }
        _ if PERSON_FIELDS.contains(&field) => {
            out.unknown_people.push((field.to_string(), words));
        }
        _ => {
            out.arguments.entry(field).or_insert(json!(words));
        }
    }
}

/// Adds `items` to the list argument `field`.
fn append(out: &mut Filled, field: &str, items: impl IntoIterator<Item = Value>) {
    let list = out
        .arguments
        .entry(field)
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = list {
        list.extend(items);
    }
}

/// Arguments that name a person: words there that the recognisers did not
/// know as someone on the team name nobody, and are asked about.
const PERSON_FIELDS: &[&str] = &["assignee"];

#[cfg(test)]
mod tests {
    use super::super::lexicon::Lexicon;
    use super::super::spans::recognise;
    use super::super::tagger::units;
    use super::super::tokens::tokenize;
    use super::*;
    use maestro_tools::Person;

    #[test]
    fn labelled_units_become_typed_arguments() {
        let schema = json!({"properties": {
            "title": {"type": "string"},
            "assignee": {"type": ["string", "null"]},
            "due": {"type": ["string", "null"]},
            "estimate_hours": {"type": ["number", "null"]},
            "tags": {"type": ["array", "null"]},
        }});
        let lex = Lexicon {
            people: vec![Person {
                name: "Dave Kim".into(),
                email: None,
                slack_id: None,
                skills: vec![],
                capacity: 40.0,
            }],
            today: chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
            ..Lexicon::default()
        };
        let text = "remind dave to renew the TLS certs, by EOM, 3h, tags ops, docs; ask zed";
        let tokens = tokenize(text);
        let spans = recognise(&tokens, &lex);
        let units = units(&tokens, &spans);
        let words: Vec<&str> = units.iter().map(|u| u.text.as_str()).collect();
        let labels: Vec<String> = words
            .iter()
            .enumerate()
            .map(|(i, w)| match (i, *w) {
                (1, _) => "assignee",
                (3..=6, _) => "title",
                (8, _) => "due",
                (9, _) => "estimate_hours",
                (11..=12, _) => "tags",
                (14, _) => "assignee",
                _ => "O",
            })
            .map(str::to_string)
            .collect();
        let filled = fill(&schema, text, &tokens, &spans, &units, &labels, None);
        assert_eq!(
            Value::Object(filled.arguments),
            json!({"assignee": "Dave Kim", "title": "renew the TLS certs", "due": "2026-12-31",
                   "estimate_hours": 3.0, "tags": ["ops", "docs"]}),
            "{words:?}"
        );
        assert_eq!(
            filled.unknown_people,
            [("assignee".to_string(), "zed".to_string())]
        );
    }
}
