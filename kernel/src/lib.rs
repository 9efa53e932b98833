//! Maestro's Jupyter kernel: each cell is a request in plain words (or a
//! magic), answered by the [`maestro_assistant::Assistant`] with streams,
//! Markdown, tables and JSON. Protocol 5.3 over ZeroMQ through
//! `jupyter-zmq-client`; messages are signed and checked with HMAC-SHA256.
//!
//! Entry points: [`run`] serves a connection file (what Jupyter launches),
//! [`install`] writes the kernelspec.

#![deny(missing_docs)]

mod complete;
mod config;
mod execute;
mod history;
mod iopub;
mod kernel;
mod kernelspec;
mod magics;
mod outputs;
mod server;
mod wire;

use std::path::PathBuf;

pub use kernelspec::{Location, install};
pub use magics::MAGICS;
pub use server::{Loader, run};

/// Why the kernel could not start or be installed.
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
    /// The connection file is missing or unreadable.
    #[error("cannot use connection file {0}: {1}")]
    ConnectionFile(PathBuf, String),
    /// A socket could not be bound.
    #[error("cannot open the kernel's sockets: {0} (is another kernel using these ports?)")]
    Socket(#[from] jupyter_zmq_client::RuntimeError),
    /// The async runtime did not start.
    #[error("cannot start the kernel's runtime: {0}")]
    Runtime(std::io::Error),
    /// The kernelspec could not be written.
    #[error("cannot write {0}: {1}")]
    Install(PathBuf, String),
    /// No home directory and no `JUPYTER_DATA_DIR`.
    #[error("cannot find Jupyter's data directory; set JUPYTER_DATA_DIR or use --prefix DIR")]
    NoDataDir,
    /// `--sys-prefix` without an active Python environment.
    #[error(
        "cannot find the Python environment for --sys-prefix (no VIRTUAL_ENV, CONDA_PREFIX or python3); use --prefix DIR"
    )]
    NoSysPrefix,
}
