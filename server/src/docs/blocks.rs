//! The block structure Python-Markdown's extensions add on top of Markdown, as
//! mkdocs-material users write it: admonitions (`!!! note "Title"`), collapsible ones
//! (`??? note`, `???+ note`, from pymdownx.details), content tabs (`=== "Tab"`, from
//! pymdownx.tabbed) and GitHub's alerts (`> [!NOTE]`). Each holds Markdown indented by
//! four spaces (alerts: quoted), which may hold more of them.
//!
//! Lines inside fenced code blocks are never read as any of these.

use app::model::docs::html::escape;

/// A page's content, split where the extensions' blocks start and end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// Plain Markdown, with the line its first line had in the file.
    Markdown {
        /// The text.
        text: String,
        /// Its first line's number in the file, from 1.
        line: usize,
    },
    /// An admonition, collapsible or not.
    Admonition {
        /// `note`, `warning`… (the first class; others follow in `classes`).
        kind: String,
        /// Further classes written after the first (`!!! note inline end`).
        classes: Vec<String>,
        /// The title: as written in quotes, `None` for the kind's own ("Note"), and
        /// `Some("")` for none at all (`!!! note ""`).
        title: Option<String>,
        /// `None` for an admonition; `Some(open)` for a collapsible one (`???+`: open).
        collapsible: Option<bool>,
        /// What it holds.
        body: Vec<Block>,
    },
    /// A set of content tabs.
    Tabs(Vec<Tab>),
    /// A list item or a definition (`1.  `, `- `, `:   `) that holds some of the blocks
    /// above, which Python-Markdown reads inside it (its content indented by four).
    Item {
        /// Its marker, padded to four columns (`-   `, `1.  `, `:   `).
        marker: String,
        /// What it holds.
        body: Vec<Block>,
    },
}

/// One content tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tab {
    /// Its label.
    pub label: String,
    /// Whether it is the one shown first (`===+`).
    pub selected: bool,
    /// What it holds.
    pub body: Vec<Block>,
}

/// Splits `text`, whose first line is line `first_line` of its file, into blocks.
pub fn parse_blocks(text: &str, first_line: usize) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut markdown: Vec<&str> = Vec::new();
    let mut markdown_line = first_line;
    let mut fence: Option<(char, usize)> = None;
    let mut i = 0;
    let flush = |markdown: &mut Vec<&str>, out: &mut Vec<Block>, line: usize| {
        if markdown.iter().any(|l| !l.trim().is_empty()) {
            out.push(Block::Markdown {
                text: markdown.join("\n"),
                line,
            });
        }
        markdown.clear();
    };
    while i < lines.len() {
        let line = lines[i];
        if let Some(open) = fence {
            if closes_fence(line, open) {
                fence = None;
            }
            markdown.push(line);
            i += 1;
            continue;
        }
        if let Some(open) = opens_fence(line) {
            fence = Some(open);
            if markdown.is_empty() {
                markdown_line = first_line + i;
            }
            markdown.push(line);
            i += 1;
            continue;
        }
        if let Some(head) = admonition_head(line) {
            flush(&mut markdown, &mut out, markdown_line);
            let (body, next) = indented_body(&lines, i + 1);
            out.push(Block::Admonition {
                kind: head.kind,
                classes: head.classes,
                title: head.title,
                collapsible: head.collapsible,
                body: parse_blocks(&body, first_line + i + 1),
            });
            i = next;
            markdown_line = first_line + i;
            continue;
        }
        if tab_head(line).is_some() {
            flush(&mut markdown, &mut out, markdown_line);
            let mut tabs = Vec::new();
            // Consecutive tabs make one set; blank lines between them do not split it.
            while let Some((label, selected)) = lines.get(i).and_then(|l| tab_head(l)) {
                let (body, next) = indented_body(&lines, i + 1);
                tabs.push(Tab {
                    label,
                    selected,
                    body: parse_blocks(&body, first_line + i + 1),
                });
                i = next;
                let after_blanks = (i..lines.len())
                    .find(|&j| !lines[j].trim().is_empty())
                    .unwrap_or(lines.len());
                if lines
                    .get(after_blanks)
                    .is_some_and(|l| tab_head(l).is_some())
                {
                    i = after_blanks;
                }
            }
            out.push(Block::Tabs(tabs));
            markdown_line = first_line + i;
            continue;
        }
        if let Some(kind) = alert_head(line) {
            flush(&mut markdown, &mut out, markdown_line);
            let start = i;
            i += 1;
            let mut body = Vec::new();
            while let Some(quoted) = lines.get(i).and_then(|l| unquote(l)) {
                body.push(quoted);
                i += 1;
            }
            out.push(Block::Admonition {
                kind: kind.to_owned(),
                classes: Vec::new(),
                title: None,
                collapsible: None,
                body: parse_blocks(&body.join("\n"), first_line + start + 1),
            });
            markdown_line = first_line + i;
            continue;
        }
        if let Some((marker, content)) = item_head(line) {
            let (body, next) = item_body(&lines, i, content);
            let blocks = parse_blocks(&body, first_line + i);
            if blocks.iter().any(|b| !matches!(b, Block::Markdown { .. })) {
                flush(&mut markdown, &mut out, markdown_line);
                out.push(Block::Item {
                    marker: format!("{marker:<4}"),
                    body: blocks,
                });
                i = next;
                markdown_line = first_line + i;
                continue;
            }
            // Plain Markdown: pulldown-cmark reads the item as it is.
            if markdown.is_empty() {
                markdown_line = first_line + i;
            }
            markdown.extend(&lines[i..next]);
            i = next;
            continue;
        }
        if markdown.is_empty() {
            markdown_line = first_line + i;
        }
        markdown.push(line);
        i += 1;
    }
    flush(&mut markdown, &mut out, markdown_line);
    out
}

/// A list item's or a definition's first line (`- x`, `12. x`, `:   x`), at most three
/// spaces in: its marker (`-`, `12.`, `:`) and what follows it.
fn item_head(line: &str) -> Option<(&str, &str)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    let marker_len = match trimmed.as_bytes().get(digits) {
        Some(b'.' | b')') if digits > 0 && digits < 10 => digits + 1,
        Some(b'-' | b'*' | b'+' | b':') if digits == 0 => 1,
        _ => return None,
    };
    let rest = &trimmed[marker_len..];
    let content = rest.trim_start_matches([' ', '\t']);
    // A marker is followed by a space; a thematic break (`- - -`, `***`) is not an item.
    if !rest.starts_with([' ', '\t']) || content.is_empty() || content.starts_with(['-', '*']) {
        return None;
    }
    Some((&trimmed[..marker_len], content))
}

/// The item starting at `start` (`content` after its marker), dedented by four, with the
/// index of the first line after it: lines indented by four or more, blank lines
/// between them, and lines continuing its first paragraph.
fn item_body(lines: &[&str], start: usize, content: &str) -> (String, usize) {
    let mut body = vec![content.to_owned()];
    let mut end = start + 1;
    let mut i = start + 1;
    while let Some(line) = lines.get(i) {
        let blank = line.trim().is_empty();
        let indented = line.starts_with("    ") || line.starts_with('\t');
        let lazy = !blank && !lines[i - 1].trim().is_empty() && i == end;
        if !(blank || indented || lazy)
            || (!indented && (item_head(line).is_some() || is_block_head(line)))
        {
            break;
        }
        let dedented = line
            .strip_prefix("    ")
            .or_else(|| line.strip_prefix('\t'))
            .unwrap_or(line.trim_start());
        body.push(dedented.to_owned());
        i += 1;
        if !blank {
            end = i;
        }
    }
    body.truncate(end - start);
    (body.join("\n"), end)
}

/// Whether `line` starts one of this module's blocks.
fn is_block_head(line: &str) -> bool {
    admonition_head(line).is_some() || tab_head(line).is_some() || alert_head(line).is_some()
}

/// A page's blocks written back as one CommonMark document, the extensions' blocks as
/// the HTML mkdocs-material gives them with their Markdown between: each HTML line
/// stands alone between blank lines, so the Markdown inside is read as Markdown.
#[derive(Debug, Default)]
pub struct Expanded {
    /// The document.
    pub text: String,
    /// For each of its lines, the line of the page it comes from (from 1).
    pub lines: Vec<usize>,
}

impl Expanded {
    fn push(&mut self, text: &str, line: usize) {
        self.text.push_str(text);
        self.text.push('\n');
        self.lines.push(line);
    }

    /// An HTML line, with the blank lines around it.
    fn push_html(&mut self, html: &str, line: usize) {
        self.push("", line);
        self.push(html, line);
        self.push("", line);
    }
}

/// How content tabs' inputs get their ids (which links to a tab use).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TabIds {
    /// `__tabbed_1_2`: set 1, tab 2 (pymdownx.tabbed's default).
    #[default]
    Numbered,
    /// The label's slug (`slugify:` set), after the heading above's and `--` when
    /// `combine_header_slug` is.
    Slugs {
        /// `combine_header_slug`.
        combine: bool,
    },
}

/// What expanding a page keeps track of.
#[derive(Debug, Default)]
pub struct Expansion {
    /// How tab inputs get their ids.
    pub tab_ids: TabIds,
    /// Tab sets so far.
    tabs: usize,
    /// The slug of the last heading seen.
    heading: String,
    /// Ids given to tabs so far.
    ids: super::inline::Ids,
}

impl Expansion {
    /// A page's expansion, with tab ids given as `tab_ids` says.
    pub fn new(tab_ids: TabIds) -> Self {
        Self {
            tab_ids,
            ..Self::default()
        }
    }

    fn tab_id(&mut self, set: usize, n: usize, label: &str) -> String {
        match self.tab_ids {
            TabIds::Numbered => format!("__tabbed_{set}_{n}"),
            TabIds::Slugs { combine } => {
                let slug = tab_slug(label);
                let id = if combine && !self.heading.is_empty() {
                    format!("{}-{slug}", self.heading)
                } else {
                    slug
                };
                self.ids.claim(&id)
            }
        }
    }
}

/// A tab label's slug as pymdownx.slugs.slugify (`case: lower`) makes it from the
/// label's text (no icons, no backticks, trimmed): lower case, only letters, digits, `_`,
/// `-` and spaces kept, each space a `-` (`... or me` → `-or-me`).
fn tab_slug(label: &str) -> String {
    super::inline::without_shortcodes(&label.replace('`', ""))
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The text of an ATX heading line (`## Title {#id}` → `Title`).
fn heading_text(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches('#');
    let level = line.len() - rest.len();
    if !(1..=6).contains(&level) || !rest.starts_with(' ') {
        return None;
    }
    let text = rest.trim();
    let text = match text.rfind('{') {
        Some(at) if text.ends_with('}') => text[..at].trim(),
        _ => text,
    };
    Some(text.trim_end_matches('#').trim())
}

/// `blocks` as one document.
pub fn expand(blocks: &[Block], out: &mut Expanded, state: &mut Expansion) {
    for block in blocks {
        match block {
            Block::Markdown { text, line } => {
                for (i, text) in text.lines().enumerate() {
                    if let Some(heading) = heading_text(text) {
                        state.heading = super::inline::slugify(heading);
                    }
                    out.push(text, line + i);
                }
            }
            Block::Admonition {
                kind,
                classes,
                title,
                collapsible,
                body,
            } => {
                let line = first_line(body);
                let class = std::iter::once(kind)
                    .chain(classes)
                    .map(|c| escape(c))
                    .collect::<Vec<_>>()
                    .join(" ");
                let title = match title {
                    Some(title) => super::inline::label_html(title),
                    None => escape(&default_title(kind)),
                };
                match collapsible {
                    None => {
                        let heading = if title.is_empty() {
                            String::new()
                        } else {
                            format!("<p class=\"admonition-title\">{title}</p>")
                        };
                        out.push_html(
                            &format!("<div class=\"admonition {class}\">{heading}"),
                            line,
                        );
                        expand(body, out, state);
                        out.push_html("</div>", line);
                    }
                    Some(open) => {
                        let open = if *open { " open" } else { "" };
                        out.push_html(
                            &format!("<details class=\"{class}\"{open}><summary>{title}</summary>"),
                            line,
                        );
                        expand(body, out, state);
                        out.push_html("</details>", line);
                    }
                }
            }
            Block::Tabs(set) => {
                state.tabs += 1;
                let id = state.tabs;
                let line = set.first().map_or(1, |tab| first_line(&tab.body));
                let selected = set.iter().position(|tab| tab.selected).unwrap_or(0);
                let ids: Vec<String> = set
                    .iter()
                    .enumerate()
                    .map(|(i, tab)| state.tab_id(id, i + 1, &tab.label))
                    .collect();
                let mut head = format!(
                    "<div class=\"tabbed-set tabbed-alternate\" data-tabs=\"{id}:{}\">",
                    set.len()
                );
                for (i, input) in ids.iter().enumerate() {
                    let checked = if i == selected { " checked" } else { "" };
                    head.push_str(&format!(
                        "<input{checked} id=\"{}\" name=\"__tabbed_{id}\" type=\"radio\">",
                        escape(input)
                    ));
                }
                head.push_str("<div class=\"tabbed-labels\">");
                for (tab, input) in set.iter().zip(&ids) {
                    head.push_str(&format!(
                        "<label for=\"{}\">{}</label>",
                        escape(input),
                        super::inline::label_html(&tab.label)
                    ));
                }
                head.push_str("</div><div class=\"tabbed-content\">");
                out.push_html(&head, line);
                for tab in set {
                    out.push_html("<div class=\"tabbed-block\">", first_line(&tab.body));
                    expand(&tab.body, out, state);
                    out.push_html("</div>", line);
                }
                out.push_html("</div></div>", line);
            }
            Block::Item { marker, body } => {
                let mut inner = Expanded::default();
                expand(body, &mut inner, state);
                let mut first = true;
                for (text, line) in inner.text.lines().zip(inner.lines) {
                    if first && text.is_empty() {
                        continue;
                    }
                    if first {
                        out.push(&format!("{marker}{text}"), line);
                        first = false;
                    } else if text.is_empty() {
                        out.push("", line);
                    } else {
                        out.push(&format!("    {text}"), line);
                    }
                }
            }
        }
    }
}

/// The line a block list starts on, for the HTML written around it.
fn first_line(blocks: &[Block]) -> usize {
    match blocks.first() {
        Some(Block::Markdown { line, .. }) => line.saturating_sub(1).max(1),
        Some(Block::Admonition { body, .. }) => first_line(body),
        Some(Block::Tabs(tabs)) => tabs.first().map_or(1, |tab| first_line(&tab.body)),
        Some(Block::Item { body, .. }) => first_line(body),
        None => 1,
    }
}

/// An admonition's title when none is written: its kind, capitalised (`note` → `Note`).
fn default_title(kind: &str) -> String {
    let mut chars = kind.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether a fenced code block is open after `line`: `open` is the one open before it.
pub fn fence_after(line: &str, open: Option<(char, usize)>) -> Option<(char, usize)> {
    match open {
        Some(open) => (!closes_fence(line, open)).then_some(open),
        None => opens_fence(line),
    }
}

/// The opening of a fenced code block: its character and length.
fn opens_fence(line: &str) -> Option<(char, usize)> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let c = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let run = trimmed.chars().take_while(|x| *x == c).count();
    // A backtick fence's info string may not hold a backtick.
    (run >= 3 && !(c == '`' && trimmed[run..].contains('`'))).then_some((c, run))
}

/// Whether `line` closes a fence opened with `run` times `c` (indented three spaces at
/// most: a fence indented further is code inside the block).
fn closes_fence(line: &str, (c, run): (char, usize)) -> bool {
    let trimmed = line.trim();
    let indent = line.len() - line.trim_start().len();
    indent <= 3 && trimmed.len() >= run && trimmed.chars().all(|x| x == c)
}

struct AdmonitionHead {
    kind: String,
    classes: Vec<String>,
    title: Option<String>,
    collapsible: Option<bool>,
}

/// `!!! note "Title"`, `??? tip`, `???+ warning inline end ""`.
fn admonition_head(line: &str) -> Option<AdmonitionHead> {
    let (collapsible, rest) = if let Some(rest) = line.strip_prefix("!!!") {
        (None, rest)
    } else if let Some(rest) = line.strip_prefix("???+") {
        (Some(true), rest)
    } else if let Some(rest) = line.strip_prefix("???") {
        (Some(false), rest)
    } else {
        return None;
    };
    let rest = rest.strip_prefix(' ')?.trim();
    let (words, title) = match rest.find('"') {
        Some(quote) => {
            let title = rest[quote + 1..].strip_suffix('"')?;
            (&rest[..quote], Some(title.to_owned()))
        }
        None => (rest, None),
    };
    let mut classes = words.split_whitespace().map(str::to_lowercase);
    let kind = classes.next()?;
    if !kind
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    Some(AdmonitionHead {
        kind,
        classes: classes.collect(),
        title,
        collapsible,
    })
}

/// `=== "Label"` (or `===+ "Label"`, selected): the label and whether it is selected.
fn tab_head(line: &str) -> Option<(String, bool)> {
    let (selected, rest) = match line.strip_prefix("===+") {
        Some(rest) => (true, rest),
        None => (false, line.strip_prefix("===")?),
    };
    let label = rest.trim().strip_prefix('"')?.strip_suffix('"')?;
    Some((label.to_owned(), selected))
}

/// `> [!NOTE]` and GitHub's other four alert kinds, as the admonition kind they are.
fn alert_head(line: &str) -> Option<&'static str> {
    let inner = unquote(line)?.trim().to_ascii_uppercase();
    Some(match inner.as_str() {
        "[!NOTE]" => "note",
        "[!TIP]" => "tip",
        "[!IMPORTANT]" => "important",
        "[!WARNING]" => "warning",
        "[!CAUTION]" => "caution",
        _ => return None,
    })
}

/// A block quote's line without its `>`.
fn unquote(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('>')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// The lines after `start` indented by four spaces (or a tab), and blank lines between
/// them, dedented; with the index of the first line after them.
fn indented_body(lines: &[&str], start: usize) -> (String, usize) {
    let mut body = Vec::new();
    let mut end = start;
    let mut i = start;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            body.push("");
            i += 1;
            continue;
        }
        let Some(rest) = line
            .strip_prefix("    ")
            .or_else(|| line.strip_prefix('\t'))
        else {
            break;
        };
        body.push(rest);
        i += 1;
        end = i;
    }
    // Trailing blank lines belong to what follows.
    body.truncate(end - start);
    (body.join("\n"), end)
}

#[cfg(test)]
#[path = "blocks_tests.rs"]
mod tests;
