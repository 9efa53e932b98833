//! The catalog: embeddings and a vector index for everything Maestro can act on.
//!
//! The catalog stores entries — `(id, kind, text, payload)` — and answers
//! nearest-neighbour queries with kind and payload filters. It knows nothing
//! about tasks, people or models: callers choose kinds and payloads. The
//! index is embedded ([`FlatIndex`], in memory or a SQLite file) or a Qdrant
//! server ([`QdrantIndex`]), behind one [`VectorIndex`] trait.
//!
//! ```
//! use maestro_catalog::{Catalog, Entry, Filter};
//! let mut catalog = Catalog::in_memory();
//! catalog.upsert(vec![
//!     Entry::new("tool:create_task", "tool", "create a new task for someone"),
//!     Entry::new("tool:list_people", "tool", "list the people on the team"),
//! ]).unwrap();
//! let hits = catalog.search("who is on the team", 1, &Filter::kind("tool")).unwrap();
//! assert_eq!(hits[0].entry.id, "tool:list_people");
//! ```

#![deny(missing_docs)]

mod catalog;
mod embed;
mod endpoint;
mod index;
mod persist;
mod qdrant;

pub use catalog::{Catalog, CatalogError, Hit};
pub use embed::{Embedder, HashEmbedder, SparseVector, tokens};
pub use endpoint::{EndpointConfig, EndpointEmbedder};
pub use index::{Entry, Filter, FlatIndex, VectorIndex};
pub use qdrant::{QdrantConfig, QdrantIndex};
