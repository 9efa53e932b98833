//! Which engines hold the platform's state: the embedded defaults (a SQLite
//! file and an index file in the home directory), PostgreSQL named by
//! `MAESTRO_DATABASE_URL`, and a Qdrant catalog named by `MAESTRO_QDRANT_URL`
//! (with `MAESTRO_QDRANT_API_KEY` when the server wants one), and the
//! catalog's embeddings from an endpoint with `MAESTRO_EMBEDDINGS=openai`.
//! Chosen here, once, for every front end.

use std::path::{Path, PathBuf};

use maestro_catalog::{
    Catalog, Embedder, EndpointConfig, EndpointEmbedder, HashEmbedder, QdrantConfig, QdrantIndex,
};

use super::mirror::Location;
use super::{Platform, PlatformError};
use crate::store::{
    Directory, PgDirectory, PgStore, SqliteDirectory, SqliteStore, Store, StoreError,
};

/// Where the store and the catalog live.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backends {
    /// `postgres://…`: PostgreSQL instead of the embedded SQLite file.
    pub database_url: Option<String>,
    /// A Qdrant server instead of the embedded catalog files.
    pub qdrant: Option<QdrantConfig>,
    /// The deployment's part of its Qdrant collections' names
    /// (`MAESTRO_QDRANT_PREFIX`); by default the start of the store's
    /// installation id, so that two deployments never share a collection.
    pub qdrant_prefix: Option<String>,
    /// Embeddings from an endpoint (`MAESTRO_EMBEDDINGS=openai`) instead of
    /// the built-in hashed embedder.
    pub embeddings: Option<EndpointConfig>,
}

impl Backends {
    /// From the environment (`MAESTRO_DATABASE_URL`, `MAESTRO_QDRANT_URL`,
    /// `MAESTRO_QDRANT_API_KEY`, `MAESTRO_QDRANT_PREFIX`); unset or empty
    /// variables keep the embedded defaults.
    pub fn from_env() -> Result<Self, PlatformError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self::new(
            var("MAESTRO_DATABASE_URL"),
            var("MAESTRO_QDRANT_URL"),
            var("MAESTRO_QDRANT_API_KEY"),
        )?
        .with_qdrant_prefix(var("MAESTRO_QDRANT_PREFIX"))?
        .with_embeddings(var("MAESTRO_EMBEDDINGS").as_deref(), var)
    }

    /// With `MAESTRO_EMBEDDINGS=openai`, the catalog embeds through
    /// `MAESTRO_LLM_BASE_URL` (default OpenAI's) with `OPENAI_API_KEY` and
    /// `MAESTRO_EMBEDDINGS_MODEL` (default `text-embedding-3-small`).
    fn with_embeddings(
        self,
        choice: Option<&str>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, PlatformError> {
        let embeddings = match choice {
            None => None,
            Some("openai") => Some(EndpointConfig {
                base_url: var("MAESTRO_LLM_BASE_URL")
                    .unwrap_or_else(|| "https://api.openai.com/v1".into()),
                api_key: var("OPENAI_API_KEY"),
                model: var("MAESTRO_EMBEDDINGS_MODEL")
                    .unwrap_or_else(|| "text-embedding-3-small".into()),
            }),
            Some(other) => {
                return Err(unusable(format!(
                    "MAESTRO_EMBEDDINGS={other:?} is not known: set it to openai (an OpenAI-compatible /v1/embeddings endpoint), or unset it for the built-in embedder"
                )));
            }
        };
        Ok(Self { embeddings, ..self })
    }

    /// The embedder the catalogs use.
    fn embedder(&self) -> Result<Box<dyn Embedder>, PlatformError> {
        Ok(match &self.embeddings {
            Some(config) => Box::new(EndpointEmbedder::new(config.clone())?),
            None => Box::new(HashEmbedder::default()),
        })
    }

    /// Names this deployment's Qdrant collections `maestro_PREFIX_WORKSPACE`
    /// (1 to 40 letters, digits, `-` or `_`); `None` keeps the default.
    pub fn with_qdrant_prefix(self, prefix: Option<String>) -> Result<Self, PlatformError> {
        if let Some(p) = &prefix
            && (p.len() > 40
                || !p
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        {
            return Err(unusable(format!(
                "MAESTRO_QDRANT_PREFIX must be 1 to 40 letters, digits, '-' or '_' (got {p:?})"
            )));
        }
        Ok(Self {
            qdrant_prefix: prefix,
            ..self
        })
    }

    /// Checks the URLs' schemes.
    pub fn new(
        database_url: Option<String>,
        qdrant_url: Option<String>,
        qdrant_api_key: Option<String>,
    ) -> Result<Self, PlatformError> {
        let scheme = |url: &str| url.split("://").next().unwrap_or_default().to_string();
        if let Some(url) = &database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(unusable(format!(
                "MAESTRO_DATABASE_URL must be a postgres:// URL (got {:?}); unset it to use the embedded SQLite file",
                scheme(url)
            )));
        }
        if let Some(url) = &qdrant_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(unusable(format!(
                "MAESTRO_QDRANT_URL must be the server's gRPC address as http:// or https:// (e.g. http://127.0.0.1:6334; got {:?}); unset it to use the embedded catalog",
                scheme(url)
            )));
        }
        Ok(Self {
            database_url,
            qdrant: qdrant_url.map(|url| QdrantConfig {
                url,
                api_key: qdrant_api_key,
            }),
            qdrant_prefix: None,
            embeddings: None,
        })
    }

    /// The workspaces and tokens: in the same database as the stores.
    pub fn directory(&self, home: &Path) -> Result<Box<dyn Directory>, PlatformError> {
        Ok(match &self.database_url {
            Some(url) => Box::new(PgDirectory::connect(url)?),
            None => {
                Platform::prepare_home(home)?;
                Box::new(SqliteDirectory::open(&home.join("maestro.db"))?)
            }
        })
    }

    /// The store of `workspace`.
    pub fn store(&self, home: &Path, workspace: &str) -> Result<Box<dyn Store>, StoreError> {
        Ok(match &self.database_url {
            Some(url) => Box::new(PgStore::connect(url, workspace)?),
            None => Box::new(SqliteStore::open(&home.join("maestro.db"), workspace)?),
        })
    }

    /// The catalog of `workspace` (a checked name) for the store of
    /// `installation`, and where it lives: the workspace's collection of
    /// this deployment (see [`Backends::qdrant_prefix`]), or its file in
    /// `home` — moved aside and started afresh when damaged (it is derived:
    /// [`Platform::reconcile`] fills it again).
    pub(crate) fn catalog(
        &self,
        home: &Path,
        workspace: &str,
        installation: &str,
    ) -> Result<(Catalog, Location), PlatformError> {
        if let Some(config) = &self.qdrant {
            let deployment = match &self.qdrant_prefix {
                Some(prefix) => prefix.clone(),
                None => installation.chars().take(12).collect(),
            };
            let collection = QdrantIndex::collection_for(&deployment, workspace);
            let catalog = Catalog::qdrant(config, &collection, self.embedder()?)?;
            return Ok((catalog, Location::Shared(collection)));
        }
        let path = home.join(catalog_file(workspace));
        let catalog = match Catalog::open_with(&path, self.embedder()?) {
            Err(e) if e.is_damage() => {
                let aside = quarantine(&path)?;
                eprintln!(
                    "maestro: the catalog file {} was damaged ({e}); moved it to {} and rebuilding it from the store",
                    path.display(),
                    aside.display()
                );
                Catalog::open_with(&path, self.embedder()?)?
            }
            other => other?,
        };
        Ok((catalog, Location::File(path.display().to_string())))
    }
}

/// Moves a damaged catalog file (and its SQLite journals) aside, to
/// `NAME.damaged-SECONDS`; returns where it went.
fn quarantine(path: &Path) -> Result<PathBuf, PlatformError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let aside = PathBuf::from(format!("{}.damaged-{stamp}", path.display()));
    std::fs::rename(path, &aside).map_err(|e| {
        unusable(format!(
            "the catalog file {} is damaged and cannot be moved aside ({e}); delete it and run `maestro reindex`",
            path.display()
        ))
    })?;
    for journal in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{journal}", path.display()));
    }
    Ok(aside)
}

fn unusable(message: String) -> PlatformError {
    PlatformError::Store(StoreError::Unusable(message))
}

/// The catalog file of a workspace, `catalog-NAME.db`. Names are checked
/// ([`check_workspace_name`]), so they are safe in a file name. (The
/// `catalog.db` of earlier versions was shared by every workspace; it is
/// left alone and never read, so nothing indexed there can leak.)
fn catalog_file(workspace: &str) -> String {
    format!("catalog-{workspace}.db")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;

    #[test]
    fn urls_are_checked_and_the_key_stays_hidden() {
        let none = Backends::new(None, None, None).unwrap();
        assert_eq!(none, Backends::default());
        let qdrant = Backends::new(
            None,
            Some("https://qdrant.example:6334".into()),
            Some("s3cret".into()),
        )
        .unwrap();
        let config = qdrant.qdrant.as_ref().expect("a Qdrant config");
        assert_eq!(config.url, "https://qdrant.example:6334");
        assert_eq!(config.api_key.as_deref(), Some("s3cret"));
        assert!(!format!("{qdrant:?}").contains("s3cret"));
        for bad in ["qdrant.example:6334", "grpc://qdrant:6334", "ftp://x"] {
            let err = Backends::new(None, Some(bad.into()), None).unwrap_err();
            assert!(err.to_string().contains("MAESTRO_QDRANT_URL"), "{err}");
        }
        let err = Backends::new(Some("mysql://db".into()), None, None).unwrap_err();
        assert!(err.to_string().contains("postgres://"), "{err}");
    }

    #[test]
    fn a_qdrant_server_that_does_not_answer_is_named_with_what_to_check() {
        let home = tempfile::tempdir().unwrap();
        let backends = Backends::new(None, Some("http://127.0.0.1:9".into()), None).unwrap();
        let clock = Clock::parse("2026-11-26T10:00:00Z").unwrap();
        let err = Platform::connect(home.path(), "acme", clock, &backends)
            .err()
            .expect("nothing listens on port 9");
        let message = err.to_string();
        assert!(message.contains("http://127.0.0.1:9"), "{message}");
        assert!(message.contains("MAESTRO_QDRANT_URL"), "{message}");
    }
}
