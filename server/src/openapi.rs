//! The OpenAPI 3.1 document at `/openapi.json`, built from the route table
//! ([`crate::api::table`]) and the tools' own JSON Schemas.

use axum::Json;
use maestro_tools::autopilot::{DigestReport, Recurring, ReminderView};
use maestro_tools::store::Scope;
use maestro_tools::store::{DatasetSummary, ModelSummary};
use maestro_tools::{Person, Project, Task, ToolInfo, ToolOutput};
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use crate::api::{ChatAnswer, ChatRequest};
use crate::problem::ProblemBody;

/// What the document says about one method of one path.
pub struct Doc {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// The axum path (`/v1/tasks/{id}`), also the OpenAPI path.
    pub path: &'static str,
    summary: &'static str,
    scope: Option<Scope>,
    query: Vec<(&'static str, &'static str)>,
    request: Option<(&'static str, Value)>,
    response: Option<(u16, Value)>,
}

impl Doc {
    /// A method of a path, with a one-line summary.
    pub fn new(method: &'static str, path: &'static str, summary: &'static str) -> Self {
        Self {
            method,
            path,
            summary,
            scope: None,
            query: Vec::new(),
            request: None,
            response: None,
        }
    }

    /// The scope a bearer token needs for this route, if it needs one.
    pub fn needs(&self) -> Option<Scope> {
        self.scope
    }

    /// Needs a bearer token with this scope.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// Query parameters (name, description).
    pub fn query(mut self, params: &[(&'static str, &'static str)]) -> Self {
        self.query.extend_from_slice(params);
        self
    }

    /// The JSON request body's schema.
    pub fn request(self, schema: Value) -> Self {
        self.request_body("application/json", schema)
    }

    /// The request body's media type and schema.
    pub fn request_body(mut self, media: &'static str, schema: Value) -> Self {
        self.request = Some((media, schema));
        self
    }

    /// The success status and its JSON body's schema.
    pub fn response(mut self, status: u16, schema: Value) -> Self {
        self.response = Some((status, schema));
        self
    }

    fn operation(&self) -> Value {
        let mut params: Vec<Value> = path_params(self.path)
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        params.extend(self.query.iter().map(|(name, description)| {
            json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": "string"}})
        }));
        let mut responses = Map::new();
        let (status, schema) = self
            .response
            .clone()
            .unwrap_or((200, json!({"type": "string"})));
        responses.insert(
            status.to_string(),
            json!({"description": "success", "content": {"application/json": {"schema": schema}}}),
        );
        let problem = json!({"description": "a problem", "content": {"application/problem+json": {"schema": schema_ref("Problem")}}});
        responses.insert("default".into(), problem);
        let mut op = json!({
            "summary": self.summary,
            "operationId": format!("{} {}", self.method.to_lowercase(), self.path),
            "parameters": params,
            "responses": responses,
        });
        if let Some(scope) = self.scope {
            op["security"] = json!([{"bearer": [scope.as_str()]}]);
            op["description"] = json!(format!(
                "Needs a token with the {scope} scope (401 without a valid token, 403 with too small a scope, 404 for another workspace's objects)."
            ));
        }
        if let Some((media, schema)) = &self.request {
            let mut content = Map::new();
            content.insert(media.to_string(), json!({ "schema": schema }));
            op["requestBody"] = json!({"required": true, "content": content});
        }
        op
    }
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

/// A reference to a named schema of the document.
pub fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// An object schema with these required string fields.
pub fn object_schema(fields: &[&str]) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| (f.to_string(), json!({"type": "string"})))
        .collect();
    json!({"type": "object", "required": fields, "properties": properties})
}

/// The schemas of the objects the API takes and returns, derived from the
/// types that (de)serialise them; what they refer to lands beside them.
fn object_schemas() -> Map<String, Value> {
    let settings = || {
        SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into())
    };
    let mut responses = settings().for_serialize().into_generator();
    responses.subschema_for::<Task>();
    responses.subschema_for::<Person>();
    responses.subschema_for::<Project>();
    responses.subschema_for::<DatasetSummary>();
    responses.subschema_for::<ModelSummary>();
    responses.subschema_for::<ToolInfo>();
    responses.subschema_for::<ToolOutput>();
    responses.subschema_for::<Recurring>();
    responses.subschema_for::<ReminderView>();
    responses.subschema_for::<DigestReport>();
    responses.subschema_for::<maestro_tools::store::Message>();
    responses.subschema_for::<ChatAnswer>();
    responses.subschema_for::<ProblemBody>();
    let mut requests = settings().for_deserialize().into_generator();
    requests.subschema_for::<ChatRequest>();
    let mut schemas = responses.take_definitions(true);
    schemas.extend(requests.take_definitions(true));
    schemas
}

/// A tool's schema made to live under `components/schemas/tool.NAME`: its
/// `$defs` move next to it (as `tool.NAME.DEF`) and references follow.
fn hoist(name: &str, mut schema: Value, into: &mut Map<String, Value>) -> Value {
    let prefix = format!("tool.{name}.");
    if let Some(Value::Object(defs)) = schema.as_object_mut().and_then(|o| o.remove("$defs")) {
        for (def, mut s) in defs {
            rewrite_refs(&mut s, &prefix);
            into.insert(format!("{prefix}{def}"), s);
        }
    }
    rewrite_refs(&mut schema, &prefix);
    schema
}

fn rewrite_refs(v: &mut Value, prefix: &str) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get_mut("$ref")
                && let Some(def) = r.strip_prefix("#/$defs/")
            {
                *r = format!("#/components/schemas/{prefix}{def}");
            }
            o.values_mut().for_each(|x| rewrite_refs(x, prefix));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_refs(x, prefix)),
        _ => {}
    }
}

/// The whole document for this server's tools.
pub fn build(tools: &maestro_tools::Registry) -> Value {
    let mut schemas = object_schemas();
    for tool in tools.iter() {
        let schema = hoist(tool.name(), tool.schema(), &mut schemas);
        schemas.insert(format!("tool.{}", tool.name()), schema);
    }
    let mut paths: Map<String, Value> = Map::new();
    for route in crate::api::table() {
        let doc = route.doc;
        let entry = paths.entry(doc.path).or_insert_with(|| json!({}));
        entry[doc.method.to_lowercase()] = doc.operation();
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Maestro", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Maestro's REST API and Slack endpoints. Errors are application/problem+json."},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                "description": "A token from `maestro token create`; it opens one workspace with the scope read, write or admin."}},
        },
    })
}

/// `GET /openapi.json` (no token needed).
pub async fn document() -> Json<Value> {
    Json(build(&maestro_tools::every_tool()))
}
