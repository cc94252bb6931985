//! Where a doc set's files come from. A `dir:` ref is a folder next to the file that
//! defines the entity: on disk for a `file` location, in the repository for a `git`
//! location, on the Git host for a `url` location; a `url:` ref names a folder on a Git
//! host (or a `.tar.gz` archive) itself.
//!
//! Folders that are not on disk are unpacked first, from `git archive` or from the
//! host's archive (the outbound allow-list applies), into a private temporary folder:
//! the builder then reads every doc set from disk, through the same checks. Unpacking
//! writes regular files only, each under the folder: links and paths that climb out of
//! it are problems, never files.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use app::model::catalog::entity::{annotations, Entity};
use app::model::docs::page::DocProblem;

use super::source::{problem, MAX_SET_BYTES};
use crate::catalog::location::{absolute, confinement_of, GitFile, Source};
use crate::catalog::remote::UrlReader;

/// Where one doc set's files are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocsOrigin {
    /// A folder on this server's disk.
    Folder(PathBuf),
    /// A folder (`path`, `` for the root) of a local Git repository at a revision.
    Git(GitFile),
    /// A folder on a Git host, or an archive, by URL.
    Url(String),
}

impl std::fmt::Display for DocsOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Folder(path) => write!(f, "{}", path.display()),
            Self::Git(folder) => write!(f, "{}", folder.target()),
            Self::Url(url) => f.write_str(url),
        }
    }
}

/// Where `entity`'s docs are, from its `backstage.io/techdocs-ref` and the location it
/// was read from (whose folder, for a `file` location `location_target`, confines
/// them); or why they cannot be read.
pub fn locate(entity: &Entity, location_target: &str) -> Result<DocsOrigin, String> {
    let annotations = &entity.metadata.annotations;
    let reference = annotations
        .get(annotations::TECHDOCS_REF)
        .ok_or("no techdocs-ref annotation")?;
    if let Some(url) = reference.strip_prefix("url:") {
        return Ok(DocsOrigin::Url(url.to_owned()));
    }
    let Some(path) = reference.strip_prefix("dir:") else {
        return Err(format!(
            "techdocs-ref '{reference}': expected dir:PATH or url:URL"
        ));
    };
    let file = annotations
        .get(annotations::MANAGED_BY_LOCATION)
        .and_then(|l| l.split_once(':'))
        .and_then(|(kind, target)| Source::of_location(kind, target))
        .ok_or_else(|| format!("techdocs-ref '{reference}': the entity's location is not known"))?;
    let refused = |why: String| format!("techdocs-ref '{reference}': {why}");
    match file.lead(path).map_err(refused)? {
        Source::File(folder) => {
            let folder = absolute(&folder);
            let confine = confinement_of(&absolute(Path::new(location_target)));
            let real = std::fs::canonicalize(&folder).unwrap_or(folder.clone());
            let confine = std::fs::canonicalize(&confine).unwrap_or(confine);
            if !real.starts_with(&confine) {
                return Err(refused(format!(
                    "leaves the location's folder {}; refused",
                    confine.display()
                )));
            }
            Ok(DocsOrigin::Folder(folder))
        }
        Source::Git(folder) => Ok(DocsOrigin::Git(folder)),
        Source::Url(url) => Ok(DocsOrigin::Url(url)),
    }
}

/// A doc set's folder, ready to read; a temporary one is removed when this is dropped.
#[derive(Debug)]
pub struct Unpacked {
    /// The folder.
    pub folder: PathBuf,
    /// What unpacking left out, with the file it concerns.
    pub problems: Vec<DocProblem>,
    _temporary: Option<tempfile::TempDir>,
}

/// The doc set `origin` as a folder on disk: itself for a folder, else unpacked into a
/// temporary one (URLs read through `urls`, which applies the allow-list).
pub fn unpack(origin: &DocsOrigin, urls: &UrlReader) -> Result<Unpacked, String> {
    let (bytes, folder, gzipped) = match origin {
        DocsOrigin::Folder(folder) => {
            return Ok(Unpacked {
                folder: folder.clone(),
                problems: Vec::new(),
                _temporary: None,
            })
        }
        DocsOrigin::Git(folder) => (git_archive(folder)?, String::new(), false),
        DocsOrigin::Url(url) => {
            let (bytes, folder) = urls.read_archive(url, MAX_SET_BYTES as u64)?;
            (bytes, folder, true)
        }
    };
    let temporary = tempfile::Builder::new()
        .prefix("portico-docs-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let reader: Box<dyn Read> = if gzipped {
        Box::new(flate2::read::GzDecoder::new(bytes.as_slice()))
    } else {
        Box::new(bytes.as_slice())
    };
    // Hosts' archives hold one top folder (`repo-REV/`); `git archive` does not.
    let problems = extract(reader, gzipped, &folder, temporary.path())
        .map_err(|e| format!("{origin}: not a readable archive: {e}"))?;
    Ok(Unpacked {
        folder: temporary.path().to_owned(),
        problems,
        _temporary: Some(temporary),
    })
}

/// `git archive` of the folder `folder.path` at `folder.rev`: a tar of its files.
fn git_archive(folder: &GitFile) -> Result<Vec<u8>, String> {
    let tree = if folder.path.is_empty() {
        folder.rev.clone()
    } else {
        format!("{}:{}", folder.rev, folder.path)
    };
    folder.git(&["archive", "--format=tar", &tree])
}

/// Writes the regular files of the tar `archive` under `folder` (a path inside it, after
/// its top folder when `in_top_folder`) into `into`. Links, and paths that are not plain
/// relative paths, are problems; so is going over the doc set's size limit, which stops.
fn extract(
    archive: impl Read,
    in_top_folder: bool,
    folder: &str,
    into: &Path,
) -> std::io::Result<Vec<DocProblem>> {
    let mut problems = Vec::new();
    let mut total = 0usize;
    let mut archive = tar::Archive::new(archive);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let raw = entry.path()?.into_owned();
        let mut parts = Vec::new();
        let mut plain = true;
        for component in raw.components() {
            match component {
                Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
                Component::CurDir => {}
                _ => plain = false,
            }
        }
        if in_top_folder && !parts.is_empty() {
            parts.remove(0);
        }
        let path = parts.join("/");
        let Some(relative) = inside(&path, folder) else {
            continue;
        };
        let kind = entry.header().entry_type();
        if !plain {
            problems.push(problem(
                &raw.to_string_lossy(),
                None,
                "the archive names a path outside its folder; not unpacked".into(),
            ));
        } else if kind.is_symlink() || kind.is_hard_link() {
            problems.push(problem(
                relative,
                None,
                "a link in the archive; not followed".into(),
            ));
        } else if kind.is_file() && !relative.is_empty() {
            total += entry.size() as usize;
            if total > MAX_SET_BYTES {
                problems.push(problem(
                    relative,
                    None,
                    format!(
                        "the doc set holds more than {} MiB; the rest is not read",
                        MAX_SET_BYTES >> 20
                    ),
                ));
                break;
            }
            let target = into.join(relative);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes)?;
            std::fs::write(target, bytes)?;
        }
    }
    Ok(problems)
}

/// `path` relative to `folder` when it is inside it (`` for the folder itself).
fn inside<'a>(path: &'a str, folder: &str) -> Option<&'a str> {
    if folder.is_empty() {
        return Some(path);
    }
    let rest = path.strip_prefix(folder)?;
    match rest.strip_prefix('/') {
        Some(rest) => Some(rest),
        None => rest.is_empty().then_some(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar holding `files` (path → text) and `links` (path → target).
    fn tar_of(files: &[(&str, &str)], links: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, text) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            // `set_path` refuses `..`: write the name as a hostile archive would.
            header.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            header.set_cksum();
            builder.append(&header, text.as_bytes()).unwrap();
        }
        for (path, target) in links {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            builder.append_link(&mut header, path, target).unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn files_in(root: &Path) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![root.to_owned()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if entry.file_type().unwrap().is_dir() {
                    stack.push(path);
                } else {
                    let relative = path.strip_prefix(root).unwrap();
                    found.push(relative.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        found.sort();
        found
    }

    #[test]
    fn only_the_folder_s_regular_files_are_unpacked() {
        let archive = tar_of(
            &[
                ("shop-main/README.md", "elsewhere"),
                ("shop-main/site/mkdocs.yml", "site_name: Shop"),
                ("shop-main/site/docs/index.md", "# Shop"),
                ("shop-main/site/../../escape.md", "no"),
                ("shop-main/sitemap.md", "not the folder"),
            ],
            &[("shop-main/site/docs/passwd.md", "/etc/passwd")],
        );
        let into = tempfile::tempdir().unwrap();
        let problems = extract(archive.as_slice(), true, "site", into.path()).unwrap();
        assert_eq!(files_in(into.path()), ["docs/index.md", "mkdocs.yml"]);
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "shop-main/site/../../escape.md: the archive names a path outside its folder; not unpacked",
                "docs/passwd.md: a link in the archive; not followed",
            ]
        );
        assert!(!into.path().parent().unwrap().join("escape.md").exists());
    }

    #[test]
    fn a_git_archive_has_no_top_folder() {
        let archive = tar_of(
            &[("mkdocs.yml", "site_name: A"), ("docs/index.md", "# A")],
            &[],
        );
        let into = tempfile::tempdir().unwrap();
        assert!(extract(archive.as_slice(), false, "", into.path())
            .unwrap()
            .is_empty());
        assert_eq!(files_in(into.path()), ["docs/index.md", "mkdocs.yml"]);
    }

    #[test]
    fn refs_name_folders_beside_the_entity_s_file() {
        let entity = |reference: &str, location: &str| -> Entity {
            serde_json::from_value(serde_json::json!({
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Component",
                "metadata": {"name": "shop", "annotations": {
                    "backstage.io/techdocs-ref": reference,
                    "backstage.io/managed-by-location": location,
                }},
                "spec": {},
            }))
            .unwrap()
        };
        let git = "/srv/git/shop.git#main:services/shop/catalog-info.yaml";
        assert_eq!(
            locate(&entity("dir:./site", &format!("git:{git}")), git),
            Ok(DocsOrigin::Git(GitFile {
                repo: "/srv/git/shop.git".into(),
                rev: "main".into(),
                path: "services/shop/site".into()
            }))
        );
        assert!(locate(&entity("dir:../../..", &format!("git:{git}")), git).is_err());
        let url = "https://github.com/acme/shop/blob/main/catalog-info.yaml";
        assert_eq!(
            locate(&entity("dir:.", &format!("url:{url}")), url),
            Ok(DocsOrigin::Url(
                "https://github.com/acme/shop/blob/main".into()
            ))
        );
        assert_eq!(
            locate(
                &entity("url:https://h/x.tgz", "file:/c/catalog-info.yaml"),
                "/c"
            ),
            Ok(DocsOrigin::Url("https://h/x.tgz".into()))
        );
        let refused = locate(
            &entity("dir:..", "file:/c/a/catalog-info.yaml"),
            "/c/a/catalog-info.yaml",
        )
        .unwrap_err();
        assert!(
            refused.contains("leaves the location's folder"),
            "{refused}"
        );
        assert!(locate(&entity("s3:bucket", "file:/c/catalog-info.yaml"), "/c").is_err());
    }
}
