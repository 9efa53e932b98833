//! The column to predict: what kind of task it makes, its classes, and which
//! other columns can serve as features.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::column::Column;
use crate::error::{MlError, Result};
use crate::frame::Frame;
use crate::learner::Task;
use crate::profile::{Kind, infer_kind, parse_bool, parse_number, profile_column};

/// A numeric target with at most this many distinct whole numbers is a set of classes.
const MAX_NUMERIC_CLASSES: usize = 10;
/// A text target with more classes than this is refused.
const MAX_CLASSES: usize = 50;

/// The target as a model remembers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// Column name.
    pub name: String,
    /// Task it makes.
    pub task: Task,
    /// Class labels in index order (empty for regression); for a binary task
    /// the second is the positive class.
    pub classes: Vec<String>,
}

/// Target values per frame row (`None` where the target is missing).
#[derive(Debug, Clone)]
pub enum TargetValues {
    /// Class indices.
    Classes(Vec<Option<usize>>),
    /// Numbers.
    Values(Vec<Option<f64>>),
}

impl TargetValues {
    /// Rows that have a target.
    pub fn present(&self) -> Vec<usize> {
        match self {
            TargetValues::Classes(v) => (0..v.len()).filter(|&i| v[i].is_some()).collect(),
            TargetValues::Values(v) => (0..v.len()).filter(|&i| v[i].is_some()).collect(),
        }
    }
}

impl Target {
    /// Reads the target column: its task, classes and values. Refuses ids, free
    /// text, dates, a single class, and numbers mixed with text.
    pub fn resolve(frame: &Frame, name: &str) -> Result<(Self, TargetValues)> {
        let index = frame.require(name)?;
        let name = frame.names()[index].clone();
        let cells = frame.column_at(index);
        let kind = infer_kind(&name, cells);
        let present: Vec<&str> = cells.iter().flatten().collect();
        if present.is_empty() {
            return Err(MlError::Data(format!(
                "{name} has no values at all; choose a column that is filled in"
            )));
        }
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &present {
            *counts.entry(c).or_default() += 1;
        }
        if counts.len() == 1 {
            return Err(MlError::Request(format!(
                "{name} has only one value ({:?}) in the data: there is nothing to predict; a target needs at least two different values",
                present[0]
            )));
        }
        let classes_of = |labels: Vec<String>| Self::classes(&name, cells, kind, labels);
        match kind {
            Kind::Boolean => {
                let spelling = |wanted: bool| {
                    counts
                        .iter()
                        .filter(|(c, _)| parse_bool(c) == Some(wanted))
                        .max_by_key(|(_, n)| **n)
                        .map(|(c, _)| c.to_string())
                        .unwrap_or_else(|| wanted.to_string())
                };
                classes_of(vec![spelling(false), spelling(true)])
            }
            Kind::Numeric => {
                let numbers: Vec<f64> = counts.keys().filter_map(|c| parse_number(c)).collect();
                let whole = numbers.iter().all(|v| v.fract() == 0.0);
                let mut distinct = numbers.clone();
                distinct.sort_by(f64::total_cmp);
                distinct.dedup();
                if whole && distinct.len() <= MAX_NUMERIC_CLASSES {
                    classes_of(distinct.iter().map(|v| format!("{v}")).collect())
                } else {
                    let values = cells.iter().map(|c| c.and_then(parse_number)).collect();
                    Ok((
                        Target {
                            name,
                            task: Task::Regression,
                            classes: Vec::new(),
                        },
                        TargetValues::Values(values),
                    ))
                }
            }
            Kind::Categorical => {
                let numeric = present.iter().filter(|c| parse_number(c).is_some()).count();
                if counts.len() > MAX_NUMERIC_CLASSES && numeric * 2 > present.len() {
                    let bad = present.iter().find(|c| parse_number(c).is_none());
                    return Err(MlError::Data(format!(
                        "{name} looks numeric but {} cells are not numbers (e.g. {:?}); fix or clear those cells to predict it",
                        present.len() - numeric,
                        bad.unwrap_or(&"")
                    )));
                }
                classes_of(counts.keys().map(|c| c.to_string()).collect())
            }
            Kind::Id | Kind::Text | Kind::Date => Err(MlError::Request(format!(
                "{name} holds {}, which cannot be predicted; choose a column of categories, yes/no values or numbers",
                match kind {
                    Kind::Id => "identifiers (a different value on every row)",
                    Kind::Text => "free text",
                    _ => "dates",
                }
            ))),
        }
    }

    /// A class target over `labels` (in order; a label repeated next to
    /// itself counts once), its cells as class indexes.
    fn classes(
        name: &str,
        cells: &Column,
        kind: Kind,
        mut labels: Vec<String>,
    ) -> Result<(Self, TargetValues)> {
        if labels.len() > MAX_CLASSES {
            return Err(MlError::Request(format!(
                "{name} has {} different values, too many classes to learn; predict a column with fewer categories, or group its values first",
                labels.len()
            )));
        }
        labels.dedup();
        let task = if labels.len() == 2 {
            Task::Binary
        } else {
            Task::Multiclass
        };
        let values = cells
            .iter()
            .map(|c| c.and_then(|c| labels.iter().position(|l| same_class(l, c, kind))))
            .collect();
        Ok((
            Target {
                name: name.to_string(),
                task,
                classes: labels,
            },
            TargetValues::Classes(values),
        ))
    }

    /// The class index of a cell (the label itself, or the same yes/no or number
    /// written differently).
    pub fn class_of(&self, cell: &str) -> Option<usize> {
        self.classes.iter().position(|l| {
            l == cell
                || parse_bool(l).is_some() && parse_bool(l) == parse_bool(cell)
                || parse_number(l).is_some() && parse_number(l) == parse_number(cell)
        })
    }

    /// The target cells of a frame as this target's values (cells that are
    /// not a known class or not a number count as missing).
    pub fn values_in(&self, frame: &Frame) -> Result<TargetValues> {
        let cells = frame.column(&self.name).ok_or_else(|| {
            MlError::Data(format!(
                "the data has no {} column, so the model cannot be scored on it",
                self.name
            ))
        })?;
        Ok(match self.task {
            Task::Regression => {
                TargetValues::Values(cells.iter().map(|c| c.and_then(parse_number)).collect())
            }
            _ => TargetValues::Classes(
                cells
                    .iter()
                    .map(|c| c.and_then(|c| self.class_of(c)))
                    .collect(),
            ),
        })
    }

    /// The positive class of a binary target.
    pub fn positive(&self) -> Option<&str> {
        (self.task == Task::Binary).then(|| self.classes[1].as_str())
    }
}

fn same_class(label: &str, cell: &str, kind: Kind) -> bool {
    match kind {
        Kind::Boolean => parse_bool(label).is_some() && parse_bool(label) == parse_bool(cell),
        Kind::Numeric => parse_number(cell).is_some_and(|v| format!("{v}") == label),
        _ => label == cell,
    }
}

/// A column left out, with the reason.
pub type Dropped = (String, String);
/// A feature column and its kind.
pub type Feature = (String, Kind);

/// Columns usable as features for `target`, with kinds, and the columns left
/// out with the reason.
pub fn select_features(
    frame: &Frame,
    target: &str,
    exclude: &[String],
) -> Result<(Vec<Feature>, Vec<Dropped>)> {
    for e in exclude {
        frame.require(e)?;
    }
    let excluded = |n: &str| exclude.iter().any(|e| e.eq_ignore_ascii_case(n));
    let mut features = Vec::new();
    let mut dropped = Vec::new();
    for (i, name) in frame.names().iter().enumerate() {
        if name.eq_ignore_ascii_case(target) {
            continue;
        }
        // Columns left out on request are not profiled: on large data a
        // profile of an identifier column is costly and would not be used.
        if excluded(name) {
            dropped.push((name.clone(), "excluded on request".to_string()));
            continue;
        }
        let p = profile_column(name, frame.column_at(i));
        let reason = if p.missing == frame.rows() {
            Some("all missing")
        } else if p.distinct <= 1 {
            Some("constant")
        } else if p.kind == Kind::Id {
            Some("an identifier")
        } else if p.kind == Kind::Text {
            Some("free text")
        } else {
            None
        };
        match reason {
            Some(r) => dropped.push((p.name, r.to_string())),
            None => features.push((p.name, p.kind)),
        }
    }
    if features.is_empty() {
        return Err(MlError::Request(format!(
            "no column is usable to predict {target}: {}; add columns of numbers or categories",
            dropped
                .iter()
                .map(|(n, r)| format!("{n} is {r}"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok((features, dropped))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(csv: &str) -> Frame {
        Frame::from_csv(csv.as_bytes()).unwrap()
    }

    #[test]
    fn finds_the_task() {
        let (t, v) = Target::resolve(&frame("y\nyes\nno\nyes\n"), "y").unwrap();
        assert_eq!(
            (t.task, t.classes.clone()),
            (Task::Binary, vec!["no".into(), "yes".into()])
        );
        assert!(matches!(v, TargetValues::Classes(c) if c == vec![Some(1), Some(0), Some(1)]));
        let (t, _) = Target::resolve(&frame("y\n0\n2\n1\n2\n"), "y").unwrap();
        assert_eq!(t.task, Task::Multiclass);
        let (t, v) = Target::resolve(&frame("y\n1.5\n2\n3\n\n"), "y").unwrap();
        assert_eq!(t.task, Task::Regression);
        assert_eq!(v.present(), vec![0, 1, 2]);
    }

    #[test]
    fn refuses_targets_that_cannot_be_learnt() {
        let err = |csv: &str| Target::resolve(&frame(csv), "y").unwrap_err().to_string();
        assert!(err("y\nno\nno\n").contains("only one value"));
        let ids: String = (0..30).map(|i| format!("C{i:05}\n")).collect();
        assert!(err(&format!("y\n{ids}")).contains("identifiers"));
        let mixed: String = (0..30).map(|i| format!("{i}.5\n")).collect();
        assert!(err(&format!("y\n{mixed}abc\n")).contains("not numbers"));
        assert!(Target::resolve(&frame("x\n1\n2\n"), "y").is_err());
    }
}
