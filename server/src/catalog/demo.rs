//! Portico's demo catalog (Northwind, a fictional retailer), embedded in the binary so
//! that `portico serve` with no catalog configured shows a populated portal at once.
//!
//! The files are written to a per-user cache folder and read like any file location, so
//! the demo exercises exactly the code paths a real catalog does.

use std::{io, path::PathBuf};

/// The files of the demo catalog (templates and their skeletons included), relative to
/// its root; `build.rs` lists every file of `server/demo-catalog/`.
const FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

/// The file that leads to the whole demo catalog.
pub const ROOT_FILE: &str = "catalog-info.yaml";

/// Where the demo catalog is written: `$XDG_CACHE_HOME/portico` or `~/.cache/portico`
/// (the system's temporary folder when neither exists), one folder per Portico version.
pub fn folder() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache
        .join("portico")
        .join(format!("demo-catalog-{}", env!("CARGO_PKG_VERSION")))
}

/// Writes the demo catalog to [`folder`] and returns the path of its root file. A file
/// that already holds its text is left alone; another is replaced by renaming a
/// finished copy over it, so a portal reading the folder at that moment (another
/// process, or a test beside this one) never sees half a file.
pub fn extract() -> io::Result<PathBuf> {
    let root = folder();
    for (path, text) in FILES {
        let file = root.join(path);
        if std::fs::read(&file).is_ok_and(|current| current == *text) {
            continue;
        }
        let parent = file.parent().unwrap_or(&root);
        std::fs::create_dir_all(parent)?;
        static COPIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let unique = COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let partial = parent.join(format!(
            ".{}.{}-{unique}.partial",
            std::process::id(),
            path.replace('/', "_")
        ));
        std::fs::write(&partial, text)?;
        std::fs::rename(&partial, &file)?;
    }
    Ok(root.join(ROOT_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::location::read_file_location;

    #[test]
    fn the_demo_catalog_reads_without_a_problem() {
        let cache = tempfile::tempdir().unwrap();
        let root = cache.path().join("demo");
        for (path, text) in FILES {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        let contents = read_file_location(&root.join(ROOT_FILE));
        assert!(contents.problems.is_empty(), "{:#?}", contents.problems);
        let kinds: std::collections::BTreeSet<_> = contents
            .entities
            .iter()
            .map(|e| e.entity.kind.as_str())
            .collect();
        for kind in [
            "API",
            "Component",
            "Domain",
            "Group",
            "Location",
            "Resource",
            "System",
            "Template",
            "User",
        ] {
            assert!(kinds.contains(kind), "the demo has no {kind}");
        }
        let api_types: std::collections::BTreeSet<_> = contents
            .entities
            .iter()
            .filter(|e| e.entity.kind == "API")
            .map(|e| e.entity.spec_str("type").unwrap())
            .collect();
        // Every relation points at an entity the demo has.
        let refs: std::collections::BTreeSet<_> = contents
            .entities
            .iter()
            .map(|e| e.entity.entity_ref())
            .collect();
        for located in &contents.entities {
            for edge in app::model::catalog::relations::relations_of(&located.entity) {
                assert!(
                    refs.contains(&edge.target),
                    "{} {} a missing {}",
                    edge.source,
                    edge.relation_type,
                    edge.target
                );
            }
        }
        assert_eq!(
            api_types.into_iter().collect::<Vec<_>>(),
            ["asyncapi", "graphql", "grpc", "openapi"]
        );
    }
}
