//! A doc set's settings, read from its `mkdocs.yml` as mkdocs reads them: `site_name`,
//! `docs_dir`, `repo_url`, `edit_uri`, `nav` and `markdown_extensions`. Everything else
//! (themes, plugins, Python tags such as `!!python/name:`) is tolerated and ignored; a
//! value of the wrong shape is a problem at its field, and the rest is still read.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::catalog::validation::{FieldError, FieldPath};

/// What `mkdocs.yml` says, with mkdocs' defaults filled in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MkDocsConfig {
    /// The doc set's name.
    pub site_name: String,
    /// The folder of the Markdown pages, relative to `mkdocs.yml` (`docs`).
    pub docs_dir: String,
    /// The repository the pages come from, for "View source".
    pub repo_url: Option<String>,
    /// The path under `repo_url` that edits a page, for "Edit this page"; `None` when
    /// edit links are off (`edit_uri: ''`) or unknown for the host.
    pub edit_uri: Option<String>,
    /// The navigation as written; `None` when it is the folder tree.
    pub nav: Option<Vec<NavEntry>>,
    /// The Markdown extensions named, in order, with their options (`{}` for none).
    pub markdown_extensions: Vec<(String, Value)>,
}

/// One entry of `nav`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NavEntry {
    /// A page, by its path under `docs_dir`, with the title given (else the page's own).
    Page {
        /// `Title: path.md`'s title.
        title: Option<String>,
        /// `path.md`, as written.
        path: String,
    },
    /// A link elsewhere (`Title: https://…`).
    Link {
        /// Its title.
        title: String,
        /// The URL.
        url: String,
    },
    /// A titled group of entries.
    Section {
        /// Its title.
        title: String,
        /// What it holds.
        children: Vec<NavEntry>,
    },
}

/// Whether a `nav` target is a URL rather than a page: it has a scheme, or starts with
/// `/` (mkdocs treats both as links).
pub fn is_link(target: &str) -> bool {
    target.starts_with('/')
        || target.split_once("://").is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        })
        || target.starts_with("mailto:")
}

/// Reads `mkdocs.yml` (as JSON). Returns the settings and every problem found.
pub fn read_config(value: &Value) -> (MkDocsConfig, Vec<FieldError>) {
    let mut problems = Vec::new();
    let empty = Map::new();
    let root = match value {
        Value::Object(map) => map,
        Value::Null => &empty,
        _ => {
            problems.push(FieldError {
                path: FieldPath::default(),
                message: "mkdocs.yml must be a mapping of settings".into(),
            });
            &empty
        }
    };
    let mut text = |key: &str| -> Option<String> {
        match root.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other @ (Value::Number(_) | Value::Bool(_)) => Some(other.to_string()),
            _ => {
                problems.push(FieldError {
                    path: FieldPath::of(&[key]),
                    message: format!("{key} must be text"),
                });
                None
            }
        }
    };
    let site_name = text("site_name");
    let docs_dir = text("docs_dir").unwrap_or_else(|| "docs".into());
    let repo_url = text("repo_url").filter(|url| !url.is_empty());
    let edit_uri = match root.get("edit_uri") {
        // Written and empty: edit links are off.
        Some(Value::String(uri)) if uri.is_empty() => None,
        Some(_) => text("edit_uri"),
        None => repo_url
            .as_deref()
            .and_then(default_edit_uri)
            .map(str::to_owned),
    };
    if site_name.is_none() {
        problems.push(FieldError {
            path: FieldPath::of(&["site_name"]),
            message: "site_name is required".into(),
        });
    }
    let nav = match root.get("nav") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            Some(nav_entries(items, &FieldPath::of(&["nav"]), &mut problems))
        }
        Some(_) => {
            problems.push(FieldError {
                path: FieldPath::of(&["nav"]),
                message: "nav must be a list of pages and sections".into(),
            });
            None
        }
    };
    let markdown_extensions = match root.get("markdown_extensions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => extensions(items, &mut problems),
        Some(_) => {
            problems.push(FieldError {
                path: FieldPath::of(&["markdown_extensions"]),
                message: "markdown_extensions must be a list".into(),
            });
            Vec::new()
        }
    };
    let config = MkDocsConfig {
        site_name: site_name.unwrap_or_default(),
        docs_dir,
        repo_url,
        edit_uri,
        nav,
        markdown_extensions,
    };
    (config, problems)
}

/// mkdocs' `edit_uri` for a repository host it knows.
fn default_edit_uri(repo_url: &str) -> Option<&'static str> {
    let host = repo_url.split("://").nth(1)?.split('/').next()?;
    match host {
        "github.com" | "gitlab.com" => Some("edit/master/docs/"),
        "bitbucket.org" => Some("src/default/docs/"),
        _ => None,
    }
}

fn nav_entries(items: &[Value], path: &FieldPath, problems: &mut Vec<FieldError>) -> Vec<NavEntry> {
    let mut entries = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let at = path.index(index);
        match item {
            Value::String(target) if is_link(target) => entries.push(NavEntry::Link {
                title: target.clone(),
                url: target.clone(),
            }),
            Value::String(target) => entries.push(NavEntry::Page {
                title: None,
                path: target.clone(),
            }),
            Value::Object(map) if map.len() == 1 => {
                let (title, value) = map.iter().next().expect("one key");
                match value {
                    Value::String(target) if is_link(target) => entries.push(NavEntry::Link {
                        title: title.clone(),
                        url: target.clone(),
                    }),
                    Value::String(target) => entries.push(NavEntry::Page {
                        title: Some(title.clone()),
                        path: target.clone(),
                    }),
                    Value::Array(children) => entries.push(NavEntry::Section {
                        title: title.clone(),
                        children: nav_entries(children, &at.key(title), problems),
                    }),
                    _ => problems.push(FieldError {
                        path: at.key(title),
                        message: format!(
                            "nav entry '{title}' must name a page, a URL or a list of entries"
                        ),
                    }),
                }
            }
            _ => problems.push(FieldError {
                path: at,
                message: "a nav entry is a page path, or one 'Title: page' pair".into(),
            }),
        }
    }
    entries
}

fn extensions(items: &[Value], problems: &mut Vec<FieldError>) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match item {
            Value::String(name) => out.push((name.clone(), Value::Object(Map::new()))),
            Value::Object(map) if map.len() == 1 => {
                let (name, options) = map.iter().next().expect("one key");
                let options = match options {
                    Value::Null => Value::Object(Map::new()),
                    other => other.clone(),
                };
                out.push((name.clone(), options));
            }
            _ => problems.push(FieldError {
                path: FieldPath::of(&["markdown_extensions"]).index(index),
                message: "a Markdown extension is a name, or one 'name: options' pair".into(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_the_settings_mkdocs_reads_and_fills_its_defaults() {
        let (config, problems) = read_config(&json!({
            "site_name": "Example Documentation",
            "repo_url": "https://github.com/backstage/backstage",
            "nav": [
                {"Home": "index.md"},
                "sub-page.md",
                {"Deeper Nav": ["deeper-nav/index.md", {"Inner": [{"Even": "deeper-nav/even-deeper/index.md"}]}]},
                {"Backstage": "https://backstage.io"},
            ],
            "plugins": ["techdocs-core"],
            "theme": {"name": "material", "features": ["content.code.copy"]},
            "markdown_extensions": ["admonition", {"toc": {"permalink": true}}, {"pymdownx.emoji": {"emoji_index": "material.extensions.emoji.twemoji"}}],
        }));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.site_name, "Example Documentation");
        assert_eq!(config.docs_dir, "docs");
        assert_eq!(config.edit_uri.as_deref(), Some("edit/master/docs/"));
        let nav = config.nav.unwrap();
        assert_eq!(
            nav[0],
            NavEntry::Page {
                title: Some("Home".into()),
                path: "index.md".into()
            }
        );
        assert_eq!(
            nav[1],
            NavEntry::Page {
                title: None,
                path: "sub-page.md".into()
            }
        );
        let NavEntry::Section { title, children } = &nav[2] else {
            panic!("{:?}", nav[2])
        };
        assert_eq!(title, "Deeper Nav");
        assert!(matches!(&children[1], NavEntry::Section { children, .. } if children.len() == 1));
        assert_eq!(
            nav[3],
            NavEntry::Link {
                title: "Backstage".into(),
                url: "https://backstage.io".into()
            }
        );
        let names: Vec<&str> = config
            .markdown_extensions
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names, ["admonition", "toc", "pymdownx.emoji"]);
        assert_eq!(config.markdown_extensions[1].1, json!({"permalink": true}));
    }

    #[test]
    fn wrong_shapes_are_problems_at_their_field_and_the_rest_is_read() {
        let (config, problems) = read_config(&json!({
            "docs_dir": "pages",
            "edit_uri": "",
            "repo_url": "https://github.com/a/b",
            "nav": [{"Home": "index.md"}, 42, {"A": 1}],
            "markdown_extensions": ["toc", ["nope"]],
        }));
        let at: Vec<String> = problems.iter().map(|p| p.path.to_string()).collect();
        assert_eq!(
            at,
            ["site_name", "nav[1]", "nav[2].A", "markdown_extensions[1]"]
        );
        assert_eq!(config.docs_dir, "pages");
        assert_eq!(
            config.edit_uri, None,
            "an empty edit_uri turns edit links off"
        );
        assert_eq!(config.nav.unwrap().len(), 1);
    }

    #[test]
    fn links_are_told_from_pages() {
        assert!(is_link("https://example.com/x"));
        assert!(is_link("/absolute/path"));
        assert!(is_link("mailto:a@b.c"));
        assert!(!is_link("guide/setup.md"));
        assert!(!is_link("setup.md#install"));
    }
}
