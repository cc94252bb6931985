//! The portal's search on both storage engines: entities by a misspelt name, docs pages
//! by a phrase of their body (one result per page, the section named), APIs by an
//! operation's path and a schema's name, templates by tag; type filters and facets;
//! the index follows changes to the catalog and the docs, and another replica builds
//! the same index from the database alone. Backstage's `/api/search/query` over it.

#[macro_use]
mod support;

use std::{path::Path, time::Duration};

use app::model::{
    identity::principal::Principal,
    search::{ResultType, SearchRequest, SearchResults},
};
use axum::http::StatusCode;
use server::{catalog::location::Source, services::Portal};
use support::{api::get, TestDb};

on_both_backends!(
    entities_docs_apis_and_templates_are_found,
    the_index_follows_changes_and_replicas_agree,
    backstage_s_search_api_answers_in_its_shape,
);

const LOCATION: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-service
  description: Takes card payments for the shop
  annotations:
    backstage.io/techdocs-ref: dir:.
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: inventory
  description: Counts stock in the warehouses
spec: {type: service, lifecycle: experimental, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: petstore
  description: Pets for sale
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition: |
    openapi: 3.0.0
    info: {title: Petstore, version: 1.0.0}
    paths:
      /pets/{petId}:
        get:
          operationId: getPetById
          summary: Find a pet by its id
    components:
      schemas:
        PetOwner:
          properties:
            name: {type: string}
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: rust-service
  title: Rust service
  description: An axum service with its pipeline
  tags: [rust, recommended]
spec:
  owner: team-a
  type: service
  parameters: []
  steps: []
";

const MKDOCS: &str =
    "site_name: Payments\nnav:\n  - Home: index.md\n  - Operations: operations.md\n";

const OPERATIONS: &str = "# Operations\n\n## Retries\n\nEvery client keeps a retry budget of ten \
                          percent of its calls.\n\n## Alerts\n\nPages go to the on-call person.\n";

fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

/// A location with its docs, read into a portal over `db`.
async fn portal(db: &TestDb, root: &Path) -> Portal {
    write(root, "catalog-info.yaml", LOCATION);
    write(root, "mkdocs.yml", MKDOCS);
    write(
        root,
        "docs/index.md",
        "# Payments\n\nHow card payments flow.\n",
    );
    write(root, "docs/operations.md", OPERATIONS);
    let mut portal = Portal::new(db.store.clone());
    portal.allow_file_locations_under(&[root.to_owned()]);
    read(&portal, root).await;
    portal
}

async fn read(portal: &Portal, root: &Path) {
    // Doc sets are rebuilt when their files' modification time moves.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let report = portal
        .ingest_location(&Source::File(root.join("catalog-info.yaml")))
        .await
        .unwrap();
    assert_eq!(report.problems, 0);
}

async fn search(portal: &Portal, request: SearchRequest) -> SearchResults {
    portal
        .search(&Principal::guest(false), &request)
        .await
        .unwrap()
}

async fn find(portal: &Portal, term: &str) -> SearchResults {
    search(
        portal,
        SearchRequest {
            term: term.to_owned(),
            ..SearchRequest::default()
        },
    )
    .await
}

fn titles(results: &SearchResults) -> Vec<&str> {
    results
        .hits
        .iter()
        .map(|hit| hit.about.title.as_str())
        .collect()
}

async fn entities_docs_apis_and_templates_are_found(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path()).await;

    // A misspelt name, typed to its end.
    let found = find(&portal, "paymnets service ").await;
    assert_eq!(
        found.hits[0].about.entity_ref,
        "component:default/payments-service"
    );
    assert_eq!(
        found.hits[0].about.location,
        "/catalog/default/component/payments-service"
    );

    // A phrase of a docs page's body: that page once, its section named and linked.
    let found = find(&portal, "\"retry budget\"").await;
    assert_eq!(titles(&found), ["Operations"], "{found:?}");
    let page = &found.hits[0];
    assert_eq!(page.about.result_type, ResultType::Docs);
    assert_eq!(page.section.as_deref(), Some("Retries"));
    assert_eq!(
        page.about.location,
        "/docs/default/component/payments-service/operations/#retries"
    );
    assert!(page.snippet.iter().any(|piece| matches!(
        piece,
        app::model::search::Snippet::Match(text) if text == "retry"
    )));
    assert_eq!(
        find(&portal, "\"budget retry\"").await.total,
        0,
        "words in order"
    );

    // An API by an operation's path and by a schema's name.
    for term in ["/pets/{petId}", "PetOwner", "getPetById"] {
        let found = find(&portal, term).await;
        assert_eq!(titles(&found), ["petstore"], "{term}");
        assert_eq!(found.hits[0].about.result_type, ResultType::Api);
    }
    assert_eq!(
        find(&portal, "/pets/{petId}").await.hits[0]
            .section
            .as_deref(),
        Some("GET /pets/{petId}")
    );

    // A template by tag, opened at its form.
    let found = find(&portal, "recommended").await;
    assert_eq!(titles(&found), ["Rust service"]);
    assert_eq!(
        found.hits[0].about.location,
        "/create/templates/default/rust-service"
    );

    // Filtered by type, the other types still counted.
    let everything = find(&portal, "service").await;
    assert!(everything.total >= 3, "{everything:?}");
    let templates = search(
        &portal,
        SearchRequest {
            term: "service".into(),
            types: vec![ResultType::Template],
            ..SearchRequest::default()
        },
    )
    .await;
    assert_eq!(titles(&templates), ["Rust service"]);
    assert_eq!(templates.facets.types, everything.facets.types);
    let counted: usize = everything.facets.types.iter().map(|f| f.count).sum();
    assert_eq!(counted, everything.total);
    let lifecycles = search(
        &portal,
        SearchRequest {
            term: "service".into(),
            lifecycles: vec!["experimental".into()],
            ..SearchRequest::default()
        },
    )
    .await;
    assert_eq!(titles(&lifecycles), ["inventory"]);
}

async fn the_index_follows_changes_and_replicas_agree(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let portal = portal(&db, root).await;
    assert_eq!(find(&portal, "warehouses").await.total, 1);

    // An entity changed, a docs page changed: the next search sees both.
    write(
        root,
        "catalog-info.yaml",
        &LOCATION.replace("Counts stock in the warehouses", "Tracks parcels"),
    );
    write(
        root,
        "docs/operations.md",
        &OPERATIONS.replace("retry budget", "backoff schedule"),
    );
    read(&portal, root).await;
    assert_eq!(find(&portal, "warehouses").await.total, 0);
    assert_eq!(titles(&find(&portal, "parcels").await), ["inventory"]);
    assert_eq!(find(&portal, "\"retry budget\"").await.total, 0);
    assert_eq!(
        titles(&find(&portal, "\"backoff schedule\"").await),
        ["Operations"]
    );

    // Another replica builds its index from the database alone, and answers alike.
    let replica = Portal::new(db.store.clone());
    for term in [
        "parcels",
        "\"backoff schedule\"",
        "PetOwner",
        "paymnets",
        "team",
    ] {
        let (here, there) = (find(&portal, term).await, find(&replica, term).await);
        assert_eq!(here, there, "{term}");
    }
    let size = replica.search_index_size().await.unwrap();
    assert_eq!(
        size.documents,
        6 + 2,
        "the entities and the location, two docs pages"
    );
    assert!(size.words > 20);
    assert!(size.bytes.total() > 1000);
}

async fn backstage_s_search_api_answers_in_its_shape(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let app = support::app(portal(&db, dir.path()).await);

    let (status, body) = get(
        &app,
        "/api/search/query?term=paymnets&types%5B%5D=software-catalog",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first = &body["results"][0];
    assert_eq!(first["type"], "software-catalog");
    assert_eq!(first["document"]["title"], "payments-service");
    assert_eq!(
        first["document"]["location"],
        "/catalog/default/component/payments-service"
    );
    assert_eq!(first["document"]["kind"], "Component");
    assert_eq!(first["document"]["owner"], "group:default/team-a");
    assert_eq!(first["rank"], 1);
    assert_eq!(first["highlight"]["preTag"], "<>");
    assert!(body["numberOfResults"].as_u64().unwrap() >= 1);

    let (_, docs) = get(&app, "/api/search/query?term=budget&types%5B0%5D=techdocs").await;
    assert_eq!(docs["numberOfResults"], 1);
    assert_eq!(docs["results"][0]["type"], "techdocs");
    assert!(docs["results"][0]["highlight"]["fields"]["text"]
        .as_str()
        .unwrap()
        .contains("<>budget</>"));

    // Pages by cursor, as Backstage's clients follow them.
    let (_, first_page) = get(&app, "/api/search/query?term=team&pageLimit=2").await;
    let total = first_page["numberOfResults"].as_u64().unwrap();
    assert!(total > 2);
    assert!(first_page.get("previousPageCursor").is_none());
    let cursor = first_page["nextPageCursor"].as_str().unwrap();
    let (_, second_page) = get(
        &app,
        &format!(
            "/api/search/query?term=team&pageLimit=2&pageCursor={}",
            support::api::encode(cursor)
        ),
    )
    .await;
    assert_eq!(second_page["results"][0]["rank"], 3);
    assert!(second_page["previousPageCursor"].is_string());
    assert_ne!(first_page["results"][0], second_page["results"][0]);

    let (status, error) = get(&app, "/api/search/query?term=x&filters%5Bcolour%5D=red").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("filters[colour]"));
}
