//! Refreshing locations on both storage engines: a refresh whose files are unchanged
//! reads nothing; a change to any file the last read depended on (a descriptor, a
//! placeholder's file, what a glob matches) is read and applied.

#[macro_use]
mod support;

use std::time::Duration;

use server::{catalog::location::Source, services::Portal, store::ApplyReport};

on_both_backends!(a_refresh_reads_only_what_changed);

const LOCATION: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: root
spec:
  targets: [./service.yaml, ./more/*.yaml]
";

/// A component with an annotation read from `note.txt` by a placeholder.
const SERVICE: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    note: { $text: ./note.txt }
spec:
  type: service
  lifecycle: production
  owner: team-a
";

fn component(name: &str, description: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  \
         description: {description}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

/// The one report of a refresh of everything due.
async fn refresh(portal: &Portal) -> ApplyReport {
    tokio::time::sleep(Duration::from_millis(5)).await;
    let reports = portal.refresh_due().await.unwrap();
    assert_eq!(reports.len(), 1, "the one location is due every time");
    reports[0].applied.clone()
}

async fn a_refresh_reads_only_what_changed(db: support::TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("catalog-info.yaml"), LOCATION).unwrap();
    std::fs::create_dir(root.join("more")).unwrap();
    std::fs::write(root.join("service.yaml"), SERVICE).unwrap();
    std::fs::write(root.join("note.txt"), "first").unwrap();

    let mut portal = Portal::new(db.store.clone());
    portal.set_refresh_interval(Duration::from_millis(1));
    let first = portal
        .ingest_location(&Source::File(root.join("catalog-info.yaml")))
        .await
        .unwrap();
    assert_eq!(
        first.applied.added, 3,
        "the location's own Location entity, the Location in the file and the component"
    );

    // Nothing changed: nothing read.
    let again = refresh(&portal).await;
    assert!(again.skipped, "{again:?}");

    // A placeholder's file changed: read, and the entity updated.
    std::fs::write(root.join("note.txt"), "second").unwrap();
    let changed = refresh(&portal).await;
    assert!(!changed.skipped);
    assert_eq!((changed.updated, changed.unchanged), (1, 2));
    assert!(refresh(&portal).await.skipped);

    // A new file matched by a glob target: read, and the entity added.
    std::fs::write(
        root.join("more/billing.yaml"),
        component("billing", "Bills"),
    )
    .unwrap();
    let grown = refresh(&portal).await;
    assert!(!grown.skipped);
    assert_eq!(grown.added, 1);

    // A descriptor edited: read.
    std::fs::write(
        root.join("more/billing.yaml"),
        component("billing", "Sends bills"),
    )
    .unwrap();
    assert_eq!(refresh(&portal).await.updated, 1);

    // A forced refresh (start-up, POST /refresh) reads even when nothing changed.
    let location = db.store.locations().await.unwrap().remove(0);
    let forced = portal.refresh_location(location, true).await.unwrap();
    assert!(!forced.applied.skipped);
    assert_eq!(forced.applied.unchanged, 4);
}
