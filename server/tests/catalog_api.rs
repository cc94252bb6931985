//! The Backstage-compatible catalog API (`/api/catalog`) through the real router, on a
//! catalog ingested from files.

mod support;

use std::{path::Path, sync::Arc};

use axum::{
    body::Body,
    http::{Request, StatusCode},
    Router,
};
use serde_json::{json, Value};
use server::{
    config::{Config, DEFAULT_ADDR},
    http::{router, AppState},
    services::Portal,
};
use tower::ServiceExt;

const SERVICE: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: Checkout
  description: Takes orders
spec:
  type: service
  lifecycle: production
  owner: team-a
  providesApis: [orders]
";

const TEAM: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
";

async fn get(app: &Router, path: &str) -> (StatusCode, Value) {
    let request = Request::get(path).body(Body::empty()).unwrap();
    let response = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        app.clone().oneshot(request),
    )
    .await
    .expect("the API answers")
    .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

fn app(portal: Arc<Portal>) -> Router {
    let config = Config {
        addr: DEFAULT_ADDR.parse().unwrap(),
        database_url: String::new(),
        site_root: "target/site-for-tests".into(),
        catalog: Vec::new(),
        refresh_interval: std::time::Duration::from_secs(60),
    };
    router(AppState::new(&config, portal))
}

async fn catalog(dir: &Path) -> (support::TestDb, Arc<Portal>) {
    std::fs::write(
        dir.join("catalog-info.yaml"),
        format!("{SERVICE}---\n{TEAM}"),
    )
    .unwrap();
    let db = support::sqlite().await;
    let portal = Portal::new(db.store.clone());
    portal
        .ingest_file_location(&dir.join("catalog-info.yaml"))
        .await
        .unwrap();
    (db, Arc::new(portal))
}

#[tokio::test(flavor = "multi_thread")]
async fn by_name_serves_the_entity_with_uid_etag_and_relations() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, portal) = catalog(dir.path()).await;
    let app = app(portal);

    let (status, entity) = get(
        &app,
        "/api/catalog/entities/by-name/Component/DEFAULT/checkout",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{entity}");
    assert_eq!(
        entity["metadata"]["name"], "Checkout",
        "the name is served as written"
    );
    assert_eq!(entity["metadata"]["namespace"], "default");
    assert!(entity["metadata"]["uid"]
        .as_str()
        .is_some_and(|uid| uid.len() == 36));
    assert!(entity["metadata"]["etag"].as_str().is_some());
    let file = dir.path().join("catalog-info.yaml").display().to_string();
    assert_eq!(
        entity["metadata"]["annotations"]["backstage.io/managed-by-location"],
        format!("file:{file}")
    );
    assert_eq!(
        entity["relations"],
        json!([
            {"type": "ownedBy", "targetRef": "group:default/team-a"},
            {"type": "providesApi", "targetRef": "api:default/orders"},
        ])
    );
    assert!(entity.get("status").is_none());

    let (_, team) = get(&app, "/api/catalog/entities/by-name/group/default/team-a").await;
    assert_eq!(
        team["relations"],
        json!([{"type": "ownerOf", "targetRef": "component:default/checkout"}])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_edit_keeps_the_last_good_version_and_reports_where() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, portal) = catalog(dir.path()).await;
    let broken = SERVICE
        .replace("  owner: team-a\n", "  owner: [team-a]\n")
        .replace("Takes orders", "Changed");
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        format!("{broken}---\n{TEAM}"),
    )
    .unwrap();
    portal.refresh_all().await.unwrap();

    let (_, entity) = get(
        &app(portal),
        "/api/catalog/entities/by-name/component/default/checkout",
    )
    .await;
    assert_eq!(
        entity["metadata"]["description"], "Takes orders",
        "the last good version stays"
    );
    let file = dir.path().join("catalog-info.yaml").display().to_string();
    assert_eq!(
        entity["status"]["items"],
        json!([{
            "type": "backstage.io/catalog-processing",
            "level": "error",
            "message": format!("{file}:9:3: spec.owner must be a string, not a list"),
            "error": {"name": "InputError", "message": format!("{file}:9:3: spec.owner must be a string, not a list")},
        }])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_have_backstages_shape() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, portal) = catalog(dir.path()).await;
    let app = app(portal);
    let (status, body) = get(&app, "/api/catalog/entities/by-name/component/default/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({
            "error": {"name": "NotFoundError", "message": "No entity named 'nope' found, with kind 'component' in namespace 'default'"},
            "request": {"method": "GET", "url": "/entities/by-name/component/default/nope"},
            "response": {"statusCode": 404},
        })
    );
    let (status, body) = get(&app, "/api/catalog/no-such-route").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["name"], "NotFoundError");
}

#[tokio::test(flavor = "multi_thread")]
async fn locations_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, portal) = catalog(dir.path()).await;
    let (status, body) = get(&app(portal), "/api/catalog/locations").await;
    assert_eq!(status, StatusCode::OK);
    let file = dir.path().join("catalog-info.yaml").display().to_string();
    assert_eq!(body[0]["data"]["type"], "file");
    assert_eq!(body[0]["data"]["target"], file);
    assert_eq!(body.as_array().unwrap().len(), 1);
}
