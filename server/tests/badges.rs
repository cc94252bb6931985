//! Badges in the paths of Backstage's badges plugin: specs with their Markdown, each
//! badge as SVG and as shields.io's endpoint JSON, the uid form, and what a person may
//! not read answering as if it did not exist.

mod support;

use support::api::fetch;

use app::model::{
    catalog::entity_ref::EntityRef, embed::badge::BadgeId, identity::principal::Credential,
};
use axum::{http::StatusCode, Router};
use serde_json::Value;
use server::{
    catalog::location::Source,
    services::{
        embed::BadgeSubject,
        identity::{GuestAccess, IdentitySettings},
        CatalogError, Portal,
    },
};

const BASE: &str = "https://portal.example";

const CATALOG: &str = r#"
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
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
  annotations: {backstage.io/techdocs-ref: "dir:."}
spec: {type: 'a<b>&"c"', lifecycle: production, owner: payments}
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

async fn portal(db: &support::TestDb, dir: &std::path::Path) -> Portal {
    std::fs::write(dir.join("catalog-info.yaml"), CATALOG).unwrap();
    let mut portal = Portal::new(db.store.clone());
    portal.set_identity(IdentitySettings {
        guest: GuestAccess::Read,
        policy: serde_json::from_str(POLICY).unwrap(),
        base_url: format!("{BASE}/"),
        ..IdentitySettings::default()
    });
    portal.allow_file_locations_under(&[dir.join("catalog-info.yaml")]);
    let report = portal
        .ingest_location(&Source::File(dir.join("catalog-info.yaml")))
        .await
        .unwrap();
    assert_eq!(report.problems, 0);
    portal
}

async fn json(app: &Router, path: &str) -> (StatusCode, Value) {
    let (status, _, body) = fetch(app, path).await;
    (status, serde_json::from_str(&body).unwrap())
}

/// The path of one of the portal's absolute URLs.
fn path_of(url: &str) -> &str {
    url.strip_prefix(BASE).expect("badge URLs are the portal's")
}

#[tokio::test]
async fn specs_list_every_badge_with_its_image_and_markdown() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = support::app(portal(&db, dir.path()).await);

    let (status, specs) = json(&app, "/api/badges/entity/default/component/web/badge-specs").await;
    assert_eq!(status, StatusCode::OK, "{specs}");
    let specs = specs.as_array().unwrap();
    let ids: Vec<&str> = specs.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["pingback", "lifecycle", "owner", "type", "docs"]);
    let page = format!("{BASE}/catalog/default/component/web");
    for spec in specs {
        let id = spec["id"].as_str().unwrap();
        let url = spec["url"].as_str().unwrap();
        assert_eq!(
            url,
            format!("{BASE}/api/badges/entity/default/component/web/badge/{id}")
        );
        assert_eq!(spec["badge"]["kind"], "entity");
        let markdown = spec["markdown"].as_str().unwrap();
        assert!(markdown.starts_with("[!["), "{markdown}");
        assert!(markdown.contains(&format!("]({url} ")), "{markdown}");

        // Each image answers, as SVG, with what the spec says.
        let (status, headers, svg) = fetch(&app, path_of(url)).await;
        assert_eq!(status, StatusCode::OK, "{id}: {svg}");
        assert_eq!(headers["content-type"], "image/svg+xml; charset=utf-8");
        assert_eq!(headers["cache-control"], "public, max-age=300");
        assert_eq!(headers["vary"], "Cookie, Authorization");
        assert!(headers["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'"));
        assert!(svg.starts_with("<svg "), "{svg}");
        let message = spec["badge"]["message"].as_str().unwrap();
        if id != "type" {
            assert!(svg.contains(&format!(">{message}</text>")), "{id}: {svg}");
        }
    }
    let lifecycle = &specs[1];
    assert_eq!(lifecycle["badge"]["message"], "production");
    assert_eq!(lifecycle["badge"]["link"], page);
    assert!(lifecycle["markdown"]
        .as_str()
        .unwrap()
        .ends_with(&format!("]({page})")));
    assert_eq!(
        specs[2]["badge"]["message"], "payments",
        "as the descriptor writes it"
    );
    // The docs badge goes to the docs.
    assert_eq!(
        specs[4]["badge"]["link"],
        format!("{BASE}/docs/default/component/web/")
    );
}

#[tokio::test]
async fn text_from_the_catalog_is_escaped_in_the_image() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = support::app(portal(&db, dir.path()).await);
    let (status, _, svg) = fetch(&app, "/api/badges/entity/default/component/web/badge/type").await;
    assert_eq!(status, StatusCode::OK);
    assert!(svg.contains("a&lt;b&gt;&amp;&quot;c&quot;"), "{svg}");
    assert!(!svg.contains("<b>"), "{svg}");
}

#[tokio::test]
async fn a_badge_answers_as_shields_endpoint_json_in_any_style() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = support::app(portal(&db, dir.path()).await);
    let path = "/api/badges/entity/default/component/web/badge/lifecycle";
    let (status, body) = json(&app, &format!("{path}?format=json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["schemaVersion"], 1);
    assert_eq!(body["label"], "lifecycle");
    assert_eq!(body["message"], "production");
    assert_eq!(body["style"], "flat-square");
    assert!(body.get("isError").is_none());
    let (_, body) = json(&app, &format!("{path}?format=json&style=for-the-badge")).await;
    assert_eq!(body["style"], "for-the-badge");

    // Each style draws; for-the-badge is taller and upper case.
    let (_, _, flat) = fetch(&app, &format!("{path}?style=flat")).await;
    let (_, _, tall) = fetch(&app, &format!("{path}?style=for-the-badge")).await;
    assert!(flat.contains("height=\"20\""), "{flat}");
    assert!(tall.contains("height=\"28\""), "{tall}");
    assert!(tall.contains("PRODUCTION"), "{tall}");

    // A style or format there is not: 400, still an image saying why.
    let (status, headers, svg) = fetch(&app, &format!("{path}?style=plastic")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(headers["content-type"], "image/svg+xml; charset=utf-8");
    assert!(svg.contains("plastic"), "{svg}");
    let (status, _, _) = fetch(&app, &format!("{path}?format=png")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn what_does_not_exist_is_a_red_not_found_badge() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = support::app(portal(&db, dir.path()).await);
    let (status, headers, svg) = fetch(
        &app,
        "/api/badges/entity/default/component/nope/badge/lifecycle",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "image/svg+xml; charset=utf-8");
    assert!(svg.contains(">not found</text>"), "{svg}");
    let (status, _, svg) = fetch(
        &app,
        "/api/badges/entity/default/component/web/badge/coverage",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(svg.contains(">no such badge</text>"), "{svg}");
    let (status, body) = json(
        &app,
        "/api/badges/entity/default/component/nope/badge/lifecycle?format=json",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["isError"], true);
    // Specs of an entity there is not: Backstage's error shape.
    let (status, body) = json(
        &app,
        "/api/badges/entity/default/component/nope/badge-specs",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["name"], "NotFoundError");
}

#[tokio::test]
async fn the_uid_form_addresses_badges_without_the_name() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = support::app(portal(&db, dir.path()).await);
    let (status, body) = json(&app, "/api/badges/entity/default/component/web/obfuscated").await;
    assert_eq!(status, StatusCode::OK);
    let uid = body["hash"].as_str().unwrap().to_owned();
    let (status, specs) = json(&app, &format!("/api/badges/entity/{uid}/badge-specs")).await;
    assert_eq!(status, StatusCode::OK, "{specs}");
    let lifecycle = &specs[1];
    let url = lifecycle["url"].as_str().unwrap();
    assert_eq!(url, format!("{BASE}/api/badges/entity/{uid}/lifecycle"));
    let (status, _, svg) = fetch(&app, path_of(url)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(svg.contains(">production</text>"), "{svg}");
    let (status, _, _) = fetch(&app, "/api/badges/entity/0000-not-a-uid/lifecycle").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn what_a_person_may_not_read_has_no_badge_for_them() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path()).await;
    let vault = BadgeSubject::Named(EntityRef::new("component", "default", "vault"));

    // Its owner sees it.
    let alice = portal
        .principal_for(
            EntityRef::parse_full("user:default/alice").unwrap(),
            Credential::Session,
        )
        .await
        .unwrap();
    let badge = portal
        .entity_badge(&alice, &vault, BadgeId::Lifecycle)
        .await
        .unwrap();
    assert_eq!(badge.message, "experimental");
    assert_eq!(portal.badge_specs(&alice, &vault).await.unwrap().len(), 5);

    // A guest is told what an entity that does not exist tells.
    let guest = portal.guest();
    assert!(matches!(
        portal
            .entity_badge(&guest, &vault, BadgeId::Lifecycle)
            .await,
        Err(CatalogError::NotFound(_))
    ));
    let app = support::app(portal);
    let hidden = fetch(
        &app,
        "/api/badges/entity/default/component/vault/badge/lifecycle",
    )
    .await;
    let missing = fetch(
        &app,
        "/api/badges/entity/default/component/nope/badge/lifecycle",
    )
    .await;
    assert_eq!(hidden.0, StatusCode::NOT_FOUND);
    assert_eq!(hidden.2, missing.2);
    let (status, _) = json(
        &app,
        "/api/badges/entity/default/component/vault/obfuscated",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
