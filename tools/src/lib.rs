//! Maestro's platform: the state (a [`Store`]), the [`Tool`] framework and the
//! tools themselves. Every tool is one implementation reachable three ways:
//! plain language (through the assistant), the CLI and the REST API.
//!
//! ```
//! use maestro_tools::{Clock, Platform};
//! use serde_json::json;
//! let platform = Platform::in_memory(Clock::fixed("2026-11-26T10:00:00Z".parse().unwrap())).unwrap();
//! let out = platform.call(None, "add_person", json!({"name": "Bob Smith"})).unwrap();
//! assert_eq!(out.data["name"], "Bob Smith");
//! ```

mod backends;
pub mod chart;
mod clock;
pub mod import;
pub mod insight;
mod mirror;
pub mod ml;
mod model;
mod platform;
mod queries;
mod reindex;
pub mod settings;
pub mod store;
mod tool;
pub mod work;

pub use backends::Backends;
pub use clock::{Clock, ClockError};
pub use model::{
    NewPerson, NewTask, Person, Priority, Status, StatusFilter, Task, TaskFilter, TaskPatch,
};
pub use platform::{FileAccess, Platform, PlatformError};
pub use queries::{Project, Query};
pub use reindex::Reindexed;
pub use store::{AssetStore, AuditRecord, Store, StoreError, UsageRecord};
pub use tool::{
    Context, Display, Effect, Hooks, Registry, Table, Tool, ToolError, ToolInfo, ToolOutput,
    TypedTool, parse_args,
};
