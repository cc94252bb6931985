//! A built doc set as it is stored and read: its pages' HTML, headings and text, its
//! navigation, and the problems its build found.

use serde::{Deserialize, Serialize};

use super::nav::{reading_order, NavItem, PageLink};

/// The `status.items` type of what is wrong with an entity's docs: `error` when they
/// could not be built, `warning` for each problem of their last build. The entity page
/// shows these under its docs, not among the catalog's problems.
pub const DOCS_STATUS: &str = "portico.io/techdocs";

/// One heading of a page, for its table of contents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    /// 1 to 6.
    pub level: u8,
    /// Its id in the page.
    pub id: String,
    /// Its text.
    pub title: String,
}

/// A page's text under one heading, for search (`id` empty: before the first heading).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The heading's id.
    pub id: String,
    /// The heading's text.
    pub title: String,
    /// The text under it, up to the next heading.
    pub text: String,
}

/// Something wrong in a doc set, where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocProblem {
    /// The file, relative to the doc set's folder (`docs/index.md`, `mkdocs.yml`).
    pub file: String,
    /// The line, from 1, when there is one.
    pub line: Option<usize>,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl std::fmt::Display for DocProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// A page of a built doc set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocPage {
    /// Its URL in the doc set (`advanced/clients/`; `` for the home page).
    pub url: String,
    /// Its file under `docs_dir` (`advanced/clients.md`).
    pub source: String,
    /// Its title.
    pub title: String,
    /// Its content, sanitised.
    pub html: String,
    /// Its headings.
    pub toc: Vec<TocEntry>,
}

/// What a built doc set shows around its pages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocSite {
    /// `site_name`.
    pub name: String,
    /// The navigation.
    pub nav: Vec<NavItem>,
    /// How many pages it has.
    #[serde(default)]
    pub page_count: usize,
    /// Where "View source" goes for a page: this followed by its `source`.
    pub view_base: Option<String>,
    /// Where "Edit this page" goes for a page: this followed by its `source`.
    pub edit_base: Option<String>,
    /// What the build found wrong.
    pub problems: Vec<DocProblem>,
}

/// An entity's docs as the reader shows them around each page: the doc set's site and
/// whose it is. Read once per doc set; moving between its pages fetches only the page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocSetView {
    /// The entity whose docs are read (`component:default/payments`).
    pub entity_ref: String,
    /// Its title (or name).
    pub entity_title: String,
    /// The doc set's URL (`/docs/default/component/payments/`); pages are below it.
    pub base: String,
    /// The URL of the page its own URL shows (`` for the home page; another when it
    /// shows another entity's docs from a path, `backstage.io/techdocs-entity-path`).
    pub start: String,
    /// What shows around the pages.
    pub site: DocSite,
    /// When the doc set was built (ms since the epoch).
    pub built_at: i64,
}

impl DocSetView {
    /// The pages before and after `url` in the nav's reading order.
    pub fn around(&self, url: &str) -> (Option<PageLink>, Option<PageLink>) {
        let order = reading_order(&self.site.nav);
        let Some(at) = order.iter().position(|(page, _)| *page == url) else {
            return (None, None);
        };
        let link = |(url, title): &(&str, &str)| PageLink {
            url: (*url).to_owned(),
            title: (*title).to_owned(),
        };
        (
            at.checked_sub(1)
                .and_then(|before| order.get(before))
                .map(link),
            order.get(at + 1).map(link),
        )
    }

    /// "Edit this page" for the page read from `source`.
    pub fn edit_url(&self, source: &str) -> Option<String> {
        self.site
            .edit_base
            .as_ref()
            .map(|base| format!("{base}{source}"))
    }

    /// "View source" for the page read from `source`.
    pub fn view_url(&self, source: &str) -> Option<String> {
        self.site
            .view_base
            .as_ref()
            .map(|base| format!("{base}{source}"))
    }

    /// The problems found in the page read from `source` (`docs_dir`-relative).
    pub fn problems_of<'a>(&'a self, source: &'a str) -> impl Iterator<Item = &'a DocProblem> {
        self.site.problems.iter().filter(move |p| {
            p.file
                .strip_suffix(source)
                .is_some_and(|dir| dir.is_empty() || dir.ends_with('/'))
        })
    }
}

/// What an entity page says of the entity's docs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityDocs {
    /// Where they are read; `None` while no build has succeeded.
    pub url: Option<String>,
    /// How many pages they have.
    pub pages: usize,
    /// What their last good build found wrong.
    pub problems: Vec<DocProblem>,
    /// Why the last build failed, if it did.
    pub failure: Option<String>,
}

/// A documented entity, as the list of every doc set shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocSetCard {
    /// The entity's ref.
    pub entity_ref: String,
    /// Its kind, as written.
    pub kind: String,
    /// Its title (or name).
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// Its owner's ref.
    pub owner: Option<String>,
    /// The doc set's name (`site_name`).
    pub site_name: String,
    /// The doc set's URL.
    pub url: String,
    /// How many pages it has.
    pub pages: usize,
    /// How many problems its build found.
    pub problems: usize,
}

/// The URL of an entity's docs: `/docs/{namespace}/{kind}/{name}/`, lower case as refs are.
pub fn docs_base(kind: &str, namespace: &str, name: &str) -> String {
    format!(
        "/docs/{}/{}/{}/",
        namespace.to_lowercase(),
        kind.to_lowercase(),
        name.to_lowercase()
    )
}

/// A page path as a request names it, as the URL the doc set stores: no leading slash,
/// a trailing one unless empty (`guide/setup` → `guide/setup/`).
pub fn page_key(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}/")
    }
}
