//! TechDocs on both storage engines: a location's doc sets are built when it is read,
//! stored whole, served back by page and file, rebuilt only when one of their files
//! changed, kept when a build fails, and removed with their entity.

#[macro_use]
mod support;

use std::{path::Path, time::Duration};

use app::model::catalog::entity_ref::EntityRef;
use server::{catalog::location::Source, services::Portal, store::OrphanStrategy};

on_both_backends!(
    a_location_s_docs_are_built_stored_and_rebuilt_only_on_change,
    a_failed_build_keeps_the_last_good_one,
    an_entity_can_show_another_entity_s_docs,
    docs_outside_the_location_s_folder_are_refused,
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

async fn a_location_s_docs_are_built_stored_and_rebuilt_only_on_change(db: support::TestDb) {
    let dir = doc_folder();
    let portal = Portal::new(db.store.clone());
    read(&portal, dir.path()).await;

    let home = portal
        .docs_view(&checkout(), "")
        .await
        .unwrap()
        .expect("the home page");
    assert_eq!(home.site.name, "Checkout");
    assert_eq!(home.page.title, "Checkout");
    assert_eq!(home.base, "/docs/default/component/checkout/");
    assert!(
        home.page
            .html
            .contains(r#"href="/docs/default/component/checkout/guide/#setup""#),
        "{}",
        home.page.html
    );
    assert!(home
        .page
        .html
        .contains(r#"src="/docs/default/component/checkout/img/logo.png""#));
    assert_eq!(home.next.as_ref().map(|p| p.url.as_str()), Some("guide/"));
    assert_eq!(
        home.edit_url.as_deref(),
        Some("https://git.example.com/shop/checkout/edit/main/docs/index.md")
    );
    assert!(home.site.problems.is_empty(), "{:?}", home.site.problems);
    let guide = portal
        .docs_view(&checkout(), "guide")
        .await
        .unwrap()
        .unwrap();
    let headings: Vec<&str> = guide.page.toc.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(headings, ["guide", "setup"]);
    assert_eq!(guide.previous.as_ref().map(|p| p.url.as_str()), Some(""));
    assert!(guide.page.html.contains(r#"class="admonition note""#));
    let logo = portal
        .docs_asset(&checkout(), "img/logo.png")
        .await
        .unwrap();
    assert_eq!(logo.as_deref(), Some("\u{89}PNG".as_bytes()));
    assert!(portal
        .docs_view(&checkout(), "missing/")
        .await
        .unwrap()
        .is_none());
    assert!(portal
        .docs_asset(&checkout(), "../catalog-info.yaml")
        .await
        .unwrap()
        .is_none());

    // Read again with nothing changed: the stored build stays as it was.
    read(&portal, dir.path()).await;
    let again = portal.docs_view(&checkout(), "").await.unwrap().unwrap();
    assert_eq!(
        again.built_at, home.built_at,
        "an unchanged doc set is not rebuilt"
    );

    // One page changed: rebuilt, and its problem reported with file and line.
    write(
        dir.path(),
        "docs/guide.md",
        "# Guide\n\n## Setup\n\nSee [nowhere](gone.md).\n",
    );
    read(&portal, dir.path()).await;
    let changed = portal
        .docs_view(&checkout(), "guide/")
        .await
        .unwrap()
        .unwrap();
    assert!(changed.built_at > home.built_at);
    assert!(!changed.page.html.contains("admonition"));
    let problems: Vec<String> = changed
        .site
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("docs/guide.md:5:"), "{problems:?}");

    let cards = portal.doc_sets().await.unwrap();
    assert_eq!(cards.len(), 1, "one doc set, shown by two entities");
    assert_eq!(cards[0].title, "Checkout");
    assert_eq!(cards[0].pages, 2);
    assert_eq!(cards[0].owner.as_deref(), Some("group:default/team-a"));
}

async fn a_failed_build_keeps_the_last_good_one(db: support::TestDb) {
    let dir = doc_folder();
    let mut portal = Portal::new(db.store.clone());
    portal.set_orphan_strategy(OrphanStrategy::Delete);
    read(&portal, dir.path()).await;
    let good = portal.docs_view(&checkout(), "").await.unwrap().unwrap();

    std::fs::remove_dir_all(dir.path().join("docs")).unwrap();
    write(dir.path(), "mkdocs.yml", "site_name: [unclosed\n");
    read(&portal, dir.path()).await;
    let kept = portal.docs_view(&checkout(), "").await.unwrap().unwrap();
    assert_eq!(kept.built_at, good.built_at);
    assert_eq!(kept.page.html, good.page.html);

    // Its entity leaves the catalog: its docs go with it.
    write(
        dir.path(),
        "catalog-info.yaml",
        &LOCATION.replace("name: checkout\n", "name: till\n"),
    );
    read(&portal, dir.path()).await;
    assert!(portal.docs_view(&checkout(), "").await.unwrap().is_none());
    assert!(portal.doc_sets().await.unwrap().is_empty());
}

async fn an_entity_can_show_another_entity_s_docs(db: support::TestDb) {
    let dir = doc_folder();
    let portal = Portal::new(db.store.clone());
    read(&portal, dir.path()).await;
    let web = EntityRef::parse_full("component:default/checkout-web").unwrap();
    let start = portal
        .docs_view(&web, "")
        .await
        .unwrap()
        .expect("checkout's docs");
    assert_eq!(
        start.page.title, "Guide",
        "techdocs-entity-path is where it starts"
    );
    assert_eq!(start.base, "/docs/default/component/checkout-web/");
    let home = portal.docs_view(&web, "/").await.unwrap().unwrap();
    assert_eq!(home.page.title, "Guide");
    assert!(portal
        .docs_asset(&web, "img/logo.png")
        .await
        .unwrap()
        .is_some());
}

async fn docs_outside_the_location_s_folder_are_refused(db: support::TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "secret/mkdocs.yml", "site_name: Secret\n");
    write(root, "secret/docs/index.md", "# Secret\n");
    write(
        root,
        "catalog/catalog-info.yaml",
        &LOCATION.replace("dir:.", "dir:../secret"),
    );
    let portal = Portal::new(db.store.clone());
    read(&portal, &root.join("catalog")).await;
    assert!(portal.docs_view(&checkout(), "").await.unwrap().is_none());
    assert!(portal.doc_sets().await.unwrap().is_empty());
}
