//! [`Catalog`]: an embedder and a vector index, with IDF-weighted queries.

use std::path::{Path, PathBuf};

use crate::embed::{Embedder, HashEmbedder, SparseVector};
use crate::index::{Entry, Filter, FlatIndex, VectorIndex};
use crate::persist::Db;

/// What can go wrong in the catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The catalog file could not be read or written.
    #[error("catalog storage failed: {0}")]
    Storage(#[from] rusqlite::Error),
    /// The catalog file holds data this version cannot read.
    #[error(
        "the catalog file is damaged ({0}); delete it and run `maestro reindex` to rebuild it from the store"
    )]
    Corrupt(String),
    /// A vector does not fit the index.
    #[error("a vector uses bucket {bucket}, but the index has {dims} dimensions")]
    Dimensions {
        /// Dimensions of the index.
        dims: usize,
        /// The offending bucket.
        bucket: u32,
    },
    /// The catalog file could not be opened at all.
    #[error("cannot open the catalog at {path}: {reason}")]
    Open {
        /// Where the catalog was looked for.
        path: PathBuf,
        /// Why it failed.
        reason: String,
    },
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The matching entry.
    pub entry: Entry,
    /// Similarity, higher is closer (cosine-like, at most about 1).
    pub score: f32,
}

/// The catalog: embeds entries and queries, keeps them in a [`VectorIndex`].
///
/// Queries are weighted by inverse document frequency over the stored
/// entries, so words that every entry shares count for little.
pub struct Catalog {
    embedder: Box<dyn Embedder>,
    index: Box<dyn VectorIndex>,
    doc_freq: Vec<u32>,
}

impl Catalog {
    /// A catalog with the built-in embedder that lives in memory only.
    pub fn in_memory() -> Self {
        let embedder = HashEmbedder::default();
        let index = FlatIndex::new(embedder.dims());
        Self::with_parts(Box::new(embedder), Box::new(index))
    }

    /// Opens the embedded catalog persisted at `path` (created when missing).
    /// Entries embedded by another embedder are re-embedded from their text.
    pub fn open(path: &Path) -> Result<Self, CatalogError> {
        let embedder = HashEmbedder::default();
        let db = Db::open(path).map_err(|e| CatalogError::Open {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let stale = db.embedder_id()?.is_some_and(|id| id != embedder.id());
        let mut index = FlatIndex::with_db(embedder.dims(), db)?;
        if stale {
            let items: Vec<_> = index
                .items()
                .map(|(e, _)| (e.clone(), embedder.embed(&e.text)))
                .collect();
            index.upsert(items)?;
        }
        if let Some(db) = index.db_mut() {
            db.set_embedder_id(&embedder.id())?;
        }
        Ok(Self::with_parts(Box::new(embedder), Box::new(index)))
    }

    /// A catalog from any embedder and index (the index must match the embedder's dimensions).
    pub fn with_parts(embedder: Box<dyn Embedder>, index: Box<dyn VectorIndex>) -> Self {
        let mut doc_freq = vec![0; embedder.dims()];
        for (_, vector) in index.items() {
            count(&mut doc_freq, vector, 1);
        }
        Self {
            embedder,
            index,
            doc_freq,
        }
    }

    /// Inserts or replaces entries by id.
    pub fn upsert(&mut self, entries: Vec<Entry>) -> Result<(), CatalogError> {
        let items: Vec<(Entry, SparseVector)> = entries
            .into_iter()
            .map(|e| {
                let v = self.embedder.embed(&e.text);
                (e, v)
            })
            .collect();
        let old: Vec<SparseVector> = items
            .iter()
            .filter_map(|(e, _)| self.index.get(&e.id).map(|(_, v)| v.clone()))
            .collect();
        self.index.upsert(items.clone())?;
        old.iter().for_each(|v| count(&mut self.doc_freq, v, -1));
        items
            .iter()
            .for_each(|(_, v)| count(&mut self.doc_freq, v, 1));
        Ok(())
    }

    /// Removes entries by id.
    pub fn remove(&mut self, ids: &[String]) -> Result<(), CatalogError> {
        let old: Vec<SparseVector> = ids
            .iter()
            .filter_map(|id| self.index.get(id).map(|(_, v)| v.clone()))
            .collect();
        self.index.remove(ids)?;
        old.iter().for_each(|v| count(&mut self.doc_freq, v, -1));
        Ok(())
    }

    /// The `k` entries closest to `text` that pass `filter`, best first.
    pub fn search(&self, text: &str, k: usize, filter: &Filter) -> Result<Vec<Hit>, CatalogError> {
        let query = self.weighted_query(text);
        Ok(self
            .index
            .search(&query, k, filter)
            .into_iter()
            .map(|(entry, score)| Hit { entry, score })
            .collect())
    }

    /// The query vector for `text`: its embedding weighted by IDF, unit length.
    pub fn weighted_query(&self, text: &str) -> SparseVector {
        let n = self.index.len() as f32;
        let mut query = self.embedder.embed(text);
        for (i, v) in &mut query {
            let df = self.doc_freq[*i as usize] as f32;
            *v *= ((n + 1.0) / (df + 1.0)).ln() + 1.0;
        }
        let norm = query.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            query.iter_mut().for_each(|(_, v)| *v /= norm);
        }
        query
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.index.get(id).map(|(e, _)| e)
    }

    /// The index underneath (for exact-search comparisons and statistics).
    pub fn index(&self) -> &dyn VectorIndex {
        self.index.as_ref()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when the catalog holds nothing.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

fn count(doc_freq: &mut [u32], vector: &SparseVector, delta: i32) {
    for (i, _) in vector {
        let slot = &mut doc_freq[*i as usize];
        *slot = slot.saturating_add_signed(delta);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools() -> Vec<Entry> {
        vec![
            Entry::new(
                "tool:create_task",
                "tool",
                "create a new task, add a todo item for someone",
            ),
            Entry::new(
                "tool:list_people",
                "tool",
                "list the people on the team and their skills",
            ),
            Entry::new("person:1", "person", "Alice Johnson backend security"),
        ]
    }

    #[test]
    fn finds_the_closest_entry_of_a_kind() {
        let mut c = Catalog::in_memory();
        c.upsert(tools()).unwrap();
        let hits = c.search("add a todo", 2, &Filter::kind("tool")).unwrap();
        assert_eq!(hits[0].entry.id, "tool:create_task");
        assert!(hits.iter().all(|h| h.entry.kind == "tool"));
        assert!(hits[0].score > hits[1].score);
    }

    #[test]
    fn persists_across_reopen_and_forgets_removed_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.db");
        {
            let mut c = Catalog::open(&path).unwrap();
            c.upsert(tools()).unwrap();
            c.remove(&["person:1".into()]).unwrap();
        }
        let c = Catalog::open(&path).unwrap();
        assert_eq!(c.len(), 2);
        assert!(c.get("person:1").is_none());
        let hits = c.search("who is on the team", 1, &Filter::any()).unwrap();
        assert_eq!(hits[0].entry.id, "tool:list_people");
    }

    #[test]
    fn a_file_that_is_not_a_catalog_gives_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.db");
        std::fs::write(
            &path,
            b"this is not a database, just some text that fills a page",
        )
        .unwrap();
        let err = Catalog::open(&path)
            .err()
            .expect("a corrupt file must not open");
        assert!(err.to_string().contains("catalog"), "{err}");
    }

    #[test]
    fn idf_keeps_document_frequencies_in_step_with_changes() {
        let mut c = Catalog::in_memory();
        c.upsert(tools()).unwrap();
        c.upsert(tools()).unwrap();
        let fresh = Catalog::with_parts(
            Box::new(HashEmbedder::default()),
            Box::new({
                let mut i = FlatIndex::new(384);
                let e = HashEmbedder::default();
                i.upsert(
                    tools()
                        .into_iter()
                        .map(|t| {
                            let v = e.embed(&t.text);
                            (t, v)
                        })
                        .collect(),
                )
                .unwrap();
                i
            }),
        );
        assert_eq!(c.doc_freq, fresh.doc_freq);
    }
}
