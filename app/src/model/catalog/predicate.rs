//! Backstage's predicate queries (`@backstage/filter-predicates`), as catalog-client's
//! `queryEntities({query})` and `getEntityFacets({query})` send them in a `POST` body:
//!
//! ```json
//! { "$all": [ { "kind": "component", "spec.type": { "$in": ["service", "website"] } },
//!             { "$not": { "metadata.annotations.backstage.io/orphan": { "$exists": true } } } ] }
//! ```
//!
//! Keys are dotted paths into the entity, as in the `filter` grammar
//! ([`super::filter`]): `metadata.tags`, `relations.ownedby`. Values compare without case,
//! and numbers and booleans as their text (`7` equals `"7"`). Every key of an object must
//! match; `$all`, `$any` and `$not` stand alone in theirs.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::filter::QueryError;

/// A predicate over entities.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Predicate {
    /// Every one holds (none: every entity).
    All(Vec<Predicate>),
    /// At least one holds (none: no entity).
    Any(Vec<Predicate>),
    /// It does not hold.
    Not(Box<Predicate>),
    /// The field at `key` (lower-case dotted path) passes `test`.
    Field { key: String, test: FieldTest },
}

/// What a field must be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldTest {
    /// Equal to one of these lower-case values (an array: an item equal to one).
    In(Vec<String>),
    /// Present (`true`) or absent (`false`).
    Exists(bool),
    /// A text starting with this lower-case prefix (an array: an item that does).
    HasPrefix(String),
}

impl Predicate {
    /// Reads a predicate from its JSON, or says what is wrong and where.
    pub fn from_json(value: &Value) -> Result<Self, QueryError> {
        predicate(value, "query")
    }

    /// Whether a record passes, given `values_at(key)`: the lower-case values of a
    /// record's field (none when it has no such field; several for an array). The
    /// catalog's entities are selected in SQL; this serves small lists (locations).
    pub fn matches(&self, values_at: &dyn Fn(&str) -> Vec<String>) -> bool {
        match self {
            Predicate::All(items) => items.iter().all(|p| p.matches(values_at)),
            Predicate::Any(items) => items.iter().any(|p| p.matches(values_at)),
            Predicate::Not(inner) => !inner.matches(values_at),
            Predicate::Field { key, test } => {
                let values = values_at(key);
                match test {
                    FieldTest::In(wanted) => values.iter().any(|v| wanted.contains(v)),
                    FieldTest::Exists(exists) => values.is_empty() != *exists,
                    FieldTest::HasPrefix(prefix) => {
                        values.iter().any(|v| v.starts_with(prefix.as_str()))
                    }
                }
            }
        }
    }
}

fn invalid(at: &str, message: impl std::fmt::Display) -> QueryError {
    QueryError(format!("invalid predicate at {at}: {message}"))
}

fn predicate(value: &Value, at: &str) -> Result<Predicate, QueryError> {
    let Value::Object(map) = value else {
        return Err(invalid(
            at,
            "expected an object such as {\"kind\": \"component\"}",
        ));
    };
    if let Some(operator) = map
        .keys()
        .find(|k| matches!(k.as_str(), "$all" | "$any" | "$not"))
    {
        if map.len() > 1 {
            return Err(invalid(
                at,
                format!("{operator} must be the only key of its object"),
            ));
        }
        let inner = &map[operator];
        let here = format!("{at}.{operator}");
        return match operator.as_str() {
            "$not" => Ok(Predicate::Not(Box::new(predicate(inner, &here)?))),
            _ => {
                let Value::Array(items) = inner else {
                    return Err(invalid(&here, "expected a list of predicates"));
                };
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| predicate(item, &format!("{here}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(match operator.as_str() {
                    "$all" => Predicate::All(items),
                    _ => Predicate::Any(items),
                })
            }
        };
    }
    let mut fields = Vec::with_capacity(map.len());
    for (key, value) in map {
        if key.starts_with('$') {
            return Err(invalid(at, format!("unknown operator {key}")));
        }
        if key.trim().is_empty() {
            return Err(invalid(at, "a key is empty"));
        }
        fields.push(field(
            &key.trim().to_lowercase(),
            value,
            &format!("{at}.{key}"),
        )?);
    }
    Ok(match fields.len() {
        1 => fields.remove(0),
        _ => Predicate::All(fields),
    })
}

/// The predicate that the field at `key` matches `value` (a primitive or a matcher).
fn field(key: &str, value: &Value, at: &str) -> Result<Predicate, QueryError> {
    let test = |test| Predicate::Field {
        key: key.to_owned(),
        test,
    };
    let Value::Object(matcher) = value else {
        return Ok(test(FieldTest::In(vec![primitive(value, at)?])));
    };
    let [(operator, operand)] = matcher.iter().collect::<Vec<_>>()[..] else {
        return Err(invalid(
            at,
            "a matcher has exactly one operator, as in {\"$in\": [\"a\", \"b\"]}",
        ));
    };
    let here = format!("{at}.{operator}");
    match operator.as_str() {
        "$exists" => match operand {
            Value::Bool(exists) => Ok(test(FieldTest::Exists(*exists))),
            _ => Err(invalid(&here, "expected true or false")),
        },
        "$in" => match operand {
            Value::Array(values) => Ok(test(FieldTest::In(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| primitive(v, &format!("{here}[{i}]")))
                    .collect::<Result<_, _>>()?,
            ))),
            _ => Err(invalid(&here, "expected a list of values")),
        },
        "$hasPrefix" => match operand {
            Value::String(prefix) => Ok(test(FieldTest::HasPrefix(prefix.to_lowercase()))),
            _ => Err(invalid(&here, "expected a text")),
        },
        // The catalog's key/value view descends through arrays: an item of
        // `metadata.tags` is a value of `metadata.tags`, a field of an item of
        // `metadata.links` is a value of `metadata.links.<field>`.
        "$contains" => match operand {
            Value::Object(item) if !item.keys().any(|k| k.starts_with('$')) => {
                contains_fields(key, item, &here)
            }
            other => field(key, other, &here),
        },
        other => Err(invalid(at, format!("unknown operator {other}"))),
    }
}

/// `$contains` with an object: an item whose every field matches.
fn contains_fields(
    key: &str,
    item: &Map<String, Value>,
    at: &str,
) -> Result<Predicate, QueryError> {
    let mut fields = Vec::with_capacity(item.len());
    for (sub, value) in item {
        let path = format!("{key}.{}", sub.trim().to_lowercase());
        fields.push(field(&path, value, &format!("{at}.{sub}"))?);
    }
    Ok(match fields.len() {
        1 => fields.remove(0),
        _ => Predicate::All(fields),
    })
}

/// A primitive's text, as the catalog compares it: lower-case; numbers and booleans as
/// written in JSON.
fn primitive(value: &Value, at: &str) -> Result<String, QueryError> {
    match value {
        Value::String(text) => Ok(text.to_lowercase()),
        Value::Number(number) => Ok(number.to_string()),
        Value::Bool(flag) => Ok(flag.to_string()),
        _ => Err(invalid(at, "expected a text, a number or true/false")),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> Result<Predicate, String> {
        Predicate::from_json(&value).map_err(|e| e.0)
    }

    fn is(key: &str, values: &[&str]) -> Predicate {
        Predicate::Field {
            key: key.into(),
            test: FieldTest::In(values.iter().map(|v| (*v).to_owned()).collect()),
        }
    }

    #[test]
    fn reads_what_catalog_client_sends() {
        // convertFilterToPredicate({kind: 'Component', 'spec.type': ['service', 'website']})
        let predicate = parse(json!({"$all": [
            {"kind": "Component"},
            {"spec.type": {"$in": ["service", "Website"]}},
        ]}))
        .unwrap();
        assert_eq!(
            predicate,
            Predicate::All(vec![
                is("kind", &["component"]),
                is("spec.type", &["service", "website"])
            ])
        );
        let several =
            parse(json!({"Kind": "API", "metadata.annotations.x/y": {"$exists": false}})).unwrap();
        assert_eq!(
            several,
            Predicate::All(vec![
                is("kind", &["api"]),
                Predicate::Field {
                    key: "metadata.annotations.x/y".into(),
                    test: FieldTest::Exists(false)
                }
            ])
        );
        assert_eq!(
            parse(json!({"$not": {"spec.lifecycle": 7}})).unwrap(),
            Predicate::Not(Box::new(is("spec.lifecycle", &["7"])))
        );
        assert_eq!(parse(json!({"$any": []})).unwrap(), Predicate::Any(vec![]));
    }

    #[test]
    fn contains_and_prefix_read_through_arrays() {
        assert_eq!(
            parse(json!({"metadata.tags": {"$contains": "Java"}})).unwrap(),
            is("metadata.tags", &["java"])
        );
        assert_eq!(
            parse(json!({"metadata.links": {"$contains": {"title": "Docs"}}})).unwrap(),
            is("metadata.links.title", &["docs"])
        );
        assert_eq!(
            parse(json!({"metadata.name": {"$hasPrefix": "Pay"}})).unwrap(),
            Predicate::Field {
                key: "metadata.name".into(),
                test: FieldTest::HasPrefix("pay".into())
            }
        );
    }

    #[test]
    fn records_are_matched_in_memory() {
        let record = |key: &str| match key {
            "type" => vec!["url".to_owned()],
            "target" => vec!["https://example.com/catalog-info.yaml".to_owned()],
            _ => Vec::new(),
        };
        let matches = |value: Value| parse(value).unwrap().matches(&record);
        assert!(matches(json!({"type": "URL"})));
        assert!(matches(
            json!({"target": {"$hasPrefix": "https://example.com/"}, "id": {"$exists": false}})
        ));
        assert!(!matches(
            json!({"$not": {"type": {"$in": ["file", "url"]}}})
        ));
        assert!(matches(
            json!({"$any": [{"type": "file"}, {"type": "url"}]})
        ));
        assert!(!matches(json!({"$any": []})));
    }

    #[test]
    fn bad_predicates_say_where() {
        let error =
            parse(json!({"$all": [{"kind": "a"}, {"spec.type": {"$regex": "x"}}]})).unwrap_err();
        assert_eq!(
            error,
            "invalid predicate at query.$all[1].spec.type: unknown operator $regex"
        );
        assert!(parse(json!({"$all": [], "kind": "x"}))
            .unwrap_err()
            .contains("only key"));
        assert!(parse(json!(["kind"]))
            .unwrap_err()
            .contains("expected an object"));
        assert!(parse(json!({"kind": null}))
            .unwrap_err()
            .contains("query.kind"));
        assert!(parse(json!({"kind": {"$in": "a"}}))
            .unwrap_err()
            .contains("list of values"));
        assert!(parse(json!({"kind": {"$exists": true, "$in": []}}))
            .unwrap_err()
            .contains("exactly one"));
    }
}
