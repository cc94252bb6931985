//! A doc set built: every page rendered (in parallel), its links and images rewritten to
//! Portico's URLs and checked (pages, anchors, images), the navigation laid out, and
//! every problem found with its file and line. A build never stops at the first problem.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use app::model::docs::nav::{
    fallback_title, nav_from_config, nav_from_folders, page_url, reading_order,
};
use app::model::docs::page::{DocPage, DocProblem, DocSite, Section};

use super::blocks::TabIds;
use super::markdown::{render, Links};
use super::mermaid;
use super::sanitize::Sanitizer;
use super::source::{problem, resolve, DocFiles};

/// What a build makes, as a version: part of every doc set's fingerprint, so that doc
/// sets stored by an earlier Portico are built again when what it makes changes. Raise
/// it with any change to the pages, nav or problems a build makes.
pub const VERSION: u32 = 2;

/// How deep snippets may include snippets.
const MAX_SNIPPET_DEPTH: usize = 4;

/// A page, built.
#[derive(Debug)]
pub struct BuiltPage {
    /// The page.
    pub page: DocPage,
    /// Its text by section, for search.
    pub sections: Vec<Section>,
}

/// A doc set, built.
#[derive(Debug)]
pub struct Built {
    /// What shows around the pages.
    pub site: DocSite,
    /// The pages.
    pub pages: Vec<BuiltPage>,
    /// The other files, by path under `docs_dir`.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// The files' fingerprint.
    pub fingerprint: String,
}

/// Builds `files`; `base` is the URL the doc set is served under (`/docs/default/component/x/`).
pub fn build(files: DocFiles, base: &str, sanitizer: &Sanitizer) -> Built {
    let sources: Vec<(&String, &String)> = files.pages.iter().collect();
    let rendered = crate::parallel::map(&sources, |(source, text)| {
        render_page(&files, source, text, base, sanitizer)
    });
    let mut problems = files.problems.clone();
    let titles: BTreeMap<String, String> = rendered
        .iter()
        .map(|page| (page.page.source.clone(), page.page.title.clone()))
        .collect();
    // Anchors are checked once every page's ids are known.
    let ids: HashMap<&str, BTreeSet<&str>> = rendered
        .iter()
        .map(|page| (page.page.source.as_str(), element_ids(&page.page.html)))
        .collect();
    for page in &rendered {
        problems.extend(page.problems.iter().cloned());
        for anchor in &page.anchors {
            let known = ids
                .get(anchor.target.as_str())
                .is_some_and(|ids| ids.contains(anchor.fragment.as_str()));
            if !known {
                let whose = if anchor.target == page.page.source {
                    "this page".to_owned()
                } else {
                    format!("'{}'", anchor.target)
                };
                problems.push(problem(
                    &files.file_name(&page.page.source),
                    Some(anchor.line),
                    format!(
                        "links to '#{}' in {whose}, which has no such heading or anchor",
                        anchor.fragment
                    ),
                ));
            }
        }
    }
    let nav = match &files.config.nav {
        Some(entries) => {
            let (nav, errors) = nav_from_config(entries, &titles);
            for error in errors {
                problems.push(problem(
                    "mkdocs.yml",
                    files.config_line(&error.path),
                    error.message,
                ));
            }
            nav
        }
        None => nav_from_folders(&titles),
    };
    // A title given in the nav is the page's title (as mkdocs has it).
    let mut rendered = rendered;
    let nav_titles: HashMap<&str, &str> = reading_order(&nav).into_iter().collect();
    for page in &mut rendered {
        if let Some(title) = nav_titles.get(page.page.url.as_str()) {
            (*title).clone_into(&mut page.page.title);
        }
    }
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    let (view_base, edit_base) = source_links(&files);
    let site = DocSite {
        name: files.config.site_name.clone(),
        nav,
        page_count: rendered.len(),
        view_base,
        edit_base,
        problems,
    };
    Built {
        site,
        pages: rendered
            .into_iter()
            .map(|page| BuiltPage {
                page: page.page,
                sections: page.sections,
            })
            .collect(),
        assets: files.assets,
        fingerprint: files.fingerprint,
    }
}

/// How the doc set's content tabs get their ids, from pymdownx.tabbed's options.
fn tab_ids(files: &DocFiles) -> TabIds {
    let options = files
        .config
        .markdown_extensions
        .iter()
        .find(|(name, _)| name == "pymdownx.tabbed")
        .map(|(_, options)| options);
    match options {
        Some(options) if options.get("slugify").is_some_and(|s| !s.is_null()) => TabIds::Slugs {
            combine: options.get("combine_header_slug") == Some(&serde_json::Value::Bool(true)),
        },
        _ => TabIds::Numbered,
    }
}

/// Where "View source" and "Edit this page" lead, before a page's path.
fn source_links(files: &DocFiles) -> (Option<String>, Option<String>) {
    let Some(repo) = files.config.repo_url.as_deref() else {
        return (None, None);
    };
    let repo = repo.trim_end_matches('/');
    let Some(edit_uri) = files.config.edit_uri.as_deref() else {
        return (None, None);
    };
    let edit = if edit_uri.starts_with("http://") || edit_uri.starts_with("https://") {
        edit_uri.to_owned()
    } else {
        format!("{repo}/{}", edit_uri.trim_start_matches('/'))
    };
    let edit = format!("{}/", edit.trim_end_matches('/'));
    let view = edit
        .replacen("/edit/", "/blob/", 1)
        .replacen("/-/edit/", "/-/blob/", 1);
    (Some(view), Some(edit))
}

/// Every `id="…"` in `html`.
fn element_ids(html: &str) -> BTreeSet<&str> {
    html.match_indices(" id=\"")
        .filter_map(|(at, found)| {
            let rest = &html[at + found.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

struct RenderedPage {
    page: DocPage,
    sections: Vec<Section>,
    problems: Vec<DocProblem>,
    anchors: Vec<Anchor>,
}

/// A link to a heading, checked once every page is built.
struct Anchor {
    target: String,
    fragment: String,
    line: usize,
}

fn render_page(
    files: &DocFiles,
    source: &str,
    text: &str,
    base: &str,
    sanitizer: &Sanitizer,
) -> RenderedPage {
    let file = files.file_name(source);
    let mut problems = Vec::new();
    let (meta_title, text) = match front_matter(text) {
        Some((meta, body)) => {
            let title = match meta {
                Ok(title) => title,
                Err((line, message)) => {
                    problems.push(problem(
                        &file,
                        Some(line),
                        format!("its front matter is not valid YAML: {message}"),
                    ));
                    None
                }
            };
            (title, body)
        }
        None => (None, text.to_owned()),
    };
    let mut lines = Vec::new();
    let mut page = String::with_capacity(text.len());
    include_snippets(
        files,
        &file,
        &text,
        None,
        &mut page,
        &mut lines,
        &mut problems,
        0,
    );
    let mut links = PageLinks {
        files,
        source,
        file: &file,
        base,
        problems: Vec::new(),
        anchors: Vec::new(),
    };
    let rendered = render(&page, &lines, tab_ids(files), &mut links);
    problems.append(&mut links.problems);
    let url = page_url(source);
    RenderedPage {
        page: DocPage {
            title: meta_title
                .or_else(|| rendered.title.clone())
                .unwrap_or_else(|| fallback_title(source)),
            url,
            source: source.to_owned(),
            html: mermaid::insert(&sanitizer.clean(&rendered.html), &rendered.diagrams),
            toc: rendered.toc,
        },
        sections: rendered.sections,
        problems,
        anchors: links.anchors,
    }
}

/// A page's front matter (YAML between `---` lines at its start, as mkdocs reads it):
/// its `title` (or where and why the YAML is wrong), and the page with the front matter's
/// lines left blank, so that lines keep their numbers.
type FrontMatter = (Result<Option<String>, (usize, String)>, String);

fn front_matter(text: &str) -> Option<FrontMatter> {
    let mut lines = text.lines();
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    let length = lines.position(|line| matches!(line.trim_end(), "---" | "..."))?;
    let yaml: Vec<&str> = text.lines().skip(1).take(length).collect();
    // A first blank line stands for `---`, so that the YAML's lines are the file's.
    let meta = match crate::catalog::yaml::parse_documents(&format!("\n{}", yaml.join("\n"))) {
        Ok(documents) => Ok(documents.first().and_then(|document| {
            document
                .value
                .get("title")
                .and_then(|title| title.as_str())
                .map(str::to_owned)
        })),
        Err(error) => Err((error.position.line, error.message)),
    };
    let body: String =
        "\n".repeat(length + 2) + &text.lines().skip(length + 2).collect::<Vec<_>>().join("\n");
    Some((meta, body))
}

/// `text` (of `file`) into `out` with its snippets (`--8<-- "path"`, pymdownx.snippets)
/// included, and the line each line of `out` comes from; `from` is the including line
/// when `text` is itself a snippet.
#[allow(clippy::too_many_arguments)]
fn include_snippets(
    files: &DocFiles,
    file: &str,
    text: &str,
    from: Option<usize>,
    out: &mut String,
    lines: &mut Vec<usize>,
    problems: &mut Vec<DocProblem>,
    depth: usize,
) {
    let mut block = false;
    for (i, line) in text.lines().enumerate() {
        let at = from.unwrap_or(i + 1);
        let trimmed = line.trim();
        let named = if trimmed == "--8<--" {
            block = !block;
            continue;
        } else if block {
            Some(trimmed)
        } else {
            trimmed
                .strip_prefix("--8<--")
                .map(str::trim)
                .and_then(|rest| rest.strip_prefix('"').or_else(|| rest.strip_prefix('\'')))
                .map(|rest| rest.trim_end_matches(['"', '\'']))
        };
        let Some(named) = named.filter(|n| !n.is_empty()) else {
            out.push_str(line);
            out.push('\n');
            lines.push(at);
            continue;
        };
        match read_snippet(files, named, depth) {
            Ok(snippet) => include_snippets(
                files,
                file,
                &snippet,
                Some(at),
                out,
                lines,
                problems,
                depth + 1,
            ),
            Err(why) => problems.push(problem(
                file,
                Some(at),
                format!("the snippet '{named}' {why}"),
            )),
        }
    }
}

/// A snippet's text: `path`, or `path:start:end` for those lines, relative to the doc
/// set's folder and never outside it.
fn read_snippet(files: &DocFiles, named: &str, depth: usize) -> Result<String, String> {
    if depth >= MAX_SNIPPET_DEPTH {
        return Err(format!(
            "is included more than {MAX_SNIPPET_DEPTH} snippets deep; left out"
        ));
    }
    let (path, range) = match named.split_once(':') {
        Some((path, range)) if range.chars().all(|c| c.is_ascii_digit() || c == ':') => {
            let mut bounds = range.split(':').map(|n| n.parse::<usize>().ok());
            (
                path,
                Some((bounds.next().flatten(), bounds.next().flatten())),
            )
        }
        _ => (named, None),
    };
    let relative = resolve("", path)?;
    let full = files.root.join(&relative);
    let confine = std::fs::canonicalize(&files.root).map_err(|e| e.to_string())?;
    let real =
        std::fs::canonicalize(&full).map_err(|_| "does not exist in the doc set".to_owned())?;
    if !real.starts_with(&confine) {
        return Err("leaves the doc set's folder; refused".into());
    }
    let text = std::fs::read_to_string(&real).map_err(|e| format!("cannot be read: {e}"))?;
    Ok(match range {
        None => text,
        Some((start, end)) => {
            let start = start.unwrap_or(1).max(1);
            let end = end.unwrap_or(usize::MAX);
            text.lines()
                .skip(start - 1)
                .take(end.saturating_sub(start - 1))
                .collect::<Vec<_>>()
                .join("\n")
        }
    })
}

/// A page's links, resolved against its doc set.
struct PageLinks<'a> {
    files: &'a DocFiles,
    /// The page's path under `docs_dir`.
    source: &'a str,
    /// The page's path in the doc set's folder, for problems.
    file: &'a str,
    base: &'a str,
    problems: Vec<DocProblem>,
    anchors: Vec<Anchor>,
}

impl PageLinks<'_> {
    fn refuse(&mut self, line: usize, message: String) -> Option<String> {
        self.problems.push(problem(self.file, Some(line), message));
        None
    }

    /// The page a link names, by its path under `docs_dir`: `x.md`, or a page's folder
    /// URL (`guide/`, `guide/setup/`) as some write them.
    fn page_named(&self, target: &str) -> Option<String> {
        if self.files.pages.contains_key(target) {
            return Some(target.to_owned());
        }
        let url = format!("{}/", target.trim_end_matches('/'));
        let url = if url == "/" { String::new() } else { url };
        self.files
            .pages
            .keys()
            .find(|source| page_url(source) == url)
            .cloned()
    }
}

impl PageLinks<'_> {
    /// Where a link (or an image) goes: a file of the doc set named from the page's
    /// `file`, else one read from the page's URL (`by_url`), else a page's folder URL
    /// written from its file (`../guide/`, as some write them); `None` when none is.
    fn target_url(
        &mut self,
        file: Option<&str>,
        by_url: Option<&str>,
        image: bool,
        fragment: Option<&str>,
        line: usize,
    ) -> Option<String> {
        for target in [file, by_url].into_iter().flatten() {
            if self.files.assets.contains_key(target) {
                return Some(format!("{}{target}", self.base));
            }
            if image {
                continue;
            }
            let page = if Some(target) == by_url {
                self.page_named(target)
            } else {
                self.files
                    .pages
                    .contains_key(target)
                    .then(|| target.to_owned())
            };
            if let Some(page) = page {
                return Some(self.page_link(&page, fragment, line));
            }
        }
        let page = file
            .filter(|_| !image)
            .and_then(|target| self.page_named(target))?;
        Some(self.page_link(&page, fragment, line))
    }

    /// The URL of `page` (a source path), with `fragment`, which is checked once every
    /// page is built.
    fn page_link(&mut self, page: &str, fragment: Option<&str>, line: usize) -> String {
        let mut url = format!("{}{}", self.base, page_url(page));
        if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
            self.anchors.push(Anchor {
                target: page.to_owned(),
                fragment: fragment.to_owned(),
                line,
            });
            url.push('#');
            url.push_str(fragment);
        }
        url
    }
}

impl Links for PageLinks<'_> {
    fn resolve(&mut self, href: &str, image: bool, line: usize) -> Option<String> {
        let href = href.trim();
        let lower = href.to_ascii_lowercase();
        if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("mailto:")
            || lower.starts_with("tel:")
        {
            return Some(href.to_owned());
        }
        if lower.contains(':')
            && !lower.starts_with('#')
            && lower
                .split_once(':')
                .is_some_and(|(scheme, _)| !scheme.contains(['/', '.', '#', '?']))
        {
            return self.refuse(
                line,
                format!("links to '{href}', whose scheme is not allowed; refused"),
            );
        }
        let (path, fragment) = match href.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (href, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() {
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                self.anchors.push(Anchor {
                    target: self.source.to_owned(),
                    fragment: fragment.to_owned(),
                    line,
                });
            }
            return Some(href.to_owned());
        }
        if href.starts_with('/') {
            // A path on this server: kept, and not checked.
            return Some(href.to_owned());
        }
        let folder = self
            .source
            .rsplit_once('/')
            .map_or("", |(folder, _)| folder);
        let by_file = resolve(folder, path);
        // mkdocs rewrites links to the doc set's files (from the page's file) and leaves
        // the others to the browser, which reads them from the page's URL (`guide/setup/`).
        let by_url = (!path.ends_with(".md"))
            .then(|| resolve(page_url(self.source).trim_end_matches('/'), path).ok())
            .flatten();
        let file = by_file.as_ref().ok().map(String::as_str);
        if let Some(url) = self.target_url(file, by_url.as_deref(), image, fragment, line) {
            return Some(url);
        }
        if let Err(why) = by_file {
            return self.refuse(line, format!("links to '{href}', which {why}"));
        }
        if image {
            // Its alt text is shown instead (mkdocs leaves a broken image).
            self.refuse(
                line,
                format!("shows the image '{href}', which does not exist in the doc set"),
            )
        } else {
            self.refuse(
                line,
                format!("links to '{href}', which is not a page or file of the doc set"),
            )
        }
    }
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;
