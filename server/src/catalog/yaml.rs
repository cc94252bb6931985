//! Reads YAML into JSON values while remembering where every field was written, so that a
//! problem found later (by validation, say) can be reported at its file, line and column.
//!
//! Multi-document streams are read whole; a syntax error anywhere stops the file, as
//! there is no telling where the next good document starts. Scalars follow YAML 1.2's
//! core schema, as Backstage's parser does: quoted values are strings, plain `true`,
//! `null`, `42`, `3.5` are booleans, null and numbers. Duplicate keys are errors.
//!
//! Guards against hostile input: aliases may not expand past [`MAX_NODES`] nodes.
//!
//! [`to_yaml`] goes the other way, for showing an entity as YAML.

use std::collections::HashMap;

use app::model::catalog::validation::FieldPath;
use serde_json::{Map, Number, Value};
use yaml_rust2::{
    parser::{Event, MarkedEventReceiver, Parser, Tag},
    scanner::{Marker, TScalarStyle},
};

/// The most nodes one file may expand to, counting every copy an alias makes.
pub const MAX_NODES: usize = 1_000_000;

/// A place in a file, 1-based.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

impl Position {
    fn of(marker: Marker) -> Self {
        Self {
            line: marker.line().max(1),
            column: marker.col() + 1,
        }
    }
}

/// A YAML problem at a place in the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// Where.
    pub position: Position,
    /// What, in words.
    pub message: String,
}

/// One document of a YAML stream, as JSON, with the position of every field.
#[derive(Debug)]
pub struct YamlDocument {
    /// The document's content.
    pub value: Value,
    /// Where the document starts.
    pub start: Position,
    positions: HashMap<FieldPath, Position>,
}

impl YamlDocument {
    /// Where the field at `path` was written, or else its nearest written ancestor (a
    /// missing `spec.owner` is reported where `spec` is).
    pub fn position_of(&self, path: &FieldPath) -> Position {
        let mut segments = path.0.as_slice();
        loop {
            if let Some(position) = self.positions.get(&FieldPath(segments.to_vec())) {
                return *position;
            }
            match segments.split_last() {
                Some((_, parent)) => segments = parent,
                None => return self.start,
            }
        }
    }

    /// Where the document's content starts: its first key or value, after any `---`.
    pub fn content_start(&self) -> Position {
        self.position_of(&FieldPath(Vec::new()))
    }
}

/// Parses every document in `text`.
pub fn parse_documents(text: &str) -> Result<Vec<YamlDocument>, YamlError> {
    let mut builder = Builder {
        source: text,
        ..Builder::default()
    };
    let mut parser = Parser::new_from_str(text);
    let result = parser.load(&mut builder, true);
    if let Some(error) = builder.error {
        return Err(error);
    }
    result.map_err(|error| {
        let mut message = format!("invalid YAML: {}", error.info());
        if let Some((bracket, opened)) = builder.open_flow.iter().rev().flatten().next() {
            let close = if *bracket == '[' { ']' } else { '}' };
            message.push_str(&format!(
                " (inside the '{bracket}' opened at line {}, column {}: is a '{close}' missing?)",
                opened.line, opened.column
            ));
        }
        YamlError {
            position: Position::of(*error.marker()),
            message,
        }
    })?;
    Ok(builder.documents)
}

/// A container being filled.
enum Frame {
    Sequence {
        items: Vec<Value>,
        anchor: usize,
        path: FieldPath,
    },
    Mapping {
        entries: Map<String, Value>,
        anchor: usize,
        path: FieldPath,
        key: Option<String>,
        key_positions: HashMap<String, Position>,
    },
}

#[derive(Default)]
struct Builder<'a> {
    source: &'a str,
    documents: Vec<YamlDocument>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, usize)>,
    positions: HashMap<FieldPath, Position>,
    /// Where the current document starts: its `---`, or else its first key or value.
    start: Option<Position>,
    /// A block mapping waiting for its first key, which gives its position (the parser
    /// marks a block mapping where its first `:` is).
    unplaced_mapping: Option<FieldPath>,
    root: Option<Value>,
    /// For each open container, its bracket and place if it is a flow collection
    /// (`[…]`, `{…}`), to explain syntax errors.
    open_flow: Vec<Option<(char, Position)>>,
    nodes: usize,
    error: Option<YamlError>,
}

impl Builder<'_> {
    fn fail(&mut self, position: Position, message: String) {
        if self.error.is_none() {
            self.error = Some(YamlError { position, message });
        }
    }

    /// The path of the node about to be added to the innermost container.
    fn next_path(&self) -> FieldPath {
        match self.stack.last() {
            None => FieldPath::default(),
            Some(Frame::Sequence { items, path, .. }) => path.index(items.len()),
            Some(Frame::Mapping { key, path, .. }) => match key {
                Some(key) => path.key(key),
                None => path.clone(),
            },
        }
    }

    /// True when the next node is a mapping key rather than a value.
    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }))
    }

    /// Adds a finished node to its parent (or makes it the document).
    fn add(&mut self, value: Value, position: Position) {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Sequence { items, path, .. }) => {
                self.positions
                    .entry(path.index(items.len()))
                    .or_insert(position);
                items.push(value);
            }
            Some(Frame::Mapping { entries, key, .. }) => {
                if let Some(key) = key.take() {
                    entries.insert(key, value);
                }
            }
        }
    }

    fn count(&mut self, nodes: usize, position: Position) -> bool {
        self.nodes += nodes;
        if self.nodes > MAX_NODES {
            self.fail(
                position,
                format!("the file expands to more than {MAX_NODES} values (through aliases?)"),
            );
            return false;
        }
        true
    }

    /// Records `at` as the place of the document and of a block mapping that starts here.
    fn place(&mut self, at: Position) {
        self.start.get_or_insert(at);
        if let Some(path) = self.unplaced_mapping.take() {
            self.positions.entry(path).or_insert(at);
        }
    }

    fn scalar(
        &mut self,
        text: String,
        style: TScalarStyle,
        anchor: usize,
        tag: Option<Tag>,
        at: Position,
    ) {
        self.place(at);
        if !self.count(1, at) {
            return;
        }
        if self.expecting_key() {
            let Some(Frame::Mapping {
                key,
                key_positions,
                path,
                ..
            }) = self.stack.last_mut()
            else {
                return;
            };
            if let Some(first) = key_positions.get(&text) {
                let message = format!(
                    "duplicate key '{text}' (first written at line {})",
                    first.line
                );
                self.fail(at, message);
                return;
            }
            key_positions.insert(text.clone(), at);
            self.positions.insert(path.key(&text), at);
            *key = Some(text);
            return;
        }
        let value = scalar_value(text, style, tag.as_ref());
        if anchor > 0 {
            self.anchors.insert(anchor, (value.clone(), 1));
        }
        self.add(value, at);
    }

    fn alias(&mut self, anchor: usize, at: Position) {
        self.place(at);
        let Some((value, size)) = self.anchors.get(&anchor).cloned() else {
            self.fail(at, "an alias refers to an unknown anchor".into());
            return;
        };
        if !self.count(size, at) {
            return;
        }
        if self.expecting_key() {
            match value {
                Value::String(text) => self.scalar(text, TScalarStyle::SingleQuoted, 0, None, at),
                _ => self.fail(
                    at,
                    "a mapping key must be a plain value, not a list or mapping".into(),
                ),
            }
            return;
        }
        self.add(value, at);
    }

    fn start_container(
        &mut self,
        frame: fn(usize, FieldPath) -> Frame,
        anchor: usize,
        at: Position,
        index: usize,
    ) {
        let flow = self
            .source
            .get(index..)
            .and_then(|rest| rest.chars().next())
            .filter(|c| matches!(c, '[' | '{'));
        let is_block_mapping =
            matches!(frame(0, FieldPath::default()), Frame::Mapping { .. }) && flow.is_none();
        if !is_block_mapping {
            self.place(at);
        }
        if self.expecting_key() {
            self.fail(
                at,
                "a mapping key must be a plain value, not a list or mapping".into(),
            );
            return;
        }
        if !self.count(1, at) {
            return;
        }
        let path = self.next_path();
        if is_block_mapping {
            self.unplaced_mapping = Some(path.clone());
        } else {
            self.positions.entry(path.clone()).or_insert(at);
        }
        self.stack.push(frame(anchor, path));
        self.open_flow.push(flow.map(|bracket| (bracket, at)));
    }

    fn end_container(&mut self, at: Position) {
        self.place(at);
        self.open_flow.pop();
        let (value, anchor) = match self.stack.pop() {
            Some(Frame::Sequence { items, anchor, .. }) => (Value::Array(items), anchor),
            Some(Frame::Mapping {
                entries, anchor, ..
            }) => (Value::Object(entries), anchor),
            None => return,
        };
        if anchor > 0 {
            let size = node_count(&value);
            self.anchors.insert(anchor, (value.clone(), size));
        }
        self.add(value, at);
    }
}

fn node_count(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Object(entries) => 1 + entries.values().map(node_count).sum::<usize>(),
        _ => 1,
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, marker: Marker) {
        if self.error.is_some() {
            return;
        }
        let at = Position::of(marker);
        match event {
            Event::DocumentStart => {
                let explicit = self
                    .source
                    .get(marker.index()..)
                    .is_some_and(|rest| rest.starts_with("---"));
                self.start = explicit.then_some(at);
                self.positions.clear();
                self.anchors.clear();
                self.root = None;
            }
            Event::DocumentEnd => {
                let value = self.root.take().unwrap_or(Value::Null);
                let positions = std::mem::take(&mut self.positions);
                self.documents.push(YamlDocument {
                    value,
                    start: self.start.take().unwrap_or(at),
                    positions,
                });
            }
            Event::Scalar(text, style, anchor, tag) => self.scalar(text, style, anchor, tag, at),
            Event::Alias(anchor) => self.alias(anchor, at),
            Event::SequenceStart(anchor, _) => self.start_container(
                |anchor, path| Frame::Sequence {
                    items: Vec::new(),
                    anchor,
                    path,
                },
                anchor,
                at,
                marker.index(),
            ),
            Event::MappingStart(anchor, _) => self.start_container(
                |anchor, path| Frame::Mapping {
                    entries: Map::new(),
                    anchor,
                    path,
                    key: None,
                    key_positions: HashMap::new(),
                },
                anchor,
                at,
                marker.index(),
            ),
            Event::SequenceEnd | Event::MappingEnd => self.end_container(at),
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }
}

/// A scalar's JSON value under YAML 1.2's core schema.
fn scalar_value(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    if let Some(tag) = tag {
        if tag.handle == "tag:yaml.org,2002:" && tag.suffix == "str" || tag.handle == "!" {
            return Value::String(text);
        }
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(number) = parse_integer(&text) {
        return Value::Number(number.into());
    }
    if looks_like_float(&text) {
        if let Some(number) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(number);
        }
    }
    Value::String(text)
}

fn parse_integer(text: &str) -> Option<i64> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let magnitude = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(octal) = digits.strip_prefix("0o") {
        i64::from_str_radix(octal, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(sign * magnitude)
}

/// YAML 1.2 core floats: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn looks_like_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// `value` written as a YAML document (multi-line strings as literal blocks).
pub fn to_yaml(value: &Value) -> String {
    fn convert(value: &Value) -> yaml_rust2::Yaml {
        use yaml_rust2::Yaml;
        match value {
            Value::Null => Yaml::Null,
            Value::Bool(b) => Yaml::Boolean(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Yaml::Integer(i),
                None => Yaml::Real(n.to_string()),
            },
            Value::String(s) => Yaml::String(s.clone()),
            Value::Array(items) => Yaml::Array(items.iter().map(convert).collect()),
            Value::Object(map) => Yaml::Hash(
                map.iter()
                    .map(|(k, v)| (Yaml::String(k.clone()), convert(v)))
                    .collect(),
            ),
        }
    }
    let mut out = String::new();
    let mut emitter = yaml_rust2::YamlEmitter::new(&mut out);
    emitter.multiline_strings(true);
    // Writing into a String cannot fail.
    let _ = emitter.dump(&convert(value));
    let body = out.strip_prefix("---\n").unwrap_or(&out);
    format!("{body}\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_goes_back_to_yaml_that_reads_the_same() {
        let value = serde_json::json!({
            "kind": "API",
            "metadata": {"name": "orders", "tags": ["a", "b"], "count": 3, "ratio": 0.5},
            "spec": {"definition": "openapi: 3.0.0\ninfo:\n  title: x\n", "empty": null, "on": true}
        });
        let yaml = super::to_yaml(&value);
        assert!(yaml.contains("definition: |"), "{yaml}");
        let back = super::parse_documents(&yaml).unwrap().remove(0).value;
        assert_eq!(back, value);
    }

    use serde_json::json;

    use super::*;

    fn path(keys: &[&str]) -> FieldPath {
        FieldPath::of(keys)
    }

    #[test]
    fn reads_documents_with_positions() {
        let text = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: a
  tags: [x, y]
spec:
  owner: team
  providesApis:
    - one
    - two
---
kind: API
";
        let docs = parse_documents(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].value["metadata"]["tags"], json!(["x", "y"]));
        assert_eq!(
            docs[0].position_of(&path(&["kind"])),
            Position { line: 2, column: 1 }
        );
        assert_eq!(docs[0].position_of(&path(&["metadata", "name"])).line, 4);
        assert_eq!(
            docs[0].position_of(&path(&["spec", "owner"])),
            Position { line: 7, column: 3 }
        );
        assert_eq!(
            docs[0]
                .position_of(&path(&["spec", "providesApis"]).index(1))
                .line,
            10
        );
        // A field that is not there is reported where its parent is.
        assert_eq!(docs[0].position_of(&path(&["spec", "lifecycle"])).line, 6);
        assert_eq!(docs[1].value, json!({"kind": "API"}));
        assert_eq!(docs[1].position_of(&path(&["kind"])).line, 12);
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let docs = parse_documents(
            "a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\nf: 0x1f\ng: yes\nh: 1.2.3\ni: -7\nj: .5\nk: 1e3\nl: !!str 12\n",
        )
        .unwrap();
        assert_eq!(
            docs[0].value,
            json!({"a": 1, "b": "1", "c": true, "d": null, "e": 1.5, "f": 31, "g": "yes",
                   "h": "1.2.3", "i": -7, "j": 0.5, "k": 1000.0, "l": "12"})
        );
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let error = parse_documents("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(error.position.line >= 2, "{error:?}");
        assert!(error.message.starts_with("invalid YAML"), "{error:?}");
        let error = parse_documents("a:\n  b: 1\n c: 2\n").unwrap_err();
        assert_eq!(error.position.line, 3, "{error:?}");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let error = parse_documents("metadata:\n  name: a\n  name: b\n").unwrap_err();
        assert_eq!(error.position.line, 3);
        assert_eq!(
            error.message,
            "duplicate key 'name' (first written at line 2)"
        );
    }

    #[test]
    fn aliases_copy_and_cannot_explode() {
        let docs = parse_documents("a: &x {k: v}\nb: *x\n").unwrap();
        assert_eq!(docs[0].value["b"], json!({"k": "v"}));

        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let error = parse_documents(&bomb).unwrap_err();
        assert!(error.message.contains("more than"), "{error:?}");
    }

    #[test]
    fn complex_keys_are_refused() {
        let error = parse_documents("? [a, b]\n: c\n").unwrap_err();
        assert!(error.message.contains("mapping key"), "{error:?}");
    }

    #[test]
    fn empty_documents_are_null() {
        let docs = parse_documents("---\n---\na: 1\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].value, Value::Null);
    }
}
