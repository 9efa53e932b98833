//! Which engines hold the platform's state: the embedded defaults (a SQLite
//! file and an index file in the home directory) or PostgreSQL, named by
//! `MAESTRO_DATABASE_URL`. Chosen here, once, for every front end.

use std::path::Path;

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
}

impl Backends {
    /// From the environment (`MAESTRO_DATABASE_URL`); unset or empty variables
    /// keep the embedded defaults. `MAESTRO_QDRANT_URL` is refused rather
    /// than ignored: this build has no Qdrant catalog yet.
    pub fn from_env() -> Result<Self, PlatformError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if var("MAESTRO_QDRANT_URL").is_some() {
            return Err(PlatformError::Store(StoreError::Unusable(
                "MAESTRO_QDRANT_URL is set, but this maestro has no Qdrant catalog yet; unset it to use the embedded index".into(),
            )));
        }
        Self::new(var("MAESTRO_DATABASE_URL"))
    }

    /// Checks the URLs' schemes.
    pub fn new(database_url: Option<String>) -> Result<Self, PlatformError> {
        if let Some(url) = &database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(PlatformError::Store(StoreError::Unusable(format!(
                "MAESTRO_DATABASE_URL must be a postgres:// URL (got {:?}); unset it to use the embedded SQLite file",
                url.split("://").next().unwrap_or_default()
            ))));
        }
        Ok(Self { database_url })
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
        Self::with_store(home, workspace, store, clock)
    }
}
