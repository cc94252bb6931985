//! What Python-Markdown's extensions add inside a paragraph, and heading ids: attribute
//! lists (`{: #id .class key="value" }`), `==mark==` and `^^insert^^` (pymdownx.mark,
//! pymdownx.caret), emoji shortcodes (pymdownx.emoji), abbreviations (`*[HTML]: Hyper Text Markup Language`), and the
//! slugs mkdocs' `toc` gives headings.

use std::collections::HashSet;

use app::model::docs::html::escape;

/// A heading's id as Python-Markdown's `toc` makes it: lower case, word characters,
/// spaces and dashes kept (others dropped), runs of spaces and dashes made one dash.
pub fn slugify(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let mut slug = String::new();
    for part in kept.split(|c: char| c == '-' || c.is_whitespace()) {
        if part.is_empty() {
            continue;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(part);
    }
    slug
}

/// The ids given on one page, so that a repeated heading gets `_1`, `_2`… as in mkdocs.
#[derive(Debug, Default)]
pub struct Ids(HashSet<String>);

impl Ids {
    /// `wanted`, or the first free `wanted_N`.
    pub fn claim(&mut self, wanted: &str) -> String {
        let wanted = if wanted.is_empty() { "_" } else { wanted };
        let mut id = wanted.to_owned();
        let mut n = 0;
        while self.0.contains(&id) {
            n += 1;
            id = format!("{wanted}_{n}");
        }
        self.0.insert(id.clone());
        id
    }
}

/// An attribute list as attr_list reads it: `{: #id .class key="value" key=value }`
/// (the colon is optional), in order. `None` when `text` is not one.
pub fn attribute_list(text: &str) -> Option<Vec<(String, String)>> {
    let inner = text.trim().strip_prefix('{')?.strip_suffix('}')?;
    let inner = inner.strip_prefix(':').unwrap_or(inner);
    let mut out = Vec::new();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let end = token_end(rest)?;
        let token = &rest[..end];
        rest = rest[end..].trim_start();
        if let Some(id) = token.strip_prefix('#') {
            out.push(("id".to_owned(), id.to_owned()));
        } else if let Some(class) = token.strip_prefix('.') {
            out.push(("class".to_owned(), class.to_owned()));
        } else if let Some((key, value)) = token.split_once('=') {
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            out.push((key.to_owned(), value.to_owned()));
        } else {
            out.push((token.to_owned(), String::new()));
        }
    }
    Some(out)
}

/// Where the token at the start of `text` ends: at a space outside quotes.
fn token_end(text: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => return Some(i),
            _ => {}
        }
    }
    quote.is_none().then_some(text.len())
}

/// Attributes as HTML, classes joined into one `class`; names that are not plain words
/// are left out (the sanitiser decides which of the rest stay).
pub fn attributes_html(attributes: &[(String, String)]) -> String {
    let classes: Vec<&str> = attributes
        .iter()
        .filter(|(k, _)| k == "class")
        .map(|(_, v)| v.as_str())
        .collect();
    let mut html = String::new();
    if !classes.is_empty() {
        html.push_str(&format!(" class=\"{}\"", escape(&classes.join(" "))));
    }
    for (key, value) in attributes.iter().filter(|(k, _)| k != "class") {
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            continue;
        }
        html.push_str(&format!(" {key}=\"{}\"", escape(value)));
    }
    html
}

/// An abbreviation definition line, `*[HTML]: Hyper Text Markup Language`.
pub fn abbreviation(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix("*[")?;
    let (term, definition) = rest.split_once("]:")?;
    let term = term.trim();
    (!term.is_empty()).then(|| (term.to_owned(), definition.trim().to_owned()))
}

/// Plain text as HTML: escaped, with `==mark==`, `^^insert^^` and the page's
/// abbreviations marked up, and (`link_urls`, outside links) bare `http(s)://` URLs made
/// links as pymdownx.magiclink does.
pub fn text_html(text: &str, abbreviations: &[(String, String)], link_urls: bool) -> String {
    if link_urls {
        if let Some((start, end)) = bare_url(text) {
            let url = escape(&text[start..end]);
            return format!(
                "{}<a href=\"{url}\">{url}</a>{}",
                text_html(&text[..start], abbreviations, false),
                text_html(&text[end..], abbreviations, true)
            );
        }
    }
    let mut html = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        match next_pair(rest) {
            Some((start, end, tag)) => {
                html.push_str(&with_abbreviations(&rest[..start], abbreviations));
                html.push_str(&format!(
                    "<{tag}>{}</{tag}>",
                    with_abbreviations(&rest[start + 2..end], abbreviations)
                ));
                rest = &rest[end + 2..];
            }
            None => {
                html.push_str(&with_abbreviations(rest, abbreviations));
                break;
            }
        }
    }
    html
}

/// The first bare URL in `text`: from `http://` or `https://` to the first space, less
/// the punctuation that usually ends a sentence after it.
fn bare_url(text: &str) -> Option<(usize, usize)> {
    let start = [text.find("https://"), text.find("http://")]
        .into_iter()
        .flatten()
        .min()?;
    let preceded_by_word = text[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '"' || c == '\'' || c == '=');
    if preceded_by_word {
        return None;
    }
    let length = text[start..]
        .find(|c: char| c.is_whitespace() || c == '<' || c == '>')
        .unwrap_or(text.len() - start);
    let url = text[start..start + length].trim_end_matches(['.', ',', ':', ';', '!', '?', ')']);
    (url.len() > "https://".len()).then_some((start, start + url.len()))
}

/// The first `==…==` or `^^…^^` in `text`: where it opens, where it closes and its tag.
/// The text between may not start or end with a space.
fn next_pair(text: &str) -> Option<(usize, usize, &'static str)> {
    [("==", "mark"), ("^^", "ins")]
        .iter()
        .filter_map(|(delimiter, tag)| {
            let mut from = 0;
            while let Some(found) = text[from..].find(delimiter) {
                let start = from + found;
                let inner = &text[start + 2..];
                if inner.starts_with(|c: char| {
                    !c.is_whitespace() && c != delimiter.as_bytes()[0] as char
                }) {
                    if let Some(close) = inner.find(delimiter) {
                        if close > 0 && !inner[..close].ends_with(char::is_whitespace) {
                            return Some((start, start + 2 + close, *tag));
                        }
                    }
                }
                from = start + 2;
            }
            None
        })
        .min_by_key(|(start, _, _)| *start)
}

fn with_abbreviations(text: &str, abbreviations: &[(String, String)]) -> String {
    let mut html = with_emoji(&escape(text));
    for (term, definition) in abbreviations {
        let term_html = escape(term);
        let mut out = String::new();
        let mut rest = html.as_str();
        while let Some(at) = rest.find(&term_html) {
            let before = rest[..at].chars().next_back();
            let after = rest[at + term_html.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            out.push_str(&rest[..at]);
            if word(before) || word(after) {
                out.push_str(&term_html);
            } else {
                out.push_str(&format!(
                    "<abbr title=\"{}\">{term_html}</abbr>",
                    escape(definition)
                ));
            }
            rest = &rest[at + term_html.len()..];
        }
        out.push_str(rest);
        html = out;
    }
    html
}

/// The text an HTML fragment shows: its tags dropped, the common entities decoded.
pub fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `:shortcode:`s (GitHub's and Unicode's names, as pymdownx.emoji knows them) in
/// escaped text replaced by their emoji; Material's icons (`:material-check:`,
/// `:fontawesome-brands-github:`, `:octicons-…:`, `:simple-…:`), whose drawings Portico does
/// not carry, by an empty mark naming them; unknown ones are left as written.
fn with_emoji(html: &str) -> String {
    replace_shortcodes(html, |out, name, emoji| match emoji {
        Some(emoji) => out.push_str(&format!(
            "<span class=\"twemoji\" title=\":{name}:\">{}</span>",
            emoji.as_str()
        )),
        None => out.push_str(&format!(
            "<span class=\"twemoji\" data-icon=\"{name}\"></span>"
        )),
    })
}

/// A tab's label or an admonition's title, which Material writes as inline Markdown:
/// code spans, emoji and icons; the rest is text.
pub fn label_html(label: &str) -> String {
    let parts: Vec<&str> = label.split('`').collect();
    let mut html = String::new();
    for (i, part) in parts.iter().enumerate() {
        // Odd parts are between backticks; the last one, when odd, has no closing
        // backtick and stays text, its opening one with it.
        if i % 2 == 0 {
            html.push_str(&with_emoji(&escape(part)));
        } else if i + 1 < parts.len() {
            html.push_str(&format!("<code>{}</code>", escape(part)));
        } else {
            html.push('`');
            html.push_str(&with_emoji(&escape(part)));
        }
    }
    html
}

/// `text` without its emoji and icon shortcodes, as a heading's text is in the table of
/// contents and its id (Material draws them as images, which have no text).
pub fn without_shortcodes(text: &str) -> String {
    let out = replace_shortcodes(text, |_, _, _| {});
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` with each emoji or icon shortcode replaced by what `write` writes, given its
/// name and its emoji (`None` for an icon).
fn replace_shortcodes(
    text: &str,
    mut write: impl FnMut(&mut String, &str, Option<&emojis::Emoji>),
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(':') {
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-')))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let known = (name_len > 0 && after[name_len..].starts_with(':'))
            .then(|| match emojis::get_by_shortcode(name) {
                Some(emoji) => Some(Some(emoji)),
                None => is_icon(name).then_some(None),
            })
            .flatten();
        match known {
            Some(emoji) => {
                out.push_str(&rest[..open]);
                write(&mut out, name, emoji);
                rest = &after[name_len + 1..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `name` names one of the icon sets Material bundles.
fn is_icon(name: &str) -> bool {
    ["material-", "fontawesome-", "octicons-", "simple-"]
        .iter()
        .any(|set| name.strip_prefix(set).is_some_and(|icon| !icon.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_shows_its_text() {
        assert_eq!(
            html_text("<p class=\"admonition-title\">Tom &amp; <b>Jerry</b></p>\n"),
            "Tom & Jerry"
        );
        assert_eq!(html_text("<div markdown>"), "");
    }

    #[test]
    fn emoji_shortcodes_become_emoji() {
        assert_eq!(
            with_emoji("Nice :thumbsup: and :heart:"),
            "Nice <span class=\"twemoji\" title=\":thumbsup:\">👍</span> and \
             <span class=\"twemoji\" title=\":heart:\">❤️</span>"
        );
        for kept in ["10:30:00", ":not-an-emoji:", "a:b", "::", ":material-:"] {
            assert_eq!(with_emoji(kept), kept);
        }
        // Material's icons are not drawn, but marked (and never shown as their code).
        assert_eq!(
            with_emoji("Go :material-heart:"),
            "Go <span class=\"twemoji\" data-icon=\"material-heart\"></span>"
        );
        assert_eq!(
            without_shortcodes(":octicons-file-16: Icons, emojis :smile:"),
            "Icons, emojis"
        );
    }

    #[test]
    fn labels_are_inline_markdown() {
        assert_eq!(
            label_html(":octicons-file-16: `a<b>` & c"),
            "<span class=\"twemoji\" data-icon=\"octicons-file-16\"></span> <code>a&lt;b&gt;</code> &amp; c"
        );
        assert_eq!(label_html("one ` tick"), "one ` tick");
    }

    #[test]
    fn slugs_and_repeated_ids_follow_mkdocs() {
        assert_eq!(
            slugify("Getting Started — with `httpx`!"),
            "getting-started-with-httpx"
        );
        assert_eq!(slugify("  A -- b_c  "), "a-b_c");
        let mut ids = Ids::default();
        assert_eq!(ids.claim("setup"), "setup");
        assert_eq!(ids.claim("setup"), "setup_1");
        assert_eq!(ids.claim("setup"), "setup_2");
    }

    #[test]
    fn attribute_lists_take_ids_classes_and_quoted_values() {
        let attributes =
            attribute_list("{: #main .md-button .wide title=\"Go there\" loading=lazy }").unwrap();
        assert_eq!(
            attributes,
            [
                ("id".into(), "main".into()),
                ("class".into(), "md-button".into()),
                ("class".into(), "wide".into()),
                ("title".into(), "Go there".into()),
                ("loading".into(), "lazy".into()),
            ]
        );
        assert_eq!(
            attributes_html(&attributes),
            " class=\"md-button wide\" id=\"main\" title=\"Go there\" loading=\"lazy\""
        );
        assert_eq!(attribute_list("not {one}"), None);
        assert_eq!(attributes_html(&[("on<x".into(), "1".into())]), "");
    }

    #[test]
    fn marks_inserts_and_abbreviations() {
        let abbreviations = [("HTML".to_owned(), "Hyper <Text>".to_owned())];
        assert_eq!(
            text_html("==marked== and ^^new^^, HTML not HTMLish, a == b == c", &abbreviations, true),
            "<mark>marked</mark> and <ins>new</ins>, <abbr title=\"Hyper &lt;Text&gt;\">HTML</abbr> not HTMLish, a == b == c"
        );
        assert_eq!(text_html("<b>", &[], true), "&lt;b&gt;");
        assert_eq!(
            text_html("see http://x.example/a.", &[], false),
            "see http://x.example/a."
        );
        assert_eq!(
            abbreviation("*[API]: Application Programming Interface"),
            Some(("API".into(), "Application Programming Interface".into()))
        );
    }
}
