//! Vector indexes: the [`VectorIndex`] trait and the embedded [`FlatIndex`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::CatalogError;
use crate::embed::SparseVector;
use crate::persist::Db;

/// One thing the catalog knows: a tool, a person, a task, a dataset…
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Unique id, by convention `kind:key` (e.g. `task:42`).
    pub id: String,
    /// What the entry is (`tool`, `person`, `project`, `task`, …).
    pub kind: String,
    /// The text that is embedded and searched.
    pub text: String,
    /// Free-form data returned with hits and matched by [`Filter`]s.
    pub payload: Value,
}

impl Entry {
    /// An entry with an empty payload.
    pub fn new(id: impl Into<String>, kind: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            kind: kind.into(),
            text: text.into(),
            payload: Value::Null,
        }
    }

    /// The same entry with `payload`.
    pub fn with_payload(mut self, payload: Value) -> Self {
        self.payload = payload;
        self
    }
}

/// Restricts a search to one kind and to payload fields with given values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only entries of this kind.
    pub kind: Option<String>,
    /// Only entries whose payload has every one of these `(field, value)` pairs.
    pub payload: Vec<(String, Value)>,
}

impl Filter {
    /// Entries of every kind.
    pub fn any() -> Self {
        Self::default()
    }

    /// Entries of one kind.
    pub fn kind(kind: &str) -> Self {
        Self {
            kind: Some(kind.to_string()),
            payload: Vec::new(),
        }
    }

    /// The same filter also requiring `payload[field] == value`.
    pub fn with(mut self, field: &str, value: impl Into<Value>) -> Self {
        self.payload.push((field.to_string(), value.into()));
        self
    }

    /// Refuses what not every index can match exactly: a field name that is
    /// not plain (`[A-Za-z0-9_-]`) or a value that is not a string, an
    /// integer or a boolean.
    pub fn check(&self) -> Result<(), CatalogError> {
        for (field, value) in &self.payload {
            if !plain_name(field) {
                return Err(CatalogError::Filter(format!(
                    "the payload field {field:?} may only use letters, digits, '_' and '-'"
                )));
            }
            if !(value.is_string() || value.is_i64() || value.is_boolean()) {
                return Err(CatalogError::Filter(format!(
                    "the payload field {field:?} is matched against {value}, but filters match strings, integers and booleans only"
                )));
            }
        }
        Ok(())
    }

    pub(crate) fn matches(&self, entry: &Entry) -> bool {
        self.kind.as_ref().is_none_or(|k| *k == entry.kind)
            && self
                .payload
                .iter()
                .all(|(f, v)| entry.payload.get(f) == Some(v))
    }
}

/// A name every index can use as a payload field (no dots, brackets or
/// quotes) or Qdrant as a collection: letters, digits, `_` and `-`.
pub(crate) fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Stores entries with their vectors and finds the nearest ones.
///
/// Implementations may live in this process ([`FlatIndex`]) or on a server
/// (`QdrantIndex`), so every call can fail and results are owned.
pub trait VectorIndex: Send + Sync {
    /// Inserts or replaces entries (by id) with their vectors.
    fn upsert(&mut self, items: Vec<(Entry, SparseVector)>) -> Result<(), CatalogError>;
    /// Removes entries by id; unknown ids are ignored.
    fn remove(&mut self, ids: &[String]) -> Result<(), CatalogError>;
    /// Removes every entry.
    fn clear(&mut self) -> Result<(), CatalogError>;
    /// The `k` entries with the highest dot product with `query` that pass
    /// `filter` ([`Filter::check`]ed first), best first. Entries that share
    /// no dimension with the query may be left out (a server only scores
    /// those that do).
    fn search(
        &self,
        query: &SparseVector,
        k: usize,
        filter: &Filter,
    ) -> Result<Vec<(Entry, f32)>, CatalogError>;
    /// The entries with these ids and their vectors, in no particular order;
    /// unknown ids are left out.
    fn get_many(&self, ids: &[String]) -> Result<Vec<(Entry, SparseVector)>, CatalogError>;
    /// The entry with this id and its vector.
    fn get(&self, id: &str) -> Result<Option<(Entry, SparseVector)>, CatalogError> {
        Ok(self.get_many(&[id.to_string()])?.pop())
    }
    /// Shows `visit` every stored entry and its vector, in no particular order.
    fn scan(&self, visit: &mut dyn FnMut(&Entry, &SparseVector)) -> Result<(), CatalogError>;
    /// Number of entries.
    fn len(&self) -> Result<usize, CatalogError>;
    /// True when the index holds nothing.
    fn is_empty(&self) -> Result<bool, CatalogError> {
        Ok(self.len()? == 0)
    }
}

/// The embedded index: exact search over column-major vectors, so a query
/// only touches the columns where it is non-zero. Optionally persisted to a
/// SQLite file, written through on every change.
pub struct FlatIndex {
    dims: usize,
    entries: Vec<Entry>,
    vectors: Vec<SparseVector>,
    columns: Vec<Vec<f32>>,
    rows: HashMap<String, usize>,
    db: Option<Db>,
}

impl FlatIndex {
    /// An empty index of `dims` dimensions that lives in memory only.
    pub fn new(dims: usize) -> Self {
        Self {
            dims,
            entries: Vec::new(),
            vectors: Vec::new(),
            columns: vec![Vec::new(); dims],
            rows: HashMap::new(),
            db: None,
        }
    }

    /// Opens (or creates) the index persisted at `db`, whose vectors were made
    /// by an embedder of `dims` dimensions.
    pub(crate) fn with_db(dims: usize, db: Db) -> Result<Self, CatalogError> {
        let mut index = Self::new(dims);
        for (entry, vector) in db.load()? {
            index.insert_row(entry, vector);
        }
        index.db = Some(db);
        Ok(index)
    }

    pub(crate) fn db_mut(&mut self) -> Option<&mut Db> {
        self.db.as_mut()
    }

    fn insert_row(&mut self, entry: Entry, vector: SparseVector) {
        if let Some(&row) = self.rows.get(&entry.id) {
            for (i, _) in &self.vectors[row] {
                self.columns[*i as usize][row] = 0.0;
            }
            for (i, v) in &vector {
                self.columns[*i as usize][row] = *v;
            }
            self.entries[row] = entry;
            self.vectors[row] = vector;
            return;
        }
        let row = self.entries.len();
        for column in &mut self.columns {
            column.push(0.0);
        }
        for (i, v) in &vector {
            self.columns[*i as usize][row] = *v;
        }
        self.rows.insert(entry.id.clone(), row);
        self.entries.push(entry);
        self.vectors.push(vector);
    }

    fn remove_row(&mut self, id: &str) {
        let Some(row) = self.rows.remove(id) else {
            return;
        };
        for column in &mut self.columns {
            column.swap_remove(row);
        }
        self.entries.swap_remove(row);
        self.vectors.swap_remove(row);
        if let Some(moved) = self.entries.get(row) {
            self.rows.insert(moved.id.clone(), row);
        }
    }
}

impl VectorIndex for FlatIndex {
    fn upsert(&mut self, items: Vec<(Entry, SparseVector)>) -> Result<(), CatalogError> {
        if let Some((_, bad)) = items
            .iter()
            .find(|(_, v)| v.iter().any(|(i, _)| *i as usize >= self.dims))
        {
            let bucket = bad.iter().map(|(i, _)| *i).max().unwrap_or(0);
            return Err(CatalogError::Dimensions {
                dims: self.dims,
                bucket,
            });
        }
        if let Some(db) = &mut self.db {
            db.upsert(&items)?;
        }
        for (entry, vector) in items {
            self.insert_row(entry, vector);
        }
        Ok(())
    }

    fn remove(&mut self, ids: &[String]) -> Result<(), CatalogError> {
        if let Some(db) = &mut self.db {
            db.remove(ids)?;
        }
        for id in ids {
            self.remove_row(id);
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<(), CatalogError> {
        if let Some(db) = &mut self.db {
            db.clear()?;
        }
        let db = self.db.take();
        *self = Self::new(self.dims);
        self.db = db;
        Ok(())
    }

    fn search(
        &self,
        query: &SparseVector,
        k: usize,
        filter: &Filter,
    ) -> Result<Vec<(Entry, f32)>, CatalogError> {
        filter.check()?;
        let mut scores = vec![0f32; self.entries.len()];
        for (i, q) in query {
            let column = &self.columns[*i as usize];
            for (score, v) in scores.iter_mut().zip(column) {
                *score += q * v;
            }
        }
        let mut best: Vec<(usize, f32)> = Vec::with_capacity(k + 1);
        for (row, score) in scores.into_iter().enumerate() {
            if best.len() == k && best.last().is_some_and(|(_, s)| *s >= score) {
                continue;
            }
            if !filter.matches(&self.entries[row]) {
                continue;
            }
            let at = best.partition_point(|(_, s)| *s >= score);
            best.insert(at, (row, score));
            best.truncate(k);
        }
        Ok(best
            .into_iter()
            .map(|(row, s)| (self.entries[row].clone(), s))
            .collect())
    }

    fn get_many(&self, ids: &[String]) -> Result<Vec<(Entry, SparseVector)>, CatalogError> {
        Ok(ids
            .iter()
            .filter_map(|id| self.rows.get(id))
            .map(|&row| (self.entries[row].clone(), self.vectors[row].clone()))
            .collect())
    }

    fn scan(&self, visit: &mut dyn FnMut(&Entry, &SparseVector)) -> Result<(), CatalogError> {
        self.entries
            .iter()
            .zip(&self.vectors)
            .for_each(|(e, v)| visit(e, v));
        Ok(())
    }

    fn len(&self) -> Result<usize, CatalogError> {
        Ok(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(pairs: &[(u32, f32)]) -> SparseVector {
        pairs.to_vec()
    }

    #[test]
    fn search_ranks_by_dot_product_and_honours_filters() {
        let mut index = FlatIndex::new(8);
        index
            .upsert(vec![
                (
                    Entry::new("a", "tool", "a").with_payload(json!({"team": 1})),
                    v(&[(0, 1.0)]),
                ),
                (Entry::new("b", "task", "b"), v(&[(0, 0.6), (1, 0.8)])),
                (
                    Entry::new("c", "tool", "c").with_payload(json!({"team": 2})),
                    v(&[(1, 1.0)]),
                ),
            ])
            .unwrap();
        let q = v(&[(0, 1.0)]);
        let ids = |filter: Filter, k: usize| {
            let hits = index.search(&q, k, &filter).unwrap();
            hits.into_iter().map(|(e, _)| e.id).collect::<Vec<_>>()
        };
        assert_eq!(ids(Filter::any(), 3), ["a", "b", "c"]);
        assert_eq!(ids(Filter::kind("task"), 1), ["b"]);
        assert_eq!(ids(Filter::kind("tool").with("team", 2), 5), ["c"]);
    }

    #[test]
    fn upsert_replaces_and_remove_keeps_other_rows_intact() {
        let mut index = FlatIndex::new(4);
        index
            .upsert(vec![
                (Entry::new("a", "k", "a"), v(&[(0, 1.0)])),
                (Entry::new("b", "k", "b"), v(&[(1, 1.0)])),
                (Entry::new("c", "k", "c"), v(&[(2, 1.0)])),
            ])
            .unwrap();
        index
            .upsert(vec![(Entry::new("a", "k", "a2"), v(&[(3, 1.0)]))])
            .unwrap();
        assert_eq!(index.get("a").unwrap().unwrap().0.text, "a2");
        index.remove(&["a".into()]).unwrap();
        assert_eq!(index.len().unwrap(), 2);
        let hit = index.search(&v(&[(2, 1.0)]), 1, &Filter::any()).unwrap();
        assert_eq!(hit[0].0.id, "c");
        assert!((hit[0].1 - 1.0).abs() < 1e-6);
        let gone = index.search(&v(&[(3, 1.0)]), 1, &Filter::any()).unwrap();
        assert!(gone[0].1.abs() < 1e-6);
    }

    #[test]
    fn vectors_beyond_the_dimensions_are_refused() {
        let mut index = FlatIndex::new(4);
        let err = index.upsert(vec![(Entry::new("a", "k", "a"), v(&[(9, 1.0)]))]);
        assert!(matches!(err, Err(CatalogError::Dimensions { .. })));
        assert!(index.is_empty().unwrap());
    }

    #[test]
    fn filters_every_index_cannot_match_exactly_are_refused() {
        let index = FlatIndex::new(4);
        let q = v(&[(0, 1.0)]);
        for filter in [
            Filter::any().with("score", 0.5),
            Filter::any().with("tags", json!(["a"])),
            Filter::any().with("owner", Value::Null),
            Filter::any().with("owner.name", "Ann"),
        ] {
            let err = index.search(&q, 1, &filter).unwrap_err();
            assert!(matches!(err, CatalogError::Filter(_)), "{filter:?}: {err}");
        }
        assert!(
            Filter::kind("task")
                .with("id", 3)
                .with("done", true)
                .with("who", "Ann Lee")
                .check()
                .is_ok()
        );
    }
}
