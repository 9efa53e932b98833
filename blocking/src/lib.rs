//! Synchronous calls into asynchronous clients: a tokio runtime owned by the
//! caller, each call spawned on it and waited for on a plain channel.
//!
//! Callers may be on a tokio thread themselves (the kernel, a server's
//! blocking pool), where `block_on` would panic; a spawn and a channel work
//! from any thread. Used by the Qdrant index (`maestro-catalog`) and by the
//! PostgreSQL store (`maestro-store`).
//!
//! ```
//! let bridge = maestro_blocking::Bridge::new("maestro-doc").unwrap();
//! assert_eq!(bridge.run(async { 40 + 2 }).unwrap(), 42);
//! ```

#![deny(missing_docs)]

use std::future::Future;

use tokio::runtime::Runtime;

/// The runtime stopped before a call finished (it panicked or is shutting down).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the background client stopped in the middle of a call")]
pub struct Stopped;

/// A small multi-threaded runtime of its own; shut down in the background
/// when dropped, so dropping it on a runtime thread does not panic.
pub struct Bridge {
    runtime: Option<Runtime>,
}

impl Bridge {
    /// A runtime of two worker threads named `name`.
    pub fn new(name: &str) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(name)
            .enable_all()
            .build()?;
        Ok(Self {
            runtime: Some(runtime),
        })
    }

    /// Runs `work` on the runtime and waits for its output.
    pub fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, Stopped> {
        let runtime = self.runtime.as_ref().ok_or(Stopped)?;
        let (done, result) = std::sync::mpsc::sync_channel(1);
        runtime.spawn(async move {
            let _ = done.send(work.await);
        });
        result.recv().map_err(|_| Stopped)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn works_from_inside_another_runtime_and_reports_a_panicking_call() {
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bridge = Bridge::new("maestro-test").unwrap();
        let answer = outer.block_on(async { bridge.run(async { 7 * 6 }) });
        assert_eq!(answer, Ok(42));
        let crashed = bridge.run(async {
            if true {
                panic!("the call fails");
            }
        });
        assert_eq!(crashed, Err(Stopped));
        drop(bridge);
    }
}
