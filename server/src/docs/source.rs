//! A doc set's files, read from its folder and never from outside it: `mkdocs.yml` and
//! every file under its `docs_dir` (pages and assets), with the size limits, and the
//! fingerprint that says whether anything changed since the last build.
//!
//! Nothing outside the folder is ever read: a symbolic link that leaves it is a problem
//! and is not followed, and paths named in pages (links, images, snippets) are resolved
//! lexically inside it ([`resolve`]) before anything is looked up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use app::model::catalog::validation::FieldPath;
use app::model::docs::mkdocs::{read_config, MkDocsConfig};
use app::model::docs::nav::{is_page, percent_decoded};
use app::model::docs::page::DocProblem;
use sha1::{Digest, Sha1};

use crate::catalog::yaml::{parse_documents, YamlDocument};

/// The largest page, in bytes of Markdown.
pub const MAX_PAGE_BYTES: usize = 1 << 20;
/// The most a doc set may hold, in bytes of files.
pub const MAX_SET_BYTES: usize = 64 << 20;
/// How deep folders may nest.
const MAX_DEPTH: usize = 32;

/// The files of a doc set.
#[derive(Debug, Default)]
pub struct DocFiles {
    /// The doc set's folder (where `mkdocs.yml` is), as the disk names it.
    pub root: PathBuf,
    /// Its settings.
    pub config: MkDocsConfig,
    /// `mkdocs.yml` as read, to place problems in it.
    pub config_yaml: Option<YamlDocument>,
    /// The pages, by path under `docs_dir` → Markdown.
    pub pages: BTreeMap<String, String>,
    /// Every other file under `docs_dir`, by path → bytes.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// What was wrong while reading.
    pub problems: Vec<DocProblem>,
    /// A hash of every file read, and of their names.
    pub fingerprint: String,
}

/// Reads the doc set in `root`. Never fails: what cannot be read is a problem.
pub fn read(root: &Path) -> DocFiles {
    let mut files = DocFiles {
        root: root.to_owned(),
        ..DocFiles::default()
    };
    let mut hash = Sha1::new();
    let config_path = ["mkdocs.yml", "mkdocs.yaml"]
        .into_iter()
        .map(|name| root.join(name))
        .find(|path| path.is_file());
    let config_name = config_path
        .as_ref()
        .and_then(|p| p.file_name())
        .map_or("mkdocs.yml".to_owned(), |n| {
            n.to_string_lossy().into_owned()
        });
    let mut config_value = serde_json::Value::Null;
    match config_path.as_deref().map(std::fs::read_to_string) {
        // Without mkdocs.yml, the pages under docs/ make the doc set (as techdocs-cli
        // does with a default configuration).
        None if root.join("docs").is_dir() => {}
        None => files.problems.push(problem(
            &config_name,
            None,
            "the folder has neither a mkdocs.yml nor a docs/ folder: there is nothing to build"
                .into(),
        )),
        Some(Err(error)) => files.problems.push(problem(
            &config_name,
            None,
            format!("cannot be read: {error}"),
        )),
        Some(Ok(text)) => {
            hash.update(text.as_bytes());
            match parse_documents(&text) {
                Ok(mut documents) if !documents.is_empty() => {
                    let document = documents.swap_remove(0);
                    config_value = document.value.clone();
                    files.config_yaml = Some(document);
                }
                Ok(_) => {}
                Err(error) => files.problems.push(problem(
                    &config_name,
                    Some(error.position.line),
                    error.message,
                )),
            }
        }
    }
    let (config, errors) = read_config(&config_value);
    for error in errors {
        let line = files.config_line(&error.path);
        // A missing site_name is Backstage's to fill in (the entity's title).
        if error.path != FieldPath::of(&["site_name"]) {
            files
                .problems
                .push(problem(&config_name, line, error.message));
        }
    }
    files.config = config;
    let docs_dir = files.config.docs_dir.clone();
    match resolve("", &docs_dir) {
        Err(why) => files.problems.push(problem(
            &config_name,
            files.config_line(&FieldPath::of(&["docs_dir"])),
            format!("docs_dir '{docs_dir}' {why}"),
        )),
        Ok(relative) => {
            let folder = root.join(&relative);
            let confine = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
            if !folder.is_dir() {
                files.problems.push(problem(
                    &config_name,
                    files.config_line(&FieldPath::of(&["docs_dir"])),
                    format!("the docs_dir folder '{docs_dir}' does not exist"),
                ));
            } else {
                let mut total = 0;
                let mut reader = Reader {
                    confine: &confine,
                    prefix: &relative,
                    files: &mut files,
                    hash: &mut hash,
                    total: &mut total,
                };
                reader.folder(&folder, "", 0);
            }
        }
    }
    files.fingerprint = format!("{:x}", hash.finalize());
    files
}

impl DocFiles {
    /// The line of `mkdocs.yml` where the setting at `path` is.
    pub fn config_line(&self, path: &FieldPath) -> Option<usize> {
        self.config_yaml
            .as_ref()
            .map(|document| document.position_of(path).line)
    }

    /// The path of a file under `docs_dir` as the doc set's folder names it
    /// (`docs/index.md`), for problems.
    pub fn file_name(&self, source: &str) -> String {
        let docs_dir = self.config.docs_dir.trim_matches('/');
        if docs_dir.is_empty() || docs_dir == "." {
            source.to_owned()
        } else {
            format!("{docs_dir}/{source}")
        }
    }
}

struct Reader<'a> {
    confine: &'a Path,
    prefix: &'a str,
    files: &'a mut DocFiles,
    hash: &'a mut Sha1,
    total: &'a mut usize,
}

impl Reader<'_> {
    fn name(&self, relative: &str) -> String {
        if self.prefix.is_empty() {
            relative.to_owned()
        } else {
            format!("{}/{relative}", self.prefix)
        }
    }

    fn folder(&mut self, dir: &Path, relative: &str, depth: usize) {
        if depth > MAX_DEPTH {
            let name = self.name(relative);
            self.files.problems.push(problem(
                &name,
                None,
                format!("folders nest deeper than {MAX_DEPTH}; the rest is not read"),
            ));
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            if file_name.starts_with('.') {
                continue;
            }
            let relative = if relative.is_empty() {
                file_name
            } else {
                format!("{relative}/{file_name}")
            };
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_symlink() {
                let inside =
                    std::fs::canonicalize(&path).is_ok_and(|real| real.starts_with(self.confine));
                if !inside {
                    let name = self.name(&relative);
                    self.files.problems.push(problem(
                        &name,
                        None,
                        "is a symbolic link that leaves the doc set's folder; refused".into(),
                    ));
                    continue;
                }
            }
            if path.is_dir() {
                self.folder(&path, &relative, depth + 1);
            } else if path.is_file() {
                self.file(&path, relative);
            }
        }
    }

    fn file(&mut self, path: &Path, relative: String) {
        let name = self.name(&relative);
        let size = std::fs::metadata(path).map_or(0, |m| m.len() as usize);
        if *self.total + size > MAX_SET_BYTES {
            self.files.problems.push(problem(
                &name,
                None,
                format!(
                    "the doc set is over its size limit ({} MiB); this file and those after it are left out",
                    MAX_SET_BYTES >> 20
                ),
            ));
            return;
        }
        if is_page(&relative) && size > MAX_PAGE_BYTES {
            self.files.problems.push(problem(
                &name,
                None,
                format!(
                    "the page is {} KiB, over the limit of {} KiB; it is left out",
                    size >> 10,
                    MAX_PAGE_BYTES >> 10
                ),
            ));
            return;
        }
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                self.files
                    .problems
                    .push(problem(&name, None, format!("cannot be read: {error}")));
                return;
            }
        };
        *self.total += bytes.len();
        self.hash.update(relative.as_bytes());
        self.hash.update([0]);
        self.hash.update(&bytes);
        if is_page(&relative) {
            match String::from_utf8(bytes) {
                Ok(text) => {
                    self.files.pages.insert(relative, text);
                }
                Err(_) => self.files.problems.push(problem(
                    &name,
                    None,
                    "is not UTF-8 text; it is left out".into(),
                )),
            }
        } else {
            self.files.assets.insert(relative, bytes);
        }
    }
}

/// A problem in `file`.
pub fn problem(file: &str, line: Option<usize>, message: String) -> DocProblem {
    DocProblem {
        file: file.to_owned(),
        line,
        message,
    }
}

/// `href` (a path as a page writes it, percent-encoded or not, `/` or `\` separated)
/// resolved against the folder `base` (`guide`, or `` for the top), lexically: the
/// normalised path, or why it is refused (it climbs out of the folder, or holds a NUL).
pub fn resolve(base: &str, href: &str) -> Result<String, String> {
    let decoded = percent_decode(href);
    if decoded.contains('\0') {
        return Err("holds a NUL character; refused".into());
    }
    if decoded.starts_with('/') || decoded.starts_with('\\') || decoded.contains(':') {
        return Err("is an absolute path; refused".into());
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in decoded.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err("leaves the doc set's folder; refused".into());
                }
            }
            part => parts.push(part),
        }
    }
    Ok(parts.join("/"))
}

/// `%XX` sequences decoded (repeatedly, so that `%252e` cannot hide a `.`), invalid ones
/// kept as written.
fn percent_decode(text: &str) -> String {
    let mut current = text.to_owned();
    for _ in 0..3 {
        let decoded = percent_decoded(&current);
        if decoded == current {
            break;
        }
        current = decoded;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_the_folder_or_are_refused() {
        assert_eq!(resolve("guide", "../img/a.png"), Ok("img/a.png".into()));
        assert_eq!(resolve("", "./a/./b.md"), Ok("a/b.md".into()));
        assert_eq!(resolve("a/b", "..\\c.md"), Ok("a/c.md".into()));
        assert_eq!(resolve("", "my%20page.md"), Ok("my page.md".into()));
        for bad in [
            "../secret",
            "a/../../secret",
            "%2e%2e/secret",
            "%2E%2E%2Fsecret",
            "%252e%252e/secret",
            "..%5csecret",
            "/etc/passwd",
            "C:\\Windows",
            "a%00b",
        ] {
            assert!(resolve("", bad).is_err(), "{bad}");
        }
        assert!(resolve("guide", "../../x").is_err());
    }

    #[test]
    fn a_folder_is_read_with_its_problems_and_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("mkdocs.yml"),
            "site_name: Demo\nnav:\n  - Home: index.md\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("docs/img")).unwrap();
        std::fs::write(root.join("docs/index.md"), "# Home").unwrap();
        std::fs::write(root.join("docs/img/a.png"), [137, 80]).unwrap();
        std::fs::write(root.join("docs/.hidden.md"), "x").unwrap();
        std::fs::write(root.join("docs/big.md"), "x".repeat(MAX_PAGE_BYTES + 1)).unwrap();
        std::fs::write(dir.path().parent().unwrap().join("outside.md"), "secret").ok();
        std::os::unix::fs::symlink("/etc/passwd", root.join("docs/passwd.md")).unwrap();
        let files = read(root);
        assert_eq!(files.config.site_name, "Demo");
        assert_eq!(files.pages.keys().collect::<Vec<_>>(), ["index.md"]);
        assert_eq!(files.assets.keys().collect::<Vec<_>>(), ["img/a.png"]);
        let problems: Vec<String> = files.problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("docs/big.md: the page is 1024 KiB"),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("docs/passwd.md: is a symbolic link that leaves"),
            "{problems:?}"
        );
        let again = read(root);
        assert_eq!(files.fingerprint, again.fingerprint);
        std::fs::write(root.join("docs/index.md"), "# Home!").unwrap();
        assert_ne!(files.fingerprint, read(root).fingerprint);
    }

    #[test]
    fn yaml_errors_have_their_line_and_the_pages_are_still_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mkdocs.yml"), "site_name: X\nnav: [\n").unwrap();
        std::fs::create_dir(dir.path().join("docs")).unwrap();
        std::fs::write(dir.path().join("docs/index.md"), "# Hi").unwrap();
        let files = read(dir.path());
        assert_eq!(files.problems[0].file, "mkdocs.yml");
        assert!(files.problems[0].line.is_some());
        assert_eq!(files.pages.len(), 1);
    }
}
