//! The OpenAPI 3.1 document at `/openapi.json`, built from the route table
//! ([`crate::api::table`]) and the tools' own JSON Schemas.

use axum::Json;
use maestro_tools::store::Scope;
use serde_json::{Map, Value, json};

/// What the document says about one method of one path.
pub struct Doc {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// The axum path (`/v1/tasks/{id}`), also the OpenAPI path.
    pub path: &'static str,
    summary: &'static str,
    scope: Option<Scope>,
    query: Vec<(&'static str, &'static str)>,
    request: Option<Value>,
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
    pub fn request(mut self, schema: Value) -> Self {
        self.request = Some(schema);
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
        if let Some(schema) = &self.request {
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": schema}}});
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

/// The schemas of the objects the API returns.
fn object_schemas() -> Map<String, Value> {
    let nullable = |t: &str| json!({"type": [t, "null"]});
    let strings = json!({"type": "array", "items": {"type": "string"}});
    let schemas = json!({
        "Task": {"type": "object", "required": ["id", "title", "status", "priority", "tags", "created_at", "updated_at"], "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "description": nullable("string"),
            "project": nullable("string"), "assignee": nullable("string"),
            "status": {"enum": ["todo", "in_progress", "done"]}, "priority": {"enum": ["low", "medium", "high", "urgent"]},
            "due": {"type": ["string", "null"], "format": "date"}, "estimate_hours": nullable("number"), "tags": strings,
            "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
            "completed_at": {"type": ["string", "null"], "format": "date-time"}}},
        "Person": {"type": "object", "required": ["name", "skills", "capacity"], "properties": {
            "name": {"type": "string"}, "email": nullable("string"), "slack_id": nullable("string"),
            "skills": strings, "capacity": {"type": "number"}}},
        "Project": {"type": "object", "required": ["name", "tasks", "open_tasks"], "properties": {
            "name": {"type": "string"}, "tasks": {"type": "integer"}, "open_tasks": {"type": "integer"}}},
        "Dataset": {"type": "object", "required": ["name", "version", "rows", "columns", "path", "description"], "properties": {
            "name": {"type": "string"}, "version": {"type": "integer"}, "rows": {"type": "integer"},
            "columns": {"type": "integer"}, "path": {"type": "string"}, "description": {"type": "string"},
            "profile": {"type": "array"}}},
        "Model": {"type": "object", "required": ["name", "version", "dataset", "target", "task", "metric", "cv_score", "stage", "created_at"], "properties": {
            "name": {"type": "string"}, "version": {"type": "integer"}, "dataset": {"type": "string"},
            "target": {"type": "string"}, "task": {"enum": ["binary", "multiclass", "regression"]},
            "metric": {"type": "string"}, "cv_score": {"type": "number"},
            "stage": {"enum": ["none", "staging", "production", "archived"]}, "created_at": {"type": "string", "format": "date-time"}}},
        "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}}},
        "ChatRequest": {"type": "object", "required": ["text"], "additionalProperties": false, "properties": {
            "text": {"type": "string", "maxLength": maestro_assistant::MAX_REQUEST_CHARS},
            "session": {"type": "string", "description": "continue this conversation (answers, \"yes\" to confirmations)"},
            "as": {"type": "string", "description": "who is speaking: a person on the team"},
            "confirmation": {"type": "string", "description": "the id of the pending confirmation this \"yes\" or \"no\" answers (an action's `confirmation`); if another has replaced it, or it was answered already, nothing is done and the reply says so"}}},
        "Answer": {"type": "object", "required": ["reply", "actions", "session"], "properties": {
            "reply": {"type": "string"}, "session": {"type": "string"},
            "actions": {"type": "array", "items": {"type": "object", "required": ["tool", "arguments", "status", "result"], "properties": {
                "tool": {"type": "string"}, "arguments": {"type": "object"},
                "status": {"enum": ["ok", "error", "needs_confirmation", "needs_input"]}, "result": {},
                "confirmation": {"type": "string", "description": "for needs_confirmation: the id to answer with"}}}}}},
        "ToolInfo": {"type": "object", "required": ["name", "description", "effect", "examples", "schema"], "properties": {
            "name": {"type": "string"}, "description": {"type": "string"}, "effect": {"enum": ["read", "write", "destructive"]},
            "examples": strings, "schema": {"type": "object"}}},
        "ToolOutput": {"type": "object", "required": ["summary", "data", "displays"], "properties": {
            "summary": {"type": "string"}, "data": {}, "displays": {"type": "array"}}},
    });
    match schemas {
        Value::Object(m) => m,
        _ => Map::new(),
    }
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
    Json(build(&maestro_tools::work::registry()))
}
