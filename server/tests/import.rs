//! `portico import`, run as a user runs it: the real binary on a new SQLite file.

use std::process::Command;

const CATALOG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
spec:
  type: service
  lifecycle: production
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: Bad Name
spec:
  type: service
";

fn import(dir: &std::path::Path, database: &str) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["import", "--database-url", database, "--catalog"])
        .arg(dir.join("catalog-info.yaml"))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn import_loads_a_catalog_reports_what_changed_and_leaves_one_database_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("catalog-info.yaml"), CATALOG).unwrap();
    let file = dir.path().join("portico.db");
    let database = format!("sqlite://{}", file.display());

    let (ok, stdout, stderr) = import(dir.path(), &database);
    assert!(ok, "{stderr}");
    assert!(
        // Two entities and the location's own Location entity.
        stdout.contains("3 added, 0 updated, 0 unchanged, 0 removed, 0 orphaned, 3 problems"),
        "{stdout}"
    );
    assert!(
        stderr.contains("portico validate"),
        "problems point to validate: {stderr}"
    );
    assert!(file.exists());
    let log = dir.path().join("portico.db-wal");
    assert!(
        !log.exists() || std::fs::metadata(&log).unwrap().len() == 0,
        "the write-ahead log is folded into the database before exiting"
    );

    // Again: nothing changed, nothing written.
    let (ok, stdout, _) = import(dir.path(), &database);
    assert!(ok);
    assert!(
        stdout.contains("0 added, 0 updated, 3 unchanged"),
        "{stdout}"
    );
}

#[test]
fn import_without_a_location_says_what_to_give() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["import", "--database-url"])
        .arg(format!("sqlite://{}", dir.path().join("p.db").display()))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("nothing to import: give a location with --catalog PATH"),
        "{stderr}"
    );
}
