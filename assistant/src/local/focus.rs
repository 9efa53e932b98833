//! References to what the conversation is about: "it", "that one", "the
//! first one", "the erin one", "dave's" resolve against the tasks last
//! created, touched or listed; "no, Friday" and "make that high priority
//! instead" amend the last change.

use maestro_tools::Platform;
use serde_json::{Map, Value, json};

use crate::nlu::lexicon::Lexicon;
use crate::nlu::moments::day_of;
use crate::nlu::spans::{SpanKind, recognise};
use crate::nlu::tokens::tokenize;
use crate::plan::{Call, Focus};

/// Words that point at the one task in focus.
const POINTERS: &[&str] = &["it", "that", "this", "them", "its", "it's"];

/// Words that pick one task of a list in focus, with its position (-1: the last).
const ORDINALS: &[(&str, isize)] = &[
    ("first", 0),
    ("1st", 0),
    ("second", 1),
    ("2nd", 1),
    ("third", 2),
    ("3rd", 2),
    ("fourth", 3),
    ("4th", 3),
    ("fifth", 4),
    ("5th", 4),
    ("last", -1),
];

/// The task in focus that `words` (what is left of a clause once its other
/// parts are read) point at, if they point at one: "it" with one task in
/// focus, "the second one" of a list, "the erin one" or "dave's" among them.
pub fn task(words: &str, focus: &Focus, platform: &Platform, lex: &Lexicon) -> Option<i64> {
    if focus.tasks.is_empty() {
        return None;
    }
    let tokens = tokenize(words);
    let lower: Vec<&str> = tokens.iter().map(|t| t.lower.as_str()).collect();
    if let Some(&(_, at)) = ORDINALS.iter().find(|(w, _)| lower.contains(w)) {
        let index = if at < 0 {
            focus.tasks.len().checked_sub(1)?
        } else {
            at as usize
        };
        return focus.tasks.get(index).copied();
    }
    let named: Vec<String> = recognise(&tokens, lex)
        .into_iter()
        .filter(|s| s.kind == SpanKind::Person)
        .filter_map(|s| s.value.as_str().map(str::to_string))
        .collect();
    if let [person] = named.as_slice() {
        let theirs: Vec<i64> = focus
            .tasks
            .iter()
            .copied()
            .filter(|id| {
                platform
                    .lookup(None)
                    .task(*id)
                    .is_ok_and(|t| t.assignee.as_deref() == Some(person.as_str()))
            })
            .collect();
        if let [only] = theirs.as_slice() {
            return Some(*only);
        }
    }
    let points = lower.iter().any(|w| POINTERS.contains(w));
    match (focus.task, focus.tasks.as_slice()) {
        (Some(id), _) if points => Some(id),
        (None, [only]) if points => Some(*only),
        _ => None,
    }
}

/// Whether `words` point at something already in the conversation ("it",
/// "that", "this one").
pub fn points(words: &str) -> bool {
    tokenize(words)
        .iter()
        .any(|t| POINTERS.contains(&t.lower.as_str()))
}

/// Openings of a follow-up that asks the same again about something else.
const FOLLOW_UPS: &[&str] = &[
    "what about",
    "how about",
    "and what about",
    "same for",
    "and for",
];

/// The tool of the last call when `text` asks the same about something else
/// ("what about the tenure column?").
pub fn follow_up<'f>(text: &str, focus: &'f Focus) -> Option<&'f str> {
    let lower = text.trim().to_lowercase();
    let previous = focus.previous.as_ref()?;
    FOLLOW_UPS
        .iter()
        .any(|f| lower.starts_with(f))
        .then_some(previous.tool.as_str())
}

/// Openings of a correction to the last change.
const AMENDS: &[&str] = &[
    "no",
    "nope",
    "actually",
    "wait",
    "sorry",
    "oops",
    "i meant",
    "make that",
    "make it",
    "change that",
    "change it",
    "instead",
];

/// Words that may surround the details of a follow-up ("and due tmrw",
/// "high priority pls", "estimate 3h", "assign to me").
const DETAIL_GLUE: &[&str] = &[
    "and", "also", "oh", "it", "its", "it's", "make", "set", "to", "due", "by", "priority", "prio",
    "pls", "please", "estimate", "est", "at", "the", "a", "for", "assign", "give", "with", "ok",
    "then", "on", "put", "in", "project", "plus",
];

/// Words that start a list of tags ("and tag it infra").
const TAG_WORDS: &[&str] = &["tag", "tags", "tagged", "label"];

/// "no, Friday", "actually make it urgent", "make that high priority
/// instead", or details alone ("and due tmrw", "high priority pls"): the
/// last change's task updated with the values the text gives (given to
/// whoever it names, when that is all it says).
pub fn correction(text: &str, focus: &Focus, lex: &Lexicon) -> Option<Call> {
    let last = focus.last.as_ref()?;
    let id = focus.task?;
    let lower = text.trim().to_lowercase();
    let amends = AMENDS.iter().any(|a| {
        lower.starts_with(a) && lower[a.len()..].starts_with(|c: char| !c.is_alphanumeric())
    }) || lower.contains("instead");
    if !last.tool.contains("task") {
        return None;
    }
    let tokens = tokenize(text);
    let spans = recognise(&tokens, lex);
    let mut arguments = Map::new();
    arguments.insert("id".into(), json!(id));
    for span in &spans {
        let field = match span.kind {
            SpanKind::Date | SpanKind::Moment => "due",
            SpanKind::Priority => "priority",
            SpanKind::Person | SpanKind::Me => "assignee",
            SpanKind::Project => "project",
            SpanKind::Hours => "estimate_hours",
            _ => continue,
        };
        let value = match (&span.kind, &span.value) {
            (SpanKind::Me, _) => lex.actor.clone().map(Value::String),
            (SpanKind::Moment, Value::String(at)) => day_of(at).map(|d| json!(d.to_string())),
            (_, Value::String(_) | Value::Number(_)) => Some(span.value.clone()),
            _ => None,
        };
        if let Some(value) = value {
            arguments.entry(field).or_insert(value);
        }
    }
    let words: Vec<&str> = tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| !t.is_punct() && !spans.iter().any(|s| (s.start..s.end).contains(i)))
        .map(|(_, t)| t.lower.as_str())
        .collect();
    let tags_at = words.iter().position(|w| TAG_WORDS.contains(w));
    if tags_at.is_some() {
        // Tags are words as typed, even those that name a skill.
        let typed: Vec<&str> = tokens
            .iter()
            .filter(|t| !t.is_punct())
            .map(|t| t.lower.as_str())
            .collect();
        let after = typed
            .iter()
            .position(|w| TAG_WORDS.contains(w))
            .map_or(0, |i| i + 1);
        let tags: Vec<&str> = typed[after..]
            .iter()
            .copied()
            .filter(|w| !DETAIL_GLUE.contains(w))
            .collect();
        if !tags.is_empty() {
            arguments.insert("tags".into(), json!(tags));
        }
    }
    let details_only = words[..tags_at.unwrap_or(words.len())]
        .iter()
        .all(|w| DETAIL_GLUE.contains(w));
    if !(amends || details_only) || arguments.len() < 2 {
        return None;
    }
    let tool = if arguments.len() == 2 && arguments.contains_key("assignee") {
        "assign_task"
    } else {
        "update_task"
    };
    Some(Call::new(tool, arguments))
}

#[cfg(test)]
mod tests {
    use super::*;
    use maestro_tools::{Clock, import};

    fn demo() -> (Platform, Lexicon) {
        let clock = Clock::parse("2026-11-26T10:00:00Z").unwrap();
        let platform = Platform::in_memory(clock).unwrap();
        import::load_demo(&platform).unwrap();
        let lex = Lexicon::of(&platform, Some("Alice Johnson"), clock.now());
        (platform, lex)
    }

    #[test]
    fn pronouns_ordinals_and_people_pick_a_task_in_focus() {
        let (platform, lex) = demo();
        let listed = Focus {
            tasks: vec![1, 3, 9],
            ..Focus::default()
        };
        let pick = |w: &str, f: &Focus| task(w, f, &platform, &lex);
        assert_eq!(pick("close the first one", &listed), Some(1));
        assert_eq!(pick("push the 2nd one", &listed), Some(3));
        assert_eq!(pick("and the last one", &listed), Some(9));
        assert_eq!(pick("close it", &listed), None, "three tasks: ask which");
        let one = Focus {
            tasks: vec![13],
            task: Some(13),
            ..Focus::default()
        };
        assert_eq!(pick("assign it to", &one), Some(13));
        assert_eq!(pick("the login page", &one), None);
        let two = Focus {
            tasks: vec![2, 5],
            ..Focus::default()
        };
        assert_eq!(pick("the erin one", &two), Some(5));
        assert_eq!(pick("dave 's", &two), Some(2));
        assert_eq!(pick("it", &Focus::default()), None);
    }

    #[test]
    fn a_correction_amends_the_last_change() {
        let (_, lex) = demo();
        let created = Focus {
            tasks: vec![13],
            task: Some(13),
            last: Some(Call::new("create_task", Map::new())),
            ..Focus::default()
        };
        let amend = |t: &str| correction(t, &created, &lex).map(|c| Value::Object(c.arguments));
        assert_eq!(
            amend("no, friday"),
            Some(json!({"id": 13, "due": "2026-11-27"}))
        );
        assert_eq!(
            amend("make that high priority instead"),
            Some(json!({"id": 13, "priority": "high"}))
        );
        assert_eq!(amend("nothing to do with it"), None);
        assert_eq!(
            amend("no thanks"),
            None,
            "a correction must say what changes"
        );
        assert_eq!(correction("no, friday", &Focus::default(), &lex), None);
        // Details alone amend it too; a person alone is who it goes to.
        let call =
            |t: &str| correction(t, &created, &lex).map(|c| (c.tool, Value::Object(c.arguments)));
        assert_eq!(
            call("and due tmrw"),
            Some(("update_task".into(), json!({"id": 13, "due": "2026-11-27"})))
        );
        assert_eq!(
            call("high priority pls"),
            Some(("update_task".into(), json!({"id": 13, "priority": "high"})))
        );
        assert_eq!(
            call("and tag it infra"),
            Some(("update_task".into(), json!({"id": 13, "tags": ["infra"]})))
        );
        assert_eq!(
            call("assign to me"),
            Some((
                "assign_task".into(),
                json!({"id": 13, "assignee": "Alice Johnson"})
            ))
        );
        assert_eq!(call("the weather is nice by friday"), None);
    }
}
