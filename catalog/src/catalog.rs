//! [`Catalog`]: an embedder and a vector index, with IDF-weighted queries.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::embed::{Embedder, HashEmbedder, SparseVector};
use crate::index::{Entry, Filter, FlatIndex, VectorIndex};
use crate::persist::Db;
use crate::qdrant::{QdrantConfig, QdrantIndex};

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
    /// The embeddings endpoint failed or answered something unusable; the
    /// reason says what to do.
    #[error("the embeddings endpoint {url} failed: {reason}")]
    Embeddings {
        /// The endpoint (no key).
        url: String,
        /// What went wrong and what to do.
        reason: String,
    },
    /// A search filter that not every index can match exactly.
    #[error("cannot search with this filter: {0}")]
    Filter(String),
    /// The Qdrant server failed or refused a request, or holds data Maestro
    /// did not write; the reason says what to do.
    #[error("the Qdrant catalog at {url} failed: {reason}")]
    Remote {
        /// The server (no key).
        url: String,
        /// What went wrong.
        reason: String,
    },
}

impl CatalogError {
    /// Whether the catalog's file is damaged (not a database, or rows this
    /// version cannot read), as opposed to unreachable or busy.
    pub fn is_damage(&self) -> bool {
        match self {
            CatalogError::Corrupt(_) => true,
            CatalogError::Storage(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
            ),
            _ => false,
        }
    }
}

/// The id (and kind) of the entry where a catalog keeps its stamp.
const STAMP: &str = "_stamp";

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
/// entries, so words that every entry shares count for little. The counts
/// are kept in this process: read from the index when the catalog opens and
/// kept in step with its own changes (changes made by other processes to a
/// shared index count from the next open).
pub struct Catalog {
    embedder: Box<dyn Embedder>,
    index: Box<dyn VectorIndex>,
    idf: Idf,
}

/// Document frequencies: how many entries use each dimension, out of how many.
#[derive(Debug, Clone, PartialEq)]
struct Idf {
    docs: usize,
    freq: Vec<u32>,
}

impl Idf {
    fn new(dims: usize) -> Self {
        Self {
            docs: 0,
            freq: vec![0; dims],
        }
    }

    fn add(&mut self, vector: &SparseVector, delta: i32) {
        self.docs = self.docs.saturating_add_signed(delta as isize);
        for (i, _) in vector {
            let slot = &mut self.freq[*i as usize];
            *slot = slot.saturating_add_signed(delta);
        }
    }
}

impl Catalog {
    /// A catalog with the built-in embedder that lives in memory only.
    pub fn in_memory() -> Self {
        let embedder = HashEmbedder::default();
        Self {
            idf: Idf::new(embedder.dims()),
            index: Box::new(FlatIndex::new(embedder.dims())),
            embedder: Box::new(embedder),
        }
    }

    /// Opens the embedded catalog persisted at `path` (created when missing),
    /// with the built-in embedder.
    pub fn open(path: &Path) -> Result<Self, CatalogError> {
        Self::open_with(path, Box::new(HashEmbedder::default()))
    }

    /// Opens the embedded catalog persisted at `path` (created when missing)
    /// with `embedder`. Entries another embedder made are embedded again
    /// from their text.
    pub fn open_with(path: &Path, embedder: Box<dyn Embedder>) -> Result<Self, CatalogError> {
        let db = Db::open(path).map_err(|e| match e.is_damage() {
            true => CatalogError::Corrupt(format!("{}: {e}", path.display())),
            false => CatalogError::Open {
                path: path.to_path_buf(),
                reason: e.to_string(),
            },
        })?;
        let stale = db.embedder_id()?.is_some_and(|id| id != embedder.id());
        // The old vectors may not even fit the new dimensions: only the
        // entries are kept, and embedded again.
        let entries: Vec<Entry> = match stale {
            true => db.load()?.into_iter().map(|(e, _)| e).collect(),
            false => Vec::new(),
        };
        if stale {
            db.clear()?;
        }
        let mut index = FlatIndex::with_db(embedder.dims(), db)?;
        if !entries.is_empty() {
            let texts: Vec<&str> = entries.iter().map(|e| e.text.as_str()).collect();
            let vectors = embedder.embed_many(&texts)?;
            index.upsert(entries.iter().cloned().zip(vectors).collect())?;
        }
        if let Some(db) = index.db_mut() {
            db.set_embedder_id(&embedder.id())?;
        }
        Self::with_parts(embedder, Box::new(index))
    }

    /// The catalog in `collection` of the Qdrant server `config` names
    /// (created when missing; see [`QdrantIndex::collection_for`]), with
    /// `embedder` (its sparse vectors take any dimensions).
    pub fn qdrant(
        config: &QdrantConfig,
        collection: &str,
        embedder: Box<dyn Embedder>,
    ) -> Result<Self, CatalogError> {
        let index = QdrantIndex::open(config, collection)?;
        Self::with_parts(embedder, Box::new(index))
    }

    /// A catalog from any embedder and index (the index must match the
    /// embedder's dimensions); reads every vector once to count frequencies.
    pub fn with_parts(
        embedder: Box<dyn Embedder>,
        index: Box<dyn VectorIndex>,
    ) -> Result<Self, CatalogError> {
        let mut idf = Idf::new(embedder.dims());
        index.scan(&mut |entry, vector| {
            if entry.kind != STAMP {
                idf.add(vector, 1)
            }
        })?;
        Ok(Self {
            embedder,
            index,
            idf,
        })
    }

    /// Inserts or replaces entries by id (the last one wins when an id repeats).
    pub fn upsert(&mut self, entries: Vec<Entry>) -> Result<(), CatalogError> {
        let entries = last_per_id(entries);
        let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
        let old = self.index.get_many(&ids)?;
        let texts: Vec<&str> = entries.iter().map(|e| e.text.as_str()).collect();
        let vectors = self.embedder.embed_many(&texts)?;
        let items: Vec<(Entry, SparseVector)> = entries.into_iter().zip(vectors).collect();
        let new: Vec<SparseVector> = items.iter().map(|(_, v)| v.clone()).collect();
        self.index.upsert(items)?;
        old.iter().for_each(|(_, v)| self.idf.add(v, -1));
        new.iter().for_each(|v| self.idf.add(v, 1));
        Ok(())
    }

    /// Inserts the entries that are new or differ from the stored ones and
    /// leaves the others alone (one read of the index, then one write).
    pub fn refresh(&mut self, entries: Vec<Entry>) -> Result<(), CatalogError> {
        let entries = last_per_id(entries);
        let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
        let stored: HashMap<String, Entry> = self
            .index
            .get_many(&ids)?
            .into_iter()
            .map(|(e, _)| (e.id.clone(), e))
            .collect();
        let changed: Vec<Entry> = entries
            .into_iter()
            .filter(|e| stored.get(&e.id) != Some(e))
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        self.upsert(changed)
    }

    /// Removes entries by id.
    pub fn remove(&mut self, ids: &[String]) -> Result<(), CatalogError> {
        let old = self.index.get_many(ids)?;
        self.index.remove(ids)?;
        old.iter().for_each(|(_, v)| self.idf.add(v, -1));
        Ok(())
    }

    /// Removes every entry; returns how many there were.
    pub fn clear(&mut self) -> Result<usize, CatalogError> {
        let before = self.index.len()?;
        self.index.clear()?;
        self.idf = Idf::new(self.idf.freq.len());
        Ok(before)
    }

    /// The `k` entries closest to `text` that pass `filter`, best first.
    pub fn search(&self, text: &str, k: usize, filter: &Filter) -> Result<Vec<Hit>, CatalogError> {
        let query = self.weighted_query(text)?;
        Ok(self
            .index
            .search(&query, k + 1, filter)?
            .into_iter()
            .filter(|(entry, _)| entry.kind != STAMP)
            .take(k)
            .map(|(entry, score)| Hit { entry, score })
            .collect())
    }

    /// What the catalog's owner recorded about the data it mirrors (see
    /// [`Catalog::set_stamp`]), or `None` when nothing was recorded.
    pub fn stamp(&self) -> Result<Option<serde_json::Value>, CatalogError> {
        Ok(self.index.get(STAMP)?.map(|(e, _)| e.payload))
    }

    /// Records what the catalog mirrors (e.g. which store, at which change),
    /// in the index itself, so that it travels with the data; never a
    /// search result. [`Catalog::clear`] removes it.
    pub fn set_stamp(&mut self, stamp: serde_json::Value) -> Result<(), CatalogError> {
        let entry = Entry::new(STAMP, STAMP, "").with_payload(stamp);
        self.index.upsert(vec![(entry, SparseVector::new())])
    }

    /// The query vector for `text`: its embedding weighted by IDF, unit length.
    pub fn weighted_query(&self, text: &str) -> Result<SparseVector, CatalogError> {
        let n = self.idf.docs as f32;
        let mut query = self.embedder.embed(text)?;
        for (i, v) in &mut query {
            let df = self.idf.freq[*i as usize] as f32;
            *v *= ((n + 1.0) / (df + 1.0)).ln() + 1.0;
        }
        let norm = query.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            query.iter_mut().for_each(|(_, v)| *v /= norm);
        }
        Ok(query)
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Result<Option<Entry>, CatalogError> {
        Ok(self.index.get(id)?.map(|(e, _)| e))
    }

    /// Which embedder makes the vectors (its name and settings).
    pub fn embedder_id(&self) -> String {
        self.embedder.id()
    }

    /// The index underneath (for exact-search comparisons and statistics).
    pub fn index(&self) -> &dyn VectorIndex {
        self.index.as_ref()
    }

    /// Number of entries.
    pub fn len(&self) -> Result<usize, CatalogError> {
        self.index.len()
    }

    /// True when the catalog holds nothing.
    pub fn is_empty(&self) -> Result<bool, CatalogError> {
        self.index.is_empty()
    }
}

/// `entries` with only the last of each id, in their first order.
fn last_per_id(entries: Vec<Entry>) -> Vec<Entry> {
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
    for entry in entries {
        match at.get(&entry.id) {
            Some(&i) => out[i] = entry,
            None => {
                at.insert(entry.id.clone(), out.len());
                out.push(entry);
            }
        }
    }
    out
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
    fn repeated_ids_in_one_call_count_once() {
        let mut c = Catalog::in_memory();
        let mut twice = tools();
        twice.push(Entry::new("person:1", "person", "Alice Johnson databases"));
        c.upsert(twice).unwrap();
        assert_eq!(c.len().unwrap(), 3);
        assert_eq!(c.idf.docs, 3);
        assert_eq!(
            c.get("person:1").unwrap().unwrap().text,
            "Alice Johnson databases"
        );
    }
}
