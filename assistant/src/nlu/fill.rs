//! Schema-driven slot filling: the tagger says which argument each unit
//! fills; the tool's JSON Schema says what type that argument has. One
//! filler serves every tool: a span gives its resolved value (a person's
//! full name, a date, a number), words give their text as typed.

use serde_json::{Map, Value, json};

use super::moments::{LOCAL_DATE_TIME, MORNING, day_of};
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
    /// The arguments whose values came from recognised spans (not words).
    pub from_spans: Vec<String>,
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
        let run = one_span(&units[i..end], spans);
        match run {
            // A span on its own gives its resolved value…
            [Unit { span: Some(k), .. }] => {
                put_span(&mut out, field, &kind, &spans[*k], actor);
                out.from_spans.push(field.to_string());
            }
            // …several spans of a list each give theirs…
            _ if kind.ty == "array" && run.iter().all(|u| u.span.is_some()) => {
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
    speaker_defaults(schema, actor, &mut out);
    out
}

/// Words that lead into a value without being part of it ("on monday at 10").
const LEADS: &[&str] = &["on", "at", "by", "for", "in"];

/// A run that is one span and nothing else once the words leading into it
/// are left out, or whose spans all mean the same ("give me my digest":
/// "me" and "my"), as that span alone; any other run as it is.
fn one_span<'u>(run: &'u [Unit], spans: &[Span]) -> &'u [Unit] {
    let lead = run
        .iter()
        .take_while(|u| u.span.is_none() && LEADS.contains(&u.text.as_str()))
        .count();
    let rest = &run[lead..];
    let values: Vec<(&SpanKind, &Value)> = rest
        .iter()
        .filter_map(|u| u.span.map(|k| (&spans[k].kind, &spans[k].value)))
        .collect();
    let same = values.len() == rest.len() && values.windows(2).all(|w| w[0] == w[1]);
    match (rest.first(), same) {
        (Some(_), true) => &rest[..1],
        _ => run,
    }
}

/// Arguments whose schema says they default to the speaker
/// (`"x-default": "speaker"`) and that the request left out: the speaker,
/// said explicitly.
fn speaker_defaults(schema: &Value, actor: Option<&str>, out: &mut Filled) {
    let (Some(actor), Some(properties)) = (actor, schema["properties"].as_object()) else {
        return;
    };
    for (name, node) in properties {
        let speaker = resolve(schema, node)["x-default"] == "speaker";
        let named = out.arguments.contains_key(name)
            || out.unknown_people.iter().any(|(field, _)| field == name);
        if speaker && !named {
            out.arguments.insert(name.clone(), json!(actor));
        }
    }
}

/// What the schema says of one argument.
struct Field {
    /// Its JSON type ("string", "integer", "number", "array", "boolean").
    ty: String,
    /// The values it may take, when it is an enumeration.
    consts: Vec<String>,
    /// The JSON type of its items, when it is a list.
    items: Option<String>,
    /// Its format, when the schema gives one (`date`).
    format: Option<String>,
}

/// The argument at `path` ("due", or "changes.assignee" inside an object)
/// of `schema`, or `None` when the tool has no such argument.
fn field_type(schema: &Value, path: &str) -> Option<Field> {
    let mut node = schema;
    for part in path.split('.') {
        node = resolve(schema, node).get("properties")?.get(part)?;
    }
    let node = resolve(schema, node);
    let consts: Vec<String> = node["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["const"].as_str().map(str::to_string))
        .collect();
    Some(Field {
        ty: json_type(node).unwrap_or_else(|| "string".into()),
        consts,
        items: json_type(resolve(schema, &node["items"])),
        format: node["format"].as_str().map(str::to_string),
    })
}

/// A schema node's type, `null` aside.
fn json_type(node: &Value) -> Option<String> {
    match &node["type"] {
        Value::String(t) => Some(t.clone()),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .map(str::to_string),
        _ => None,
    }
}

/// A schema node with `$ref`s and nullable `anyOf`s followed.
fn resolve<'s>(root: &'s Value, node: &'s Value) -> &'s Value {
    if let Some(name) = node["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        return resolve(root, &root["$defs"][name]);
    }
    match node["anyOf"].as_array() {
        Some(options) => options
            .iter()
            .find(|o| o["type"] != "null")
            .map_or(node, |o| resolve(root, o)),
        None => node,
    }
}

/// The enumeration value `words` mean ("in progress" → `in_progress`,
/// "finished" → `done`, "outstanding" → `open`), if one.
fn enum_value(consts: &[String], words: &str) -> Option<String> {
    let key = words.trim().to_lowercase().replace([' ', '-'], "_");
    const SYNONYMS: &[(&str, &[&str])] = &[
        (
            "done",
            &[
                "complete",
                "completed",
                "finished",
                "closed",
                "resolved",
                "close",
                "finish",
                "close_out",
            ],
        ),
        (
            "in_progress",
            &[
                "started", "underway", "ongoing", "wip", "start", "begin", "kick_off", "pick_up",
            ],
        ),
        ("todo", &["to_do", "not_started", "reopened", "new"]),
        (
            "open",
            &[
                "outstanding",
                "remaining",
                "unfinished",
                "not_done",
                "pending",
            ],
        ),
        ("production", &["prod"]),
    ];
    let canonical = SYNONYMS
        .iter()
        .find(|(_, words)| words.contains(&key.as_str()))
        .map_or(key.as_str(), |(c, _)| c);
    consts.iter().find(|c| *c == canonical).cloned()
}

/// The object that holds the argument at `path`, made as needed, and the
/// argument's own name.
fn slot<'m>(
    args: &'m mut Map<String, Value>,
    path: &'m str,
) -> Option<(&'m mut Map<String, Value>, &'m str)> {
    match path.split_once('.') {
        None => Some((args, path)),
        Some((head, rest)) => {
            let inner = args
                .entry(head)
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()?;
            slot(inner, rest)
        }
    }
}

fn put_span(out: &mut Filled, field: &str, kind: &Field, span: &Span, actor: Option<&str>) {
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
        // Field names carry their unit: "90 mins" of work is 1.5 hours.
        SpanKind::Seconds if field.ends_with("hours") => span
            .value
            .as_f64()
            .map_or(Value::Null, |s| json!(s / 3600.0)),
        SpanKind::Hours if field.ends_with("seconds") => span
            .value
            .as_f64()
            .map_or(Value::Null, |h| json!(h * 3600.0)),
        // A moment given for a day is its day ("due friday at 3pm")…
        SpanKind::Moment if kind.format.as_deref() == Some("date") => {
            match span.value.as_str().and_then(day_of) {
                Some(day) => json!(day.to_string()),
                None => return,
            }
        }
        // …and a day given for a moment is its morning ("on friday").
        SpanKind::Date if kind.format.as_deref() == Some(LOCAL_DATE_TIME) => {
            match span.value.as_str() {
                Some(day) => json!(format!("{day}T{MORNING}")),
                None => return,
            }
        }
        _ => span.value.clone(),
    };
    let value = match kind.ty.as_str() {
        "integer" => match value.as_f64() {
            Some(n) if n.fract() == 0.0 => json!(n as i64),
            _ => return,
        },
        "number" => match value.as_f64() {
            Some(n) => json!(n),
            None => return,
        },
        // A list of words takes no numbers ("90 mins" is not a tag).
        "array" if kind.items.as_deref() == Some("string") && !value.is_string() => return,
        "array" => return append(out, field, [value]),
        _ if !kind.consts.is_empty() => {
            match value.as_str().and_then(|v| enum_value(&kind.consts, v)) {
                Some(v) => json!(v),
                None => return,
            }
        }
        _ => match value {
            Value::String(_) => value,
            other => json!(other.to_string()),
        },
    };
    set(out, field, value);
}

/// Sets the argument at `path` unless it is set already.
fn set(out: &mut Filled, path: &str, value: Value) {
    if let Some((map, name)) = slot(&mut out.arguments, path) {
        map.entry(name).or_insert(value);
    }
}

fn put_words(out: &mut Filled, field: &str, kind: &Field, words: String) {
    if words.is_empty() {
        return;
    }
    match kind.ty.as_str() {
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
                set(out, field, json!(n));
            }
        }
        "boolean" => set(out, field, json!(true)),
        _ if !kind.consts.is_empty() => {
            if let Some(v) = enum_value(&kind.consts, &words) {
                set(out, field, json!(v));
            }
        }
        _ if PERSON_FIELDS.iter().any(|f| field.ends_with(f)) => {
            out.unknown_people.push((field.to_string(), words));
        }
        _ => set(out, field, json!(words)),
    }
}

/// Adds `items` to the list argument `field`.
fn append(out: &mut Filled, field: &str, items: impl IntoIterator<Item = Value>) {
    let Some((map, name)) = slot(&mut out.arguments, field) else {
        return;
    };
    if let Value::Array(list) = map.entry(name).or_insert_with(|| Value::Array(Vec::new())) {
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
                timezone: None,
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
                (9, _) => "due",
                (11, _) => "estimate_hours",
                (14..=16, _) => "tags",
                (19, _) => "assignee",
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

    #[test]
    fn a_list_of_words_takes_no_number() {
        let schema = json!({"properties": {
            "tags": {"type": ["array", "null"], "items": {"type": "string"}},
        }});
        let text = "tags 90 mins";
        let tokens = tokenize(text);
        let spans = recognise(&tokens, &Lexicon::default());
        let units = units(&tokens, &spans);
        assert_eq!(units.len(), 2, "{units:?}");
        let labels: Vec<String> = ["O", "tags"].map(String::from).to_vec();
        let filled = fill(&schema, text, &tokens, &spans, &units, &labels, None);
        assert_eq!(Value::Object(filled.arguments), json!({}));
    }

    /// What `text` fills when each unit gets the label the closure gives
    /// its text (others "O"), spoken by Ann Lee on Tuesday 8 December 10:00.
    fn filled_by(schema: &Value, text: &str, label: impl Fn(&str) -> &'static str) -> Value {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let lex = Lexicon {
            actor: Some("Ann Lee".into()),
            today: day,
            now: day.and_hms_opt(10, 0, 0).unwrap(),
            ..Lexicon::default()
        };
        let tokens = tokenize(text);
        let spans = recognise(&tokens, &lex);
        let units = units(&tokens, &spans);
        let labels: Vec<String> = units.iter().map(|u| label(&u.text).to_string()).collect();
        let filled = fill(
            schema,
            text,
            &tokens,
            &spans,
            &units,
            &labels,
            Some("Ann Lee"),
        );
        Value::Object(filled.arguments)
    }

    #[test]
    fn moments_and_days_fit_the_format_their_argument_takes() {
        let reminder = json!({"properties": {
            "at": {"type": "string", "format": "local-date-time"},
            "person": {"type": ["string", "null"], "x-default": "speaker"},
        }});
        let at = |u: &str| {
            if u == "on" || u == "<time>" {
                "at"
            } else {
                "O"
            }
        };
        // "on" leads into the moment without being part of it.
        assert_eq!(
            filled_by(&reminder, "remind me on friday at 10", at),
            json!({"at": "2026-12-11T10:00", "person": "Ann Lee"})
        );
        // A day alone is its morning; nobody named is the speaker.
        assert_eq!(
            filled_by(&reminder, "remind me friday", |u| if u == "<date>" {
                "at"
            } else {
                "O"
            }),
            json!({"at": "2026-12-11T09:00", "person": "Ann Lee"})
        );
        let task = json!({"properties": {"due": {"type": ["string", "null"], "format": "date"}}});
        assert_eq!(
            filled_by(&task, "due friday at 3pm", |u| if u == "<time>" {
                "due"
            } else {
                "O"
            }),
            json!({"due": "2026-12-11"}),
            "a moment given for a day is its day"
        );
    }

    #[test]
    fn spans_that_mean_the_same_person_are_one_value() {
        let schema = json!({"properties": {"person": {"type": ["string", "null"]}}});
        let person = |u: &str| if u == "<me>" { "person" } else { "O" };
        assert_eq!(
            filled_by(&schema, "give me my digest", person),
            json!({"person": "Ann Lee"})
        );
    }
}
