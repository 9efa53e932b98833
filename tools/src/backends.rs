//! Which engines hold the platform's state: the embedded defaults (a SQLite
//! file and an index file in the home directory), PostgreSQL named by
//! `MAESTRO_DATABASE_URL`, and a Qdrant catalog named by `MAESTRO_QDRANT_URL`
//! (with `MAESTRO_QDRANT_API_KEY` when the server wants one). Chosen here,
//! once, for every front end.

use std::path::Path;

use maestro_catalog::{Catalog, QdrantConfig};

use crate::clock::Clock;
use crate::platform::{Platform, PlatformError};
use crate::store::{
    Directory, PgDirectory, PgStore, SqliteDirectory, SqliteStore, Store, StoreError,
    check_workspace_name,
};

/// Where the store and the catalog live.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backends {
    /// `postgres://…`: PostgreSQL instead of the embedded SQLite file.
    pub database_url: Option<String>,
    /// A Qdrant server instead of the embedded catalog files.
    pub qdrant: Option<QdrantConfig>,
}

impl Backends {
    /// From the environment (`MAESTRO_DATABASE_URL`, `MAESTRO_QDRANT_URL`,
    /// `MAESTRO_QDRANT_API_KEY`); unset or empty variables keep the embedded defaults.
    pub fn from_env() -> Result<Self, PlatformError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self::new(
            var("MAESTRO_DATABASE_URL"),
            var("MAESTRO_QDRANT_URL"),
            var("MAESTRO_QDRANT_API_KEY"),
        )
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

    /// The catalog of `workspace` (a checked name), and whether it is new
    /// and must be filled from the store: a Qdrant collection holding
    /// nothing, or a catalog file that did not exist.
    pub(crate) fn catalog(
        &self,
        home: &Path,
        workspace: &str,
    ) -> Result<(Catalog, bool), PlatformError> {
        if let Some(config) = &self.qdrant {
            let catalog = Catalog::qdrant(config, workspace)?;
            let fresh = catalog.is_empty()?;
            return Ok((catalog, fresh));
        }
        let path = home.join(catalog_file(workspace));
        let fresh = !path.exists();
        Ok((Catalog::open(&path)?, fresh))
    }
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

impl Platform {
    /// Opens the platform for `workspace` on the chosen backends; with none
    /// chosen, exactly [`Platform::open`].
    pub fn connect(
        home: &Path,
        workspace: &str,
        clock: Clock,
        backends: &Backends,
    ) -> Result<Self, PlatformError> {
        if *backends == Backends::default() {
            return Self::open(home, workspace, clock);
        }
        Self::prepare_home(home)?;
        check_workspace_name(workspace)?;
        let store = backends.store(home, workspace)?;
        Self::with_store(home, workspace, store, clock, backends)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
