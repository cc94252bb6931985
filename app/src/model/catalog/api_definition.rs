//! An API entity's definition, prepared for reading: OpenAPI as operations grouped by
//! tag (method, path, summary, parameters, request and response schemas), AsyncAPI as
//! channels and their messages, anything else (GraphQL, gRPC's protobuf…) as text split
//! into highlighted tokens.
//!
//! Works on the definition already parsed into JSON (the server parses the YAML); it
//! renders nothing. Schemas are summarised as short type expressions
//! (`{ amount: integer; currency: string }`), with `$ref`s to the document's own
//! components followed a few levels deep.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How deep schema summaries follow nested objects and `$ref`s.
const SCHEMA_DEPTH: usize = 3;

/// A definition as an entity page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiDefinition {
    /// An OpenAPI (or Swagger) document.
    OpenApi(OpenApi),
    /// An AsyncAPI document.
    AsyncApi(AsyncApi),
    /// Any other definition, as highlighted text.
    Text(Vec<Token>),
}

/// An OpenAPI document's summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenApi {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `servers[].url`.
    pub servers: Vec<String>,
    /// Operations by tag, in the document's tag order (untagged last).
    pub groups: Vec<OperationGroup>,
}

/// The operations of one tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationGroup {
    /// The tag (`default` for untagged operations).
    pub tag: String,
    /// The tag's description.
    pub description: Option<String>,
    /// Its operations, in path order.
    pub operations: Vec<Operation>,
}

/// One operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// `GET`, `POST`…
    pub method: String,
    /// `/payments/{id}`.
    pub path: String,
    /// A one-line summary.
    pub summary: Option<String>,
    /// `operationId`.
    pub operation_id: Option<String>,
    /// Path, query, header and cookie parameters.
    pub parameters: Vec<Parameter>,
    /// The request body: `(media type, schema)`.
    pub request: Vec<(String, String)>,
    /// Responses: `(status, description, schema)`.
    pub responses: Vec<(String, String, Option<String>)>,
}

/// One parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Whether it must be given.
    pub required: bool,
    /// Its schema, summarised.
    pub schema: String,
    /// What it is for.
    pub description: Option<String>,
}

/// An AsyncAPI document's summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsyncApi {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// Its channels, by name.
    pub channels: Vec<Channel>,
}

/// One channel with what flows through it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    /// Its name (`orders.placed`).
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// `(action, summary, message name, payload schema)`: action is `publish`/`subscribe`
    /// (AsyncAPI 2) or `send`/`receive` (3).
    pub messages: Vec<(String, Option<String>, String, String)>,
}

/// A piece of highlighted text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// What it is: `keyword`, `string`, `comment`, `number`, `type` or `text`.
    pub class: String,
    /// The text, exactly as written.
    pub text: String,
}

impl ApiDefinition {
    /// The definition of an API of `api_type` (`openapi`, `asyncapi`, `graphql`,
    /// `grpc`…): `parsed` is the text read as YAML or JSON when that worked.
    pub fn prepare(api_type: &str, text: &str, parsed: Option<&Value>) -> Self {
        match (api_type.to_ascii_lowercase().as_str(), parsed) {
            ("openapi", Some(doc)) if doc.is_object() => Self::OpenApi(open_api(doc)),
            ("asyncapi", Some(doc)) if doc.is_object() => Self::AsyncApi(async_api(doc)),
            _ => Self::Text(highlight(text)),
        }
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn open_api(doc: &Value) -> OpenApi {
    let info = doc.get("info");
    let mut servers: Vec<String> = doc
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| text(s.get("url")))
        .collect();
    if let Some(host) = text(doc.get("host")) {
        servers.push(format!(
            "{host}{}",
            text(doc.get("basePath")).unwrap_or_default()
        ));
    }
    let mut groups: Vec<OperationGroup> = doc
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|tag| {
            Some(OperationGroup {
                tag: text(tag.get("name"))?,
                description: text(tag.get("description")),
                operations: Vec::new(),
            })
        })
        .collect();
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let shared: Vec<&Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let mut parameters: Vec<Parameter> = shared
                .iter()
                .copied()
                .chain(
                    operation
                        .get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten(),
                )
                .filter_map(|p| parameter(doc, p))
                .collect();
            parameters.dedup_by(|a, b| a.name == b.name && a.location == b.location);
            let request = operation
                .get("requestBody")
                .map(|body| resolve(doc, body))
                .and_then(|body| body.get("content"))
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(media, content)| (media.clone(), schema_of(doc, content.get("schema"))))
                .collect();
            let responses = operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(status, response)| {
                    let response = resolve(doc, response);
                    let schema = response
                        .get("content")
                        .and_then(Value::as_object)
                        .and_then(|content| content.values().next())
                        .and_then(|media| media.get("schema"))
                        .or_else(|| response.get("schema"))
                        .map(|schema| schema_of(doc, Some(schema)));
                    (
                        status.clone(),
                        text(response.get("description")).unwrap_or_default(),
                        schema,
                    )
                })
                .collect();
            let tag = operation
                .get("tags")
                .and_then(Value::as_array)
                .and_then(|tags| tags.first())
                .and_then(Value::as_str)
                .unwrap_or("default")
                .to_owned();
            let entry = Operation {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                summary: text(operation.get("summary"))
                    .or_else(|| text(operation.get("description"))),
                operation_id: text(operation.get("operationId")),
                parameters,
                request,
                responses,
            };
            match groups.iter_mut().find(|g| g.tag == tag) {
                Some(group) => group.operations.push(entry),
                None => groups.push(OperationGroup {
                    tag,
                    description: None,
                    operations: vec![entry],
                }),
            }
        }
    }
    groups.retain(|g| !g.operations.is_empty());
    OpenApi {
        title: info.and_then(|i| text(i.get("title"))).unwrap_or_default(),
        version: info
            .and_then(|i| text(i.get("version")))
            .unwrap_or_default(),
        servers,
        groups,
    }
}

fn parameter(doc: &Value, parameter: &Value) -> Option<Parameter> {
    let parameter = resolve(doc, parameter);
    let location = text(parameter.get("in"))?;
    Some(Parameter {
        name: text(parameter.get("name"))?,
        required: parameter
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(location == "path"),
        schema: match parameter.get("schema") {
            Some(schema) => schema_of(doc, Some(schema)),
            // Swagger 2 puts the type on the parameter itself.
            None => schema_of(doc, Some(parameter)),
        },
        description: text(parameter.get("description")),
        location,
    })
}

/// `value`, or what its `$ref` to this document points at.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(pointer) => pointer
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .unwrap_or(value),
        None => value,
    }
}

/// A schema summarised as a type expression.
pub fn schema_of(doc: &Value, schema: Option<&Value>) -> String {
    match schema {
        Some(schema) => summarise(doc, schema, SCHEMA_DEPTH),
        None => "any".to_owned(),
    }
}

fn summarise(doc: &Value, schema: &Value, depth: usize) -> String {
    if let Some(pointer) = schema.get("$ref").and_then(Value::as_str) {
        let name = pointer.rsplit('/').next().unwrap_or(pointer).to_owned();
        if depth == 0 {
            return name;
        }
        let target = resolve(doc, schema);
        if std::ptr::eq(target, schema) {
            return name;
        }
        return format!("{name} {}", summarise(doc, target, depth - 1));
    }
    for (key, joiner) in [("oneOf", " | "), ("anyOf", " | "), ("allOf", " & ")] {
        if let Some(items) = schema.get(key).and_then(Value::as_array) {
            return items
                .iter()
                .map(|item| summarise(doc, item, depth.saturating_sub(1)))
                .collect::<Vec<_>>()
                .join(joiner);
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(" | ");
    }
    let kind = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_else(|| {
            if schema.get("properties").is_some() {
                "object"
            } else {
                "any"
            }
        });
    match kind {
        "array" => {
            let items = schema
                .get("items")
                .map_or_else(|| "any".to_owned(), |items| summarise(doc, items, depth));
            format!("{items}[]")
        }
        "object" => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return "object".to_owned();
            };
            if depth == 0 {
                return "{ … }".to_owned();
            }
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let fields: Vec<String> = properties
                .iter()
                .map(|(name, property)| {
                    let optional = if required.contains(&name.as_str()) {
                        ""
                    } else {
                        "?"
                    };
                    format!("{name}{optional}: {}", summarise(doc, property, depth - 1))
                })
                .collect();
            format!("{{ {} }}", fields.join("; "))
        }
        other => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{other} ({format})"),
            None => other.to_owned(),
        },
    }
}

fn async_api(doc: &Value) -> AsyncApi {
    let info = doc.get("info");
    let message = |message: &Value| {
        let resolved = resolve(doc, message);
        let name = text(resolved.get("name"))
            .or_else(|| text(resolved.get("title")))
            .or_else(|| {
                message
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.rsplit('/').next())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "message".to_owned());
        (name, schema_of(doc, resolved.get("payload")))
    };
    let mut channels: Vec<Channel> = doc
        .get("channels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, channel)| {
            let mut messages = Vec::new();
            // AsyncAPI 2: publish/subscribe operations inside the channel.
            for action in ["publish", "subscribe"] {
                if let Some(operation) = channel.get(action) {
                    for m in operation
                        .get("message")
                        .map(|m| match m.get("oneOf").and_then(Value::as_array) {
                            Some(list) => list.iter().collect(),
                            None => vec![m],
                        })
                        .unwrap_or_default()
                    {
                        let (message, payload) = message(m);
                        messages.push((
                            action.to_owned(),
                            text(operation.get("summary")),
                            message,
                            payload,
                        ));
                    }
                }
            }
            // AsyncAPI 3: messages on the channel.
            for m in channel
                .get("messages")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(_, m)| m)
            {
                let (message, payload) = message(m);
                messages.push(("message".to_owned(), None, message, payload));
            }
            Channel {
                name: text(channel.get("address")).unwrap_or_else(|| name.clone()),
                description: text(channel.get("description")),
                messages,
            }
        })
        .collect();
    channels.sort_by(|a, b| a.name.cmp(&b.name));
    AsyncApi {
        title: info.and_then(|i| text(i.get("title"))).unwrap_or_default(),
        version: info
            .and_then(|i| text(i.get("version")))
            .unwrap_or_default(),
        channels,
    }
}

/// Words highlighted as keywords in GraphQL and protobuf (and close enough for most
/// other schema languages).
const KEYWORDS: [&str; 26] = [
    "type",
    "input",
    "enum",
    "interface",
    "union",
    "scalar",
    "schema",
    "query",
    "mutation",
    "subscription",
    "fragment",
    "extend",
    "implements",
    "directive",
    "syntax",
    "package",
    "import",
    "option",
    "service",
    "rpc",
    "returns",
    "message",
    "repeated",
    "oneof",
    "map",
    "stream",
];

/// `source` split into tokens for highlighting: comments (`#`, `//`, `/* */`),
/// strings (`"…"`, `"""…"""`), numbers, keywords, capitalised names as types, the rest
/// as text. Concatenating the tokens gives `source` back.
pub fn highlight(source: &str) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut push = |class: &str, text: &str| {
        if text.is_empty() {
            return;
        }
        match tokens.last_mut() {
            Some(last) if last.class == class => last.text.push_str(text),
            _ => tokens.push(Token {
                class: class.to_owned(),
                text: text.to_owned(),
            }),
        }
    };
    let mut rest = source;
    while let Some(c) = rest.chars().next() {
        let (class, length) = if c == '#' || rest.starts_with("//") {
            ("comment", rest.find('\n').unwrap_or(rest.len()))
        } else if rest.starts_with("/*") {
            ("comment", rest.find("*/").map_or(rest.len(), |end| end + 2))
        } else if let Some(block) = rest.strip_prefix("\"\"\"") {
            (
                "string",
                block.find("\"\"\"").map_or(rest.len(), |end| end + 6),
            )
        } else if c == '"' {
            let end = rest[1..]
                .char_indices()
                .scan(false, |escaped, (i, ch)| {
                    let done = ch == '"' && !*escaped;
                    *escaped = ch == '\\' && !*escaped;
                    Some((i, done))
                })
                .find(|(_, done)| *done)
                .map_or(rest.len(), |(i, _)| i + 2);
            ("string", end)
        } else if c.is_ascii_digit() {
            (
                "number",
                rest.find(|ch: char| !ch.is_ascii_alphanumeric() && ch != '.')
                    .unwrap_or(rest.len()),
            )
        } else if c.is_alphabetic() || c == '_' {
            let length = rest
                .find(|ch: char| !ch.is_alphanumeric() && ch != '_')
                .unwrap_or(rest.len());
            let word = &rest[..length];
            let class = if KEYWORDS.contains(&word) {
                "keyword"
            } else if c.is_uppercase() {
                "type"
            } else {
                "text"
            };
            (class, length)
        } else {
            ("text", c.len_utf8())
        };
        let length = length.min(rest.len()).max(c.len_utf8());
        push(class, &rest[..length]);
        rest = &rest[length..];
    }
    tokens
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn openapi_operations_are_grouped_by_tag_with_schemas() {
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "Payments", "version": "1.4.0"},
            "servers": [{"url": "https://api.example/v1"}],
            "tags": [{"name": "payments", "description": "Money in"}, {"name": "unused"}],
            "paths": {
                "/payments/{id}": {
                    "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
                    "get": {
                        "tags": ["payments"], "summary": "A payment",
                        "parameters": [{"name": "expand", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}],
                        "responses": {"200": {"description": "Found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}}}, "404": {"description": "No such payment"}}
                    }
                },
                "/health": {"get": {"responses": {"200": {"description": "Up"}}}}
            },
            "components": {"schemas": {"Payment": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "amount": {"type": "integer", "format": "int64"}, "status": {"enum": ["new", "paid"]}}}}}
        });
        let ApiDefinition::OpenApi(api) = ApiDefinition::prepare("openapi", "", Some(&doc)) else {
            panic!("an OpenAPI document");
        };
        assert_eq!(
            (api.title.as_str(), api.version.as_str()),
            ("Payments", "1.4.0")
        );
        assert_eq!(api.servers, ["https://api.example/v1"]);
        let tags: Vec<&str> = api.groups.iter().map(|g| g.tag.as_str()).collect();
        assert_eq!(tags, ["payments", "default"]);
        let get = &api.groups[0].operations[0];
        assert_eq!(
            (get.method.as_str(), get.path.as_str()),
            ("GET", "/payments/{id}")
        );
        let parameters: Vec<(&str, &str, bool, &str)> = get
            .parameters
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.location.as_str(),
                    p.required,
                    p.schema.as_str(),
                )
            })
            .collect();
        assert_eq!(
            parameters,
            [
                ("id", "path", true, "string"),
                ("expand", "query", false, "string[]")
            ]
        );
        assert_eq!(
            get.responses[0],
            (
                "200".into(),
                "Found".into(),
                Some(
                    "Payment { id: string; amount?: integer (int64); status?: \"new\" | \"paid\" }"
                        .into()
                )
            )
        );
        assert_eq!(get.responses[1].2, None);
    }

    #[test]
    fn asyncapi_channels_list_their_messages() {
        let doc = json!({
            "asyncapi": "2.6.0",
            "info": {"title": "Order events", "version": "1.0.0"},
            "channels": {"orders.placed": {"subscribe": {"summary": "An order was placed", "message": {"$ref": "#/components/messages/OrderPlaced"}}}},
            "components": {"messages": {"OrderPlaced": {"payload": {"type": "object", "properties": {"orderId": {"type": "string"}}}}}}
        });
        let ApiDefinition::AsyncApi(api) = ApiDefinition::prepare("asyncapi", "", Some(&doc))
        else {
            panic!("an AsyncAPI document");
        };
        assert_eq!(api.channels[0].name, "orders.placed");
        assert_eq!(
            api.channels[0].messages[0],
            (
                "subscribe".into(),
                Some("An order was placed".into()),
                "OrderPlaced".into(),
                "{ orderId?: string }".into()
            )
        );
    }

    #[test]
    fn other_definitions_are_highlighted_without_losing_a_character() {
        let source = "# Parcels\n\"\"\"Docs\"\"\"\ntype Query {\n  parcel(id: ID!): Parcel # one\n  count: Int = 42\n}\n// proto\nmessage A { string s = 1; } /* x */ \"q\\\"s\"";
        let tokens = highlight(source);
        assert_eq!(
            tokens.iter().map(|t| t.text.as_str()).collect::<String>(),
            source
        );
        let class_of = |text: &str| {
            tokens
                .iter()
                .find(|t| t.text.contains(text))
                .map(|t| t.class.as_str())
        };
        assert_eq!(class_of("# Parcels"), Some("comment"));
        assert_eq!(class_of("\"\"\"Docs\"\"\""), Some("string"));
        assert_eq!(class_of("type"), Some("keyword"));
        assert_eq!(class_of("Query"), Some("type"));
        assert_eq!(class_of("42"), Some("number"));
        assert_eq!(class_of("/* x */"), Some("comment"));
        assert!(matches!(
            ApiDefinition::prepare("graphql", source, None),
            ApiDefinition::Text(_)
        ));
    }
}
