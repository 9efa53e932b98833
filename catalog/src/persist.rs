//! The embedded index's file: one SQLite table of entries and their vectors.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use crate::CatalogError;
use crate::embed::SparseVector;
use crate::index::Entry;

/// A catalog file, written through on every change.
pub(crate) struct Db {
    conn: Mutex<Connection>,
}

impl Db {
    pub(crate) fn open(path: &Path) -> Result<Self, CatalogError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS entries (
                 id TEXT PRIMARY KEY, kind TEXT NOT NULL, text TEXT NOT NULL,
                 payload TEXT NOT NULL, vector BLOB NOT NULL);",
        )?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    pub(crate) fn embedder_id(&self) -> Result<Option<String>, CatalogError> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = 'embedder'", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub(crate) fn set_embedder_id(&self, id: &str) -> Result<(), CatalogError> {
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES ('embedder', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [id],
        )?;
        Ok(())
    }

    pub(crate) fn load(&self) -> Result<Vec<(Entry, SparseVector)>, CatalogError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id, kind, text, payload, vector FROM entries")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Vec<u8>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, text, payload, blob) = row?;
            let payload = serde_json::from_str(&payload)
                .map_err(|e| CatalogError::Corrupt(format!("entry {id}: {e}")))?;
            out.push((
                Entry {
                    id,
                    kind,
                    text,
                    payload,
                },
                decode(&blob)?,
            ));
        }
        Ok(out)
    }

    pub(crate) fn upsert(&self, items: &[(Entry, SparseVector)]) -> Result<(), CatalogError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO entries (id, kind, text, payload, vector) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, text = excluded.text,
                     payload = excluded.payload, vector = excluded.vector",
            )?;
            for (e, v) in items {
                stmt.execute(params![
                    e.id,
                    e.kind,
                    e.text,
                    e.payload.to_string(),
                    encode(v)
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn clear(&self) -> Result<(), CatalogError> {
        self.conn().execute("DELETE FROM entries", [])?;
        Ok(())
    }

    pub(crate) fn remove(&self, ids: &[String]) -> Result<(), CatalogError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for id in ids {
            tx.execute("DELETE FROM entries WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(())
    }
}

impl Db {
    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn encode(vector: &SparseVector) -> Vec<u8> {
    vector
        .iter()
        .flat_map(|(i, v)| i.to_le_bytes().into_iter().chain(v.to_le_bytes()))
        .collect()
}

fn decode(blob: &[u8]) -> Result<SparseVector, CatalogError> {
    if !blob.len().is_multiple_of(8) {
        return Err(CatalogError::Corrupt(format!(
            "a vector of {} bytes is not a list of (u32, f32)",
            blob.len()
        )));
    }
    Ok(blob
        .chunks_exact(8)
        .map(|c| {
            let i = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            let v = f32::from_le_bytes([c[4], c[5], c[6], c[7]]);
            (i, v)
        })
        .collect())
}
