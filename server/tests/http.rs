//! The HTTP surface through the real router: probes, server-rendered pages, 404s.

mod support;

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use server::{catalog::location::Source, services::Portal, store::Store};
use tower::ServiceExt;

fn app(store: Store) -> Router {
    support::app(Portal::new(store))
}

async fn get(app: &Router, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let request = request.body(Body::empty()).unwrap();
    // A request that never answers fails the test instead of stalling the suite.
    let response = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        app.clone().oneshot(request),
    )
    .await
    .unwrap_or_else(|_| panic!("GET {path} did not answer within 30 s"))
    .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    // Without the empty `<!>` comments Leptos leaves behind text for hydration.
    let html = String::from_utf8(body.to_vec()).unwrap().replace("<!>", "");
    (status, html)
}

#[tokio::test(flavor = "multi_thread")]
async fn probes_report_live_and_ready() {
    let db = support::sqlite().await;
    let app = app(db.store.clone());
    assert_eq!(
        get(&app, "/healthz", None).await,
        (StatusCode::OK, r#"{"status":"ok"}"#.into())
    );
    assert_eq!(
        get(&app, "/readyz", None).await,
        (StatusCode::OK, r#"{"status":"ready"}"#.into())
    );

    db.store.close().await;
    let (status, body) = get(&app, "/readyz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains(r#""status":"unavailable""#), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_home_page_is_rendered_on_the_server() {
    let db = support::sqlite().await;
    let (status, html) = get(&app(db.store.clone()), "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<title>Home · Portico</title>"), "{html}");
    assert!(html.contains("Your developer portal"), "{html}");
    for section in ["/catalog", "/create", "/docs", "/graph", "/search"] {
        assert!(
            html.contains(&format!("href=\"{section}\"")),
            "no link to {section}"
        );
    }
    // The catalog summary is resolved on the server, not left to the browser.
    assert!(html.contains("The catalog is empty"), "{html}");
    assert!(
        html.contains("/pkg/") && html.contains("/portico.js\""),
        "no hydration script: {html}"
    );
}

const THREE_ENTITIES: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: a}
spec: {type: service, owner: c, lifecycle: production}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: b}
spec: {type: service, owner: c, lifecycle: production}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: c}
spec: {type: team, children: []}
";

#[tokio::test(flavor = "multi_thread")]
async fn the_home_page_counts_what_the_catalog_holds() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalog-info.yaml");
    std::fs::write(&file, THREE_ENTITIES).unwrap();
    let db = support::sqlite().await;
    let portal = Portal::new(db.store.clone());
    portal.ingest_location(&Source::File(file)).await.unwrap();
    let (_, html) = get(&support::app(portal), "/", None).await;
    // The three entities and the Location entity that stands for their file.
    assert!(html.contains("4 entities in the catalog."), "{html}");
    assert!(html.contains("Component"), "{html}");
    assert!(html.contains("Group"), "{html}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_theme_cookie_is_rendered_into_the_page() {
    let db = support::sqlite().await;
    let app = app(db.store.clone());
    let (_, html) = get(&app, "/", None).await;
    assert!(
        html.contains(r#"<html lang="en" data-theme="system">"#),
        "{html}"
    );
    let (_, html) = get(&app, "/", Some("x=1; portico_theme=dark")).await;
    assert!(
        html.contains(r#"<html lang="en" data-theme="dark">"#),
        "{html}"
    );
    assert!(html.contains(r#"data-theme-choice="dark""#), "{html}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_catalog_page_says_what_to_do() {
    let db = support::sqlite().await;
    let (status, html) = get(&app(db.store.clone()), "/catalog?kind=api", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Catalog</h1>"), "{html}");
    assert!(html.contains("No entity matches these filters."), "{html}");
    assert!(html.contains("Clear every filter"), "{html}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_template_gallery_says_how_to_add_templates() {
    let db = support::sqlite().await;
    let app = app(db.store.clone());
    let (status, html) = get(&app, "/create", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Create something new</h1>"), "{html}");
    assert!(html.contains("The catalog has no templates yet."), "{html}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_search_page_is_rendered_on_the_server() {
    let db = support::sqlite().await;
    let app = app(db.store.clone());
    let (status, html) = get(&app, "/search", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Search</h1>"), "{html}");
    assert!(html.contains("data-testid=\"search-empty\""), "{html}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_paths_get_the_404_page() {
    let db = support::sqlite().await;
    let (status, html) = get(&app(db.store.clone()), "/no/such/page", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"), "{html}");
    assert!(html.contains("/no/such/page"), "{html}");
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_files_and_the_api_carry_the_security_headers() {
    let db = support::sqlite().await;
    let app = app(db.store.clone());
    for path in [
        "/",
        "/no/such/page",
        "/favicon.svg",
        "/api/catalog/entities?limit=1",
        "/healthz",
    ] {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let headers = response.headers();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(
            headers[header::REFERRER_POLICY],
            "strict-origin-when-cross-origin",
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_allow_only_their_own_scripts_by_nonce() {
    let db = support::sqlite().await;
    let app = app(db.store.clone());
    let mut nonces = Vec::new();
    for path in ["/", "/catalog", "/no/such/page", "/admin/audit"] {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let html = String::from_utf8(body.to_vec()).unwrap();
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: no nonce in {policy}"));
        assert!(
            policy.contains("script-src 'self' 'nonce-") && policy.contains("'wasm-unsafe-eval'"),
            "{path}: {policy}"
        );
        let scripts_rule = policy
            .split(';')
            .find(|d| d.trim().starts_with("script-src"));
        assert!(!scripts_rule.unwrap().contains("unsafe-inline"), "{policy}");
        // Every inline script of the page carries it.
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "{path}");
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "{path}: {html}"
        );
        nonces.push(nonce.to_owned());
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 4, "a new nonce for every page");
}

/// Building a router while pages render must not stall them (Leptos switches resource
/// loading off process-wide while it generates a route list).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn building_routers_does_not_stall_pages_being_rendered() {
    let db = support::sqlite().await;
    let store = db.store.clone();
    let builder = tokio::spawn(async move {
        for _ in 0..200 {
            drop(app(store.clone()));
            tokio::task::yield_now().await;
        }
    });
    let app = app(db.store.clone());
    for _ in 0..200 {
        let (status, _) = get(&app, "/", None).await;
        assert_eq!(status, StatusCode::OK);
    }
    builder.await.unwrap();
}

/// Every page that shows "not found" answers 404; the pages that exist answer 200.
#[tokio::test(flavor = "multi_thread")]
async fn pages_answer_with_the_status_of_what_they_show() {
    let db = support::sqlite().await;
    let mut portal = Portal::new(db.store.clone());
    portal.set_demo_catalog(true).await.unwrap();
    let app = support::app(portal);
    for (path, status, shows) in [
        ("/", StatusCode::OK, "In the catalog"),
        ("/catalog", StatusCode::OK, "Catalog"),
        (
            "/catalog/default/group/payments-team",
            StatusCode::OK,
            "payments-team",
        ),
        // A Location entity is an entity page too.
        (
            "/catalog/default/component/no-such-thing",
            StatusCode::NOT_FOUND,
            "No such entity",
        ),
        (
            "/catalog/default/location/no-such-location",
            StatusCode::NOT_FOUND,
            "No such entity",
        ),
        ("/create", StatusCode::OK, "Create something new"),
        (
            "/create/templates/default/no-such-template",
            StatusCode::NOT_FOUND,
            "No such template",
        ),
        ("/create/tasks", StatusCode::OK, "Tasks"),
        (
            "/create/tasks/no-such-task",
            StatusCode::NOT_FOUND,
            "No such task",
        ),
        (
            "/create/tasks/00000000-0000-4000-8000-000000000000",
            StatusCode::NOT_FOUND,
            "No such task",
        ),
        ("/no/such/page", StatusCode::NOT_FOUND, "Page not found"),
    ] {
        let (got, html) = get(&app, path, None).await;
        assert_eq!(got, status, "{path}");
        assert!(
            html.contains(shows),
            "{path} does not show {shows:?}: {html}"
        );
    }
}

/// A page whose data cannot be read answers 500 and still says so on the page.
#[tokio::test(flavor = "multi_thread")]
async fn pages_whose_data_failed_answer_500_with_their_error_state() {
    let db = support::sqlite().await;
    let app = app(db.store.clone());
    db.store.close().await;
    for (path, says) in [
        ("/catalog", "The catalog could not be read"),
        (
            "/catalog/default/component/anything",
            "The entity could not be read",
        ),
        ("/create", "The templates could not be read"),
        (
            "/create/templates/default/anything",
            "The template could not be read",
        ),
        ("/create/tasks", "The tasks could not be read"),
        ("/create/tasks/anything", "The task could not be read"),
        ("/", "The catalog could not be read"),
    ] {
        let (status, html) = get(&app, path, None).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(html.contains(says), "{path}: {html}");
    }
}
