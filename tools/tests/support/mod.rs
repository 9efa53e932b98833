//! The store backends the behavioural suites run against.
//!
//! PostgreSQL comes from `MAESTRO_TEST_DATABASE_URL`; see
//! [`maestro_tools::store::test_database_url`] for when its tests skip.

use maestro_tools::Store;
use maestro_tools::store::{Directory, PgDirectory, PgStore, SqliteDirectory, SqliteStore};

/// Where the stores of one test live.
pub enum Backend {
    /// One SQLite file in a temporary directory.
    Sqlite(tempfile::TempDir),
    /// A PostgreSQL database; workspaces are made unique to this test run.
    Postgres {
        /// The server.
        url: String,
        /// Starts the names of this test's workspaces.
        prefix: String,
        /// Ends the names of this test's workspaces and Slack teams in the
        /// directory (short: names have at most 64 characters).
        tag: String,
    },
}

impl Backend {
    /// A fresh SQLite file.
    pub fn sqlite() -> Self {
        Backend::Sqlite(tempfile::tempdir().expect("a temporary directory"))
    }

    /// The test PostgreSQL server, or `None` (with a message) when it is not
    /// configured and not required.
    pub fn postgres(test: &str) -> Option<Self> {
        let url = maestro_tools::store::test_database_url(test)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        Some(Backend::Postgres {
            url,
            prefix: format!("{test}-{}-{nanos}", std::process::id()),
            tag: format!("{:x}", nanos ^ u128::from(std::process::id()) << 64),
        })
    }

    /// The store of `workspace` in this backend.
    pub fn store(&self, workspace: &str) -> Box<dyn Store> {
        match self {
            Backend::Sqlite(dir) => Box::new(
                SqliteStore::open(&dir.path().join("maestro.db"), workspace).expect("SQLite opens"),
            ),
            Backend::Postgres { url, prefix, .. } => Box::new(
                PgStore::connect(url, &format!("{prefix}-{workspace}"))
                    .expect("PostgreSQL connects"),
            ),
        }
    }

    /// The directory of this backend.
    pub fn directory(&self) -> Box<dyn Directory> {
        match self {
            Backend::Sqlite(dir) => Box::new(
                SqliteDirectory::open(&dir.path().join("maestro.db")).expect("SQLite opens"),
            ),
            Backend::Postgres { url, .. } => {
                Box::new(PgDirectory::connect(url).expect("PostgreSQL connects"))
            }
        }
    }

    /// `name` made unique to this test where the database is shared.
    pub fn name(&self, name: &str) -> String {
        match self {
            Backend::Sqlite(_) => name.to_string(),
            Backend::Postgres { tag, .. } => format!("{name}_{tag}"),
        }
    }
}

/// Runs each behaviour (a `fn(&Backend)`) as one test per backend:
/// `sqlite::NAME` and `postgres::NAME`.
#[macro_export]
macro_rules! on_every_backend {
    ($($behaviour:ident),+ $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $behaviour() {
                super::$behaviour(&$crate::support::Backend::sqlite());
            })+
        }
        mod postgres {
            $(#[test]
            fn $behaviour() {
                if let Some(backend) = $crate::support::Backend::postgres(stringify!($behaviour)) {
                    super::$behaviour(&backend);
                }
            })+
        }
    };
}
