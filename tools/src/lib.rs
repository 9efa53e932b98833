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

#![deny(missing_docs)]

pub mod autopilot;
pub mod chart;
mod clock;
pub mod import;
pub mod ml;
mod platform;
mod tool;
pub mod work;

/// Every tool of the platform: the work tools, the autopilot's, and the
/// data and model tools.
pub fn every_tool() -> Registry {
    work::tools().with(autopilot::tools()).with(ml::tools())
}

pub use clock::{Clock, ClockError};
pub use maestro_insight as insight;
pub use maestro_store as store;
pub use maestro_store::{
    NewPerson, NewTask, Person, Priority, Status, StatusFilter, Task, TaskFilter, TaskPatch,
};
pub use platform::settings;
pub use platform::{
    Backends, Change, FileAccess, Platform, PlatformError, Project, Query, Reindexed, Watcher,
};
pub use store::{AssetStore, AuditRecord, Store, StoreError, UsageRecord};
pub use tool::{
    Context, Display, Effect, Hooks, Registry, Table, Tool, ToolError, ToolInfo, ToolOutput,
    TypedTool, YES_OR_NO, parse_args, schema_of,
};
