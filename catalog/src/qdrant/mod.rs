//! [`QdrantIndex`]: the catalog in a Qdrant server, shared by every process
//! that points at it.
//!
//! One collection per workspace (`maestro_WORKSPACE`) with one named sparse
//! vector (Qdrant scores sparse vectors by dot product, as [`FlatIndex`]
//! does) and a keyword index on `kind`. Writes go out in batches of
//! [`BATCH`] points and wait until they are applied, so the next read sees
//! them; requests are retried with backoff when the server is unavailable
//! or busy (`retry.rs`). The client is asynchronous; the index keeps a small
//! runtime of its own ([`Bridge`]) so that it works from any thread.
//!
//! [`FlatIndex`]: crate::FlatIndex

mod convert;
mod retry;

use std::future::Future;
use std::time::Duration;

use qdrant_client::qdrant::{
    CountPointsBuilder, CreateCollectionBuilder, CreateFieldIndexCollectionBuilder,
    DeletePointsBuilder, FieldType, GetPointsBuilder, PointId, PointsIdsList, QueryPointsBuilder,
    RetrievedPoint, ScrollPointsBuilder, SparseVectorParamsBuilder, SparseVectorsConfigBuilder,
    UpsertPointsBuilder,
};
use qdrant_client::{Qdrant, QdrantError};

use crate::CatalogError;
use crate::embed::SparseVector;
use crate::index::{Entry, Filter, VectorIndex, plain_name};
use convert::{VECTOR, every_entry, from_point, point_id, to_filter, to_point};
use maestro_blocking::Bridge;
use retry::retrying;

/// Points per write, read or page.
const BATCH: usize = 256;
/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the Qdrant server is and how to sign in (the key never shows in `Debug`).
#[derive(Clone, PartialEq, Eq)]
pub struct QdrantConfig {
    /// The gRPC address, `http://host:6334` or `https://…`.
    pub url: String,
    /// The API key, for servers that require one.
    pub api_key: Option<String>,
}

impl std::fmt::Debug for QdrantConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QdrantConfig")
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "(hidden)"))
            .finish()
    }
}

impl QdrantConfig {
    /// For tests that need a server: the one `MAESTRO_QDRANT_URL` names (with
    /// `MAESTRO_QDRANT_API_KEY`), or `None` after a line on stderr saying
    /// `test` skipped its Qdrant run; with `MAESTRO_REQUIRE_QDRANT=1` a
    /// missing server is a failure instead.
    pub fn for_tests(test: &str) -> Option<Self> {
        use std::io::Write;
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        match var("MAESTRO_QDRANT_URL") {
            Some(url) => Some(Self {
                url,
                api_key: var("MAESTRO_QDRANT_API_KEY"),
            }),
            None if var("MAESTRO_REQUIRE_QDRANT").as_deref() == Some("1") => panic!(
                "MAESTRO_REQUIRE_QDRANT=1 but MAESTRO_QDRANT_URL is not set: point it at a Qdrant server (http://127.0.0.1:6334)"
            ),
            None => {
                // Straight to stderr: the test harness captures `eprintln!`.
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: Qdrant run of {test} (set MAESTRO_QDRANT_URL=http://127.0.0.1:6334 to run it)"
                );
                None
            }
        }
    }
}

/// A [`VectorIndex`] in one collection of a Qdrant server.
pub struct QdrantIndex {
    bridge: Bridge,
    client: Qdrant,
    collection: String,
    url: String,
}

impl QdrantIndex {
    /// The collection of `workspace` in `deployment` (an installation's id
    /// or an operator's prefix): `maestro_DEPLOYMENT_WORKSPACE`, so that
    /// deployments sharing one server never share a collection.
    pub fn collection_for(deployment: &str, workspace: &str) -> String {
        format!("maestro_{deployment}_{workspace}")
    }

    /// Connects to the server `config` names and uses `collection`,
    /// creating it (with its vector and `kind` index) when missing.
    pub fn open(config: &QdrantConfig, collection: &str) -> Result<Self, CatalogError> {
        let remote = |reason: String| CatalogError::Remote {
            url: config.url.clone(),
            reason,
        };
        if collection.len() > 200 || !plain_name(collection) {
            return Err(remote(format!(
                "{collection:?} cannot name a collection: use 1 to 200 letters, digits, '_' or '-'"
            )));
        }
        let bridge = Bridge::new("maestro-qdrant").map_err(|e| {
            remote(format!(
                "cannot start the client ({e}); the system is short of threads or memory"
            ))
        })?;
        let client = Qdrant::from_url(&config.url)
            .api_key(config.api_key.clone())
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .skip_compatibility_check()
            .build()
            .map_err(|e| remote(format!("{e}; write MAESTRO_QDRANT_URL as http://host:6334")))?;
        let index = Self {
            bridge,
            client,
            collection: collection.to_string(),
            url: config.url.clone(),
        };
        index.ensure_collection()?;
        Ok(index)
    }

    /// Creates the collection when missing; refuses one made for other data.
    fn ensure_collection(&self) -> Result<(), CatalogError> {
        let name = self.collection.clone();
        let found = self.run(|client| async move {
            if !retrying(|| client.collection_exists(&name)).await? {
                let mut sparse = SparseVectorsConfigBuilder::default();
                sparse.add_named_vector_params(VECTOR, SparseVectorParamsBuilder::default());
                let created = retrying(|| {
                    client.create_collection(
                        CreateCollectionBuilder::new(&name).sparse_vectors_config(sparse.clone()),
                    )
                })
                .await;
                // Another process may have created it in the meantime.
                if created.is_err() && !client.collection_exists(&name).await? {
                    created?;
                }
                retrying(|| {
                    client.create_field_index(
                        CreateFieldIndexCollectionBuilder::new(&name, "kind", FieldType::Keyword)
                            .wait(true),
                    )
                })
                .await?;
            }
            let info = retrying(|| client.collection_info(&name)).await?;
            Ok(info
                .result
                .and_then(|i| i.config)
                .and_then(|c| c.params)
                .and_then(|p| p.sparse_vectors_config)
                .is_some_and(|s| s.map.contains_key(VECTOR)))
        })?;
        if found {
            Ok(())
        } else {
            Err(self.remote(format!(
                "the collection {} exists but has no sparse vector {VECTOR:?}, so Maestro did not make it; delete it or use another workspace name",
                self.collection
            )))
        }
    }

    /// Deletes the collection and everything in it (a workspace retired, a test done).
    pub fn delete(self) -> Result<(), CatalogError> {
        let name = self.collection.clone();
        self.run(|client| async move {
            retrying(|| client.delete_collection(&name)).await?;
            Ok(())
        })
    }

    /// Runs `work` with a client on the index's runtime and waits for it.
    fn run<T, F, Fut>(&self, work: F) -> Result<T, CatalogError>
    where
        T: Send + 'static,
        F: FnOnce(Qdrant) -> Fut,
        Fut: Future<Output = Result<T, QdrantError>> + Send + 'static,
    {
        self.bridge
            .run(work(self.client.clone()))
            .map_err(|e| self.remote(format!("{e}; try again")))?
            .map_err(|e| {
                self.remote(format!(
                    "{}; check that the server runs there (gRPC, usually port 6334) and that MAESTRO_QDRANT_URL and MAESTRO_QDRANT_API_KEY are right, then try again",
                    describe(&e)
                ))
            })
    }

    fn remote(&self, reason: String) -> CatalogError {
        CatalogError::Remote {
            url: self.url.clone(),
            reason,
        }
    }

    /// Entries and vectors of retrieved points.
    fn entries(
        &self,
        points: Vec<RetrievedPoint>,
    ) -> Result<Vec<(Entry, SparseVector)>, CatalogError> {
        points
            .into_iter()
            .map(|p| from_point(p.payload, p.vectors))
            .collect::<Result<_, _>>()
            .map_err(|e| self.damaged(e))
    }

    fn damaged(&self, reason: String) -> CatalogError {
        self.remote(format!(
            "the collection {} holds something that is not a catalog entry ({reason}); run `maestro reindex` to rebuild it",
            self.collection
        ))
    }

    fn point_ids(ids: &[String]) -> Vec<PointId> {
        ids.iter().map(|id| point_id(id)).collect()
    }
}

/// A client error in a line: a server's status without its metadata dump.
fn describe(error: &QdrantError) -> String {
    match error {
        QdrantError::ResponseError { status }
        | QdrantError::ResourceExhaustedError { status, .. } => {
            format!("{} ({})", status.message(), status.code())
        }
        other => other.to_string(),
    }
}

impl VectorIndex for QdrantIndex {
    fn upsert(&mut self, items: Vec<(Entry, SparseVector)>) -> Result<(), CatalogError> {
        let points: Vec<_> = items.into_iter().map(|(e, v)| to_point(e, v)).collect();
        let name = self.collection.clone();
        self.run(|client| async move {
            for batch in points.chunks(BATCH) {
                retrying(|| {
                    client.upsert_points(UpsertPointsBuilder::new(&name, batch.to_vec()).wait(true))
                })
                .await?;
            }
            Ok(())
        })
    }

    fn remove(&mut self, ids: &[String]) -> Result<(), CatalogError> {
        let ids = Self::point_ids(ids);
        let name = self.collection.clone();
        self.run(|client| async move {
            for batch in ids.chunks(BATCH) {
                let selector = PointsIdsList {
                    ids: batch.to_vec(),
                };
                retrying(|| {
                    client.delete_points(
                        DeletePointsBuilder::new(&name)
                            .points(selector.clone())
                            .wait(true),
                    )
                })
                .await?;
            }
            Ok(())
        })
    }

    fn clear(&mut self) -> Result<(), CatalogError> {
        let name = self.collection.clone();
        self.run(|client| async move {
            retrying(|| {
                client.delete_points(
                    DeletePointsBuilder::new(&name)
                        .points(every_entry())
                        .wait(true),
                )
            })
            .await?;
            Ok(())
        })
    }

    fn search(
        &self,
        query: &SparseVector,
        k: usize,
        filter: &Filter,
    ) -> Result<Vec<(Entry, f32)>, CatalogError> {
        let filter = to_filter(filter)?;
        if query.is_empty() || k == 0 {
            return Ok(Vec::new());
        }
        let mut request = QueryPointsBuilder::new(&self.collection)
            .query(query.clone())
            .using(VECTOR)
            .limit(k as u64)
            .with_payload(true);
        if let Some(filter) = filter {
            request = request.filter(filter);
        }
        let request = request.build();
        let found =
            self.run(|client| async move { retrying(|| client.query(request.clone())).await })?;
        found
            .result
            .into_iter()
            .map(|p| Ok((from_point(p.payload, None)?.0, p.score)))
            .collect::<Result<_, String>>()
            .map_err(|e| self.damaged(e))
    }

    fn get_many(&self, ids: &[String]) -> Result<Vec<(Entry, SparseVector)>, CatalogError> {
        let ids = Self::point_ids(ids);
        let name = self.collection.clone();
        let points = self.run(|client| async move {
            let mut found = Vec::new();
            for batch in ids.chunks(BATCH) {
                let request = GetPointsBuilder::new(&name, batch.to_vec())
                    .with_payload(true)
                    .with_vectors(true)
                    .build();
                found.extend(
                    retrying(|| client.get_points(request.clone()))
                        .await?
                        .result,
                );
            }
            Ok(found)
        })?;
        self.entries(points)
    }

    fn scan(&self, visit: &mut dyn FnMut(&Entry, &SparseVector)) -> Result<(), CatalogError> {
        let mut offset: Option<PointId> = None;
        loop {
            let mut request = ScrollPointsBuilder::new(&self.collection)
                .limit(BATCH as u32)
                .with_payload(true)
                .with_vectors(true);
            if let Some(from) = offset.take() {
                request = request.offset(from);
            }
            let request = request.build();
            let page = self
                .run(|client| async move { retrying(|| client.scroll(request.clone())).await })?;
            for (entry, vector) in self.entries(page.result)? {
                visit(&entry, &vector);
            }
            match page.next_page_offset {
                Some(next) => offset = Some(next),
                None => return Ok(()),
            }
        }
    }

    fn len(&self) -> Result<usize, CatalogError> {
        let request = CountPointsBuilder::new(&self.collection)
            .exact(true)
            .build();
        let counted =
            self.run(|client| async move { retrying(|| client.count(request.clone())).await })?;
        Ok(counted.result.map_or(0, |r| r.count as usize))
    }
}
