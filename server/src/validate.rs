//! `portico validate PATH…`: checks descriptor files without a running portal, for CI
//! pipelines and editors. Prints each problem as `file:line:col: message`.
//!
//! A file named on the command line must hold only descriptors. A folder is searched for
//! `*.yaml` and `*.yml` files (skipping hidden folders, `node_modules` and `target`), and
//! documents in them that are not descriptors (no `apiVersion` or `kind`) are skipped.

use std::{
    io::{self, Write},
    path::{Path, PathBuf},
};

use crate::catalog::{
    descriptor::{read_descriptors, Documents, Problem},
    location::walk,
};

/// What a validation run found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Entities that passed.
    pub entities: usize,
    /// Problems printed.
    pub problems: usize,
}

/// Validates `paths`, printing problems to `out` and, when `progress` is set, a progress
/// line to stderr as files are read.
pub fn validate_paths(
    paths: &[PathBuf],
    out: &mut dyn Write,
    progress: bool,
) -> io::Result<Summary> {
    let mut files = Vec::new();
    let mut summary = Summary::default();
    for path in paths {
        if path.is_dir() {
            collect_yaml_files(path, &mut files);
        } else {
            files.push((path.clone(), Documents::AllDescriptors));
        }
    }
    let total = files.len();
    for (done, (file, documents)) in files.into_iter().enumerate() {
        let name = file.display().to_string();
        let contents = match std::fs::read(&file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    let dir = file.parent().unwrap_or(Path::new(".")).to_owned();
                    read_descriptors(&name, &text, documents, &mut |target: &str| {
                        read_placeholder_target(&dir, target)
                    })
                }
                Err(_) => unreadable(&name, "the file is not UTF-8 text"),
            },
            Err(error) => unreadable(&name, &format!("cannot read the file: {error}")),
        };
        summary.files += 1;
        summary.entities += contents.entities.len();
        for problem in &contents.problems {
            writeln!(out, "{problem}")?;
        }
        summary.problems += contents.problems.len();
        if progress && (done % 50 == 49 || done + 1 == total) {
            eprint!("\rvalidating: {}/{total} files", done + 1);
            if done + 1 == total {
                eprintln!();
            }
        }
    }
    Ok(summary)
}

/// Reads a placeholder's target next to the descriptor. URLs are not fetched when
/// validating: the placeholder's shape is checked, the remote content is not.
fn read_placeholder_target(dir: &Path, target: &str) -> Result<String, String> {
    if target.starts_with("http://") || target.starts_with("https://") {
        return Ok(format!("(not fetched when validating: {target})"));
    }
    let path = dir.join(target);
    std::fs::read_to_string(&path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))
}

fn unreadable(file: &str, message: &str) -> crate::catalog::descriptor::FileContents {
    crate::catalog::descriptor::FileContents {
        problems: vec![Problem {
            file: file.to_owned(),
            position: Default::default(),
            message: message.to_owned(),
            entity_ref: None,
        }],
        ..Default::default()
    }
}

/// Every YAML file below `dir`, in a stable order.
fn collect_yaml_files(dir: &Path, files: &mut Vec<(PathBuf, Documents)>) {
    walk(dir, &mut |file| {
        let name = file.to_string_lossy();
        if name.ends_with(".yaml") || name.ends_with(".yml") {
            files.push((file.to_owned(), Documents::SkipOthers));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_searched_and_problems_printed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("svc/.git")).unwrap();
        std::fs::write(
            dir.path().join("svc/catalog-info.yaml"),
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: g\nspec:\n  type: team\n  children: []\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("svc/.git/x.yaml"), "kind: [").unwrap();
        std::fs::write(dir.path().join("svc/openapi.yml"), "openapi: 3.0.0\n").unwrap();
        std::fs::write(dir.path().join("bad.yaml"), "kind: User\n").unwrap();

        let mut out = Vec::new();
        let summary = validate_paths(&[dir.path().to_owned()], &mut out, false).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            summary,
            Summary {
                files: 3,
                entities: 1,
                problems: 2
            },
            "{out}"
        );
        let bad = dir.path().join("bad.yaml").display().to_string();
        assert_eq!(
            out,
            format!("{bad}:1:1: apiVersion is required\n{bad}:1:1: metadata is required, with at least a name\n")
        );
    }

    #[test]
    fn a_missing_file_is_a_problem() {
        let mut out = Vec::new();
        let summary = validate_paths(
            &[PathBuf::from("/nonexistent/catalog-info.yaml")],
            &mut out,
            false,
        )
        .unwrap();
        assert_eq!(summary.problems, 1);
        assert!(String::from_utf8(out)
            .unwrap()
            .contains("cannot read the file"));
    }
}
