//! One page's Markdown to HTML, as mkdocs with mkdocs-material and techdocs-core renders
//! it: CommonMark and GFM (pulldown-cmark), the extensions' blocks (see [`blocks`]),
//! bare URLs as links (pymdownx.magiclink), heading ids with permalinks and the page's table of contents, code blocks highlighted
//! with `title=`, `linenums=` and `hl_lines=`, inline `#!lang` code, footnotes as
//! Python-Markdown lays them out, attribute lists, marks and abbreviations. Links and
//! images are handed to the doc set ([`Links`]), which rewrites and checks them.
//!
//! The HTML is not yet safe: [`super::sanitize`] cleans it.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use super::blocks::{self, Expanded, Expansion, TabIds};
use super::highlight::{escape, highlight_lines, knows};
use super::inline::{self, Ids};
use super::mermaid;
use app::model::docs::page::{Section, TocEntry};

/// What a page's links and images lead to, as its doc set decides.
pub trait Links {
    /// The URL to write for `href`, written on `line` of the page (an image's `src` when
    /// `image`); `None` leaves the link out (its text stays). Problems are the doc set's
    /// to record.
    fn resolve(&mut self, href: &str, image: bool, line: usize) -> Option<String>;
}

/// A page, rendered.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Its HTML (not yet sanitised).
    pub html: String,
    /// Its mermaid flowcharts as SVG, for [`mermaid::insert`] once the HTML is clean.
    pub diagrams: Vec<String>,
    /// Its first level-one heading's text.
    pub title: Option<String>,
    /// Its headings.
    pub toc: Vec<TocEntry>,
    /// Its text, section by section, for search.
    pub sections: Vec<Section>,
}

/// A code block's start: Material's copy button, then the code.
const COPY_BUTTON: &str = "<pre><span></span><button class=\"md-clipboard\" type=\"button\" \
     title=\"Copy to clipboard\" aria-label=\"Copy to clipboard\"></button><code>";

/// `text` (the page; `origin[i]` is the line of the source file its line `i` comes from,
/// which differs from `i + 1` where snippets were included) rendered.
pub fn render(text: &str, origin: &[usize], tab_ids: TabIds, links: &mut dyn Links) -> Rendered {
    // Abbreviation definitions are taken out (their lines left blank).
    let mut abbreviations = Vec::new();
    let mut page = String::with_capacity(text.len());
    for line in text.lines() {
        match inline::abbreviation(line) {
            Some(definition) => abbreviations.push(definition),
            None => page.push_str(line),
        }
        page.push('\n');
    }
    let mut expanded = Expanded::default();
    blocks::expand(
        &blocks::parse_blocks(&page, 1),
        &mut expanded,
        &mut Expansion::new(tab_ids),
    );
    let lines: Vec<usize> = expanded
        .lines
        .iter()
        .map(|line| origin.get(line - 1).copied().unwrap_or(*line))
        .collect();
    let mut renderer = Renderer {
        starts: line_starts(&expanded.text),
        lines,
        links,
        abbreviations,
        ids: Ids::default(),
        out: Rendered::default(),
        sections: vec![Section::default()],
        footnotes: Vec::new(),
    };
    let events: Vec<(Event, Range<usize>)> = Parser::new_ext(&expanded.text, options())
        .into_offset_iter()
        .collect();
    let events = renderer.walk(events);
    pulldown_cmark::html::push_html(&mut renderer.out.html, events.into_iter());
    renderer.finish()
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

struct Renderer<'l> {
    starts: Vec<usize>,
    lines: Vec<usize>,
    links: &'l mut dyn Links,
    abbreviations: Vec<(String, String)>,
    ids: Ids,
    out: Rendered,
    sections: Vec<Section>,
    /// Footnotes by label, in the order of their first reference: `(label, html)`.
    footnotes: Vec<(String, Option<String>)>,
}

impl Renderer<'_> {
    /// The source line of an offset in the expanded document.
    fn line(&self, offset: usize) -> usize {
        let index = self.starts.partition_point(|start| *start <= offset).max(1) - 1;
        self.lines.get(index).copied().unwrap_or(1)
    }

    /// A mermaid block: a flowchart drawn (its SVG kept aside, a placeholder in the
    /// page), another kind of diagram shown as its source with a note.
    fn diagram(&mut self, code: &str) -> String {
        match mermaid::parse(code) {
            Some(chart) => {
                self.out.diagrams.push(mermaid::svg(&chart));
                mermaid::placeholder(self.out.diagrams.len() - 1)
            }
            None => format!(
                "<div class=\"admonition note\"><p class=\"admonition-title\">Diagram shown as its \
                 source</p><p>Portico draws mermaid flowcharts; this kind of diagram is shown as \
                 written.</p></div><pre class=\"mermaid\"><code>{}</code></pre>",
                escape(code.trim_end())
            ),
        }
    }

    fn section_text(&mut self, text: &str) {
        let section = self.sections.last_mut().expect("a section");
        if !section.text.is_empty() && !section.text.ends_with(' ') {
            section.text.push(' ');
        }
        section.text.push_str(text.trim());
    }

    fn walk<'a>(&mut self, mut events: Vec<(Event<'a>, Range<usize>)>) -> Vec<Event<'a>> {
        let mut out = Vec::with_capacity(events.len());
        // Where a footnote definition's events go while it is read.
        let mut footnote: Option<(String, Vec<Event<'a>>)> = None;
        let mut in_heading = false;
        let mut in_link = false;
        let mut i = 0;
        while i < events.len() {
            let (event, range) = std::mem::replace(&mut events[i], (Event::SoftBreak, 0..0));
            i += 1;
            // What HTML shows (an admonition's title, a page's own markup) is searched too.
            if let Event::Html(html) | Event::InlineHtml(html) = &event {
                let text = inline::html_text(html);
                if !in_heading && !text.trim().is_empty() {
                    self.section_text(&text);
                }
            }
            let html = match event {
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) => {
                    let end = matching_end(&events, i);
                    let text = plain_text(&events[i..end]);
                    let id = self
                        .ids
                        .claim(&id.map_or_else(|| inline::slugify(&text), |id| id.to_string()));
                    let level = level as u8;
                    if level == 1 && self.out.title.is_none() {
                        self.out.title = Some(text.clone());
                    }
                    self.out.toc.push(TocEntry {
                        level,
                        id: id.clone(),
                        title: text.clone(),
                    });
                    self.sections.push(Section {
                        id: id.clone(),
                        title: text,
                        text: String::new(),
                    });
                    in_heading = true;
                    let mut attributes: Vec<(String, String)> = classes
                        .iter()
                        .map(|c| ("class".to_owned(), c.to_string()))
                        .collect();
                    attributes.extend(
                        attrs
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.as_deref().unwrap_or("").to_owned())),
                    );
                    Some(format!(
                        "<h{level} id=\"{}\"{}>",
                        escape(&id),
                        inline::attributes_html(&attributes)
                    ))
                }
                Event::End(TagEnd::Heading(level)) => {
                    in_heading = false;
                    let id = &self.sections.last().expect("a section").id;
                    Some(format!(
                        "<a class=\"headerlink\" href=\"#{}\" title=\"Permanent link\">&para;</a></h{}>",
                        escape(id),
                        level as u8
                    ))
                }
                Event::Start(Tag::Link {
                    dest_url, title, ..
                }) => {
                    let end = matching_end(&events, i);
                    let attributes = take_attribute_list(&mut events, end + 1);
                    let href = self.links.resolve(&dest_url, false, self.line(range.start));
                    in_link = true;
                    match href {
                        Some(href) => {
                            let title = if title.is_empty() {
                                String::new()
                            } else {
                                format!(" title=\"{}\"", escape(&title))
                            };
                            Some(format!(
                                "<a href=\"{}\"{title}{}>",
                                escape(&href),
                                inline::attributes_html(&attributes)
                            ))
                        }
                        None => {
                            // The link's text stays; its end is dropped with it.
                            events[end].0 = Event::Text(CowStr::Borrowed(""));
                            Some(String::new())
                        }
                    }
                }
                Event::End(TagEnd::Link) => {
                    in_link = false;
                    Some("</a>".to_owned())
                }
                Event::Start(Tag::Image {
                    dest_url, title, ..
                }) => {
                    let end = matching_end(&events, i);
                    let alt = plain_text(&events[i..end]);
                    let attributes = take_attribute_list(&mut events, end + 1);
                    i = end + 1;
                    let src = self.links.resolve(&dest_url, true, self.line(range.start));
                    let title = if title.is_empty() {
                        String::new()
                    } else {
                        format!(" title=\"{}\"", escape(&title))
                    };
                    Some(match src {
                        Some(src) => format!(
                            "<img src=\"{}\" alt=\"{}\"{title}{}>",
                            escape(&src),
                            escape(&alt),
                            inline::attributes_html(&attributes)
                        ),
                        None => escape(&alt),
                    })
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let end = matching_end(&events, i);
                    let code: String = events[i..end]
                        .iter()
                        .filter_map(|(e, _)| match e {
                            Event::Text(t) => Some(t.as_ref()),
                            _ => None,
                        })
                        .collect();
                    i = end + 1;
                    let info = match &kind {
                        CodeBlockKind::Fenced(info) => info.to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    let block = CodeInfo::read(&info);
                    self.section_text(&code);
                    if block.language == "mermaid" {
                        Some(self.diagram(&code))
                    } else {
                        Some(code_block(&code, &block))
                    }
                }
                Event::Code(code) => {
                    if !in_heading {
                        self.section_text(&code);
                    }
                    Some(inline_code(&code))
                }
                Event::Text(text) if !text.is_empty() => {
                    if !in_heading {
                        self.section_text(&text);
                    }
                    Some(inline::text_html(&text, &self.abbreviations, !in_link))
                }
                Event::Html(html) | Event::InlineHtml(html)
                    if html.contains("src=") || html.contains("href=") =>
                {
                    let line = self.line(range.start);
                    Some(rewrite_urls(&html, |url, image| {
                        self.links.resolve(url, image, line)
                    }))
                }
                Event::FootnoteReference(label) => {
                    let n = self.footnote_number(&label);
                    let label = escape(&label);
                    Some(format!(
                        "<sup id=\"fnref:{label}\"><a class=\"footnote-ref\" href=\"#fn:{label}\">{n}</a></sup>"
                    ))
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    footnote = Some((label.to_string(), Vec::new()));
                    continue;
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    if let Some((label, events)) = footnote.take() {
                        let mut html = String::new();
                        pulldown_cmark::html::push_html(&mut html, events.into_iter());
                        self.footnote_number(&label);
                        if let Some(slot) = self.footnotes.iter_mut().find(|(l, _)| *l == label) {
                            slot.1 = Some(html);
                        }
                    }
                    continue;
                }
                event => {
                    if matches!(event, Event::SoftBreak | Event::HardBreak) && !in_heading {
                        self.section_text(" ");
                    }
                    match &mut footnote {
                        Some((_, events)) => events.push(event),
                        None => out.push(event),
                    }
                    continue;
                }
            };
            if let Some(html) = html {
                let event = Event::InlineHtml(html.into());
                match &mut footnote {
                    Some((_, events)) => events.push(event),
                    None => out.push(event),
                }
            }
        }
        out
    }

    fn footnote_number(&mut self, label: &str) -> usize {
        match self.footnotes.iter().position(|(l, _)| l == label) {
            Some(i) => i + 1,
            None => {
                self.footnotes.push((label.to_owned(), None));
                self.footnotes.len()
            }
        }
    }

    fn finish(mut self) -> Rendered {
        let defined: Vec<_> = self
            .footnotes
            .iter()
            .filter_map(|(label, html)| html.as_ref().map(|html| (label, html)))
            .collect();
        if !defined.is_empty() {
            self.out.html.push_str("<div class=\"footnote\"><hr><ol>");
            for (label, html) in defined {
                let label = escape(label);
                self.out.html.push_str(&format!(
                    "<li id=\"fn:{label}\">{html}<a class=\"footnote-backref\" href=\"#fnref:{label}\" title=\"Jump back to footnote in the text\">&#8617;</a></li>"
                ));
            }
            self.out.html.push_str("</ol></div>");
        }
        self.out.sections = self
            .sections
            .into_iter()
            .filter(|s| !s.id.is_empty() || !s.text.is_empty())
            .collect();
        self.out
    }
}

/// HTML written in a page with the URLs of its `src` and `href` attributes resolved as
/// the page's Markdown links are (an attribute whose URL is refused is left out).
fn rewrite_urls(html: &str, mut resolve: impl FnMut(&str, bool) -> Option<String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let found = ["src=", "href="]
            .iter()
            .filter_map(|name| rest.find(name).map(|at| (at, *name)))
            .filter(|(at, _)| rest[..*at].ends_with(char::is_whitespace))
            .min();
        let Some((at, name)) = found else {
            out.push_str(rest);
            return out;
        };
        let value_at = at + name.len();
        let quote = rest[value_at..]
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'');
        let (value, end) = match quote {
            Some(q) => match rest[value_at + 1..].find(q) {
                Some(close) => (
                    &rest[value_at + 1..value_at + 1 + close],
                    value_at + close + 2,
                ),
                None => {
                    out.push_str(rest);
                    return out;
                }
            },
            None => {
                let close = rest[value_at..]
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(rest.len() - value_at);
                (&rest[value_at..value_at + close], value_at + close)
            }
        };
        out.push_str(&rest[..at]);
        let unescaped = value.replace("&amp;", "&");
        if let Some(url) = resolve(&unescaped, name == "src=") {
            out.push_str(&format!("{name}\"{}\"", escape(&url)));
        }
        rest = &rest[end..];
    }
}

/// The index of the end of the tag whose start was just before `from`.
fn matching_end(events: &[(Event, Range<usize>)], from: usize) -> usize {
    let mut depth = 0;
    for (i, (event, _)) in events.iter().enumerate().skip(from) {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => return i,
            Event::End(_) => depth -= 1,
            _ => {}
        }
    }
    events.len().saturating_sub(1)
}

/// The text of a run of inline events.
fn plain_text(events: &[(Event, Range<usize>)]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// An attribute list written right after a link or image (`[x](y){: .md-button }`),
/// taken out of the text that follows.
fn take_attribute_list(events: &mut [(Event, Range<usize>)], at: usize) -> Vec<(String, String)> {
    let Some((Event::Text(text), _)) = events.get(at) else {
        return Vec::new();
    };
    let Some(close) = text.find('}').filter(|_| text.starts_with('{')) else {
        return Vec::new();
    };
    let Some(attributes) = inline::attribute_list(&text[..=close]) else {
        return Vec::new();
    };
    let rest = text[close + 1..].to_owned();
    events[at].0 = Event::Text(rest.into());
    attributes
}

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
fn code_block(code: &str, info: &CodeInfo) -> String {
    let language = escape(&info.language);
    let mut html = if language.is_empty() {
        "<div class=\"highlight\">".to_owned()
    } else {
        format!("<div class=\"language-{language} highlight\">")
    };
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
fn inline_code(code: &str) -> String {
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

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
