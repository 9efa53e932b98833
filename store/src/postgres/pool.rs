//! A small connection pool for the PostgreSQL store, used on the store's own
//! runtime ([`Bridge`](maestro_blocking::Bridge)).

use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio_postgres::{Client, Config, NoTls};

use crate::StoreError;

/// Connections a store opens at most.
const MAX_CONNECTIONS: usize = 8;

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
