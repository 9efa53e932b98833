//! What can go wrong in the ML layer. Every message names the problem and a fix.

/// An ML failure a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum MlError {
    /// The data cannot be used as given (empty, ragged, not UTF-8, missing column…).
    #[error("{0}")]
    Data(String),
    /// The request does not fit the data (a target with one class, text as a regression target…).
    #[error("{0}")]
    Request(String),
    /// A learner failed to fit.
    #[error("{family} could not be trained: {message}")]
    Fit {
        /// The learner family.
        family: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The work was cancelled before anything usable was produced.
    #[error("stopped before any model was trained")]
    Cancelled,
}

/// Shorthand for ML results.
pub type Result<T, E = MlError> = std::result::Result<T, E>;
