//! What search finds in an API's definition: OpenAPI operations (method and path,
//! operation id, summary) and schema names; AsyncAPI channels and messages; GraphQL
//! types and fields; protobuf services, rpcs and messages. Each is a part a result can
//! name ("GET /pets/{petId}") with the text that finds it.

use serde_json::Value;

/// A findable part of a definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefinitionPart {
    /// How a result names it: `GET /pets/{petId}`, `schema Pet`, `type Query`.
    pub label: String,
    /// Its words: the label, ids, summaries, field names.
    pub text: String,
}

/// At most this many parts of one definition are indexed.
pub const MAX_PARTS: usize = 2_000;

/// The parts of a definition of `api_type` (`openapi`, `asyncapi`, `graphql`, `grpc`…):
/// `parsed` is its text read as YAML or JSON, when that worked.
pub fn definition_parts(api_type: &str, text: &str, parsed: Option<&Value>) -> Vec<DefinitionPart> {
    let mut parts = match (api_type.to_ascii_lowercase().as_str(), parsed) {
        ("openapi", Some(doc)) => openapi(doc),
        ("asyncapi", Some(doc)) => asyncapi(doc),
        ("graphql", _) => graphql(text),
        ("grpc" | "protobuf" | "proto", _) => protobuf(text),
        _ => Vec::new(),
    };
    parts.truncate(MAX_PARTS);
    parts
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn openapi(doc: &Value) -> Vec<DefinitionPart> {
    let mut parts = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let label = format!("{} {path}", method.to_uppercase());
            let mut text = label.clone();
            for key in ["operationId", "summary", "description"] {
                if let Some(value) = operation.get(key).and_then(Value::as_str) {
                    text.push('\n');
                    text.push_str(value);
                }
            }
            parts.push(DefinitionPart { label, text });
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .or_else(|| doc.get("definitions"))
        .and_then(Value::as_object);
    parts.extend(
        schemas
            .into_iter()
            .flatten()
            .map(|(name, schema)| schema_part(name, schema)),
    );
    parts
}

/// A named schema: its name, title and property names.
fn schema_part(name: &str, schema: &Value) -> DefinitionPart {
    let mut text = format!("schema {name}");
    if let Some(title) = schema.get("title").and_then(Value::as_str) {
        text.push('\n');
        text.push_str(title);
    }
    for property in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.keys())
    {
        text.push(' ');
        text.push_str(property);
    }
    DefinitionPart {
        label: format!("schema {name}"),
        text,
    }
}

fn asyncapi(doc: &Value) -> Vec<DefinitionPart> {
    let mut parts = Vec::new();
    for (name, channel) in doc
        .get("channels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let mut text = format!("channel {name}");
        if let Some(address) = channel.get("address").and_then(Value::as_str) {
            text.push(' ');
            text.push_str(address);
        }
        for key in ["description", "summary"] {
            if let Some(value) = channel.get(key).and_then(Value::as_str) {
                text.push('\n');
                text.push_str(value);
            }
        }
        for action in ["publish", "subscribe"] {
            if let Some(operation) = channel.get(action) {
                push_message_words(&mut text, operation);
                push_message_words(&mut text, operation.get("message").unwrap_or(&Value::Null));
            }
        }
        for message in channel
            .get("messages")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            text.push(' ');
            text.push_str(message.0);
        }
        parts.push(DefinitionPart {
            label: format!("channel {name}"),
            text,
        });
    }
    for (name, message) in doc
        .pointer("/components/messages")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let mut text = format!("message {name}");
        push_message_words(&mut text, message);
        parts.push(DefinitionPart {
            label: format!("message {name}"),
            text,
        });
    }
    for (name, schema) in doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        parts.push(schema_part(name, schema));
    }
    parts
}

fn push_message_words(text: &mut String, value: &Value) {
    for key in ["operationId", "name", "title", "summary"] {
        if let Some(word) = value.get(key).and_then(Value::as_str) {
            text.push(' ');
            text.push_str(word);
        }
    }
}

/// GraphQL's named definitions (`type`, `input`, `interface`, `enum`, `union`,
/// `scalar`) with the fields of each, read from the schema's text.
fn graphql(text: &str) -> Vec<DefinitionPart> {
    const KINDS: [&str; 6] = ["type", "input", "interface", "enum", "union", "scalar"];
    block_parts(text, &KINDS, '#', |line| {
        // A field is `name`, `name: Type` or `name(args): Type`.
        let name: String = line
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        (!name.is_empty()).then_some(name)
    })
}

/// Protobuf's `service`s with their `rpc`s, and `message`s and `enum`s with their fields.
fn protobuf(text: &str) -> Vec<DefinitionPart> {
    const KINDS: [&str; 3] = ["service", "message", "enum"];
    block_parts(text, &KINDS, '/', |line| {
        let mut words = line.split_whitespace();
        let first = words.next()?;
        let name = match first {
            "rpc" => words.next()?.split('(').next()?,
            "repeated" | "optional" | "required" => words.nth(1)?,
            "option" | "reserved" | "}" => return None,
            _ if line.contains('=') => words.next()?,
            _ => return None,
        };
        let name = name.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
        (!name.is_empty()).then(|| name.to_owned())
    })
}

/// The blocks `KIND Name … { … }` of a schema's text, each a part labelled `KIND Name`
/// holding the names `member` reads from its lines. Lines from `comment` on are left out.
fn block_parts(
    text: &str,
    kinds: &[&str],
    comment: char,
    member: impl Fn(&str) -> Option<String>,
) -> Vec<DefinitionPart> {
    let mut parts: Vec<DefinitionPart> = Vec::new();
    let mut depth = 0usize;
    let mut open: Option<usize> = None;
    for line in text.lines() {
        let line = line.split(comment).next().unwrap_or_default();
        let mut words = line.split_whitespace();
        if depth == 0 {
            if let (Some(kind), Some(name)) = (words.next(), words.next()) {
                let name = name.trim_end_matches(['{', '(', ':', '=']);
                if kinds.contains(&kind) && !name.is_empty() {
                    parts.push(DefinitionPart {
                        label: format!("{kind} {name}"),
                        text: format!("{kind} {name}"),
                    });
                    open = Some(parts.len() - 1);
                }
            }
        } else if let (Some(at), Some(name)) = (open, member(line)) {
            parts[at].text.push(' ');
            parts[at].text.push_str(&name);
        }
        depth += line.matches('{').count();
        depth = depth.saturating_sub(line.matches('}').count());
        if depth == 0 && line.contains('}') {
            open = None;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(parts: &[DefinitionPart]) -> Vec<&str> {
        parts.iter().map(|p| p.label.as_str()).collect()
    }

    #[test]
    fn openapi_operations_and_schemas() {
        let doc = json!({
            "openapi": "3.0.0",
            "paths": {"/pets/{petId}": {
                "get": {"operationId": "showPetById", "summary": "Info for a pet"},
                "parameters": []
            }},
            "components": {"schemas": {"Pet": {"properties": {"id": {}, "tag": {}}}}}
        });
        let parts = definition_parts("openapi", "", Some(&doc));
        assert_eq!(labels(&parts), ["GET /pets/{petId}", "schema Pet"]);
        assert!(parts[0].text.contains("showPetById"));
        assert!(parts[0].text.contains("Info for a pet"));
        assert_eq!(parts[1].text, "schema Pet id tag");
        // Swagger 2 keeps its schemas under `definitions`.
        let swagger = json!({"definitions": {"Order": {}}});
        assert_eq!(
            labels(&definition_parts("OpenAPI", "", Some(&swagger))),
            ["schema Order"]
        );
    }

    #[test]
    fn asyncapi_channels_and_messages() {
        let doc = json!({
            "channels": {"orders/placed": {
                "description": "Orders as they are placed",
                "subscribe": {"operationId": "onOrderPlaced", "message": {"name": "OrderPlaced"}}
            }},
            "components": {"messages": {"OrderPlaced": {"title": "An order"}}}
        });
        let parts = definition_parts("asyncapi", "", Some(&doc));
        assert_eq!(
            labels(&parts),
            ["channel orders/placed", "message OrderPlaced"]
        );
        assert!(parts[0].text.contains("onOrderPlaced OrderPlaced"));
        assert!(parts[1].text.contains("An order"));
    }

    #[test]
    fn graphql_types_and_fields() {
        let schema =
            "# The schema\ntype Query {\n  book(id: ID!): Book # one\n  books: [Book]\n}\n\n\
                      enum Genre { FICTION }\ninput NewBook {\n  title: String!\n}\n";
        let parts = definition_parts("graphql", schema, None);
        assert_eq!(
            labels(&parts),
            ["type Query", "enum Genre", "input NewBook"]
        );
        assert_eq!(parts[0].text, "type Query book books");
        assert_eq!(parts[2].text, "input NewBook title");
    }

    #[test]
    fn protobuf_services_and_rpcs() {
        let proto = "syntax = \"proto3\";\n// Greets\nservice Greeter {\n  rpc SayHello (HelloRequest) returns (HelloReply) {}\n  rpc SayBye(Bye) returns (Bye);\n}\n\
                     message HelloRequest {\n  string name = 1;\n  repeated string tags = 2;\n}\n";
        let parts = definition_parts("grpc", proto, None);
        assert_eq!(labels(&parts), ["service Greeter", "message HelloRequest"]);
        assert_eq!(parts[0].text, "service Greeter SayHello SayBye");
        assert_eq!(parts[1].text, "message HelloRequest name tags");
    }
}
