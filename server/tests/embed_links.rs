//! Signed embed links: a portal whose guests read nothing shows one widget of one entity
//! to whoever holds a link its signer was allowed to make, as the signer sees it, until
//! it expires; changed, moved or expired links and withdrawn signers are refused.

mod support;

use axum::{http::StatusCode, Router};
use base64::Engine;
use serde_json::json;
use support::api::{fetch, send_as};

use app::model::{
    catalog::entity_ref::EntityRef,
    embed::{signed::message, widget::Widget},
    identity::{
        action::Scope,
        principal::{Credential, Principal},
        token::TokenRequest,
    },
};
use server::{
    catalog::location::Source,
    services::{
        embed::EmbedKey,
        identity::{GuestAccess, IdentitySettings},
        Portal,
    },
};

const KEY: &str = "a-secret-of-at-least-thirty-two-bytes";

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
kind: User
metadata: {name: bob}
spec: {memberOf: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: vault, title: Vault of secrets, tags: [confidential]}
spec: {type: service, lifecycle: production, owner: payments}
"#;

/// Confidential entities only their owners read; owners share what they own.
const POLICY: &str = r#"[
    {"effect": "deny", "actions": ["catalog.entity.read"],
     "when": {"tags": ["confidential"], "owner": false}},
    {"effect": "allow", "actions": ["catalog.entity.read"]},
    {"effect": "allow", "actions": ["embed.sign"], "when": {"owner": true}}
]"#;

/// A portal nobody reads without signing in, over `db`, with `policy` and `key`.
fn portal_over(db: &support::TestDb, policy: &str, key: Option<&str>) -> Portal {
    let mut portal = Portal::new(db.store.clone());
    portal.set_identity(IdentitySettings {
        guest: GuestAccess::Off,
        policy: serde_json::from_str(policy).unwrap(),
        base_url: "https://portal.example".to_owned(),
        ..IdentitySettings::default()
    });
    portal.set_embed_key(key.map(|k| EmbedKey::new(k.as_bytes())));
    portal
}

/// [`portal_over`] a new database, with the catalog read into it.
async fn signing_portal(db: &support::TestDb, policy: &str, key: Option<&str>) -> Portal {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("catalog-info.yaml"), CATALOG).unwrap();
    let portal = portal_over(db, policy, key);
    let report = portal
        .ingest_location(&Source::File(dir.path().join("catalog-info.yaml")))
        .await
        .unwrap();
    assert_eq!(report.problems, 0);
    portal
}

async fn person(portal: &Portal, user: &str) -> Principal {
    portal
        .principal_for(EntityRef::parse_full(user).unwrap(), Credential::Session)
        .await
        .unwrap()
}

fn vault() -> EntityRef {
    EntityRef::new("component", "default", "vault")
}

/// The widget page at `path`: its status and text.
async fn open(app: &Router, path: &str) -> (StatusCode, String) {
    let (status, _, body) = fetch(app, path).await;
    (status, body)
}

#[tokio::test]
async fn a_signed_link_shows_its_widget_as_the_signer_sees_it() {
    let db = support::sqlite().await;
    let portal = signing_portal(&db, POLICY, Some(KEY)).await;
    let alice = person(&portal, "user:default/alice").await;
    let link = portal
        .sign_link(&alice, Widget::Card, &vault(), 30)
        .await
        .unwrap();
    assert!(link
        .path
        .starts_with("/embed/card/default/component/vault?signed="));
    assert_eq!(link.url, format!("https://portal.example{}", link.path));
    let app = support::app(portal);

    // Without cookies or tokens: the signer's view, which holds the confidential entity.
    let (status, page) = open(&app, &format!("{}&theme=dark", link.path)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Vault of secrets"), "{page}");
    let (status, page) = open(&app, "/embed/card/default/component/vault").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{page}");
    assert!(!page.contains("Vault of secrets"));

    // The same signature on another widget or entity, or changed, opens nothing.
    let query = &link.path[link.path.find('?').unwrap()..];
    let signed = link.signed.clone();
    let later = signed.replacen(
        &signed[..10],
        &(signed[..10].parse::<i64>().unwrap() + 1).to_string(),
        1,
    );
    let bob_signed = signed.replace("user:default/alice", "user:default/bob");
    for path in [
        format!("/embed/graph/default/component/vault{query}"),
        format!("/embed/card/default/component/web{query}"),
        format!("/embed/card/default/component/vault?signed={later}"),
        format!("/embed/card/default/component/vault?signed={bob_signed}"),
        "/embed/card/default/component/vault?signed=nonsense".to_owned(),
    ] {
        let (status, page) = open(&app, &path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {page}");
        assert!(page.contains("Link not valid"), "{path}: {page}");
        assert!(!page.contains("Vault of secrets"), "{path}");
    }
    let (status, page) = open(&app, &format!("/embed/search?q=vault&signed={signed}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("links are signed for one entity"), "{page}");
}

#[tokio::test]
async fn expired_links_and_withdrawn_signers_are_refused() {
    let db = support::sqlite().await;
    let portal = signing_portal(&db, POLICY, Some(KEY)).await;
    // A link made by hand, as the portal makes them, that expired a minute ago.
    let alice = EntityRef::new("user", "default", "alice");
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        - 60;
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, KEY.as_bytes());
    let mac = |expires: i64| {
        let tag = ring::hmac::sign(
            &key,
            message(Widget::Card, &vault(), &alice, expires).as_bytes(),
        );
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag.as_ref())
    };
    let app = support::app(portal);
    let path = format!(
        "/embed/card/default/component/vault?signed={expires}.{}.{alice}",
        mac(expires)
    );
    let (status, page) = open(&app, &path).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{page}");
    assert!(
        page.contains("Link expired") && page.contains("expired on"),
        "{page}"
    );

    // The same hand-made link, valid for an hour, works…
    let fresh = expires + 3660;
    let path = format!(
        "/embed/card/default/component/vault?signed={fresh}.{}.{alice}",
        mac(fresh)
    );
    assert_eq!(open(&app, &path).await.0, StatusCode::OK);
    // …until the policy no longer lets alice share what her team owns.
    let strict = r#"[{"effect": "allow", "actions": ["catalog.entity.read"]}]"#;
    let withdrawn = support::app(portal_over(&db, strict, Some(KEY)));
    let (status, page) = open(&withdrawn, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("Link withdrawn"), "{page}");
    // And a portal with another key accepts none of them.
    let rekeyed = portal_over(&db, POLICY, Some("another-secret-of-thirty-two-bytes!"));
    let (status, _) = open(&support::app(rekeyed), &path).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn links_are_signed_over_rest_by_those_the_policy_allows() {
    let db = support::sqlite().await;
    let portal = signing_portal(&db, POLICY, Some(KEY)).await;
    let token = |user: &'static str| {
        let portal = &portal;
        async move {
            let who = person(portal, user).await;
            let request = TokenRequest {
                name: "embeds".into(),
                scopes: vec![Scope::Admin],
                expires_in_days: None,
            };
            portal
                .create_token(&who, &who.user, &request)
                .await
                .unwrap()
                .secret
        }
    };
    let (alice, bob) = (
        token("user:default/alice").await,
        token("user:default/bob").await,
    );
    let app = support::app(portal);
    let sign = |token: Option<String>, body: serde_json::Value| {
        let app = app.clone();
        async move {
            send_as(
                &app,
                token.as_deref(),
                "POST",
                "/api/embed/links",
                Some(body),
            )
            .await
        }
    };

    let card = json!({"widget": "graph", "entity": "component:default/vault", "expiresInDays": 7});
    let (status, body) = sign(Some(alice.clone()), card.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body:?}");
    let body = body.unwrap();
    let path = body["path"].as_str().unwrap();
    assert!(
        path.starts_with("/embed/graph/default/component/vault?signed="),
        "{body}"
    );
    assert!(body["expiresAt"].as_str().unwrap().ends_with('Z'), "{body}");
    assert_eq!(open(&app, path).await.0, StatusCode::OK);

    // bob neither owns nor reads the vault: for him it does not exist.
    let (status, body) = sign(Some(bob), card.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body:?}");
    let (status, _) = sign(None, card).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    for (wrong, names) in [
        (
            json!({"widget": "gauge", "entity": "component:default/vault"}),
            "widget: there is no widget 'gauge'",
        ),
        (
            json!({"widget": "search", "entity": "component:default/vault"}),
            "names no entity",
        ),
        (json!({"widget": "card", "entity": "vault"}), "entity: "),
        (
            json!({"widget": "card", "entity": "component:default/vault", "expiresInDays": 400}),
            "expiresInDays must be from 1 to 366",
        ),
    ] {
        let (status, body) = sign(Some(alice.clone()), wrong.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{wrong}: {body:?}");
        let message = body.unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(names), "{wrong}: {message}");
    }
}

#[tokio::test]
async fn a_portal_without_a_key_signs_nothing() {
    let db = support::sqlite().await;
    let portal = signing_portal(&db, POLICY, None).await;
    let alice = person(&portal, "user:default/alice").await;
    let refused = portal.sign_link(&alice, Widget::Card, &vault(), 30).await;
    let message = refused.unwrap_err().to_string();
    assert!(
        message.contains("--embed-key, PORTICO_EMBED_KEY"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_docs_widget_shows_its_images_to_readers_who_are_not_signed_in() {
    let db = support::sqlite().await;
    let everyone = r#"[{"effect": "allow", "actions": ["*"]}]"#;
    let portal = portal_over(&db, everyone, Some(KEY));
    let demo =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo-catalog/catalog-info.yaml");
    assert_eq!(
        portal
            .ingest_location(&Source::File(demo))
            .await
            .unwrap()
            .problems,
        0
    );
    let alice = person(&portal, "user:default/alice").await;
    let gateway = EntityRef::new("component", "default", "payment-gateway");
    let link = portal
        .sign_link(&alice, Widget::Docs, &gateway, 1)
        .await
        .unwrap();
    let app = support::app(portal);

    let (status, page) = open(&app, &link.path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let image = page
        .split("src=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .find(|src| src.starts_with("/docs/default/component/payment-gateway/img/"))
        .unwrap_or_else(|| panic!("the page shows a doc set image: {page}"))
        .replace("&amp;", "&");
    assert!(image.contains("?signed="), "{image}");
    let (status, _, body) = fetch(&app, &image).await;
    assert_eq!(status, StatusCode::OK, "{image}: {body}");
    assert!(body.starts_with("<svg"), "{body}");

    // Without the link, or with a changed one, the file is not served.
    let bare = &image[..image.find('?').unwrap()];
    assert_eq!(fetch(&app, bare).await.0, StatusCode::UNAUTHORIZED);
    let changed = image.replace("user%3Adefault%2Falice", "user%3Adefault%2Fbob");
    assert_eq!(fetch(&app, &changed).await.0, StatusCode::UNAUTHORIZED);
    // A page of the docs is no file: the link does not open the reader.
    let reader = format!(
        "/docs/default/component/payment-gateway/?{}",
        &image[image.find('?').unwrap() + 1..]
    );
    assert_ne!(fetch(&app, &reader).await.0, StatusCode::OK);
}
