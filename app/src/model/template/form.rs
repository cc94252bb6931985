//! What a template's form shows: the fields of a page, in order, each with the widget
//! that fits its schema (`ui:widget`, `ui:field`, `type`, `enum`, `format`), and the
//! review of the answers (secrets masked). Also the way back: an input's text → the
//! value it stands for, the same in the browser and for a form posted without JavaScript.
//!
//! Rendering is the UI's; this module only decides *what* is rendered.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    expression::to_text,
    schema::{as_schema, primary_type, required, resolve, text, ui_option, Schema},
    spec::Template,
    validate::{picker_default_kind, picker_kinds},
};
use crate::model::{
    catalog::filter::{Condition, FilterGroup},
    catalog::validation::{FieldPath, PathSegment},
};

/// One field of a form.
#[derive(Clone, Debug, PartialEq)]
pub struct FormField {
    /// Where its value goes in the parameters (`owner.displayName`, `contacts[1].name`);
    /// also the name of its input.
    pub path: FieldPath,
    /// `title`, else the property's name.
    pub title: String,
    /// `description`.
    pub description: Option<String>,
    /// `ui:help`.
    pub help: Option<String>,
    /// `ui:placeholder`.
    pub placeholder: Option<String>,
    /// Listed in its object's `required`.
    pub required: bool,
    /// `ui:readonly` (or `readOnly`).
    pub readonly: bool,
    /// `ui:autofocus`.
    pub autofocus: bool,
    /// Its value is masked on the review page (a password, a secret, or
    /// `ui:backstage.review.mask`).
    pub secret: bool,
    /// How it is entered.
    pub widget: Widget,
}

/// How a field's value is entered.
#[derive(Clone, Debug, PartialEq)]
pub enum Widget {
    /// A one-line input of this HTML type: `text`, `email`, `url`, `date`, `time`,
    /// `datetime-local`, `color`.
    Text(&'static str),
    /// Several lines of text.
    TextArea {
        /// `ui:options.rows`.
        rows: u32,
    },
    /// Text that is not shown as it is typed.
    Password,
    /// A number or a whole number, typed or (`ui:widget: range`) slid.
    Number {
        /// Only whole numbers.
        integer: bool,
        /// `minimum`.
        min: Option<f64>,
        /// `maximum`.
        max: Option<f64>,
        /// A slider rather than a box.
        range: bool,
    },
    /// One yes/no box.
    Checkbox,
    /// One of several choices, as a drop-down.
    Select(Vec<Choice>),
    /// One of several choices, as radio buttons.
    Radio(Vec<Choice>),
    /// Any of several choices, as check boxes.
    Checkboxes(Vec<Choice>),
    /// Any of several choices, as a multi-select list.
    MultiSelect(Vec<Choice>),
    /// A list of free texts, one per line.
    TextList,
    /// A group of nested fields (an object).
    Group(Vec<FormField>),
    /// A list of groups (an array of objects), each with its fields; the user adds and
    /// removes items.
    Repeat {
        /// The fields of each item, in order.
        items: Vec<Vec<FormField>>,
        /// `maxItems`.
        max: Option<u64>,
    },
    /// Not shown; its value (usually its default) is submitted.
    Hidden,
    /// A file, read into a `data:` URL.
    File,
    /// An entity chosen from the catalog (`EntityPicker`, `OwnerPicker`,
    /// `MultiEntityPicker`, `OwnedEntityPicker`), searched as the user types.
    EntityPicker(EntityPicker),
    /// A new entity's name (`EntityNamePicker`).
    EntityName,
    /// Tags (`EntityTagsPicker`), comma-separated.
    Tags,
    /// A repository location (`RepoUrlPicker`): host, owner and repository.
    RepoUrl {
        /// `ui:options.allowedHosts` (empty: any).
        hosts: Vec<String>,
        /// `ui:options.allowedOwners` (empty: any).
        owners: Vec<String>,
    },
}

/// What an entity picker offers.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityPicker {
    /// The kinds it offers (empty: any), for its hint and its checks.
    pub kinds: Vec<String>,
    /// What it searches: `ui:options.catalogFilter` (an object, or a list of objects of
    /// which any may match), else its kinds; empty: the whole catalog.
    pub filter: Vec<FilterGroup>,
    /// The kind a bare name means.
    pub default_kind: Option<String>,
    /// A list of entities rather than one.
    pub multiple: bool,
    /// Whether a ref that is not in the catalog may be entered
    /// (`ui:options.allowArbitraryValues`, default yes).
    pub arbitrary: bool,
    /// Whether it offers only what belongs to the person filling the form.
    pub mine: Option<Mine>,
}

/// What of the person's own a picker offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mine {
    /// What they own, directly or through their groups (`OwnedEntityPicker`).
    Owned,
    /// The groups they are a member of (`MyGroupsPicker`).
    Groups,
}

/// One choice of a select, radio group or check box group.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// The value it stands for.
    pub value: Value,
    /// What the user reads (`enumNames`, a `oneOf` branch's `title`, else the value).
    pub label: String,
}

/// The text an input holds for a choice's value (the value itself for text, JSON
/// otherwise), so choices of any type round-trip through HTML.
pub fn choice_key(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The fields of a page for these values, conditional parts decided.
pub fn page_fields(schema: &Schema, values: &Value) -> Vec<FormField> {
    object_fields(schema, values, &FieldPath::default())
}

fn object_fields(schema: &Schema, data: &Value, path: &FieldPath) -> Vec<FormField> {
    let resolved = resolve(schema, data);
    let Some(Value::Object(properties)) = resolved.get("properties") else {
        return Vec::new();
    };
    let needed: Vec<&str> = required(&resolved).collect();
    ordered(properties, resolved.get("ui:order"))
        .into_iter()
        .map(|(name, property)| {
            let value = data.get(name).unwrap_or(&Value::Null);
            field(
                as_schema(property),
                value,
                path.key(name),
                name,
                needed.contains(&name),
            )
        })
        .collect()
}

/// Properties in `ui:order` (`*` standing for the rest in their written order).
fn ordered<'a>(
    properties: &'a Map<String, Value>,
    order: Option<&Value>,
) -> Vec<(&'a str, &'a Value)> {
    let all: Vec<(&str, &Value)> = properties.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let Some(Value::Array(order)) = order else {
        return all;
    };
    let named: Vec<&str> = order.iter().filter_map(Value::as_str).collect();
    let rest: Vec<(&str, &Value)> = all
        .iter()
        .copied()
        .filter(|(k, _)| !named.contains(k))
        .collect();
    let mut out = Vec::new();
    for name in &named {
        if *name == "*" {
            out.extend(rest.iter().copied());
        } else if let Some(entry) = all.iter().find(|(k, _)| k == name) {
            out.push(*entry);
        }
    }
    if !named.contains(&"*") {
        out.extend(rest);
    }
    out
}

fn field(schema: &Schema, value: &Value, path: FieldPath, name: &str, required: bool) -> FormField {
    let schema = &resolve(schema, value);
    let widget = widget(schema, value, &path);
    let flag = |key: &str| schema.get(key) == Some(&Value::Bool(true));
    let review_mask = schema
        .get("ui:backstage")
        .and_then(|b| b.get("review"))
        .and_then(|r| r.get("mask"))
        .is_some();
    FormField {
        title: text(schema, "title").unwrap_or(name).to_owned(),
        description: text(schema, "description").map(str::to_owned),
        help: text(schema, "ui:help").map(str::to_owned),
        placeholder: text(schema, "ui:placeholder").map(str::to_owned),
        required,
        readonly: flag("ui:readonly") || flag("readOnly") || flag("ui:disabled"),
        autofocus: flag("ui:autofocus"),
        secret: review_mask
            || matches!(widget, Widget::Password)
            || text(schema, "ui:field") == Some("Secret"),
        widget,
        path,
    }
}

fn widget(schema: &Schema, value: &Value, path: &FieldPath) -> Widget {
    let ui_widget = text(schema, "ui:widget");
    if ui_widget == Some("hidden") {
        return Widget::Hidden;
    }
    let strings = |key: &str| -> Vec<String> {
        ui_option(schema, key)
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    match text(schema, "ui:field") {
        Some(
            field @ ("EntityPicker" | "OwnerPicker" | "OwnedEntityPicker" | "MultiEntityPicker"
            | "MyGroupsPicker"),
        ) => {
            return Widget::EntityPicker(EntityPicker {
                kinds: picker_kinds(schema, field),
                default_kind: picker_default_kind(schema, field),
                filter: picker_filter(schema, field),
                multiple: field == "MultiEntityPicker",
                arbitrary: ui_option(schema, "allowArbitraryValues") != Some(&Value::Bool(false)),
                mine: match field {
                    "OwnedEntityPicker" => Some(Mine::Owned),
                    "MyGroupsPicker" => Some(Mine::Groups),
                    _ => None,
                },
            })
        }
        Some("EntityNamePicker") => return Widget::EntityName,
        Some("EntityTagsPicker") => return Widget::Tags,
        Some("RepoUrlPicker") => {
            return Widget::RepoUrl {
                hosts: strings("allowedHosts"),
                owners: strings("allowedOwners"),
            }
        }
        Some("Secret") => return Widget::Password,
        _ => {}
    }
    let choices = choices_of(schema);
    match primary_type(schema) {
        Some("object") => Widget::Group(object_fields(schema, value, path)),
        Some("array") => {
            let items = schema.get("items").map(as_schema);
            let item_choices = items.and_then(choices_of);
            match (item_choices, items) {
                (Some(choices), _) if ui_widget == Some("select") => Widget::MultiSelect(choices),
                (Some(choices), _) => Widget::Checkboxes(choices),
                (None, Some(items)) if primary_type(items) == Some("object") => Widget::Repeat {
                    items: value
                        .as_array()
                        .map(|list| {
                            list.iter()
                                .enumerate()
                                .map(|(i, item)| object_fields(items, item, &path.index(i)))
                                .collect()
                        })
                        .unwrap_or_default(),
                    max: schema.get("maxItems").and_then(Value::as_u64),
                },
                _ => Widget::TextList,
            }
        }
        Some("boolean") => match ui_widget {
            Some("radio" | "select") => {
                let choices = choices.unwrap_or_else(|| {
                    vec![
                        Choice {
                            value: Value::Bool(true),
                            label: "Yes".into(),
                        },
                        Choice {
                            value: Value::Bool(false),
                            label: "No".into(),
                        },
                    ]
                });
                if ui_widget == Some("radio") {
                    Widget::Radio(choices)
                } else {
                    Widget::Select(choices)
                }
            }
            _ => Widget::Checkbox,
        },
        Some(number @ ("number" | "integer")) if choices.is_none() => Widget::Number {
            integer: number == "integer",
            min: schema.get("minimum").and_then(Value::as_f64),
            max: schema.get("maximum").and_then(Value::as_f64),
            range: ui_widget == Some("range"),
        },
        _ => match (choices, ui_widget) {
            (Some(choices), Some("radio")) => Widget::Radio(choices),
            (Some(choices), _) => Widget::Select(choices),
            (None, Some("textarea")) => Widget::TextArea {
                rows: ui_option(schema, "rows")
                    .and_then(Value::as_u64)
                    .unwrap_or(4) as u32,
            },
            (None, Some("password")) => Widget::Password,
            (None, Some("color")) => Widget::Text("color"),
            (None, _) => match text(schema, "format") {
                Some("email") => Widget::Text("email"),
                Some("uri" | "url") => Widget::Text("url"),
                Some("date") => Widget::Text("date"),
                Some("time") => Widget::Text("time"),
                Some("date-time") => Widget::Text("datetime-local"),
                Some("color") => Widget::Text("color"),
                Some("data-url") => Widget::File,
                _ => Widget::Text("text"),
            },
        },
    }
}

/// A picker's search as catalog filters: each `catalogFilter` object is one group of
/// conditions (`{kind: [Group], 'spec.type': team}`; a value `{exists: true}` asks for the
/// key to be there), any group may match. Without one, the picker's kinds.
fn picker_filter(schema: &Schema, field: &str) -> Vec<FilterGroup> {
    let group = |filter: &Value| -> Option<FilterGroup> {
        let conditions = filter
            .as_object()?
            .iter()
            .map(|(key, value)| Condition {
                key: key.to_lowercase(),
                values: match value {
                    Value::Array(values) => {
                        values.iter().map(|v| to_text(v).to_lowercase()).collect()
                    }
                    Value::Object(_) => Vec::new(),
                    other => vec![to_text(other).to_lowercase()],
                },
            })
            .collect();
        Some(FilterGroup { conditions })
    };
    let groups: Vec<FilterGroup> = match ui_option(schema, "catalogFilter") {
        Some(Value::Array(filters)) => filters.iter().filter_map(group).collect(),
        Some(filter) => group(filter).into_iter().collect(),
        None => Vec::new(),
    };
    if !groups.is_empty() {
        return groups;
    }
    let kinds = picker_kinds(schema, field);
    if kinds.is_empty() {
        return Vec::new();
    }
    vec![FilterGroup {
        conditions: vec![Condition {
            key: "kind".into(),
            values: kinds.iter().map(|k| k.to_lowercase()).collect(),
        }],
    }]
}

/// A schema's choices: `enum` (labelled by `enumNames`), or a `oneOf`/`anyOf` of `const`s.
fn choices_of(schema: &Schema) -> Option<Vec<Choice>> {
    if let Some(Value::Array(values)) = schema.get("enum") {
        let names = schema.get("enumNames").and_then(Value::as_array);
        return Some(
            values
                .iter()
                .enumerate()
                .map(|(i, value)| Choice {
                    value: value.clone(),
                    label: names
                        .and_then(|n| n.get(i))
                        .and_then(Value::as_str)
                        .map_or_else(|| choice_key(value), str::to_owned),
                })
                .collect(),
        );
    }
    let branches = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))?
        .as_array()?;
    branches
        .iter()
        .map(|branch| {
            let value = branch.get("const")?.clone();
            let label = branch
                .get("title")
                .and_then(Value::as_str)
                .map_or_else(|| choice_key(&value), str::to_owned);
            Some(Choice { value, label })
        })
        .collect()
}

/// The value an input's text stands for, by the field's widget: numbers parsed (text
/// that is not a number is kept, so the validator can say so), choices looked up, lists
/// split. Empty text is no value (`None`).
pub fn input_value(widget: &Widget, text: &str) -> Option<Value> {
    let trimmed = text.trim();
    match widget {
        Widget::Number { .. } => {
            if trimmed.is_empty() {
                return None;
            }
            Some(match trimmed.parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => trimmed
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Value::String(text.to_owned()), Value::Number),
            })
        }
        Widget::Checkbox => Some(Value::Bool(matches!(trimmed, "true" | "on" | "yes"))),
        Widget::Select(choices) | Widget::Radio(choices) => {
            if trimmed.is_empty() {
                return None;
            }
            Some(
                choices
                    .iter()
                    .find(|c| choice_key(&c.value) == text)
                    .map_or_else(|| Value::String(text.to_owned()), |c| c.value.clone()),
            )
        }
        Widget::TextList | Widget::Tags => {
            let separator = if matches!(widget, Widget::Tags) {
                ','
            } else {
                '\n'
            };
            let items: Vec<Value> = text
                .split([separator, '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        Widget::EntityPicker(picker) if picker.multiple => input_value(&Widget::Tags, text),
        _ => (!text.is_empty()).then(|| Value::String(text.to_owned())),
    }
}

/// The text an input shows for a value (the inverse of [`input_value`]).
pub fn input_text(widget: &Widget, value: &Value) -> String {
    match (widget, value) {
        (_, Value::Null) => String::new(),
        (Widget::TextList, Value::Array(items)) => {
            items.iter().map(to_text).collect::<Vec<_>>().join("\n")
        }
        (Widget::Tags | Widget::EntityPicker(_), Value::Array(items)) => {
            items.iter().map(to_text).collect::<Vec<_>>().join(", ")
        }
        (Widget::Select(_) | Widget::Radio(_), value) => choice_key(value),
        (_, value) => to_text(value),
    }
}

/// `values` with `value` put at `path` (objects and lists made as needed); `None` removes
/// what is there.
pub fn set_value(values: &mut Value, path: &FieldPath, value: Option<Value>) {
    let Some((last, parents)) = path.0.split_last() else {
        if let Some(value) = value {
            *values = value;
        }
        return;
    };
    let mut target = values;
    for (i, segment) in parents.iter().enumerate() {
        let next_is_index = matches!(path.0.get(i + 1), Some(PathSegment::Index(_)));
        let fresh = || {
            if next_is_index {
                Value::Array(Vec::new())
            } else {
                Value::Object(Map::new())
            }
        };
        target = match segment {
            PathSegment::Key(key) => {
                if !target.is_object() {
                    *target = Value::Object(Map::new());
                }
                let map = target.as_object_mut().expect("made an object above");
                map.entry(key.clone()).or_insert_with(fresh)
            }
            PathSegment::Index(index) => {
                if !target.is_array() {
                    *target = Value::Array(Vec::new());
                }
                let list = target.as_array_mut().expect("made a list above");
                while list.len() <= *index {
                    list.push(Value::Object(Map::new()));
                }
                &mut list[*index]
            }
        };
    }
    match (last, value) {
        (PathSegment::Key(key), Some(value)) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            target
                .as_object_mut()
                .expect("made an object above")
                .insert(key.clone(), value);
        }
        (PathSegment::Key(key), None) => {
            if let Some(map) = target.as_object_mut() {
                map.shift_remove(key);
            }
        }
        (PathSegment::Index(index), Some(value)) => {
            if !target.is_array() {
                *target = Value::Array(Vec::new());
            }
            let list = target.as_array_mut().expect("made a list above");
            while list.len() <= *index {
                list.push(Value::Null);
            }
            list[*index] = value;
        }
        (PathSegment::Index(index), None) => {
            if let Some(list) = target.as_array_mut() {
                if *index < list.len() {
                    list.remove(*index);
                }
            }
        }
    }
}

/// The `items` schema of the list at `path` in a page (conditional parts resolved along
/// the way): what a new item of a repeated group starts from.
pub fn list_item_schema(page: &Schema, path: &FieldPath, values: &Value) -> Option<Schema> {
    let mut schema = page.clone();
    let mut value = values.clone();
    for segment in &path.0 {
        let resolved = resolve(&schema, &value);
        match segment {
            PathSegment::Key(key) => {
                schema = as_schema(resolved.get("properties")?.get(key)?).clone();
                value = value.get(key).cloned().unwrap_or(Value::Null);
            }
            PathSegment::Index(i) => {
                schema = as_schema(resolved.get("items")?).clone();
                value = value.get(*i).cloned().unwrap_or(Value::Null);
            }
        }
    }
    resolve(&schema, &value)
        .get("items")
        .map(as_schema)
        .cloned()
}

/// The value at `path`, if any.
pub fn get_value<'a>(values: &'a Value, path: &FieldPath) -> Option<&'a Value> {
    path.0
        .iter()
        .try_fold(values, |value, segment| match segment {
            PathSegment::Key(key) => value.get(key),
            PathSegment::Index(index) => value.get(*index),
        })
}

/// Parses an input's name (`contacts[1].name`) back into a path.
pub fn parse_path(name: &str) -> Option<FieldPath> {
    let mut segments = Vec::new();
    for part in name.split('.') {
        let (key, mut indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() {
            return None;
        }
        segments.push(PathSegment::Key(key.to_owned()));
        while let Some(rest) = indexes.strip_prefix('[') {
            let (index, after) = rest.split_once(']')?;
            segments.push(PathSegment::Index(index.parse().ok()?));
            indexes = after;
        }
        if !indexes.is_empty() {
            return None;
        }
    }
    Some(FieldPath(segments))
}

/// Reads the fields of one page from a form posted without JavaScript: each field's
/// input (by its path), converted as [`input_value`] does, into `values`. Fields a
/// choice on the same page reveals are read on the next round, as the page shows them.
pub fn read_posted_page(schema: &Schema, values: &mut Value, posted: &[(String, String)]) {
    let fields = page_fields(schema, values);
    read_posted_fields(&fields, values, posted);
}

fn read_posted_fields(fields: &[FormField], values: &mut Value, posted: &[(String, String)]) {
    for field in fields {
        let name = field.path.to_string();
        let all: Vec<&str> = posted
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        match &field.widget {
            Widget::Group(inner) => read_posted_fields(inner, values, posted),
            Widget::Repeat { items, .. } => {
                for item in items {
                    read_posted_fields(item, values, posted);
                }
            }
            Widget::Checkboxes(choices) | Widget::MultiSelect(choices) => {
                let picked: Vec<Value> = choices
                    .iter()
                    .filter(|c| all.contains(&choice_key(&c.value).as_str()))
                    .map(|c| c.value.clone())
                    .collect();
                set_value(
                    values,
                    &field.path,
                    (!picked.is_empty()).then_some(Value::Array(picked)),
                );
            }
            Widget::RepoUrl { .. } => {
                let part = |key: &str| {
                    let name = format!("{name}:{key}");
                    posted
                        .iter()
                        .find(|(k, _)| *k == name)
                        .map(|(_, v)| v.trim().to_owned())
                        .unwrap_or_default()
                };
                let url = super::repo_url::RepoUrl {
                    host: part("host"),
                    owner: Some(part("owner")).filter(|o| !o.is_empty()),
                    repo: part("repo"),
                    ..Default::default()
                };
                let empty = url.owner.is_none() && url.repo.is_empty();
                set_value(
                    values,
                    &field.path,
                    (!empty).then(|| Value::String(url.to_text())),
                );
            }
            // An unticked box is not posted at all.
            Widget::Checkbox => set_value(
                values,
                &field.path,
                Some(Value::Bool(
                    !all.is_empty() && all.iter().any(|v| *v != "false"),
                )),
            ),
            Widget::Hidden | Widget::File if all.is_empty() => {}
            widget if !field.readonly => {
                let text = all.last().copied().unwrap_or_default();
                set_value(values, &field.path, input_value(widget, text));
            }
            _ => {}
        }
    }
}

/// One answer on the review page.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewRow {
    /// The page it was asked on.
    pub page: String,
    /// The field's title (nested fields: "Owner profile › Display name").
    pub title: String,
    /// The answer as text, or the mask for secrets.
    pub value: String,
}

/// The answers of every visible page, in form order, for the review step. Secrets show
/// as their mask (`ui:backstage.review.mask`, else `******`); fields with
/// `ui:backstage.review.show: false` are left out.
pub fn review(template: &Template, values: &Value) -> Vec<ReviewRow> {
    let mut rows = Vec::new();
    for page in template.visible_pages(values) {
        let page = &template.pages[page];
        let resolved = resolve(&page.schema, values);
        review_fields(
            &page.title,
            &resolved,
            &page_fields(&page.schema, values),
            values,
            "",
            &mut rows,
        );
    }
    rows
}

fn review_fields(
    page: &str,
    schema: &Schema,
    fields: &[FormField],
    values: &Value,
    prefix: &str,
    rows: &mut Vec<ReviewRow>,
) {
    for field in fields {
        let title = format!("{prefix}{}", field.title);
        let name = match field.path.0.last() {
            Some(PathSegment::Key(k)) => k.as_str(),
            _ => "",
        };
        let own = schema
            .get("properties")
            .and_then(|p| p.get(name))
            .map(as_schema);
        let review = own
            .and_then(|s| s.get("ui:backstage"))
            .and_then(|b| b.get("review"));
        if review.and_then(|r| r.get("show")) == Some(&Value::Bool(false)) {
            continue;
        }
        let value = get_value(values, &field.path);
        match &field.widget {
            Widget::Group(inner) => {
                let inner_schema = own
                    .map(|s| resolve(s, value.unwrap_or(&Value::Null)))
                    .unwrap_or_default();
                review_fields(
                    page,
                    &inner_schema,
                    inner,
                    values,
                    &format!("{title} › "),
                    rows,
                );
            }
            Widget::Repeat { items, .. } => {
                let item_schema = own
                    .and_then(|s| s.get("items"))
                    .map(as_schema)
                    .cloned()
                    .unwrap_or_default();
                for (i, item) in items.iter().enumerate() {
                    let item_value = value.and_then(|v| v.get(i)).unwrap_or(&Value::Null);
                    review_fields(
                        page,
                        &resolve(&item_schema, item_value),
                        item,
                        values,
                        &format!("{title} {} › ", i + 1),
                        rows,
                    );
                }
            }
            widget => {
                let Some(value) = value.filter(|v| !v.is_null()) else {
                    continue;
                };
                let shown = if field.secret {
                    review
                        .and_then(|r| r.get("mask"))
                        .and_then(Value::as_str)
                        .unwrap_or("******")
                        .to_owned()
                } else {
                    match (widget, value) {
                        (Widget::Checkbox, Value::Bool(b)) => {
                            if *b { "Yes" } else { "No" }.to_owned()
                        }
                        (Widget::Select(choices) | Widget::Radio(choices), v) => choices
                            .iter()
                            .find(|c| &c.value == v)
                            .map_or_else(|| to_text(v), |c| c.label.clone()),
                        (
                            Widget::Checkboxes(choices) | Widget::MultiSelect(choices),
                            Value::Array(picked),
                        ) => picked
                            .iter()
                            .map(|v| {
                                choices
                                    .iter()
                                    .find(|c| &c.value == v)
                                    .map_or_else(|| to_text(v), |c| c.label.clone())
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                        (Widget::File, _) => "(a file)".to_owned(),
                        (Widget::RepoUrl { .. }, Value::String(text)) => {
                            let url = super::repo_url::RepoUrl::parts(text);
                            let owner = url
                                .owner
                                .or(url.workspace)
                                .or(url.organization)
                                .unwrap_or_default();
                            format!("{}/{owner}/{}", url.host, url.repo)
                        }
                        (_, Value::Array(items)) => {
                            items.iter().map(to_text).collect::<Vec<_>>().join(", ")
                        }
                        (_, v) => to_text(v),
                    }
                };
                rows.push(ReviewRow {
                    page: page.to_owned(),
                    title,
                    value: shown,
                });
            }
        }
    }
}

/// An entity a picker offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityChoice {
    /// Its ref, `kind:namespace/name`: the value the picker sets.
    pub reference: String,
    /// What the person reads: its title, else its name.
    pub title: String,
}

/// Every field with a value of its own (groups and repeated groups opened up), in order.
pub fn leaf_fields(fields: &[FormField]) -> Vec<&FormField> {
    let mut out = Vec::new();
    for field in fields {
        match &field.widget {
            Widget::Group(inner) => out.extend(leaf_fields(inner)),
            Widget::Repeat { items, .. } => {
                items.iter().for_each(|item| out.extend(leaf_fields(item)))
            }
            _ => out.push(field),
        }
    }
    out
}
