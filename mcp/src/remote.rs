//! The other direction: other MCP servers' tools in Maestro. A server is
//! connected once (`maestro mcp add`), when its tools are listed and stored
//! with the workspace; from then on its tools are registry tools named
//! `server.tool`, found by tool search and the language-model planner and
//! run under the same rules (a destructive hint waits for a yes). The server
//! itself is started, or reached, on the first call; a server that fails is
//! reported once and skipped for the rest of the process, never blocking a
//! turn.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use maestro_blocking::Bridge;
use maestro_tools::{Context, Display, Effect, Platform, Tool, ToolError, ToolOutput};
use rmcp::model::{CallToolRequestParams, CallToolResult, ContentBlock};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{ConfigureCommandExt, StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// How long connecting to a server (and listing its tools) may take.
const CONNECT_WITHIN: Duration = Duration::from_secs(20);
/// How long one call to another server's tool may take.
const CALL_WITHIN: Duration = Duration::from_secs(120);

/// Where another MCP server is and the tools it offered when it was added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Server {
    /// How to reach it.
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// Its tools as it listed them (name, description, input schema, hints).
    #[serde(default)]
    pub tools: Vec<rmcp::model::Tool>,
}

/// How to reach another MCP server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Endpoint {
    /// A command speaking MCP over stdio (the program and its arguments).
    Command {
        /// The program, then its arguments.
        command: Vec<String>,
    },
    /// A streamable HTTP endpoint, with headers to send (e.g. Authorization).
    Url {
        /// The endpoint's URL.
        url: String,
        /// Headers sent with every request.
        #[serde(default)]
        headers: HashMap<String, String>,
    },
}

/// A live connection to a server.
type Client = RunningService<RoleClient, ()>;

/// One server: connected on first use, and remembered as failed once it fails.
struct Link {
    name: String,
    endpoint: Endpoint,
    /// Its runtime, made on the first call (most servers of a workspace go
    /// uncalled in most processes).
    bridge: OnceLock<Bridge>,
    /// The live connection, shared by concurrent calls (the lock is held
    /// only to connect, never for a call).
    client: Arc<tokio::sync::Mutex<Option<Arc<Client>>>>,
    failed: Mutex<Option<String>>,
}

/// A server name: letters, digits and '-' (tool names become `NAME.tool`).
pub fn check_server_name(name: &str) -> Result<(), String> {
    let fine = !name.is_empty()
        && name.len() <= 40
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if fine {
        Ok(())
    } else {
        Err(format!(
            "{name:?} cannot name an MCP server: use letters, digits and '-' (at most 40), e.g. \"linear\""
        ))
    }
}

/// Whether a tool's name can travel to a language model's function-calling
/// API once prefixed with its server's (`[A-Za-z0-9_-]`, at most 48).
pub fn callable_name(name: &str) -> bool {
    (1..=48).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Connects to `endpoint` and lists its tools: what `maestro mcp add` stores.
pub fn connect(endpoint: Endpoint) -> Result<Server, String> {
    let bridge = Bridge::new("maestro-mcp-add").map_err(|e| e.to_string())?;
    let listed = endpoint.clone();
    let tools = bridge
        .run(async move {
            let client = open(&listed).await?;
            let tools = within(CONNECT_WITHIN, client.list_all_tools()).await;
            let _ = client.cancel().await;
            tools
        })
        .map_err(|e| e.to_string())??;
    Ok(Server { endpoint, tools })
}

/// The registry tools of every server stored with the workspace. Nothing is
/// started or reached until a tool is called.
pub fn tools_of(platform: &Platform) -> Result<Vec<Arc<dyn Tool>>, String> {
    let stored = platform.mcp_servers().map_err(|e| e.to_string())?;
    let mut tools: Vec<Arc<dyn Tool>> = Vec::new();
    for (name, value) in stored {
        let server: Server = match serde_json::from_value(value) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(
                    server = name,
                    "a stored MCP server is unreadable ({e}); add it again"
                );
                continue;
            }
        };
        let link = Arc::new(Link {
            name: name.clone(),
            endpoint: server.endpoint,
            bridge: OnceLock::new(),
            client: Arc::default(),
            failed: Mutex::new(None),
        });
        for tool in server.tools {
            tools.push(Arc::new(RemoteTool::new(&link, tool)));
        }
    }
    Ok(tools)
}

/// Starts or reaches the server.
async fn open(endpoint: &Endpoint) -> Result<Client, String> {
    match endpoint {
        Endpoint::Command { command } => {
            let (program, args) = command
                .split_first()
                .ok_or("the server's command is empty")?;
            let command = tokio::process::Command::new(program).configure(|c| {
                c.args(args);
            });
            let transport = TokioChildProcess::new(command)
                .map_err(|e| format!("cannot start {program}: {e}"))?;
            within(CONNECT_WITHIN, ().serve(transport)).await
        }
        Endpoint::Url { url, headers } => {
            // HTTPS through rustls with ring, as Maestro's other clients do.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let transport = StreamableHttpClientTransport::from_config(http_config(url, headers)?);
            within(CONNECT_WITHIN, ().serve(transport)).await
        }
    }
}

fn http_config(
    url: &str,
    headers: &HashMap<String, String>,
) -> Result<StreamableHttpClientTransportConfig, String> {
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.to_string());
    let mut custom = HashMap::new();
    for (key, value) in headers {
        let bearer = value.strip_prefix("Bearer ");
        match bearer {
            Some(token) if key.eq_ignore_ascii_case("authorization") => {
                config = config.auth_header(token.to_string());
            }
            _ => {
                let key = http::HeaderName::try_from(key.as_str())
                    .map_err(|e| format!("header {key:?}: {e}"))?;
                let value = http::HeaderValue::try_from(value.as_str())
                    .map_err(|e| format!("header {key}: {e}"))?;
                custom.insert(key, value);
            }
        }
    }
    Ok(config.custom_headers(custom))
}

/// `work` within `limit`, its error as text.
async fn within<T, E: std::fmt::Display>(
    limit: Duration,
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(limit, work).await {
        Ok(done) => done.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer within {} s", limit.as_secs())),
    }
}

impl Link {
    /// Calls `tool` with `args`, connecting first when needed.
    fn call(&self, tool: &str, args: Value) -> Result<CallToolResult, ToolError> {
        if let Some(why) = self
            .failed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return Err(self.error(format!(
                "skipped: it failed earlier in this session ({why})"
            )));
        }
        let (endpoint, client) = (self.endpoint.clone(), self.client.clone());
        let mut request = CallToolRequestParams::new(tool.to_string());
        if let Value::Object(args) = args {
            request = request.with_arguments(args);
        }
        let bridge = match self.bridge.get() {
            Some(bridge) => bridge,
            None => {
                let made =
                    Bridge::new("maestro-mcp-client").map_err(|e| self.error(e.to_string()))?;
                self.bridge.get_or_init(|| made)
            }
        };
        let answer = bridge.run(async move {
            let live = {
                let mut slot = client.lock().await;
                match slot.as_ref() {
                    Some(live) if !live.is_closed() && !live.is_transport_closed() => {
                        Arc::clone(live)
                    }
                    // Not yet connected, or the server went away: (re)connect.
                    _ => {
                        let opened = Arc::new(open(&endpoint).await.map_err(Trouble::Unreachable)?);
                        *slot = Some(Arc::clone(&opened));
                        opened
                    }
                }
            };
            within(CALL_WITHIN, live.call_tool(request))
                .await
                .map_err(Trouble::Failed)
        });
        match answer {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(Trouble::Failed(why))) => Err(self.error(why)),
            Ok(Err(Trouble::Unreachable(why))) => {
                tracing::warn!(server = self.name, "MCP server unreachable: {why}");
                *self.failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(why.clone());
                Err(self.error(format!(
                    "{why}; its tools are skipped until Maestro restarts (check it with `maestro mcp list`)"
                )))
            }
            Err(stopped) => Err(self.error(stopped.to_string())),
        }
    }

    fn error(&self, message: String) -> ToolError {
        ToolError::External {
            server: self.name.clone(),
            message,
        }
    }
}

/// Why a call to another server failed.
enum Trouble {
    /// The server could not be started or reached.
    Unreachable(String),
    /// The call reached the server and failed there.
    Failed(String),
}

/// Another server's tool as a registry tool named `server.tool`.
struct RemoteTool {
    link: Arc<Link>,
    /// Its name on its server.
    remote: String,
    /// `server.tool`, for the registry (which keeps names for the process).
    name: &'static str,
    description: &'static str,
    schema: Value,
    effect: Effect,
}

impl RemoteTool {
    fn new(link: &Arc<Link>, tool: rmcp::model::Tool) -> Self {
        let name = format!("{}.{}", link.name, tool.name);
        let description = tool.description.as_deref().unwrap_or("").to_string();
        // A hint-less tool may change anything: the protocol's defaults say
        // so, and so does Maestro (it waits for a yes).
        let hints = tool.annotations.clone().unwrap_or_default();
        let effect = if hints.read_only_hint == Some(true) {
            Effect::Read
        } else if hints.destructive_hint == Some(false) {
            Effect::Write
        } else {
            Effect::Destructive
        };
        Self {
            link: Arc::clone(link),
            remote: tool.name.to_string(),
            // Registry names live as long as the process; a workspace's
            // servers are loaded once per process, so this is bounded.
            name: Box::leak(name.into_boxed_str()),
            description: Box::leak(description.into_boxed_str()),
            schema: Value::Object((*tool.input_schema).clone()),
            effect,
        }
    }
}

impl Tool for RemoteTool {
    fn name(&self) -> &'static str {
        self.name
    }
    fn description(&self) -> &'static str {
        self.description
    }
    fn examples(&self) -> &'static [&'static str] {
        &[]
    }
    fn phrasings(&self) -> &'static [&'static str] {
        &[]
    }
    fn effect(&self) -> Effect {
        self.effect
    }
    fn schema(&self) -> Value {
        self.schema.clone()
    }
    fn call(&self, _: &Context<'_>, args: Value) -> Result<ToolOutput, ToolError> {
        self.check(&args)?;
        let result = self.link.call(&self.remote, args)?;
        output_of(&self.link.name, result)
    }
    fn check(&self, args: &Value) -> Result<(), ToolError> {
        if args.is_object() || args.is_null() {
            Ok(())
        } else {
            Err(ToolError::invalid(
                self.name,
                "(arguments)",
                "arguments must be a JSON object",
            ))
        }
    }
    fn confirmation(&self, _: &Context<'_>, _: &Value) -> Option<String> {
        None
    }
}

/// A result from another server as Maestro's: its text as the summary, its
/// structured content as the data, PNG images as charts; an error result
/// as a tool error.
fn output_of(server: &str, result: CallToolResult) -> Result<ToolOutput, ToolError> {
    let mut texts = Vec::new();
    let mut charts = Vec::new();
    for block in &result.content {
        match block {
            ContentBlock::Text(t) => texts.push(t.text.clone()),
            ContentBlock::Image(i) if i.mime_type == "image/png" => charts.push(i.data.clone()),
            _ => {}
        }
    }
    let summary = texts.join("\n");
    if result.is_error == Some(true) {
        return Err(ToolError::External {
            server: server.to_string(),
            message: summary,
        });
    }
    let data = result.structured_content.unwrap_or(json!(null));
    let mut out = ToolOutput::new(summary, data);
    for png in charts {
        out = out.with(Display::Chart {
            title: format!("from {server}"),
            png,
        });
    }
    Ok(out)
}
