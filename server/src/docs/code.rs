//! Code as pymdownx.highlight and inlinehilite write it: a fenced block's info string
//! (`py title="a.py" linenums="1" hl_lines="2 3"`), the block highlighted with its title,
//! line numbers, highlighted lines and Material's copy button, and `#!lang` inline code.

use super::highlight::{highlight_lines, knows};
use super::inline;
use app::model::docs::html::escape;

/// A code block's start: Material's copy button, then the code.
const COPY_BUTTON: &str = "<pre><span></span><button class=\"md-clipboard\" type=\"button\" \
     title=\"Copy to clipboard\" aria-label=\"Copy to clipboard\"></button><code>";

/// A fence's info string as pymdownx.highlight reads it: `py title="a.py" linenums="1"
/// hl_lines="2 3"`, or `{ .py title="a.py" }`.
#[derive(Debug, Default, PartialEq)]
pub struct CodeInfo {
    /// The language (`py`), or empty.
    pub language: String,
    /// `title=`.
    pub title: Option<String>,
    /// `linenums=`: the first line's number.
    pub first_number: Option<usize>,
    /// `hl_lines=`: the lines highlighted, from 1 (`2 4-6`).
    pub highlighted: Vec<usize>,
    /// Classes written after the language (`{ .yaml .no-copy }`).
    pub classes: Vec<String>,
}

impl CodeInfo {
    /// Reads an info string.
    pub fn read(info: &str) -> Self {
        let info = info.trim();
        let braced = info
            .strip_prefix('{')
            .and_then(|i| i.strip_suffix('}'))
            .map(|i| format!("{{{i}}}"));
        let (language, rest) = match &braced {
            Some(_) => (String::new(), info.to_owned()),
            None if info
                .split_whitespace()
                .next()
                .is_some_and(|w| w.contains('=')) =>
            {
                (String::new(), format!("{{{info}}}"))
            }
            None => match info.split_once(char::is_whitespace) {
                Some((language, rest)) => (language.to_owned(), format!("{{{rest}}}")),
                None => (info.to_owned(), String::new()),
            },
        };
        let mut out = Self {
            language,
            ..Self::default()
        };
        for (key, value) in inline::attribute_list(&rest).unwrap_or_default() {
            match key.as_str() {
                "class" if out.language.is_empty() => out.language = value,
                "class" => out.classes.push(value),
                "title" => out.title = Some(value),
                "linenums" => out.first_number = value.trim().parse().ok(),
                "hl_lines" => {
                    for part in value.split_whitespace() {
                        match part.split_once('-') {
                            Some((a, b)) => {
                                if let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>()) {
                                    out.highlighted.extend(a..=b.min(a + 10_000));
                                }
                            }
                            None => out.highlighted.extend(part.parse::<usize>().ok()),
                        }
                    }
                }
                _ => {}
            }
        }
        out.language = out.language.trim_start_matches('.').to_owned();
        out
    }
}

/// A code block as pymdownx.highlight writes it: `div.language-X.highlight`, an optional
/// `span.filename`, and the highlighted lines.
pub fn code_block(code: &str, info: &CodeInfo) -> String {
    // pymdownx.highlight calls code without a language `text`.
    let language = if info.language.is_empty() {
        "text".to_owned()
    } else {
        escape(&info.language)
    };
    let classes: String = info
        .classes
        .iter()
        .map(|class| format!(" {}", escape(class.trim_start_matches('.'))))
        .collect();
    let mut html = format!("<div class=\"language-{language}{classes} highlight\">");
    if let Some(title) = &info.title {
        html.push_str(&format!(
            "<span class=\"filename\">{}</span>",
            escape(title)
        ));
    }
    // Material's copy button; the reader makes it work (it is hidden without JavaScript).
    html.push_str(COPY_BUTTON);
    for (i, line) in highlight_lines(code, &info.language).iter().enumerate() {
        if let Some(first) = info.first_number {
            html.push_str(&format!(
                "<span class=\"linenos\" data-linenos=\"{} \"></span>",
                first + i
            ));
        }
        if info.highlighted.contains(&(i + 1)) {
            html.push_str(&format!("<span class=\"hll\">{line}\n</span>"));
        } else {
            html.push_str(line);
            html.push('\n');
        }
    }
    html.push_str("</code></pre></div>");
    html
}

/// Inline code, highlighted when it starts with `#!lang ` (pymdownx.inlinehilite).
pub fn inline_code(code: &str) -> String {
    if let Some((language, rest)) = code
        .strip_prefix("#!")
        .and_then(|c| c.split_once(' '))
        .filter(|(language, _)| knows(language))
    {
        let html = highlight_lines(rest, language).join("\n");
        return format!(
            "<code class=\"language-{} highlight\">{html}</code>",
            escape(language)
        );
    }
    format!("<code>{}</code>", escape(code))
}
