//! A person's yes before a call that removes something or changes many
//! things at once. The human answers through the client: an elicitation
//! request (protocol versions up to 2025-11-25), or an input-required result
//! that the client retries with the answer (2026-07-28). The model cannot
//! approve by adding an argument: only the client's answer to our question
//! counts, and a retried answer must match a question this server asked.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ElicitRequest, ElicitRequestParams, ElicitationAction,
    ElicitationSchema, InputRequest, InputRequests, InputRequiredResult, ProtocolVersion,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};
use serde_json::Value;

use maestro_tools::YES_OR_NO;

use crate::Approval;

/// The key of the answer in elicitation forms and input responses.
const FIELD: &str = "approve";
/// How an approval given in an input-required round is recorded.
pub(crate) const ANSWERED_IN_ROUND: &str = "the human over MCP (input required)";
/// What a call says when the human did not approve it.
pub(crate) const NOT_APPROVED: &str = "You did not approve it; nothing was changed.";
/// How long a question asked through an input-required result stays open.
const OPEN_FOR: Duration = Duration::from_secs(15 * 60);

/// How the human answered (or could not).
pub(crate) enum Decision {
    /// Yes; the text says how, for the audit log.
    Yes(&'static str),
    /// No, or nobody could be asked: the text says so and what to do.
    No(String),
    /// The question went out in an input-required result (2026-07-28); the
    /// client retries the call with the answer.
    Asking(CallToolResponse),
}

/// A question asked through an input-required result, waiting for its retry.
struct Question {
    /// What was asked about (e.g. the call), to match against the retry.
    subject: String,
    asked: Instant,
}

/// The questions this server asked that wait for a retry with the answer.
#[derive(Default)]
pub(crate) struct Pending {
    questions: Mutex<HashMap<String, Question>>,
}

/// The human's answer carried by a retried call.
pub(crate) struct Answered {
    /// What the question was about.
    pub subject: String,
    /// Whether the answer is yes.
    pub yes: bool,
}

impl Pending {
    /// The answer a retried call carries (`requestState` and
    /// `inputResponses`), or `None` when it is a first call. An unknown or
    /// expired state is an error that says to call again.
    pub fn answered(&self, request: &CallToolRequestParams) -> Option<Result<Answered, String>> {
        let state = request.request_state.as_deref()?;
        let mut questions = self.questions.lock().unwrap_or_else(|e| e.into_inner());
        questions.retain(|_, q| q.asked.elapsed() < OPEN_FOR);
        let Some(question) = questions.remove(state) else {
            return Some(Err(
                "that approval is unknown or has expired; nothing was changed — call the tool again"
                    .into(),
            ));
        };
        let yes = request
            .input_responses
            .as_ref()
            .and_then(|responses| responses.get(FIELD))
            .is_some_and(is_yes);
        Some(Ok(Answered {
            subject: question.subject,
            yes,
        }))
    }

    fn remember(&self, subject: &str) -> String {
        let state = uuid::Uuid::new_v4().to_string();
        let question = Question {
            subject: subject.to_string(),
            asked: Instant::now(),
        };
        let mut questions = self.questions.lock().unwrap_or_else(|e| e.into_inner());
        // Questions nobody answered in time go, so the map never grows for good.
        questions.retain(|_, q| q.asked.elapsed() < OPEN_FOR);
        questions.insert(state.clone(), question);
        state
    }
}

/// Asks the human `question` about `subject` through the client, as the
/// protocol version allows; with [`Approval::Granted`] the answer is yes.
pub(crate) async fn ask_human(
    pending: &Pending,
    approval: Approval,
    question: &str,
    subject: &str,
    ctx: &RequestContext<RoleServer>,
) -> Result<Decision, ErrorData> {
    if approval == Approval::Granted {
        return Ok(Decision::Yes("`maestro mcp --yes` (no one was asked)"));
    }
    if !can_ask(ctx) {
        return Ok(Decision::No(format!(
            "{question} This needs a person's yes, and this MCP client cannot ask for one (it does not support elicitation). Nothing was changed: do it from `maestro chat` or the CLI, or start the server with `maestro mcp --yes` to let calls through without asking."
        )));
    }
    // The form has its own approve box: the chat's "answer yes or no" is left out.
    let message = question.trim_end_matches(YES_OR_NO).trim_end().to_string();
    let params = ElicitRequestParams::FormElicitationParams {
        meta: None,
        message,
        requested_schema: schema()?,
    };
    if ctx
        .protocol_version()
        .is_some_and(|v| v >= ProtocolVersion::V_2026_07_28)
    {
        let state = pending.remember(subject);
        let mut requests = InputRequests::new();
        requests.insert(
            FIELD.into(),
            InputRequest::Elicitation(ElicitRequest::new(params)),
        );
        return Ok(Decision::Asking(
            InputRequiredResult::new(Some(requests), Some(state)).into(),
        ));
    }
    let asking = ctx
        .peer
        .create_elicitation_with_timeout(params, Some(OPEN_FOR));
    let answer = tokio::select! {
        answer = asking => answer.map_err(|e| {
            ErrorData::internal_error(format!("could not ask for approval: {e}; nothing was changed"), None)
        })?,
        _ = ctx.ct.cancelled() => {
            return Ok(Decision::No("The call was cancelled; nothing was changed.".into()));
        }
    };
    let yes = answer.action == ElicitationAction::Accept
        && answer
            .content
            .as_ref()
            .and_then(|c| c.get(FIELD))
            .and_then(Value::as_bool)
            == Some(true);
    Ok(if yes {
        Decision::Yes("the human over MCP (elicitation)")
    } else {
        Decision::No(NOT_APPROVED.into())
    })
}

/// Whether the client can show a form to its human.
fn can_ask(ctx: &RequestContext<RoleServer>) -> bool {
    ctx.client_capabilities()
        .and_then(|c| c.elicitation)
        .is_some_and(|e| e.form.is_some() || e.url.is_none())
}

fn schema() -> Result<ElicitationSchema, ErrorData> {
    ElicitationSchema::builder()
        .required_bool(FIELD)
        .build()
        .map_err(|e| ErrorData::internal_error(e, None))
}

/// An input response that accepts with `approve: true`.
fn is_yes(response: &Value) -> bool {
    response.get("action").and_then(Value::as_str) == Some("accept")
        && response
            .get("content")
            .and_then(|c| c.get(FIELD))
            .and_then(Value::as_bool)
            == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_an_accepted_true_is_yes() {
        assert!(is_yes(
            &json!({"action": "accept", "content": {"approve": true}})
        ));
        assert!(!is_yes(
            &json!({"action": "accept", "content": {"approve": false}})
        ));
        assert!(!is_yes(&json!({"action": "decline"})));
        assert!(!is_yes(
            &json!({"action": "accept", "content": {"approve": "yes"}})
        ));
    }

    #[test]
    fn a_retry_must_carry_a_state_this_server_gave() {
        let pending = Pending::default();
        let state = pending.remember("delete_task {\"id\":3}");
        let retry = CallToolRequestParams::new("delete_task")
            .with_request_state(state.clone())
            .with_input_responses(
                [(
                    FIELD.to_string(),
                    json!({"action": "accept", "content": {"approve": true}}),
                )]
                .into(),
            );
        let answered = pending.answered(&retry).unwrap().unwrap();
        assert!(answered.yes);
        assert_eq!(answered.subject, "delete_task {\"id\":3}");
        // Used once: the same state again is refused.
        assert!(pending.answered(&retry).unwrap().is_err());
        let forged = CallToolRequestParams::new("delete_task").with_request_state("made-up");
        assert!(pending.answered(&forged).unwrap().is_err());
        assert!(pending.answered(&CallToolRequestParams::new("x")).is_none());
    }
}
