//! A doc set's pages and navigation, as mkdocs lays them out: each page's URL
//! (directory style, `advanced/clients.md` → `advanced/clients/`), the navigation from
//! `nav` or, without it, from the folder tree, and the reading order that previous/next
//! follow.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::mkdocs::NavEntry;
use crate::model::catalog::validation::{FieldError, FieldPath};

/// The URL of the page `source` (its path under `docs_dir`, `/`-separated) relative to
/// the doc set's root: `index.md` → ``, `guide/index.md` → `guide/`, `guide/setup.md` →
/// `guide/setup/`. A folder's `README.md` is its index, as in mkdocs.
pub fn page_url(source: &str) -> String {
    let stem = source
        .strip_suffix(".md")
        .or_else(|| source.strip_suffix(".markdown"))
        .unwrap_or(source);
    let (folder, name) = match stem.rsplit_once('/') {
        Some((folder, name)) => (Some(folder), name),
        None => (None, stem),
    };
    let is_index = name == "index" || name.eq_ignore_ascii_case("readme");
    match (folder, is_index) {
        (None, true) => String::new(),
        (Some(folder), true) => format!("{folder}/"),
        (None, false) => format!("{name}/"),
        (Some(folder), false) => format!("{folder}/{name}/"),
    }
}

/// `%XX` sequences of a URL path or fragment decoded once; invalid ones kept as written.
pub fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `source` is a Markdown page.
pub fn is_page(source: &str) -> bool {
    source.ends_with(".md") || source.ends_with(".markdown")
}

/// A title from a file or folder name, as mkdocs makes one: dashes and underscores
/// become spaces, and an all-lower-case name gets a capital.
pub fn title_from_name(name: &str) -> String {
    let title = name.replace(['-', '_'], " ");
    if title.to_lowercase() == title {
        let mut chars = title.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => title,
        }
    } else {
        title
    }
}

/// The title of the page `source` when neither `nav` nor the page gives one: its file
/// name's, or its folder's for an index (`Home` at the root).
pub fn fallback_title(source: &str) -> String {
    let url = page_url(source);
    let trimmed = url.trim_end_matches('/');
    match trimmed.rsplit_once('/') {
        Some((_, last)) => title_from_name(last),
        None if trimmed.is_empty() => "Home".into(),
        None => title_from_name(trimmed),
    }
}

/// One entry of a doc set's navigation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavItem {
    /// What it shows.
    pub title: String,
    /// Where it goes: a page's URL in the doc set, or an external link; `None` for a
    /// section.
    pub target: Option<NavTarget>,
    /// A section's entries.
    pub children: Vec<NavItem>,
}

/// Where a navigation entry goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NavTarget {
    /// A page of the doc set, by its URL ([`page_url`]).
    Page(String),
    /// A link out of the doc set.
    Link(String),
}

/// The navigation `nav` describes, over the pages the doc set has (`titles`: each page's
/// source path → its title). A page `nav` names that does not exist is a problem at its
/// entry, and left out.
pub fn nav_from_config(
    entries: &[NavEntry],
    titles: &BTreeMap<String, String>,
) -> (Vec<NavItem>, Vec<FieldError>) {
    let mut problems = Vec::new();
    let items = config_items(entries, &FieldPath::of(&["nav"]), titles, &mut problems);
    (items, problems)
}

fn config_items(
    entries: &[NavEntry],
    path: &FieldPath,
    titles: &BTreeMap<String, String>,
    problems: &mut Vec<FieldError>,
) -> Vec<NavItem> {
    let mut items = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let at = path.index(index);
        match entry {
            NavEntry::Page {
                title,
                path: source,
            } => {
                let source = source.trim_start_matches("./");
                let Some(own_title) = titles.get(source) else {
                    problems.push(FieldError {
                        path: match title {
                            Some(title) => at.key(title),
                            None => at,
                        },
                        message: format!(
                            "nav names '{source}', which is not a page of the doc set"
                        ),
                    });
                    continue;
                };
                items.push(NavItem {
                    title: title.clone().unwrap_or_else(|| own_title.clone()),
                    target: Some(NavTarget::Page(page_url(source))),
                    children: Vec::new(),
                });
            }
            NavEntry::Link { title, url } => items.push(NavItem {
                title: title.clone(),
                target: Some(NavTarget::Link(url.clone())),
                children: Vec::new(),
            }),
            NavEntry::Section { title, children } => items.push(NavItem {
                title: title.clone(),
                target: None,
                children: config_items(children, &at.key(title), titles, problems),
            }),
        }
    }
    items
}

/// The navigation of a doc set without `nav`: its folder tree, as mkdocs orders it — in
/// each folder the index first, then the other pages by name, then the sub-folders by
/// name as sections titled from their names. `titles` maps each page's source path to
/// its title.
pub fn nav_from_folders(titles: &BTreeMap<String, String>) -> Vec<NavItem> {
    #[derive(Default)]
    struct Folder<'a> {
        pages: Vec<(&'a str, &'a str)>,
        folders: BTreeMap<&'a str, Folder<'a>>,
    }
    let mut root = Folder::default();
    for (source, title) in titles {
        let mut folder = &mut root;
        if let Some((folders, _file)) = source.rsplit_once('/') {
            for part in folders.split('/') {
                folder = folder.folders.entry(part).or_default();
            }
        }
        folder.pages.push((source.as_str(), title.as_str()));
    }
    fn items(folder: &Folder) -> Vec<NavItem> {
        let mut pages = folder.pages.clone();
        pages.sort_by_key(|(source, _)| (!is_index(source), *source));
        let mut out: Vec<NavItem> = pages
            .into_iter()
            .map(|(source, title)| NavItem {
                title: title.to_owned(),
                target: Some(NavTarget::Page(page_url(source))),
                children: Vec::new(),
            })
            .collect();
        for (name, sub) in &folder.folders {
            out.push(NavItem {
                title: title_from_name(name),
                target: None,
                children: items(sub),
            });
        }
        out
    }
    items(&root)
}

/// Whether `source` is its folder's index page.
fn is_index(source: &str) -> bool {
    let name = source.rsplit('/').next().unwrap_or(source);
    let stem = name.split('.').next().unwrap_or(name);
    stem == "index" || stem.eq_ignore_ascii_case("readme")
}

/// A page's place in the doc set: its URL and title.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageLink {
    /// The page's URL in the doc set.
    pub url: String,
    /// Its title.
    pub title: String,
}

/// The pages of `nav` in reading order (depth first), each once with its title there,
/// as `(url, title)`: what previous and next follow.
pub fn reading_order(nav: &[NavItem]) -> Vec<(&str, &str)> {
    fn walk<'a>(
        items: &'a [NavItem],
        seen: &mut HashSet<&'a str>,
        out: &mut Vec<(&'a str, &'a str)>,
    ) {
        for item in items {
            if let Some(NavTarget::Page(url)) = &item.target {
                if seen.insert(url) {
                    out.push((url, &item.title));
                }
            }
            walk(&item.children, seen, out);
        }
    }
    let mut out = Vec::new();
    walk(nav, &mut HashSet::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_are_decoded_once() {
        assert_eq!(percent_decoded("a%20b%2Fc"), "a b/c");
        assert_eq!(percent_decoded("%252e"), "%2e");
        assert_eq!(percent_decoded("100%"), "100%");
        assert_eq!(percent_decoded("%zz%e2%9c%93"), "%zz✓");
    }

    fn titles(sources: &[&str]) -> BTreeMap<String, String> {
        sources
            .iter()
            .map(|s| ((*s).to_owned(), fallback_title(s)))
            .collect()
    }

    #[test]
    fn pages_have_directory_style_urls() {
        assert_eq!(page_url("index.md"), "");
        assert_eq!(page_url("README.md"), "");
        assert_eq!(page_url("advanced/clients.md"), "advanced/clients/");
        assert_eq!(page_url("advanced/index.md"), "advanced/");
        assert_eq!(page_url("a/b/c.markdown"), "a/b/c/");
    }

    #[test]
    fn titles_come_from_names_as_mkdocs_makes_them() {
        assert_eq!(title_from_name("getting-started"), "Getting started");
        assert_eq!(title_from_name("API_Reference"), "API Reference");
        assert_eq!(fallback_title("index.md"), "Home");
        assert_eq!(fallback_title("deeper-nav/index.md"), "Deeper nav");
        assert_eq!(fallback_title("code/code-sample.md"), "Code sample");
    }

    #[test]
    fn nav_from_config_titles_pages_and_reports_missing_ones() {
        let pages = titles(&["index.md", "sub-page.md", "deeper/index.md"]);
        let entries = vec![
            NavEntry::Page {
                title: Some("Home".into()),
                path: "index.md".into(),
            },
            NavEntry::Page {
                title: None,
                path: "./sub-page.md".into(),
            },
            NavEntry::Section {
                title: "Deeper".into(),
                children: vec![
                    NavEntry::Page {
                        title: None,
                        path: "deeper/index.md".into(),
                    },
                    NavEntry::Page {
                        title: Some("Gone".into()),
                        path: "deeper/gone.md".into(),
                    },
                ],
            },
            NavEntry::Link {
                title: "Elsewhere".into(),
                url: "https://example.com".into(),
            },
        ];
        let (nav, problems) = nav_from_config(&entries, &pages);
        assert_eq!(nav[0].title, "Home");
        assert_eq!(nav[1].title, "Sub page");
        assert_eq!(nav[1].target, Some(NavTarget::Page("sub-page/".into())));
        assert_eq!(nav[2].children.len(), 1);
        assert_eq!(
            nav[3].target,
            Some(NavTarget::Link("https://example.com".into()))
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path.to_string(), "nav[2].Deeper[1].Gone");
        assert!(problems[0].message.contains("deeper/gone.md"));
        let order = reading_order(&nav);
        let urls: Vec<&str> = order.iter().map(|(url, _)| *url).collect();
        assert_eq!(urls, ["", "sub-page/", "deeper/"]);
        assert_eq!(order[1].1, "Sub page");
    }

    #[test]
    fn without_nav_the_folder_tree_is_the_nav_index_first() {
        let pages = titles(&[
            "zeta.md",
            "alpha.md",
            "index.md",
            "guide/setup.md",
            "guide/index.md",
            "api/z.md",
        ]);
        let nav = nav_from_folders(&pages);
        let flat: Vec<(String, usize)> = nav
            .iter()
            .map(|i| (i.title.clone(), i.children.len()))
            .collect();
        assert_eq!(
            flat,
            [
                ("Home".into(), 0),
                ("Alpha".into(), 0),
                ("Zeta".into(), 0),
                ("Api".into(), 1),
                ("Guide".into(), 2)
            ]
        );
        assert_eq!(
            nav[4].children[0].title, "Guide",
            "the folder's index comes first"
        );
        let urls: Vec<&str> = reading_order(&nav).iter().map(|(url, _)| *url).collect();
        assert_eq!(
            urls,
            ["", "alpha/", "zeta/", "api/z/", "guide/", "guide/setup/"]
        );
    }
}
