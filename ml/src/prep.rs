//! Preprocessing learnt on training rows only: imputation, optional log of
//! skewed positive numbers, standardisation, one-hot or ordinal codes for
//! categories, date parts. A fitted [`Preprocessor`] is saved with its model
//! and turns any frame with the same columns into the model's inputs.

use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;
use ndarray::{Array2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use crate::column::Column;
use crate::frame::Frame;
use crate::profile::{Kind, parse_bool, parse_date, parse_number};

/// One-hot codes at most this many levels of a category; the rest share an "other" slot.
pub const MAX_ONE_HOT: usize = 30;
/// Ordinal codes at most this many levels.
const MAX_ORDINAL: usize = 250;
/// A numeric column is logged when its skewness exceeds this (and it is never negative).
pub(crate) const SKEWED: f64 = 1.0;

/// How a family wants its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PrepOptions {
    /// Standardise numbers (mean 0, standard deviation 1).
    pub scale: bool,
    /// One-hot categories (else ordinal codes, for trees).
    pub one_hot: bool,
    /// Log skewed non-negative numbers first.
    pub log_skewed: bool,
}

/// A column's cells parsed once for its kind.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// Numbers, booleans (0/1) and dates (days since 1970) as single-precision
    /// floats, `NaN` when missing or unparsable (half the memory of doubles;
    /// features need no more precision).
    Number(Vec<f32>),
    /// Category labels.
    Label(Column),
}

impl Parsed {
    /// The number in row `row`, if present (numeric columns only).
    pub fn number(values: &[f32], row: usize) -> Option<f64> {
        let v = values[row];
        (!v.is_nan()).then_some(f64::from(v))
    }
}

/// A frame's feature columns parsed by kind.
#[derive(Debug, Clone)]
pub struct Typed {
    /// Column name, kind and parsed cells, in feature order.
    pub columns: Vec<(String, Kind, Parsed)>,
    /// Cells that did not parse for their column's kind, per column.
    pub unparsable: BTreeMap<String, usize>,
}

impl Typed {
    /// Parses `features` (name and kind) out of `frame`. A column the frame
    /// lacks becomes all missing and is reported by the caller.
    pub fn parse(frame: &Frame, features: &[(String, Kind)]) -> Self {
        let mut unparsable = BTreeMap::new();
        let columns = features
            .iter()
            .map(|(name, kind)| {
                let cells = frame.column(name);
                let mut bad = 0;
                let mut number = |f: &dyn Fn(&str) -> Option<f64>| {
                    Parsed::Number(match cells {
                        Some(cells) => cells
                            .iter()
                            .map(|c| {
                                // Beyond f32's range counts as unparsable too.
                                let v = c.and_then(f).map(|v| v as f32).filter(|v| v.is_finite());
                                bad += usize::from(c.is_some() && v.is_none());
                                v.unwrap_or(f32::NAN)
                            })
                            .collect(),
                        None => vec![f32::NAN; frame.rows()],
                    })
                };
                let parsed = match kind {
                    Kind::Numeric => number(&parse_number),
                    Kind::Boolean => number(&|c| parse_bool(c).map(f64::from)),
                    Kind::Date => number(&|c| parse_date(c).map(days)),
                    _ => Parsed::Label(cells.cloned().unwrap_or_else(|| {
                        std::iter::repeat_n(None::<&str>, frame.rows()).collect()
                    })),
                };
                if bad > 0 {
                    unparsable.insert(name.clone(), bad);
                }
                (name.clone(), *kind, parsed)
            })
            .collect();
        Self {
            columns,
            unparsable,
        }
    }
}

fn days(d: chrono::NaiveDate) -> f64 {
    f64::from(d.num_days_from_ce() - 719_163)
}

/// How one column becomes model inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Encoding {
    /// A number: missing → `fill`, then optional `ln(1 + v)`, then `(v - mean) / scale`.
    Number {
        fill: f64,
        log: bool,
        mean: f64,
        scale: f64,
    },
    /// A date: days since 1970 (standardised like a number), plus month and weekday.
    Date { fill: f64, mean: f64, scale: f64 },
    /// One slot per level (the most frequent ones, in name order), plus
    /// "other" when rarer levels were seen.
    OneHot { levels: Vec<String>, other: bool },
    /// A level's position by frequency; unseen levels (and, when `other`,
    /// the rarer levels seen in training) after the known ones, missing last.
    Ordinal {
        levels: Vec<String>,
        #[serde(default)]
        other: bool,
    },
}

impl Encoding {
    fn width(&self) -> usize {
        match self {
            Encoding::Number { .. } | Encoding::Ordinal { .. } => 1,
            Encoding::Date { .. } => 3,
            Encoding::OneHot { levels, other } => levels.len() + usize::from(*other),
        }
    }
}

/// Unusual cells met while encoding data for prediction.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EncodeReport {
    /// Category levels never seen in training, per column (encoded as "other").
    pub unseen: BTreeMap<String, usize>,
    /// Cells that were not of the column's kind (treated as missing), per column.
    pub unparsable: BTreeMap<String, usize>,
}

/// Fitted preprocessing for a list of feature columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Preprocessor {
    features: Vec<(String, Kind)>,
    encodings: Vec<Encoding>,
    options: PrepOptions,
}

impl Preprocessor {
    /// Learns the encoding from `rows` of `typed` only.
    pub fn fit(typed: &Typed, rows: &[usize], options: PrepOptions) -> Self {
        let encodings = typed
            .columns
            .iter()
            .map(|(_, kind, parsed)| match parsed {
                Parsed::Number(values) => {
                    let mut v: Vec<f64> = rows
                        .iter()
                        .filter_map(|&r| Parsed::number(values, r))
                        .collect();
                    let fill = median(&mut v);
                    if *kind == Kind::Date {
                        let (mean, scale) = moments(&v, options.scale);
                        return Encoding::Date { fill, mean, scale };
                    }
                    let log = options.log_skewed
                        && *kind == Kind::Numeric
                        && v.first().is_some_and(|&min| min >= 0.0)
                        && skewness(&v) > SKEWED;
                    if log {
                        v.iter_mut().for_each(|x| *x = x.ln_1p());
                    }
                    let (mean, scale) = moments(&v, options.scale);
                    Encoding::Number {
                        fill,
                        log,
                        mean,
                        scale,
                    }
                }
                Parsed::Label(labels) => {
                    let mut counts: HashMap<&str, usize> = HashMap::new();
                    for &r in rows {
                        if let Some(l) = labels.get(r) {
                            *counts.entry(l).or_default() += 1;
                        }
                    }
                    let mut by_count: Vec<(&str, usize)> = counts.into_iter().collect();
                    by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                    let cap = if options.one_hot {
                        MAX_ONE_HOT
                    } else {
                        MAX_ORDINAL
                    };
                    let other = by_count.len() > cap;
                    let mut levels: Vec<String> = by_count
                        .iter()
                        .take(cap)
                        .map(|(l, _)| l.to_string())
                        .collect();
                    if options.one_hot {
                        // Slots in name order: a sample with the same levels
                        // lays them out alike, however close their counts.
                        levels.sort_unstable();
                        Encoding::OneHot { levels, other }
                    } else {
                        Encoding::Ordinal { levels, other }
                    }
                }
            })
            .collect();
        Self {
            features: typed
                .columns
                .iter()
                .map(|(n, k, _)| (n.clone(), *k))
                .collect(),
            encodings,
            options,
        }
    }

    /// The raw columns this preprocessor reads, with their kinds.
    pub fn features(&self) -> &[(String, Kind)] {
        &self.features
    }

    /// Whether `other` lays its inputs out as this one does: the same
    /// columns, each logged or not alike, with the same levels in the same
    /// order (fills, means and scales may differ). A model fitted on one
    /// layout then reads the other's inputs feature for feature.
    pub fn same_layout(&self, other: &Preprocessor) -> bool {
        self.features == other.features
            && self.encodings.len() == other.encodings.len()
            && self
                .encodings
                .iter()
                .zip(&other.encodings)
                .all(|pair| match pair {
                    (Encoding::Number { log: a, .. }, Encoding::Number { log: b, .. }) => a == b,
                    (Encoding::Date { .. }, Encoding::Date { .. }) => true,
                    (
                        Encoding::OneHot {
                            levels: a,
                            other: x,
                        },
                        Encoding::OneHot {
                            levels: b,
                            other: y,
                        },
                    )
                    | (
                        Encoding::Ordinal {
                            levels: a,
                            other: x,
                        },
                        Encoding::Ordinal {
                            levels: b,
                            other: y,
                        },
                    ) => a == b && x == y,
                    _ => false,
                })
    }

    /// How the inputs are encoded.
    pub fn options(&self) -> PrepOptions {
        self.options
    }

    /// Columns of levels that were capped (name, levels kept), for notes.
    pub fn capped(&self) -> Vec<(String, usize)> {
        self.features
            .iter()
            .zip(&self.encodings)
            .filter_map(|((name, _), e)| match e {
                Encoding::OneHot {
                    levels,
                    other: true,
                }
                | Encoding::Ordinal {
                    levels,
                    other: true,
                } => Some((name.clone(), levels.len())),
                _ => None,
            })
            .collect()
    }

    /// Encodes `rows` of already parsed columns (the same features, in
    /// order); column-major for trees.
    pub fn encode(&self, typed: &Typed, rows: &[usize]) -> (Array2<f64>, BTreeMap<String, usize>) {
        let width: usize = self.encodings.iter().map(Encoding::width).sum();
        // Tree inputs (ordinal codes) column-major: trees read them column by
        // column and gradient boosting takes them without a copy. The others
        // row-major, as the linear and distance-based learners read them.
        let mut x = Array2::zeros((rows.len(), width).set_f(!self.options.one_hot));
        let mut unseen = BTreeMap::new();
        let mut offset = 0;
        for ((name, _, parsed), encoding) in typed.columns.iter().zip(&self.encodings) {
            match (parsed, encoding) {
                (
                    Parsed::Number(values),
                    Encoding::Number {
                        fill,
                        log,
                        mean,
                        scale,
                    },
                ) => {
                    for (i, &r) in rows.iter().enumerate() {
                        let mut v = Parsed::number(values, r).unwrap_or(*fill);
                        if *log {
                            v = v.max(0.0).ln_1p();
                        }
                        x[[i, offset]] = (v - mean) / scale;
                    }
                }
                (Parsed::Number(values), Encoding::Date { fill, mean, scale }) => {
                    for (i, &r) in rows.iter().enumerate() {
                        let v = Parsed::number(values, r).unwrap_or(*fill);
                        x[[i, offset]] = (v - mean) / scale;
                        let date = chrono::NaiveDate::from_num_days_from_ce_opt(v as i32 + 719_163);
                        if let Some(d) = date {
                            x[[i, offset + 1]] = f64::from(d.month());
                            x[[i, offset + 2]] = f64::from(d.weekday().num_days_from_monday());
                        }
                    }
                }
                (Parsed::Label(labels), Encoding::OneHot { levels, other }) => {
                    let index: HashMap<&str, usize> = levels
                        .iter()
                        .enumerate()
                        .map(|(i, l)| (l.as_str(), i))
                        .collect();
                    for (i, &r) in rows.iter().enumerate() {
                        let Some(label) = labels.get(r) else { continue };
                        match index.get(label) {
                            Some(&j) => x[[i, offset + j]] = 1.0,
                            None => {
                                if *other {
                                    x[[i, offset + levels.len()]] = 1.0;
                                }
                                *unseen.entry(name.clone()).or_default() += 1;
                            }
                        }
                    }
                }
                (Parsed::Label(labels), Encoding::Ordinal { levels, .. }) => {
                    let index: HashMap<&str, usize> = levels
                        .iter()
                        .enumerate()
                        .map(|(i, l)| (l.as_str(), i))
                        .collect();
                    for (i, &r) in rows.iter().enumerate() {
                        x[[i, offset]] = match labels.get(r) {
                            None => levels.len() as f64 + 1.0,
                            Some(label) => match index.get(label) {
                                Some(&j) => j as f64,
                                None => {
                                    *unseen.entry(name.clone()).or_default() += 1;
                                    levels.len() as f64
                                }
                            },
                        };
                    }
                }
                // A column parsed for another kind than it was fitted on cannot
                // happen: `typed` comes from `self.features`. Leave zeros.
                _ => {}
            }
            offset += encoding.width();
        }
        (x, unseen)
    }

    /// Encodes every row of a frame, reporting unseen levels and bad cells.
    pub fn transform(&self, frame: &Frame) -> (Array2<f64>, EncodeReport) {
        let typed = Typed::parse(frame, &self.features);
        let rows: Vec<usize> = (0..frame.rows()).collect();
        let (x, unseen) = self.encode(&typed, &rows);
        (
            x,
            EncodeReport {
                unseen,
                unparsable: typed.unparsable,
            },
        )
    }
}

/// The median (sorts `v`); 0 when empty.
fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Mean and standard deviation (1 when not scaling or constant).
fn moments(v: &[f64], scale: bool) -> (f64, f64) {
    if !scale || v.is_empty() {
        return (0.0, 1.0);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    (mean, if sd > 1e-12 { sd } else { 1.0 })
}

/// Sample skewness (0 for fewer than 3 values or no spread).
pub(crate) fn skewness(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    if n < 3.0 {
        return 0.0;
    }
    let mean = v.iter().sum::<f64>() / n;
    let m2 = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    if m2 <= 1e-12 {
        return 0.0;
    }
    v.iter().map(|x| (x - mean).powi(3)).sum::<f64>() / n / m2.powf(1.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(csv: &str) -> Frame {
        Frame::from_csv(csv.as_bytes()).unwrap()
    }

    fn features() -> Vec<(String, Kind)> {
        vec![
            ("n".into(), Kind::Numeric),
            ("c".into(), Kind::Categorical),
            ("b".into(), Kind::Boolean),
        ]
    }

    #[test]
    fn learns_on_training_rows_only() {
        let f = frame("n,c,b\n1,x,yes\n3,y,no\n,x,\n100,z,yes\n");
        let typed = Typed::parse(&f, &features());
        let options = PrepOptions {
            scale: false,
            one_hot: true,
            log_skewed: false,
        };
        let prep = Preprocessor::fit(&typed, &[0, 1, 2], options);
        let (x, unseen) = prep.encode(&typed, &[2, 3]);
        // Row 2: n missing → median of training values (1, 3) = 2; c = x.
        assert_eq!(x.row(0).to_vec(), vec![2.0, 1.0, 0.0, 0.5]);
        // Row 3: level z was never seen in training: no slot set, counted.
        assert_eq!(x.row(1).to_vec(), vec![100.0, 0.0, 0.0, 1.0]);
        assert_eq!(unseen.get("c"), Some(&1));
    }

    #[test]
    fn scales_and_logs_skewed_numbers() {
        let values: Vec<String> = (0..50)
            .map(|i| format!("{}", if i % 10 == 0 { 500 } else { i % 5 }))
            .collect();
        let f = frame(&format!(
            "n,c,b\n{}",
            values
                .iter()
                .map(|v| format!("{v},a,1\n"))
                .collect::<String>()
        ));
        let typed = Typed::parse(&f, &features());
        let rows: Vec<usize> = (0..50).collect();
        let options = PrepOptions {
            scale: true,
            one_hot: true,
            log_skewed: true,
        };
        let (x, _) = Preprocessor::fit(&typed, &rows, options).encode(&typed, &rows);
        let col = x.column(0);
        assert!(col.mean().unwrap().abs() < 1e-9);
        // ln(1 + 500) standardised is far less extreme than 500 would be.
        assert!(col.iter().cloned().fold(f64::MIN, f64::max) < 3.0);
    }

    #[test]
    fn tree_inputs_are_column_major_and_the_others_row_major() {
        let f = frame("n,c,b\n1,x,yes\n3,y,no\n");
        let typed = Typed::parse(&f, &features());
        let encode = |one_hot| {
            let options = PrepOptions {
                scale: false,
                one_hot,
                log_skewed: false,
            };
            Preprocessor::fit(&typed, &[0, 1], options)
                .encode(&typed, &[0, 1])
                .0
        };
        let (trees, linear) = (encode(false), encode(true));
        assert!(trees.t().is_standard_layout() && linear.is_standard_layout());
        assert_eq!(trees.row(1).to_vec(), vec![3.0, 1.0, 0.0]);
        assert_eq!(linear.row(1).to_vec(), vec![3.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn layouts_match_on_levels_and_logs_not_on_statistics() {
        let typed = Typed::parse(&frame("n,c\n1,a\n2,b\n3,b\n40,a\n5,b\n6,c\n"), &features());
        let one_hot = PrepOptions {
            scale: true,
            one_hot: true,
            log_skewed: false,
        };
        let all = Preprocessor::fit(&typed, &[0, 1, 2, 3, 4, 5], one_hot);
        // Other rows, other means, the same levels in the same order.
        let some = Preprocessor::fit(&typed, &[1, 2, 3, 4, 5], one_hot);
        assert!(all.same_layout(&some));
        // Level "c" missing: one slot fewer.
        let fewer = Preprocessor::fit(&typed, &[0, 1, 2], one_hot);
        assert!(!all.same_layout(&fewer));
        // "a" as often as "b": one-hot slots stay in name order, ordinal
        // codes follow the counts.
        let reordered = Preprocessor::fit(&typed, &[0, 1, 2, 3, 5], one_hot);
        assert!(all.same_layout(&reordered));
        let ordinal = PrepOptions {
            one_hot: false,
            ..one_hot
        };
        let by_count = Preprocessor::fit(&typed, &[0, 1, 2, 3, 4, 5], ordinal);
        assert!(!all.same_layout(&by_count));
        let tied = Preprocessor::fit(&typed, &[0, 1, 2, 3, 5], ordinal);
        assert!(!by_count.same_layout(&tied));
        let alike = Preprocessor::fit(&typed, &[1, 2, 3, 4, 5], ordinal);
        assert!(by_count.same_layout(&alike));
    }

    #[test]
    fn reports_unparsable_cells_and_missing_columns() {
        let f = frame("n,c\n1,x\nabc,y\n");
        let typed = Typed::parse(&f, &features());
        assert_eq!(typed.unparsable.get("n"), Some(&1));
        // A number beyond single precision is not one it can hold.
        let huge = Typed::parse(&frame("n,c\n1,x\n1e39,y\n"), &features());
        assert_eq!(huge.unparsable.get("n"), Some(&1));
        let options = PrepOptions {
            scale: false,
            one_hot: false,
            log_skewed: false,
        };
        let prep = Preprocessor::fit(&typed, &[0, 1], options);
        let (x, report) = prep.transform(&frame("n,c,b\n2,q,yes\n"));
        assert_eq!(report.unseen.get("c"), Some(&1));
        assert_eq!(x.row(0).to_vec(), vec![2.0, 2.0, 1.0]);
    }
}
