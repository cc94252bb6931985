//! Sessions, on both engines: one started by a replica is recognised by another on the
//! same database; they end when idle, at their absolute expiry and on sign-out; a
//! portal whose guests may do nothing sends people to sign in; cross-site writes are
//! refused. (Signing in with a real OpenID Connect provider is in the browser tests,
//! end2end/tests/identity.spec.ts.)

#[macro_use]
mod support;

use app::model::catalog::entity_ref::EntityRef;
use axum::{
    body::Body,
    http::{Request, StatusCode},
    Router,
};
use server::{
    catalog::location::Source,
    services::{
        identity::{GuestAccess, IdentitySettings},
        Portal,
    },
    store::Store,
};
use support::TestDb;
use tower::ServiceExt;

const CATALOG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {memberOf: [payments], profile: {displayName: Alice Liddell, email: alice@example.com}}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, lifecycle: production, owner: payments}
";

/// A portal (one replica) on `store`, over the test catalog, whose guests may `guest`.
async fn replica(store: Store, dir: &std::path::Path, guest: GuestAccess) -> Portal {
    let file = dir.join("catalog-info.yaml");
    std::fs::write(&file, CATALOG).unwrap();
    let mut portal = Portal::new(store);
    portal.set_identity(IdentitySettings {
        guest,
        ..IdentitySettings::default()
    });
    portal.ingest_location(&Source::File(file)).await.unwrap();
    portal
}

fn alice() -> EntityRef {
    EntityRef::parse_full("user:default/alice").unwrap()
}

/// `method path` with these headers: the status and the `Location` header.
async fn call(
    app: &Router,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (response.status(), location)
}

async fn a_session_is_recognised_by_every_replica(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let first = replica(db.store.clone(), dir.path(), GuestAccess::Read).await;
    // A second replica: its own connections to the same database.
    let other_store = Store::connect(&db.url).await.unwrap();
    let second = replica(other_store, dir.path(), GuestAccess::Read).await;

    let session = first
        .start_session(&alice(), "corp", "alice-sub")
        .await
        .unwrap();
    let principal = second
        .principal_for_session(&session.secret)
        .await
        .unwrap()
        .expect("the other replica knows the session");
    assert_eq!(principal.user, alice());
    assert!(principal.owns_as(&EntityRef::parse_full("group:default/payments").unwrap()));

    // Through HTTP: the cookie is alice's on the second replica, for reads and for
    // writes from the portal's own pages.
    let app = support::app(second);
    let cookie = format!("portico_session={}", session.secret);
    let (status, _) = call(&app, "GET", "/api/identity/tokens", &[("cookie", &cookie)]).await;
    assert_eq!(status, StatusCode::OK, "alice lists her own tokens");
    let own_page = [
        ("cookie", cookie.as_str()),
        ("host", "127.0.0.1:3000"),
        ("origin", "http://127.0.0.1:3000"),
    ];
    let (status, _) = call(&app, "POST", "/api/catalog/refresh", &own_page).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "past the identity checks, the body is missing"
    );
}

async fn sessions_end_when_idle_at_their_expiry_and_on_sign_out(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = replica(db.store.clone(), dir.path(), GuestAccess::Read).await;
    let ended = |column: &'static str| {
        let url = db.url.clone();
        async move { set_every_session(&url, column).await }
    };

    let idle = portal.start_session(&alice(), "corp", "s").await.unwrap();
    ended("last_seen_at").await;
    assert_eq!(
        portal.principal_for_session(&idle.secret).await.unwrap(),
        None
    );

    let old = portal.start_session(&alice(), "corp", "s").await.unwrap();
    ended("expires_at").await;
    assert_eq!(
        portal.principal_for_session(&old.secret).await.unwrap(),
        None
    );

    let live = portal.start_session(&alice(), "corp", "s").await.unwrap();
    let signed_in = portal.principal_for_session(&live.secret).await.unwrap();
    let signed_in = signed_in.expect("a live session");
    assert!(portal.end_session(&signed_in, &live.secret).await.unwrap());
    assert_eq!(
        portal.principal_for_session(&live.secret).await.unwrap(),
        None
    );

    // An ended session's cookie makes a guest, not an error.
    let app = support::app(portal);
    let cookie = format!("portico_session={}", live.secret);
    let (status, _) = call(&app, "GET", "/api/catalog/entities", &[("cookie", &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
}

/// Moves `column` of every session to the start of the epoch, as time would.
async fn set_every_session(url: &str, column: &str) {
    let sql = format!("UPDATE sessions SET {column} = 1");
    if url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(&sql).execute(&pool).await.unwrap();
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }
}

async fn without_guests_people_are_sent_to_sign_in(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = replica(db.store.clone(), dir.path(), GuestAccess::Off).await;
    let session = portal.start_session(&alice(), "corp", "s").await.unwrap();
    let app = support::app(portal);
    let html = [("accept", "text/html")];

    let (status, location) = call(&app, "GET", "/catalog?kind=component", &html).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/signin?return=%2Fcatalog%3Fkind%3Dcomponent");
    let (status, _) = call(&app, "GET", "/api/catalog/entities", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // What signing in needs stays open.
    for open in ["/signin", "/healthz", "/favicon.svg"] {
        let (status, _) = call(&app, "GET", open, &html).await;
        assert_eq!(status, StatusCode::OK, "{open}");
    }
    let cookie = format!("portico_session={}", session.secret);
    let (status, _) = call(&app, "GET", "/api/catalog/entities", &[("cookie", &cookie)]).await;
    assert_eq!(status, StatusCode::OK, "signed in");
}

async fn writes_from_other_sites_are_refused(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    // The local guest is an admin: exactly what another site would like to borrow.
    let portal = replica(db.store.clone(), dir.path(), GuestAccess::Admin).await;
    let session = portal.start_session(&alice(), "corp", "s").await.unwrap();
    let app = support::app(portal);
    let cookie = format!("portico_session={}", session.secret);
    let attempts: [&[(&str, &str)]; 3] = [
        &[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://evil.example"),
        ],
        &[("sec-fetch-site", "cross-site")],
        &[("cookie", &cookie)],
    ];
    for headers in attempts {
        let (status, _) = call(&app, "POST", "/api/catalog/refresh", headers).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
    }
    let (status, _) = call(
        &app,
        "POST",
        "/auth/signout",
        &[("cookie", &cookie), ("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "signing someone out from elsewhere"
    );
    // A program (no Origin, no cookie) is not a browser tricked by another site.
    let (status, _) = call(&app, "POST", "/api/catalog/refresh", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

on_both_backends!(
    a_session_is_recognised_by_every_replica,
    sessions_end_when_idle_at_their_expiry_and_on_sign_out,
    without_guests_people_are_sent_to_sign_in,
    writes_from_other_sites_are_refused,
);
