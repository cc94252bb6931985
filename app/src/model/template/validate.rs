//! The template form's validator: a JSON Schema (the keywords templates use) applied to
//! what the user entered, with one plain sentence per problem, at the field's path.
//!
//! The browser runs it on every keystroke and the server runs it again when a task is
//! created, so a message the user saw is exactly what the server enforces. Field
//! extensions (`ui:field: EntityPicker`, `RepoUrlPicker`, …) add their own checks here.
//! Checks that need the catalog (does this entity exist?) are the server's, not this
//! module's.

use serde_json::Value;

use super::{
    repo_url::RepoUrl,
    schema::{as_schema, is_blank, primary_type, required, resolve, text, ui_option, Schema},
};
use crate::model::{
    catalog::entity_ref::{EntityRef, RefContext},
    catalog::names,
    catalog::validation::{FieldError, FieldPath},
};

/// Every problem of `data` against `schema`, in the order of the schema's fields.
pub fn validate(schema: &Schema, data: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check(schema, Some(data), &FieldPath::default(), &mut errors);
    errors
}

/// Whether `data` satisfies `schema` (for `if`, `oneOf` and `anyOf`).
pub fn is_valid(schema: &Schema, data: &Value) -> bool {
    validate(schema, data).is_empty()
}

fn check(schema: &Schema, value: Option<&Value>, path: &FieldPath, errors: &mut Vec<FieldError>) {
    let mut add = |message: String| {
        errors.push(FieldError {
            path: path.clone(),
            message,
        })
    };
    let empty_object = Value::Object(Default::default());
    // An object the user has not touched is still checked for its required fields, as
    // the form shows them; other blank values have nothing to check.
    let untouched_object =
        primary_type(schema) == Some("object") && schema.contains_key("properties");
    let value = match value {
        v if is_blank(v) && !matches!(v, Some(Value::Array(_))) && untouched_object => {
            &empty_object
        }
        v if is_blank(v) && !matches!(v, Some(Value::Array(_))) => return,
        Some(v) => v,
        None => return,
    };
    let schema = &resolve(schema, value);
    if let Some(expected) = type_mismatch(schema, value) {
        add(expected.into());
        return;
    }
    if let Some(Value::Array(allowed)) = schema.get("enum") {
        if !allowed.contains(value) {
            add(format!(
                "Choose one of: {}.",
                choice_labels(schema, allowed)
            ));
        }
    }
    if let Some(expected) = schema.get("const") {
        if expected != value {
            add(format!("Must be {}.", show(expected)));
        }
    }
    match value {
        Value::String(s) => check_text(schema, s, &mut add),
        Value::Number(n) => check_number(schema, n.as_f64().unwrap_or(f64::NAN), &mut add),
        Value::Array(items) => check_list(schema, items, &mut add),
        _ => {}
    }
    check_extension(schema, value, &mut add);
    check_alternatives(schema, value, &mut add);
    // Nested fields come last so a field's own message precedes its parts'.
    if let Value::Array(items) = value {
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                let item_schema = match item_schema {
                    Value::Array(tuple) => tuple.get(i).map(as_schema),
                    other => Some(as_schema(other)),
                };
                if let Some(item_schema) = item_schema {
                    check(item_schema, Some(item), &path.index(i), errors);
                }
            }
        }
    }
    if let Value::Object(values) = value {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in required(schema) {
            if is_blank(values.get(name)) {
                let property = properties.and_then(|p| p.get(name)).map(as_schema);
                let message = match property.and_then(primary_type) {
                    Some("array") => "Choose or add at least one.",
                    Some("boolean") => "Choose yes or no.",
                    _ => "Fill in this field.",
                };
                errors.push(FieldError {
                    path: path.key(name),
                    message: message.into(),
                });
            }
        }
        for (name, property) in properties.into_iter().flatten() {
            let property = as_schema(property);
            let nested = values.get(name);
            // Required fields that are blank were reported above.
            if is_blank(nested) && required(schema).any(|r| r == name) {
                continue;
            }
            check(property, nested, &path.key(name), errors);
        }
    }
}

/// The sentence for a value of the wrong type, or `None` when the type is right.
fn type_mismatch(schema: &Schema, value: &Value) -> Option<&'static str> {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    let fits = |t: &str| match (t, value) {
        ("string", Value::String(_)) | ("boolean", Value::Bool(_)) => true,
        ("array", Value::Array(_)) | ("object", Value::Object(_)) | ("null", Value::Null) => true,
        ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    };
    if types.iter().any(|t| fits(t)) {
        return None;
    }
    Some(
        match types
            .iter()
            .find(|t| **t != "null")
            .copied()
            .unwrap_or("null")
        {
            "string" => "Enter text here.",
            "integer" => "Enter a whole number.",
            "number" => "Enter a number.",
            "boolean" => "Choose yes or no.",
            "array" => "Must be a list.",
            "object" => "Must be a group of fields.",
            _ => "Must be empty.",
        },
    )
}

fn check_text(schema: &Schema, s: &str, add: &mut impl FnMut(String)) {
    let length = s.chars().count();
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
        if (length as u64) < min {
            add(format!(
                "Use at least {min} {} (now {length}).",
                plural(min, "character")
            ));
        }
    }
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
        if length as u64 > max {
            add(format!(
                "Use at most {max} {} (now {length}).",
                plural(max, "character")
            ));
        }
    }
    if let Some(pattern) = text(schema, "pattern") {
        match regex_lite::Regex::new(pattern) {
            Ok(regex) if !regex.is_match(s) => add(format!("Must match the pattern {pattern}.")),
            Ok(_) => {}
            Err(_) => add(format!(
                "The template's pattern {pattern} is not a valid regular expression; tell its owner."
            )),
        }
    }
    if let Some(format) = text(schema, "format") {
        if let Some(problem) = check_format(format, s) {
            add(problem.into());
        }
    }
}

/// The sentence for text that does not have the format, or `None`. Unknown formats pass.
fn check_format(format: &str, s: &str) -> Option<&'static str> {
    let ok = match format {
        "email" => is_email(s),
        "uri" | "url" => is_url(s),
        "date" => is_date(s),
        "time" => is_time(s),
        "date-time" => s
            .split_once(['T', 't', ' '])
            .is_some_and(|(date, time)| is_date(date) && is_time(time)),
        "uuid" => is_uuid(s),
        "hostname" => {
            s.len() <= 253
                && s.split('.')
                    .all(|label| names::check_dns_label(&label.to_ascii_lowercase()).is_ok())
        }
        "ipv4" => s.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => s.parse::<std::net::Ipv6Addr>().is_ok(),
        "data-url" => s.starts_with("data:"),
        "color" => {
            s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
        }
        _ => true,
    };
    (!ok).then_some(match format {
        "email" => "Enter an email address, like name@example.com.",
        "uri" | "url" => "Enter a full URL, like https://example.com/path.",
        "date" => "Enter a date as YYYY-MM-DD.",
        "time" => "Enter a time as HH:MM or HH:MM:SS.",
        "date-time" => "Enter a date and time, like 2026-01-31T09:30:00Z.",
        "uuid" => "Enter a UUID, like 123e4567-e89b-12d3-a456-426614174000.",
        "hostname" => "Enter a host name, like api.example.com.",
        "ipv4" => "Enter an IPv4 address, like 10.0.0.1.",
        "ipv6" => "Enter an IPv6 address, like fd00::1.",
        "data-url" => "Choose a file.",
        _ => "Enter a colour as #rrggbb.",
    })
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !s.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.contains(char::is_whitespace)
        && (!rest.starts_with("//") || rest.len() > 2)
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

fn is_date(s: &str) -> bool {
    let mut parts = s.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (
        parts.next().and_then(|p| digits(p, 4)),
        parts.next().and_then(|p| digits(p, 2)),
        parts.next().and_then(|p| digits(p, 2)),
    ) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn is_time(s: &str) -> bool {
    // HH:MM[:SS[.fraction]][Z|±HH:MM]
    let (clock, zone) = match s.find(['Z', 'z', '+', '-']) {
        Some(i) => s.split_at(i),
        None => (s, ""),
    };
    let zone_ok = match zone {
        "" | "Z" | "z" => true,
        z => {
            let offset = &z[1..];
            offset.len() == 5 && is_clock(offset, false)
        }
    };
    zone_ok && is_clock(clock, true)
}

fn is_clock(s: &str, seconds_allowed: bool) -> bool {
    let mut parts = s.splitn(3, ':');
    let hour = parts.next().and_then(|p| digits(p, 2));
    let minute = parts.next().and_then(|p| digits(p, 2));
    let second = match parts.next() {
        None => Some(0),
        Some(_) if !seconds_allowed => None,
        Some(p) => {
            let whole = p.split_once('.').map_or(p, |(whole, fraction)| {
                if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                    "x"
                } else {
                    whole
                }
            });
            digits(whole, 2)
        }
    };
    matches!((hour, minute, second), (Some(h), Some(m), Some(sec)) if h < 24 && m < 60 && sec <= 60)
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn check_number(schema: &Schema, n: f64, add: &mut impl FnMut(String)) {
    let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
    if let Some(min) = bound("minimum") {
        if n < min {
            add(format!("Must be at least {}.", number(min)));
        }
    }
    if let Some(max) = bound("maximum") {
        if n > max {
            add(format!("Must be at most {}.", number(max)));
        }
    }
    if let Some(min) = bound("exclusiveMinimum") {
        if n <= min {
            add(format!("Must be more than {}.", number(min)));
        }
    }
    if let Some(max) = bound("exclusiveMaximum") {
        if n >= max {
            add(format!("Must be less than {}.", number(max)));
        }
    }
    if let Some(step) = bound("multipleOf").filter(|s| *s > 0.0) {
        let ratio = n / step;
        if (ratio - ratio.round()).abs() > 1e-9 {
            add(format!("Must be a multiple of {}.", number(step)));
        }
    }
}

fn check_list(schema: &Schema, items: &[Value], add: &mut impl FnMut(String)) {
    let count = items.len() as u64;
    let noun = if item_choices(schema).is_some() {
        "option"
    } else {
        "item"
    };
    if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
        if count < min {
            let verb = if noun == "option" { "Choose" } else { "Add" };
            add(format!(
                "{verb} at least {min} {} (now {count}).",
                plural(min, noun)
            ));
        }
    }
    if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
        if count > max {
            let verb = if noun == "option" { "Choose" } else { "Keep" };
            add(format!(
                "{verb} at most {max} {} (now {count}).",
                plural(max, noun)
            ));
        }
    }
    if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
        if let Some((i, _)) = items
            .iter()
            .enumerate()
            .find(|(i, item)| items[..*i].contains(item))
        {
            add(format!(
                "Item {} repeats an earlier one; each must be different.",
                i + 1
            ));
        }
    }
}

/// The choices of a list whose items are an `enum` (checkboxes, multi-select).
fn item_choices(schema: &Schema) -> Option<&Vec<Value>> {
    schema.get("items")?.get("enum")?.as_array()
}

fn check_alternatives(schema: &Schema, value: &Value, add: &mut impl FnMut(String)) {
    if let Some(Value::Array(branches)) = schema.get("oneOf") {
        let matching = branches
            .iter()
            .filter(|b| is_valid(as_schema(b), value))
            .count();
        if matching != 1 {
            let consts: Option<Vec<&Value>> = branches.iter().map(|b| b.get("const")).collect();
            add(match (matching, consts) {
                (0, Some(consts)) => format!(
                    "Choose one of: {}.",
                    consts
                        .iter()
                        .map(|c| show(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                (0, None) => "Does not match any of the allowed forms.".into(),
                _ => {
                    "Matches more than one of the allowed forms; it must match exactly one.".into()
                }
            });
        }
    }
    if let Some(Value::Array(branches)) = schema.get("anyOf") {
        if !branches.iter().any(|b| is_valid(as_schema(b), value)) {
            add("Does not match any of the allowed forms.".into());
        }
    }
    if let Some(forbidden) = schema.get("not") {
        if is_valid(as_schema(forbidden), value) {
            add("This value is not allowed here.".into());
        }
    }
}

/// The checks a field extension (`ui:field`) adds to its value's schema.
fn check_extension(schema: &Schema, value: &Value, add: &mut impl FnMut(String)) {
    let Some(field) = text(schema, "ui:field") else {
        return;
    };
    match (field, value) {
        ("EntityNamePicker", Value::String(name)) => {
            if let Err(problem) = names::check_name(name) {
                add(format!("A name {problem}."));
            }
        }
        ("EntityPicker" | "OwnerPicker" | "OwnedEntityPicker", Value::String(text)) => {
            if let Err(problem) = check_picked_ref(schema, field, text) {
                add(problem);
            }
        }
        ("MultiEntityPicker", Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let problem = match item.as_str() {
                    Some(text) => check_picked_ref(schema, field, text).err(),
                    None => Some("must be an entity reference".into()),
                };
                if let Some(problem) = problem {
                    add(format!("Entity {}: {problem}", i + 1));
                }
            }
        }
        ("EntityTagsPicker", Value::Array(tags)) => {
            for tag in tags {
                let tag = tag.as_str().unwrap_or_default();
                if let Err(problem) = names::check_tag(tag) {
                    add(format!("The tag '{tag}' {problem}."));
                }
            }
        }
        ("RepoUrlPicker", Value::String(text)) => {
            if let Err(problem) = RepoUrl::parse(text).and_then(|url| url.check_allowed(schema)) {
                add(problem);
            }
        }
        _ => {}
    }
}

/// The kinds a picker offers: groups for `MyGroupsPicker`; else `ui:options.allowedKinds`,
/// else `catalogFilter`'s `kind` (groups and users for an `OwnerPicker` without either).
pub fn picker_kinds(schema: &Schema, field: &str) -> Vec<String> {
    if field == "MyGroupsPicker" {
        return vec!["Group".into()];
    }
    let listed = |value: Option<&Value>| -> Vec<String> {
        match value {
            Some(Value::String(kind)) => vec![kind.clone()],
            Some(Value::Array(kinds)) => kinds
                .iter()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut kinds = listed(ui_option(schema, "allowedKinds"));
    if kinds.is_empty() {
        match ui_option(schema, "catalogFilter") {
            Some(Value::Array(filters)) => {
                for filter in filters {
                    kinds.extend(listed(filter.get("kind")));
                }
            }
            Some(filter) => kinds = listed(filter.get("kind")),
            None => {}
        }
    }
    if kinds.is_empty() && field == "OwnerPicker" {
        kinds = vec!["Group".into(), "User".into()];
    }
    kinds
}

/// The kind a picker assumes when the user types a bare name.
pub fn picker_default_kind(schema: &Schema, field: &str) -> Option<String> {
    ui_option(schema, "defaultKind")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| match picker_kinds(schema, field).as_slice() {
            [only] => Some(only.clone()),
            _ if field == "OwnerPicker" => Some("Group".into()),
            _ => None,
        })
}

fn check_picked_ref(schema: &Schema, field: &str, text: &str) -> Result<(), String> {
    let default_kind = picker_default_kind(schema, field);
    let context = RefContext {
        default_kind: default_kind.as_deref(),
        default_namespace: ui_option(schema, "defaultNamespace").and_then(Value::as_str),
    };
    let reference =
        EntityRef::parse(text, context).map_err(|e| format!("{}.", capitalise(&e.to_string())))?;
    let kinds = picker_kinds(schema, field);
    if !kinds.is_empty()
        && !kinds
            .iter()
            .any(|k| k.eq_ignore_ascii_case(reference.kind()))
    {
        return Err(format!(
            "Choose an entity of kind {} (this is a {}).",
            kinds.join(" or "),
            reference.kind()
        ));
    }
    Ok(())
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The labels of `allowed`, from `enumNames` when the schema has them.
fn choice_labels(schema: &Schema, allowed: &[Value]) -> String {
    let names = schema.get("enumNames").and_then(Value::as_array);
    allowed
        .iter()
        .enumerate()
        .map(|(i, v)| {
            names
                .and_then(|n| n.get(i))
                .and_then(Value::as_str)
                .map_or_else(|| show(v), str::to_owned)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value as the user would write it: text without quotes.
fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}
