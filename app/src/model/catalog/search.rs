//! The flattened key/value view of an entity that filters and sorting run on, as
//! Backstage's `buildEntitySearch` makes it: lower-case dotted keys (`spec.type`,
//! `metadata.tags`), lower-case string values, one entry per array item plus a
//! `path.item = true` entry for string items (`metadata.tags.java`).

use serde_json::Value;

use super::entity::Entity;

/// Keys and values longer than this are not searchable, as in Backstage.
pub const MAX_LENGTH: usize = 200;

/// One search entry: a lower-case key, the lower-case value filters compare, and the
/// value as written, which facets show.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SearchEntry {
    /// `spec.type`, `metadata.tags`…
    pub key: String,
    /// The value, lower-case.
    pub value: String,
    /// The value as written.
    pub original: String,
}

/// What an entity can be searched by: its entries, and the keys it has whose value
/// cannot be searched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Searchable {
    /// Key and value pairs, sorted, without duplicates.
    pub entries: Vec<SearchEntry>,
    /// Lower-case keys whose value is `null` or longer than [`MAX_LENGTH`] (an API's
    /// `spec.definition`, a long description), sorted, without duplicates: Backstage
    /// keeps them with no value, so that a filter on the key alone (`spec.definition`,
    /// "exists") finds them while no value matches.
    pub keys_only: Vec<String>,
}

/// The search entries of an entity. `relations` are not included: they are queried
/// from the relations themselves.
pub fn search_entries(entity: &Entity) -> Searchable {
    let mut out = Vec::new();
    let mut keys_only = Vec::new();
    let mut push = |key: String, value: Option<String>| {
        if key.len() > MAX_LENGTH {
            return;
        }
        match value {
            Some(value) if value.len() <= MAX_LENGTH => out.push(SearchEntry {
                key: key.to_lowercase(),
                value: value.to_lowercase(),
                original: value,
            }),
            _ => keys_only.push(key.to_lowercase()),
        }
    };
    push("apiversion".into(), Some(entity.api_version.clone()));
    push("kind".into(), Some(entity.kind.clone()));
    push("metadata.name".into(), Some(entity.metadata.name.clone()));
    push(
        "metadata.namespace".into(),
        Some(entity.metadata.namespace.clone()),
    );
    if let Some(uid) = &entity.metadata.uid {
        push("metadata.uid".into(), Some(uid.clone()));
    }
    let mut rest = serde_json::to_value(entity).unwrap_or(Value::Null);
    if let Some(root) = rest.as_object_mut() {
        for key in ["apiVersion", "kind", "relations", "status"] {
            root.remove(key);
        }
        if let Some(metadata) = root.get_mut("metadata").and_then(Value::as_object_mut) {
            for key in ["name", "namespace", "uid", "etag"] {
                metadata.remove(key);
            }
        }
    }
    visit("", &rest, &mut push);
    out.sort();
    out.dedup_by(|a, b| a.key == b.key && a.value == b.value);
    keys_only.sort();
    keys_only.dedup();
    Searchable {
        entries: out,
        keys_only,
    }
}

fn visit(path: &str, value: &Value, push: &mut dyn FnMut(String, Option<String>)) {
    match value {
        Value::Null => push(path.to_owned(), None),
        Value::Bool(b) => push(path.to_owned(), Some(b.to_string())),
        Value::Number(n) => push(path.to_owned(), Some(n.to_string())),
        Value::String(s) => push(path.to_owned(), Some(s.clone())),
        Value::Array(items) => {
            for item in items {
                visit(path, item, push);
                if let Value::String(s) = item {
                    push(format!("{path}.{s}"), Some("true".into()));
                }
            }
        }
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                visit(&child_path, child, push);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::catalog::validation::validate_entity;

    #[test]
    fn flattens_like_backstage() {
        let entity = validate_entity(&json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "Petstore", "tags": ["java", "web"], "annotations": {"backstage.io/techdocs-ref": "dir:."},
                         "description": &"x".repeat(201)},
            "spec": {"type": "service", "lifecycle": "production", "owner": "team-a", "replicas": 3, "public": true}
        }))
        .unwrap();
        let searchable = search_entries(&entity);
        let entries = &searchable.entries;
        let has = |k: &str, v: &str| entries.iter().any(|e| e.key == k && e.value == v);
        assert!(has("kind", "component"));
        assert!(has("metadata.name", "petstore"));
        assert!(has("metadata.namespace", "default"));
        assert!(has("metadata.tags", "java") && has("metadata.tags", "web"));
        assert!(has("metadata.tags.java", "true"));
        assert!(has(
            "metadata.annotations.backstage.io/techdocs-ref",
            "dir:."
        ));
        assert!(has("spec.type", "service") && has("spec.owner", "team-a"));
        assert!(has("spec.replicas", "3") && has("spec.public", "true"));
        assert!(
            !entries.iter().any(|e| e.key == "metadata.description"),
            "too long to search"
        );
        assert_eq!(
            searchable.keys_only,
            ["metadata.description"],
            "but there: a filter on the key alone finds it"
        );
    }
}
