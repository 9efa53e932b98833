//! Column profiles: an inferred [`Kind`] per column and its statistics.

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

/// Infers a column's kind from its name and cells.
pub fn infer_kind(_name: &str, _cells: &[Option<String>]) -> Kind {
    unimplemented!("filled in by the profile work")
}

/// A number, if the cell is one (`1,234.5`, `12%`, `$3` are not numbers).
pub fn parse_number(_cell: &str) -> Option<f64> {
    unimplemented!("filled in by the profile work")
}

/// A boolean, if the cell is one (true/false, yes/no, y/n, t/f, 1/0).
pub fn parse_bool(_cell: &str) -> Option<bool> {
    unimplemented!("filled in by the profile work")
}

/// A date, if the cell is one (`2024-03-01`, `2024-03-01T10:00:00Z`, `2024-03-01 10:00`, `2024/03/01`).
pub fn parse_date(_cell: &str) -> Option<NaiveDate> {
    unimplemented!("filled in by the profile work")
}
