//! A task's workspace: a fresh folder that steps write into, and the rule that nothing
//! — a skeleton's file, a templated path, a `targetPath` — lands outside it.

use std::path::{Component, Path, PathBuf};

/// `relative` (as a template wrote it) inside `root`. Refused: absolute paths, and `..`
/// that would climb out of `root`. Purely lexical: the workspace holds no symbolic links
/// (skeletons may not carry any), so what is inside by name is inside on disk.
pub fn inside(root: &Path, relative: &str) -> Result<PathBuf, String> {
    let mut out = PathBuf::new();
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return Err(format!(
                        "'{relative}' leads outside the task's workspace; refused"
                    ));
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                "'{relative}' is an absolute path; paths in a task are relative to its workspace"
            ))
            }
        }
    }
    Ok(root.join(out))
}

/// Every file under `dir`, as paths relative to it with `/` separators, sorted. A
/// symbolic link is an error: a skeleton must not point elsewhere on the server.
pub fn files_under(dir: &Path) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    Ok(files)
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let path = entry.path();
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if kind.is_symlink() {
            return Err(format!(
                "{relative} is a symbolic link; a skeleton may only hold files and folders"
            ));
        } else if kind.is_dir() {
            if entry.file_name() != ".git" {
                collect(root, &path, files)?;
            }
        } else {
            files.push(relative);
        }
    }
    Ok(())
}

/// The workspace as a `.tar.gz`, every file under `name/`.
pub fn archive(root: &Path, name: &str) -> Result<Vec<u8>, String> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(encoder);
    tar.follow_symlinks(false);
    for file in files_under(root)? {
        tar.append_path_with_name(root.join(&file), format!("{name}/{file}"))
            .map_err(|e| format!("cannot archive {file}: {e}"))?;
    }
    let encoder = tar.into_inner().map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_paths_inside_the_workspace() {
        let root = Path::new("/work/task");
        assert_eq!(
            inside(root, "./a/b.txt").unwrap(),
            Path::new("/work/task/a/b.txt")
        );
        assert_eq!(inside(root, "a/../b").unwrap(), Path::new("/work/task/b"));
        assert_eq!(inside(root, "").unwrap(), Path::new("/work/task"));
        assert!(inside(root, "../escape")
            .unwrap_err()
            .contains("outside the task's workspace"));
        assert!(inside(root, "a/../../escape").is_err());
        assert!(inside(root, "/etc/passwd")
            .unwrap_err()
            .contains("absolute path"));
    }

    #[test]
    fn refuses_symbolic_links_in_skeletons() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "a").unwrap();
        std::fs::write(dir.path().join("b.txt"), "b").unwrap();
        assert_eq!(files_under(dir.path()).unwrap(), ["b.txt", "sub/a.txt"]);
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("link")).unwrap();
        assert!(files_under(dir.path())
            .unwrap_err()
            .contains("link is a symbolic link"));
    }
}
