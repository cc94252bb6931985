//! Backstage's predicate queries and the location queries of the catalog API
//! (`POST /entities/by-query`, `POST /entity-facets`, `POST /locations/by-query`,
//! `GET /locations/by-entity/…`) through the real router, on the demo catalog.

mod support;

use axum::http::StatusCode;
use base64::Engine as _;
use serde_json::{json, Value};
use support::api::{demo, encode, get, names, send};

async fn post(app: &axum::Router, path: &str, body: Value) -> (StatusCode, Value) {
    let (status, body) = send(app, "POST", path, Some(body)).await;
    (status, body.unwrap_or(Value::Null))
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn predicates_select_as_backstage_documents() {
    let (_db, app) = demo().await;
    let query = |predicate: Value| {
        let app = app.clone();
        async move {
            let (status, body) = post(
                &app,
                "/api/catalog/entities/by-query",
                json!({"query": predicate, "limit": 100, "fields": ["metadata.name"]}),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            sorted(names(&body))
        }
    };
    // What convertFilterToPredicate makes of {kind: 'Component', 'spec.lifecycle': ['deprecated', 'experimental']}.
    assert_eq!(
        query(json!({"$all": [{"kind": "Component"}, {"spec.lifecycle": {"$in": ["deprecated", "EXPERIMENTAL"]}}]})).await,
        ["legacy-invoicing", "search-indexer"]
    );
    assert_eq!(
        query(json!({"kind": "component", "metadata.name": {"$hasPrefix": "Pay"}})).await,
        ["payment-gateway"]
    );
    assert_eq!(
        query(json!({"$all": [
            {"kind": "component", "relations.ownedby": "group:default/payments-team"},
            {"$not": {"metadata.name": "fraud-detector"}},
        ]}))
        .await,
        ["payment-gateway"]
    );
    assert_eq!(
        query(json!({"$any": [{"metadata.name": "ui-kit"}, {"metadata.name": "rust-common"}]}))
            .await,
        ["rust-common", "ui-kit"]
    );
    let libraries = query(json!({"kind": "component", "spec.type": "library"})).await;
    let without_lifecycle = query(json!({"kind": "component", "spec.type": "library",
                                          "spec.lifecycle": {"$exists": false}}))
    .await;
    assert_eq!(libraries, ["rust-common", "ui-kit"]);
    assert!(without_lifecycle.is_empty());
    assert_eq!(query(json!({"$any": []})).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn predicate_pages_follow_cursors_that_say_they_hold_a_query() {
    let (_db, app) = demo().await;
    let (status, first) = post(
        &app,
        "/api/catalog/entities/by-query",
        json!({
            "query": {"kind": "user"},
            "orderBy": [{"field": "metadata.name", "order": "desc"}],
            "limit": 3,
            "fields": ["metadata.name"],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["totalItems"], 8);
    assert!(first["pageInfo"].get("prevCursor").is_none());
    let next = first["pageInfo"]["nextCursor"].as_str().unwrap().to_owned();
    // catalog-client sends a cursor back by POST when its JSON has a `query` key.
    let decoded: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(&next)
            .unwrap(),
    )
    .unwrap();
    assert!(decoded.get("query").is_some(), "{decoded}");
    let (_, second) = post(
        &app,
        "/api/catalog/entities/by-query",
        json!({"cursor": next}),
    )
    .await;
    assert_eq!(names(&second).len(), 3);
    assert!(second["pageInfo"]["prevCursor"].is_string());
    let mut all = names(&first);
    all.extend(names(&second));
    let mut desc = all.clone();
    desc.sort_by(|a, b| b.cmp(a));
    assert_eq!(all, desc, "the second page continues the order");

    // totalItems=exclude answers 0, as Backstage does, and still pages.
    let (_, counted) = post(
        &app,
        "/api/catalog/entities/by-query",
        json!({"query": {"kind": "user"}, "limit": 3, "totalItems": "exclude"}),
    )
    .await;
    assert_eq!(counted["totalItems"], 0);
    assert!(counted["pageInfo"]["nextCursor"].is_string());
    let (_, got) = get(
        &app,
        "/api/catalog/entities/by-query?filter=kind=user&limit=3&totalItems=exclude",
    )
    .await;
    assert_eq!(got["totalItems"], 0);
    // A first page asked for with an offset has no prevCursor either.
    let (_, offset) = get(
        &app,
        "/api/catalog/entities/by-query?filter=kind=user&limit=3&offset=3",
    )
    .await;
    assert!(offset["pageInfo"].get("prevCursor").is_none(), "{offset}");
    let next = offset["pageInfo"]["nextCursor"].as_str().unwrap();
    let (_, third) = get(
        &app,
        &format!("/api/catalog/entities/by-query?cursor={}", encode(next)),
    )
    .await;
    assert!(third["pageInfo"]["prevCursor"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_predicates_are_refused_with_400_naming_the_place() {
    let (_db, app) = demo().await;
    for (body, says) in [
        (
            json!({"query": {"kind": {"$regex": "x"}}}),
            "query.kind: unknown operator $regex",
        ),
        (
            json!({"query": {"$not": {"kind": "api"}, "kind": "component"}}),
            "$not must be the only key",
        ),
        (json!({"query": ["kind"]}), "expected an object"),
        (
            json!({"orderBy": [{"field": "metadata.name", "order": "sideways"}]}),
            "'asc' or 'desc'",
        ),
        (json!({"cursor": "nonsense!"}), "invalid cursor"),
        (json!({"unknown": 1}), "unknown field"),
    ] {
        let (status, answer) = post(&app, "/api/catalog/entities/by-query", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["error"]["name"], "InputError");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{body}: {message}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn facets_count_over_a_predicate() {
    let (_db, app) = demo().await;
    let (status, body) = post(
        &app,
        "/api/catalog/entity-facets",
        json!({"facets": ["spec.lifecycle"], "query": {"kind": "component", "spec.owner": {"$in": ["payments-team", "user:katherine.johnson"]}}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["facets"]["spec.lifecycle"],
        json!([{"value": "production", "count": 2}, {"value": "deprecated", "count": 1}])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn locations_are_found_by_entity_and_by_query() {
    let (_db, app) = demo().await;
    let (status, location) = get(
        &app,
        "/api/catalog/locations/by-entity/component/default/payment-gateway",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{location}");
    assert_eq!(location["type"], "file");
    assert!(location["target"]
        .as_str()
        .unwrap()
        .ends_with("demo-catalog/catalog-info.yaml"));
    let (status, missing) = get(
        &app,
        "/api/catalog/locations/by-entity/component/default/nothing",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing["error"]["name"], "NotFoundError");

    let (status, page) = post(
        &app,
        "/api/catalog/locations/by-query",
        json!({"query": {"type": "file", "target": {"$hasPrefix": "/"}}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["totalItems"], 1);
    assert_eq!(page["items"][0]["id"], location["id"]);
    let (_, none) = post(
        &app,
        "/api/catalog/locations/by-query",
        json!({"query": {"type": "url"}}),
    )
    .await;
    assert_eq!(none["totalItems"], 0);
    assert_eq!(none["items"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn by_refs_leaves_out_what_a_filter_or_predicate_does_not_select() {
    let (_db, app) = demo().await;
    let refs = json!([
        "group:default/platform-team",
        "component:default/web-shop",
        "component:default/ui-kit"
    ]);
    let items = |body: Value| -> Vec<Value> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["metadata"]["name"].clone())
            .collect()
    };
    let (status, filtered) = post(
        &app,
        "/api/catalog/entities/by-refs?filter=kind=component,spec.type=library",
        json!({"entityRefs": refs, "fields": ["metadata.name"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{filtered}");
    assert_eq!(items(filtered), [Value::Null, Value::Null, json!("ui-kit")]);
    let (_, predicate) = post(
        &app,
        "/api/catalog/entities/by-refs",
        json!({"entityRefs": refs, "fields": ["metadata.name"], "query": {"$not": {"kind": "group"}}}),
    )
    .await;
    assert_eq!(
        items(predicate),
        [Value::Null, json!("web-shop"), json!("ui-kit")]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn facets_count_relation_targets() {
    let (_db, app) = demo().await;
    let (status, body) = get(
        &app,
        "/api/catalog/entity-facets?facet=relations.ownedBy&filter=kind=component,spec.type=library",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["facets"]["relations.ownedBy"],
        json!([{"value": "group:default/platform-team", "count": 2}])
    );
    // Over the whole catalog, and with a predicate.
    let (_, all) = get(&app, "/api/catalog/entity-facets?facet=relations.ownedby").await;
    let owners = all["facets"]["relations.ownedby"].as_array().unwrap();
    assert!(
        owners
            .iter()
            .any(|v| v["value"] == "group:default/payments-team"),
        "{all}"
    );
    let (_, predicate) = post(
        &app,
        "/api/catalog/entity-facets",
        json!({"facets": ["relations.ownedBy"], "query": {"metadata.name": {"$hasPrefix": "fraud"}}}),
    )
    .await;
    assert_eq!(
        predicate["facets"]["relations.ownedBy"],
        json!([{"value": "group:default/payments-team", "count": 2}])
    );
}
