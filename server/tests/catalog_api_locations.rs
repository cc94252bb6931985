//! The catalog API's locations: `PUT /locations/{id}` (catalog-client's
//! `updateLocation`) through the real router, on a catalog folder of the test's own.

mod support;

use axum::http::StatusCode;
use serde_json::{json, Value};
use server::{catalog::location::Source, services::Portal};
use support::api::{get, send};

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  \
         type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

/// The router over the catalog `root/catalog-info.yaml`, inside whose folder the API may
/// register file locations.
async fn catalog_in(root: &std::path::Path) -> (support::TestDb, axum::Router) {
    let db = support::sqlite().await;
    let mut portal = Portal::new(db.store.clone());
    portal.allow_file_locations_under(&[root.join("catalog-info.yaml")]);
    portal
        .ingest_location(&Source::File(root.join("catalog-info.yaml")))
        .await
        .unwrap();
    (db, support::app(portal))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_location_can_be_pointed_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("catalog-info.yaml"), component("root-service")).unwrap();
    std::fs::write(root.join("first.yaml"), component("checkout")).unwrap();
    std::fs::write(root.join("second.yaml"), component("ledger")).unwrap();
    let (_db, app) = catalog_in(root).await;
    let file = |name: &str| root.join(name).display().to_string();
    let (status, created) = send(
        &app,
        "POST",
        "/api/catalog/locations",
        Some(json!({"type": "file", "target": file("first.yaml")})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = created.unwrap()["location"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let put = |id: &str, body: Value| {
        let app = app.clone();
        let path = format!("/api/catalog/locations/{id}");
        async move { send(&app, "PUT", &path, Some(body)).await }
    };

    let (status, updated) = put(&id, json!({"type": "file", "target": file("second.yaml")})).await;
    assert_eq!(status, StatusCode::OK, "{updated:?}");
    assert_eq!(
        updated.unwrap(),
        json!({"id": id, "type": "file", "target": file("second.yaml")})
    );
    // The new target is read at once; what only the old one held is an orphan now.
    let (status, _) = get(
        &app,
        "/api/catalog/entities/by-name/component/default/ledger",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, checkout) = get(
        &app,
        "/api/catalog/entities/by-name/component/default/checkout",
    )
    .await;
    assert_eq!(
        checkout["metadata"]["annotations"]["backstage.io/orphan"],
        "true"
    );

    // Another location's target: a conflict. Outside the catalog, unknown: refused.
    let (status, conflict) = put(
        &id,
        json!({"type": "file", "target": file("catalog-info.yaml")}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict.unwrap()["error"]["name"], "ConflictError");
    let (status, _) = put(&id, json!({"type": "file", "target": "/etc/passwd"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, missing) = put(
        "00000000-0000-4000-8000-000000000000",
        json!({"type": "file", "target": file("first.yaml")}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing.unwrap()["error"]["name"], "NotFoundError");
    let (_, location) = get(&app, &format!("/api/catalog/locations/{id}")).await;
    assert_eq!(
        location["target"],
        json!(file("second.yaml")),
        "refusals change nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ancestry_climbs_the_locations_to_the_registered_ones_entity() {
    let (_db, app) = support::api::demo().await;
    let (status, ancestry) = get(
        &app,
        "/api/catalog/entities/by-name/component/default/payment-gateway/ancestry",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ancestry}");
    assert_eq!(
        ancestry["rootEntityRef"],
        "component:default/payment-gateway"
    );
    let chain: Vec<(String, Value)> = ancestry["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let e = &item["entity"];
            (
                format!(
                    "{}:{}",
                    e["kind"].as_str().unwrap(),
                    e["metadata"]["name"].as_str().unwrap()
                ),
                item["parentEntityRefs"].clone(),
            )
        })
        .collect();
    let (location_id, root_target) = {
        let (_, location) = get(
            &app,
            "/api/catalog/locations/by-entity/component/default/payment-gateway",
        )
        .await;
        (
            location["id"].clone(),
            location["target"].as_str().unwrap().to_owned(),
        )
    };
    assert!(location_id.is_string());
    // The registered location's own entity ends it: Backstage's name for it.
    use sha1::Digest;
    let digest = sha1::Sha1::digest(format!("file:{root_target}").as_bytes());
    let generated: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let generated = format!("generated-{generated}");
    assert_eq!(
        chain,
        [
            (
                "Component:payment-gateway".to_owned(),
                json!(["location:default/northwind-demo"])
            ),
            (
                "Location:northwind-demo".to_owned(),
                json!([format!("location:default/{generated}")])
            ),
            (format!("Location:{generated}"), json!([])),
        ]
    );
    let (_, root) = get(
        &app,
        &format!("/api/catalog/entities/by-name/location/default/{generated}/ancestry"),
    )
    .await;
    assert_eq!(root["items"].as_array().unwrap().len(), 1);
    // Its page lists what its target holds, not itself.
    let request = axum::http::Request::get(format!("/catalog/default/location/{generated}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.clone(), request)
        .await
        .unwrap();
    let html = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let html = String::from_utf8_lossy(&html).replace("<!>", "");
    assert!(html.contains("Entities it holds (1)"), "{html}");
    assert_eq!(
        root["items"][0]["entity"]["spec"],
        json!({"type": "file", "target": root_target})
    );
    let (status, missing) = get(
        &app,
        "/api/catalog/entities/by-name/component/default/nothing/ancestry",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing["error"]["name"], "NotFoundError");
}

#[tokio::test(flavor = "multi_thread")]
async fn analyze_location_lists_what_a_location_holds_or_suggests_an_entity() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("catalog-info.yaml"), component("root-service")).unwrap();
    std::fs::create_dir_all(root.join("billing")).unwrap();
    std::fs::write(root.join("billing/catalog-info.yaml"), component("billing")).unwrap();
    std::fs::create_dir_all(root.join("ledger-api")).unwrap();
    let (_db, app) = catalog_in(root).await;
    let analyze = |body: Value| {
        let app = app.clone();
        async move { send(&app, "POST", "/api/catalog/analyze-location", Some(body)).await }
    };
    let file = |name: &str| root.join(name).display().to_string();

    // A folder: its catalog-info.yaml is read; not registered yet.
    let (status, found) =
        analyze(json!({"location": {"type": "file", "target": file("billing")}})).await;
    assert_eq!(status, StatusCode::OK, "{found:?}");
    let found = found.unwrap();
    assert_eq!(found["generateEntities"], json!([]));
    assert_eq!(found["existingEntityFiles"].as_array().unwrap().len(), 1);
    let existing = &found["existingEntityFiles"][0];
    assert_eq!(existing["entity"]["metadata"]["name"], "billing");
    assert_eq!(existing["isRegistered"], false);
    assert_eq!(
        existing["location"],
        json!({"type": "file", "target": file("billing/catalog-info.yaml")})
    );
    // The registered root file says so.
    let (_, registered) =
        analyze(json!({"location": {"type": "file", "target": file("catalog-info.yaml")}})).await;
    assert_eq!(
        registered.unwrap()["existingEntityFiles"][0]["isRegistered"],
        true
    );

    // No descriptor: a Component to start from, its owner to be filled in.
    let (status, suggested) =
        analyze(json!({"location": {"type": "file", "target": file("ledger-api")}})).await;
    assert_eq!(status, StatusCode::OK);
    let suggested = suggested.unwrap();
    assert_eq!(suggested["existingEntityFiles"], json!([]));
    assert_eq!(
        suggested["generateEntities"][0]["entity"]["metadata"]["name"],
        "ledger-api"
    );
    assert_eq!(
        suggested["generateEntities"][0]["fields"][0]["field"],
        "spec.owner"
    );
    assert_eq!(
        suggested["generateEntities"][0]["fields"][0]["state"],
        "needsUserInput"
    );

    // Outside the catalog's folder, a URL that is not allowed, a path as file name: 400.
    for body in [
        json!({"location": {"type": "file", "target": "/etc"}}),
        json!({"location": {"target": "https://github.com/acme/repo"}}),
        json!({"location": {"type": "file", "target": file("billing")}, "catalogFilename": "../catalog-info.yaml"}),
    ] {
        let (status, error) = analyze(body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error.unwrap()["error"]["name"], "InputError");
    }
}
