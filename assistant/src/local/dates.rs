//! Dates in plain words, relative to today.
//!
//! Rules (weeks start on Monday): a bare weekday or "this <weekday>" is the
//! next such day after today; "next <weekday>" is that day in the next
//! calendar week; "next week" is next Monday; "end of (the) week" is Friday;
//! "end of (the) month" its last day; "in N days/weeks/months"; "Dec 5",
//! "5 December", "December 3rd" (this year, or next year once passed); ISO
//! `YYYY-MM-DD`.

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};

const WEEKDAYS: &str = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?";
const MONTHS: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const COUNT: &str = r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten)";

/// The date expression pattern (verbose mode), for embedding in other patterns.
pub fn pattern() -> String {
    format!(
        r"(?x:\b(?:
            \d{{4}}-\d{{2}}-\d{{2}}
          | today | tonight | tomorrow | tmrw
          | (?:this\s+|next\s+|coming\s+)?{WEEKDAYS}
          | next\s+(?:week|month)
          | (?:the\s+)?end\s+of\s+(?:the\s+)?(?:week|month)
          | in\s+{COUNT}\s+(?:days?|weeks?|months?)
          | {MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?
          | \d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}
        )\b)"
    )
}

/// The date `phrase` (one [`pattern`] match) means, seen from `today`.
pub fn resolve(phrase: &str, today: NaiveDate) -> Option<NaiveDate> {
    let p = phrase.trim().to_lowercase();
    let words: Vec<&str> = p.split_whitespace().collect();
    if let Ok(d) = NaiveDate::parse_from_str(&p, "%Y-%m-%d") {
        return Some(d);
    }
    match p.as_str() {
        "today" | "tonight" => return Some(today),
        "tomorrow" | "tmrw" => return Some(today + Duration::days(1)),
        "next week" => return Some(next_week_start(today)),
        "next month" => {
            return today
                .with_day(1)
                .and_then(|d| d.checked_add_months(Months::new(1)));
        }
        _ => {}
    }
    if p.contains("end of") {
        return if p.ends_with("week") {
            Some(on_or_after(today, Weekday::Fri))
        } else {
            let first_next = today.with_day(1)?.checked_add_months(Months::new(1))?;
            Some(first_next - Duration::days(1))
        };
    }
    if words.first() == Some(&"in") && words.len() == 3 {
        let n = count(words[1])?;
        return match words[2].trim_end_matches('s') {
            "day" => Some(today + Duration::days(n)),
            "week" => Some(today + Duration::weeks(n)),
            "month" => today.checked_add_months(Months::new(n as u32)),
            _ => None,
        };
    }
    if let Some(day) = weekday(words.last()?) {
        return Some(match words.first() {
            Some(&"next") => {
                next_week_start(today) + Duration::days(i64::from(day.num_days_from_monday()))
            }
            _ => after(today, day),
        });
    }
    month_day(&words, today)
}

fn count(word: &str) -> Option<i64> {
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

fn weekday(word: &str) -> Option<Weekday> {
    let w = word.trim_end_matches("day");
    Some(match w {
        "mon" => Weekday::Mon,
        "tue" | "tues" => Weekday::Tue,
        "wed" | "wednes" => Weekday::Wed,
        "thu" | "thur" | "thurs" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" | "satur" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    let names = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    names
        .iter()
        .position(|m| w.starts_with(m))
        .map(|i| i as u32 + 1)
}

fn month_day(words: &[&str], today: NaiveDate) -> Option<NaiveDate> {
    let day_of = |w: &str| {
        w.trim_end_matches(|c: char| c.is_alphabetic())
            .parse::<u32>()
            .ok()
    };
    let (m, d) = match words {
        [a, b] => month(a)
            .zip(day_of(b))
            .or_else(|| month(b).zip(day_of(a)))?,
        [d, "of", m] => (month(m)?, day_of(d)?),
        _ => return None,
    };
    let this_year = NaiveDate::from_ymd_opt(today.year(), m, d)?;
    if this_year >= today {
        Some(this_year)
    } else {
        NaiveDate::from_ymd_opt(today.year() + 1, m, d)
    }
}

/// The first `day` strictly after `today`.
fn after(today: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead =
        (7 + day.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
    today + Duration::days(if ahead == 0 { 7 } else { ahead })
}

/// The first `day` on or after `today`.
fn on_or_after(today: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead =
        (7 + day.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
    today + Duration::days(ahead)
}

fn next_week_start(today: NaiveDate) -> NaiveDate {
    today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()))
}

/// The Sunday that ends `today`'s week.
pub fn end_of_week(today: NaiveDate) -> NaiveDate {
    next_week_start(today) - Duration::days(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_thursday(phrase: &str) -> String {
        let date = regex::Regex::new(&format!("(?i){}", pattern())).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let m = date
            .find(phrase)
            .unwrap_or_else(|| panic!("{phrase:?} is not recognised"));
        assert_eq!(m.as_str(), phrase, "the whole phrase is the date");
        resolve(m.as_str(), today)
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn relative_dates_from_a_thursday() {
        for (phrase, want) in [
            ("today", "2026-11-26"),
            ("tomorrow", "2026-11-27"),
            ("Friday", "2026-11-27"),
            ("this friday", "2026-11-27"),
            ("Thursday", "2026-12-03"),
            ("Monday", "2026-11-30"),
            ("next Friday", "2026-12-04"),
            ("next Monday", "2026-11-30"),
            ("next wednesday", "2026-12-02"),
            ("next week", "2026-11-30"),
            ("in 3 days", "2026-11-29"),
            ("in a week", "2026-12-03"),
            ("in 2 weeks", "2026-12-10"),
            ("end of the month", "2026-11-30"),
            ("end of week", "2026-11-27"),
            ("Dec 5", "2026-12-05"),
            ("December 3rd", "2026-12-03"),
            ("5 Dec", "2026-12-05"),
            ("Nov 2", "2027-11-02"),
            ("2026-12-18", "2026-12-18"),
        ] {
            assert_eq!(on_thursday(phrase), want, "{phrase}");
        }
    }

    #[test]
    fn impossible_dates_resolve_to_nothing() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(resolve("Feb 31", today), None);
        assert_eq!(resolve("in 99999 days", today), None);
        assert_eq!(end_of_week(today).to_string(), "2026-11-29");
    }
}
