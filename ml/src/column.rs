//! One column of a [`crate::Frame`], stored compactly: while a column has
//! few distinct texts each is kept once and cells are small codes; past
//! that, cells share one text buffer with their end offsets. Either way a
//! cell costs a few bytes instead of a heap allocation of its own.

use std::collections::HashMap;

/// Distinct texts a column codes before it switches to one text buffer.
const MAX_CODED_LEVELS: usize = 4096;

/// The code of a missing cell.
const MISSING: u32 = u32::MAX;

/// A column's cells; a missing cell is `None`, a present one is never empty.
#[derive(Debug, Clone, Default)]
pub struct Column {
    cells: Cells,
}

#[derive(Debug, Clone)]
enum Cells {
    /// Each distinct text once; a cell is its text's index, or [`MISSING`].
    Coded {
        levels: Vec<Box<str>>,
        codes: Vec<u32>,
    },
    /// Every cell's text one after another; a cell ends at its offset, and
    /// an empty span is a missing cell.
    Text { text: String, ends: Vec<usize> },
}

impl Default for Cells {
    fn default() -> Self {
        Cells::Coded {
            levels: Vec::new(),
            codes: Vec::new(),
        }
    }
}

impl Column {
    /// Number of cells.
    pub fn len(&self) -> usize {
        match &self.cells {
            Cells::Coded { codes, .. } => codes.len(),
            Cells::Text { ends, .. } => ends.len(),
        }
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell in row `row` (`None` when missing). Panics past the end, like a slice.
    pub fn get(&self, row: usize) -> Option<&str> {
        match &self.cells {
            Cells::Coded { levels, codes } => match codes[row] {
                MISSING => None,
                code => Some(&levels[code as usize]),
            },
            Cells::Text { text, ends } => {
                let start = if row == 0 { 0 } else { ends[row - 1] };
                let cell = &text[start..ends[row]];
                (!cell.is_empty()).then_some(cell)
            }
        }
    }

    /// The cells in row order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(|r| self.get(r))
    }

    /// The cells as owned strings.
    pub fn to_vec(&self) -> Vec<Option<String>> {
        self.iter().map(|c| c.map(str::to_string)).collect()
    }

    /// The chosen rows' cells (in that order).
    pub fn take(&self, rows: &[usize]) -> Self {
        let mut out = Builder::default();
        for &r in rows {
            out.push(self.get(r));
        }
        out.finish()
    }

    /// The distinct texts and each cell's index among them (`None` when
    /// missing), when the column codes its cells; `None` for a column of
    /// many distinct texts.
    pub fn codes(&self) -> Option<(&[Box<str>], impl Iterator<Item = Option<usize>> + '_)> {
        match &self.cells {
            Cells::Coded { levels, codes } => Some((
                levels.as_slice(),
                codes.iter().map(|&c| (c != MISSING).then_some(c as usize)),
            )),
            Cells::Text { .. } => None,
        }
    }
}

impl PartialEq for Column {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<S: AsRef<str>> FromIterator<Option<S>> for Column {
    fn from_iter<I: IntoIterator<Item = Option<S>>>(cells: I) -> Self {
        let mut out = Builder::default();
        for cell in cells {
            out.push(cell.as_ref().map(AsRef::as_ref));
        }
        out.finish()
    }
}

impl From<Vec<Option<String>>> for Column {
    fn from(cells: Vec<Option<String>>) -> Self {
        cells.into_iter().collect()
    }
}

/// Builds a column cell by cell, coding texts until there are too many.
#[derive(Default)]
pub(crate) struct Builder {
    column: Column,
    index: HashMap<Box<str>, u32>,
}

impl Builder {
    /// Appends a cell; an empty text counts as missing.
    pub(crate) fn push(&mut self, cell: Option<&str>) {
        let cell = cell.filter(|c| !c.is_empty());
        match &mut self.column.cells {
            Cells::Coded { levels, codes } => {
                let code = match cell {
                    None => MISSING,
                    Some(text) => match self.index.get(text) {
                        Some(&code) => code,
                        None if levels.len() < MAX_CODED_LEVELS => {
                            let code = levels.len() as u32;
                            levels.push(text.into());
                            self.index.insert(text.into(), code);
                            code
                        }
                        None => {
                            self.switch_to_text();
                            return self.push(cell);
                        }
                    },
                };
                codes.push(code);
            }
            Cells::Text { text, ends } => {
                text.push_str(cell.unwrap_or(""));
                ends.push(text.len());
            }
        }
    }

    /// Switches a coded column to one text buffer.
    fn switch_to_text(&mut self) {
        let cells: Vec<Option<String>> = self.column.to_vec();
        self.index = HashMap::new();
        self.column.cells = Cells::Text {
            text: String::new(),
            ends: Vec::with_capacity(cells.len()),
        };
        for cell in &cells {
            self.push(cell.as_deref());
        }
    }

    /// The column built.
    pub(crate) fn finish(mut self) -> Column {
        if let Cells::Text { text, ends } = &mut self.column.cells {
            text.shrink_to_fit();
            ends.shrink_to_fit();
        }
        self.column
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_cells_and_missing_through_both_layouts() {
        let few: Column = ["a", "", "b", "a"].iter().map(|c| Some(*c)).collect();
        assert_eq!(
            few.iter().collect::<Vec<_>>(),
            [Some("a"), None, Some("b"), Some("a")]
        );
        let (levels, codes) = few.codes().expect("few texts are coded");
        assert_eq!(levels.len(), 2);
        assert_eq!(codes.collect::<Vec<_>>(), [Some(0), None, Some(1), Some(0)]);

        let n = 2 * MAX_CODED_LEVELS;
        let many: Column = (0..n)
            .map(|i| (i % 7 != 0).then(|| format!("id{i}")))
            .collect();
        assert!(
            many.codes().is_none(),
            "many distinct texts share one buffer"
        );
        assert_eq!(many.len(), n);
        assert_eq!(many.get(0), None);
        assert_eq!(many.get(1), Some("id1"));
        assert_eq!(many.get(n - 1), Some(&*format!("id{}", n - 1)));
        let picked = many.take(&[3, 0, 3]);
        assert_eq!(
            picked.iter().collect::<Vec<_>>(),
            [Some("id3"), None, Some("id3")]
        );
        assert_eq!(
            picked,
            vec![Some("id3".to_string()), None, Some("id3".into())].into()
        );
    }
}
