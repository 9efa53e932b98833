//! Maestro's machine learning, free of storage and tools: CSV [`Frame`]s and
//! column profiles, preprocessing learnt on training folds, learner families
//! (linfa and forust-ml), AutoML with cross-validation inside a time budget,
//! explanations and bias checks.

pub mod error;
pub mod frame;
pub mod learner;
pub mod profile;

pub use error::{MlError, Result};
pub use frame::Frame;
pub use learner::{Fitted, Labels, Output, Params, Task};
