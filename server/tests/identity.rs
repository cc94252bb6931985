//! Who may do what: the default policy over a catalog of the test's own, on both
//! engines: a user's groups read through `memberOf` and parent groups, owners and
//! admins, a guest who may only read, refusals that say why (401 and 403 through the
//! API).

#[macro_use]
mod support;

use app::model::{
    catalog::entity_ref::EntityRef,
    identity::{
        action::Scope,
        principal::{Credential, Principal},
        token::TokenRequest,
    },
};
use axum::http::StatusCode;
use serde_json::json;
use server::{
    catalog::location::Source,
    services::{
        identity::{GuestAccess, IdentitySettings},
        CatalogError, Portal,
    },
};
use support::{
    api::{get, send, send_as},
    TestDb,
};

const CATALOG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: engineering}
spec: {type: department, children: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
spec: {type: team, parent: engineering, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: admins}
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
kind: User
metadata: {name: root}
spec: {memberOf: [admins]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, lifecycle: production, owner: engineering}
";

/// A portal over the test catalog with these guest rights (the policy is the default).
async fn portal(db: &TestDb, dir: &std::path::Path, guest: GuestAccess) -> Portal {
    std::fs::write(dir.join("catalog-info.yaml"), CATALOG).unwrap();
    let mut portal = Portal::new(db.store.clone());
    portal.set_identity(IdentitySettings {
        guest,
        ..IdentitySettings::default()
    });
    portal.allow_file_locations_under(&[dir.join("catalog-info.yaml")]);
    portal
        .ingest_location(&Source::File(dir.join("catalog-info.yaml")))
        .await
        .unwrap();
    portal
}

async fn signed_in(portal: &Portal, user: &str) -> Principal {
    portal
        .principal_for(EntityRef::parse_full(user).unwrap(), Credential::Session)
        .await
        .unwrap()
}

async fn uid_of(portal: &Portal, entity: &str) -> String {
    let entity = EntityRef::parse_full(entity).unwrap();
    portal
        .entity(&Principal::guest(false), &entity)
        .await
        .unwrap()
        .unwrap()
        .metadata
        .uid
        .unwrap()
}

async fn ownership_comes_from_groups_and_their_parents(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path(), GuestAccess::Read).await;
    let alice = signed_in(&portal, "user:default/alice").await;
    let names: Vec<String> = alice.ownership.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        [
            "group:default/engineering",
            "group:default/payments",
            "user:default/alice"
        ]
    );
    assert!(!alice.admin);
    assert!(signed_in(&portal, "user:default/root").await.admin);
}

async fn owners_delete_others_are_refused_with_the_reason(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path(), GuestAccess::Read).await;
    let uid = uid_of(&portal, "component:default/checkout").await;

    let bob = signed_in(&portal, "user:default/bob").await;
    match portal.delete_entity_by_uid(&bob, &uid).await {
        Err(CatalogError::Refused(refusal)) => {
            assert_eq!(
                refusal.message,
                "only admins or owners of component:default/checkout may delete it"
            );
            assert!(!refusal.unauthenticated);
        }
        other => panic!("bob deleted checkout: {other:?}"),
    }
    // Refused means untouched.
    assert_eq!(uid_of(&portal, "component:default/checkout").await, uid);

    // Alice is in payments, a child of engineering, which owns checkout.
    let alice = signed_in(&portal, "user:default/alice").await;
    assert!(portal.delete_entity_by_uid(&alice, &uid).await.unwrap());
}

async fn admins_do_everything(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path(), GuestAccess::Read).await;
    let root = signed_in(&portal, "user:default/root").await;
    let uid = uid_of(&portal, "component:default/checkout").await;
    assert!(portal.delete_entity_by_uid(&root, &uid).await.unwrap());
}

async fn a_read_only_guest_reads_and_is_told_to_sign_in_for_the_rest(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path(), GuestAccess::Read).await;
    let uid = uid_of(&portal, "component:default/checkout").await;
    let file = dir.path().join("catalog-info.yaml").display().to_string();
    let app = support::app(portal);

    let (status, _) = get(
        &app,
        "/api/catalog/entities/by-name/component/default/checkout",
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let refused = [
        (
            "DELETE",
            format!("/api/catalog/entities/by-uid/{uid}"),
            None,
            "only admins or owners of component:default/checkout may delete it",
        ),
        (
            // Refused alike when there is no such entity: the answer does not tell.
            "DELETE",
            "/api/catalog/entities/by-uid/no-such-uid".to_owned(),
            None,
            "only admins or owners of the entity with uid no-such-uid may delete it",
        ),
        (
            "POST",
            "/api/catalog/refresh".to_owned(),
            Some(json!({"entityRef": "component:default/checkout"})),
            "sign in to refresh component:default/checkout",
        ),
        (
            "POST",
            "/api/catalog/locations".to_owned(),
            Some(json!({"type": "file", "target": file})),
            &*format!("sign in to register location file:{file}"),
        ),
    ];
    for (method, path, body, message) in refused {
        let (status, answer) = send(&app, method, &path, body).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path}: {answer:?}"
        );
        let answer = answer.unwrap();
        assert_eq!(answer["error"]["name"], "AuthenticationError");
        assert_eq!(answer["error"]["message"], message, "{method} {path}");
    }
    // Nothing changed.
    let (status, _) = get(&app, &format!("/api/catalog/entities/by-uid/{uid}")).await;
    assert_eq!(status, StatusCode::OK);
}

async fn the_local_guest_may_do_everything(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path(), GuestAccess::Admin).await;
    let uid = uid_of(&portal, "component:default/checkout").await;
    let app = support::app(portal);
    let (status, _) = send(
        &app,
        "DELETE",
        &format!("/api/catalog/entities/by-uid/{uid}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

on_both_backends!(
    ownership_comes_from_groups_and_their_parents,
    owners_delete_others_are_refused_with_the_reason,
    admins_do_everything,
    a_read_only_guest_reads_and_is_told_to_sign_in_for_the_rest,
    the_local_guest_may_do_everything,
    a_token_acts_as_its_owner_within_its_scopes,
    unknown_revoked_and_expired_tokens_are_refused_everywhere,
    tokens_are_managed_by_their_owner_or_an_admin,
    pickers_offer_what_the_user_owns_and_their_groups,
);

/// A token for `user` with `scopes`, created as the portal's operator would.
async fn token(portal: &Portal, user: &str, scopes: &[Scope]) -> String {
    let request = TokenRequest {
        name: format!("{user} automation"),
        scopes: scopes.to_vec(),
        expires_in_days: Some(30),
    };
    let user = EntityRef::parse_full(user).unwrap();
    portal
        .issue_token(&user, &request, "test")
        .await
        .unwrap()
        .secret
}

/// `method path` with `Authorization: Bearer token`: the status and the JSON body
/// (`null` when there is none).
async fn with_token(
    app: &axum::Router,
    method: &str,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let (status, body) = send_as(app, Some(token), method, path, body).await;
    (status, body.unwrap_or_default())
}

async fn a_token_acts_as_its_owner_within_its_scopes(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path(), GuestAccess::Read).await;
    let uid = uid_of(&portal, "component:default/checkout").await;
    let alice_reads = token(&portal, "user:default/alice", &[Scope::Read]).await;
    let alice_writes = token(
        &portal,
        "user:default/alice",
        &[Scope::Read, Scope::CatalogWrite],
    )
    .await;
    let bob_writes = token(&portal, "user:default/bob", &[Scope::CatalogWrite]).await;
    let app = support::app(portal.clone());
    let delete = format!("/api/catalog/entities/by-uid/{uid}");

    let (status, answer) = with_token(&app, "DELETE", &delete, &alice_reads, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(answer["error"]["name"], "NotAllowedError");
    assert_eq!(
        answer["error"]["message"],
        "this token may not delete component:default/checkout: its scopes do not include catalog:write"
    );
    let (status, answer) = with_token(&app, "DELETE", &delete, &bob_writes, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer["error"]["message"],
        "only admins or owners of component:default/checkout may delete it"
    );
    // No such entity: refused to a token that may not delete, done (nothing) for one that
    // may delete what its user owns.
    let unknown = "/api/catalog/entities/by-uid/no-such-uid";
    let (status, _) = with_token(&app, "DELETE", unknown, &alice_reads, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = with_token(&app, "DELETE", unknown, &alice_writes, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = with_token(&app, "DELETE", &delete, &alice_writes, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Using a token is recorded (to the minute).
    let alice = EntityRef::parse_full("user:default/alice").unwrap();
    let listed = portal
        .tokens(&Principal::guest(true), Some(&alice))
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed.iter().all(|t| t.last_used_at.is_some()),
        "{listed:?}"
    );
}

async fn unknown_revoked_and_expired_tokens_are_refused_everywhere(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path(), GuestAccess::Admin).await;
    let app = support::app(portal.clone());
    let read = "/api/catalog/entities/by-name/component/default/checkout";

    // The local guest is an admin: it creates a service token for alice.
    let (status, created) = send(
        &app,
        "POST",
        "/api/identity/tokens",
        Some(json!({"name": "sync", "scopes": ["read"], "owner": "alice"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created:?}");
    let created = created.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let id = created["info"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("portico_"), "{secret}");
    assert_eq!(created["info"]["owner"], "user:default/alice");
    assert_eq!(
        with_token(&app, "GET", read, &secret, None).await.0,
        StatusCode::OK
    );

    let (status, listed) = get(&app, "/api/identity/tokens?owner=alice").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["id"], id.as_str());
    assert!(listed[0].get("secret").is_none() && listed[0].get("hash").is_none());

    for wrong in ["portico_0123", "not-a-portico-token", ""] {
        let (status, answer) = with_token(&app, "GET", read, wrong, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{wrong}: {answer}");
        assert_eq!(
            answer["error"]["message"],
            "the API token is unknown, expired or revoked"
        );
    }

    let (status, _) = send(&app, "DELETE", &format!("/api/identity/tokens/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        with_token(&app, "GET", read, &secret, None).await.0,
        StatusCode::UNAUTHORIZED
    );

    let expiring = token(&portal, "user:default/alice", &[Scope::Read]).await;
    assert_eq!(
        with_token(&app, "GET", read, &expiring, None).await.0,
        StatusCode::OK
    );
    expire_every_token(&db).await;
    assert_eq!(
        with_token(&app, "GET", read, &expiring, None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn tokens_are_managed_by_their_owner_or_an_admin(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path(), GuestAccess::Read).await;
    let app = support::app(portal.clone());
    let (status, answer) = send(
        &app,
        "POST",
        "/api/identity/tokens",
        Some(json!({"name": "mine", "scopes": ["read"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.unwrap()["error"]["message"],
        "sign in to manage API tokens"
    );

    // A token may not make more tokens, even its owner's.
    let alice = token(
        &portal,
        "user:default/alice",
        &[Scope::Read, Scope::CatalogWrite],
    )
    .await;
    let body = json!({"name": "more", "scopes": ["read"]});
    let (status, _) = with_token(&app, "POST", "/api/identity/tokens", &alice, Some(body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // An admin's admin-scoped token may, for anyone.
    let root = token(&portal, "user:default/root", &[Scope::Admin]).await;
    let body =
        json!({"name": "ci", "scopes": ["templates:run"], "owner": "bob", "expiresInDays": 7});
    let (status, created) =
        with_token(&app, "POST", "/api/identity/tokens", &root, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["info"]["createdBy"], "user:default/root");
    assert_eq!(created["info"]["owner"], "user:default/bob");

    let bad = [
        (
            json!({"name": " ", "scopes": ["read"], "owner": "bob"}),
            "a token needs a name",
        ),
        (
            json!({"name": "x", "scopes": [], "owner": "bob"}),
            "at least one scope",
        ),
        (
            json!({"name": "x", "scopes": ["read"], "owner": "bob", "expiresInDays": 400}),
            "at most 366 days",
        ),
        (
            json!({"name": "x", "scopes": ["read"], "owner": "nobody"}),
            "the catalog has no user:default/nobody",
        ),
    ];
    for (body, message) in bad {
        let (status, answer) = with_token(
            &app,
            "POST",
            "/api/identity/tokens",
            &root,
            Some(body.clone()),
        )
        .await;
        assert!(status.is_client_error(), "{body}: {status}");
        let said = answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(said.contains(message), "{body}: {said}");
    }
}

/// Moves every token's expiry into the past, as time would.
async fn expire_every_token(db: &TestDb) {
    const SQL: &str = "UPDATE api_tokens SET expires_at = 1";
    if db.url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        sqlx::query(SQL).execute(&pool).await.unwrap();
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        sqlx::query(SQL).execute(&pool).await.unwrap();
    }
}

/// `OwnedEntityPicker` and `MyGroupsPicker` suggest the person's own.
async fn pickers_offer_what_the_user_owns_and_their_groups(db: TestDb) {
    use app::model::template::form::Mine;
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path(), GuestAccess::Read).await;
    let choices = |who: Principal, mine: Mine| {
        let portal = &portal;
        async move {
            let found = portal
                .entity_choices(&who, Vec::new(), "", Some(mine))
                .await
                .unwrap();
            found.into_iter().map(|c| c.reference).collect::<Vec<_>>()
        }
    };
    let alice = signed_in(&portal, "user:default/alice").await;
    // Checkout is engineering's, and alice is in payments, a child of engineering.
    assert_eq!(
        choices(alice.clone(), Mine::Owned).await,
        ["component:default/checkout"]
    );
    assert_eq!(
        choices(alice, Mine::Groups).await,
        ["group:default/payments"]
    );
    let bob = signed_in(&portal, "user:default/bob").await;
    assert!(choices(bob, Mine::Owned).await.is_empty());
    assert!(choices(portal.guest(), Mine::Owned).await.is_empty());
}
