//! The two ways clients reach the server: stdio (`maestro mcp`) and
//! streamable HTTP (`/mcp` on `maestro serve`).

use std::sync::Arc;

use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::{Access, Grant, McpServer, Options};

/// Serves one workspace as one caller over stdin and stdout until the client
/// closes them (on a runtime of its own). Nothing else may write to stdout
/// meanwhile: logs go to stderr.
pub fn serve_stdio(grant: Grant, options: Options) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the MCP server: {e}"))?;
    runtime.block_on(async {
        let running = McpServer::new(grant, options)
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| format!("the MCP client did not start a session: {e}"))?;
        running
            .waiting()
            .await
            .map(|_| ())
            .map_err(|e| format!("the MCP session ended badly: {e}"))
    })
}

/// The MCP endpoint over streamable HTTP, to mount (e.g. at `/mcp`) behind
/// a layer that authenticates each request; `access` turns what that layer
/// left in the request's extensions into a grant. `hosts` are the names the
/// server may be reached by (the `Host` header; others get 403, which stops
/// DNS rebinding). `shutdown` closes open streams when the server stops.
pub fn streamable_http<A: Access>(
    access: A,
    options: Options,
    hosts: Vec<String>,
    shutdown: CancellationToken,
) -> StreamableHttpService<McpServer<A>, LocalSessionManager> {
    let server = McpServer::new(access, options);
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_cancellation_token(shutdown);
    StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    )
}
