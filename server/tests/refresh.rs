//! Refreshing locations on both storage engines: a refresh whose files are unchanged
//! reads nothing; a change to any file the last read depended on (a descriptor, a
//! placeholder's file, what a glob matches) is read and applied.

#[macro_use]
mod support;

use std::time::Duration;

use server::{catalog::location::Source, services::Portal, store::ApplyReport};

on_both_backends!(
    a_refresh_reads_only_what_changed,
    a_start_reads_a_stored_location_only_when_it_must
);

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

/// A folder with the location file, its component and the note the component reads.
fn catalog_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("catalog-info.yaml"), LOCATION).unwrap();
    std::fs::create_dir(root.join("more")).unwrap();
    std::fs::write(root.join("service.yaml"), SERVICE).unwrap();
    std::fs::write(root.join("note.txt"), "first").unwrap();
    dir
}

/// The one report of a refresh of everything due.
async fn refresh(portal: &Portal) -> ApplyReport {
    tokio::time::sleep(Duration::from_millis(5)).await;
    let reports = portal.refresh_due().await.unwrap();
    assert_eq!(reports.len(), 1, "the one location is due every time");
    reports[0].applied.clone()
}

async fn a_refresh_reads_only_what_changed(db: support::TestDb) {
    let dir = catalog_folder();
    let root = dir.path();

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

    // A forced refresh (POST /refresh, import) reads even when nothing changed.
    let location = db.store.locations().await.unwrap().remove(0);
    let forced = portal.refresh_location(location, true).await.unwrap();
    assert!(!forced.applied.skipped);
    assert_eq!(forced.applied.unchanged, 4);
}

/// What `portico serve` does with its `--catalog` location before it is ready, as a
/// replica restarted beside others would: the first start reads it; a restart with the
/// same files reads nothing; while another replica holds the location (it is reading a
/// change), the stored catalog is served at once; a location stored by another reader
/// (an older binary) is read again.
async fn a_start_reads_a_stored_location_only_when_it_must(db: support::TestDb) {
    let dir = catalog_folder();
    let root = dir.path();
    let target = Source::File(root.join("catalog-info.yaml"));
    let portal = Portal::new(db.store.clone());

    let first = portal.load_at_start(&target).await.unwrap().unwrap();
    assert_eq!(first.applied.added, 3, "{first:?}");
    let again = portal.load_at_start(&target).await.unwrap().unwrap();
    assert!(again.applied.skipped, "{again:?}");

    // Another replica holds the location: served as stored, nothing read or waited for.
    std::fs::write(root.join("note.txt"), "second").unwrap();
    let location = db.store.locations().await.unwrap().remove(0);
    let far = i64::MAX / 2;
    assert!(db.store.claim_location(&location.id, 0, far).await.unwrap());
    assert!(portal.load_at_start(&target).await.unwrap().is_none());
    let note = || async {
        let (_, _, body) = db
            .store
            .entity_body("component:default/checkout")
            .await
            .unwrap()
            .unwrap();
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        body["metadata"]["annotations"]["note"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(note().await, "first");

    // Its lease given back, the next start reads the change.
    db.store.release_location(&location.id).await.unwrap();
    let changed = portal.load_at_start(&target).await.unwrap().unwrap();
    assert_eq!(changed.applied.updated, 1, "{changed:?}");
    assert_eq!(note().await, "second");

    // Stored by another reader: read again, though no file changed.
    support::execute(
        &db.store,
        "UPDATE locations SET inputs = replace(inputs, '\"reader\":\"', '\"reader\":\"old-')",
    )
    .await;
    let reread = portal.load_at_start(&target).await.unwrap().unwrap();
    assert!(!reread.applied.skipped, "{reread:?}");
    assert!(
        portal
            .load_at_start(&target)
            .await
            .unwrap()
            .unwrap()
            .applied
            .skipped
    );
}
