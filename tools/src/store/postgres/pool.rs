//! The bridge between the synchronous [`Store`](crate::Store) and the
//! asynchronous PostgreSQL client: a runtime owned by the store and a small
//! connection pool on it.

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::runtime::Runtime;
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio_postgres::{Client, Config, NoTls};

use crate::store::StoreError;

/// Connections a store opens at most.
const MAX_CONNECTIONS: usize = 8;

/// A runtime of our own: callers may be on a tokio thread themselves (the
/// kernel, a server's blocking pool), where `block_on` would panic. Each call
/// is spawned here and its result waited for on a plain channel.
pub(super) struct Bridge {
    runtime: Option<Runtime>,
}

impl Bridge {
    pub(super) fn new() -> Result<Self, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("maestro-postgres")
            .enable_all()
            .build()
            .map_err(|e| {
                StoreError::Unusable(format!("cannot start the PostgreSQL client: {e}"))
            })?;
        Ok(Self {
            runtime: Some(runtime),
        })
    }

    /// Runs `work` on the store's runtime and waits for its result.
    pub(super) fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (done, result) = std::sync::mpsc::sync_channel(1);
        let runtime = self
            .runtime
            .as_ref()
            .expect("the runtime lives as long as the store");
        runtime.spawn(async move {
            let _ = done.send(work.await);
        });
        result.recv().map_err(|_| {
            StoreError::Unusable("the PostgreSQL client stopped in the middle of a call".into())
        })?
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics on a runtime thread; this does not.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Up to [`MAX_CONNECTIONS`] connections, opened on demand and reused.
pub(super) struct Pool {
    config: Config,
    /// Where the server is (no password), for messages.
    pub(super) place: String,
    idle: Mutex<Vec<Client>>,
    permits: Semaphore,
}

/// A connection taken from the pool; it goes back when dropped (unless broken).
pub(super) struct Conn<'a> {
    client: Option<Client>,
    pool: &'a Pool,
    _permit: SemaphorePermit<'a>,
}

impl Pool {
    pub(super) fn new(url: &str) -> Result<Arc<Self>, StoreError> {
        let config: Config = url.parse().map_err(|e| {
            StoreError::Unusable(format!(
                "MAESTRO_DATABASE_URL is not a valid PostgreSQL URL ({e}); write it as postgres://user:password@host:5432/database"
            ))
        })?;
        let hosts: Vec<String> = config
            .get_hosts()
            .iter()
            .map(|h| match h {
                tokio_postgres::config::Host::Tcp(name) => name.clone(),
                tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        let place = format!(
            "{}:{} database {}",
            hosts.join(","),
            config.get_ports().first().copied().unwrap_or(5432),
            config.get_dbname().unwrap_or("(default)")
        );
        Ok(Arc::new(Self {
            config,
            place,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(MAX_CONNECTIONS),
        }))
    }

    /// A connection: an idle one, or a new one when none is idle.
    pub(super) async fn get(&self) -> Result<Conn<'_>, StoreError> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Unusable("the connection pool is closed".into()))?;
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let client = match idle {
            Some(client) if !client.is_closed() => client,
            _ => self.connect().await?,
        };
        Ok(Conn {
            client: Some(client),
            pool: self,
            _permit: permit,
        })
    }

    async fn connect(&self) -> Result<Client, StoreError> {
        let (client, connection) = self.config.connect(NoTls).await.map_err(|e| {
            StoreError::Unusable(format!(
                "cannot connect to PostgreSQL at {}: {e}; check that the server runs and MAESTRO_DATABASE_URL (user, password, database)",
                self.place
            ))
        })?;
        tokio::spawn(async move {
            // Ends when the client is dropped or the server goes away; the
            // client then reports itself closed and is not reused.
            let _ = connection.await;
        });
        Ok(client)
    }
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("present until dropped")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until dropped")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take()
            && !client.is_closed()
        {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(client);
        }
    }
}
