//! Moments: a day with a time of day, as people say when something should
//! happen ("tomorrow at 3pm", "at 10 on friday", "friday morning", "this
//! afternoon", "in 2 hours", "at noon", "EOD"), resolved against now in the
//! workspace's time zone to `YYYY-MM-DDTHH:MM`.
//!
//! Rules: a time alone is today's when still to come, else tomorrow's; a
//! bare number is a time only after "at" ("at 3" is 15:00 from 1 to 7, as
//! people mean in the working day); "morning" is 09:00, "noon", "midday"
//! and "lunch" 12:00, "afternoon" 14:00, "EOD", "COB" and "end of (the)
//! day" 17:00, "evening" and "tonight" 18:00; "in N hours/minutes" counts
//! from now. A day alone is not a moment (it stays a date).

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use super::dates::{Conventions, count, date_at};
use super::tokens::Token;

/// A moment found at a token: how many tokens it spans and when it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MomentMatch {
    /// Tokens taken.
    pub len: usize,
    /// When, local to the workspace.
    pub at: NaiveDateTime,
}

/// The moment that starts at `tokens[i]`, if any, seen from `now`.
pub fn moment_at(
    tokens: &[Token],
    i: usize,
    now: NaiveDateTime,
    how: Conventions,
) -> Option<MomentMatch> {
    let words: Vec<&str> = tokens.get(i..)?.iter().map(|t| t.lower.as_str()).collect();
    let found = |len: usize, at: NaiveDateTime| Some(MomentMatch { len, at });
    if let Some((len, later)) = from_now(&words, now) {
        return found(len, later);
    }
    if let Some((len, time)) = time_first(&words) {
        // "at 3pm tomorrow", "at 10 on friday", or the time alone.
        let on = usize::from(matches!(words.get(len), Some(&"on")));
        return match date_at(tokens, i + len + on, now.date(), how) {
            Some(day) => found(len + on + day.len, day.date.and_time(time)),
            None => found(len, next_at(now, time)),
        };
    }
    let (len, time) = day_part(&words)?;
    // "eod thursday" is Thursday's end of day; "this afternoon", "tonight"
    // and "eod" alone are today's.
    match date_at(tokens, i, now.date(), how).filter(|d| d.len > len) {
        Some(day) => found(day.len, day.date.and_time(time)),
        None => found(len, now.date().and_time(time)),
    }
}

/// "tomorrow at 3pm", "friday morning", "monday at 9", "thursday eod": a
/// date (found by the date recogniser at `i`) followed by a time of day.
pub fn dated_moment(
    tokens: &[Token],
    i: usize,
    now: NaiveDateTime,
    how: Conventions,
) -> Option<MomentMatch> {
    let day = date_at(tokens, i, now.date(), how)?;
    // "eod thursday", "thursday eod": the date recogniser reads them whole.
    let said = &tokens[i..i + day.len];
    if said
        .iter()
        .any(|t| matches!(t.lower.as_str(), "eod" | "cob"))
    {
        let time = NaiveTime::from_hms_opt(17, 0, 0)?;
        return Some(MomentMatch {
            len: day.len,
            at: day.date.and_time(time),
        });
    }
    let words: Vec<&str> = tokens
        .get(i + day.len..)?
        .iter()
        .map(|t| t.lower.as_str())
        .collect();
    let (len, time) = time_first(&words).or_else(|| time_word(&words))?;
    Some(MomentMatch {
        len: day.len + len,
        at: day.date.and_time(time),
    })
}

/// The next `time` from `now`: today's if still to come, else tomorrow's.
fn next_at(now: NaiveDateTime, time: NaiveTime) -> NaiveDateTime {
    let today = now.date().and_time(time);
    if today > now {
        today
    } else {
        today + Duration::days(1)
    }
}

/// "in 2 hours", "in 30 min", "in an hour", "in half an hour".
fn from_now(w: &[&str], now: NaiveDateTime) -> Option<(usize, NaiveDateTime)> {
    (w.first() == Some(&"in")).then_some(())?;
    if w.get(1..4) == Some(&["half", "an", "hour"]) {
        return Some((4, now + Duration::minutes(30)));
    }
    let n = match *w.get(1)? {
        "a" | "an" => 1,
        word => count(word).filter(|n| (1..=1000).contains(n))?,
    };
    let minutes = match *w.get(2)? {
        "hour" | "hours" | "hr" | "hrs" | "h" => 60,
        "minute" | "minutes" | "min" | "mins" => 1,
        _ => return None,
    };
    Some((3, now + Duration::minutes(n * minutes)))
}

/// A time of day said first: "at 3", "at 3pm", "3pm", "15:00", "at noon",
/// "at lunch", "at eod".
fn time_first(w: &[&str]) -> Option<(usize, NaiveTime)> {
    let at = usize::from(w.first() == Some(&"at"));
    if let Some((len, time)) = clock_time(&w[at..], at == 1) {
        return Some((at + len, time));
    }
    if at == 1 {
        return time_word(&w[1..]).map(|(len, time)| (1 + len, time));
    }
    None
}

/// A word for a time of day: "morning", "noon", "lunch", "afternoon",
/// "evening", "EOD", "end of day", "first thing".
fn time_word(w: &[&str]) -> Option<(usize, NaiveTime)> {
    let hour = |h: u32| NaiveTime::from_hms_opt(h, 0, 0);
    let (len, h) = match w {
        ["end", "of", "the", "day", ..] => (4, 17),
        ["end", "of", "day", ..] | ["close", "of", "business", ..] => (3, 17),
        ["first", "thing", ..] => (2, 9),
        ["morning", ..] => (1, 9),
        ["noon" | "midday" | "lunch" | "lunchtime", ..] => (1, 12),
        ["afternoon", ..] => (1, 14),
        ["eod" | "cob", ..] => (1, 17),
        ["evening" | "night" | "tonight", ..] => (1, 18),
        _ => return None,
    };
    Some((len, hour(h)?))
}

/// "this morning", "this afternoon", "this evening", "tonight", "EOD",
/// "at noon" (today's).
fn day_part(w: &[&str]) -> Option<(usize, NaiveTime)> {
    match w {
        ["this", rest @ ..] => {
            let (len, time) = time_word(rest)?;
            Some((1 + len, time))
        }
        ["tonight" | "eod" | "cob", ..] | ["end", "of", ..] | ["close", "of", "business", ..] => {
            time_word(w)
        }
        _ => None,
    }
}

/// A clock time: "9am", "9 am", "9:30", "2:30 pm", "15:00", "noon"; a bare
/// hour ("3") only when `after_at` (and then 1 to 7 is afternoon).
pub fn clock_time(w: &[&str], after_at: bool) -> Option<(usize, NaiveTime)> {
    let word = *w.first()?;
    if matches!(word, "noon" | "midday") {
        return Some((1, NaiveTime::from_hms_opt(12, 0, 0)?));
    }
    let (mut text, mut n) = (word.to_string(), 1);
    if let Some(next @ (&"am" | &"pm" | &"a.m." | &"p.m.")) = w.get(1) {
        text.push_str(next);
        n = 2;
    }
    let pm = text.ends_with("pm") || text.ends_with("p.m.");
    let am = text.ends_with("am") || text.ends_with("a.m.");
    let digits = text.trim_end_matches(|c: char| c.is_alphabetic() || c == '.');
    let (h, m, colon) = match digits.split_once(':') {
        Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?, true),
        Some(_) => return None,
        None => (digits.parse::<u32>().ok()?, 0, false),
    };
    if !(am || pm || colon || after_at) || digits.is_empty() {
        return None;
    }
    let h = match (h, pm, am) {
        (1..=11, true, _) => h + 12,
        (12, _, true) => 0,
        (1..=7, false, false) if !colon => h + 12,
        (0..=23, _, _) => h,
        _ => return None,
    };
    Some((n, NaiveTime::from_hms_opt(h, m, 0)?))
}

/// The schema format of an argument that takes a moment
/// (`YYYY-MM-DDTHH:MM`, local).
pub const LOCAL_DATE_TIME: &str = "local-date-time";

/// The time of a moment given as a day alone.
pub const MORNING: &str = "09:00";

/// `at` as a span value: `YYYY-MM-DDTHH:MM`.
pub fn moment_value(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

/// The day of a moment value (its first ten characters), for an argument
/// that takes a date.
pub fn day_of(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.get(..10)?, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    /// The moment found at the first token that starts one.
    fn read(text: &str) -> Option<String> {
        let tokens = tokenize(text);
        // Monday 7 December 2026, 10:00.
        let now = NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let how = Conventions::default();
        (0..tokens.len()).find_map(|i| {
            let m =
                dated_moment(&tokens, i, now, how).or_else(|| moment_at(&tokens, i, now, how))?;
            let words: Vec<&str> = tokens[i..i + m.len]
                .iter()
                .map(|t| t.text.as_str())
                .collect();
            Some(format!("{} = {}", words.join(" "), moment_value(m.at)))
        })
    }

    #[test]
    fn days_with_times_of_day() {
        for (text, want) in [
            (
                "remind me tomorrow at 3pm to call",
                "tomorrow at 3pm = 2026-12-08T15:00",
            ),
            ("friday morning", "friday morning = 2026-12-11T09:00"),
            ("on monday at 9", "monday at 9 = 2026-12-14T09:00"),
            ("thursday eod", "thursday eod = 2026-12-10T17:00"),
            ("tomorrow at noon", "tomorrow at noon = 2026-12-08T12:00"),
            ("at 10 on friday", "at 10 on friday = 2026-12-11T10:00"),
            (
                "at 2:30 pm tomorrow",
                "at 2:30 pm tomorrow = 2026-12-08T14:30",
            ),
            ("dec 17 at 16:00", "dec 17 at 16:00 = 2026-12-17T16:00"),
        ] {
            assert_eq!(read(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn times_alone_and_counts_from_now() {
        for (text, want) in [
            ("at 3", "at 3 = 2026-12-07T15:00"),
            ("at 9am", "at 9am = 2026-12-08T09:00"),
            ("at noon", "at noon = 2026-12-07T12:00"),
            ("this afternoon", "this afternoon = 2026-12-07T14:00"),
            ("tonight", "tonight = 2026-12-07T18:00"),
            ("EOD", "EOD = 2026-12-07T17:00"),
            ("in 2 hours", "in 2 hours = 2026-12-07T12:00"),
            ("in 30 min", "in 30 min = 2026-12-07T10:30"),
            ("in half an hour", "in half an hour = 2026-12-07T10:30"),
        ] {
            assert_eq!(read(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn days_alone_and_numbers_are_not_moments() {
        for text in [
            "friday",
            "next week",
            "in 3 days",
            "3 tasks",
            "estimate 3 hours",
            "rotate 2 keys",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}
