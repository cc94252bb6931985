//! JSON Schema as template parameters write it: reading keywords, resolving the
//! conditional parts (`allOf`, `if`/`then`/`else`, `dependencies`) against what the user
//! has entered, and the values a form starts from.
//!
//! Schemas stay the `serde_json` values the template holds (property order as written);
//! nothing here renders or reports errors — [`super::validate`] and [`super::form`] do.

use serde_json::{Map, Value};

use super::validate::is_valid;

/// One JSON Schema object (`{type, properties, …}`).
pub type Schema = Map<String, Value>;

/// An empty schema: accepts anything.
pub fn empty() -> &'static Schema {
    static EMPTY: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Schema::new)
}

/// `value` as a schema: objects are schemas, `true` and anything else accept everything.
pub fn as_schema(value: &Value) -> &Schema {
    value.as_object().unwrap_or_else(|| empty())
}

/// The type a schema asks for: its `type` (the first one that is not `null` when it
/// lists several), or what its other keywords imply.
pub fn primary_type(schema: &Schema) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => return Some(t),
        Some(Value::Array(types)) => {
            if let Some(t) = types
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
            {
                return Some(t);
            }
        }
        _ => {}
    }
    if schema.contains_key("properties") {
        return Some("object");
    }
    if schema.contains_key("items") {
        return Some("array");
    }
    let example = schema
        .get("const")
        .or_else(|| schema.get("enum").and_then(|e| e.as_array()?.first()));
    match example? {
        Value::String(_) => Some("string"),
        Value::Bool(_) => Some("boolean"),
        Value::Number(n) if n.is_f64() => Some("number"),
        Value::Number(_) => Some("integer"),
        _ => None,
    }
}

/// The text of keyword `key`, if it is text.
pub fn text<'a>(schema: &'a Schema, key: &str) -> Option<&'a str> {
    schema.get(key).and_then(Value::as_str)
}

/// `ui:options.key`.
pub fn ui_option<'a>(schema: &'a Schema, key: &str) -> Option<&'a Value> {
    schema.get("ui:options")?.get(key)
}

/// The names listed under `required`.
pub fn required(schema: &Schema) -> impl Iterator<Item = &str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// Whether a value counts as not given: absent, `null`, `""` or an empty list.
pub fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(items)) => items.is_empty(),
        _ => false,
    }
}

/// `schema` with its conditional parts decided for `data`: `allOf` merged, `then` or
/// `else` merged as `if` holds, and for every property present in `data` its
/// `dependencies` entry merged (a list adds required names; a schema is merged, and of
/// its `oneOf` the first branch whose condition on that property holds).
///
/// Merging unites `properties` (deeply) and `required`; other keywords of the merged part
/// win. The result has no `allOf`, `if`, `then`, `else` or `dependencies` left.
pub fn resolve(schema: &Schema, data: &Value) -> Schema {
    let conditional = ["allOf", "if", "then", "else", "dependencies"];
    if !conditional.iter().any(|k| schema.contains_key(*k)) {
        return schema.clone();
    }
    let mut out: Schema = schema
        .iter()
        .filter(|(k, _)| !conditional.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        for part in parts {
            merge_into(&mut out, &resolve(as_schema(part), data));
        }
    }
    if let Some(condition) = schema.get("if") {
        let branch = if is_valid(as_schema(condition), data) {
            schema.get("then")
        } else {
            schema.get("else")
        };
        if let Some(branch) = branch {
            merge_into(&mut out, &resolve(as_schema(branch), data));
        }
    }
    if let (Some(Value::Object(dependencies)), Some(values)) =
        (schema.get("dependencies"), data.as_object())
    {
        for (name, dependency) in dependencies {
            if is_blank(values.get(name)) {
                continue;
            }
            match dependency {
                Value::Array(names) => {
                    merge_into(
                        &mut out,
                        &Schema::from_iter([("required".into(), Value::Array(names.clone()))]),
                    );
                }
                Value::Object(dependency) => {
                    let mut plain = dependency.clone();
                    let branches = plain.remove("oneOf");
                    merge_into(&mut out, &resolve(&plain, data));
                    let chosen = branches
                        .as_ref()
                        .and_then(Value::as_array)
                        .and_then(|branches| {
                            branches.iter().map(as_schema).find(|branch| {
                                let condition = branch
                                    .get("properties")
                                    .and_then(|p| p.get(name))
                                    .map(as_schema)
                                    .unwrap_or_else(|| empty());
                                is_valid(condition, &values[name])
                            })
                        });
                    if let Some(branch) = chosen {
                        let mut branch = resolve(branch, data);
                        if let Some(Value::Object(props)) = branch.get_mut("properties") {
                            props.remove(name);
                        }
                        merge_into(&mut out, &branch);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Merges `source` into `target`: objects deeply, `required` united, others replaced.
fn merge_into(target: &mut Schema, source: &Schema) {
    for (key, value) in source {
        match (target.get_mut(key), value) {
            (Some(Value::Array(names)), Value::Array(more)) if key == "required" => {
                for name in more {
                    if !names.contains(name) {
                        names.push(name.clone());
                    }
                }
            }
            (Some(Value::Object(inner)), Value::Object(more)) => merge_into(inner, more),
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

/// `data` with the schema's `default`s filled in where nothing was given, through nested
/// objects; conditional parts are resolved against the data as it fills.
pub fn with_defaults(schema: &Schema, data: &Value) -> Value {
    let resolved = resolve(schema, data);
    let mut data = match data {
        Value::Null => resolved.get("default").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    if primary_type(&resolved) != Some("object") {
        return data;
    }
    let Some(Value::Object(properties)) = resolved.get("properties") else {
        return data;
    };
    let mut values = match data {
        Value::Object(values) => values,
        _ => Map::new(),
    };
    for (name, property) in properties {
        let property = as_schema(property);
        let current = values.get(name).cloned().unwrap_or(Value::Null);
        let filled = with_defaults(property, &current);
        let empty_object = filled.as_object().is_some_and(Map::is_empty);
        if !(filled.is_null() || empty_object && current.is_null()) {
            values.insert(name.clone(), filled);
        }
    }
    data = Value::Object(values);
    // Defaults can switch conditions on (a default that satisfies `if`); one more pass
    // fills what they bring in.
    let again = resolve(schema, &data);
    if again != resolved {
        let Value::Object(mut values) = data else {
            unreachable!()
        };
        if let Some(Value::Object(properties)) = again.get("properties") {
            for (name, property) in properties {
                if !values.contains_key(name) {
                    let filled = with_defaults(as_schema(property), &Value::Null);
                    if !filled.is_null() && !filled.as_object().is_some_and(Map::is_empty) {
                        values.insert(name.clone(), filled);
                    }
                }
            }
        }
        data = Value::Object(values);
    }
    data
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn schema(value: Value) -> Schema {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn infers_types() {
        assert_eq!(
            primary_type(&schema(json!({"type": ["null", "integer"]}))),
            Some("integer")
        );
        assert_eq!(
            primary_type(&schema(json!({"properties": {}}))),
            Some("object")
        );
        assert_eq!(
            primary_type(&schema(json!({"enum": ["a"]}))),
            Some("string")
        );
        assert_eq!(
            primary_type(&schema(json!({"const": true}))),
            Some("boolean")
        );
        assert_eq!(primary_type(&schema(json!({}))), None);
    }

    #[test]
    fn resolves_if_then_else() {
        let s = schema(json!({
            "properties": {"kind": {"type": "string"}},
            "if": {"properties": {"kind": {"const": "db"}}, "required": ["kind"]},
            "then": {"properties": {"engine": {"type": "string"}}, "required": ["engine"]},
            "else": {"properties": {"port": {"type": "integer"}}}
        }));
        let db = resolve(&s, &json!({"kind": "db"}));
        assert!(db["properties"].get("engine").is_some());
        assert_eq!(db["required"], json!(["engine"]));
        let other = resolve(&s, &json!({"kind": "web"}));
        assert!(other["properties"].get("port").is_some());
        assert!(other["properties"].get("engine").is_none());
        assert!(other.get("if").is_none());
    }

    #[test]
    fn resolves_all_of_and_dependencies() {
        let s = schema(json!({
            "properties": {"a": {"type": "string"}, "b": {"type": "boolean"}},
            "allOf": [{"required": ["a"]}, {"properties": {"c": {"type": "string"}}}],
            "dependencies": {
                "a": ["c"],
                "b": {"oneOf": [
                    {"properties": {"b": {"const": true}, "why": {"type": "string"}}, "required": ["why"]},
                    {"properties": {"b": {"const": false}}}
                ]}
            }
        }));
        let none = resolve(&s, &json!({}));
        assert_eq!(none["required"], json!(["a"]));
        assert!(none["properties"].get("why").is_none());
        let both = resolve(&s, &json!({"a": "x", "b": true}));
        assert_eq!(both["required"], json!(["a", "c", "why"]));
        assert!(both["properties"].get("why").is_some());
        let off = resolve(&s, &json!({"a": "x", "b": false}));
        assert!(off["properties"].get("why").is_none());
    }

    #[test]
    fn fills_defaults_through_objects_and_conditions() {
        let s = schema(json!({
            "properties": {
                "replicas": {"type": "integer", "default": 3},
                "name": {"type": "string"},
                "db": {"type": "object", "properties": {"engine": {"type": "string", "default": "postgres"}}},
                "monitoring": {"type": "boolean", "default": true}
            },
            "if": {"properties": {"monitoring": {"const": true}}, "required": ["monitoring"]},
            "then": {"properties": {"threshold": {"type": "integer", "default": 90}}}
        }));
        let filled = with_defaults(&s, &json!({"replicas": 5}));
        assert_eq!(
            filled,
            json!({"replicas": 5, "db": {"engine": "postgres"}, "monitoring": true, "threshold": 90})
        );
    }
}
