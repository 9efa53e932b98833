//! Slot extractors: each finds one kind of argument in a clause and cuts it out.

use std::sync::LazyLock;

use chrono::NaiveDate;
use maestro_tools::store::names::close_names;
use maestro_tools::{Person, Priority};
use regex::Regex;

use super::text::Clause;
use crate::nlu::dates::{date_at, friday_of_week};
use crate::nlu::lexicon::Lexicon;
use crate::nlu::tokens::tokenize;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("slot patterns are valid")
}

/// A pattern built from workspace names, compiled once per process.
fn cached(pattern: String) -> Regex {
    static CACHE: LazyLock<std::sync::Mutex<std::collections::HashMap<String, Regex>>> =
        LazyLock::new(Default::default);
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache.entry(pattern).or_insert_with_key(|p| re(p)).clone()
}

/// What the planner knows about the workspace while reading a request.
pub struct Grounding {
    /// Everyone on the team.
    pub people: Vec<Person>,
    /// Every project name.
    pub projects: Vec<String>,
    /// Who is speaking.
    pub actor: Option<String>,
    /// Today's date.
    pub today: NaiveDate,
    /// The same names as the recognisers see them.
    pub lexicon: crate::nlu::lexicon::Lexicon,
}

/// A person the request names.
#[derive(Debug, Clone, PartialEq)]
pub enum Who {
    /// Someone on the team (canonical name).
    Known(String),
    /// A name nobody on the team has, with close names.
    Unknown {
        /// As typed.
        name: String,
        /// Close names on the team.
        suggestions: Vec<String>,
    },
    /// A name, when nobody at all is on the team yet.
    NoTeam(String),
}

impl Who {
    /// `name`, which nobody on a team of `team_size` has, with close names.
    pub fn unknown(name: String, suggestions: Vec<String>, team_size: usize) -> Self {
        if team_size == 0 {
            Who::NoTeam(name)
        } else {
            Who::Unknown { name, suggestions }
        }
    }
}

static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| re(r#""([^"]+)"|“([^”]+)”|(?:^|\s)'([^']+)'(?:\s|$|[,.;:!?])"#));

/// A quoted phrase ("…", “…” or '…').
pub fn quoted(c: &mut Clause) -> Option<String> {
    let cut = c.cut(&QUOTED)?;
    (1..=3)
        .find_map(|i| cut.get(i))
        .map(|s| s.trim().to_string())
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:,?\s*\b(?:with\s+)?(?:e-?mail|address)\s*:?\s*)?\(?\b([\w.+-]+@[\w-]+(?:\.[\w-]+)+)\b\)?",
    )
});
static SLACK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:,?\s*\b(?:(?i:and\s+)?(?i:with\s+)?(?i:slack)(?:\s+(?i:id|member))?\s*:?\s*))?\b(U[A-Z0-9]{4,})\b",
    )
});

/// An e-mail address.
pub fn email(c: &mut Clause) -> Option<String> {
    c.cut(&EMAIL).and_then(|m| m.get(1).map(str::to_string))
}

/// A Slack member id (`U…`).
pub fn slack_id(c: &mut Clause) -> Option<String> {
    c.cut(&SLACK).and_then(|m| m.get(1).map(str::to_string))
}

static HASH_TAG: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:,?\s*\b(?:tag(?:ged)?(?:\s+it)?(?:\s+(?:with|as))?|with\s+tags?|tags?\s*:?)\s+)?#([a-z][\w-]*)",
    )
});
static WORD_TAG: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:tagged|tag)\s+(?:with\s+|as\s+)?([a-z][\w-]*)"));

/// `#tags` (and, with `bare`, "tagged backend").
pub fn tags(c: &mut Clause, bare: bool) -> Vec<String> {
    let mut tags: Vec<String> = c.cut_all(&HASH_TAG).iter().map(|m| m.lower(1)).collect();
    if tags.is_empty() && bare {
        tags.extend(c.cut(&WORD_TAG).map(|m| m.lower(1)));
    }
    tags
}

static TASK_ID: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(?:\b(?:task|ticket|item|issue|todo)\s*#?\s*(\d+)|#(\d+))\b(?:['’]s)?")
});

/// A task number: "task 12", "#12", "ticket #12".
pub fn task_id(c: &mut Clause) -> Option<i64> {
    let m = c.cut(&TASK_ID)?;
    m.get(1).or(m.get(2)).and_then(|n| n.parse().ok())
}

/// Words that lead into a date and go with it ("is now due by", "deadline").
const DATE_LEAD: &[&str] = &[
    "due", "by", "before", "until", "till", "on", "for", "to", "deadline", "is", "now", "date",
    "the", ",", "due:", "@",
];

/// The first date in the clause with the words that lead into it ("by next
/// Friday", "due Dec 5", "EOD thursday"), cut out.
pub fn date(c: &mut Clause, lex: &Lexicon) -> Option<NaiveDate> {
    let tokens = tokenize(c.rest());
    let (i, found) = (0..tokens.len())
        .find_map(|i| date_at(&tokens, i, lex.today, lex.dates).map(|m| (i, m)))?;
    let lead = tokens[..i]
        .iter()
        .rev()
        .take(4)
        .take_while(|t| DATE_LEAD.contains(&t.lower.as_str()))
        .count();
    let start = tokens[i - lead].start;
    let end = tokens[i + found.len - 1].end;
    c.blank(start..end);
    Some(found.date)
}

static THIS_WEEK: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:due\s+)?this\s+week\b"));

/// "this week" for listing: through the Sunday after its last working day
/// (a filter keeps what falls due at the weekend; at a weekend, the coming week).
pub fn this_week(c: &mut Clause, today: NaiveDate) -> Option<NaiveDate> {
    c.cut(&THIS_WEEK)
        .map(|_| friday_of_week(today) + chrono::Duration::days(2))
}

static PRIORITY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(urgent(?:ly)?|critical|asap|a\.s\.a\.p|p0|important|whenever)\b(?:[- ](?:priority|prio))?",
    )
});
static PRIORITY_LEVEL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(high|medium|normal|low)[- ]?(?:priority|prio|pri)\b"));
static PRIORITY_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\bpriority\s*(?:is\s+|to\s+|of\s+|:\s*)?(urgent|high|medium|normal|low)\b")
});
static PRIORITY_LOOSE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:to|as)\s+(urgent|high|medium|normal|low)\b"));

/// A priority; with `loose`, also "… to high" (for changes).
pub fn priority(c: &mut Clause, loose: bool) -> Option<Priority> {
    let m = c
        .cut(&PRIORITY_NAMED)
        .or_else(|| c.cut(&PRIORITY_LEVEL))
        .or_else(|| c.cut(&PRIORITY_WORD))
        .or_else(|| if loose { c.cut(&PRIORITY_LOOSE) } else { None })?;
    Some(match m.lower(1).as_str() {
        "urgent" | "urgently" | "critical" | "asap" | "a.s.a.p" | "p0" => Priority::Urgent,
        "high" | "important" => Priority::High,
        "low" | "whenever" => Priority::Low,
        _ => Priority::Medium,
    })
}

static ESTIMATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:,?\s*\b(?:(?:the\s+)?estimated?(?:\s+(?:at|of|to|is))?|about|around|roughly|approx(?:imately)?|takes?|should\s+take|~)\s*:?\s*)?(?:\b(\d+(?:\.\d+)?)\s*|\b(an?|one|two|three|four|five|half\s+an?)\s+)(hours?|hrs?|h|days?|d|minutes?|mins?|m|weeks?|wks?|w)\b(\s+and\s+a\s+half\b)?",
    )
});

/// Hours of work: "about 4 hours", "2d" (8 h a day), "30 minutes", "a day
/// and a half".
pub fn estimate(c: &mut Clause) -> Option<f64> {
    let m = c.cut(&ESTIMATE)?;
    let amount = m.get(1).or(m.get(2))?.to_lowercase();
    let and_a_half = if m.get(4).is_some() { 0.5 } else { 0.0 };
    let n: f64 = and_a_half
        + match amount.as_str() {
            "a" | "an" | "one" => 1.0,
            "two" => 2.0,
            "three" => 3.0,
            "four" => 4.0,
            "five" => 5.0,
            s if s.starts_with("half") => 0.5,
            s => s.parse().ok()?,
        };
    let per_unit = match m.lower(3).chars().next()? {
        'd' => 8.0,
        'w' => 40.0,
        'm' => 1.0 / 60.0,
        _ => 1.0,
    };
    Some((n * per_unit * 100.0).round() / 100.0)
}

static CAPACITY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:,?\s*\b(?:capacity|works?|available)\s*(?:of\s+|is\s+|:\s*)?)?(\d+(?:\.\d+)?)(?:\s*(?:hours?|hrs?|h))?(?:\s*(?:a|per|/)\s*(?:week|wk)|\s*h/(?:week|wk))?",
    )
});
static CAPACITY_CUE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\bcapacity\b|\bhours?\s*(?:a|per|/)\s*week|h/week"));

/// Weekly hours: "capacity 20", "40 hours a week".
pub fn capacity(c: &mut Clause) -> Option<f64> {
    c.peek(&CAPACITY_CUE)?;
    c.cut(&CAPACITY).and_then(|m| m.get(1)?.parse().ok())
}

static LIMIT_FIRST: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:top|first|last|latest)\s+(\d+)\b"));
static LIMIT_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(\d+)\s+(?:of\s+[\w'’]+\s+)?(?:[\w-]+\s+){0,2}(?:tasks|tickets|candidates|people|options)\b",
    )
});

static SHIFT_VERB: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:push|move|slip|slide|shift|bump|delay|postpone|kick)(?:ed|ing|s)?\b")
});
static SHIFT_BY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:\b(?:back|out)\s+)?(?:\bby\s+)?\b(a|an|one|two|three|four|five|\d+)\s+(days?|weeks?|wks?)\b(?:\s+(?:back|out|later))?",
    )
});

/// How many days "push it back a week" / "slip it 2 days" moves a due date
/// (only the amount is cut; the task's words stay).
pub fn shift(c: &mut Clause) -> Option<i64> {
    if !SHIFT_VERB.is_match(c.rest()) {
        return None;
    }
    let m = c.cut(&SHIFT_BY)?;
    let n = match m.lower(1).as_str() {
        "a" | "an" => 1,
        other => crate::nlu::spans::number_word(other)? as i64,
    };
    let per = if m.lower(2).starts_with('d') { 1 } else { 7 };
    Some(n * per)
}

static PUSH_TO_WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:push|slip|slide|delay|postpone|defer|kick)(?:ed|ing|s)?\b.*\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?\b",
    )
});

/// Whether the clause pushes a task to a weekday ("push it to monday"):
/// a date that must not come before the task's current one.
pub fn pushes_to_weekday(text: &str) -> bool {
    PUSH_TO_WEEKDAY.is_match(text)
}

/// "top 5", "first 10", "3 open tasks", "3 of dave's tasks" (only the number is cut).
pub fn limit(c: &mut Clause) -> Option<usize> {
    let m = c
        .cut(&LIMIT_FIRST)
        .or_else(|| c.cut_group(&LIMIT_COUNT, 1))?;
    m.get(1)?.parse().ok()
}

/// A project: a known one (with a preposition or "project" unless `anywhere`),
/// or a new one spelled "in project X" / "in the X project".
pub fn project(c: &mut Clause, projects: &[String], anywhere: bool) -> Option<String> {
    let mut known: Vec<&String> = projects.iter().collect();
    known.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for name in known {
        let escaped = regex::escape(name)
            .replace(r"\ ", r"\s+")
            .replace(' ', r"\s+");
        let with_prep = cached(format!(
            r"(?i),?\s*\b(?:in|into|for|on|to|under|from|within)\s+(?:the\s+)?{escaped}(?:\s+project)?\b"
        ));
        let with_word = cached(format!(r"(?i),?\s*(?:the\s+)?\b{escaped}\s+project\b"));
        let bare = cached(format!(r"(?i)\b{escaped}\b"));
        if c.cut(&with_prep).is_some()
            || c.cut(&with_word).is_some()
            || (anywhere && c.cut(&bare).is_some())
        {
            return Some(name.clone());
        }
    }
    static NEW: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"\b(?i:in|into|to|for|under)\s+(?:(?i:the)\s+)?(?:(?i:project)\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)|([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)\s+(?i:project))\b",
        )
    });
    let m = c.cut(&NEW)?;
    m.get(1).or(m.get(2)).map(str::to_string)
}

/// Words that look like names but are not people.
const NOT_NAMES: &[&str] = &[
    "the",
    "a",
    "an",
    "this",
    "that",
    "it",
    "them",
    "me",
    "my",
    "i",
    "you",
    "we",
    "us",
    "everyone",
    "someone",
    "nobody",
    "anyone",
    "team",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "tomorrow",
    "next",
    "in",
    "progress",
    "done",
    "todo",
    "high",
    "low",
    "medium",
    "urgent",
    "working",
    "finished",
    "complete",
    "completed",
    "the",
    "now",
    "all",
    "task",
    "tasks",
    "project",
    "what",
    "who",
    "finish",
    "there",
    "here",
];

static CUED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:\band\s+)?\b(assign(?:ed)?(?:\s+it)?\s+to|give\s+(?:it\s+)?to|hand(?:\s+it)?\s+over\s+to|over\s+to|transfer(?:red)?\s+(?:it\s+)?to|owner\s*:?|for|to|let|have|put|is|did|has|does|what['’]s)\s+(@?[\p{L}][\p{L}'’-]*)(?:\s+([\p{L}][\p{L}'’-]*))?",
    )
});
static MENTION: LazyLock<Regex> = LazyLock::new(|| re(r"@([\p{L}][\p{L}._-]*)"));
static POSSESSIVE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b([\p{L}]+)['’]s\b"));

/// How strictly a clause may name someone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cues {
    /// Task titles may hold names: only "for X to …", "assign to X", "@x", "for me".
    Title,
    /// No title: any cue word, possessives and bare first names count.
    Anywhere,
}

/// The person a clause names (see [`Cues`]); `me`/`my` is the speaker.
pub fn person(c: &mut Clause, g: &Grounding, cues: Cues) -> Option<Who> {
    if c.peek(&MENTION).is_some() {
        return mentioned(c, g);
    }
    subject(c, g)
        .or_else(|| cued(c, g, cues))
        .or_else(|| (cues == Cues::Anywhere).then(|| anywhere(c, g)).flatten())
}

/// The person an @mention names (someone nobody on the team is, as typed).
fn mentioned(c: &mut Clause, g: &Grounding) -> Option<Who> {
    let m = c.peek(&MENTION)?;
    let name = m
        .get(1)
        .unwrap_or("")
        .trim_end_matches(['.', '-'])
        .to_string();
    let who = lookup(g, &name, true).unwrap_or_else(|| unknown(g, &name));
    let re_mention = cached(format!(
        r"(?i)(?:\band\s+)?(?:\b(?:assign(?:ed)?(?:\s+it)?\s+to|give\s+(?:it\s+)?to|to|for|let)\s+)?@{}\b",
        regex::escape(&name)
    ));
    c.cut(&re_mention);
    Some(who)
}

/// The person a request opens with ("bob needs to …", "get carol to …").
fn subject(c: &mut Clause, g: &Grounding) -> Option<Who> {
    static SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)^\s*(?:i\s+want\s+|get\s+)?([\p{L}]+)\s+(?:needs?\s+to|should|has\s+to|must|to)\s+",
        )
    });
    let m = c.peek(&SUBJECT)?;
    let who = lookup(g, m.get(1).unwrap_or(""), false)?;
    c.cut(&SUBJECT);
    Some(who)
}

/// The person a cue word introduces ("for bob", "assign to carol", "is zoe
/// working on"): someone on the team, the speaker for "me", or a name
/// nobody has where only a person fits.
fn cued(c: &mut Clause, g: &Grounding, cues: Cues) -> Option<Who> {
    let mut search_from = 0;
    while let Some(caps) = CUED.captures_at(c.rest(), search_from) {
        let whole = caps.get(0).expect("a match has group 0").range();
        search_from = caps.get(2).map_or(whole.end, |m| m.start());
        let cue = caps[1].to_lowercase();
        let first = caps[2].to_string();
        let second = caps.get(3).map(|m| m.as_str().to_string());
        let after = &c.rest()[caps.get(2).map_or(whole.end, |m| m.end())..];
        if ["me", "myself"].contains(&first.to_lowercase().as_str())
            && g.actor.is_some()
            && cue != "is"
        {
            let end = caps.get(2).map_or(whole.end, |m| m.end());
            c.blank(whole.start..end);
            return g.actor.clone().map(Who::Known);
        }
        let strict_cue = cues == Cues::Title && !cue.starts_with("assign") && cue != "for";
        if strict_cue {
            continue;
        }
        if let Some(second) = &second
            && let Some(who) = lookup(g, &format!("{first} {second}"), true)
        {
            c.blank(whole);
            return Some(who);
        }
        if let Some(who) = lookup(g, &first, true) {
            let end = caps.get(2).map_or(whole.end, |m| m.end());
            c.blank(whole.start..end);
            return Some(who);
        }
        if unknown_name_fits(&cue, &first, after, g) {
            let end = caps.get(2).map_or(whole.end, |m| m.end());
            c.blank(whole.start..end);
            return Some(unknown(g, &first));
        }
    }
    None
}

/// Whether `first`, after cue word `cue` and followed by `after`, reads
/// as the name of someone not on the team rather than another word.
fn unknown_name_fits(cue: &str, first: &str, after: &str, g: &Grounding) -> bool {
    // In "what's zoe working on" or "have marcus take it" only a person fits.
    let person_frame = [
        "what's", "what’s", "is", "have", "let", "did", "has", "does",
    ]
    .contains(&cue)
        && [" working", " take", " own", " up to", " finish", " handle"]
            .iter()
            .any(|p| after.starts_with(p));
    let capitalised = first.chars().next().is_some_and(char::is_uppercase)
        && first
            .chars()
            .skip(1)
            .all(|ch| ch.is_lowercase() || ch == '\'');
    let looks_like_name = (capitalised || person_frame)
        && first.chars().all(char::is_alphabetic)
        && first.chars().count() >= 3
        && !NOT_NAMES.contains(&first.to_lowercase().as_str())
        && !g.projects.iter().any(|p| {
            p.to_lowercase()
                .split_whitespace()
                .any(|w| w == first.to_lowercase())
        });
    let ends_phrase = after.trim_start().is_empty()
        || [
            " to ",
            ":",
            ",",
            " -",
            " working",
            " take",
            " own",
            " on ",
            " finish",
            " complete",
            "?",
        ]
        .iter()
        .any(|p| after.starts_with(p) || after.trim_start().starts_with(p.trim()));
    looks_like_name && ends_phrase
}

/// A teammate named anywhere: by a possessive ("bob's tasks"), else by a
/// word that is their name.
fn anywhere(c: &mut Clause, g: &Grounding) -> Option<Who> {
    if let Some(m) = c.peek(&POSSESSIVE)
        && let Some(who) = lookup(g, m.get(1).unwrap_or(""), false)
    {
        c.cut(&POSSESSIVE);
        return Some(who);
    }
    for word in c
        .rest()
        .split(|ch: char| !ch.is_alphabetic())
        .filter(|w| w.len() > 1)
        .map(str::to_string)
        .collect::<Vec<_>>()
    {
        if let Some(who) = lookup(g, &word, false) {
            c.cut(&cached(format!(r"(?i)\b{}\b", regex::escape(&word))));
            return Some(who);
        }
    }
    None
}

/// The speaker when the clause says "my", "I" or "me".
pub fn speaker(c: &mut Clause, g: &Grounding) -> Option<Who> {
    static ME: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i)\b(?:my|mine|i['’]ll|i\s+will|i|(?:to|for|assigned\s+to)\s+me)\b")
    });
    c.cut(&ME)?;
    g.actor.clone().map(Who::Known)
}

/// A teammate by full name, first name, Slack id or (with `fuzzy`) a close spelling.
fn lookup(g: &Grounding, name: &str, fuzzy: bool) -> Option<Who> {
    let wanted = name.trim().trim_start_matches('@').to_lowercase();
    if wanted.is_empty() || NOT_NAMES.contains(&wanted.as_str()) {
        return None;
    }
    if let Some(p) = maestro_tools::store::names::find_person(&g.people, &wanted) {
        return Some(Who::Known(p.name.clone()));
    }
    if fuzzy && wanted.chars().count() >= 3 {
        let close = close_names(&wanted, g.people.iter().map(|p| p.name.as_str()));
        if let [only] = close.as_slice() {
            return Some(Who::Known(only.clone()));
        }
    }
    None
}

fn unknown(g: &Grounding, name: &str) -> Who {
    Who::unknown(
        name.to_string(),
        close_names(name, g.people.iter().map(|p| p.name.as_str())),
        g.people.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team() -> Grounding {
        let person = |n: &str| Person {
            name: n.into(),
            email: None,
            slack_id: None,
            skills: vec![],
            capacity: 40.0,
            timezone: None,
        };
        Grounding {
            people: vec![
                person("Alice Johnson"),
                person("Bob Smith"),
                person("Carol Diaz"),
            ],
            projects: vec!["Mobile App".into(), "Platform".into()],
            actor: Some("Alice Johnson".into()),
            today: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
            lexicon: Lexicon {
                today: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
                ..Lexicon::default()
            },
        }
    }

    #[test]
    fn people_are_found_by_cue_mention_typo_and_me() {
        let g = team();
        let who = |t: &str, cues| person(&mut Clause::new(t), &g, cues);
        let known = |n: &str| Some(Who::Known(n.into()));
        assert_eq!(
            who("a task for Bob to fix it", Cues::Title),
            known("Bob Smith")
        );
        assert_eq!(who("ask @carol", Cues::Title), known("Carol Diaz"));
        assert_eq!(
            who("a task for Bbo to fix it", Cues::Title),
            known("Bob Smith")
        );
        assert_eq!(
            who("a task for me to fix it", Cues::Title),
            known("Alice Johnson")
        );
        assert_eq!(who("review Bob's PR", Cues::Title), None);
        assert_eq!(who("list bob's tasks", Cues::Anywhere), known("Bob Smith"));
        assert!(matches!(
            who("a task for Mallory to audit", Cues::Title),
            Some(Who::Unknown { .. })
        ));
        assert_eq!(who("fix the login for Safari users", Cues::Title), None);
    }

    #[test]
    fn slots_are_cut_out_of_the_title() {
        let g = team();
        let mut c = Clause::new(
            "fix the build in the mobile app project by Dec 5, urgent, about 3 hours #ci",
        );
        assert_eq!(tags(&mut c, false), ["ci"]);
        assert_eq!(date(&mut c, &g.lexicon).unwrap().to_string(), "2026-12-05");
        assert_eq!(priority(&mut c, false), Some(Priority::Urgent));
        assert_eq!(estimate(&mut c), Some(3.0));
        for (text, hours) in [
            ("a day and a half", 12.0),
            ("an hour and a half", 1.5),
            ("2 days and a half", 20.0),
            ("half a day", 4.0),
        ] {
            assert_eq!(estimate(&mut Clause::new(text)), Some(hours), "{text}");
        }
        assert_eq!(
            project(&mut c, &g.projects, false).as_deref(),
            Some("Mobile App")
        );
        assert_eq!(c.remainder(), "fix the build");
    }
}
