//! The chat-completions client on `async-openai`: streaming, retries with
//! backoff and jitter, timeouts, and errors that say what to do.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use async_openai::Client;
use async_openai::config::{AzureConfig, Config, OpenAIConfig};
use async_openai::error::OpenAIError;
use async_openai::middleware::{HttpRequestFactory, ReqwestService};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::Value;

use super::config::LlmConfig;

/// Why a request to the model failed.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// Nothing answered at the address.
    #[error("the language model at {url} cannot be reached ({reason})")]
    Unreachable {
        /// The base URL.
        url: String,
        /// What the connection said.
        reason: String,
    },
    /// The endpoint refused the request (bad key, unknown model, wrong URL).
    #[error("the language model at {url} refused the request: {reason}")]
    Refused {
        /// The base URL.
        url: String,
        /// The endpoint's message (HTTP status and text).
        reason: String,
    },
    /// Too many requests or server errors, after every retry.
    #[error("the language model at {url} is busy or failing ({reason}) after {retries} retries")]
    Busy {
        /// The base URL.
        url: String,
        /// The last status and message.
        reason: String,
        /// Retries made.
        retries: u32,
    },
    /// The endpoint said nothing for too long.
    #[error("the language model at {url} did not answer within {seconds} s (MAESTRO_LLM_TIMEOUT)")]
    Timeout {
        /// The base URL.
        url: String,
        /// The limit.
        seconds: u64,
    },
    /// The streamed answer stopped before it was complete.
    #[error("the language model's answer was cut off mid-way ({0})")]
    Cut(String),
    /// The answer broke the wire format's limits (a tool-call index far out
    /// of range, too many calls, arguments or text too long).
    #[error("the language model's answer was malformed ({0})")]
    Malformed(String),
    /// The request does not fit the model's context window.
    #[error("{0}")]
    TooLarge(String),
    /// The user interrupted.
    #[error("interrupted")]
    Interrupted,
}

impl LlmError {
    /// Whether the endpoint itself is unusable (wrong address, key or model),
    /// as opposed to one failed answer.
    pub fn misconfigured(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Refused { .. })
    }
}

/// A tool call the model asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// The call's id (echoed in the tool message that answers it).
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// Its arguments, as the JSON text the model wrote.
    pub arguments: String,
}

/// One whole answer of the model.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    /// Its text.
    pub text: String,
    /// The tools it wants to call.
    pub calls: Vec<ToolCall>,
    /// Why it stopped (`stop`, `tool_calls`, `length`…).
    pub finish_reason: String,
    /// Tokens the endpoint counted (prompt, completion), when it said.
    pub usage: Option<(i64, i64)>,
}

/// A client for one endpoint and model.
pub struct ChatClient {
    client: Client<Box<dyn Config>>,
    url: String,
    timeout: Duration,
    retries: u32,
}

impl ChatClient {
    /// A client for `config`.
    pub fn new(config: &LlmConfig) -> Result<Self, String> {
        let api: Box<dyn Config> = match &config.azure {
            Some(azure) => Box::new(
                AzureConfig::new()
                    .with_api_base(&config.base_url)
                    .with_api_key(config.api_key.expose())
                    .with_deployment_id(&azure.deployment)
                    .with_api_version(&azure.api_version),
            ),
            None => {
                let mut c = OpenAIConfig::new()
                    .with_api_base(&config.base_url)
                    .with_api_key(config.api_key.expose());
                if let Some(org) = &config.organization {
                    c = c.with_org_id(org);
                }
                Box::new(c)
            }
        };
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .read_timeout(config.timeout)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let service = tower::ServiceBuilder::new()
            .retry(Backoff::new(config.retries))
            .service(ReqwestService::new(http));
        Ok(Self {
            client: Client::with_config(api).with_http_service(service),
            url: config.base_url.clone(),
            timeout: config.timeout,
            retries: config.retries,
        })
    }

    /// Sends one chat-completions request (`body` in the wire format; it is
    /// streamed) and gathers the answer, handing text to `on_text` as it arrives.
    pub async fn complete(
        &self,
        mut body: Value,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<Completion, LlmError> {
        body["stream"] = Value::Bool(true);
        body["stream_options"] = serde_json::json!({"include_usage": true});
        let mut stream = self
            .client
            .chat()
            .create_stream_byot::<Value, Chunk>(body)
            .await
            .map_err(|e| self.classify(e))?;
        let mut assembly = Assembly::default();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| match self.classify(e) {
                LlmError::Timeout { .. } => LlmError::Cut("the endpoint went silent".into()),
                other => LlmError::Cut(other.to_string()),
            })?;
            assembly.add(chunk, on_text)?;
        }
        assembly.finish()
    }

    fn classify(&self, error: OpenAIError) -> LlmError {
        let url = self.url.clone();
        match error {
            OpenAIError::Reqwest(e) if e.is_timeout() => LlmError::Timeout {
                url,
                seconds: self.timeout.as_secs(),
            },
            OpenAIError::Reqwest(e) if e.is_connect() || e.is_request() => LlmError::Unreachable {
                url,
                reason: root_cause(&e),
            },
            OpenAIError::ApiError(e) => {
                let status = e.status_code.as_u16();
                let reason = format!("HTTP {status}: {}", e.api_error.message);
                if status == 429 || status >= 500 {
                    LlmError::Busy {
                        url,
                        reason,
                        retries: self.retries,
                    }
                } else {
                    LlmError::Refused { url, reason }
                }
            }
            OpenAIError::JSONDeserialize(_, content) => LlmError::Refused {
                url,
                reason: format!(
                    "it did not answer in the OpenAI format: {}",
                    content.chars().take(200).collect::<String>()
                ),
            },
            other => LlmError::Refused {
                url,
                reason: other.to_string(),
            },
        }
    }
}

/// The innermost error message (reqwest wraps the useful part).
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// A streamed answer put together chunk by chunk: its text, and its tool
/// calls by index, within [`MAX_CALLS`], [`MAX_ARGUMENTS`] and [`MAX_STREAMED`].
#[derive(Default)]
struct Assembly {
    answer: Completion,
    calls: Vec<ToolCall>,
    /// Bytes taken so far (a rough count: each piece is counted as it lands).
    streamed: usize,
}

impl Assembly {
    /// Takes one chunk; text goes to `on_text` as it comes.
    fn add(
        &mut self,
        chunk: Chunk,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(), LlmError> {
        if let Some(u) = chunk.usage {
            self.answer.usage = Some((u.prompt_tokens, u.completion_tokens));
        }
        for choice in chunk.choices {
            self.streamed += choice.delta.content.as_ref().map_or(0, String::len);
            if let Some(text) = choice.delta.content.filter(|t| !t.is_empty()) {
                on_text(&text);
                self.answer.text.push_str(&text);
            }
            for part in choice.delta.tool_calls {
                self.add_call_part(part)?;
            }
            if let Some(reason) = choice.finish_reason {
                self.answer.finish_reason = reason;
            }
        }
        if self.streamed > MAX_STREAMED {
            return Err(LlmError::Malformed(format!(
                "more than {MAX_STREAMED} bytes streamed"
            )));
        }
        Ok(())
    }

    /// Appends a piece of a tool call to the call at its index.
    fn add_call_part(&mut self, part: CallPart) -> Result<(), LlmError> {
        let i = part.index.unwrap_or(self.calls.len().saturating_sub(1));
        if i >= MAX_CALLS {
            return Err(LlmError::Malformed(format!(
                "tool call index {i}; at most {MAX_CALLS} calls are taken"
            )));
        }
        while self.calls.len() <= i {
            self.calls.push(ToolCall {
                id: String::new(),
                name: String::new(),
                arguments: String::new(),
            });
        }
        let call = &mut self.calls[i];
        let id = part.id.as_deref().unwrap_or("");
        let (name, arguments) = part.function.as_ref().map_or(("", ""), |f| {
            (
                f.name.as_deref().unwrap_or(""),
                f.arguments.as_deref().unwrap_or(""),
            )
        });
        self.streamed += id.len() + name.len() + arguments.len();
        call.id.push_str(id);
        call.name.push_str(name);
        call.arguments.push_str(arguments);
        if call.arguments.len() > MAX_ARGUMENTS || call.id.len() + call.name.len() > 1024 {
            return Err(LlmError::Malformed(format!(
                "tool call {i} is longer than {MAX_ARGUMENTS} bytes"
            )));
        }
        Ok(())
    }

    /// The whole answer, once the stream ended; a stream without a finish
    /// reason was cut.
    fn finish(mut self) -> Result<Completion, LlmError> {
        if self.answer.finish_reason.is_empty() {
            return Err(LlmError::Cut(
                "the stream ended without a finish reason".into(),
            ));
        }
        for (i, call) in self.calls.iter_mut().enumerate() {
            if call.id.is_empty() {
                call.id = format!("call_{i}");
            }
        }
        self.answer.calls = self.calls;
        Ok(self.answer)
    }
}

/// One streamed chunk, read leniently (local servers omit fields).
#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Delta,
    finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
struct Delta {
    content: Option<String>,
    #[serde(default)]
    tool_calls: Vec<CallPart>,
}

#[derive(Deserialize)]
struct CallPart {
    index: Option<usize>,
    id: Option<String>,
    function: Option<FunctionPart>,
}

#[derive(Deserialize)]
struct FunctionPart {
    name: Option<String>,
    arguments: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    prompt_tokens: i64,
    completion_tokens: i64,
}

/// At most this many tool calls are taken from one answer…
const MAX_CALLS: usize = 64;
/// …each with arguments at most this long (bytes)…
const MAX_ARGUMENTS: usize = 256 * 1024;
/// …and at most this much streamed in all.
const MAX_STREAMED: usize = 4 * 1024 * 1024;

/// Retries 429 and 5xx answers and failed connections with exponential
/// backoff and full jitter, honouring `Retry-After` (seconds).
#[derive(Clone)]
struct Backoff {
    left: u32,
    attempt: u32,
    seed: u64,
}

impl Backoff {
    fn new(retries: u32) -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15)
            | 1;
        Self {
            left: retries,
            attempt: 0,
            seed,
        }
    }

    /// The wait before the next attempt: `Retry-After` when given (at most a
    /// minute), else a random share of 250 ms × 2^attempt (at most 8 s).
    fn delay(&mut self, retry_after: Option<u64>) -> Duration {
        if let Some(seconds) = retry_after {
            return Duration::from_secs(seconds.min(60));
        }
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let ceiling = (250u64 << self.attempt.min(5)).min(8000);
        Duration::from_millis(ceiling / 2 + self.seed % (ceiling / 2 + 1))
    }
}

type Wait = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

impl tower::retry::Policy<HttpRequestFactory, reqwest::Response, OpenAIError> for Backoff {
    type Future = Wait;

    fn retry(
        &mut self,
        _request: &mut HttpRequestFactory,
        result: &mut Result<reqwest::Response, OpenAIError>,
    ) -> Option<Self::Future> {
        let retry_after = match result {
            Ok(r) if r.status().as_u16() == 429 || r.status().is_server_error() => r
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok()),
            Err(OpenAIError::Reqwest(e)) if e.is_connect() => None,
            _ => return None,
        };
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let wait = self.delay(retry_after);
        self.attempt += 1;
        Some(Box::pin(tokio::time::sleep(wait)))
    }

    fn clone_request(&mut self, request: &HttpRequestFactory) -> Option<HttpRequestFactory> {
        Some(request.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_honours_retry_after() {
        let mut b = Backoff::new(5);
        assert_eq!(b.delay(Some(2)), Duration::from_secs(2));
        assert_eq!(b.delay(Some(3600)), Duration::from_secs(60));
        let mut waits = Vec::new();
        for attempt in 0..6 {
            b.attempt = attempt;
            let w = b.delay(None).as_millis() as u64;
            let ceiling = (250u64 << attempt.min(5)).min(8000);
            assert!(
                w >= ceiling / 2 && w <= ceiling,
                "{w} ms at attempt {attempt}"
            );
            waits.push(w);
        }
        assert!(waits[5] > waits[0]);
        let again: Vec<u64> = (0..8)
            .map(|_| {
                b.attempt = 3;
                b.delay(None).as_millis() as u64
            })
            .collect();
        assert!(
            again.iter().any(|w| *w != again[0]),
            "jitter varies the waits: {again:?}"
        );
    }

    /// A streamed answer's chunks (one JSON object per line), mutated: the
    /// assembly never panics, and what it accepts stays within its bounds.
    #[test]
    fn fuzz_streamed_answer_assembly() {
        let seeds: Vec<Vec<u8>> = [
            concat!(
                r#"{"choices":[{"delta":{"content":"Creating"}}]}"#, "\n",
                r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"create_task","arguments":"{\"title\":"}}]}}]}"#, "\n",
                r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"x\"}"}}]},"finish_reason":"tool_calls"}]}"#, "\n",
                r#"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3}}"#
            ),
            concat!(
                r#"{"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"name":"a"}},{"function":{"arguments":"{}"}}]}}]}"#, "\n",
                r#"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#
            ),
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        let assemble = |input: &[u8]| {
            let mut assembly = Assembly::default();
            for line in input.split(|b| *b == b'\n') {
                if let Ok(chunk) = serde_json::from_slice::<Chunk>(line) {
                    assembly.add(chunk, &mut |_| {})?;
                }
            }
            assembly.finish()
        };
        let first = assemble(&seeds[0]).map_err(|e| e.to_string()).unwrap();
        assert_eq!(
            (
                first.calls[0].name.as_str(),
                first.calls[0].arguments.as_str()
            ),
            ("create_task", r#"{"title":"x"}"#),
            "the seeds are answers the client accepts"
        );
        let report = maestro_fuzz::run(
            "llm stream",
            &seeds,
            &[
                "\"index\":",
                "\"tool_calls\":",
                "\"arguments\":",
                "\"finish_reason\":",
            ],
            |input| {
                if let Ok(answer) = assemble(input) {
                    assert!(answer.calls.len() <= MAX_CALLS);
                    assert!(
                        answer
                            .calls
                            .iter()
                            .all(|c| c.arguments.len() <= MAX_ARGUMENTS)
                    );
                    assert!(answer.text.len() <= MAX_STREAMED);
                }
            },
        );
        assert!(report.inputs > seeds.len());
    }
}
