//! URL locations and URL placeholders against a real HTTP server on loopback: what the
//! allow-list permits is read (relative targets and placeholders resolved against the
//! URL), anything else is refused with a problem that names the file and line, and a
//! redirect cannot lead outside the list.

mod support;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    body::Body,
    extract::{Path, State},
    http::{header, HeaderMap, Request, StatusCode},
    response::{IntoResponse, Response},
    Router,
};
use serde_json::{json, Value};
use server::{
    catalog::{location::Source, remote::AllowRule},
    services::Portal,
};
use tower::ServiceExt;

/// Files served by the fake Git host, by path; changed by the tests as they go.
type Files = Arc<Mutex<HashMap<String, String>>>;

/// Serves `files` on 127.0.0.1 (a missing path is a 404, `redirect/…` a 302 to the same
/// path on `localhost`, which no rule allows); returns the base URL.
async fn git_host(files: Files) -> String {
    async fn serve(
        State(files): State<Files>,
        Path(path): Path<String>,
        headers: HeaderMap,
    ) -> Response {
        if let Some(rest) = path.strip_prefix("redirect/") {
            let host = headers[header::HOST].to_str().unwrap_or_default();
            let port = host.rsplit(':').next().unwrap_or_default();
            return (
                StatusCode::FOUND,
                [(header::LOCATION, format!("http://localhost:{port}/{rest}"))],
            )
                .into_response();
        }
        match files.lock().unwrap().get(&path) {
            Some(text) => text.clone().into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/{*path}", axum::routing::get(serve))
        .with_state(files);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

const ROOT: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: root
spec:
  targets: [./services/catalog-info.yaml, ../elsewhere/catalog-info.yaml]
";

const SERVICE: &str = "\
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: orders
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $text: ./openapi.yaml
";

fn files() -> Files {
    Arc::new(Mutex::new(HashMap::from([
        ("acme/repo/catalog-info.yaml".to_owned(), ROOT.to_owned()),
        (
            "acme/repo/services/catalog-info.yaml".to_owned(),
            SERVICE.to_owned(),
        ),
        (
            "acme/repo/services/openapi.yaml".to_owned(),
            "openapi: 3.0.0\n".to_owned(),
        ),
        (
            "acme/elsewhere/catalog-info.yaml".to_owned(),
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n".to_owned(),
        ),
    ])))
}

async fn portal(allow: &str) -> (support::TestDb, Portal) {
    let db = support::sqlite().await;
    let mut portal = Portal::new(db.store.clone());
    portal.allow_urls(vec![allow.parse::<AllowRule>().unwrap()]);
    (db, portal)
}

async fn request(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn get(app: &Router, path: &str) -> (StatusCode, Value) {
    request(app, Request::get(path).body(Body::empty()).unwrap()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_url_location_follows_relative_targets_and_placeholders() {
    let files = files();
    let base = git_host(files.clone()).await;
    let (_db, portal) = portal(&format!("{base}/acme")).await;
    let root = format!("{base}/acme/repo/catalog-info.yaml");
    let report = portal
        .ingest_location(&Source::Url(root.clone()))
        .await
        .unwrap();
    assert_eq!(report.location.location_type, "url");
    // The three entities and the location's own Location entity.
    assert_eq!(report.applied.added, 4, "{report:?}");
    assert_eq!(report.problems, 0, "{report:?}");
    let app = support::app(portal.clone());

    let (status, api) = get(&app, "/api/catalog/entities/by-name/api/default/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(api["spec"]["definition"], "openapi: 3.0.0\n");
    let annotations = &api["metadata"]["annotations"];
    assert_eq!(
        annotations["backstage.io/managed-by-location"],
        format!("url:{base}/acme/repo/services/catalog-info.yaml")
    );
    assert_eq!(
        annotations["backstage.io/managed-by-origin-location"],
        format!("url:{root}")
    );
    let (status, _) = get(&app, "/api/catalog/entities/by-name/group/default/team-a").await;
    assert_eq!(status, StatusCode::OK);

    // A URL location is read again on every refresh (nothing tells it is unchanged):
    // the new definition arrives.
    files.lock().unwrap().insert(
        "acme/repo/services/openapi.yaml".into(),
        "openapi: 3.1.0\n".into(),
    );
    let report = portal
        .refresh_location(report.location, false)
        .await
        .unwrap();
    assert!(!report.applied.skipped);
    assert_eq!(report.applied.updated, 1);
    let (_, api) = get(&app, "/api/catalog/entities/by-name/api/default/orders").await;
    assert_eq!(api["spec"]["definition"], "openapi: 3.1.0\n");

    // The file disappears: the entity keeps its last good version, and the problem is
    // served with the URL.
    files
        .lock()
        .unwrap()
        .remove("acme/repo/services/openapi.yaml");
    let location = portal.location(&report.location.id).await.unwrap().unwrap();
    portal.refresh_location(location, true).await.unwrap();
    let (_, api) = get(&app, "/api/catalog/entities/by-name/api/default/orders").await;
    assert_eq!(api["spec"]["definition"], "openapi: 3.1.0\n");
    let problem = api["status"]["items"][0]["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(problem.contains("HTTP 404"), "{api}");
    assert!(problem.contains("openapi.yaml"), "{problem}");
}

#[tokio::test(flavor = "multi_thread")]
async fn urls_outside_the_allow_list_are_never_fetched() {
    let files = files();
    let base = git_host(files.clone()).await;
    // Only the repo folder is allowed: the Location's `../elsewhere` target is not.
    let (_db, portal) = portal(&format!("{base}/acme/repo")).await;
    let report = portal
        .ingest_location(&Source::Url(format!("{base}/acme/repo/catalog-info.yaml")))
        .await
        .unwrap();
    assert_eq!(
        report.applied.added, 3,
        "the allowed files are read (and the Location entity)"
    );
    let problems = portal
        .store()
        .location_problems(&report.location.id)
        .await
        .unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].file,
        format!("{base}/acme/elsewhere/catalog-info.yaml")
    );
    assert!(
        problems[0].message.contains("is not allowed"),
        "{problems:?}"
    );

    // Registering a URL that is not allowed is refused before anything is fetched.
    let app = support::app(portal);
    let post = |target: String| {
        Request::post("/api/catalog/locations")
            .header("content-type", "application/json")
            .body(Body::from(
                json!({"type": "url", "target": target}).to_string(),
            ))
            .unwrap()
    };
    let (status, body) = request(&app, post("https://example.com/catalog-info.yaml".into())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--allow-url"),
        "{body}"
    );
    // An allowed one is read (a dry run: its entities are held by the first location).
    let mut dry_run = post(format!("{base}/acme/repo/services/catalog-info.yaml"));
    *dry_run.uri_mut() = "/api/catalog/locations?dryRun=true".parse().unwrap();
    let (status, body) = request(&app, dry_run).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["location"]["type"], "url");
    // After the location's own Location entity.
    assert_eq!(body["entities"][1]["metadata"]["name"], "orders", "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_cannot_leave_the_allow_list_and_placeholders_say_where() {
    let files = files();
    let base = git_host(files.clone()).await;
    let (_db, portal) = portal(&base).await;
    let dir = tempfile::tempdir().unwrap();
    let descriptor = format!(
        "apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: redirected
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $text: {base}/redirect/acme/repo/services/openapi.yaml
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: outside
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $text: https://github.com/acme/repo/blob/main/openapi.yaml
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: direct
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $text: {base}/acme/repo/services/openapi.yaml
"
    );
    let file = dir.path().join("catalog-info.yaml");
    std::fs::write(&file, descriptor).unwrap();
    let report = portal
        .ingest_location(&Source::File(file.clone()))
        .await
        .unwrap();
    assert_eq!(
        report.applied.added, 2,
        "only `direct` is complete (and the Location entity)"
    );
    let problems = portal
        .store()
        .location_problems(&report.location.id)
        .await
        .unwrap();
    let found: Vec<(i64, &str)> = problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, 10);
    assert!(
        found[0].1.starts_with("spec.definition: $text"),
        "{found:?}"
    );
    assert!(
        found[0].1.contains("redirects to http://localhost:"),
        "{found:?}"
    );
    assert!(found[0].1.contains("is not allowed"), "{found:?}");
    assert_eq!(found[1].0, 21);
    assert!(
        found[1]
            .1
            .contains("github.com/acme/repo/blob/main/openapi.yaml is not allowed"),
        "{found:?}"
    );
    assert!(problems
        .iter()
        .all(|p| p.file == file.display().to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn url_locations_are_read_again_on_the_refresh_schedule() {
    let files = files();
    let base = git_host(files.clone()).await;
    let (_db, mut portal) = portal(&format!("{base}/acme")).await;
    portal.set_refresh_interval(std::time::Duration::ZERO);
    let root = format!("{base}/acme/repo/catalog-info.yaml");
    portal
        .ingest_location(&Source::Url(root.clone()))
        .await
        .unwrap();
    files.lock().unwrap().insert(
        "acme/repo/services/openapi.yaml".into(),
        "openapi: 3.1.0\n".into(),
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let reports = portal.refresh_due().await.unwrap();
    assert_eq!(reports.len(), 1, "the URL location is due");
    assert_eq!(reports[0].location.target, root);
    assert_eq!(
        reports[0].applied.updated, 1,
        "the changed definition arrives"
    );
}
