//! TechDocs over HTTP, through the real router on the demo catalog: every page complete
//! without JavaScript, 404s for what does not exist, a doc set's files with an inert
//! content policy, nothing outside the doc set served, `.md` links redirected.

mod support;

use axum::{
    body::Body,
    http::{header, HeaderMap, Request, StatusCode},
    Router,
};
use tower::ServiceExt;

const BASE: &str = "/docs/default/component/payment-gateway/";

async fn get(app: &Router, path: &str) -> (StatusCode, HeaderMap, String) {
    let request = Request::get(path).body(Body::empty()).unwrap();
    let response = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        app.clone().oneshot(request),
    )
    .await
    .unwrap_or_else(|_| panic!("GET {path} did not answer within 30 s"))
    .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).replace("<!>", "");
    (parts.status, parts.headers, text)
}

#[tokio::test(flavor = "multi_thread")]
async fn docs_pages_are_complete_without_javascript() {
    let (_db, app) = support::api::demo().await;

    let (status, _, html) = get(&app, "/docs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Payment gateway"), "{html}");
    assert!(
        html.contains(r#"href="/docs/default/component/web-shop/""#),
        "{html}"
    );

    let (status, _, html) = get(&app, BASE).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("<title>Overview · Payment gateway handbook · Portico</title>"),
        "{html}"
    );
    assert!(
        html.contains(r#"class="admonition info""#),
        "the page's content: {html}"
    );
    assert!(
        html.contains(r#"aria-current="page""#),
        "the nav marks the page: {html}"
    );
    assert!(html.contains(r#"href="/docs/default/component/payment-gateway/guides/refunds/""#));
    assert!(
        html.contains(r##"href="#what-it-does""##),
        "the table of contents"
    );
    assert!(html.contains(r#"rel="next""#), "previous/next");
    assert!(
        html.contains("edit/main/docs/payment-gateway/docs/index.md"),
        "Edit this page"
    );

    // Search with JavaScript off is a form: its answer is rendered on the server.
    let (status, _, html) = get(&app, &format!("{BASE}?q=idempotency")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(r#"data-testid="docs-search-results""#),
        "{html}"
    );
    assert!(html.contains("<mark>Idempotency</mark>"), "{html}");

    // Without a trailing slash, redirected; a page's source link, to the page.
    let (status, headers, _) = get(&app, "/docs/default/component/payment-gateway").await;
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(headers[header::LOCATION], BASE);
    let (status, headers, _) = get(&app, &format!("{BASE}guides/refunds.md")).await;
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        headers[header::LOCATION],
        format!("{BASE}guides/refunds/").as_str()
    );

    // Another entity's docs, from the page its annotation names.
    let (status, _, html) = get(&app, "/docs/default/system/storefront/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1 id=\"architecture\">"), "{html}");
}

#[tokio::test(flavor = "multi_thread")]
async fn what_does_not_exist_answers_404() {
    let (_db, app) = support::api::demo().await;
    for path in [
        &format!("{BASE}no/such/page/"),
        "/docs/default/component/nobody/",
        "/docs/default/group/payments-team/",
    ] {
        let (status, _, html) = get(&app, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {html}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn files_are_served_inert_and_never_from_outside_the_doc_set() {
    let (_db, app) = support::api::demo().await;
    let (status, headers, body) = get(&app, &format!("{BASE}img/flow.svg")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(body.starts_with("<svg"));
    for path in [
        "../mkdocs.yml",
        "..%2fmkdocs.yml",
        "%2e%2e/mkdocs.yml",
        "%252e%252e/mkdocs.yml",
        "img/../../mkdocs.yml",
        "snippets/../../../../components/payments.yaml",
        "nothing.png",
    ] {
        let (status, _, body) = get(&app, &format!("{BASE}{path}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert!(!body.contains("site_name"), "{path}: {body}");
    }
}
