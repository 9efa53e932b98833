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

/// What a conversation is about: the tasks, dataset and model it last
/// created, touched or listed, and the last change, so that "it", "the
/// first one", "that dataset" and "no, Friday" mean something.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Focus {
    /// Task numbers, in the order they were last listed (or created together).
    #[serde(default)]
    pub tasks: Vec<i64>,
    /// The task last created or changed.
    #[serde(default)]
    pub task: Option<i64>,
    /// The last call that ran.
    #[serde(default)]
    pub previous: Option<Call>,
    /// Whether a task was already created or changed in this turn.
    #[serde(skip)]
    pub touched_this_turn: bool,
    /// The dataset last named.
    #[serde(default)]
    pub dataset: Option<String>,
    /// The target column last named with it.
    #[serde(default)]
    pub target: Option<String>,
    /// The model last named.
    #[serde(default)]
    pub model: Option<String>,
    /// The last call that changed something.
    #[serde(default)]
    pub last: Option<Call>,
    /// The recurring task last created, changed or named.
    #[serde(default)]
    pub recurring: Option<i64>,
    /// The reminder last set or named.
    #[serde(default)]
    pub reminder: Option<i64>,
}

impl Focus {
    /// Updates the focus after `call` ran and gave `data`.
    pub fn after(&mut self, call: &Call, data: &Value) {
        let arg = |k: &str| {
            call.arguments
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let family = Family::of(&call.tool);
        match data {
            // A recurring task or a reminder is not a task: "cancel it" after
            // setting one means it.
            _ if family != Family::Task => {
                let id = data["id"]
                    .as_i64()
                    .or_else(|| call.arguments.get("id").and_then(Value::as_i64));
                match family {
                    Family::Recurring => self.recurring = id.or(self.recurring),
                    _ => self.reminder = id.or(self.reminder),
                }
            }
            Value::Array(items) if call.tool == "list_tasks" => {
                self.tasks = items.iter().filter_map(|t| t["id"].as_i64()).collect();
                self.task = match self.tasks.as_slice() {
                    [only] => Some(*only),
                    _ => None,
                };
            }
            Value::Object(o) if o.contains_key("id") && o.contains_key("title") => {
                if let Some(id) = o["id"].as_i64() {
                    // A task of the list stays in it; tasks made in one turn go together.
                    if self.touched_this_turn && !self.tasks.contains(&id) {
                        self.tasks.push(id);
                    } else if !self.tasks.contains(&id) {
                        self.tasks = vec![id];
                    }
                    self.task = Some(id);
                    self.touched_this_turn = true;
                }
            }
            // A question about one task ("who should take the privacy page?")
            // puts it in focus too: "ok give it to erin".
            _ => {
                if let Some(id) = call.arguments.get("id").and_then(Value::as_i64) {
                    self.tasks = vec![id];
                    self.task = Some(id);
                }
            }
        }
        self.previous = Some(call.clone());
        if let Some(d) =
            arg("dataset").or_else(|| arg("name").filter(|_| call.tool == "register_dataset"))
        {
            self.dataset = Some(d);
            self.target = arg("target");
        }
        if let Some(m) = arg("model") {
            self.model = Some(m);
        }
        if call.tool.starts_with("create_")
            || call.tool.starts_with("update_")
            || call.tool == "assign_task"
        {
            self.last = Some(call.clone());
        }
    }
}

/// What kind of thing a tool's `id` numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A task (and anything else: the default).
    Task,
    /// A recurring task.
    Recurring,
    /// A reminder.
    Reminder,
}

impl Family {
    /// The family of tool `name`'s `id`.
    pub fn of(name: &str) -> Self {
        if name.contains("recurring") {
            Self::Recurring
        } else if name.contains("reminder") {
            Self::Reminder
        } else {
            Self::Task
        }
    }

    /// The one of this family in `focus`, when it is not a task.
    pub fn in_focus(self, focus: &Focus) -> Option<i64> {
        match self {
            Self::Task => None,
            Self::Recurring => focus.recurring,
            Self::Reminder => focus.reminder,
        }
    }
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
    /// What the conversation is about.
    pub focus: &'a Focus,
}

/// How one step of a turn ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The tool ran.
    Ran {
        /// Its data.
        data: Value,
        /// Its one-line summary.
        summary: String,
    },
    /// The tool failed (nothing changed); the message says why.
    Failed(String),
    /// The call waits for the user (a missing argument or a confirmation);
    /// the question was asked and the turn ends here.
    Waiting,
    /// The turn was interrupted before the call ran.
    Interrupted,
}

/// One earlier exchange of a conversation (what a language model remembers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// What the user said.
    pub user: String,
    /// What Maestro answered.
    pub reply: String,
    /// The tools that ran.
    #[serde(default)]
    pub tools: Vec<String>,
}

/// What a planner may do during a turn. The assistant implements it: it
/// validates nothing itself but runs calls with the same rules for every
/// planner (gaps become questions, destructive tools wait for a yes, events
/// reach the front end).
pub trait Steps {
    /// Runs one call; `then` are the calls that follow it in the plan (kept
    /// with it if it has to wait for a yes).
    fn run(&mut self, call: &Call, then: &[Call]) -> Outcome;
    /// Runs several calls of one step; read-only ones run concurrently.
    fn run_together(&mut self, calls: &[Call]) -> Vec<Outcome>;
    /// Holds `calls` until the user says yes to `question` (then they run in
    /// order); always [`Outcome::Waiting`].
    fn ask_first(&mut self, calls: &[Call], question: &str) -> Outcome;
    /// Says something to the user (a whole reply).
    fn say(&mut self, text: &str);
    /// Reports that the turn could not go on (an interrupt, a broken model).
    fn error(&mut self, message: &str);
    /// Shows part of a reply as it arrives; the whole reply follows with `say`.
    fn stream(&mut self, delta: &str);
    /// Whether the user interrupted the turn.
    fn cancelled(&self) -> bool;
    /// The conversation's identifier.
    fn session(&self) -> &str;
    /// The conversation so far, oldest first.
    fn memory(&self) -> &[Exchange];
}

/// Turns requests into tool calls.
pub trait Planner: Send + Sync {
    /// Plans one request.
    fn plan(&self, request: &Request<'_>) -> Plan;

    /// Which planner this is, for settings screens (`local`, or the model and endpoint).
    fn describe(&self) -> String {
        "local".into()
    }

    /// Runs one whole turn through `steps`. By default: plan once, then run the
    /// calls in order, stopping at the first that fails or waits.
    fn drive(&self, request: &Request<'_>, steps: &mut dyn Steps) {
        let plan = self.plan(request);
        if let Some(reply) = &plan.reply {
            steps.say(reply);
        }
        run_in_order(&plan.calls, steps);
    }
}

/// A shared planner plans as the planner it holds (one trained planner for
/// many assistants, as `maestro eval` makes one per session).
impl<P: Planner + ?Sized> Planner for std::sync::Arc<P> {
    fn plan(&self, request: &Request<'_>) -> Plan {
        (**self).plan(request)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }

    fn drive(&self, request: &Request<'_>, steps: &mut dyn Steps) {
        (**self).drive(request, steps)
    }
}

/// Runs calls in order, saying each result, and stops at the first that
/// fails, waits or is interrupted (saying what did not run).
pub fn run_in_order(calls: &[Call], steps: &mut dyn Steps) {
    for (i, call) in calls.iter().enumerate() {
        let rest = calls.len() - i - 1;
        match steps.run(call, &calls[i + 1..]) {
            Outcome::Ran { summary, .. } => steps.say(&summary),
            Outcome::Failed(message) => {
                let skipped = if rest > 0 {
                    format!(" (I stopped there; {rest} more step(s) did not run.)")
                } else {
                    String::new()
                };
                steps.say(&format!("{message}{skipped}"));
                return;
            }
            Outcome::Waiting => return,
            Outcome::Interrupted => {
                steps.error(&format!(
                    "Interrupted: {} step(s) from {} on did not run.",
                    rest + 1,
                    call.tool
                ));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_question_about_one_task_puts_it_in_focus() {
        let mut focus = Focus::default();
        let ask = |id: i64| {
            let mut arguments = Map::new();
            arguments.insert("id".into(), json!(id));
            Call::new("recommend_assignee", arguments)
        };
        focus.after(&ask(8), &json!([{"name": "Erin Walsh", "score": 0.9}]));
        assert_eq!((focus.task, focus.tasks.clone()), (Some(8), vec![8]));
        // A list still replaces it.
        let list = Call::new("list_tasks", Map::new());
        focus.after(&list, &json!([{"id": 1}, {"id": 3}]));
        assert_eq!((focus.task, focus.tasks), (None, vec![1, 3]));
    }

    #[test]
    fn recurring_tasks_and_reminders_have_a_focus_of_their_own() {
        let mut focus = Focus::default();
        let task = Call::new("create_task", Map::new());
        focus.after(&task, &json!({"id": 4, "title": "fix the login bug"}));
        let rule = Call::new("create_recurring_task", Map::new());
        focus.after(&rule, &json!({"id": 2, "title": "send the report"}));
        let reminder = Call::new("create_reminder", Map::new());
        focus.after(&reminder, &json!({"id": 7, "text": "call the broker"}));
        assert_eq!(
            (focus.task, focus.recurring, focus.reminder),
            (Some(4), Some(2), Some(7)),
            "the recurring task is not taken for task 2"
        );
        assert_eq!(Family::of("cancel_reminder").in_focus(&focus), Some(7));
        assert_eq!(Family::of("update_recurring").in_focus(&focus), Some(2));
        assert_eq!(Family::of("complete_task").in_focus(&focus), None);
    }
}
