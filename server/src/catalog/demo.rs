//! Portico's demo catalog (Northwind, a fictional retailer), embedded in the binary so
//! that `portico serve` with no catalog configured shows a populated portal at once.
//!
//! The files are written to a per-user cache folder and read like any file location, so
//! the demo exercises exactly the code paths a real catalog does.

use std::{io, path::PathBuf};

/// The files of the demo catalog, relative to its root.
const FILES: &[(&str, &str)] = &[
    (
        "apis/apis.yaml",
        include_str!("../../demo-catalog/apis/apis.yaml"),
    ),
    (
        "apis/definitions/checkout.openapi.yaml",
        include_str!("../../demo-catalog/apis/definitions/checkout.openapi.yaml"),
    ),
    (
        "apis/definitions/fraud.proto",
        include_str!("../../demo-catalog/apis/definitions/fraud.proto"),
    ),
    (
        "apis/definitions/order-events.asyncapi.yaml",
        include_str!("../../demo-catalog/apis/definitions/order-events.asyncapi.yaml"),
    ),
    (
        "apis/definitions/payments.openapi.yaml",
        include_str!("../../demo-catalog/apis/definitions/payments.openapi.yaml"),
    ),
    (
        "apis/definitions/tracking.graphql",
        include_str!("../../demo-catalog/apis/definitions/tracking.graphql"),
    ),
    (
        "apis/definitions/warehouse.proto",
        include_str!("../../demo-catalog/apis/definitions/warehouse.proto"),
    ),
    (
        "catalog-info.yaml",
        include_str!("../../demo-catalog/catalog-info.yaml"),
    ),
    (
        "components/logistics.yaml",
        include_str!("../../demo-catalog/components/logistics.yaml"),
    ),
    (
        "components/payments.yaml",
        include_str!("../../demo-catalog/components/payments.yaml"),
    ),
    (
        "components/platform.yaml",
        include_str!("../../demo-catalog/components/platform.yaml"),
    ),
    (
        "components/storefront.yaml",
        include_str!("../../demo-catalog/components/storefront.yaml"),
    ),
    (
        "domains/domains.yaml",
        include_str!("../../demo-catalog/domains/domains.yaml"),
    ),
    (
        "org/groups.yaml",
        include_str!("../../demo-catalog/org/groups.yaml"),
    ),
    (
        "org/users.yaml",
        include_str!("../../demo-catalog/org/users.yaml"),
    ),
    (
        "resources/resources.yaml",
        include_str!("../../demo-catalog/resources/resources.yaml"),
    ),
    (
        "systems/systems.yaml",
        include_str!("../../demo-catalog/systems/systems.yaml"),
    ),
];

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
        if std::fs::read_to_string(&file).is_ok_and(|current| current == *text) {
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
    use std::path::Path;

    use super::*;
    use crate::catalog::location::{read_file_location, walk};

    #[test]
    fn every_file_of_the_folder_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo-catalog");
        let mut on_disk = Vec::new();
        walk(&dir, &mut |file| {
            on_disk.push(
                file.strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        });
        on_disk.sort();
        let embedded: Vec<_> = FILES.iter().map(|(path, _)| (*path).to_owned()).collect();
        assert_eq!(embedded, on_disk, "update FILES in demo.rs");
    }

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
            for edge in app::model::relations::relations_of(&located.entity) {
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
