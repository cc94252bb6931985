//! Backstage's own example catalog (`../shared/fixtures/backstage/catalog-examples`, or
//! `PORTICO_BACKSTAGE_FIXTURES`) must read with no false errors, and give the relations
//! Backstage derives for it.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

use app::model::{catalog::entity::Entity, catalog::relations::relations_of};
use server::{
    catalog::descriptor::{read_descriptors, Documents},
    validate::validate_paths,
};

fn fixtures() -> PathBuf {
    let dir = std::env::var_os("PORTICO_BACKSTAGE_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/backstage")
        });
    assert!(
        dir.join("catalog-examples").is_dir(),
        "Backstage's fixtures are not at {}: set PORTICO_BACKSTAGE_FIXTURES",
        dir.display()
    );
    dir.join("catalog-examples")
}

/// Every entity in the examples, read as ingestion reads them (file placeholders
/// resolved; URL placeholders are not fetched here).
fn all_entities() -> Vec<Entity> {
    let mut out = Vec::new();
    let mut stack = vec![fixtures()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let base = path.parent().unwrap().to_owned();
            let contents = read_descriptors(
                &path.display().to_string(),
                &text,
                Documents::SkipOthers,
                &mut |t: &str| {
                    if t.starts_with("https://") {
                        Ok(format!("(remote: {t})"))
                    } else {
                        std::fs::read_to_string(base.join(t)).map_err(|e| e.to_string())
                    }
                },
            );
            assert!(contents.problems.is_empty(), "{:#?}", contents.problems);
            out.extend(contents.entities.into_iter().map(|read| read.entity));
        }
    }
    out
}

#[test]
fn portico_validate_finds_no_problem_in_the_examples() {
    let mut out = Vec::new();
    let summary = validate_paths(&[fixtures()], &mut out, false).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "");
    assert_eq!(summary.problems, 0);
    assert_eq!(summary.files, 52);
    assert_eq!(summary.entities, 68);
}

#[test]
fn every_kind_is_read_including_unknown_ones() {
    let entities = all_entities();
    let count = |kind: &str| entities.iter().filter(|e| e.kind == kind).count();
    assert_eq!(
        [
            count("API"),
            count("AiResource"),
            count("Component"),
            count("Domain"),
            count("Group")
        ],
        [10, 4, 13, 3, 8]
    );
    assert_eq!(
        [
            count("Location"),
            count("Resource"),
            count("System"),
            count("User")
        ],
        [9, 1, 3, 17]
    );
    let refs: BTreeSet<String> = entities
        .iter()
        .map(|e| e.entity_ref().to_string())
        .collect();
    assert!(refs.contains("user:development/guest"));
    assert!(refs.contains("user:default/guest"));
    assert!(refs.contains("api:default/petstore") && refs.contains("component:default/petstore"));
}

#[test]
fn file_placeholders_are_replaced_by_the_file() {
    let entities = all_entities();
    let webhook = entities
        .iter()
        .find(|e| e.entity_ref().to_string() == "api:default/petstore-webhook")
        .unwrap();
    let expected =
        std::fs::read_to_string(fixtures().join("apis/petstore-webhook.oas.yaml")).unwrap();
    assert_eq!(webhook.spec_str("definition"), Some(expected.as_str()));
}

#[test]
fn relations_match_what_backstage_derives() {
    let edges: BTreeSet<String> = all_entities()
        .iter()
        .flat_map(relations_of)
        .map(|e| format!("{} {} {}", e.source, e.relation_type, e.target))
        .collect();
    for expected in [
        // Ownership, with the owner's default kind and an explicit user owner.
        "component:default/artist-lookup ownedBy group:default/team-a",
        "group:default/team-a ownerOf component:default/artist-lookup",
        "domain:default/playback ownedBy user:default/frank.tiernan",
        "component:default/searcher ownedBy user:default/guest",
        // Systems and domains.
        "component:default/podcast-api partOf system:default/podcast",
        "system:default/podcast hasPart component:default/podcast-api",
        "system:default/podcast partOf domain:default/playback",
        "domain:default/playback hasPart system:default/podcast",
        "resource:default/artists-db partOf system:default/artist-engagement-portal",
        // APIs.
        "component:default/petstore providesApi api:default/petstore",
        "api:default/streetlights apiProvidedBy component:default/petstore",
        "component:default/wayback-search consumesApi api:default/wayback-archive",
        "api:default/wayback-archive apiConsumedBy component:default/wayback-search",
        // The organisation.
        "group:default/team-a childOf group:default/backstage",
        "group:default/backstage parentOf group:default/team-a",
        "user:default/breanna.davison memberOf group:default/team-a",
        "group:default/team-a hasMember user:default/breanna.davison",
    ] {
        assert!(edges.contains(expected), "missing: {expected}");
    }
    // Relations come in pairs: every forward edge has its reverse.
    for edge in &edges {
        let parts: Vec<&str> = edge.split(' ').collect();
        let has_reverse = edges.iter().any(|other| {
            let o: Vec<&str> = other.split(' ').collect();
            o[0] == parts[2] && o[2] == parts[0]
        });
        assert!(has_reverse, "{edge} has no reverse");
    }
}

#[test]
fn acme_corp_yaml_leads_to_the_whole_organisation() {
    let contents =
        server::catalog::location::read_file_location(&fixtures().join("acme-corp.yaml"));
    assert!(contents.problems.is_empty(), "{:#?}", contents.problems);
    assert_eq!(contents.entities.len(), 27);
    let refs: BTreeSet<String> = contents
        .entities
        .iter()
        .map(|e| e.entity.entity_ref().to_string())
        .collect();
    for expected in [
        "location:default/acme-corp",
        "group:default/acme-corp",
        "user:development/guest",
        "group:default/team-d",
    ] {
        assert!(refs.contains(expected), "missing {expected}");
    }
}

#[test]
fn all_yaml_leads_to_every_example_and_fetches_no_url_that_is_not_allowed() {
    let contents = server::catalog::location::read_file_location(&fixtures().join("all.yaml"));
    // 40 entities are reachable; the three APIs whose definitions are `$text` URLs on
    // github.com need github.com in the allow-list (none here, and no network), and
    // say so.
    assert_eq!(contents.entities.len(), 37);
    let failed: Vec<String> = contents
        .problems
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                Path::new(&p.file).file_name().unwrap().to_string_lossy(),
                p.message
            )
        })
        .collect();
    assert_eq!(failed.len(), 3, "{failed:#?}");
    for (file, problem) in [
        "spotify-api.yaml",
        "wayback-archive-api.yaml",
        "wayback-search-api.yaml",
    ]
    .iter()
    .zip(&failed)
    {
        assert!(
            problem.starts_with(file)
                && problem.contains("https://github.com/")
                && problem.contains("is not allowed: add its host to the allowed URLs"),
            "{problem}"
        );
    }
    assert_eq!(contents.files.len(), 40);
}
