//! The protocol side: [`ServerHandler`] for [`McpServer`], each request
//! run under the grant its [`Access`] finds.

use maestro_tools::Effect;
use rmcp::model::SubscriptionFilter;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, SubscriptionContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;

use maestro_tools::parse_args;

use crate::calls::{self, Incoming, refusal};
use crate::listing::CallArgs;
use crate::{Access, Grant, McpServer, ask, listing, resources};

const INSTRUCTIONS: &str = "Maestro manages a team's tasks and people and its datasets and models. `ask` takes a request in plain language and runs it whole; the other tools act directly. `search_tools` finds the right tool for a request. Deleting, and changing many tasks at once, waits for the human's yes.";

impl<A: Access> McpServer<A> {
    /// The grant this request runs under; a refusal is a protocol error
    /// (the transport's authentication normally refuses first).
    async fn grant_for(&self, ctx: &RequestContext<RoleServer>) -> Result<Grant, ErrorData> {
        let http = ctx.extensions.get::<http::request::Parts>();
        self.access
            .grant(http)
            .await
            .map_err(|why| ErrorData::invalid_request(why, None))
    }

    /// Runs registry tool `name`, then tells a client that keeps a session
    /// that the resources may have changed.
    async fn tool(
        &self,
        grant: &Grant,
        name: &str,
        args: Value,
        call: &Incoming<'_>,
    ) -> Result<CallToolResponse, ErrorData> {
        let response = calls::registry_call(grant, name, args, call).await?;
        let changes = grant
            .assistant
            .platform()
            .registry()
            .get(name)
            .is_some_and(|t| t.effect() != Effect::Read);
        if changes {
            calls::notify_changed(grant, call).await;
        }
        Ok(response)
    }
}

impl<A: Access> ServerHandler for McpServer<A> {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_resources_list_changed()
                .build(),
        )
        .with_server_info(
            Implementation::new("maestro", env!("CARGO_PKG_VERSION")).with_title("Maestro"),
        )
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let grant = self.grant_for(&ctx).await?;
        let registry = grant.assistant.platform().registry();
        Ok(ListToolsResult::with_all_items(listing::tool_list(
            registry,
            self.options.tools,
            grant.writes,
        )))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let grant = self.grant_for(&ctx).await?;
        let args = Value::Object(request.arguments.clone().unwrap_or_default());
        let call = Incoming {
            request: &request,
            ctx: &ctx,
            pending: &self.pending,
            approval: self.options.approval,
            changes: &self.changes,
        };
        match request.name.as_ref() {
            "ask" if grant.writes => ask::ask(&grant, args, &call).await,
            "ask" => Ok(refusal(
                "ask can change the workspace and this token has the read scope; call the read-only tools, or create a token with `maestro token create --scope write`",
            )),
            "search_tools" => calls::search_tools(&grant, args).await,
            "call_tool" => match parse_args::<CallArgs>("call_tool", args) {
                Ok(inner) => {
                    let arguments = Value::Object(inner.arguments);
                    self.tool(&grant, &inner.name, arguments, &call).await
                }
                Err(e) => Ok(refusal(e.to_string())),
            },
            name => {
                if grant.assistant.platform().registry().get(name).is_none() {
                    return Err(ErrorData::invalid_params(
                        format!(
                            "there is no tool called {name:?}; tools/list shows them and search_tools finds one"
                        ),
                        None,
                    ));
                }
                self.tool(&grant, name, args, &call).await
            }
        }
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        Some(requested.supported_by(&self.get_info().capabilities))
    }

    /// A 2026-07-28 client's stream of change events: the resource list of
    /// its workspace, each time a call changes it, until the client closes it.
    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let grant = self.grant_for(context.request_context()).await?;
        let workspace = grant.assistant.platform().workspace().to_string();
        let mut changes = self.changes.subscribe();
        loop {
            tokio::select! {
                _ = context.cancelled() => return Ok(()),
                changed = changes.recv() => match changed {
                    Ok(w) if w != workspace => {}
                    // Missed some: one notice covers them all.
                    Ok(_) | Err(RecvError::Lagged(_)) => {
                        if context.accepted().resources_list_changed == Some(true) {
                            let _ = context.sink().notify_resource_list_changed().await;
                        }
                    }
                    Err(RecvError::Closed) => return Ok(()),
                },
            }
        }
    }

    async fn list_resources(
        &self,
        _: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let grant = self.grant_for(&ctx).await?;
        let listed = calls::off_runtime(&grant, resources::list).await??;
        Ok(ListResourcesResult::with_all_items(listed))
    }

    async fn list_resource_templates(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let grant = self.grant_for(&ctx).await?;
        let uri = request.uri.clone();
        let contents = calls::off_runtime(&grant, move |g| resources::read(g, &uri)).await??;
        Ok(ReadResourceResult::new(vec![contents]).into())
    }
}
