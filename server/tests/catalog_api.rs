//! The Backstage-compatible catalog API (`/api/catalog`) through the real router, on a
//! catalog ingested from files.

mod support;

use std::path::Path;

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use serde_json::{json, Value};
use server::{catalog::location::Source, services::Portal};
use support::api::{demo, encode, get, names, send};
use tower::ServiceExt;

const SERVICE: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: Checkout
  description: Takes orders
spec:
  type: service
  lifecycle: production
  owner: team-a
  providesApis: [orders]
";

const TEAM: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
";

async fn catalog(dir: &Path) -> (support::TestDb, Portal) {
    std::fs::write(
        dir.join("catalog-info.yaml"),
        format!("{SERVICE}---\n{TEAM}"),
    )
    .unwrap();
    let db = support::sqlite().await;
    let portal = Portal::new(db.store.clone());
    portal
        .ingest_location(&Source::File(dir.join("catalog-info.yaml")))
        .await
        .unwrap();
    (db, portal)
}

#[tokio::test(flavor = "multi_thread")]
async fn by_name_serves_the_entity_with_uid_etag_and_relations() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, portal) = catalog(dir.path()).await;
    let app = support::app(portal);

    let (status, entity) = get(
        &app,
        "/api/catalog/entities/by-name/Component/DEFAULT/checkout",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{entity}");
    assert_eq!(
        entity["metadata"]["name"], "Checkout",
        "the name is served as written"
    );
    assert_eq!(entity["metadata"]["namespace"], "default");
    assert!(entity["metadata"]["uid"]
        .as_str()
        .is_some_and(|uid| uid.len() == 36));
    assert!(entity["metadata"]["etag"].as_str().is_some());
    let file = dir.path().join("catalog-info.yaml").display().to_string();
    assert_eq!(
        entity["metadata"]["annotations"]["backstage.io/managed-by-location"],
        format!("file:{file}")
    );
    assert_eq!(
        entity["relations"],
        json!([
            {"type": "ownedBy", "targetRef": "group:default/team-a",
             "target": {"kind": "group", "namespace": "default", "name": "team-a"}},
            {"type": "providesApi", "targetRef": "api:default/orders",
             "target": {"kind": "api", "namespace": "default", "name": "orders"}},
        ])
    );
    assert!(entity.get("status").is_none());

    let (_, team) = get(&app, "/api/catalog/entities/by-name/group/default/team-a").await;
    assert_eq!(
        team["relations"],
        json!([{"type": "ownerOf", "targetRef": "component:default/checkout",
                "target": {"kind": "component", "namespace": "default", "name": "checkout"}}])
    );

    // The legacy `target` can be turned off.
    let (_db, mut portal) = catalog(dir.path()).await;
    portal.set_legacy_relation_target(false);
    let app = support::app(portal);
    let (_, team) = get(&app, "/api/catalog/entities/by-name/group/default/team-a").await;
    assert_eq!(
        team["relations"],
        json!([{"type": "ownerOf", "targetRef": "component:default/checkout"}])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_edit_keeps_the_last_good_version_and_reports_where() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, portal) = catalog(dir.path()).await;
    let broken = SERVICE
        .replace("  owner: team-a\n", "  owner: [team-a]\n")
        .replace("Takes orders", "Changed");
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        format!("{broken}---\n{TEAM}"),
    )
    .unwrap();
    portal.refresh_all().await.unwrap();

    let (_, entity) = get(
        &support::app(portal),
        "/api/catalog/entities/by-name/component/default/checkout",
    )
    .await;
    assert_eq!(
        entity["metadata"]["description"], "Takes orders",
        "the last good version stays"
    );
    let file = dir.path().join("catalog-info.yaml").display().to_string();
    assert_eq!(
        entity["status"]["items"],
        json!([{
            "type": "backstage.io/catalog-processing",
            "level": "error",
            "message": format!("{file}:9:3: spec.owner must be a string, not a list"),
            "error": {"name": "InputError", "message": format!("{file}:9:3: spec.owner must be a string, not a list")},
        }])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_have_backstages_shape() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, portal) = catalog(dir.path()).await;
    let app = support::app(portal);
    let (status, body) = get(&app, "/api/catalog/entities/by-name/component/default/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({
            "error": {"name": "NotFoundError", "message": "No entity named 'nope' found, with kind 'component' in namespace 'default'"},
            "request": {"method": "GET", "url": "/entities/by-name/component/default/nope"},
            "response": {"statusCode": 404},
        })
    );
    let (status, body) = get(&app, "/api/catalog/no-such-route").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["name"], "NotFoundError");
}

#[tokio::test(flavor = "multi_thread")]
async fn locations_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, portal) = catalog(dir.path()).await;
    let (status, body) = get(&support::app(portal), "/api/catalog/locations").await;
    assert_eq!(status, StatusCode::OK);
    let file = dir.path().join("catalog-info.yaml").display().to_string();
    assert_eq!(body[0]["data"]["type"], "file");
    assert_eq!(body[0]["data"]["target"], file);
    assert_eq!(body.as_array().unwrap().len(), 1);
}

/// The demo catalog, ingested from the repository's copy.
#[tokio::test(flavor = "multi_thread")]
async fn by_query_filters_like_backstage() {
    let (_db, app) = demo().await;
    let q = |query: &str| {
        let app = app.clone();
        let path = format!("/api/catalog/entities/by-query?{query}&limit=100&fields=metadata.name");
        async move { get(&app, &path).await.1 }
    };
    // AND within a filter, case-insensitive.
    let body = q("filter=Kind=Component,spec.lifecycle=Deprecated").await;
    assert_eq!(names(&body), ["legacy-invoicing"]);
    assert_eq!(body["totalItems"], 1);
    // OR across filters; a key repeated within a filter matches any of its values.
    assert_eq!(
        q("filter=kind=domain&filter=kind=system,metadata.name=payments").await["totalItems"],
        4
    );
    assert_eq!(q("filter=kind=domain,kind=system").await["totalItems"], 7);
    // A bare key: the key exists. Array items, also as `metadata.tags.x`.
    assert_eq!(
        names(&q("filter=kind=group,metadata.links.url").await),
        ["storefront-team"]
    );
    let pci = names(&q("filter=metadata.tags=pci").await);
    assert_eq!(pci, names(&q("filter=metadata.tags.pci").await));
    assert_eq!(
        pci,
        ["payments-api", "payment-gateway"],
        "ordered by entity ref by default"
    );
    // Relations, including the reverse ones derived from other entities.
    assert_eq!(
        names(&q("filter=relations.ownedby=user:default/grace.hopper").await),
        ["search-indexer"]
    );
    assert_eq!(
        names(&q("filter=relations.hasmember=user:default/alan.turing").await),
        ["payments-team"]
    );
    // Full text over name, title, description and tags by default.
    assert_eq!(
        names(&q("fullTextFilterTerm=Parcel&filter=kind=component").await),
        ["tracking-service"]
    );
    assert_eq!(
        q("fullTextFilterTerm=parcel&fullTextFilterFields=metadata.name").await["totalItems"],
        0
    );
    assert_eq!(
        q("fullTextFilterTerm=%25").await["totalItems"],
        0,
        "% is a character, not a wildcard"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn by_query_orders_projects_and_pages_with_cursors() {
    let (_db, app) = demo().await;
    let (status, first) = get(
        &app,
        "/api/catalog/entities/by-query?filter=kind=user&orderField=metadata.name,desc&limit=3&fields=metadata.name,kind",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["totalItems"], 8);
    assert_eq!(
        names(&first),
        ["margaret.hamilton", "katherine.johnson", "grace.hopper"]
    );
    assert_eq!(
        first["items"][0],
        json!({"kind": "User", "metadata": {"name": "margaret.hamilton"}})
    );
    assert!(first["pageInfo"].get("prevCursor").is_none());

    // Follow nextCursor to the end, then prevCursor back to the start.
    let mut seen = names(&first);
    let mut page = first;
    let mut pages = 1;
    while let Some(next) = page["pageInfo"]["nextCursor"].as_str() {
        page = get(
            &app,
            &format!("/api/catalog/entities/by-query?cursor={}", encode(next)),
        )
        .await
        .1;
        seen.extend(names(&page));
        pages += 1;
    }
    assert_eq!(pages, 3);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "pages continue the order");
    assert_eq!(seen.len(), 8);
    while let Some(prev) = page["pageInfo"]["prevCursor"].as_str() {
        page = get(
            &app,
            &format!("/api/catalog/entities/by-query?cursor={}", encode(prev)),
        )
        .await
        .1;
    }
    assert_eq!(
        names(&page),
        ["margaret.hamilton", "katherine.johnson", "grace.hopper"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn by_query_refuses_bad_parameters_with_400() {
    let (_db, app) = demo().await;
    for query in [
        "limit=-1",
        "offset=x",
        "filter==x",
        "orderField=metadata.name,sideways",
        "cursor=zz",
        "cursor=7b7d",
        "cursor=7b7d&filter=kind=api",
        "unknown=1",
    ] {
        let (status, body) = get(&app, &format!("/api/catalog/entities/by-query?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["name"], "InputError", "{query}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn facets_count_values_as_written() {
    let (_db, app) = demo().await;
    let (status, body) = get(
        &app,
        "/api/catalog/entity-facets?facet=spec.type&facet=kind&filter=kind=component",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"facets": {
            "kind": [{"value": "Component", "count": 12}],
            "spec.type": [{"value": "service", "count": 8}, {"value": "library", "count": 2}, {"value": "website", "count": 2}],
        }})
    );
    let (status, _) = get(&app, "/api/catalog/entity-facets").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread")]
async fn by_refs_keeps_order_and_gives_null_for_missing() {
    let (_db, app) = demo().await;
    let (status, body) = send(
        &app,
        "POST",
        "/api/catalog/entities/by-refs",
        Some(json!({"entityRefs": ["group:default/platform-team", "component:default/none", "Component:Default/Web-Shop", "::"], "fields": ["kind", "metadata.name"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body.unwrap(),
        json!({"items": [
            {"kind": "Group", "metadata": {"name": "platform-team"}},
            null,
            {"kind": "Component", "metadata": {"name": "web-shop"}},
            null,
        ]})
    );
    let (status, body) = send(
        &app,
        "POST",
        "/api/catalog/entities/by-refs",
        Some(json!({"refs": []})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body.unwrap()["error"]["name"], "InputError");
}

#[tokio::test(flavor = "multi_thread")]
async fn by_uid_reads_and_deletes() {
    let (_db, app) = demo().await;
    let (_, entity) = get(
        &app,
        "/api/catalog/entities/by-name/component/default/web-shop",
    )
    .await;
    let uid = entity["metadata"]["uid"].as_str().unwrap().to_owned();
    let (status, by_uid) = get(&app, &format!("/api/catalog/entities/by-uid/{uid}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_uid, entity);
    let (status, _) = send(
        &app,
        "DELETE",
        &format!("/api/catalog/entities/by-uid/{uid}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = get(&app, &format!("/api/catalog/entities/by-uid/{uid}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["name"], "NotFoundError");
    let (status, _) = send(
        &app,
        "DELETE",
        &format!("/api/catalog/entities/by-uid/{uid}"),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "deleting it again is no error"
    );
    // Its location still holds it: it is read again right away, and the entity is back
    // with a new uid.
    let started = std::time::Instant::now();
    let back = loop {
        let (status, back) = get(
            &app,
            "/api/catalog/entities/by-name/component/default/web-shop",
        )
        .await;
        if status == StatusCode::OK {
            break back;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the entity did not come back"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_ne!(back["metadata"]["uid"], json!(uid));
    assert_eq!(back["spec"], entity["spec"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn locations_can_be_registered_read_and_removed_within_the_catalog_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("team")).unwrap();
    std::fs::write(dir.path().join("root.yaml"), TEAM).unwrap();
    std::fs::write(dir.path().join("team/catalog-info.yaml"), SERVICE).unwrap();
    let db = support::sqlite().await;
    let mut portal = Portal::new(db.store.clone());
    portal.allow_file_locations_under(&[dir.path().join("root.yaml")]);
    portal
        .ingest_location(&Source::File(dir.path().join("root.yaml")))
        .await
        .unwrap();
    let app = support::app(portal);
    let target = dir
        .path()
        .join("team/catalog-info.yaml")
        .display()
        .to_string();
    let body = json!({"type": "file", "target": target});

    let (status, dry) = send(
        &app,
        "POST",
        "/api/catalog/locations?dryRun=true",
        Some(body.clone()),
    )
    .await;
    let dry = dry.unwrap();
    assert_eq!(
        status,
        StatusCode::CREATED,
        "as Backstage answers a dry run"
    );
    // The location's own Location entity first, as Backstage makes it, then the file's.
    let generated = &dry["entities"][0];
    assert_eq!(generated["kind"], "Location");
    assert!(generated["metadata"]["name"]
        .as_str()
        .unwrap()
        .starts_with("generated-"));
    assert_eq!(generated["spec"], json!({"type": "file", "target": target}));
    assert_eq!(
        (
            dry["exists"].clone(),
            dry["entities"][1]["metadata"]["name"].clone()
        ),
        (json!(false), json!("Checkout"))
    );
    let (status, _) = get(
        &app,
        "/api/catalog/entities/by-name/component/default/checkout",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a dry run stores nothing");

    let (status, created) = send(&app, "POST", "/api/catalog/locations", Some(body.clone())).await;
    assert_eq!(status, StatusCode::CREATED);
    let created = created.unwrap();
    // As Backstage documents it: the entities are listed by dry runs only.
    assert_eq!(created["entities"], json!([]));
    assert!(created.get("exists").is_none());
    let id = created["location"]["id"].as_str().unwrap().to_owned();
    let (status, _) = get(
        &app,
        "/api/catalog/entities/by-name/component/default/checkout",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = send(&app, "POST", "/api/catalog/locations", Some(body.clone())).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(again.unwrap()["error"]["name"], "ConflictError");
    // onConflict=refresh reads the registered location again instead: an edit arrives.
    std::fs::write(
        dir.path().join("team/catalog-info.yaml"),
        SERVICE.replace("Takes orders", "Takes and tracks orders"),
    )
    .unwrap();
    let (status, refreshed) = send(
        &app,
        "POST",
        "/api/catalog/locations?onConflict=refresh",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(refreshed.unwrap()["location"]["id"], json!(id));
    let (_, checkout) = get(
        &app,
        "/api/catalog/entities/by-name/component/default/checkout",
    )
    .await;
    assert_eq!(
        checkout["metadata"]["description"],
        "Takes and tracks orders"
    );
    let (status, _) = send(
        &app,
        "POST",
        "/api/catalog/locations?onConflict=merge",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, location) = get(&app, &format!("/api/catalog/locations/{id}")).await;
    assert_eq!(
        (status, location["target"].clone()),
        (StatusCode::OK, json!(target))
    );

    // Outside the configured catalog's folder, or not a file: refused.
    for (location_type, target) in [
        ("file", "/etc/passwd"),
        ("url", "https://example.com/catalog-info.yaml"),
    ] {
        let (status, error) = send(
            &app,
            "POST",
            "/api/catalog/locations",
            Some(json!({"type": location_type, "target": target})),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{target}");
        assert_eq!(error.unwrap()["error"]["name"], "InputError");
    }

    let (status, _) = send(
        &app,
        "DELETE",
        &format!("/api/catalog/locations/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = get(
        &app,
        "/api/catalog/entities/by-name/component/default/checkout",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "its entities went with it");
    let (status, _) = get(&app, &format!("/api/catalog/locations/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_reads_the_entitys_location_now() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, portal) = catalog(dir.path()).await;
    let app = support::app(portal);
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        format!(
            "{}---\n{TEAM}",
            SERVICE.replace("Takes orders", "Takes more orders")
        ),
    )
    .unwrap();
    let (status, _) = send(
        &app,
        "POST",
        "/api/catalog/refresh",
        Some(json!({"entityRef": "component:default/checkout"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, entity) = get(
        &app,
        "/api/catalog/entities/by-name/component/default/checkout",
    )
    .await;
    assert_eq!(entity["metadata"]["description"], "Takes more orders");
    let (status, _) = send(
        &app,
        "POST",
        "/api/catalog/refresh",
        Some(json!({"entityRef": "component:default/none"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_entity_lists_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, portal) = catalog(dir.path()).await;
    let app = support::app(portal);
    let valid = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": {"name": "g"}, "spec": {"type": "team", "children": []}});
    let (status, body) = send(
        &app,
        "POST",
        "/api/catalog/validate-entity",
        Some(json!({"entity": valid, "location": "url:x"})),
    )
    .await;
    assert_eq!((status, body.unwrap()), (StatusCode::OK, json!({})));
    let invalid = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": {"name": "Bad Name"}, "spec": {"type": "team"}});
    let (status, body) = send(
        &app,
        "POST",
        "/api/catalog/validate-entity",
        Some(json!({"entity": invalid, "location": "url:x"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let messages: Vec<String> = body.unwrap()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        messages,
        [
            "metadata.name 'Bad Name' may only contain letters, digits, '-', '_' and '.' (found ' ')",
            "spec.children is required for kind Group",
        ]
    );
    // The location ref is required, and must be `type:target`.
    for location in [json!("nowhere"), json!(":x"), json!(null)] {
        let (status, body) = send(
            &app,
            "POST",
            "/api/catalog/validate-entity",
            Some(json!({"entity": valid, "location": location})),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{location}");
        let body = body.unwrap();
        let message = body["errors"][0]["message"]
            .as_str()
            .or(body["error"]["message"].as_str())
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.contains("location") || message.contains("<type>:<target>"),
            "{location}: {message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_legacy_listing_pages_with_after_and_link() {
    let (_db, app) = demo().await;
    let request = Request::get("/api/catalog/entities?filter=kind=user&fields=metadata.name&order=asc:metadata.name&limit=5")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.ends_with("after=5>; rel=\"next\""), "{link}");
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let page: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(page.as_array().unwrap().len(), 5);
    assert_eq!(page[0], json!({"metadata": {"name": "ada.lovelace"}}));

    let next = link.trim_start_matches("<?").split('>').next().unwrap();
    let request = Request::get(format!("/api/catalog/entities?{next}"))
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert!(
        response.headers().get("link").is_none(),
        "the last page has no next link"
    );
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let rest: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(rest.as_array().unwrap().len(), 3);
    assert_eq!(rest[2], json!({"metadata": {"name": "margaret.hamilton"}}));

    let (status, body) = get(&app, "/api/catalog/entities?order=sideways").await;
    assert_eq!(
        (status, body["error"]["name"].clone()),
        (StatusCode::BAD_REQUEST, json!("InputError"))
    );
    // Without a limit: everything, as Backstage answers (streamed), in ref order.
    let (status, all) = get(&app, "/api/catalog/entities?fields=kind,metadata.name").await;
    assert_eq!(status, StatusCode::OK);
    let (_, counted) = get(&app, "/api/catalog/entities/by-query?limit=0").await;
    let all = all.as_array().unwrap();
    assert_eq!(all.len() as u64, counted["totalItems"].as_u64().unwrap());
    assert!(all.len() > 40, "{}", all.len());
    let (_, users) = get(
        &app,
        "/api/catalog/entities?filter=kind=user&order=desc:metadata.name&offset=6",
    )
    .await;
    assert_eq!(names_of(&users), ["alan.turing", "ada.lovelace"]);
}

fn names_of(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata"]["name"].as_str().unwrap())
        .collect()
}
