//! Template expressions: the `${{ … }}` language of Backstage templates (Nunjucks'
//! expression syntax) over JSON values, with Backstage's filters.
//!
//! [`render_value`] fills the expressions in a step's `input` (a string that is exactly
//! one expression keeps the value's type; other strings get the text), [`evaluate`] one
//! expression, [`is_true`] a condition such as a step's `if` or a form page's `when`.
//!
//! The language can only read the [`Context`] it is given and call the filters below:
//! there is no way to reach files, the environment or the network, so template input is
//! never executed. Expressions are capped in length and nesting.

use std::fmt;

use serde_json::{Map, Number, Value};

use super::repo_url::RepoUrl;
use crate::model::catalog::entity_ref::{EntityRef, RefContext};

/// The longest expression accepted, in bytes.
const MAX_EXPRESSION: usize = 4096;
/// The deepest nesting of brackets and operators accepted.
const MAX_DEPTH: usize = 64;

/// Why an expression could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("in `{expression}`: {message}")]
pub struct ExpressionError {
    /// The expression as written (without `${{ }}`).
    pub expression: String,
    /// What went wrong.
    pub message: String,
}

/// What expressions can read: `parameters`, `steps`, `user`, `secrets`, `each`… as one
/// JSON object whose keys are the top-level names.
pub type Context = Map<String, Value>;

/// Evaluates one expression (the text between `${{` and `}}`).
pub fn evaluate(expression: &str, context: &Context) -> Result<Value, ExpressionError> {
    let fail = |message: String| ExpressionError {
        expression: expression.trim().to_owned(),
        message,
    };
    if expression.len() > MAX_EXPRESSION {
        return Err(fail(format!("longer than {MAX_EXPRESSION} bytes")));
    }
    let tokens = tokenize(expression).map_err(fail)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
    };
    let tree = parser.expression().map_err(fail)?;
    if parser.at != parser.tokens.len() {
        return Err(fail(format!("unexpected {}", parser.tokens[parser.at])));
    }
    tree.eval(context).map_err(fail)
}

/// Whether a condition holds: `true`/`false` as written, or a `${{ }}` expression whose
/// value is truthy (JavaScript's rules: `false`, `0`, `""`, `null` and missing are not).
pub fn is_true(condition: &Value, context: &Context) -> Result<bool, ExpressionError> {
    Ok(truthy(&render_value(condition, context)?))
}

/// `value` with every `${{ }}` in its strings evaluated, through lists and objects.
pub fn render_value(value: &Value, context: &Context) -> Result<Value, ExpressionError> {
    Ok(match value {
        Value::String(text) => render_text(text, context)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| render_value(item, context))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), render_value(v, context)?)))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

/// A string with its `${{ }}` parts filled in. A string that is one expression and
/// nothing else keeps the expression's value (a list stays a list).
pub fn render_text(text: &str, context: &Context) -> Result<Value, ExpressionError> {
    let parts = split_text(text).map_err(|message| ExpressionError {
        expression: text.to_owned(),
        message,
    })?;
    if let [Part::Expression(expression)] = parts.as_slice() {
        return evaluate(expression, context);
    }
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Expression(expression) => out.push_str(&to_text(&evaluate(expression, context)?)),
        }
    }
    Ok(Value::String(out))
}

/// Whether `text` holds a `${{ }}` expression.
pub fn has_expression(text: &str) -> bool {
    text.contains("${{")
}

enum Part<'a> {
    Text(&'a str),
    Expression(&'a str),
}

fn split_text(mut text: &str) -> Result<Vec<Part<'_>>, String> {
    let mut parts = Vec::new();
    while let Some(start) = text.find("${{") {
        if start > 0 {
            parts.push(Part::Text(&text[..start]));
        }
        let rest = &text[start + 3..];
        let end = find_close(rest, "}}").ok_or("`${{` is never closed with `}}`")?;
        parts.push(Part::Expression(&rest[..end]));
        text = &rest[end + 2..];
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

/// The position of `close` (`}}` for an expression, `%}` for a tag) in `text`, string
/// literals skipped.
pub fn find_close(text: &str, close: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut quote = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if text[i..].starts_with(close) => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

/// What a loop (`each`, `{% for %}`) goes over: a list's items with their indexes, or a
/// mapping's entries; nothing for `null`.
pub fn loop_items(value: Value) -> Result<Vec<(Value, Value)>, String> {
    match value {
        Value::Array(items) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::from(i), v))
            .collect()),
        Value::Object(map) => Ok(map
            .into_iter()
            .map(|(k, v)| (Value::String(k), v))
            .collect()),
        Value::Null => Ok(Vec::new()),
        other => Err(format!("{other} is not a list or a mapping to loop over")),
    }
}

/// The text a value turns into inside a string, as Nunjucks prints it.
pub fn to_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(to_text).collect::<Vec<_>>().join(","),
        Value::Object(_) => value.to_string(),
        other => other.to_string(),
    }
}

/// JavaScript's truthiness.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

// --- Tokens ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    Text(String),
    Name(String),
    Op(&'static str),
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Number(n) => write!(f, "number {n}"),
            Token::Text(s) => write!(f, "text '{s}'"),
            Token::Name(n) => write!(f, "`{n}`"),
            Token::Op(op) => write!(f, "`{op}`"),
        }
    }
}

/// Operators, longest first so that `===` is not read as `==` `=`.
const OPERATORS: &[&str] = &[
    "===", "!==", "==", "!=", "<=", ">=", "&&", "||", "//", "**", "<", ">", "+", "-", "*", "/",
    "%", "~", "!", "|", ".", ",", ":", "(", ")", "[", "]", "{", "}", "?",
];

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_digit() {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                let decimal_point = d == '.'
                    && text[j + 1..].starts_with(|n: char| n.is_ascii_digit())
                    && !text[i..j].contains('.');
                if d.is_ascii_digit() || decimal_point {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token::Number(
                text[i..end].parse().map_err(|_| "a malformed number")?,
            ));
        } else if c == '\'' || c == '"' {
            chars.next();
            let mut value = String::new();
            loop {
                match chars.next() {
                    None => return Err("a string is never closed".into()),
                    Some((_, q)) if q == c => break,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, 't')) => value.push('\t'),
                        Some((_, other)) => value.push(other),
                        None => return Err("a string is never closed".into()),
                    },
                    Some((_, other)) => value.push(other),
                }
            }
            tokens.push(Token::Text(value));
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' || d == '$' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token::Name(text[i..end].to_owned()));
        } else {
            let op = OPERATORS
                .iter()
                .find(|op| text[i..].starts_with(**op))
                .ok_or_else(|| format!("unexpected character '{c}'"))?;
            for _ in 0..op.len() {
                chars.next();
            }
            tokens.push(Token::Op(op));
        }
    }
    Ok(tokens)
}

// --- Syntax tree ----------------------------------------------------------------------

#[derive(Debug)]
enum Node {
    Literal(Value),
    Name(String),
    List(Vec<Node>),
    Object(Vec<(Node, Node)>),
    Member(Box<Node>, Box<Node>),
    /// A function call: parsed so the message can name it, never run.
    Call(String),
    Filter(Box<Node>, String, Vec<Node>),
    Not(Box<Node>),
    Negate(Box<Node>),
    Binary(&'static str, Box<Node>, Box<Node>),
    Choose(Box<Node>, Box<Node>, Option<Box<Node>>),
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

type Parsed = Result<Node, String>;

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Token::Op(o)) if *o == op)
    }

    fn is_name(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Token::Name(n)) if n == name)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let found = self.is_op(op);
        self.at += usize::from(found);
        found
    }

    fn eat_name(&mut self, name: &str) -> bool {
        let found = self.is_name(name);
        self.at += usize::from(found);
        found
    }

    fn expect(&mut self, op: &str) -> Result<(), String> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(match self.peek() {
                Some(token) => format!("expected `{op}`, found {token}"),
                None => format!("expected `{op}` at the end"),
            })
        }
    }

    fn nested(&mut self, parse: impl FnOnce(&mut Self) -> Parsed) -> Parsed {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("nested more than {MAX_DEPTH} levels deep"));
        }
        let node = parse(self);
        self.depth -= 1;
        node
    }

    /// `a if condition else b`, `condition ? a : b`, or an `or` chain.
    fn expression(&mut self) -> Parsed {
        self.nested(|p| {
            let value = p.or()?;
            if p.eat_name("if") {
                let condition = p.or()?;
                let otherwise = if p.eat_name("else") {
                    Some(Box::new(p.expression()?))
                } else {
                    None
                };
                return Ok(Node::Choose(
                    Box::new(condition),
                    Box::new(value),
                    otherwise,
                ));
            }
            if p.eat_op("?") {
                let then = p.expression()?;
                p.expect(":")?;
                let otherwise = p.expression()?;
                return Ok(Node::Choose(
                    Box::new(value),
                    Box::new(then),
                    Some(Box::new(otherwise)),
                ));
            }
            Ok(value)
        })
    }

    fn or(&mut self) -> Parsed {
        let mut left = self.and()?;
        while self.eat_name("or") || self.eat_op("||") {
            left = Node::Binary("or", Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Parsed {
        let mut left = self.not()?;
        while self.eat_name("and") || self.eat_op("&&") {
            left = Node::Binary("and", Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Parsed {
        if self.eat_name("not") || self.eat_op("!") {
            return self.nested(|p| Ok(Node::Not(Box::new(p.not()?))));
        }
        self.compare()
    }

    fn compare(&mut self) -> Parsed {
        let mut left = self.concat()?;
        loop {
            let op = match self.peek() {
                Some(Token::Op(op @ ("===" | "==" | "!==" | "!=" | "<" | ">" | "<=" | ">="))) => {
                    *op
                }
                Some(Token::Name(n)) if n == "in" => "in",
                Some(Token::Name(n))
                    if n == "not"
                        && matches!(self.tokens.get(self.at + 1), Some(Token::Name(m)) if m == "in") =>
                {
                    self.at += 1;
                    "not in"
                }
                _ => return Ok(left),
            };
            self.at += 1;
            left = Node::Binary(op, Box::new(left), Box::new(self.concat()?));
        }
    }

    fn concat(&mut self) -> Parsed {
        let mut left = self.sum()?;
        while self.eat_op("~") {
            left = Node::Binary("~", Box::new(left), Box::new(self.sum()?));
        }
        Ok(left)
    }

    fn sum(&mut self) -> Parsed {
        let mut left = self.product()?;
        loop {
            let op = if self.eat_op("+") {
                "+"
            } else if self.eat_op("-") {
                "-"
            } else {
                return Ok(left);
            };
            left = Node::Binary(op, Box::new(left), Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Parsed {
        let mut left = self.unary()?;
        loop {
            let op = ["*", "//", "/", "%", "**"]
                .into_iter()
                .find(|op| self.is_op(op));
            let Some(op) = op else { return Ok(left) };
            self.at += 1;
            left = Node::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Parsed {
        if self.eat_op("-") {
            return self.nested(|p| Ok(Node::Negate(Box::new(p.unary()?))));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Parsed {
        let mut node = self.primary()?;
        loop {
            if self.eat_op(".") {
                match self.tokens.get(self.at).cloned() {
                    Some(Token::Name(name)) => {
                        self.at += 1;
                        node = Node::Member(
                            Box::new(node),
                            Box::new(Node::Literal(Value::String(name))),
                        );
                    }
                    Some(Token::Number(n)) => {
                        self.at += 1;
                        node = Node::Member(Box::new(node), Box::new(Node::Literal(number(n))));
                    }
                    _ => return Err("expected a name after `.`".into()),
                }
            } else if self.eat_op("[") {
                let key = self.expression()?;
                self.expect("]")?;
                node = Node::Member(Box::new(node), Box::new(key));
            } else if self.eat_op("|") {
                let Some(Token::Name(filter)) = self.tokens.get(self.at).cloned() else {
                    return Err("expected a filter's name after `|`".into());
                };
                self.at += 1;
                let args = if self.eat_op("(") {
                    self.arguments(")")?
                } else {
                    Vec::new()
                };
                node = Node::Filter(Box::new(node), filter, args);
            } else {
                return Ok(node);
            }
        }
    }

    fn arguments(&mut self, close: &str) -> Result<Vec<Node>, String> {
        let mut args = Vec::new();
        while !self.eat_op(close) {
            if !args.is_empty() {
                self.expect(",")?;
                if self.eat_op(close) {
                    break;
                }
            }
            args.push(self.expression()?);
        }
        Ok(args)
    }

    fn primary(&mut self) -> Parsed {
        let token = self
            .tokens
            .get(self.at)
            .cloned()
            .ok_or("the expression ends too early")?;
        self.at += 1;
        Ok(match token {
            Token::Number(n) => Node::Literal(number(n)),
            Token::Text(s) => Node::Literal(Value::String(s)),
            Token::Name(name) => match name.as_str() {
                "true" | "True" => Node::Literal(Value::Bool(true)),
                "false" | "False" => Node::Literal(Value::Bool(false)),
                "null" | "none" | "None" | "undefined" => Node::Literal(Value::Null),
                _ if self.eat_op("(") => {
                    self.arguments(")")?;
                    Node::Call(name)
                }
                _ => Node::Name(name),
            },
            Token::Op("(") => {
                let inner = self.expression()?;
                self.expect(")")?;
                inner
            }
            Token::Op("[") => Node::List(self.arguments("]")?),
            Token::Op("{") => {
                let mut entries = Vec::new();
                while !self.eat_op("}") {
                    if !entries.is_empty() {
                        self.expect(",")?;
                    }
                    let key = match self.tokens.get(self.at).cloned() {
                        Some(Token::Name(n)) => {
                            self.at += 1;
                            Node::Literal(Value::String(n))
                        }
                        _ => self.expression()?,
                    };
                    self.expect(":")?;
                    entries.push((key, self.expression()?));
                }
                Node::Object(entries)
            }
            other => return Err(format!("unexpected {other}")),
        })
    }
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Value::from(n as i64)
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

// --- Evaluation -----------------------------------------------------------------------

type Evaluated = Result<Value, String>;

impl Node {
    fn eval(&self, context: &Context) -> Evaluated {
        match self {
            Node::Literal(value) => Ok(value.clone()),
            Node::Name(name) => Ok(context.get(name).cloned().unwrap_or(Value::Null)),
            Node::List(items) => items
                .iter()
                .map(|i| i.eval(context))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            Node::Object(entries) => {
                let mut map = Map::new();
                for (key, value) in entries {
                    map.insert(to_text(&key.eval(context)?), value.eval(context)?);
                }
                Ok(Value::Object(map))
            }
            Node::Member(target, key) => {
                let target = target.eval(context)?;
                let key = key.eval(context)?;
                Ok(member(&target, &key))
            }
            Node::Call(name) => Err(format!("`{name}(…)` is not a function templates can call")),
            Node::Filter(input, name, args) => {
                let input = input.eval(context)?;
                let args = args
                    .iter()
                    .map(|a| a.eval(context))
                    .collect::<Result<Vec<_>, _>>()?;
                filter(name, input, &args)
            }
            Node::Not(inner) => Ok(Value::Bool(!truthy(&inner.eval(context)?))),
            Node::Negate(inner) => Ok(number(-as_number(&inner.eval(context)?))),
            Node::Choose(condition, then, otherwise) => {
                if truthy(&condition.eval(context)?) {
                    then.eval(context)
                } else {
                    otherwise
                        .as_ref()
                        .map_or(Ok(Value::Null), |o| o.eval(context))
                }
            }
            Node::Binary(op, left, right) => {
                let left = left.eval(context)?;
                match *op {
                    "and" if !truthy(&left) => return Ok(left),
                    "or" if truthy(&left) => return Ok(left),
                    "and" | "or" => return right.eval(context),
                    _ => {}
                }
                binary(op, &left, &right.eval(context)?)
            }
        }
    }
}

fn member(target: &Value, key: &Value) -> Value {
    match (target, key) {
        (Value::Object(map), key) => map.get(&to_text(key)).cloned().unwrap_or(Value::Null),
        (Value::Array(items), Value::Number(n)) => n
            .as_u64()
            .and_then(|i| items.get(i as usize))
            .cloned()
            .unwrap_or(Value::Null),
        (Value::Array(items), Value::String(s)) if s == "length" => Value::from(items.len()),
        (Value::String(s), Value::String(k)) if k == "length" => Value::from(s.chars().count()),
        _ => Value::Null,
    }
}

fn as_number(value: &Value) -> f64 {
    match value {
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => s.trim().parse().unwrap_or(f64::NAN),
        Value::Null => 0.0,
        _ => f64::NAN,
    }
}

/// Loose equality as templates mean it: numbers by value, text by text.
fn equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => left == right,
    }
}

fn binary(op: &str, left: &Value, right: &Value) -> Evaluated {
    let compare = || -> Option<std::cmp::Ordering> {
        match (left, right) {
            (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
            _ => as_number(left).partial_cmp(&as_number(right)),
        }
    };
    Ok(match op {
        "==" | "===" => Value::Bool(equal(left, right)),
        "!=" | "!==" => Value::Bool(!equal(left, right)),
        "<" => Value::Bool(compare().is_some_and(|o| o.is_lt())),
        ">" => Value::Bool(compare().is_some_and(|o| o.is_gt())),
        "<=" => Value::Bool(compare().is_some_and(|o| o.is_le())),
        ">=" => Value::Bool(compare().is_some_and(|o| o.is_ge())),
        "in" | "not in" => {
            let found = match right {
                Value::Array(items) => items.iter().any(|i| equal(i, left)),
                Value::Object(map) => map.contains_key(&to_text(left)),
                Value::String(s) => s.contains(&to_text(left)),
                _ => false,
            };
            Value::Bool(found == (op == "in"))
        }
        "~" => Value::String(to_text(left) + &to_text(right)),
        "+" if left.is_string() || right.is_string() => {
            Value::String(to_text(left) + &to_text(right))
        }
        "+" => number(as_number(left) + as_number(right)),
        "-" => number(as_number(left) - as_number(right)),
        "*" => number(as_number(left) * as_number(right)),
        "/" => number(as_number(left) / as_number(right)),
        "//" => number((as_number(left) / as_number(right)).floor()),
        "%" => number(as_number(left) % as_number(right)),
        "**" => number(as_number(left).powf(as_number(right))),
        other => return Err(format!("unknown operator `{other}`")),
    })
}

/// The filters templates can use: Backstage's own and Nunjucks' common text filters.
pub const FILTERS: &[&str] = &[
    "parseRepoUrl",
    "parseEntityRef",
    "pick",
    "projectSlug",
    "lower",
    "upper",
    "capitalize",
    "title",
    "trim",
    "replace",
    "default",
    "d",
    "join",
    "length",
    "first",
    "last",
    "dump",
    "string",
    "int",
    "float",
    "safe",
    "reverse",
    "sort",
    "split",
];

fn filter(name: &str, input: Value, args: &[Value]) -> Evaluated {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
    let text = || to_text(&input);
    Ok(match name {
        "parseRepoUrl" => {
            serde_json::to_value(RepoUrl::parse(&text())?).map_err(|e| e.to_string())?
        }
        "projectSlug" => {
            let url = RepoUrl::parse(&text())?;
            let owner = url
                .owner
                .or(url.workspace)
                .or(url.organization)
                .unwrap_or_default();
            Value::String(format!("{owner}/{}", url.repo))
        }
        "parseEntityRef" => {
            let options = arg(0);
            let context = RefContext {
                default_kind: options.get("defaultKind").and_then(Value::as_str),
                default_namespace: options.get("defaultNamespace").and_then(Value::as_str),
            };
            let reference = EntityRef::parse(&text(), context).map_err(|e| e.to_string())?;
            serde_json::json!({
                "kind": reference.kind(),
                "namespace": reference.namespace(),
                "name": reference.name(),
            })
        }
        "pick" => member(&input, &arg(0)),
        "lower" => Value::String(text().to_lowercase()),
        "upper" => Value::String(text().to_uppercase()),
        "capitalize" => {
            let lower = text().to_lowercase();
            let mut chars = lower.chars();
            Value::String(
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default(),
            )
        }
        "title" => Value::String(
            text()
                .split(' ')
                .map(|word| {
                    let mut chars = word.chars();
                    chars
                        .next()
                        .map(|c| {
                            c.to_uppercase()
                                .chain(chars.flat_map(char::to_lowercase))
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect::<Vec<String>>()
                .join(" "),
        ),
        "trim" => Value::String(text().trim().to_owned()),
        "replace" => Value::String(text().replace(&to_text(&arg(0)), &to_text(&arg(1)))),
        "default" | "d" => {
            let use_default = if truthy(&arg(1)) {
                !truthy(&input)
            } else {
                input.is_null()
            };
            if use_default {
                arg(0)
            } else {
                input
            }
        }
        "join" => {
            let separator = if args.is_empty() {
                String::new()
            } else {
                to_text(&arg(0))
            };
            match input {
                Value::Array(items) => Value::String(
                    items
                        .iter()
                        .map(to_text)
                        .collect::<Vec<_>>()
                        .join(&separator),
                ),
                other => Value::String(to_text(&other)),
            }
        }
        "length" => Value::from(match &input {
            Value::Array(items) => items.len(),
            Value::Object(map) => map.len(),
            Value::String(s) => s.chars().count(),
            _ => 0,
        }),
        "first" => match &input {
            Value::Array(items) => items.first().cloned().unwrap_or(Value::Null),
            Value::String(s) => s
                .chars()
                .next()
                .map_or(Value::Null, |c| Value::String(c.into())),
            _ => Value::Null,
        },
        "last" => match &input {
            Value::Array(items) => items.last().cloned().unwrap_or(Value::Null),
            Value::String(s) => s
                .chars()
                .last()
                .map_or(Value::Null, |c| Value::String(c.into())),
            _ => Value::Null,
        },
        "dump" => Value::String(input.to_string()),
        "string" | "safe" => Value::String(text()),
        "int" => number(as_number(&input).trunc()),
        "float" => number(as_number(&input)),
        "reverse" => match input {
            Value::Array(mut items) => {
                items.reverse();
                Value::Array(items)
            }
            other => Value::String(to_text(&other).chars().rev().collect()),
        },
        "sort" => match input {
            Value::Array(mut items) => {
                items.sort_by_key(to_text);
                Value::Array(items)
            }
            other => other,
        },
        "split" => Value::Array(
            text()
                .split(to_text(&arg(0)).as_str())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ),
        other => {
            return Err(format!(
                "unknown filter `{other}`; known filters: {}",
                FILTERS.join(", ")
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn context() -> Context {
        json!({
            "parameters": {
                "name": "payments",
                "cloudProvider": "AWS",
                "dryRun": false,
                "replicas": 3,
                "features": ["logging", "metrics"],
                "repoUrl": "github.com?owner=acme&repo=payments",
                "owner": "group:default/team-a",
            },
            "steps": {"publish": {"output": {"remoteUrl": "file:///tmp/x.git"}}},
            "user": {"entity": {"metadata": {"name": "ada"}}},
        })
        .as_object()
        .unwrap()
        .clone()
    }

    fn eval(text: &str) -> Value {
        evaluate(text, &context()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn reads_paths_and_literals() {
        assert_eq!(eval("parameters.name"), json!("payments"));
        assert_eq!(eval("parameters['name']"), json!("payments"));
        assert_eq!(eval("parameters.features[1]"), json!("metrics"));
        assert_eq!(
            eval("steps.publish.output.remoteUrl"),
            json!("file:///tmp/x.git")
        );
        assert_eq!(eval("steps['publish'].output.missing"), Value::Null);
        assert_eq!(eval("parameters.nothing.deeper"), Value::Null);
        assert_eq!(eval("[1, 'a', true, null]"), json!([1, "a", true, null]));
        assert_eq!(
            eval("{a: 1, 'b': parameters.name}"),
            json!({"a": 1, "b": "payments"})
        );
        assert_eq!(eval("1.5 + 2"), json!(3.5));
    }

    #[test]
    fn compares_like_backstage_templates() {
        assert_eq!(eval("parameters.cloudProvider === 'AWS'"), json!(true));
        assert_eq!(eval("parameters.cloudProvider !== 'AWS'"), json!(false));
        assert_eq!(eval("parameters.dryRun !== true"), json!(true));
        assert_eq!(eval("parameters.replicas == 3.0"), json!(true));
        assert_eq!(
            eval("parameters.replicas > 2 and not parameters.dryRun"),
            json!(true)
        );
        assert_eq!(
            eval("parameters.dryRun || parameters.replicas < 2"),
            json!(false)
        );
        assert_eq!(eval("'logging' in parameters.features"), json!(true));
        assert_eq!(eval("'tracing' not in parameters.features"), json!(true));
        assert_eq!(
            eval("'big' if parameters.replicas > 2 else 'small'"),
            json!("big")
        );
        assert_eq!(eval("parameters.dryRun ? 'dry' : 'real'"), json!("real"));
        assert_eq!(eval("!parameters.dryRun"), json!(true));
        assert_eq!(
            eval("parameters.name ~ '-' ~ parameters.replicas"),
            json!("payments-3")
        );
    }

    #[test]
    fn applies_backstage_filters() {
        assert_eq!(
            eval("parameters.repoUrl | projectSlug"),
            json!("acme/payments")
        );
        assert_eq!(
            eval("parameters.repoUrl | parseRepoUrl | pick('owner')"),
            json!("acme")
        );
        assert_eq!(
            eval("parameters.owner | parseEntityRef"),
            json!({"kind": "group", "namespace": "default", "name": "team-a"})
        );
        assert_eq!(
            eval("'team-b' | parseEntityRef({defaultKind: 'group'}) | pick('kind')"),
            json!("group")
        );
        assert_eq!(eval("parameters.name | upper"), json!("PAYMENTS"));
        assert_eq!(eval("parameters.missing | default('none')"), json!("none"));
        assert_eq!(
            eval("parameters.features | join(', ')"),
            json!("logging, metrics")
        );
        assert_eq!(eval("parameters.features | length"), json!(2));
        assert_eq!(
            eval("parameters.name | replace('pay', 'get')"),
            json!("getments")
        );
        assert_eq!(eval("parameters | dump | length > 10"), json!(true));
    }

    #[test]
    fn renders_strings_keeping_whole_values() {
        let c = context();
        assert_eq!(
            render_text("${{ parameters.features }}", &c).unwrap(),
            json!(["logging", "metrics"])
        );
        assert_eq!(
            render_text(
                "Features: ${{ parameters.features }} for ${{parameters.name}}!",
                &c
            )
            .unwrap(),
            json!("Features: logging,metrics for payments!")
        );
        assert_eq!(
            render_value(
                &json!({"a": ["${{ parameters.replicas }}", "x"], "b": true}),
                &c
            )
            .unwrap(),
            json!({"a": [3, "x"], "b": true})
        );
        assert_eq!(render_text("${{ '}}' }}", &c).unwrap(), json!("}}"));
        assert!(is_true(&json!("${{ parameters.cloudProvider === 'AWS' }}"), &c).unwrap());
        assert!(!is_true(&json!(false), &c).unwrap());
    }

    #[test]
    fn refuses_what_it_cannot_do_with_a_clear_message() {
        let c = context();
        let err = evaluate("parameters.name | shell('rm -rf /')", &c).unwrap_err();
        assert!(err.message.starts_with("unknown filter `shell`"), "{err}");
        let err = evaluate("require('fs')", &c).unwrap_err();
        assert_eq!(
            err.message,
            "`require(…)` is not a function templates can call"
        );
        assert!(evaluate("parameters.name ===", &c)
            .unwrap_err()
            .message
            .contains("ends too early"));
        assert!(render_text("${{ parameters.name", &c).is_err());
        assert!(evaluate(&"(".repeat(100), &c)
            .unwrap_err()
            .message
            .contains("nested"));
        assert_eq!(
            evaluate("'a' 'b'", &c).unwrap_err().to_string(),
            "in `'a' 'b'`: unexpected text 'b'"
        );
    }
}
