//! Dates as people type them, resolved against today.
//!
//! Rules (weeks start on Monday): "today", "tonight", "EOD", "COB" are today;
//! a bare weekday, "this" or "coming" weekday is the next such day after today;
//! "next <weekday>" is that day in next calendar week (at a weekend, the
//! week after the coming one); "this week", "end of
//! (the) week", "EOW" are its Friday (next Friday at a weekend); "next week"
//! is next Monday and "end of next week" its Friday; "end of (the) month",
//! "EOM", "end of the quarter", "end of Q1"…"Q4", "end of the year" are their
//! last days (next year's once passed); "in N days/wks/weeks/months" and "N
//! days from now"; "Dec 17", "17th of December", "the 17th"; numeric `12/15`
//! (month first unless the workspace says day first) and ISO dates; named
//! holidays (Christmas, Christmas Eve, New Year's Eve and Day, Halloween,
//! Valentine's, Thanksgiving), "before <holiday>" being the day before. An
//! explicit date written beside a weekday wins over it ("friday 12/18").

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};

use maestro_tools::settings::Sprint;

use super::tokens::Token;

/// How the workspace writes numeric dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DateOrder {
    /// `12/15` is 15 December.
    #[default]
    MonthFirst,
    /// `15/12` is 15 December.
    DayFirst,
}

/// How the workspace writes and counts dates: the order of numeric dates
/// and, if it has said, when its sprints run ("by the end of the sprint").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Conventions {
    /// How numeric dates are written.
    pub order: DateOrder,
    /// When sprints run.
    pub sprint: Option<Sprint>,
}

/// A date found at a token: how many tokens it spans and the day it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateMatch {
    /// Tokens taken.
    pub len: usize,
    /// The day.
    pub date: NaiveDate,
}

impl Conventions {
    /// The conventions a platform's workspace settings give.
    pub fn of(platform: &maestro_tools::Platform) -> Self {
        let settings = platform.workspace_settings().unwrap_or_default();
        Self {
            order: if settings.day_first {
                DateOrder::DayFirst
            } else {
                DateOrder::MonthFirst
            },
            sprint: settings.sprint,
        }
    }
}

/// `text` read as one date and nothing else ("friday", "next tuesday",
/// "in 2 weeks", "2026-12-18", "12/18"), seen from `today`; `None` when it
/// is not exactly one date.
pub fn read_date(text: &str, today: NaiveDate, how: Conventions) -> Option<NaiveDate> {
    let tokens = super::tokens::tokenize(text);
    let found = date_at(&tokens, 0, today, how)?;
    (found.len == tokens.len()).then_some(found.date)
}

/// The date that starts at `tokens[i]`, if any, seen from `today`.
pub fn date_at(
    tokens: &[Token],
    i: usize,
    today: NaiveDate,
    how: Conventions,
) -> Option<DateMatch> {
    let words: Vec<&str> = tokens[i..]
        .iter()
        .take(6)
        .map(|t| t.lower.as_str())
        .collect();
    let found = single(&words, today, how)?;
    let rest = &words[found.len..];
    // "tuesday's outage" is about a day, not a date given to the request.
    if matches!(rest.first(), Some(&("'s" | "’s"))) {
        return None;
    }
    // "the 2nd one", "the 3rd task": a place in a list, not a day of the month.
    let ordinal = |w: &&str| {
        w.starts_with(|c: char| c.is_ascii_digit())
            && ["st", "nd", "rd", "th"].iter().any(|s| w.ends_with(s))
    };
    if words[..found.len].iter().any(ordinal)
        && matches!(
            rest.first(),
            Some(&("one" | "ones" | "task" | "ticket" | "item" | "version" | "row"))
        )
    {
        return None;
    }
    let date = |len, date| Some(DateMatch { len, date });
    let loose = matches!(found.kind, Kind::Weekday | Kind::EndOfDay);
    // A weekday (or EOD) written beside an explicit date gives way to it.
    let (gap, after_gap) = skip(rest, &["the", ","]);
    if let Some(exact) = single(&after_gap, today, how).filter(|m| loose && m.explicit) {
        return date(found.len + gap + exact.len, exact.date);
    }
    let next = rest.first().copied().unwrap_or("");
    match found.kind {
        // "EOD thursday" is thursday; "thursday EOD" too.
        Kind::EndOfDay if weekday(next).is_some() => {
            date(found.len + 1, after(today, weekday(next)?))
        }
        Kind::Weekday if is_end_of_day(next) => date(found.len + 1, found.date),
        _ => date(found.len, found.date),
    }
}

fn skip<'a>(words: &'a [&'a str], fillers: &[&str]) -> (usize, Vec<&'a str>) {
    let n = words.iter().take_while(|w| fillers.contains(w)).count();
    (n, words[n..].to_vec())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Weekday,
    EndOfDay,
    Other,
}

struct Found {
    len: usize,
    date: NaiveDate,
    kind: Kind,
    /// A calendar date written out (numeric, ISO or month and day).
    explicit: bool,
}

fn found(len: usize, date: NaiveDate, kind: Kind) -> Option<Found> {
    Some(Found {
        len,
        date,
        kind,
        explicit: false,
    })
}

fn explicit(len: usize, date: NaiveDate) -> Option<Found> {
    Some(Found {
        len,
        date,
        kind: Kind::Other,
        explicit: true,
    })
}

fn is_end_of_day(w: &str) -> bool {
    matches!(w, "eod" | "cob" | "tonight")
}

fn single(w: &[&str], today: NaiveDate, how: Conventions) -> Option<Found> {
    let first = *w.first()?;
    let at = |n: usize| w.get(n).copied().unwrap_or("");
    if let Some(d) = numeric(first, today, how.order) {
        return explicit(1, d);
    }
    match first {
        "today" | "tonight" | "eod" | "cob" => return found(1, today, Kind::EndOfDay),
        "tomorrow" | "tmrw" | "tmr" | "tmw" | "tomorow" | "tommorow" | "2moro" => {
            return found(1, today + Duration::days(1), Kind::Other);
        }
        "eow" => return found(1, friday_of_week(today), Kind::Other),
        "eom" => return found(1, end_of_month(today), Kind::Other),
        "eoq" => return found(1, end_of_quarter(today, quarter(today)), Kind::Other),
        "eoy" => return found(1, year_end(today), Kind::Other),
        "this" | "coming" | "by" if weekday(at(1)).is_some() => {
            let day = weekday(at(1))?;
            return found(2, after(today, day), Kind::Weekday);
        }
        "this" if at(1) == "week" => return found(2, friday_of_week(today), Kind::Other),
        "this" | "current" if at(1) == "sprint" => {
            return found(2, how.sprint?.last_day(today, 0), Kind::Other);
        }
        "next" => {
            if let Some(day) = weekday(at(1)) {
                let date = next_week(today) + Duration::days(day.num_days_from_monday().into());
                return found(2, date, Kind::Weekday);
            }
            return match at(1) {
                "week" => found(2, next_week(today), Kind::Other),
                "month" => found(2, end_of_month(today) + Duration::days(1), Kind::Other),
                "sprint" => found(2, how.sprint?.last_day(today, 1), Kind::Other),
                _ => None,
            };
        }
        "end" | "close" => return end_of(w, today, how.sprint),
        "the" if matches!(at(1), "end" | "close") => {
            let inner = end_of(&w[1..], today, how.sprint)?;
            return found(inner.len + 1, inner.date, inner.kind);
        }
        "in" => return in_count(w, today),
        "before" => {
            let h = holiday(&w[1..], today)?;
            return found(h.0 + 1, h.1 - Duration::days(1), Kind::Other);
        }
        _ => {}
    }
    if let Some(day) = weekday(first) {
        return found(1, after(today, day), Kind::Weekday);
    }
    if let Some((n, d)) = holiday(w, today) {
        return found(n, d, Kind::Other);
    }
    if let Some((n, d)) = from_now(w, today) {
        return found(n, d, Kind::Other);
    }
    month_day(w, today).and_then(|(n, d)| explicit(n, d))
}

/// "end of (the) day / week / month / quarter / year / next week / Q1",
/// "close of business".
fn end_of(w: &[&str], today: NaiveDate, sprint: Option<Sprint>) -> Option<Found> {
    if w.get(1) != Some(&"of") {
        return None;
    }
    let (skipped, rest) = skip(&w[2..], &["the", "this"]);
    let n = 2 + skipped;
    let what = *rest.first()?;
    match what {
        "day" | "business" => found(n + 1, today, Kind::EndOfDay),
        "week" => found(n + 1, friday_of_week(today), Kind::Other),
        "month" => found(n + 1, end_of_month(today), Kind::Other),
        "quarter" => found(n + 1, end_of_quarter(today, quarter(today)), Kind::Other),
        "year" => found(n + 1, year_end(today), Kind::Other),
        "sprint" => found(n + 1, sprint?.last_day(today, 0), Kind::Other),
        "next" => match rest.get(1).copied()? {
            "sprint" => found(n + 2, sprint?.last_day(today, 1), Kind::Other),
            "week" => found(n + 2, friday_of_week(next_week(today)), Kind::Other),
            "month" => found(
                n + 2,
                end_of_month(end_of_month(today) + Duration::days(1)),
                Kind::Other,
            ),
            _ => None,
        },
        q if q.len() == 2 && q.starts_with('q') => {
            let n_q: u32 = q[1..].parse().ok().filter(|n| (1..=4).contains(n))?;
            found(n + 1, end_of_quarter(today, n_q), Kind::Other)
        }
        _ => None,
    }
}

fn in_count(w: &[&str], today: NaiveDate) -> Option<Found> {
    let next: Vec<&str> = (1..4).map(|k| w.get(k).copied().unwrap_or("")).collect();
    let (n, unit_at) = match next.as_slice() {
        ["a", "couple", "of"] => (2, 4),
        ["a", "few", _] => (3, 3),
        ["a" | "an", _, _] => (1, 2),
        [num, _, _] => (count(num)?, 2),
        _ => return None,
    };
    shift(today, n, w.get(unit_at)?).and_then(|d| found(unit_at + 1, d, Kind::Other))
}

/// "3 days from now", "two weeks from today".
fn from_now(w: &[&str], today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let n = count(w.first()?)?;
    if w.get(2) == Some(&"from") && matches!(w.get(3), Some(&"now") | Some(&"today")) {
        return shift(today, n, w[1]).map(|d| (4, d));
    }
    None
}

fn shift(today: NaiveDate, n: i64, unit: &str) -> Option<NaiveDate> {
    match unit {
        "day" | "days" | "d" => Some(today + Duration::days(n)),
        "week" | "weeks" | "wk" | "wks" | "w" => Some(today + Duration::weeks(n)),
        "month" | "months" | "mo" | "mos" => today.checked_add_months(Months::new(n as u32)),
        _ => None,
    }
}

/// A number of days, weeks or months as typed ("3", "three", "a").
pub fn count(word: &str) -> Option<i64> {
    let n = match word {
        "a" | "an" | "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        digits => digits.parse().ok()?,
    };
    (n <= 3650).then_some(n)
}

/// The weekday a word names ("mon", "Tues", "thursday").
pub fn weekday(word: &str) -> Option<Weekday> {
    let w = word.trim_end_matches('.');
    let w = w.strip_suffix("day").unwrap_or(w);
    Some(match w {
        "mon" => Weekday::Mon,
        "tue" | "tues" => Weekday::Tue,
        "wed" | "wednes" | "weds" => Weekday::Wed,
        "thu" | "thur" | "thurs" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" | "satur" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// The month a word names ("march", "Sept"), 1 to 12.
pub fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let ok = |name: &str| w.len() >= 3 && name.starts_with(w) || w == "sept" && name == "september";
    NAMES.iter().position(|n| ok(n)).map(|i| i as u32 + 1)
}

/// A day of the month as typed ("15", "15th", "1st").
pub fn day_number(word: &str) -> Option<u32> {
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| word.strip_suffix(s))
        .unwrap_or(word);
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

/// "dec 17", "December 17th", "17 dec", "17th of december", "the 17th", with
/// an optional year ("dec 17 2026", "dec 17, 2027").
fn month_day(w: &[&str], today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let (n, m, d) = if let (Some(m), Some(d)) = (month(w[0]), w.get(1).and_then(|x| day_number(x)))
    {
        (2, m, d)
    } else if let Some(d) = day_number(w[0]) {
        let of = usize::from(w.get(1) == Some(&"of"));
        let m = month(w.get(1 + of)?)?;
        (2 + of, m, d)
    } else if w[0] == "the" {
        let d = w
            .get(1)
            .filter(|x| x.ends_with(char::is_alphabetic))
            .and_then(|x| day_number(x))?;
        let this_month = today.with_day(d).filter(|x| *x >= today);
        let date = this_month.or_else(|| {
            let next = end_of_month(today) + Duration::days(1);
            next.with_day(d)
        })?;
        return Some((2, date));
    } else {
        return None;
    };
    let rest = skip(&w[n..], &[","]);
    let year = rest.1.first().and_then(|y| y.parse::<i32>().ok());
    if let Some(year) = year.filter(|y| (2000..2100).contains(y)) {
        return NaiveDate::from_ymd_opt(year, m, d).map(|date| (n + rest.0 + 1, date));
    }
    next_occurrence(today, m, d).map(|date| (n, date))
}

/// `12/15`, `12/15/2026`, `2026-12-15`.
fn numeric(word: &str, today: NaiveDate, order: DateOrder) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(word, "%Y-%m-%d") {
        return Some(d);
    }
    let parts: Vec<&str> = word.split('/').collect();
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (a, b) = (*nums.first()?, *nums.get(1)?);
    let (m, d) = match order {
        DateOrder::MonthFirst => (a, b),
        DateOrder::DayFirst => (b, a),
    };
    match nums.len() {
        2 => next_occurrence(today, m, d),
        3 => {
            let y = nums[2] as i32;
            let y = if y < 100 { 2000 + y } else { y };
            NaiveDate::from_ymd_opt(y, m, d)
        }
        _ => None,
    }
}

fn next_occurrence(today: NaiveDate, m: u32, d: u32) -> Option<NaiveDate> {
    match NaiveDate::from_ymd_opt(today.year(), m, d) {
        Some(date) if date >= today => Some(date),
        _ => NaiveDate::from_ymd_opt(today.year() + 1, m, d),
    }
}

/// Named holidays, the next one on or after today.
fn holiday(w: &[&str], today: NaiveDate) -> Option<(usize, NaiveDate)> {
    // The words without a possessive 's, each with the tokens taken through it.
    let mut words: Vec<(&str, usize)> = Vec::new();
    for (k, x) in w.iter().enumerate().take(5) {
        match (*x, words.last_mut()) {
            ("'s", Some(last)) => last.1 = k + 1,
            _ => words.push((x, k + 1)),
        }
    }
    let word = |k: usize| words.get(k).map_or("", |x| x.0);
    let (n, m, d) = match (word(0), word(1), word(2)) {
        ("christmas" | "xmas", "eve", _) => (2, 12, 24),
        ("christmas" | "xmas", "day", _) => (2, 12, 25),
        ("christmas" | "xmas", _, _) => (1, 12, 25),
        ("new", "year" | "years", "eve") => (3, 12, 31),
        ("new", "year" | "years", "day") => (3, 1, 1),
        ("new", "year" | "years", _) => (2, 1, 1),
        ("nye", _, _) => (1, 12, 31),
        ("halloween", _, _) => (1, 10, 31),
        ("valentine" | "valentines", "day", _) => (2, 2, 14),
        ("valentine" | "valentines", _, _) => (1, 2, 14),
        ("thanksgiving", _, _) => return Some((words[0].1, thanksgiving(today)?)),
        _ => return None,
    };
    next_occurrence(today, m, d).map(|date| (words[n - 1].1, date))
}

fn thanksgiving(today: NaiveDate) -> Option<NaiveDate> {
    let in_year = |y: i32| {
        let first = NaiveDate::from_ymd_opt(y, 11, 1)?;
        Some(on_or_after(first, Weekday::Thu) + Duration::weeks(3))
    };
    in_year(today.year())
        .filter(|d| *d >= today)
        .or_else(|| in_year(today.year() + 1))
}

/// The first `day` strictly after `today`.
pub fn after(today: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead = (7 + i64::from(day.num_days_from_monday())
        - i64::from(today.weekday().num_days_from_monday()))
        % 7;
    today + Duration::days(if ahead == 0 { 7 } else { ahead })
}

fn on_or_after(today: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead = (7 + i64::from(day.num_days_from_monday())
        - i64::from(today.weekday().num_days_from_monday()))
        % 7;
    today + Duration::days(ahead)
}

fn next_monday(today: NaiveDate) -> NaiveDate {
    today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()))
}

/// The Monday that starts "next week": at a weekend the coming working week
/// is still "this week", so next week starts a week later.
fn next_week(today: NaiveDate) -> NaiveDate {
    let monday = next_monday(today);
    if today.weekday().num_days_from_monday() >= 5 {
        monday + Duration::weeks(1)
    } else {
        monday
    }
}

/// The last working day of `today`'s week (next week's at a weekend).
pub fn friday_of_week(today: NaiveDate) -> NaiveDate {
    on_or_after(today, Weekday::Fri)
}

fn end_of_month(today: NaiveDate) -> NaiveDate {
    let first = today.with_day(1).unwrap_or(today);
    first
        .checked_add_months(Months::new(1))
        .map_or(today, |next| next - Duration::days(1))
}

fn quarter(today: NaiveDate) -> u32 {
    (today.month() - 1) / 3 + 1
}

/// The last day of quarter `q`, this year or next once it has passed.
fn end_of_quarter(today: NaiveDate, q: u32) -> NaiveDate {
    let end = |y: i32| {
        let first_after = NaiveDate::from_ymd_opt(y, 3 * q, 1).unwrap_or(today);
        end_of_month(first_after)
    };
    let this_year = end(today.year());
    if this_year >= today {
        this_year
    } else {
        end(today.year() + 1)
    }
}

fn year_end(today: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today)
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    fn resolve(phrase: &str, today: NaiveDate) -> String {
        let tokens = tokenize(phrase);
        let m = date_at(&tokens, 0, today, Conventions::default())
            .unwrap_or_else(|| panic!("{phrase:?} is not a date"));
        assert_eq!(m.len, tokens.len(), "all of {phrase:?} is the date");
        m.date.to_string()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn day_first() -> Conventions {
        Conventions {
            order: DateOrder::DayFirst,
            ..Conventions::default()
        }
    }

    #[test]
    fn sprints_end_where_the_workspace_says() {
        let how = Conventions {
            sprint: Some(Sprint {
                start: day(2026, 11, 23),
                days: 14,
            }),
            ..Conventions::default()
        };
        let thu = day(2026, 11, 26);
        for (phrase, want) in [
            ("this sprint", "2026-12-06"),
            ("end of the sprint", "2026-12-06"),
            ("the end of this sprint", "2026-12-06"),
            ("next sprint", "2026-12-20"),
            ("end of next sprint", "2026-12-20"),
        ] {
            let tokens = tokenize(phrase);
            let m = date_at(&tokens, 0, thu, how).unwrap_or_else(|| panic!("{phrase:?}"));
            assert_eq!(
                (m.len, m.date.to_string()),
                (tokens.len(), want.into()),
                "{phrase:?}"
            );
        }
        // Without a sprint setting a sprint is not a date.
        let tokens = tokenize("next sprint");
        assert!(date_at(&tokens, 0, thu, Conventions::default()).is_none());
    }

    #[test]
    fn relative_dates_from_a_thursday() {
        let thu = day(2026, 11, 26);
        for (phrase, want) in [
            ("today", "2026-11-26"),
            ("EOD", "2026-11-26"),
            ("eod thursday", "2026-12-03"),
            ("friday eod", "2026-11-27"),
            ("tmrw", "2026-11-27"),
            ("Friday", "2026-11-27"),
            ("this friday", "2026-11-27"),
            ("Thursday", "2026-12-03"),
            ("next Friday", "2026-12-04"),
            ("next Monday", "2026-11-30"),
            ("next week", "2026-11-30"),
            ("end of next week", "2026-12-04"),
            ("this week", "2026-11-27"),
            ("end of the week", "2026-11-27"),
            ("in 3 wks", "2026-12-17"),
            ("in a couple of days", "2026-11-28"),
            ("2 weeks from now", "2026-12-10"),
            ("end of the month", "2026-11-30"),
            ("the end of the month", "2026-11-30"),
            ("EOM", "2026-11-30"),
            ("end of Q1", "2027-03-31"),
            ("end of the quarter", "2026-12-31"),
            ("end of the year", "2026-12-31"),
            ("Dec 5", "2026-12-05"),
            ("December 3rd", "2026-12-03"),
            ("17th of december", "2026-12-17"),
            ("the 3rd", "2026-12-03"),
            ("Nov 2", "2027-11-02"),
            ("12/15", "2026-12-15"),
            ("1/5", "2027-01-05"),
            ("2026-12-18", "2026-12-18"),
            ("friday 12/18", "2026-12-18"),
            ("fri, dec 18", "2026-12-18"),
            ("christmas eve", "2026-12-24"),
            ("before christmas", "2026-12-24"),
            ("xmas", "2026-12-25"),
            ("new year's eve", "2026-12-31"),
            ("new years day", "2027-01-01"),
            ("thanksgiving", "2026-11-26"),
        ] {
            assert_eq!(resolve(phrase, thu), want, "{phrase}");
        }
    }

    #[test]
    fn weekends_look_ahead_to_the_next_working_week() {
        let sun = day(2026, 12, 6);
        assert_eq!(resolve("this week", sun), "2026-12-11");
        assert_eq!(resolve("next monday", sun), "2026-12-14");
        assert_eq!(resolve("next week", sun), "2026-12-14");
        assert_eq!(resolve("monday", sun), "2026-12-07");
    }

    #[test]
    fn day_first_workspaces_read_numeric_dates_the_other_way() {
        let tokens = tokenize("15/12");
        let m = date_at(&tokens, 0, day(2026, 11, 26), day_first()).unwrap();
        assert_eq!(m.date.to_string(), "2026-12-15");
        assert!(date_at(&tokens, 0, day(2026, 11, 26), Conventions::default()).is_none());
    }

    #[test]
    fn words_that_are_not_dates_are_left_alone() {
        let thu = day(2026, 11, 26);
        for phrase in [
            "the login bug",
            "in progress",
            "next one",
            "end of it",
            "Feb 31",
            "may I",
            "tuesday's outage",
            "the 2nd one",
            "3rd task",
        ] {
            let tokens = tokenize(phrase);
            assert!(
                date_at(&tokens, 0, thu, Conventions::default()).is_none(),
                "{phrase:?} is not a date"
            );
        }
    }
}
