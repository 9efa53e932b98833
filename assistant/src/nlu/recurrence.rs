//! Recognises how often something recurs — "every Monday at 9", "every other
//! Friday", "on the 1st of every month", "each quarter", "every weekday
//! until March" — as one span whose value is the canonical RRULE.

use chrono::{Datelike, Days, NaiveDate, Timelike};
use maestro_tools::autopilot::rule::Rule;

use super::dates::{Conventions, count, date_at, day_number, month, weekday};
use super::moments::clock_time;
use super::tokens::Token;

const CODES: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// A recurrence starting at token `i`: how many tokens it takes and its
/// RRULE.
pub fn recurrence_at(
    tokens: &[Token],
    i: usize,
    today: NaiveDate,
    how: Conventions,
) -> Option<(usize, String)> {
    let words: Vec<&str> = tokens[i..].iter().map(|t| t.lower.as_str()).collect();
    let (mut n, mut parts) = core(&words)?;
    if let Some((len, time)) = time_of_day(&words[n..]) {
        n += len;
        parts.push(time);
    }
    if let Some((len, end)) = ending(tokens, i + n, today, how, &parts) {
        n += len;
        parts.push(end);
    }
    let rule = Rule::parse(&parts.join(";")).ok()?;
    Some((n, rule.to_string()))
}

/// The frequency and its days: "every other friday", "daily", "the last day
/// of each month", "mondays".
fn core(w: &[&str]) -> Option<(usize, Vec<String>)> {
    let first = *w.first()?;
    let freq = |f: &str| vec![format!("FREQ={f}")];
    match first {
        "daily" => return Some((1, freq("DAILY"))),
        "weekly" => return Some((1, freq("WEEKLY"))),
        "monthly" => return Some((1, freq("MONTHLY"))),
        "yearly" | "annually" => return Some((1, freq("YEARLY"))),
        "quarterly" => return Some((1, quarterly())),
        "biweekly" | "fortnightly" => {
            return Some((1, vec!["FREQ=WEEKLY".into(), "INTERVAL=2".into()]));
        }
        "weekdays" => return Some((1, weekdays())),
        _ => {}
    }
    if let Some((n, days)) = plural_days(w) {
        return Some((n, vec!["FREQ=WEEKLY".into(), format!("BYDAY={days}")]));
    }
    if matches!(first, "every" | "each" | "evry" | "ever") {
        return every(&w[1..]).map(|(n, parts)| (n + 1, parts));
    }
    of_every_month(w)
}

/// What follows "every": "day", "other week", "3 days", "monday and thursday",
/// "weekday", "quarter", "month on the 15th", "march 31".
fn every(w: &[&str]) -> Option<(usize, Vec<String>)> {
    let (skip, interval) = match w.first()? {
        &"other" => (1, 2),
        word => match count(word).filter(|n| (2..=52).contains(n)) {
            Some(n) if w.get(1).and_then(|u| unit(u)).is_some() => (1, n),
            _ => (0, 1),
        },
    };
    let rest = &w[skip..];
    let mut parts = Vec::new();
    let n = if let Some(f) = rest.first().and_then(|u| unit(u)) {
        parts.push(format!("FREQ={f}"));
        let mut n = 1;
        if f == "WEEKLY"
            && let Some((len, days)) = on_days(&rest[1..])
        {
            parts.push(format!("BYDAY={days}"));
            n += len;
        }
        if f == "MONTHLY"
            && let Some((len, day)) = on_month_day(&rest[1..])
        {
            parts.push(format!("BYMONTHDAY={day}"));
            n += len;
        }
        if f == "YEARLY"
            && rest.get(1) == Some(&"on")
            && let Some((len, day_parts)) = month_and_day(&rest[2..])
        {
            parts.extend(day_parts);
            n += len + 1;
        }
        n
    } else if matches!(rest.first(), Some(&("weekday" | "workday"))) {
        parts.extend(weekdays());
        1
    } else if matches!(rest.first(), Some(&"quarter")) {
        parts.extend(quarterly());
        1
    } else if let Some((len, days)) = day_list(rest) {
        parts.push("FREQ=WEEKLY".into());
        parts.push(format!("BYDAY={days}"));
        len
    } else if let Some((len, day_parts)) = month_and_day(rest) {
        parts.push("FREQ=YEARLY".into());
        parts.extend(day_parts);
        len
    } else {
        return None;
    };
    if interval > 1 {
        parts.insert(1, format!("INTERVAL={interval}"));
    }
    Some((skip + n, parts))
}

/// "march 31", "31 march", "31st of march": the day and month parts.
fn month_and_day(w: &[&str]) -> Option<(usize, Vec<String>)> {
    let day_month = |d: &str, m: &str| {
        Some(vec![
            format!("BYMONTHDAY={}", day_number(d)?),
            format!("BYMONTH={}", month(m)?),
        ])
    };
    if let (Some(m), Some(d)) = (w.first(), w.get(1))
        && let Some(parts) = day_month(d, m)
    {
        return Some((2, parts));
    }
    let of = usize::from(w.get(1) == Some(&"of"));
    day_month(w.first()?, w.get(1 + of)?).map(|parts| (2 + of, parts))
}

fn unit(word: &str) -> Option<&'static str> {
    Some(match word {
        "day" | "days" | "morning" | "mornings" => "DAILY",
        "week" | "weeks" | "wk" | "wks" => "WEEKLY",
        "month" | "months" => "MONTHLY",
        "year" | "years" => "YEARLY",
        _ => return None,
    })
}

fn weekdays() -> Vec<String> {
    vec!["FREQ=WEEKLY".into(), "BYDAY=MO,TU,WE,TH,FR".into()]
}

fn quarterly() -> Vec<String> {
    vec![
        "FREQ=YEARLY".into(),
        "BYMONTHDAY=1".into(),
        "BYMONTH=1,4,7,10".into(),
    ]
}

/// "monday", "mon and thu", "tuesday, thursday": the days as BYDAY codes.
fn day_list(w: &[&str]) -> Option<(usize, String)> {
    let mut codes = Vec::new();
    let mut n = 0;
    while let Some(day) = w.get(n).and_then(|d| weekday(d.trim_end_matches('s'))) {
        codes.push(CODES[day.num_days_from_monday() as usize]);
        n += 1;
        match (
            w.get(n),
            w.get(n + 1).and_then(|d| weekday(d.trim_end_matches('s'))),
        ) {
            (Some(&("and" | "," | "&" | "/")), Some(_)) => n += 1,
            _ => break,
        }
    }
    (!codes.is_empty()).then(|| (n, codes.join(",")))
}

/// "on mondays", "mondays and thursdays": weekdays in the plural.
fn plural_days(w: &[&str]) -> Option<(usize, String)> {
    let on = usize::from(w.first() == Some(&"on"));
    let first = w.get(on)?;
    (first.ends_with("days") || first.ends_with("dayz")).then_some(())?;
    day_list(&w[on..]).map(|(n, days)| (n + on, days))
}

/// "on monday", "on mondays and thursdays" after "every week".
fn on_days(w: &[&str]) -> Option<(usize, String)> {
    (w.first() == Some(&"on")).then_some(())?;
    day_list(&w[1..]).map(|(n, days)| (n + 1, days))
}

/// "on the 15th", "on the last day" after "every month".
fn on_month_day(w: &[&str]) -> Option<(usize, i32)> {
    let on = usize::from(w.first() == Some(&"on"));
    let the = usize::from(w.get(on) == Some(&"the"));
    let at = on + the;
    match (w.get(at), w.get(at + 1)) {
        (Some(&"last"), Some(&"day")) => Some((at + 2, -1)),
        (Some(d), _) if d.ends_with(char::is_alphabetic) => {
            day_number(d).map(|d| (at + 1, d as i32))
        }
        _ => None,
    }
}

/// "(on) the 1st of every month", "the last day of each month", "the first
/// monday of every month", "the last friday of the month".
fn of_every_month(w: &[&str]) -> Option<(usize, Vec<String>)> {
    let on = usize::from(w.first() == Some(&"on"));
    let the = usize::from(w.get(on) == Some(&"the"));
    let at = on + the;
    let nth = ordinal(w.get(at)?)?;
    let (what, len) = match w.get(at + 1) {
        Some(&"day") => (format!("BYMONTHDAY={nth}"), 2),
        Some(d) if weekday(d).is_some() => {
            let code = CODES[weekday(d)?.num_days_from_monday() as usize];
            (format!("BYDAY={nth}{code}"), 2)
        }
        _ if nth > 0 => (format!("BYMONTHDAY={nth}"), 1),
        _ => return None,
    };
    let of = at + len;
    let every_month = matches!(
        (w.get(of), w.get(of + 1), w.get(of + 2)),
        (
            Some(&"of"),
            Some(&("every" | "each" | "the")),
            Some(&"month")
        )
    );
    let the_month = w.get(of + 1) == Some(&"the");
    // "the 1st of the month" alone is a date more often than a rule.
    (every_month && !(the_month && what.starts_with("BYMONTHDAY") && nth > 0)).then_some(())?;
    Some((of + 3, vec!["FREQ=MONTHLY".into(), what]))
}

/// "1st" → 1, "first" → 1, "last" → -1, "second" → 2.
fn ordinal(word: &str) -> Option<i32> {
    Some(match word {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "last" => -1,
        w if w.ends_with(char::is_alphabetic) => day_number(w)? as i32,
        _ => return None,
    })
}

/// "at 9", "at 9am", "at 9:30", "at 2:30 pm", "at noon".
fn time_of_day(w: &[&str]) -> Option<(usize, String)> {
    (w.first() == Some(&"at")).then_some(())?;
    let (len, time) = clock_time(&w[1..], true)?;
    Some((
        1 + len,
        format!("BYHOUR={};BYMINUTE={}", time.hour(), time.minute()),
    ))
}

/// "until March" (through the last day of February), "until March 15",
/// "until the end of the year", "for 6 weeks" (a count, for a weekly rule
/// on one day or none).
fn ending(
    tokens: &[Token],
    i: usize,
    today: NaiveDate,
    how: Conventions,
    parts: &[String],
) -> Option<(usize, String)> {
    let words: Vec<&str> = tokens.get(i..)?.iter().map(|t| t.lower.as_str()).collect();
    let lead = usize::from(words.first() == Some(&","));
    let w = &words[lead..];
    match *w.first()? {
        "until" | "till" | "til" | "through" | "thru" => {
            let rest = &w[1..];
            let until = |len: usize, day: NaiveDate| {
                Some((lead + 1 + len, format!("UNTIL={}", day.format("%Y%m%d"))))
            };
            if rest.starts_with(&["the", "end", "of", "the", "year"]) {
                return until(5, NaiveDate::from_ymd_opt(today.year(), 12, 31)?);
            }
            if let Some(m) = rest.first().and_then(|m| month(m))
                && rest.get(1).and_then(|d| day_number(d)).is_none()
            {
                let year = today.year() + i32::from(m <= today.month());
                let start = NaiveDate::from_ymd_opt(year, m, 1)?;
                return until(1, start.checked_sub_days(Days::new(1))?);
            }
            let date = date_at(tokens, i + lead + 1, today, how)?;
            until(date.len, date.date)
        }
        "for" => {
            let n = count(w.get(1)?).filter(|n| (2..=520).contains(n))?;
            let per = unit(w.get(2)?)?;
            let freq = parts.first()?.strip_prefix("FREQ=")?;
            let one_a_period = !parts
                .iter()
                .any(|p| p.starts_with("BYDAY=") && p.contains(','));
            (per == freq && one_a_period).then(|| (lead + 3, format!("COUNT={n}")))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    /// The span found at the first token that starts one, and its RRULE.
    fn read(text: &str) -> Option<(String, String)> {
        let tokens = tokenize(text);
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        (0..tokens.len()).find_map(|i| {
            recurrence_at(&tokens, i, today, Conventions::default()).map(|(n, rule)| {
                let words: Vec<&str> = tokens[i..i + n].iter().map(|t| t.text.as_str()).collect();
                (words.join(" "), rule)
            })
        })
    }

    #[test]
    fn schedules_become_canonical_rules() {
        for (text, words, rule) in [
            (
                "every Monday at 9 send the report",
                "every Monday at 9",
                "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0",
            ),
            (
                "every other friday at 4pm",
                "every other friday at 4pm",
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=16;BYMINUTE=0",
            ),
            (
                "pay rent on the 1st of every month",
                "on the 1st of every month",
                "FREQ=MONTHLY;BYMONTHDAY=1",
            ),
            (
                "the last day of each month",
                "the last day of each month",
                "FREQ=MONTHLY;BYMONTHDAY=-1",
            ),
            (
                "the first monday of every month",
                "the first monday of every month",
                "FREQ=MONTHLY;BYDAY=1MO",
            ),
            (
                "each quarter",
                "each quarter",
                "FREQ=YEARLY;BYMONTHDAY=1;BYMONTH=1,4,7,10",
            ),
            (
                "every weekday at 8:30",
                "every weekday at 8:30",
                "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=30",
            ),
            (
                "mondays and thursdays",
                "mondays and thursdays",
                "FREQ=WEEKLY;BYDAY=MO,TH",
            ),
            ("every 3 days", "every 3 days", "FREQ=DAILY;INTERVAL=3"),
            (
                "every year on march 31",
                "every year on march 31",
                "FREQ=YEARLY;BYMONTHDAY=31;BYMONTH=3",
            ),
            (
                "every day until march",
                "every day until march",
                "FREQ=DAILY;UNTIL=20270228",
            ),
            (
                "every friday until march 15",
                "every friday until march 15",
                "FREQ=WEEKLY;BYDAY=FR;UNTIL=20270315",
            ),
            (
                "weekly for 6 weeks",
                "weekly for 6 weeks",
                "FREQ=WEEKLY;COUNT=6",
            ),
            (
                "every day at noon",
                "every day at noon",
                "FREQ=DAILY;BYHOUR=12;BYMINUTE=0",
            ),
        ] {
            assert_eq!(
                read(text),
                Some((words.to_string(), rule.to_string())),
                "{text}"
            );
        }
    }

    #[test]
    fn days_and_words_that_are_not_schedules_are_left_alone() {
        for text in [
            "due monday",
            "list every task",
            "by the 1st of the month",
            "each of them",
            "every time it breaks",
            "at 9 tomorrow",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}
