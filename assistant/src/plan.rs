//! What a planner produces: tool calls, each complete or waiting for input.

use chrono::{DateTime, Utc};
use maestro_tools::Platform;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A tool call a planner proposes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// The tool's name.
    pub tool: String,
    /// Its arguments, as far as they are known.
    pub arguments: Map<String, Value>,
    /// What is still missing; a call with a gap is not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<Gap>,
}

/// A required argument the request did not give (or gave wrongly).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// The argument.
    pub field: String,
    /// The question to ask.
    pub question: String,
}

impl Call {
    /// A call with these arguments and no gap.
    pub fn new(tool: &str, arguments: Map<String, Value>) -> Self {
        Self {
            tool: tool.to_string(),
            arguments,
            gap: None,
        }
    }
}

/// A plan for one turn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Calls in order; empty when the request asks for no action.
    pub calls: Vec<Call>,
    /// What to say when there is nothing to run.
    pub reply: Option<String>,
}

/// What a planner sees of one request.
pub struct Request<'a> {
    /// The user's text.
    pub text: &'a str,
    /// The platform (people, projects, tasks, catalog).
    pub platform: &'a Platform,
    /// Who is speaking (a person's name), if known.
    pub actor: Option<&'a str>,
    /// "Now".
    pub now: DateTime<Utc>,
    /// A call waiting for one argument, which this text may give.
    pub waiting: Option<&'a Call>,
}

/// Turns requests into tool calls.
pub trait Planner: Send + Sync {
    /// Plans one request.
    fn plan(&self, request: &Request<'_>) -> Plan;
}
