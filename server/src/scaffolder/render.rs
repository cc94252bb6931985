//! Skeleton files as Backstage templates write them: Nunjucks with `${{ }}` for values
//! and `{% if %}`/`{% for %}`/`{% set %}`/`{% raw %}` blocks (`{%-`/`-%}` trim the
//! whitespace beside a tag), `{# comments #}`.
//!
//! Expressions are the shared, sandboxed ones of `app::model::template::expression`: a
//! skeleton can read the values it is given and nothing else. Output size and loop
//! iterations are capped.

use app::model::template::expression::{self, find_close, loop_items, Context};
use serde_json::{Map, Value};

/// The largest text a file may render to.
const MAX_OUTPUT: usize = 16 * 1024 * 1024;
/// The most loop iterations one file may run, all loops together.
const MAX_ITERATIONS: usize = 100_000;

/// Why a file could not be rendered: the line and what went wrong.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RenderError {
    /// 1-based line of the tag or expression at fault.
    pub line: usize,
    /// What went wrong.
    pub message: String,
}

/// Renders `text` with `context` (`values` and anything else the step gives).
pub fn render(text: &str, context: &Context) -> Result<String, RenderError> {
    let tokens = lex(text)?;
    let mut at = 0;
    let nodes = parse(&tokens, &mut at, &[])?.0;
    let mut out = String::new();
    let mut scope = context.clone();
    let mut iterations = 0;
    write(&nodes, &mut scope, &mut out, &mut iterations)?;
    Ok(out)
}

#[derive(Debug)]
enum Token<'a> {
    Text(&'a str),
    Output { expression: &'a str, line: usize },
    Tag { words: &'a str, line: usize },
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Splits the text into literal text, `${{ }}` outputs and `{% %}` tags, applying the
/// whitespace control of `{%-`/`-%}` and dropping comments.
fn lex(text: &str) -> Result<Vec<Token<'_>>, RenderError> {
    let mut tokens = Vec::new();
    let mut rest = 0;
    let mut trim_next = false;
    loop {
        let next = ["${{", "{%", "{#"]
            .iter()
            .filter_map(|open| text[rest..].find(open).map(|i| (rest + i, *open)))
            .min_by_key(|(i, _)| *i);
        let Some((start, open)) = next else {
            push_text(&mut tokens, &text[rest..], trim_next, false);
            return Ok(tokens);
        };
        let line = line_of(text, start);
        let inner_start = start + open.len();
        let trim_before = text[inner_start..].starts_with('-');
        push_text(
            &mut tokens,
            &text[rest..start],
            trim_next,
            trim_before && open != "${{",
        );
        let close = match open {
            "${{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        let end = find_close(&text[inner_start..], close)
            .map(|i| inner_start + i)
            .ok_or_else(|| RenderError {
                line,
                message: format!("`{open}` is never closed with `{close}`"),
            })?;
        let mut inner = &text[inner_start..end];
        if trim_before {
            inner = &inner[1..];
        }
        trim_next = inner.ends_with('-') && open != "${{";
        if trim_next {
            inner = &inner[..inner.len() - 1];
        }
        rest = end + close.len();
        match open {
            "${{" => tokens.push(Token::Output {
                expression: inner,
                line,
            }),
            "{%" if inner.trim() == "raw" => {
                let body_end = text[rest..]
                    .find("{% endraw %}")
                    .or_else(|| text[rest..].find("{%- endraw %}"))
                    .ok_or(RenderError {
                        line,
                        message: "`{% raw %}` is never closed with `{% endraw %}`".into(),
                    })?;
                tokens.push(Token::Text(&text[rest..rest + body_end]));
                rest += body_end + text[rest + body_end..].find("%}").map_or(0, |i| i + 2);
            }
            "{%" => tokens.push(Token::Tag {
                words: inner.trim(),
                line,
            }),
            _ => {}
        }
    }
}

fn push_text<'a>(tokens: &mut Vec<Token<'a>>, mut text: &'a str, trim_start: bool, trim_end: bool) {
    if trim_start {
        text = text.trim_start();
    }
    if trim_end {
        text = text.trim_end();
    }
    if !text.is_empty() {
        tokens.push(Token::Text(text));
    }
}

#[derive(Debug)]
enum Node<'a> {
    Text(&'a str),
    Output(&'a str, usize),
    If(Vec<(&'a str, usize, Vec<Node<'a>>)>, Vec<Node<'a>>),
    For {
        names: Vec<&'a str>,
        iterable: &'a str,
        line: usize,
        body: Vec<Node<'a>>,
        empty: Vec<Node<'a>>,
    },
    Set(&'a str, &'a str, usize),
}

/// A block's nodes, and the tag that ended it (its words and line), if one did.
type Block<'a> = (Vec<Node<'a>>, Option<(&'a str, usize)>);

/// Parses tokens into nodes until one of `ends` (returned with its words and line).
fn parse<'a>(
    tokens: &[Token<'a>],
    at: &mut usize,
    ends: &[&str],
) -> Result<Block<'a>, RenderError> {
    let mut nodes = Vec::new();
    while let Some(token) = tokens.get(*at) {
        *at += 1;
        match token {
            Token::Text(text) => nodes.push(Node::Text(text)),
            Token::Output { expression, line } => nodes.push(Node::Output(expression, *line)),
            Token::Tag { words, line } => {
                let (keyword, rest) = words.split_once(char::is_whitespace).unwrap_or((words, ""));
                let rest = rest.trim();
                if ends.contains(&keyword) {
                    return Ok((nodes, Some((words, *line))));
                }
                let fail = |message: String| RenderError {
                    line: *line,
                    message,
                };
                match keyword {
                    "if" => {
                        let mut branches = Vec::new();
                        let mut otherwise = Vec::new();
                        let mut condition = (rest, *line);
                        loop {
                            let (body, end) = parse(tokens, at, &["elif", "elseif", "else", "endif"])?;
                            let Some((end, end_line)) = end else {
                                return Err(fail("`{% if %}` is never closed with `{% endif %}`".into()));
                            };
                            branches.push((condition.0, condition.1, body));
                            let (end_keyword, end_rest) = end.split_once(char::is_whitespace).unwrap_or((end, ""));
                            match end_keyword {
                                "elif" | "elseif" => condition = (end_rest.trim(), end_line),
                                "else" => {
                                    let (body, end) = parse(tokens, at, &["endif"])?;
                                    if end.is_none() {
                                        return Err(fail("`{% if %}` is never closed with `{% endif %}`".into()));
                                    }
                                    otherwise = body;
                                    break;
                                }
                                _ => break,
                            }
                        }
                        nodes.push(Node::If(branches, otherwise));
                    }
                    "for" => {
                        let (names, iterable) = rest
                            .split_once(" in ")
                            .ok_or_else(|| fail(format!("write `{{% for item in list %}}`, not `{{% {words} %}}`")))?;
                        let names: Vec<&str> = names.split(',').map(str::trim).collect();
                        if names.is_empty() || names.len() > 2 || names.iter().any(|n| n.is_empty()) {
                            return Err(fail(format!("`{{% {words} %}}` names one or two loop variables")));
                        }
                        let (body, end) = parse(tokens, at, &["else", "endfor"])?;
                        let empty = match end {
                            Some(("else", _)) => parse(tokens, at, &["endfor"])?.0,
                            Some(_) => Vec::new(),
                            None => return Err(fail("`{% for %}` is never closed with `{% endfor %}`".into())),
                        };
                        nodes.push(Node::For {
                            names,
                            iterable: iterable.trim(),
                            line: *line,
                            body,
                            empty,
                        });
                    }
                    "set" => {
                        let (name, value) = rest
                            .split_once('=')
                            .ok_or_else(|| fail(format!("write `{{% set name = value %}}`, not `{{% {words} %}}`")))?;
                        nodes.push(Node::Set(name.trim(), value.trim(), *line));
                    }
                    other => {
                        return Err(fail(format!(
                            "`{{% {other} %}}` is not a tag Portico supports (if, elif, else, for, set, raw)"
                        )))
                    }
                }
            }
        }
    }
    Ok((nodes, None))
}

fn evaluate(expression: &str, line: usize, scope: &Context) -> Result<Value, RenderError> {
    expression::evaluate(expression, scope).map_err(|e| RenderError {
        line,
        message: e.to_string(),
    })
}

fn write(
    nodes: &[Node<'_>],
    scope: &mut Context,
    out: &mut String,
    iterations: &mut usize,
) -> Result<(), RenderError> {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Output(expression, line) => {
                out.push_str(&expression::to_text(&evaluate(expression, *line, scope)?));
            }
            Node::If(branches, otherwise) => {
                let mut chosen = None;
                for (condition, line, body) in branches {
                    if expression::truthy(&evaluate(condition, *line, scope)?) {
                        chosen = Some(body);
                        break;
                    }
                }
                write(chosen.unwrap_or(otherwise), scope, out, iterations)?;
            }
            Node::For {
                names,
                iterable,
                line,
                body,
                empty,
            } => {
                let items = loop_items(evaluate(iterable, *line, scope)?).map_err(|message| {
                    RenderError {
                        line: *line,
                        message: format!("`{iterable}`: {message}"),
                    }
                })?;
                if items.is_empty() {
                    write(empty, scope, out, iterations)?;
                    continue;
                }
                let saved: Vec<(String, Option<Value>)> = names
                    .iter()
                    .chain(&["loop"])
                    .map(|n| ((*n).to_owned(), scope.get(*n).cloned()))
                    .collect();
                let length = items.len();
                for (i, (key, value)) in items.into_iter().enumerate() {
                    *iterations += 1;
                    if *iterations > MAX_ITERATIONS {
                        return Err(RenderError {
                            line: *line,
                            message: format!("loops ran more than {MAX_ITERATIONS} times"),
                        });
                    }
                    match names.as_slice() {
                        [one] => {
                            scope.insert((*one).to_owned(), value);
                        }
                        [k, v] => {
                            scope.insert((*k).to_owned(), key);
                            scope.insert((*v).to_owned(), value);
                        }
                        _ => unreachable!("checked when parsed"),
                    }
                    let mut info = Map::new();
                    info.insert("index".into(), Value::from(i + 1));
                    info.insert("index0".into(), Value::from(i));
                    info.insert("first".into(), Value::Bool(i == 0));
                    info.insert("last".into(), Value::Bool(i + 1 == length));
                    info.insert("length".into(), Value::from(length));
                    scope.insert("loop".into(), Value::Object(info));
                    write(body, scope, out, iterations)?;
                }
                for (name, value) in saved {
                    match value {
                        Some(value) => scope.insert(name, value),
                        None => scope.remove(&name),
                    };
                }
            }
            Node::Set(name, value, line) => {
                let value = evaluate(value, *line, scope)?;
                scope.insert((*name).to_owned(), value);
            }
        }
        if out.len() > MAX_OUTPUT {
            return Err(RenderError {
                line: 1,
                message: format!(
                    "the file renders to more than {} MiB",
                    MAX_OUTPUT / 1024 / 1024
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn values(v: Value) -> Context {
        let mut context = Context::new();
        context.insert("values".into(), v);
        context
    }

    #[test]
    fn fills_values_and_blocks() {
        let context =
            values(json!({"name": "pay", "db": "postgres", "sections": ["a", "b"], "none": []}));
        let text = "name = \"${{ values.name }}\"\n{%- if values.db != \"none\" %}\ndb = \"${{ values.db }}\"\n{%- endif %}\n";
        assert_eq!(
            render(text, &context).unwrap(),
            "name = \"pay\"\ndb = \"postgres\"\n"
        );
        let list = "{% for s in values.sections %}${{ loop.index }}:${{ s }}{% if not loop.last %},{% endif %}{% endfor %}";
        assert_eq!(render(list, &context).unwrap(), "1:a,2:b");
        assert_eq!(
            render(
                "{% for s in values.none %}x{% else %}empty{% endfor %}",
                &context
            )
            .unwrap(),
            "empty"
        );
        assert_eq!(
            render(
                "{% if values.x %}a{% elif values.name == 'pay' %}b{% else %}c{% endif %}",
                &context
            )
            .unwrap(),
            "b"
        );
        assert_eq!(
            render("{% set n = values.name | upper %}${{ n }}", &context).unwrap(),
            "PAY"
        );
        assert_eq!(
            render(
                "{# note #}a{% raw %}${{ github.ref }}{% endraw %}b",
                &context
            )
            .unwrap(),
            "a${{ github.ref }}b"
        );
        assert_eq!(
            render(
                "{% for k, v in {a: 1} %}${{ k }}=${{ v }}{% endfor %}",
                &context
            )
            .unwrap(),
            "a=1"
        );
    }

    #[test]
    fn says_which_line_is_wrong() {
        let context = values(json!({}));
        let error = render("ok\n{% if values.x %}\nno end", &context).unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 2: `{% if %}` is never closed with `{% endif %}`"
        );
        let error = render("a\nb ${{ values | nope }}", &context).unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("unknown filter `nope`"), "{error}");
        let error = render("{% include 'x' %}", &context).unwrap_err();
        assert!(
            error.message.contains("not a tag Portico supports"),
            "{error}"
        );
        let error = render(
            "{% for x in values.a %}{% for y in values.a %}{% endfor %}{% endfor %}",
            &values(json!({"a": (0..400).collect::<Vec<_>>()})),
        )
        .unwrap_err();
        assert!(error.message.contains("loops ran more than"), "{error}");
    }
}
