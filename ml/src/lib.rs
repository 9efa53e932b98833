//! Maestro's machine learning, free of storage and tools: CSV [`Frame`]s and
//! column profiles, preprocessing learnt on training folds, learner families
//! (linfa and forust-ml), AutoML with cross-validation inside a time budget,
//! explanations and bias checks.

#![deny(missing_docs)]

pub mod automl;
pub mod bias;
pub mod column;
pub mod error;
pub mod explain;
pub mod features;
pub mod frame;
pub mod learner;
pub mod metrics;
pub mod pipeline;
pub mod prep;
pub mod profile;
mod rng;
pub mod target;

pub use bias::{BiasReport, GroupStats};
pub use column::Column;
pub use error::{MlError, Result};
pub use explain::{Contribution, Contributions, Importance, PartialDependence, PdPoint};
pub use features::{Discovery, FeatureScore, discover};
pub use frame::Frame;
pub use learner::{Fitted, Labels, Output, Params, Task};
pub use metrics::Metric;
pub use pipeline::{Candidate, Pipeline, Prediction};
pub use profile::{ColumnProfile, Kind};
pub use target::Target;
