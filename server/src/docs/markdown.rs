//! One page's Markdown to HTML, as mkdocs with mkdocs-material and techdocs-core renders
//! it: CommonMark and GFM (pulldown-cmark), the extensions' blocks (see [`blocks`]),
//! bare URLs as links (pymdownx.magiclink), heading ids with permalinks and the page's
//! table of contents, code (see [`super::code`]), task lists as pymdownx.tasklist writes
//! them, footnotes as Python-Markdown lays them out, attribute lists, marks and
//! abbreviations. Links and
//! images are handed to the doc set ([`Links`]), which rewrites and checks them.
//!
//! The HTML is not yet safe: [`super::sanitize`] cleans it.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use super::blocks::{self, Expanded, Expansion, TabIds};
use super::code::{code_block, inline_code, CodeInfo};
use super::inline::{self, Ids};
use super::mermaid;
use app::model::docs::html::escape;
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

/// `text` (the page; `origin[i]` is the line of the source file its line `i` comes from,
/// which differs from `i + 1` where snippets were included) rendered.
pub fn render(text: &str, origin: &[usize], tab_ids: TabIds, links: &mut dyn Links) -> Rendered {
    // Abbreviation definitions are taken out (their lines left blank). A line starting
    // with `:` not followed by a space is text, not a definition (Python-Markdown's
    // def_list wants `:   `; pulldown-cmark takes any `:`).
    let mut abbreviations = Vec::new();
    let mut page = String::with_capacity(text.len());
    // A definition's term that is only an HTML comment (Material's docs write
    // `<!-- md:option … -->` so) is made a paragraph, which pulldown-cmark needs.
    let mut fence = None;
    let source: Vec<&str> = text.lines().collect();
    for (i, line) in source.iter().enumerate() {
        fence = blocks::fence_after(line, fence);
        match inline::abbreviation(line) {
            Some(definition) if fence.is_none() => abbreviations.push(definition),
            _ if fence.is_none() && is_colon_text(line) => {
                let at = line.len() - line.trim_start().len();
                page.push_str(&line[..at]);
                page.push('\\');
                page.push_str(&line[at..]);
            }
            _ if fence.is_none() && is_comment_term(&source, i) => {
                page.push_str("<span></span>");
                page.push_str(line);
            }
            _ => page.push_str(line),
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

/// `:x` at most three spaces in, which pulldown-cmark would read as a definition.
fn is_colon_text(line: &str) -> bool {
    let trimmed = line.trim_start_matches(' ');
    line.len() - trimmed.len() <= 3
        && trimmed
            .strip_prefix(':')
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with([' ', '\t']))
}

/// Whether line `i` is an HTML comment alone with a definition (`:   `) after it.
fn is_comment_term(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim();
    let is_definition = |line: &&str| line.starts_with(":   ") || line.starts_with(":\t");
    line.starts_with("<!--")
        && line.ends_with("-->")
        && match lines.get(i + 1) {
            Some(next) if next.trim().is_empty() => lines.get(i + 2).is_some_and(is_definition),
            next => next.is_some_and(is_definition),
        }
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
                "<p class=\"mermaid-note\">Portico draws mermaid flowcharts; this kind of \
                 diagram is shown as its source.</p><pre class=\"mermaid\"><code>{}</code></pre>",
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
                    let text = inline::without_shortcodes(&plain_text(&events[i..end]));
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
                // Task lists as pymdownx.tasklist writes them.
                Event::Start(Tag::List(None)) if is_task_item(&events, i) => {
                    Some("<ul class=\"task-list\">\n".to_owned())
                }
                Event::Start(Tag::Item) if is_task_item(&events, i) => {
                    Some("<li class=\"task-list-item\">".to_owned())
                }
                Event::TaskListMarker(checked) => Some(format!(
                    "<input type=\"checkbox\" disabled{}> ",
                    if checked { " checked" } else { "" }
                )),
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

/// Whether the list item whose start was just before `at` is a task (`- [x] …`).
fn is_task_item(events: &[(Event, Range<usize>)], at: usize) -> bool {
    let at = match events.get(at) {
        Some((Event::Start(Tag::Item), _)) => at + 1,
        _ => at,
    };
    match events.get(at) {
        Some((Event::TaskListMarker(_), _)) => true,
        Some((Event::Start(Tag::Paragraph), _)) => {
            matches!(events.get(at + 1), Some((Event::TaskListMarker(_), _)))
        }
        _ => false,
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

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
