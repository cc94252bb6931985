//! Placeholders: `{$text: ./openapi.yaml}`, `{$json: …}`, `{$yaml: …}` anywhere in a
//! descriptor are replaced by the named file's contents (as a string, or parsed), as
//! Backstage's placeholder processor does.
//!
//! Where a target may be read from is the caller's decision: it passes a [`ReadTarget`]
//! that resolves targets relative to the descriptor and enforces its policy (no path
//! traversal out of the location, URLs only from allowed hosts).

use app::model::catalog::validation::{FieldError, FieldPath};
use serde_json::{Map, Value};

use super::yaml::parse_documents;

/// Reads a placeholder's target; `Err` says why it cannot be read.
pub type ReadTarget<'a> = dyn FnMut(&str) -> Result<String, String> + 'a;

/// The most placeholders one document may use.
const MAX_PLACEHOLDERS: usize = 100;

/// Replaces every placeholder in `value`; returns a problem per placeholder that could
/// not be resolved (the placeholder is then left as written).
pub fn resolve_placeholders(value: &mut Value, read: &mut ReadTarget<'_>) -> Vec<FieldError> {
    let mut problems = Vec::new();
    let mut budget = MAX_PLACEHOLDERS;
    resolve_at(
        value,
        &FieldPath::default(),
        read,
        &mut problems,
        &mut budget,
    );
    problems
}

fn resolve_at(
    value: &mut Value,
    path: &FieldPath,
    read: &mut ReadTarget<'_>,
    problems: &mut Vec<FieldError>,
    budget: &mut usize,
) {
    match value {
        Value::Object(map) => {
            if let Some((key, target)) = as_placeholder(map) {
                // Reported at the placeholder's own `$text:` line.
                let problem = |message: String| FieldError {
                    path: path.key(key),
                    message,
                };
                if *budget == 0 {
                    problems.push(problem(format!(
                        "{path}: more than {MAX_PLACEHOLDERS} placeholders in one entity"
                    )));
                    return;
                }
                *budget -= 1;
                match substitute(key, target, read) {
                    Ok(resolved) => *value = resolved,
                    Err(why) => problems.push(problem(format!("{path}: {key} {why}"))),
                }
                return;
            }
            for (key, child) in map.iter_mut() {
                resolve_at(child, &path.key(key), read, problems, budget);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                resolve_at(child, &path.index(i), read, problems, budget);
            }
        }
        _ => {}
    }
}

/// `Some((key, target))` for a mapping of exactly one `$`-key.
fn as_placeholder(map: &Map<String, Value>) -> Option<(&str, &Value)> {
    if map.len() != 1 {
        return None;
    }
    let (key, target) = map.iter().next()?;
    key.starts_with('$').then_some((key.as_str(), target))
}

fn substitute(key: &str, target: &Value, read: &mut ReadTarget<'_>) -> Result<Value, String> {
    if !matches!(key, "$text" | "$json" | "$yaml") {
        return Err("is not a placeholder Portico knows; use $text, $json or $yaml".into());
    }
    let Some(target) = target.as_str().filter(|t| !t.is_empty()) else {
        return Err("needs a file or URL to read, as a string".into());
    };
    let text = read(target).map_err(|why| format!("'{target}': {why}"))?;
    match key {
        "$text" => Ok(Value::String(text)),
        "$json" => serde_json::from_str(&text)
            .map_err(|error| format!("'{target}' is not valid JSON: {error}")),
        _ => {
            let mut documents = parse_documents(&text).map_err(|error| {
                format!(
                    "'{target}' is not valid YAML (line {}, column {}): {}",
                    error.position.line, error.position.column, error.message
                )
            })?;
            Ok(if documents.is_empty() {
                Value::Null
            } else {
                documents.swap_remove(0).value
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn files(target: &str) -> Result<String, String> {
        match target {
            "./api.yaml" => Ok("openapi: 3.0.0\ninfo:\n  title: Pets\n".into()),
            "data.json" => Ok(r#"{"a": [1, 2]}"#.into()),
            "broken.json" => Ok("{oops".into()),
            _ => Err("no such file".into()),
        }
    }

    #[test]
    fn replaces_text_json_and_yaml() {
        let mut value = json!({"spec": {
            "definition": {"$text": "./api.yaml"},
            "data": {"$json": "data.json"},
            "parsed": [{"$yaml": "./api.yaml"}],
            "plain": {"$text": "x", "other": 1}
        }});
        let problems = resolve_placeholders(&mut value, &mut files);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            value["spec"]["definition"],
            json!("openapi: 3.0.0\ninfo:\n  title: Pets\n")
        );
        assert_eq!(value["spec"]["data"], json!({"a": [1, 2]}));
        assert_eq!(value["spec"]["parsed"][0]["info"]["title"], json!("Pets"));
        // Two keys: not a placeholder, left alone.
        assert_eq!(value["spec"]["plain"], json!({"$text": "x", "other": 1}));
    }

    #[test]
    fn failures_name_the_field_and_the_target() {
        let mut value = json!({"spec": {
            "a": {"$text": "./missing.yaml"},
            "b": {"$json": "broken.json"},
            "c": {"$include": "x"},
            "d": {"$text": 5}
        }});
        let problems: Vec<_> = resolve_placeholders(&mut value, &mut files)
            .into_iter()
            .map(|p| (p.path.to_string(), p.message))
            .collect();
        assert_eq!(
            problems[0],
            (
                "spec.a.$text".into(),
                "spec.a: $text './missing.yaml': no such file".into()
            )
        );
        assert!(
            problems[1]
                .1
                .starts_with("spec.b: $json 'broken.json' is not valid JSON"),
            "{problems:?}"
        );
        assert_eq!(
            problems[2].1,
            "spec.c: $include is not a placeholder Portico knows; use $text, $json or $yaml"
        );
        assert_eq!(
            problems[3].1,
            "spec.d: $text needs a file or URL to read, as a string"
        );
    }
}
