//! The audit log, on both engines: every write and every refused attempt is recorded
//! with who, what, on what, the result and where from; admins read it filtered and a
//! page at a time, and export it as JSON lines over REST; others are refused (and that
//! is recorded too); old entries go after the retention period.

#[macro_use]
mod support;

use std::time::Duration;

use app::model::{
    catalog::entity_ref::EntityRef,
    identity::{
        action::Scope,
        audit::{AuditEntry, AuditQuery, Outcome, PAGE_SIZE},
        principal::{Credential, Principal},
        token::TokenRequest,
    },
};
use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use server::{
    catalog::location::Source,
    services::{
        identity::{AuditError, GuestAccess, IdentitySettings},
        Portal,
    },
    store::AuditRow,
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
spec: {type: service, lifecycle: production, owner: payments}
";

async fn portal(db: &TestDb, dir: &std::path::Path, retention: Option<Duration>) -> Portal {
    std::fs::write(dir.join("catalog-info.yaml"), CATALOG).unwrap();
    let mut portal = Portal::new(db.store.clone());
    portal.set_identity(IdentitySettings {
        guest: GuestAccess::Read,
        audit_retention: retention,
        ..IdentitySettings::default()
    });
    portal
        .ingest_location(&Source::File(dir.join("catalog-info.yaml")))
        .await
        .unwrap();
    portal
}

/// `user`, signed in, from `address`.
async fn person(portal: &Portal, user: &str, address: &str) -> Principal {
    portal
        .principal_for(EntityRef::parse_full(user).unwrap(), Credential::Session)
        .await
        .unwrap()
        .coming_from(Some(address.to_owned()))
}

/// What `query` (a URL query) selects, read as `who`.
async fn read(portal: &Portal, who: &Principal, query: &str) -> Vec<AuditEntry> {
    let query = AuditQuery::from_query_string(query).unwrap();
    portal.audit_page(who, &query).await.unwrap().entries
}

async fn checkout_uid(portal: &Portal) -> String {
    let checkout = EntityRef::parse_full("component:default/checkout").unwrap();
    let entity = portal.entity(&Principal::guest(false), &checkout).await;
    entity.unwrap().unwrap().metadata.uid.unwrap()
}

async fn writes_and_refusals_are_recorded_and_filtered(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path(), None).await;
    let uid = checkout_uid(&portal).await;
    let bob = person(&portal, "user:default/bob", "203.0.113.7").await;
    let alice = person(&portal, "user:default/alice", "198.51.100.4").await;
    let root = person(&portal, "user:default/root", "192.0.2.1").await;

    assert!(portal.delete_entity_by_uid(&bob, &uid).await.is_err());
    assert!(portal.delete_entity_by_uid(&alice, &uid).await.unwrap());

    let all = read(&portal, &root, "").await;
    let [done, refused] = &all[..] else {
        panic!("two entries: {all:#?}");
    };
    assert_eq!(
        (done.actor.as_str(), done.action.as_str(), done.outcome),
        ("user:default/alice", "catalog.entity.delete", Outcome::Done)
    );
    assert_eq!(done.target, "component:default/checkout");
    assert_eq!(
        (done.via.as_str(), done.origin.as_str()),
        ("session", "198.51.100.4")
    );
    assert!(done.id > refused.id && done.at >= refused.at);
    assert_eq!(refused.actor, "user:default/bob");
    assert_eq!(refused.outcome, Outcome::Refused);
    assert_eq!(
        refused.detail,
        "only admins or owners of component:default/checkout may delete it"
    );
    assert_eq!(refused.origin, "203.0.113.7");

    // Each filter narrows; the user's name alone means a user.
    assert_eq!(
        read(&portal, &root, "result=refused").await,
        vec![refused.clone()]
    );
    assert_eq!(read(&portal, &root, "who=alice").await, vec![done.clone()]);
    assert_eq!(read(&portal, &root, "target=CHECKOUT").await.len(), 2);
    assert_eq!(
        read(&portal, &root, "target=check_ut").await.len(),
        0,
        "_ is literal"
    );
    assert_eq!(
        read(&portal, &root, "action=catalog.location.create")
            .await
            .len(),
        0
    );
    let today = &app::model::task::rfc3339(done.at)[..10];
    assert_eq!(
        read(&portal, &root, &format!("since={today}&until={today}"))
            .await
            .len(),
        2
    );
    assert_eq!(read(&portal, &root, "until=2000-01-01").await.len(), 0);

    // Others may not read the log, and trying is recorded too.
    match portal.audit_page(&alice, &AuditQuery::default()).await {
        Err(AuditError::Refused(refusal)) => assert!(!refusal.unauthenticated),
        other => panic!("alice read the audit log: {other:?}"),
    }
    let tried = read(&portal, &root, "action=audit.read").await;
    assert_eq!(tried.len(), 1);
    assert_eq!(
        (tried[0].actor.as_str(), tried[0].outcome),
        ("user:default/alice", Outcome::Refused)
    );
    match portal
        .audit_page(
            &root,
            &AuditQuery {
                actor: Some("a/b/c/d".into()),
                ..AuditQuery::default()
            },
        )
        .await
    {
        Err(AuditError::Invalid(why)) => assert!(why.starts_with("who: "), "{why}"),
        other => panic!("a bad user ref was taken: {other:?}"),
    }
}

async fn tokens_are_recorded_by_name(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path(), None).await;
    let alice = person(&portal, "user:default/alice", "198.51.100.4").await;
    let bob = person(&portal, "user:default/bob", "203.0.113.7").await;
    let root = person(&portal, "user:default/root", "192.0.2.1").await;
    let request = TokenRequest {
        name: "deploys".into(),
        scopes: vec![Scope::TemplatesRun],
        expires_in_days: None,
    };
    let token = portal
        .create_token(&alice, &alice.user, &request)
        .await
        .unwrap();
    assert!(portal.revoke_token(&bob, &token.info.id).await.is_err());
    assert!(portal.revoke_token(&alice, &token.info.id).await.unwrap());

    let entries = read(&portal, &root, "target=tokens").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, "identity.token.create");
    assert_eq!(
        entries[0].detail,
        format!("token 'deploys' ({})", token.info.id)
    );
    let revokes = read(&portal, &root, "action=identity.token.revoke").await;
    let outcomes: Vec<_> = revokes
        .iter()
        .map(|e| (e.actor.as_str(), e.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("user:default/alice", Outcome::Done),
            ("user:default/bob", Outcome::Refused)
        ]
    );

    // What a token does is recorded as done through it.
    let secret = portal
        .issue_token(&alice.user, &request, "test")
        .await
        .unwrap()
        .secret;
    let through = portal.principal_for_token(&secret).await.unwrap().unwrap();
    let uid = checkout_uid(&portal).await;
    assert!(portal.delete_entity_by_uid(&through, &uid).await.is_err());
    let refused = read(&portal, &root, "result=refused&who=user:default/alice").await;
    assert!(
        refused[0].via.starts_with("token 'deploys' ("),
        "{:?}",
        refused[0]
    );
}

/// `GET path` with a bearer token: the status, content type and body.
async fn get_text(app: &axum::Router, path: &str, token: &str) -> (StatusCode, String, String) {
    let request = Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, kind, String::from_utf8(body.to_vec()).unwrap())
}

fn row(at: i64, n: usize) -> AuditRow {
    AuditRow {
        id: 0,
        at,
        actor: "user:default/bob".into(),
        via: "session".into(),
        action: "catalog.location.create".into(),
        target: format!("location url:https://git.example/{n}"),
        outcome: "done".into(),
        detail: String::new(),
        origin: "203.0.113.7".into(),
    }
}

async fn admins_page_through_and_export_json_lines(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path(), None).await;
    let now = 1_800_000_000_000;
    for n in 0..2_345 {
        portal
            .store()
            .append_audit(&row(now + n as i64, n))
            .await
            .unwrap();
    }
    let root = EntityRef::parse_full("user:default/root").unwrap();
    let mut secrets = Vec::new();
    for scope in [Scope::Admin, Scope::Read] {
        let request = TokenRequest {
            name: "audit".into(),
            scopes: vec![scope],
            expires_in_days: None,
        };
        let token = portal.issue_token(&root, &request, "test").await.unwrap();
        secrets.push(token.secret);
    }
    let (full, read_only) = (secrets[0].clone(), secrets[1].clone());
    let app = support::app(portal);

    let (status, kind, body) = get_text(&app, "/api/identity/audit/export?who=bob", &full).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(kind, "application/x-ndjson");
    let entries: Vec<AuditEntry> = body
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(entries.len(), 2_345, "every chunk is written");
    assert!(
        entries.windows(2).all(|w| w[0].id > w[1].id),
        "newest first"
    );
    assert_eq!(entries[0].target, "location url:https://git.example/2344");

    // The JSON page and the next one.
    let (status, _, body) = get_text(&app, "/api/identity/audit?who=bob", &full).await;
    assert_eq!(status, StatusCode::OK);
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["entries"].as_array().unwrap().len(), PAGE_SIZE);
    let older = page["older"].as_i64().unwrap();
    assert_eq!(older, entries[PAGE_SIZE - 1].id);
    let next = format!("/api/identity/audit?who=bob&before={older}");
    let (_, _, body) = get_text(&app, &next, &full).await;
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        page["entries"][0]["id"].as_i64(),
        Some(entries[PAGE_SIZE].id)
    );

    // A token without `admin` may not; a wrong parameter is named.
    let (status, _, body) = get_text(&app, "/api/identity/audit/export", &read_only).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, body) = get_text(&app, "/api/identity/audit?since=yesterday", &full).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("since: 'yesterday' is not a date"), "{body}");
}

async fn entries_past_the_retention_are_deleted(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let day = 24 * 3600 * 1000;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let forever = portal(&db, dir.path(), None).await;
    for (n, age) in [100, 31, 1].into_iter().enumerate() {
        forever
            .store()
            .append_audit(&row(now - age * day, n))
            .await
            .unwrap();
    }
    assert_eq!(forever.prune_audit().await.unwrap(), 0, "kept for ever");

    let month = portal(&db, dir.path(), Some(Duration::from_secs(30 * 24 * 3600))).await;
    assert_eq!(month.prune_audit().await.unwrap(), 2);
    let root = person(&month, "user:default/root", "192.0.2.1").await;
    let left = read(&month, &root, "who=bob").await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].target, "location url:https://git.example/2");
}

on_both_backends!(
    writes_and_refusals_are_recorded_and_filtered,
    tokens_are_recorded_by_name,
    admins_page_through_and_export_json_lines,
    entries_past_the_retention_are_deleted,
);
