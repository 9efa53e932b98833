//! Recurrence rules: RFC 5545 RRULEs in one canonical spelling, checked,
//! described in words, and expanded into occurrences in a time zone.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The RRULE parts we take, in their canonical order.
const PARTS: [&str; 9] = [
    "FREQ",
    "INTERVAL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYHOUR",
    "BYMINUTE",
    "UNTIL",
    "COUNT",
];

const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// What to write instead of a rule we cannot take.
const RULE_HINT: &str = "write an RRULE such as FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0 (every Monday at 9:00) or FREQ=MONTHLY;BYMONTHDAY=1 (the 1st of every month)";

/// A checked recurrence rule in canonical form: parts in the order of
/// [`PARTS`], days Monday first, `INTERVAL=1` dropped, `BYMINUTE=0` added
/// to an hour, `UNTIL` as a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    parts: Vec<(&'static str, String)>,
}

impl Rule {
    /// Parses and checks `text` (an optional `RRULE:` prefix, parts in any
    /// order and case); the error says what to write instead.
    pub fn parse(text: &str) -> Result<Self, String> {
        let body = text.trim();
        let body = body
            .strip_prefix("RRULE:")
            .or_else(|| body.strip_prefix("rrule:"))
            .unwrap_or(body);
        let mut parts: Vec<(&'static str, String)> = Vec::new();
        for part in body.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} is not KEY=VALUE; {RULE_HINT}"))?;
            let key = key.trim().to_ascii_uppercase();
            let known = PARTS.iter().find(|k| **k == key).ok_or_else(|| {
                format!(
                    "{key} is not supported (only {}); {RULE_HINT}",
                    PARTS.join(", ")
                )
            })?;
            if parts.iter().any(|(k, _)| k == known) {
                return Err(format!("{key} is given twice; {RULE_HINT}"));
            }
            parts.push((known, canonical_value(known, value.trim())?));
        }
        let rule = Self::ordered(parts)?;
        rule.check_with_engine()?;
        Ok(rule)
    }

    fn ordered(mut parts: Vec<(&'static str, String)>) -> Result<Self, String> {
        if !parts.iter().any(|(k, _)| *k == "FREQ") {
            return Err(format!("a rule needs FREQ; {RULE_HINT}"));
        }
        if parts.iter().any(|(k, _)| *k == "UNTIL") && parts.iter().any(|(k, _)| *k == "COUNT") {
            return Err("give UNTIL or COUNT, not both".into());
        }
        parts.retain(|(k, v)| !(*k == "INTERVAL" && v == "1"));
        if parts.iter().any(|(k, _)| *k == "BYHOUR") && !parts.iter().any(|(k, _)| *k == "BYMINUTE")
        {
            parts.push(("BYMINUTE", "0".into()));
        }
        parts.sort_by_key(|(k, _)| PARTS.iter().position(|p| p == k));
        Ok(Self { parts })
    }

    /// Builds the rule once from an arbitrary start, so that anything the
    /// RRULE engine rejects is rejected here, when the rule is written.
    fn check_with_engine(&self) -> Result<(), String> {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        self.expand(Tz::UTC, start, start, start).map(|_| ())
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.parts
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether occurrences have a time of day (else they fall on a day).
    pub fn has_time(&self) -> bool {
        self.get("BYHOUR").is_some()
    }

    /// The last day an occurrence may fall on, when the rule ends by date.
    pub fn until(&self) -> Option<NaiveDate> {
        self.get("UNTIL")
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
    }

    /// The rule in words: "every Monday at 09:00", "every other Friday",
    /// "the 1st of every month".
    pub fn describe(&self) -> String {
        let interval: u32 = self
            .get("INTERVAL")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let unit = match self.get("FREQ") {
            Some("DAILY") => "day",
            Some("WEEKLY") => "week",
            Some("MONTHLY") => "month",
            _ => "year",
        };
        let every = |what: &str| match interval {
            1 => format!("every {what}"),
            2 => format!("every other {what}"),
            n => format!("every {n} {what}s"),
        };
        let days: Option<Vec<String>> = self
            .get("BYDAY")
            .map(|d| d.split(',').map(describe_day).collect());
        let month_days: Option<Vec<String>> = self
            .get("BYMONTHDAY")
            .map(|d| d.split(',').map(describe_month_day).collect());
        let mut text = match (unit, days, month_days) {
            ("week", Some(days), _) if interval == 1 => format!("every {}", join_words(&days)),
            ("week", Some(days), _) if interval == 2 => {
                format!("every other {}", join_words(&days))
            }
            ("month" | "year", Some(days), _) => {
                format!("the {} of {}", join_words(&days), every(unit))
            }
            (_, Some(days), _) => format!("{} on {}", every(unit), join_words(&days)),
            (_, None, Some(days)) => format!("the {} of {}", join_words(&days), every(unit)),
            (_, None, None) => every(unit),
        };
        if let Some(months) = self.get("BYMONTH") {
            let months: Vec<String> = months
                .split(',')
                .filter_map(|m| m.parse::<usize>().ok())
                .map(|m| MONTH_NAMES[m - 1].to_string())
                .collect();
            text = format!("{text} in {}", join_words(&months));
        }
        if let (Some(hours), Some(minute)) = (self.get("BYHOUR"), self.get("BYMINUTE")) {
            let times: Vec<String> = hours
                .split(',')
                .map(|h| format!("{h:0>2}:{minute:0>2}"))
                .collect();
            text = format!("{text} at {}", join_words(&times));
        }
        if let Some(until) = self.until() {
            text = format!("{text} until {until}");
        }
        if let Some(count) = self.get("COUNT") {
            text = format!("{text}, {count} times");
        }
        text
    }

    /// Occurrences in `zone` on the days from `from` to `to` (both
    /// included), for a rule that started on `start`; a rule without a time
    /// of day falls at midnight.
    pub fn expand(
        &self,
        zone: Tz,
        start: NaiveDate,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DateTime<Tz>>, String> {
        let midnight = |day: NaiveDate| {
            zone.from_local_datetime(&day.and_time(NaiveTime::MIN))
                .earliest()
                .ok_or_else(|| format!("{day} has no midnight in {zone}"))
        };
        let rrule_zone = rrule::Tz::Tz(zone);
        let start_at = midnight(start)?.with_timezone(&rrule_zone);
        let set = self
            .engine_text(zone)?
            .parse::<rrule::RRule<rrule::Unvalidated>>()
            .and_then(|r| r.build(start_at))
            .map_err(|e| format!("{e}; {RULE_HINT}"))?;
        let after = midnight(from)?.with_timezone(&rrule_zone) - chrono::Duration::seconds(1);
        let before = midnight(to.checked_add_days(Days::new(1)).unwrap_or(to))?
            .with_timezone(&rrule_zone)
            - chrono::Duration::seconds(1);
        let found = set.after(after).before(before).all(u16::MAX);
        Ok(found
            .dates
            .into_iter()
            .map(|d| d.with_timezone(&zone))
            .collect())
    }

    /// The rule as the RRULE engine takes it: `UNTIL` as the end of its day
    /// in `zone`, in UTC (RFC 5545 wants UTC with a zoned start).
    fn engine_text(&self, zone: Tz) -> Result<String, String> {
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|(k, v)| match (*k, self.until()) {
                ("UNTIL", Some(day)) => {
                    let end = zone
                        .from_local_datetime(&day.and_hms_opt(23, 59, 59).unwrap_or_default())
                        .latest()
                        .ok_or_else(|| format!("{day} has no end in {zone}"))?
                        .with_timezone(&Utc);
                    Ok(format!("UNTIL={}", end.format("%Y%m%dT%H%M%SZ")))
                }
                _ => Ok(format!("{k}={v}")),
            })
            .collect::<Result<_, String>>()?;
        Ok(parts.join(";"))
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.parts.iter().map(|(k, v)| format!("{k}={v}")).collect();
        f.write_str(&parts.join(";"))
    }
}

/// One part's value, checked and spelled canonically.
fn canonical_value(key: &str, value: &str) -> Result<String, String> {
    let bad = |why: &str| format!("{key}={value}: {why}");
    match key {
        "FREQ" => match value.to_ascii_uppercase().as_str() {
            f @ ("DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY") => Ok(f.to_string()),
            _ => Err(bad("tasks recur DAILY, WEEKLY, MONTHLY or YEARLY")),
        },
        "INTERVAL" => number_list(value, 1, 1000, false).map_err(|e| bad(&e)),
        "COUNT" => number_list(value, 1, 10_000, false).map_err(|e| bad(&e)),
        "BYMONTHDAY" => number_list(value, -31, 31, true).map_err(|e| bad(&e)),
        "BYMONTH" => number_list(value, 1, 12, true).map_err(|e| bad(&e)),
        "BYHOUR" => number_list(value, 0, 23, true).map_err(|e| bad(&e)),
        "BYMINUTE" => number_list(value, 0, 59, true).map_err(|e| bad(&e)),
        "BYDAY" => by_day(value).map_err(|e| bad(&e)),
        "UNTIL" => until(value).map_err(|e| bad(&e)),
        _ => Err(bad("not supported")),
    }
}

/// Whole numbers in `min..=max` (never 0 where negatives are allowed),
/// sorted and deduplicated: positives first, then negatives.
fn number_list(value: &str, min: i32, max: i32, list: bool) -> Result<String, String> {
    let mut numbers = value
        .split(',')
        .map(|n| match n.trim().parse::<i32>() {
            Ok(0) if min < 0 => Err("0 is not a day of the month".to_string()),
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(format!("give whole numbers from {min} to {max}")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !list && numbers.len() != 1 {
        return Err("give one number".into());
    }
    numbers.sort_by_key(|n| (*n < 0, n.abs()));
    numbers.dedup();
    let text: Vec<String> = numbers.iter().map(i32::to_string).collect();
    Ok(text.join(","))
}

/// Weekdays with optional ordinals (`MO`, `1MO`, `-1FR`), Monday first.
fn by_day(value: &str) -> Result<String, String> {
    let mut days = value
        .split(',')
        .map(|d| {
            let d = d.trim().to_ascii_uppercase();
            let split = d.len().saturating_sub(2);
            let (ordinal, day) = d.split_at(split);
            let index = DAYS
                .iter()
                .position(|x| *x == day)
                .ok_or_else(|| format!("{d:?} is not a day (MO, TU, WE, TH, FR, SA, SU)"))?;
            let ordinal = match ordinal.trim_start_matches('+') {
                "" => 0,
                n => match n.parse::<i32>() {
                    Ok(n @ (-5..=-1 | 1..=5)) => n,
                    _ => {
                        return Err(format!(
                            "{d:?}: the week of the month is 1 to 5 or -1 to -5"
                        ));
                    }
                },
            };
            Ok((index, ordinal))
        })
        .collect::<Result<Vec<_>, String>>()?;
    days.sort();
    days.dedup();
    let text: Vec<String> = days
        .iter()
        .map(|(i, o)| match o {
            0 => DAYS[*i].to_string(),
            o => format!("{o}{}", DAYS[*i]),
        })
        .collect();
    Ok(text.join(","))
}

/// `UNTIL` as a date (`YYYYMMDD`), from a date or a UTC date-time.
fn until(value: &str) -> Result<String, String> {
    let day = value.get(..8).unwrap_or(value);
    NaiveDate::parse_from_str(day, "%Y%m%d")
        .map(|d| d.format("%Y%m%d").to_string())
        .map_err(|_| "give the last day as YYYYMMDD, e.g. 20270228".into())
}

fn describe_day(day: &str) -> String {
    let split = day.len().saturating_sub(2);
    let (ordinal, code) = day.split_at(split);
    let name = DAYS
        .iter()
        .position(|d| *d == code)
        .map_or(code, |i| DAY_NAMES[i]);
    match ordinal {
        "" => name.to_string(),
        "-1" => format!("last {name}"),
        n => format!("{} {name}", ordinal_word(n)),
    }
}

fn describe_month_day(day: &str) -> String {
    match day {
        "-1" => "last day".into(),
        d if d.starts_with('-') => format!("{} day from the end", ordinal_word(&d[1..])),
        d => ordinal_word(d),
    }
}

fn ordinal_word(n: &str) -> String {
    let suffix = match (n.ends_with('1'), n.ends_with('2'), n.ends_with('3')) {
        _ if n.ends_with("11") || n.ends_with("12") || n.ends_with("13") => "th",
        (true, _, _) => "st",
        (_, true, _) => "nd",
        (_, _, true) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// "a", "a and b", "a, b and c".
fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn rules_are_spelled_one_way() {
        for (given, canonical) in [
            ("byday=fr,mo;freq=weekly", "FREQ=WEEKLY;BYDAY=MO,FR"),
            (
                "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;BYHOUR=9",
                "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0",
            ),
            (
                "FREQ=YEARLY;BYMONTH=10,1,7,4;BYMONTHDAY=1",
                "FREQ=YEARLY;BYMONTHDAY=1;BYMONTH=1,4,7,10",
            ),
            ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
            (
                "FREQ=DAILY;UNTIL=20270228T235959Z",
                "FREQ=DAILY;UNTIL=20270228",
            ),
        ] {
            assert_eq!(
                Rule::parse(given).unwrap().to_string(),
                canonical,
                "{given}"
            );
        }
    }

    #[test]
    fn bad_rules_say_what_to_write() {
        for (given, says) in [
            ("every monday", "KEY=VALUE"),
            ("BYDAY=MO", "needs FREQ"),
            ("FREQ=HOURLY", "DAILY, WEEKLY"),
            ("FREQ=WEEKLY;BYDAY=XX", "not a day"),
            ("FREQ=MONTHLY;BYMONTHDAY=0", "0 is not a day"),
            ("FREQ=DAILY;COUNT=3;UNTIL=20270101", "not both"),
            ("FREQ=DAILY;BYSETPOS=1", "not supported"),
            ("FREQ=DAILY;FREQ=WEEKLY", "twice"),
        ] {
            let err = Rule::parse(given).unwrap_err();
            assert!(err.contains(says), "{given}: {err}");
        }
    }

    #[test]
    fn occurrences_fall_on_the_rule_days_in_the_zone() {
        let rule = Rule::parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=9").unwrap();
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let got = rule
            .expand(berlin, day(2026, 12, 7), day(2026, 12, 7), day(2027, 1, 10))
            .unwrap();
        let days: Vec<String> = got
            .iter()
            .map(|d| d.format("%F %H:%M %Z").to_string())
            .collect();
        assert_eq!(
            days,
            [
                "2026-12-11 09:00 CET",
                "2026-12-25 09:00 CET",
                "2027-01-08 09:00 CET"
            ]
        );
        let last = Rule::parse("FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20270228").unwrap();
        let got = last
            .expand(
                Tz::UTC,
                day(2026, 12, 1),
                day(2026, 12, 1),
                day(2027, 12, 31),
            )
            .unwrap();
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[2].date_naive(), day(2027, 2, 28));
    }

    #[test]
    fn rules_read_as_words() {
        for (rule, words) in [
            ("FREQ=WEEKLY;BYDAY=MO;BYHOUR=9", "every Monday at 09:00"),
            ("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "every other Friday"),
            ("FREQ=WEEKLY;INTERVAL=3;BYDAY=FR", "every 3 weeks on Friday"),
            ("FREQ=MONTHLY;BYDAY=1MO", "the 1st Monday of every month"),
            ("FREQ=MONTHLY;BYMONTHDAY=-1", "the last day of every month"),
            (
                "FREQ=YEARLY;BYMONTHDAY=1;BYMONTH=1,4,7,10",
                "the 1st of every year in January, April, July and October",
            ),
            (
                "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                "every Monday, Tuesday, Wednesday, Thursday and Friday",
            ),
            ("FREQ=DAILY;COUNT=5", "every day, 5 times"),
        ] {
            assert_eq!(Rule::parse(rule).unwrap().describe(), words);
        }
    }
}
