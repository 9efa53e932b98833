//! Column profiles: an inferred [`Kind`] per column and its statistics.
//!
//! # How kinds are inferred
//!
//! [`infer_kind`] looks only at the non-missing cells (missing cells are `None`
//! in a [`crate::Frame`]) and the column name. The first rule that matches wins:
//!
//! 1. **No values at all** (every cell missing): [`Kind::Categorical`]. The
//!    profile then reports `missing == rows`; callers usually drop the column.
//! 2. **Boolean**: every value is a boolean word (`true`/`false`, `yes`/`no`,
//!    `y`/`n`, `t`/`f`, any case), or the values are exactly the two numbers 0
//!    and 1 (`0`/`1`, `0.0`/`1.0`; a column of only `1`s is numeric). Words and
//!    0/1 may be mixed only if both 0 and 1 appear.
//! 3. **Numeric**: every value is a plain number ([`parse_number`]), except:
//!    * whole numbers under an identifier-like name (`id`, `*_id`, `*Id`,
//!      `*ID`, `key`, `*_key`, `uuid`, `guid`) that are all different:
//!      [`Kind::Id`];
//!    * whole numbers written with leading zeros (`007`, `02134`: zip codes,
//!      account codes): treated as text labels (rule 5 onwards), because the
//!      zeros would be lost as numbers.
//! 4. **Date**: every value is a date or date-time ([`parse_date`]).
//! 5. **Id** (strings): more than 20 values, every value different, and either
//!    the name looks like an identifier, or every value is a single word
//!    (`C100001`, `a3f9-…`, e-mail addresses) and at most half of them are
//!    numbers (mostly numbers with a few stray cells is a numeric column with
//!    typos, left categorical so that it is noticed).
//! 6. **Text**: multi-word strings that are not repeated labels. Multi-word
//!    means a mean of at least 3 words per value, or most values (more than
//!    half) having several words while more than half of the values are
//!    distinct. Repeated labels (at most 20 distinct values, each used twice on
//!    average or more, such as survey answers like "Neither agree nor
//!    disagree") stay categorical.
//! 7. Otherwise **Categorical**.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::column::Column;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a column holds, as inferred from its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Numbers.
    Numeric,
    /// A small set of labels.
    Categorical,
    /// Two values (true/false, yes/no, 0/1…).
    Boolean,
    /// Calendar dates (or date-times).
    Date,
    /// Free text.
    Text,
    /// An identifier: a different value on every row.
    Id,
}

/// Minimum number of values before an all-distinct string column counts as
/// an identifier (and before "mostly distinct" marks multi-word text).
const ID_MIN_VALUES: usize = 20;

/// Infers a column's kind from its name and cells (missing cells are `None`).
///
/// See the [module documentation](self) for the rules, applied in order:
/// all missing → categorical; boolean; numeric (or id for distinct whole
/// numbers under an id-like name); date; id-like strings; free text;
/// categorical.
pub fn infer_kind(name: &str, cells: &Column) -> Kind {
    let values: Vec<&str> = cells.iter().flatten().collect();
    if values.is_empty() {
        return Kind::Categorical;
    }
    if is_boolean(&values) {
        return Kind::Boolean;
    }
    let id_name = looks_like_id_name(name);
    let numbers: Option<Vec<f64>> = values.iter().map(|v| parse_number(v)).collect();
    if let Some(numbers) = numbers {
        let whole = numbers.iter().all(|x| x.fract() == 0.0);
        if whole && id_name && all_distinct_numbers(&numbers) {
            return Kind::Id;
        }
        if !(whole && values.iter().any(|v| has_leading_zero(v))) {
            return Kind::Numeric;
        }
    } else if values.iter().all(|v| parse_date(v).is_some()) {
        return Kind::Date;
    }
    string_kind(&values, id_name)
}

/// Rules 5–7: identifiers, free text or categories among strings.
fn string_kind(values: &[&str], id_name: bool) -> Kind {
    let n = values.len();
    let distinct = count_distinct(values);
    let words: Vec<usize> = values.iter().map(|v| word_count(v)).collect();
    let spaced = words.iter().filter(|w| **w > 1).count();
    // Mostly numbers with a few stray cells is a dirty numeric column, not
    // identifiers (unless the name says so).
    let mostly_numbers = || values.iter().filter(|v| parse_number(v).is_some()).count() * 2 > n;
    if distinct == n && n > ID_MIN_VALUES && (id_name || (spaced == 0 && !mostly_numbers())) {
        return Kind::Id;
    }
    let words: usize = words.iter().sum();
    let mean_words = words as f64 / n as f64;
    let repeated_labels = distinct <= 20 && distinct * 2 <= n;
    let mostly_distinct = distinct * 2 > n;
    if !repeated_labels && (mean_words >= 3.0 || (mostly_distinct && spaced * 2 > n)) {
        return Kind::Text;
    }
    Kind::Categorical
}

/// Distinct strings (sorting is quicker than hashing here).
fn count_distinct(values: &[&str]) -> usize {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    sorted.len()
}

/// Words separated by whitespace.
fn word_count(v: &str) -> usize {
    if v.is_ascii() {
        let mut words = 0;
        let mut in_word = false;
        for b in v.bytes() {
            let space = b.is_ascii_whitespace();
            if !space && !in_word {
                words += 1;
            }
            in_word = !space;
        }
        words
    } else {
        v.split_whitespace().count()
    }
}

/// Boolean words everywhere, or 0/1 numbers with both present.
fn is_boolean(values: &[&str]) -> bool {
    let (mut zero, mut one, mut numeric) = (false, false, false);
    for v in values {
        match parse_bool(v) {
            None => return false,
            Some(b) => {
                if parse_number(v).is_some() {
                    numeric = true;
                    if b {
                        one = true;
                    } else {
                        zero = true;
                    }
                }
            }
        }
    }
    !numeric || (zero && one)
}

fn all_distinct_numbers(numbers: &[f64]) -> bool {
    distinct_numbers(numbers) == numbers.len()
}

/// Distinct numbers (`-0` and `0` as one; NaN never occurs here).
pub(crate) fn distinct_numbers(numbers: &[f64]) -> usize {
    let mut bits: Vec<u64> = numbers
        .iter()
        .map(|x| normalise_zero(*x).to_bits())
        .collect();
    bits.sort_unstable();
    bits.dedup();
    bits.len()
}

/// `-0.0` and `0.0` as one value.
fn normalise_zero(x: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x }
}

/// `007`, `-0123`: a whole number written with a leading zero.
fn has_leading_zero(cell: &str) -> bool {
    let digits = cell.trim_start_matches(['+', '-', '\u{2212}']);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a column name reads as an identifier: `id`, `key`, `uuid`,
/// `guid`, `*_id`, `* id`, `*-id`, `*_key`, `*_uuid`, or camel case `*Id` /
/// `*ID` (`customerId`, `orderID`).
pub(crate) fn looks_like_id_name(name: &str) -> bool {
    let lower = name.trim().to_lowercase();
    if ["id", "key", "uuid", "guid"].contains(&lower.as_str()) {
        return true;
    }
    for suffix in ["id", "key", "uuid", "guid"] {
        for sep in ['_', ' ', '-', '.'] {
            if lower.ends_with(&format!("{sep}{suffix}")) {
                return true;
            }
        }
    }
    let name = name.trim();
    for suffix in ["Id", "ID"] {
        if let Some(stem) = name.strip_suffix(suffix)
            && stem
                .chars()
                .last()
                .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
        {
            return true;
        }
    }
    false
}

/// A number, if the cell is one (`1,234.5`, `12%`, `$3` are not numbers).
///
/// Accepts plain decimal or scientific notation with an optional leading `+`,
/// `-` or `−` (U+2212): `42`, `-3.5`, `.5`, `5.`, `1e-3`, `+2.5E+10`.
/// Surrounding whitespace is ignored. Rejects empty cells, `inf`, `nan`,
/// hexadecimal, thousands separators, units and numbers too large for an
/// `f64` (`1e400`).
pub fn parse_number(cell: &str) -> Option<f64> {
    let cell = cell.trim();
    let (negative, body) = match cell.strip_prefix('\u{2212}') {
        Some(rest) => (true, rest),
        None => match cell.as_bytes().first() {
            Some(b'-') => (true, &cell[1..]),
            Some(b'+') => (false, &cell[1..]),
            _ => (false, cell),
        },
    };
    // One pass over the bytes: digits [. digits] [e|E [+|-] digits].
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut mantissa_digits = 0;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
        mantissa_digits += 1;
    }
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return None;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        i += 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    let value: f64 = body.parse().ok()?;
    value
        .is_finite()
        .then_some(if negative { -value } else { value })
}

/// A boolean, if the cell is one (true/false, yes/no, y/n, t/f, 1/0).
///
/// Words are matched ignoring case and surrounding whitespace. Numbers count
/// when they equal 1 or 0 (`1`, `0`, `1.0`, `0.0`).
pub fn parse_bool(cell: &str) -> Option<bool> {
    let cell = cell.trim();
    let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(cell));
    if cell.len() <= 5 && is(&["true", "yes", "y", "t"]) {
        Some(true)
    } else if cell.len() <= 5 && is(&["false", "no", "n", "f"]) {
        Some(false)
    } else {
        match parse_number(cell) {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        }
    }
}

/// A date, if the cell is one (`2024-03-01`, `2024-03-01T10:00:00Z`, `2024-03-01 10:00`, `2024/03/01`).
///
/// The date comes first, year first (four digits), then month and day (one or
/// two digits each), separated by `-` or `/`. A time may follow after `T` or a
/// space (`HH:MM`, `HH:MM:SS`, optional fraction), optionally with `Z` or an
/// offset (`+02:00`, `-0500`); the date is the calendar date as written (the
/// offset is not applied). Day-first or month-first dates (`01/03/2024`) are
/// ambiguous and not recognised.
pub fn parse_date(cell: &str) -> Option<NaiveDate> {
    let cell = cell.trim();
    let (date, time) = match cell.find(['T', ' ']) {
        Some(i) => (&cell[..i], Some(cell[i + 1..].trim_start())),
        None => (cell, None),
    };
    let date = parse_ymd(date)?;
    match time {
        None => Some(date),
        Some(t) => is_time(t).then_some(date),
    }
}

fn parse_ymd(s: &str) -> Option<NaiveDate> {
    let sep = if s.contains('-') { '-' } else { '/' };
    let mut parts = s.split(sep);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
    {
        return None;
    }
    let num = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let year = i32::try_from(num(y)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(m)?, num(d)?)
}

/// `HH:MM[:SS[.fff]]` with an optional `Z` or `±HH[:MM]` offset.
fn is_time(t: &str) -> bool {
    let t = t.strip_suffix(['Z', 'z']).unwrap_or(t);
    // An offset starts at the first sign after the clock part.
    let clock = match t.find(['+', '-']) {
        Some(i) => {
            let offset = t[i + 1..].replace(':', "");
            if !(offset.len() == 2 || offset.len() == 4)
                || !offset.bytes().all(|b| b.is_ascii_digit())
            {
                return false;
            }
            t[..i].trim_end()
        }
        None => t,
    };
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .any(|f| chrono::NaiveTime::parse_from_str(clock, f).is_ok())
}

/// Days since 1970-01-01 (negative before).
pub(crate) fn days_since_epoch(date: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (date - epoch).num_days() as f64
}

/// One of a column's most frequent values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopValue {
    /// The value as written in the file.
    pub value: String,
    /// On how many rows it appears.
    pub count: usize,
}

/// What a column holds and its summary statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// The column name.
    pub name: String,
    /// The inferred kind (see [`infer_kind`]).
    pub kind: Kind,
    /// Missing cells.
    pub missing: usize,
    /// Distinct non-missing values (numbers, booleans and dates compared by
    /// value, so `1` and `1.0` or `yes` and `Yes` count once).
    pub distinct: usize,
    /// Smallest value: numbers; booleans as 0/1; dates as days since
    /// 1970-01-01 (see [`ColumnProfile::first`]). `None` for other kinds.
    pub min: Option<f64>,
    /// Largest value, like [`ColumnProfile::min`].
    pub max: Option<f64>,
    /// Mean, like [`ColumnProfile::min`] (for booleans: the share of true).
    pub mean: Option<f64>,
    /// Sample standard deviation (n − 1 denominator), like
    /// [`ColumnProfile::min`]; `None` with fewer than two values.
    pub std: Option<f64>,
    /// Up to 5 most frequent values (ties by value) for categorical, boolean,
    /// text and id columns; empty for numeric and date columns.
    pub top: Vec<TopValue>,
    /// Earliest date (ISO `YYYY-MM-DD`) of a date column; `None` otherwise.
    pub first: Option<String>,
    /// Latest date (ISO `YYYY-MM-DD`) of a date column; `None` otherwise.
    pub last: Option<String>,
    /// How many values fall in each of up to [`HISTOGRAM_BINS`] equal-width
    /// bins from `min` to `max` (the last bin includes `max`); numeric
    /// columns only. Profiles stored before histograms existed have none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub histogram: Vec<usize>,
}

/// Bins of a numeric column's histogram (fewer when it has fewer distinct values).
pub const HISTOGRAM_BINS: usize = 20;

/// Profiles every column of a frame, in column order.
pub fn profile(frame: &crate::Frame) -> Vec<ColumnProfile> {
    frame
        .names()
        .iter()
        .enumerate()
        .map(|(i, name)| profile_column(name, frame.column_at(i)))
        .collect()
}

/// Profiles one column.
pub(crate) fn profile_column(name: &str, cells: &Column) -> ColumnProfile {
    let kind = infer_kind(name, cells);
    let values: Vec<&str> = cells.iter().flatten().collect();
    let missing = cells.len() - values.len();
    let mut p = ColumnProfile {
        name: name.to_string(),
        kind,
        missing,
        distinct: 0,
        min: None,
        max: None,
        mean: None,
        std: None,
        top: Vec::new(),
        first: None,
        last: None,
        histogram: Vec::new(),
    };
    match kind {
        Kind::Numeric => {
            let xs: Vec<f64> = values.iter().filter_map(|v| parse_number(v)).collect();
            p.distinct = distinct_numbers(&xs);
            set_stats(&mut p, &xs);
            p.histogram = histogram(&xs, p.distinct.min(HISTOGRAM_BINS));
        }
        Kind::Boolean => {
            let xs: Vec<f64> = values
                .iter()
                .filter_map(|v| parse_bool(v))
                .map(|b| if b { 1.0 } else { 0.0 })
                .collect();
            p.distinct = distinct_numbers(&xs);
            set_stats(&mut p, &xs);
            p.top = top_values(&values);
        }
        Kind::Date => {
            let dates: Vec<NaiveDate> = values.iter().filter_map(|v| parse_date(v)).collect();
            p.distinct = dates.iter().collect::<HashSet<_>>().len();
            let xs: Vec<f64> = dates.iter().map(|d| days_since_epoch(*d)).collect();
            set_stats(&mut p, &xs);
            p.first = dates.iter().min().map(|d| d.format("%Y-%m-%d").to_string());
            p.last = dates.iter().max().map(|d| d.format("%Y-%m-%d").to_string());
        }
        Kind::Categorical | Kind::Text | Kind::Id => {
            p.distinct = count_distinct(&values);
            p.top = top_values(&values);
        }
    }
    p
}

/// Counts of `xs` in `bins` equal-width bins from their min to their max.
fn histogram(xs: &[f64], bins: usize) -> Vec<usize> {
    let (Some(lo), Some(hi)) = (
        xs.iter().copied().reduce(f64::min),
        xs.iter().copied().reduce(f64::max),
    ) else {
        return Vec::new();
    };
    let bins = bins.max(1);
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0; bins];
    for x in xs {
        let bin = if width > 0.0 {
            ((x - lo) / width) as usize
        } else {
            0
        };
        counts[bin.min(bins - 1)] += 1;
    }
    counts
}

fn set_stats(p: &mut ColumnProfile, xs: &[f64]) {
    if xs.is_empty() {
        return;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    p.min = xs.iter().copied().reduce(f64::min);
    p.max = xs.iter().copied().reduce(f64::max);
    p.mean = Some(mean);
    p.std = (xs.len() > 1)
        .then(|| (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
}

/// The 5 most frequent values, most frequent first, ties by value.
fn top_values(values: &[&str]) -> Vec<TopValue> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    // Sorting by value first makes the order of ties independent of hashing.
    let sorted: BTreeMap<&str, usize> = counts.into_iter().collect();
    let mut top: Vec<(&str, usize)> = sorted.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    top.into_iter()
        .take(5)
        .map(|(value, count)| TopValue {
            value: value.to_string(),
            count,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Frame;

    fn cells(values: &[&str]) -> Vec<Option<String>> {
        values
            .iter()
            .map(|v| (!v.is_empty()).then(|| v.to_string()))
            .collect()
    }

    fn owned(values: impl IntoIterator<Item = String>) -> Vec<Option<String>> {
        values.into_iter().map(Some).collect()
    }

    #[test]
    fn parses_numbers_strictly() {
        assert_eq!(parse_number("42"), Some(42.0));
        assert_eq!(parse_number(" -3.5 "), Some(-3.5));
        assert_eq!(parse_number("+2.5E+2"), Some(250.0));
        assert_eq!(parse_number("\u{2212}1"), Some(-1.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("1e-3"), Some(0.001));
        for bad in [
            "", "-", ".", "e5", "1e", "inf", "-inf", "NaN", "infinity", "1,234.5", "12%", "$3",
            "0x1F", "1e400", "--1", "1.2.3", "+-1",
        ] {
            assert_eq!(parse_number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn parses_booleans_and_dates() {
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(parse_bool("F"), Some(false));
        assert_eq!(parse_bool("1.0"), Some(true));
        assert_eq!(parse_bool("2"), None);
        assert_eq!(parse_bool("maybe"), None);
        let d = NaiveDate::from_ymd_opt(2024, 3, 1);
        for ok in [
            "2024-03-01",
            "2024-03-01T10:00:00Z",
            "2024-03-01 10:00",
            "2024/03/01",
            "2024-3-1",
            "2024-03-01T10:00:00.123+02:00",
            "2024-03-01 10:00:00 -0500",
        ] {
            assert_eq!(parse_date(ok), d, "{ok:?}");
        }
        for bad in [
            "2024-02-30",
            "01/03/2024",
            "2024-03",
            "20240301",
            "2024-03-01 noon",
            "2024-03-01T25:00",
            "24-03-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn recognises_id_names() {
        for id in [
            "id",
            "ID",
            "customer_id",
            "customerId",
            "orderID",
            "key",
            "uuid",
            "Row Id",
            "user-id",
        ] {
            assert!(looks_like_id_name(id), "{id}");
        }
        for not in ["paid", "valid", "VALID", "android", "keyword", "monkey"] {
            assert!(!looks_like_id_name(not), "{not}");
        }
    }

    #[test]
    fn infers_kinds_of_representative_columns() {
        let k = |name: &str, v: &[&str]| infer_kind(name, &cells(v).into());
        assert_eq!(k("age", &["34", "51.5", "", "1e2", "-3"]), Kind::Numeric);
        assert_eq!(k("count", &["1", "1", "1"]), Kind::Numeric);
        assert_eq!(k("customer_id", &["101", "102", "103"]), Kind::Id);
        assert_eq!(k("customerId", &["3", "1", "2"]), Kind::Id);
        assert_eq!(k("customer_id", &["101", "101", "103"]), Kind::Numeric);
        assert_eq!(k("score", &["101", "102", "103"]), Kind::Numeric);
        assert_eq!(k("churned", &["yes", "no", "Yes", ""]), Kind::Boolean);
        assert_eq!(k("flag", &["0", "1", "1", "0"]), Kind::Boolean);
        assert_eq!(k("flag", &["0.0", "1.0"]), Kind::Boolean);
        assert_eq!(k("flag", &["0", "1", "2"]), Kind::Numeric);
        assert_eq!(k("active", &["True", "False", "TRUE"]), Kind::Boolean);
        assert_eq!(
            k("joined", &["2024-01-05", "2023-12-31T08:00:00Z", ""]),
            Kind::Date
        );
        assert_eq!(k("zip", &["02134", "10001", "02139"]), Kind::Categorical);
        assert_eq!(
            k(
                "title",
                &[
                    "How to train your dragon",
                    "The quick brown fox",
                    "A tale of two cities"
                ]
            ),
            Kind::Text
        );
        assert_eq!(
            k("plan", &["basic", "pro", "basic", "team", "pro", "basic"]),
            Kind::Categorical
        );
        assert_eq!(k("empty", &["", "", ""]), Kind::Categorical);
        assert_eq!(k("nothing", &[]), Kind::Categorical);

        let codes = owned((0..30).map(|i| format!("C{}", 100_001 + i)));
        assert_eq!(infer_kind("customer", &codes.clone().into()), Kind::Id);
        // Numbers with a stray cell are not identifiers.
        let mut dirty = owned((0..30).map(|i| format!("{i}.5")));
        dirty.push(Some("abc".into()));
        assert_eq!(infer_kind("price", &dirty.into()), Kind::Categorical);
        // Too few rows to call distinct codes an identifier.
        assert_eq!(
            infer_kind("customer", &codes[..10].to_vec().into()),
            Kind::Categorical
        );
        // Distinct multi-word values are text unless the name says id.
        let names = owned((0..30).map(|i| format!("Person {i}")));
        assert_eq!(infer_kind("name", &names.clone().into()), Kind::Text);
        assert_eq!(infer_kind("name_id", &names.into()), Kind::Id);
        // Multi-word labels that repeat stay categorical.
        let answers = owned((0..40).map(|i| {
            [
                "Strongly agree",
                "Neither agree nor disagree",
                "Strongly disagree",
            ][i % 3]
                .to_string()
        }));
        assert_eq!(infer_kind("answer", &answers.into()), Kind::Categorical);
    }

    #[test]
    fn profiles_statistics() {
        let frame = Frame::new(
            vec![
                "x".into(),
                "plan".into(),
                "day".into(),
                "gone".into(),
                "ok".into(),
            ],
            vec![
                cells(&["1", "2", "", "3", "4", "2"]),
                cells(&["b", "a", "b", "", "c", "a"]),
                cells(&["2024-03-01", "", "2024-01-15", "2024-02-01", "", ""]),
                cells(&["", "", "", "", "", ""]),
                cells(&["yes", "no", "yes", "yes", "", "no"]),
            ],
        )
        .unwrap();
        let p = profile(&frame);
        assert_eq!(p.len(), 5);

        let x = &p[0];
        assert_eq!(
            (x.name.as_str(), x.kind, x.missing, x.distinct),
            ("x", Kind::Numeric, 1, 4)
        );
        assert_eq!((x.min, x.max, x.mean), (Some(1.0), Some(4.0), Some(2.4)));
        // 1, 2, 3, 4, 2 in four bins of width 0.75; the maximum in the last.
        assert_eq!(x.histogram, vec![1, 2, 1, 1]);
        assert!(p[1].histogram.is_empty(), "categorical columns have none");
        let var: f64 = [1.0f64, 2.0, 3.0, 4.0, 2.0]
            .iter()
            .map(|v| (v - 2.4).powi(2))
            .sum::<f64>()
            / 4.0;
        assert!((x.std.unwrap() - var.sqrt()).abs() < 1e-12);
        assert!(x.top.is_empty());
        assert_eq!((x.first.as_ref(), x.last.as_ref()), (None, None));

        let plan = &p[1];
        assert_eq!(
            (plan.kind, plan.missing, plan.distinct),
            (Kind::Categorical, 1, 3)
        );
        assert_eq!(plan.mean, None);
        let top: Vec<(&str, usize)> = plan
            .top
            .iter()
            .map(|t| (t.value.as_str(), t.count))
            .collect();
        assert_eq!(top, [("a", 2), ("b", 2), ("c", 1)]);

        let day = &p[2];
        assert_eq!((day.kind, day.missing, day.distinct), (Kind::Date, 3, 3));
        assert_eq!(day.first.as_deref(), Some("2024-01-15"));
        assert_eq!(day.last.as_deref(), Some("2024-03-01"));
        assert_eq!(
            day.min,
            Some(days_since_epoch(
                NaiveDate::from_ymd_opt(2024, 1, 15).unwrap()
            ))
        );

        let gone = &p[3];
        assert_eq!(
            (gone.kind, gone.missing, gone.distinct),
            (Kind::Categorical, 6, 0)
        );
        assert_eq!((gone.mean, gone.std), (None, None));
        assert!(gone.top.is_empty());

        let ok = &p[4];
        assert_eq!(
            (ok.kind, ok.distinct, ok.mean),
            (Kind::Boolean, 2, Some(0.6))
        );
        assert_eq!(
            ok.top[0],
            TopValue {
                value: "yes".into(),
                count: 3
            }
        );

        let json = serde_json::to_string(&p).unwrap();
        let back: Vec<ColumnProfile> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert!(json.contains("\"kind\":\"numeric\""));
    }

    #[test]
    fn top_keeps_five_most_frequent() {
        let v = cells(&["a", "b", "c", "d", "e", "f", "f", "g", "g", "g"]);
        let p = profile_column("letters", &v.into());
        let top: Vec<&str> = p.top.iter().map(|t| t.value.as_str()).collect();
        assert_eq!(top, ["g", "f", "a", "b", "c"]);
    }
}
