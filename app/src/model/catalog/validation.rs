//! Checks a descriptor against Backstage's rules and says *where* each problem is.
//!
//! [`validate_entity`] takes a descriptor as parsed JSON/YAML and returns the typed
//! [`Entity`] or every problem found, each with the field's path (`spec.providesApis[1]`)
//! so the caller can point at the file, line and column. The messages are sentences
//! that name the field: "spec.owner is required for kind Component".

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    entity::Entity,
    entity_ref::{EntityRef, RefContext, DEFAULT_NAMESPACE},
    kinds::{rules_for, KindRules, Shape},
    names,
};

/// One step of a path into a descriptor.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PathSegment {
    /// A key of a mapping.
    Key(String),
    /// An index into a list.
    Index(usize),
}

/// Where a value sits in a descriptor: `metadata.tags[2]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldPath(pub Vec<PathSegment>);

impl FieldPath {
    /// The path of the key `key` under this one.
    pub fn key(&self, key: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(PathSegment::Key(key.to_owned()));
        Self(segments)
    }

    /// The path of item `index` of the list at this path.
    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(PathSegment::Index(index));
        Self(segments)
    }

    /// The path `a.b.c` from its keys.
    pub fn of(keys: &[&str]) -> Self {
        Self(
            keys.iter()
                .map(|k| PathSegment::Key((*k).to_owned()))
                .collect(),
        )
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Key(key) if i == 0 => write!(f, "{key}")?,
                PathSegment::Key(key) => write!(f, ".{key}")?,
                PathSegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A problem in a descriptor (or a template form's answers), at a field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field at fault; empty for the descriptor as a whole.
    pub path: FieldPath,
    /// What is wrong, as a sentence naming the field.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Collects every problem of one descriptor.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, path: FieldPath, message: String) {
        self.0.push(FieldError { path, message });
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Validates a descriptor and returns it as an [`Entity`], or every problem found.
///
/// `relations` and `status` in the input are dropped: the catalog derives them.
pub fn validate_entity(value: &Value) -> Result<Entity, Vec<FieldError>> {
    let mut problems = Problems::default();
    let Some(root) = value.as_object() else {
        problems.add(
            FieldPath::default(),
            format!(
                "an entity must be a mapping with apiVersion, kind and metadata, not {}",
                describe(value)
            ),
        );
        return Err(problems.0);
    };

    let api_version = required_text(root, &FieldPath::default(), "apiVersion", &mut problems);
    if let Some(api_version) = api_version {
        if let Err(why) = names::check_api_version(api_version) {
            problems.add(
                FieldPath::of(&["apiVersion"]),
                format!("apiVersion '{api_version}' {why}"),
            );
        }
    }
    let kind = required_text(root, &FieldPath::default(), "kind", &mut problems);
    if let Some(kind) = kind {
        if let Err(why) = names::check_kind(kind) {
            problems.add(FieldPath::of(&["kind"]), format!("kind '{kind}' {why}"));
        }
    }
    let namespace = check_metadata(root.get("metadata"), &mut problems);

    match root.get("spec") {
        None => {}
        Some(Value::Object(spec)) => {
            if let Some(rules) = kind.and_then(rules_for) {
                check_spec(rules, spec, namespace.as_deref(), &mut problems);
            }
        }
        Some(other) => problems.add(
            FieldPath::of(&["spec"]),
            format!("spec must be a mapping, not {}", describe(other)),
        ),
    }
    if let (Some(kind), Some(api_version)) = (kind, api_version) {
        if let Some(rules) = rules_for(kind) {
            if !rules.api_versions.contains(&api_version) {
                problems.add(
                    FieldPath::of(&["apiVersion"]),
                    format!(
                        "apiVersion '{api_version}' is not supported for kind {}; use {}",
                        rules.kind,
                        rules.api_versions.join(" or ")
                    ),
                );
            }
            if root.get("spec").is_none() && rules.fields.iter().any(|f| f.required.applies(None)) {
                problems.add(
                    FieldPath::of(&["spec"]),
                    format!("spec is required for kind {}", rules.kind),
                );
            }
        }
    }

    if !problems.0.is_empty() {
        return Err(problems.0);
    }
    let mut value = value.clone();
    if let Some(root) = value.as_object_mut() {
        root.remove("relations");
        root.remove("status");
    }
    serde_json::from_value(value).map_err(|error| {
        vec![FieldError {
            path: FieldPath::default(),
            message: error.to_string(),
        }]
    })
}

/// A required string field of `object`; reports it missing, empty or of the wrong type.
fn required_text<'a>(
    object: &'a Map<String, Value>,
    at: &FieldPath,
    key: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    let path = at.key(key);
    match object.get(key) {
        None | Some(Value::Null) => {
            problems.add(path.clone(), format!("{path} is required"));
            None
        }
        Some(value) => text(value, &path, problems),
    }
}

/// A non-empty string, or a problem at `path`.
fn text<'a>(value: &'a Value, path: &FieldPath, problems: &mut Problems) -> Option<&'a str> {
    match value {
        Value::String(s) if s.is_empty() => {
            problems.add(path.clone(), format!("{path} must not be empty"));
            None
        }
        Value::String(s) => Some(s),
        other => {
            problems.add(
                path.clone(),
                format!("{path} must be a string, not {}", describe(other)),
            );
            None
        }
    }
}

/// An optional string field (may be empty, as `description` may).
fn optional_string(
    object: &Map<String, Value>,
    at: &FieldPath,
    key: &str,
    problems: &mut Problems,
) {
    match object.get(key) {
        None | Some(Value::String(_)) => {}
        Some(other) => {
            let path = at.key(key);
            problems.add(
                path.clone(),
                format!("{path} must be a string, not {}", describe(other)),
            );
        }
    }
}

/// Checks `metadata`; returns the entity's namespace when it is usable.
fn check_metadata(metadata: Option<&Value>, problems: &mut Problems) -> Option<String> {
    let at = FieldPath::of(&["metadata"]);
    let metadata = match metadata {
        None | Some(Value::Null) => {
            problems.add(at, "metadata is required, with at least a name".into());
            return None;
        }
        Some(Value::Object(metadata)) => metadata,
        Some(other) => {
            problems.add(
                at,
                format!("metadata must be a mapping, not {}", describe(other)),
            );
            return None;
        }
    };

    if let Some(name) = required_text(metadata, &at, "name", problems) {
        if let Err(why) = names::check_name(name) {
            problems.add(at.key("name"), format!("metadata.name '{name}' {why}"));
        }
    }
    let mut namespace = Some(DEFAULT_NAMESPACE.to_owned());
    if let Some(value) = metadata.get("namespace") {
        let path = at.key("namespace");
        namespace = text(value, &path, problems).map(str::to_owned);
        if let Some(ns) = &namespace {
            if let Err(why) = names::check_namespace(ns) {
                problems.add(path, format!("metadata.namespace '{ns}' {why}"));
                namespace = None;
            }
        }
    }
    for key in ["title", "description", "uid", "etag"] {
        optional_string(metadata, &at, key, problems);
    }
    check_string_map(metadata, &at, "labels", true, problems);
    check_string_map(metadata, &at, "annotations", false, problems);

    match metadata.get("tags") {
        None => {}
        Some(Value::Array(tags)) => {
            for (i, tag) in tags.iter().enumerate() {
                let path = at.key("tags").index(i);
                if let Some(tag) = text(tag, &path, problems) {
                    if let Err(why) = names::check_tag(tag) {
                        problems.add(path, format!("metadata.tags[{i}] '{tag}' {why}"));
                    }
                }
            }
        }
        Some(other) => problems.add(
            at.key("tags"),
            format!(
                "metadata.tags must be a list of strings, not {}",
                describe(other)
            ),
        ),
    }

    match metadata.get("links") {
        None => {}
        Some(Value::Array(links)) => {
            for (i, link) in links.iter().enumerate() {
                let path = at.key("links").index(i);
                match link {
                    Value::Object(link) => {
                        required_text(link, &path, "url", problems);
                        for key in ["title", "icon", "type"] {
                            optional_string(link, &path, key, problems);
                        }
                    }
                    other => problems.add(
                        path.clone(),
                        format!(
                            "{path} must be a mapping with a url, not {}",
                            describe(other)
                        ),
                    ),
                }
            }
        }
        Some(other) => problems.add(
            at.key("links"),
            format!("metadata.links must be a list, not {}", describe(other)),
        ),
    }
    namespace
}

/// `metadata.labels` or `metadata.annotations`: a mapping of valid keys to strings.
fn check_string_map(
    metadata: &Map<String, Value>,
    at: &FieldPath,
    field: &str,
    check_values: bool,
    problems: &mut Problems,
) {
    let path = at.key(field);
    let map = match metadata.get(field) {
        None => return,
        Some(Value::Object(map)) => map,
        Some(other) => {
            problems.add(
                path.clone(),
                format!("{path} must be a mapping, not {}", describe(other)),
            );
            return;
        }
    };
    for (key, value) in map {
        let entry = path.key(key);
        if let Err(why) = names::check_key(key) {
            problems.add(entry.clone(), format!("{path} key '{key}' {why}"));
        }
        match value {
            Value::String(value) if check_values => {
                if let Err(why) = names::check_label_value(value) {
                    problems.add(entry, format!("{path}.{key} value '{value}' {why}"));
                }
            }
            Value::String(_) => {}
            other => problems.add(
                entry,
                format!("{path}.{key} must be a string, not {}", describe(other)),
            ),
        }
    }
}

/// Checks a known kind's spec fields: presence, shape, and that refs parse.
fn check_spec(
    rules: &KindRules,
    spec: &Map<String, Value>,
    namespace: Option<&str>,
    problems: &mut Problems,
) {
    let at = FieldPath::of(&["spec"]);
    let spec_type = spec.get("type").and_then(Value::as_str);
    for field in rules.fields {
        let path = at.key(field.name);
        let value = match spec.get(field.name) {
            None | Some(Value::Null) => {
                if field.required.applies(spec_type) {
                    problems.add(
                        path.clone(),
                        format!("{path} is required for kind {}", rules.kind),
                    );
                }
                continue;
            }
            Some(value) => value,
        };
        let ref_context = field.relation.map(|rule| RefContext {
            default_kind: rule.default_kind,
            default_namespace: namespace,
        });
        let check_ref = |text: &str, path: &FieldPath, problems: &mut Problems| {
            if let Some(context) = ref_context {
                if let Err(why) = EntityRef::parse(text, context) {
                    problems.add(path.clone(), format!("{path}: {why}"));
                }
            }
        };
        match field.shape {
            Shape::Text => {
                if let Some(s) = text(value, &path, problems) {
                    check_ref(s, &path, problems);
                }
            }
            Shape::TextList => match value {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let item_path = path.index(i);
                        if let Some(s) = text(item, &item_path, problems) {
                            check_ref(s, &item_path, problems);
                        }
                    }
                }
                other => problems.add(
                    path.clone(),
                    format!("{path} must be a list of strings, not {}", describe(other)),
                ),
            },
            Shape::Object => {
                if !value.is_object() {
                    problems.add(
                        path.clone(),
                        format!("{path} must be a mapping, not {}", describe(value)),
                    );
                }
            }
            Shape::ObjectList => check_object_list(value, &path, problems),
            Shape::ObjectOrObjectList => {
                if !value.is_object() {
                    check_object_list(value, &path, problems);
                }
            }
        }
    }
    if rules.kind == "Template" {
        if let Some(Value::Array(steps)) = spec.get("steps") {
            for (i, step) in steps.iter().enumerate() {
                if let Value::Object(step) = step {
                    required_text(step, &at.key("steps").index(i), "action", problems);
                }
            }
        }
    }
}

fn check_object_list(value: &Value, path: &FieldPath, problems: &mut Problems) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if !item.is_object() {
                    let item_path = path.index(i);
                    problems.add(
                        item_path.clone(),
                        format!("{item_path} must be a mapping, not {}", describe(item)),
                    );
                }
            }
        }
        other => problems.add(
            path.clone(),
            format!("{path} must be a list, not {}", describe(other)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn component() -> Value {
        json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": { "name": "petstore", "tags": ["java"], "annotations": {"backstage.io/techdocs-ref": "dir:."} },
            "spec": { "type": "service", "lifecycle": "production", "owner": "team-a",
                      "providesApis": ["petstore"], "dependsOn": ["resource:petstore-db"] }
        })
    }

    fn messages(value: &Value) -> Vec<String> {
        validate_entity(value)
            .unwrap_err()
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    fn paths(value: &Value) -> Vec<String> {
        validate_entity(value)
            .unwrap_err()
            .into_iter()
            .map(|e| e.path.to_string())
            .collect()
    }

    #[test]
    fn a_valid_component_becomes_an_entity() {
        let entity = validate_entity(&component()).unwrap();
        assert_eq!(
            entity.entity_ref().to_string(),
            "component:default/petstore"
        );
        assert_eq!(entity.metadata.namespace, "default");
        assert_eq!(entity.spec_str("owner"), Some("team-a"));
    }

    #[test]
    fn missing_required_fields_are_named_with_the_kind() {
        let mut value = component();
        value["spec"].as_object_mut().unwrap().remove("owner");
        assert_eq!(
            messages(&value),
            ["spec.owner is required for kind Component"]
        );
        assert_eq!(paths(&value), ["spec.owner"]);
    }

    #[test]
    fn bad_names_say_what_is_allowed() {
        let mut value = component();
        value["metadata"]["name"] = json!("Foo Bar");
        assert_eq!(
            messages(&value),
            ["metadata.name 'Foo Bar' may only contain letters, digits, '-', '_' and '.' (found ' ')"]
        );
    }

    #[test]
    fn wrong_types_name_the_type_found() {
        let mut value = component();
        value["metadata"]["name"] = json!(42);
        value["spec"]["providesApis"] = json!("petstore");
        value["metadata"]["tags"] = json!(["ok", 3]);
        let found = messages(&value);
        assert!(
            found.contains(&"metadata.name must be a string, not a number".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"spec.providesApis must be a list of strings, not a string".to_owned())
        );
        assert!(found.contains(&"metadata.tags[1] must be a string, not a number".to_owned()));
    }

    #[test]
    fn refs_without_a_needed_kind_are_errors() {
        let mut value = component();
        value["spec"]["dependsOn"] = json!(["resource:db", "artists-db"]);
        assert_eq!(paths(&value), ["spec.dependsOn[1]"]);
        assert!(messages(&value)[0].contains("needs a kind"));
    }

    #[test]
    fn the_envelope_is_required() {
        assert_eq!(paths(&json!({})), ["apiVersion", "kind", "metadata"]);
        assert!(messages(&json!(["a"]))[0].contains("must be a mapping"));
        assert_eq!(
            messages(&json!({"apiVersion": "v1", "kind": "Thing", "metadata": {}})),
            ["metadata.name is required"]
        );
    }

    #[test]
    fn unknown_kinds_get_envelope_validation_only() {
        let value = json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "AiResource",
            "metadata": {"name": "skill"}, "spec": {"anything": [1, 2]}
        });
        assert_eq!(validate_entity(&value).unwrap().kind, "AiResource");
    }

    #[test]
    fn known_kinds_need_their_api_version() {
        let mut value = component();
        value["apiVersion"] = json!("backstage.io/v2");
        assert_eq!(
            messages(&value),
            ["apiVersion 'backstage.io/v2' is not supported for kind Component; use backstage.io/v1alpha1 or backstage.io/v1beta1"]
        );
    }

    #[test]
    fn labels_annotations_tags_and_links_are_checked() {
        let mut value = component();
        value["metadata"]["labels"] = json!({"Bad Key": "x", "tier": "not ok"});
        value["metadata"]["annotations"] = json!({"backstage.io/x": 5});
        value["metadata"]["tags"] = json!(["Java"]);
        value["metadata"]["links"] = json!([{"title": "no url"}, "x"]);
        assert_eq!(
            paths(&value),
            [
                "metadata.labels.Bad Key",
                "metadata.labels.tier",
                "metadata.annotations.backstage.io/x",
                "metadata.tags[0]",
                "metadata.links[0].url",
                "metadata.links[1]",
            ]
        );
    }

    #[test]
    fn namespaces_are_dns_labels_and_set_ref_defaults() {
        let mut value = component();
        value["metadata"]["namespace"] = json!("Ops");
        assert_eq!(paths(&value), ["metadata.namespace"]);
    }

    #[test]
    fn templates_need_steps_with_actions() {
        let value = json!({
            "apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
            "metadata": {"name": "t"},
            "spec": {"type": "service", "steps": [{"id": "x"}], "parameters": [{"title": "a"}, 3]}
        });
        assert_eq!(
            paths(&value),
            ["spec.parameters[1]", "spec.steps[0].action"]
        );
    }

    #[test]
    fn a_location_without_targets_is_valid_as_in_backstage() {
        let value = json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Location",
            "metadata": {"name": "l"}, "spec": {"type": "url"}
        });
        assert!(validate_entity(&value).is_ok());
        let mut listed = value.clone();
        listed["spec"]["targets"] = json!("./one.yaml");
        assert_eq!(paths(&listed), ["spec.targets"]);
    }

    #[test]
    fn relations_and_status_in_the_input_are_dropped() {
        let mut value = component();
        value["relations"] = json!([{"type": "ownedBy", "targetRef": "group:default/x"}]);
        value["status"] = json!({"items": []});
        let entity = validate_entity(&value).unwrap();
        assert!(entity.relations.is_empty());
        assert!(entity.status.is_none());
    }

    #[test]
    fn mcp_server_apis_need_remotes_instead_of_a_definition() {
        let mut value = json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "API", "metadata": {"name": "mcp"},
            "spec": {"type": "mcp-server", "lifecycle": "experimental", "owner": "team-a"}
        });
        assert_eq!(messages(&value), ["spec.remotes is required for kind API"]);
        value["spec"]["remotes"] = json!([{"type": "streamable-http", "url": "http://x"}]);
        assert!(validate_entity(&value).is_ok());
        value["spec"]["type"] = json!("openapi");
        assert_eq!(
            messages(&value),
            ["spec.definition is required for kind API"]
        );
    }
}
