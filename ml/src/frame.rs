//! A table read from CSV: named columns of text cells, missing cells as `None`.

use std::io::Read;
use std::path::Path;

use crate::column::{Builder, Column};
use crate::error::{MlError, Result};

/// Cells that mean "no value".
const MISSING: &[&str] = &["", "na", "n/a", "nan", "null", "none", "?", "-"];

/// A table of text cells, column by column. Types are inferred later
/// ([`crate::profile`]); the frame keeps the text exactly as read (trimmed),
/// each column in a compact [`Column`].
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    names: Vec<String>,
    columns: Vec<Column>,
}

impl Frame {
    /// A frame from column names and columns (all the same length).
    pub fn new(names: Vec<String>, columns: Vec<Vec<Option<String>>>) -> Result<Self> {
        let columns: Vec<Column> = columns.into_iter().map(Column::from).collect();
        if names.len() != columns.len() {
            return Err(MlError::Data(format!(
                "{} column names for {} columns",
                names.len(),
                columns.len()
            )));
        }
        if let Some(first) = columns.first()
            && let Some((i, _)) = columns
                .iter()
                .enumerate()
                .find(|(_, c)| c.len() != first.len())
        {
            return Err(MlError::Data(format!(
                "column {:?} has {} cells, the first column has {}",
                names[i],
                columns[i].len(),
                first.len()
            )));
        }
        Ok(Self { names, columns })
    }

    /// Reads a CSV file with a header row.
    pub fn read_csv(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| {
            MlError::Data(format!(
                "cannot read {}: {e}; check the path and that you may read it",
                path.display()
            ))
        })?;
        Self::from_csv(file).map_err(|e| match e {
            MlError::Data(m) => MlError::Data(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Reads CSV text with a header row. Refuses empty input, a missing or
    /// duplicated header, rows of the wrong length and text that is not UTF-8.
    pub fn from_csv(reader: impl Read) -> Result<Self> {
        let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let header = csv.headers().map_err(csv_error)?.clone();
        let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        if names.is_empty() || names.iter().all(String::is_empty) {
            return Err(MlError::Data(
                "the file is empty; it needs a header row and at least one row of data".into(),
            ));
        }
        if let Some(i) = names.iter().position(String::is_empty) {
            return Err(MlError::Data(format!(
                "column {} has no name; give every column a name in the header row",
                i + 1
            )));
        }
        for (i, n) in names.iter().enumerate() {
            if names[..i].iter().any(|m| m.eq_ignore_ascii_case(n)) {
                return Err(MlError::Data(format!(
                    "the column name {n:?} appears twice; rename one of them"
                )));
            }
        }
        let mut columns: Vec<Builder> = names.iter().map(|_| Builder::default()).collect();
        let mut record = csv::StringRecord::new();
        let mut rows = 0;
        while csv.read_record(&mut record).map_err(csv_error)? {
            if record.len() != names.len() {
                return Err(MlError::Data(format!(
                    "row {} has {} cells but the header has {}; fix that row (a quote left open or a stray comma?)",
                    rows + 2,
                    record.len(),
                    names.len()
                )));
            }
            for (column, cell) in columns.iter_mut().zip(record.iter()) {
                column.push(clean(cell));
            }
            rows += 1;
        }
        if rows == 0 {
            return Err(MlError::Data(
                "the file has a header but no rows of data".into(),
            ));
        }
        let columns = columns.into_iter().map(Builder::finish).collect();
        Ok(Self { names, columns })
    }

    /// Column names, in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// Where a column is, by exact name (or case-insensitively).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names
            .iter()
            .position(|n| n == name)
            .or_else(|| self.names.iter().position(|n| n.eq_ignore_ascii_case(name)))
    }

    /// A column's cells by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.index_of(name).map(|i| &self.columns[i])
    }

    /// A column's cells by position.
    pub fn column_at(&self, index: usize) -> &Column {
        &self.columns[index]
    }

    /// A column that must exist: otherwise an error naming the closest column.
    pub fn require(&self, name: &str) -> Result<usize> {
        self.index_of(name).ok_or_else(|| {
            let hint = match self.closest(name) {
                Some(c) => format!("did you mean {c:?}?"),
                None => format!("the columns are {}", self.names.join(", ")),
            };
            MlError::Data(format!("there is no column {name:?}; {hint}"))
        })
    }

    /// The column whose name is closest to `name` (ignoring case, spaces and
    /// underscores), if any is close.
    pub fn closest(&self, name: &str) -> Option<&str> {
        let norm = |s: &str| {
            s.to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        };
        let wanted = norm(name);
        self.names
            .iter()
            .map(|n| (strsim::normalized_levenshtein(&norm(n), &wanted), n))
            .filter(|(score, _)| *score >= 0.6)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, n)| n.as_str())
    }

    /// A frame of the chosen rows (in that order).
    pub fn take_rows(&self, rows: &[usize]) -> Self {
        Self {
            names: self.names.clone(),
            columns: self.columns.iter().map(|c| c.take(rows)).collect(),
        }
    }

    /// Replaces one column's cells (same length).
    pub fn set_column(&mut self, index: usize, cells: impl Into<Column>) {
        let cells = cells.into();
        debug_assert_eq!(cells.len(), self.rows());
        self.columns[index] = cells;
    }

    /// Adds a column of missing cells under `name` (for predicting on data
    /// that lacks a column the model knows).
    pub fn add_missing_column(&mut self, name: &str) {
        self.names.push(name.to_string());
        self.columns
            .push(std::iter::repeat_n(None::<&str>, self.rows()).collect());
    }
}

fn clean(cell: &str) -> Option<&str> {
    let cell = cell.trim();
    let missing = cell.len() <= 4 && MISSING.iter().any(|m| m.eq_ignore_ascii_case(cell));
    (!missing).then_some(cell)
}

fn csv_error(e: csv::Error) -> MlError {
    let at = e
        .position()
        .map(|p| format!(" (line {})", p.line()))
        .unwrap_or_default();
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => MlError::Data(format!(
            "the file is not UTF-8 text{at}; save it as UTF-8 CSV and try again"
        )),
        csv::ErrorKind::Io(io) => MlError::Data(format!("cannot read the file: {io}")),
        _ => MlError::Data(format!("not a readable CSV file{at}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cells_and_marks_missing() {
        let f = Frame::from_csv("a,b\n1, x \nNA,\n".as_bytes()).unwrap();
        assert_eq!(f.rows(), 2);
        assert_eq!(
            f.column("B").unwrap().iter().collect::<Vec<_>>(),
            [Some("x"), None]
        );
        assert_eq!(f.column("a").unwrap().get(1), None);
    }

    #[test]
    fn refuses_bad_files_with_a_reason() {
        let err = |s: &[u8]| Frame::from_csv(s).unwrap_err().to_string();
        assert!(err(b"").contains("empty"));
        assert!(err(b"a,b\n").contains("no rows"));
        assert!(err(b"a,b\n1,2\n3\n").contains("row 3 has 1 cells"));
        assert!(err(b"a,a\n1,2\n").contains("appears twice"));
        assert!(err(b"a,b\n\xff\xfe,1\n").contains("not UTF-8"));
    }

    #[test]
    fn suggests_the_closest_column() {
        let f = Frame::from_csv("customer_id,churned\n1,yes\n".as_bytes()).unwrap();
        assert!(
            f.require("churn")
                .unwrap_err()
                .to_string()
                .contains("\"churned\"")
        );
        assert_eq!(f.require("Churned").unwrap(), 1);
    }
}
