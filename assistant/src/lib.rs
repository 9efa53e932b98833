//! Maestro's assistant: one [`Assistant`] turns a request into tool calls,
//! runs them and streams [`Event`]s to whichever front end asked.
//!
//! ```
//! use maestro_assistant::{Assistant, Event, LocalPlanner, TurnOptions};
//! use maestro_tools::{Clock, Platform};
//! let platform = Platform::in_memory(Clock::System).unwrap();
//! let planner = LocalPlanner::new(platform.registry()).unwrap();
//! let assistant = Assistant::new(platform, Box::new(planner));
//! let events: Vec<Event> = assistant.turn("s1", "add Frank Moore to the team", TurnOptions::default()).collect();
//! assert!(events.iter().any(|e| matches!(e, Event::Reply { text } if text.contains("Frank Moore"))));
//! ```

#![deny(missing_docs)]

mod assistant;
pub mod eval;
pub mod llm;
pub mod local;
pub mod nlu;
mod plan;

pub use assistant::{
    Action, Answer, Assistant, Event, MAX_REQUEST_CHARS, Status, Turn, TurnOptions,
};
pub use llm::{LlmConfig, LlmPlanner, UsageReport};
pub use local::LocalPlanner;
pub use plan::{Call, Exchange, Focus, Gap, Outcome, Plan, Planner, Request, Steps, run_in_order};
