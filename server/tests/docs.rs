//! TechDocs on both storage engines: a location's doc sets are built when it is read,
//! stored whole, served back by page and file, rebuilt only when one of their files
//! changed, kept when a build fails, and removed with their entity.

#[macro_use]
mod support;

use app::model::identity::principal::Principal;
use std::{path::Path, time::Duration};

use app::model::{
    catalog::entity_ref::EntityRef,
    docs::page::{DocPage, DocSetView},
};
use server::{catalog::location::Source, services::Portal, store::OrphanStrategy};

on_both_backends!(
    a_location_s_docs_are_built_stored_and_rebuilt_only_on_change,
    a_failed_build_keeps_the_last_good_one,
    an_entity_can_show_another_entity_s_docs,
    docs_outside_the_location_s_folder_are_refused,
    entities_sharing_a_folder_are_each_checked_in_pages,
);

const LOCATION: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  title: Checkout
  annotations:
    backstage.io/techdocs-ref: dir:.
spec:
  type: service
  lifecycle: production
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout-web
  annotations:
    backstage.io/techdocs-entity: component:default/checkout
    backstage.io/techdocs-entity-path: /guide/
spec:
  type: website
  lifecycle: production
  owner: team-a
";

const MKDOCS: &str = "\
site_name: Checkout
repo_url: https://git.example.com/shop/checkout
edit_uri: edit/main/docs/
nav:
  - Home: index.md
  - Guide: guide.md
";

fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

/// A folder with the location, its mkdocs.yml, two pages and an image.
fn doc_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "catalog-info.yaml", LOCATION);
    write(root, "mkdocs.yml", MKDOCS);
    write(
        root,
        "docs/index.md",
        "# Checkout\n\nSee the [guide](guide.md#setup).\n\n![logo](img/logo.png)\n",
    );
    write(
        root,
        "docs/guide.md",
        "# Guide\n\n## Setup\n\n!!! note\n    Run it.\n",
    );
    write(root, "docs/img/logo.png", "\u{89}PNG");
    dir
}

fn checkout() -> EntityRef {
    EntityRef::parse_full("component:default/checkout").unwrap()
}

async fn read(portal: &Portal, root: &Path) {
    tokio::time::sleep(Duration::from_millis(5)).await;
    portal
        .ingest_location(&Source::File(root.join("catalog-info.yaml")))
        .await
        .unwrap();
}

/// `entity`'s docs around their pages (`None`: it has none).
async fn set_of(portal: &Portal, entity: &EntityRef) -> Option<DocSetView> {
    portal
        .docs_set(&Principal::guest(false), entity)
        .await
        .unwrap()
}

/// Page `path` of `entity`'s docs.
async fn page_of(portal: &Portal, entity: &EntityRef, path: &str) -> Option<DocPage> {
    portal
        .docs_page(&Principal::guest(false), entity, path)
        .await
        .unwrap()
}

async fn a_location_s_docs_are_built_stored_and_rebuilt_only_on_change(db: support::TestDb) {
    let dir = doc_folder();
    let portal = Portal::new(db.store.clone());
    read(&portal, dir.path()).await;

    let set = set_of(&portal, &checkout()).await.expect("checkout's docs");
    assert_eq!(set.site.name, "Checkout");
    assert_eq!(set.base, "/docs/default/component/checkout/");
    assert!(set.site.problems.is_empty(), "{:?}", set.site.problems);
    let home = page_of(&portal, &checkout(), "")
        .await
        .expect("the home page");
    // The nav names it, as mkdocs titles it.
    assert_eq!(home.title, "Home");
    let link = r#"href="/docs/default/component/checkout/guide/#setup""#;
    assert!(home.html.contains(link), "{}", home.html);
    let image = r#"src="/docs/default/component/checkout/img/logo.png""#;
    assert!(home.html.contains(image), "{}", home.html);
    assert_eq!(
        set.around(&home.url).1.map(|p| p.url),
        Some("guide/".into())
    );
    assert_eq!(
        set.edit_url(&home.source).as_deref(),
        Some("https://git.example.com/shop/checkout/edit/main/docs/index.md")
    );
    let guide = page_of(&portal, &checkout(), "guide").await.unwrap();
    let headings: Vec<&str> = guide.toc.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(headings, ["guide", "setup"]);
    assert_eq!(set.around(&guide.url).0.map(|p| p.url), Some(String::new()));
    assert!(guide.html.contains(r#"class="admonition note""#));
    let logo = portal
        .docs_asset(&Principal::guest(false), &checkout(), "img/logo.png")
        .await
        .unwrap();
    assert_eq!(logo.as_deref(), Some("\u{89}PNG".as_bytes()));
    assert!(page_of(&portal, &checkout(), "missing/").await.is_none());
    let outside = portal
        .docs_asset(
            &Principal::guest(false),
            &checkout(),
            "../catalog-info.yaml",
        )
        .await;
    assert!(outside.unwrap().is_none());

    // Search inside the docs: the section holding every word, whatever their case.
    let hits = portal
        .search_docs(&Principal::guest(false), &checkout(), "RUN it")
        .await
        .unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(
        (hits[0].url.as_str(), hits[0].anchor.as_str()),
        ("guide/", "setup")
    );
    assert!(portal
        .search_docs(&Principal::guest(false), &checkout(), "run 100%")
        .await
        .unwrap()
        .is_empty());
    assert!(portal
        .search_docs(&Principal::guest(false), &checkout(), "  ")
        .await
        .unwrap()
        .is_empty());

    // Read again with nothing changed: the stored build stays as it was.
    read(&portal, dir.path()).await;
    let again = set_of(&portal, &checkout()).await.unwrap();
    assert_eq!(
        again.built_at, set.built_at,
        "an unchanged doc set is not rebuilt"
    );

    // One page changed: rebuilt, and its problem reported with file and line.
    let broken = "# Guide\n\n## Setup\n\nSee [nowhere](gone.md).\n";
    write(dir.path(), "docs/guide.md", broken);
    read(&portal, dir.path()).await;
    let changed = set_of(&portal, &checkout()).await.unwrap();
    assert!(changed.built_at > set.built_at);
    let guide = page_of(&portal, &checkout(), "guide/").await.unwrap();
    assert!(!guide.html.contains("admonition"));
    let problems: Vec<String> = changed
        .problems_of(&guide.source)
        .map(ToString::to_string)
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("docs/guide.md:5:"), "{problems:?}");
    assert_eq!(changed.problems_of(&home.source).count(), 0);
    // The entity says so in its status, as the catalog API serves it.
    let items = status_items(&portal).await;
    assert_eq!(items, [("warning".to_owned(), problems[0].clone())]);

    let cards = portal.doc_sets(&Principal::guest(false)).await.unwrap();
    assert_eq!(cards.len(), 1, "one doc set, shown by two entities");
    assert_eq!(cards[0].title, "Checkout");
    assert_eq!(cards[0].pages, 2);
    assert_eq!(cards[0].owner.as_deref(), Some("group:default/team-a"));
}

/// Checkout's docs `status.items`: `(level, message)`.
async fn status_items(portal: &Portal) -> Vec<(String, String)> {
    status_items_of(portal, &checkout()).await
}

/// `entity`'s docs `status.items`: `(level, message)`.
async fn status_items_of(portal: &Portal, entity: &EntityRef) -> Vec<(String, String)> {
    let entity = portal
        .entity(&Principal::guest(false), entity)
        .await
        .unwrap()
        .unwrap();
    let items = entity.status.map(|s| s.items).unwrap_or_default();
    items
        .into_iter()
        .filter(|item| item.item_type == app::model::docs::page::DOCS_STATUS)
        .map(|item| (item.level, item.message))
        .collect()
}

async fn a_failed_build_keeps_the_last_good_one(db: support::TestDb) {
    let dir = doc_folder();
    let mut portal = Portal::new(db.store.clone());
    portal.set_orphan_strategy(OrphanStrategy::Delete);
    read(&portal, dir.path()).await;
    let good = set_of(&portal, &checkout()).await.unwrap();
    let good_page = page_of(&portal, &checkout(), "").await.unwrap();

    std::fs::remove_dir_all(dir.path().join("docs")).unwrap();
    write(dir.path(), "mkdocs.yml", "site_name: [unclosed\n");
    read(&portal, dir.path()).await;
    let kept = set_of(&portal, &checkout()).await.unwrap();
    assert_eq!(kept.built_at, good.built_at);
    assert_eq!(page_of(&portal, &checkout(), "").await.unwrap(), good_page);
    let items = status_items(&portal).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].0, "error");
    assert!(items[0].1.contains("mkdocs.yml"), "{items:?}");

    // Its entity leaves the catalog: its docs go with it.
    let renamed = LOCATION.replace("name: checkout\n", "name: till\n");
    write(dir.path(), "catalog-info.yaml", &renamed);
    read(&portal, dir.path()).await;
    assert!(set_of(&portal, &checkout()).await.is_none());
    assert!(portal
        .doc_sets(&Principal::guest(false))
        .await
        .unwrap()
        .is_empty());
}

/// More entities than a refresh reads at once, all naming one folder: while it has no
/// docs each says why (the folder is tried once per refresh, every entity still gets its
/// message); once it has docs, each has its set and no error.
async fn entities_sharing_a_folder_are_each_checked_in_pages(db: support::TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let components: Vec<String> = (0..1_001)
        .map(|i| {
            format!(
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: c{i:04}\n  \
                 annotations:\n    backstage.io/techdocs-ref: dir:./shared\n\
                 spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
            )
        })
        .collect();
    write(dir.path(), "catalog-info.yaml", &components.join("---\n"));
    write(dir.path(), "shared/README.txt", "no docs yet\n");
    let portal = Portal::new(db.store.clone());
    read(&portal, dir.path()).await;
    let first = EntityRef::parse_full("component:default/c0000").unwrap();
    let last = EntityRef::parse_full("component:default/c1000").unwrap();
    for entity in [&first, &last] {
        let items = status_items_of(&portal, entity).await;
        assert_eq!(items.len(), 1, "{entity}: {items:?}");
        assert_eq!(items[0].0, "error");
        assert!(items[0].1.contains("mkdocs.yml"), "{items:?}");
        assert!(set_of(&portal, entity).await.is_none());
    }

    write(dir.path(), "shared/mkdocs.yml", "site_name: Shared\n");
    write(
        dir.path(),
        "shared/docs/index.md",
        "# Shared\n\nOne folder.\n",
    );
    read(&portal, dir.path()).await;
    for entity in [&first, &last] {
        assert!(
            status_items_of(&portal, entity).await.is_empty(),
            "{entity}"
        );
        assert!(set_of(&portal, entity).await.is_some(), "{entity}");
    }
}

async fn an_entity_can_show_another_entity_s_docs(db: support::TestDb) {
    let dir = doc_folder();
    let portal = Portal::new(db.store.clone());
    read(&portal, dir.path()).await;
    let web = EntityRef::parse_full("component:default/checkout-web").unwrap();
    let set = set_of(&portal, &web).await.expect("checkout's docs");
    assert_eq!(set.site.name, "Checkout");
    assert_eq!(set.base, "/docs/default/component/checkout-web/");
    let start = page_of(&portal, &web, "").await.unwrap();
    assert_eq!(
        start.title, "Guide",
        "techdocs-entity-path is where it starts"
    );
    assert!(page_of(&portal, &web, "guide/").await.is_some());
    assert!(portal
        .docs_asset(&Principal::guest(false), &web, "img/logo.png")
        .await
        .unwrap()
        .is_some());
}

async fn docs_outside_the_location_s_folder_are_refused(db: support::TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "secret/mkdocs.yml", "site_name: Secret\n");
    write(root, "secret/docs/index.md", "# Secret\n");
    let escaping = LOCATION.replace("dir:.", "dir:../secret");
    write(root, "catalog/catalog-info.yaml", &escaping);
    let portal = Portal::new(db.store.clone());
    read(&portal, &root.join("catalog")).await;
    assert!(set_of(&portal, &checkout()).await.is_none());
    assert!(portal
        .doc_sets(&Principal::guest(false))
        .await
        .unwrap()
        .is_empty());
}

/// Runs git in `repo` (its author set here: the test machine may have none).
fn git(repo: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[tokio::test]
async fn docs_in_a_git_location_are_built_from_the_repository() {
    let db = support::sqlite().await;
    let dir = doc_folder();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-qm", "docs"]);
    // The working tree is not what is read: only the commit.
    write(repo, "docs/guide.md", "# Uncommitted\n");
    let portal = Portal::new(db.store.clone());
    let location = Source::Git(server::catalog::location::GitFile {
        repo: repo.to_owned(),
        rev: "main".into(),
        path: "catalog-info.yaml".into(),
    });
    portal.ingest_location(&location).await.unwrap();
    let set = set_of(&portal, &checkout()).await.expect("docs from git");
    assert_eq!(set.site.name, "Checkout");
    assert!(set.site.problems.is_empty(), "{:?}", set.site.problems);
    let guide = page_of(&portal, &checkout(), "guide/").await.unwrap();
    assert!(guide.html.contains("Setup"), "{}", guide.html);
    assert!(portal
        .docs_asset(&Principal::guest(false), &checkout(), "img/logo.png")
        .await
        .unwrap()
        .is_some());

    git(repo, &["commit", "-qam", "guide"]);
    portal.ingest_location(&location).await.unwrap();
    let guide = page_of(&portal, &checkout(), "guide/").await.unwrap();
    assert!(
        guide.html.contains("Uncommitted"),
        "the new commit is built"
    );
}

/// A gzipped tar of `files` (path → text), as a Git host's archive holds them.
fn tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, text) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        builder
            .append_data(&mut header, path, text.as_bytes())
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

/// Serves `archive` at `/shop/-/archive/main/archive.tar.gz` on loopback, as GitLab
/// serves a repository's archive; returns the base URL.
async fn git_host(archive: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/shop/-/archive/main/archive.tar.gz",
        axum::routing::get(move || async move { archive }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn url_refs_read_the_git_host_s_archive_when_the_allow_list_permits() {
    let db = support::sqlite().await;
    let host = git_host(tar_gz(&[
        ("shop-main/site/mkdocs.yml", MKDOCS),
        (
            "shop-main/site/docs/index.md",
            "# Checkout\n\nSee the [guide](guide.md).\n",
        ),
        ("shop-main/site/docs/guide.md", "# Guide\n"),
        ("shop-main/secret.md", "# Not the doc set\n"),
    ]))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let reference = format!("url:{host}/shop/-/tree/main/site");
    write(
        dir.path(),
        "catalog-info.yaml",
        &LOCATION.replace("dir:.", &reference),
    );

    let mut portal = Portal::new(db.store.clone());
    read(&portal, dir.path()).await;
    assert!(set_of(&portal, &checkout()).await.is_none());
    let entity = portal
        .entity(&Principal::guest(false), &checkout())
        .await
        .unwrap()
        .unwrap();
    let items = entity.status.map(|s| s.items).unwrap_or_default();
    assert!(
        items.iter().any(|i| i.message.contains("is not allowed")),
        "the allow-list refuses it: {items:?}"
    );

    portal.allow_urls(vec![host.trim_start_matches("http://").parse().unwrap()]);
    read(&portal, dir.path()).await;
    let set = set_of(&portal, &checkout())
        .await
        .expect("docs from the host");
    assert!(set.site.problems.is_empty(), "{:?}", set.site.problems);
    assert_eq!(set.site.page_count, 2);
    assert_eq!(
        page_of(&portal, &checkout(), "guide/").await.unwrap().title,
        "Guide"
    );
}
