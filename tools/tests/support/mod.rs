//! The store backends the behavioural suites run against.
//!
//! PostgreSQL comes from `MAESTRO_TEST_DATABASE_URL` (`scripts/postgres.sh`
//! starts a throwaway server and sets it). When the variable is missing, the
//! PostgreSQL tests fail if `MAESTRO_REQUIRE_POSTGRES` is set (the test
//! command sets it) and otherwise say that they were skipped.

use std::io::Write;

use maestro_tools::Store;
use maestro_tools::store::{PgStore, SqliteStore};

/// Where the stores of one test live.
pub enum Backend {
    /// One SQLite file in a temporary directory.
    Sqlite(tempfile::TempDir),
    /// A PostgreSQL database; workspaces are made unique to this test run.
    Postgres { url: String, prefix: String },
}

impl Backend {
    /// A fresh SQLite file.
    pub fn sqlite() -> Self {
        Backend::Sqlite(tempfile::tempdir().expect("a temporary directory"))
    }

    /// The test PostgreSQL server, or `None` (with a message) when it is not
    /// configured and not required.
    pub fn postgres(test: &str) -> Option<Self> {
        match std::env::var("MAESTRO_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos();
                Some(Backend::Postgres {
                    url,
                    prefix: format!("{test}-{}-{nanos}", std::process::id()),
                })
            }
            _ if std::env::var_os("MAESTRO_REQUIRE_POSTGRES").is_some() => panic!(
                "MAESTRO_REQUIRE_POSTGRES is set but MAESTRO_TEST_DATABASE_URL is not: run the tests through scripts/postgres.sh"
            ),
            _ => {
                // Straight to stderr: the test harness captures `eprintln!`.
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED {test} on PostgreSQL: MAESTRO_TEST_DATABASE_URL is not set (scripts/postgres.sh cargo test … runs it)"
                );
                None
            }
        }
    }

    /// The store of `workspace` in this backend.
    pub fn store(&self, workspace: &str) -> Box<dyn Store> {
        match self {
            Backend::Sqlite(dir) => Box::new(
                SqliteStore::open(&dir.path().join("maestro.db"), workspace).expect("SQLite opens"),
            ),
            Backend::Postgres { url, prefix } => Box::new(
                PgStore::connect(url, &format!("{prefix}-{workspace}"))
                    .expect("PostgreSQL connects"),
            ),
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
