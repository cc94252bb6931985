//! The widgets under `/embed`: each renders as a small page framed only by the
//! configured origins, entity text stays text, links open the portal in a new tab, and
//! what does not exist (or may not be read) is a styled 404.

mod support;

use support::api::fetch;

use axum::{
    http::{header, StatusCode},
    Router,
};
use server::{
    catalog::location::Source,
    services::{
        identity::{GuestAccess, IdentitySettings},
        Portal,
    },
};

const WIKI: &str = "http://wiki.example:8080";

const CATALOG: &str = r#"
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, title: "<b>Payments</b>"}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
  title: "<script>alert(1)</script>"
  description: "Says <img src=x onerror=alert(2)>"
  tags: [frontend]
  links: [{url: "javascript:alert(3)", title: evil}, {url: "https://docs.example/web", title: Manual}]
spec: {type: website, lifecycle: production, owner: payments, providesApis: [orders], consumesApis: [orders], dependsOn: [component:vault]}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: orders, description: Orders over HTTP}
spec:
  type: openapi
  lifecycle: production
  owner: payments
  definition: |
    openapi: 3.0.0
    info: {title: Orders, version: 1.0.0}
    paths:
      /orders:
        get: {operationId: listOrders, summary: "List <orders>", responses: {"200": {description: ok}}}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: vault, tags: [confidential]}
spec: {type: service, lifecycle: experimental, owner: payments}
"#;

/// Confidential entities only their owners may read; the rest everyone.
const POLICY: &str = r#"[
    {"effect": "deny", "actions": ["catalog.entity.read"],
     "when": {"tags": ["confidential"], "owner": false}},
    {"effect": "allow", "actions": ["catalog.entity.read"]}
]"#;

async fn app(db: &support::TestDb, dir: &std::path::Path) -> Router {
    std::fs::write(dir.join("catalog-info.yaml"), CATALOG).unwrap();
    let mut portal = Portal::new(db.store.clone());
    portal.set_identity(IdentitySettings {
        guest: GuestAccess::Read,
        policy: serde_json::from_str(POLICY).unwrap(),
        ..IdentitySettings::default()
    });
    portal.set_embed_origins(vec![WIKI.to_owned()]);
    let report = portal
        .ingest_location(&Source::File(dir.join("catalog-info.yaml")))
        .await
        .unwrap();
    assert_eq!(report.problems, 0);
    support::app(portal)
}

/// The widget page at `path`, checked for what every widget page carries.
async fn widget(app: &Router, path: &str, status: StatusCode) -> String {
    let (got, headers, body) = fetch(app, path).await;
    assert_eq!(got, status, "{path}: {body}");
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        policy.ends_with(&format!("frame-ancestors 'self' {WIKI}")),
        "{path}: {policy}"
    );
    assert!(body.starts_with("<!DOCTYPE html>"), "{path}: {body}");
    assert!(
        body.contains(&format!("data-origins=\"{WIKI}\"")),
        "{path}: the frame script is told whom to talk to"
    );
    // Every link opens the portal in a new tab, the drawing's too.
    for link in body.split("<a ").skip(1) {
        let tag = &link[..link.find('>').unwrap()];
        assert!(
            tag.contains("target=\"_blank\"") && tag.contains("rel=\"noopener"),
            "{path}: <a {tag}>"
        );
    }
    assert!(body.contains("<base href=") && body.contains("target=\"_blank\""));
    body
}

#[tokio::test]
async fn every_entity_widget_renders_its_entity_as_text() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app(&db, dir.path()).await;

    let card = widget(&app, "/embed/card/default/component/web", StatusCode::OK).await;
    assert!(
        card.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{card}"
    );
    assert!(
        card.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "{card}"
    );
    assert!(!card.contains("<script>alert") && !card.contains("<img src=x"));
    assert!(
        card.contains("&lt;b&gt;Payments&lt;/b&gt;"),
        "the owner's title: {card}"
    );
    assert!(card.contains("href=\"https://docs.example/web\""), "{card}");
    assert!(
        !card.contains("javascript:"),
        "unsafe links are left out: {card}"
    );
    assert!(card.contains("production") && card.contains("frontend"));
    assert!(card.contains("Provides APIs"), "relation counts: {card}");
    assert!(
        card.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; · Portico</title>"),
        "{card}"
    );

    let compact = widget(
        &app,
        "/embed/card/default/component/web?compact=1&theme=dark",
        StatusCode::OK,
    )
    .await;
    assert!(compact.contains("data-theme=\"dark\"") && compact.contains("embed--compact"));
    assert!(
        !compact.contains("onerror"),
        "compact cards leave the description out"
    );

    let owner = widget(&app, "/embed/owner/default/component/web", StatusCode::OK).await;
    assert!(owner.contains("&lt;b&gt;Payments&lt;/b&gt;"), "{owner}");
    assert!(
        owner.contains("/catalog/default/user/alice"),
        "members: {owner}"
    );
    assert!(
        owner.contains("/catalog/default/api/orders"),
        "what it owns: {owner}"
    );
    assert!(
        !owner.contains("vault"),
        "what a guest may not read is not listed: {owner}"
    );
    assert!(owner.contains("Owns (2)"), "{owner}");

    let graph = widget(
        &app,
        "/embed/graph/default/component/web?depth=1",
        StatusCode::OK,
    )
    .await;
    assert!(graph.contains("<svg") && graph.contains("data-ref=\"api:default/orders\""));
    assert!(graph.contains("&lt;script&gt;alert(1)"), "{graph}");
    assert!(
        !graph.contains("data-ref=\"component:default/vault\""),
        "{graph}"
    );

    let impact = widget(&app, "/embed/impact/default/api/orders", StatusCode::OK).await;
    assert!(
        impact.contains("/catalog/default/component/web"),
        "{impact}"
    );
    let needs = widget(
        &app,
        "/embed/impact/default/component/web?way=needs",
        StatusCode::OK,
    )
    .await;
    assert!(needs.contains("/catalog/default/api/orders"), "{needs}");

    let api = widget(&app, "/embed/api/default/api/orders", StatusCode::OK).await;
    assert!(
        api.contains("/orders") && api.contains("List &lt;orders&gt;"),
        "{api}"
    );
}

#[tokio::test]
async fn what_is_missing_or_hidden_or_wrong_is_a_styled_page() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app(&db, dir.path()).await;

    for path in [
        "/embed/card/default/component/nothing",
        "/embed/card/default/component/vault",
        "/embed/graph/default/component/vault",
        "/embed/owner/default/component/vault",
        "/embed/impact/default/component/vault",
        "/embed/api/default/component/web",
        "/embed/docs/default/component/web",
        "/embed/docs/default/component/web/",
        "/embed/docs/default/component/web/some/page",
        "/embed/chart/default/component/web",
        "/embed/card",
        "/embed/",
        "/embed",
    ] {
        let page = widget(&app, path, StatusCode::NOT_FOUND).await;
        assert!(
            page.contains("data-testid=\"embed-problem\""),
            "{path}: {page}"
        );
        assert!(!page.contains("vault\u{2019}s") && !page.contains("experimental"));
    }
    for (path, named) in [
        (
            "/embed/card/default/component/web?theme=blue",
            "theme 'blue'",
        ),
        (
            "/embed/card/default/component/web?compact=yes",
            "compact 'yes'",
        ),
        ("/embed/graph/default/component/web?depth=x", "depth"),
        ("/embed/impact/default/component/web?way=up", "way 'up'"),
    ] {
        let page = widget(&app, path, StatusCode::BAD_REQUEST).await;
        assert!(page.contains(named), "{path}: {page}");
    }
}

#[tokio::test]
async fn search_finds_what_the_reader_may_read() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app(&db, dir.path()).await;

    let empty = widget(&app, "/embed/search", StatusCode::OK).await;
    assert!(empty.contains("name=\"q\"") && !empty.contains("embed-search-total"));
    let found = widget(&app, "/embed/search?q=orders&theme=light", StatusCode::OK).await;
    assert!(found.contains("/catalog/default/api/orders"), "{found}");
    assert!(found.contains("name=\"theme\" value=\"light\""), "{found}");
    let hidden = widget(&app, "/embed/search?q=vault", StatusCode::OK).await;
    assert!(hidden.contains("Nothing matches."), "{hidden}");
}

#[tokio::test]
async fn pages_other_than_widgets_are_framed_by_the_portal_only() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app(&db, dir.path()).await;
    for path in ["/", "/catalog/default/component/web", "/no-such-page"] {
        let (_, headers, _) = fetch(&app, path).await;
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            policy.contains("frame-ancestors 'self'"),
            "{path}: {policy}"
        );
        assert!(!policy.contains(WIKI), "{path}: {policy}");
    }
}

#[tokio::test]
async fn oembed_answers_with_the_widget_of_a_page_and_pages_name_it() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app(&db, dir.path()).await;
    let oembed = |url: &str| {
        format!(
            "/api/oembed?url={}",
            url.replace('&', "%26").replace('?', "%3F")
        )
    };

    let (status, _, body) = fetch(
        &app,
        &oembed("https://elsewhere.example/catalog/default/component/web"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["type"], "rich");
    assert_eq!(answer["version"], "1.0");
    assert_eq!(answer["title"], "<script>alert(1)</script>");
    let html = answer["html"].as_str().unwrap();
    assert!(
        html.starts_with("<iframe src=\"http://127.0.0.1:3000/embed/card/default/component/web\""),
        "the portal's own address, never the asker's: {html}"
    );
    assert!(
        html.contains("title=\"&lt;script&gt;alert(1)&lt;/script&gt;\""),
        "{html}"
    );

    let (_, _, body) = fetch(
        &app,
        &format!(
            "{}&maxwidth=200&maxheight=100",
            oembed("/graph?root=component:default/web&depth=2")
        ),
    )
    .await;
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (answer["width"].as_u64(), answer["height"].as_u64()),
        (Some(200), Some(100))
    );
    assert!(answer["html"]
        .as_str()
        .unwrap()
        .contains("/embed/graph/default/component/web?depth=2"));

    for (path, status) in [
        (
            oembed("/catalog/default/component/vault"),
            StatusCode::NOT_FOUND,
        ),
        (
            oembed("/catalog/default/component/nothing"),
            StatusCode::NOT_FOUND,
        ),
        (
            oembed("/docs/default/component/web/"),
            StatusCode::NOT_FOUND,
        ),
        (oembed("/create"), StatusCode::NOT_FOUND),
        (
            format!("{}&format=xml", oembed("/catalog/default/component/web")),
            StatusCode::NOT_IMPLEMENTED,
        ),
        ("/api/oembed".to_owned(), StatusCode::BAD_REQUEST),
    ] {
        let (got, _, body) = fetch(&app, &path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body.contains("\"error\""), "{path}: {body}");
    }

    let (_, _, page) = fetch(&app, "/catalog/default/component/web").await;
    assert!(
        page.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; · Portico</title>"),
        "the page's title is text, not markup"
    );
    assert!(
        page.contains(
            "href=\"/api/oembed?url=%2Fcatalog%2Fdefault%2Fcomponent%2Fweb\" rel=\"alternate\""
        ) && page.contains("type=\"application/json+oembed\""),
        "{page}"
    );
}

#[tokio::test]
async fn a_portal_whose_guests_read_nothing_says_so_in_the_frame() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("catalog-info.yaml"), CATALOG).unwrap();
    let mut portal = Portal::new(db.store.clone());
    portal.set_identity(IdentitySettings {
        guest: GuestAccess::Off,
        ..IdentitySettings::default()
    });
    portal.set_embed_origins(vec![WIKI.to_owned()]);
    portal
        .ingest_location(&Source::File(dir.path().join("catalog-info.yaml")))
        .await
        .unwrap();
    let app = support::app(portal);
    let page = widget(
        &app,
        "/embed/card/default/component/web",
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(page.contains("Sign-in required"), "{page}");
    assert!(!page.contains("alert(1)"), "nothing of the entity: {page}");
}
