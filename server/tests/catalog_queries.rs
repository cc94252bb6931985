//! Catalog queries through the real router on both storage engines, over the demo
//! catalog: paging to the end with cursors and offsets, counts, orders, full text, OR
//! filters, relation filters and facets. The two engines must give the same answers.

#[macro_use]
mod support;

use std::collections::BTreeSet;

use app::model::catalog::filter::{EntityQuery, FilterGroup, FullText, Order, OrderField};
use axum::{
    body::Body,
    http::{Request, StatusCode},
    Router,
};
use serde_json::Value;
use server::services::Portal;
use tower::ServiceExt;

on_both_backends!(
    cursor_paging_visits_every_match_once_in_order,
    offsets_and_orders_count_every_match,
    filters_full_text_and_facets_select_the_right_entities,
    walking_an_index_orders_like_sorting,
    catalog_page_facets_leave_out_their_own_selection,
    facets_of_a_search_count_alike_with_a_filter_every_entity_meets,
);

/// The router over the demo catalog, ingested into `db`.
async fn demo(db: &support::TestDb) -> Router {
    let mut portal = Portal::new(db.store.clone());
    portal.set_demo_catalog(true).await.unwrap();
    support::app(portal)
}

async fn get(app: &Router, path: &str) -> Value {
    let request = Request::get(path).body(Body::empty()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// `kind:namespace/name` of each item, lower-case.
fn refs(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let m = &item["metadata"];
            format!(
                "{}:{}/{}",
                item["kind"].as_str().unwrap(),
                m["namespace"].as_str().unwrap(),
                m["name"].as_str().unwrap()
            )
            .to_lowercase()
        })
        .collect()
}

fn total(page: &Value) -> usize {
    page["totalItems"].as_u64().unwrap() as usize
}

async fn cursor_paging_visits_every_match_once_in_order(db: support::TestDb) {
    let app = demo(&db).await;
    let components = get(
        &app,
        "/api/catalog/entities/by-query?filter=kind=component&limit=1000",
    )
    .await;
    let all = refs(&components);
    assert!(all.len() > 10, "the demo has components");
    assert_eq!(total(&components), all.len());

    let mut seen = Vec::new();
    let mut page = get(
        &app,
        "/api/catalog/entities/by-query?filter=kind=component&limit=4",
    )
    .await;
    loop {
        assert_eq!(total(&page), all.len(), "every page counts every match");
        seen.extend(refs(&page));
        let Some(cursor) = page["pageInfo"]["nextCursor"].as_str() else {
            break;
        };
        page = get(
            &app,
            &format!("/api/catalog/entities/by-query?cursor={cursor}"),
        )
        .await;
    }
    assert_eq!(seen, all, "pages visit every component once, in ref order");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
}

async fn offsets_and_orders_count_every_match(db: support::TestDb) {
    let app = demo(&db).await;
    let apis = total(
        &get(
            &app,
            "/api/catalog/entities/by-query?filter=kind=api&limit=1",
        )
        .await,
    );
    assert!(apis >= 4);

    // Past the end: no items, the count still right.
    let beyond = get(
        &app,
        &format!(
            "/api/catalog/entities/by-query?filter=kind=api&offset={}",
            apis + 5
        ),
    )
    .await;
    assert!(refs(&beyond).is_empty());
    assert_eq!(total(&beyond), apis);

    // Ordered by name, descending: counted in the same pass as the sort.
    let by_name = get(
        &app,
        "/api/catalog/entities/by-query?filter=kind=api&orderField=metadata.name,desc&limit=2",
    )
    .await;
    assert_eq!(total(&by_name), apis);
    let names: Vec<String> = refs(&by_name);
    let every = refs(
        &get(
            &app,
            "/api/catalog/entities/by-query?filter=kind=api&limit=1000",
        )
        .await,
    );
    let mut expected = every.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, expected[..2].to_vec());
}

async fn filters_full_text_and_facets_select_the_right_entities(db: support::TestDb) {
    let app = demo(&db).await;
    // OR across filters, AND within one.
    let services_or_groups = get(
        &app,
        "/api/catalog/entities/by-query?filter=kind=component,spec.type=service&filter=kind=group&limit=1000",
    )
    .await;
    let found = refs(&services_or_groups);
    assert!(found.contains(&"group:default/payments-team".to_owned()));
    assert!(found.contains(&"component:default/payment-gateway".to_owned()));
    assert!(found
        .iter()
        .all(|r| r.starts_with("group:") || r.starts_with("component:")));
    assert_eq!(total(&services_or_groups), found.len());

    // A relation filter: what the payments team owns.
    let owned = refs(&get(
        &app,
        "/api/catalog/entities/by-query?filter=relations.ownedby=group:default/payments-team&limit=1000",
    )
    .await);
    assert!(owned.contains(&"component:default/payment-gateway".to_owned()));

    // Full text on name and title, ordered by name.
    let text = get(
        &app,
        "/api/catalog/entities/by-query?fullTextFilterTerm=PAYMENT&fullTextFilterFields=metadata.name,metadata.title&orderField=metadata.name,asc&limit=1000",
    )
    .await;
    let matched = refs(&text);
    assert!(matched.contains(&"component:default/payment-gateway".to_owned()));
    assert!(matched.iter().all(|r| r.contains("payment")), "{matched:?}");
    assert_eq!(total(&text), matched.len());
    let unique: BTreeSet<&String> = matched.iter().collect();
    assert_eq!(
        unique.len(),
        matched.len(),
        "an entity matching twice is listed once"
    );

    // Facets count entities, most common first, within a filter.
    let facets = get(
        &app,
        "/api/catalog/entity-facets?facet=spec.type&filter=kind=component",
    )
    .await;
    let counts = facets["facets"]["spec.type"].as_array().unwrap();
    let services = counts.iter().find(|c| c["value"] == "service").unwrap()["count"]
        .as_u64()
        .unwrap() as usize;
    let listed = total(
        &get(
            &app,
            "/api/catalog/entities/by-query?filter=kind=component,spec.type=service&limit=1",
        )
        .await,
    );
    assert_eq!(services, listed);
    let numbers: Vec<u64> = counts
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .collect();
    assert!(
        numbers.windows(2).all(|w| w[0] >= w[1]),
        "most common first: {numbers:?}"
    );
}

/// Both engines, the same catalog, the same answers (uids and etags aside).
#[tokio::test]
async fn sqlite_and_postgres_answer_alike() {
    let (sqlite, postgres) = (support::sqlite().await, support::postgres().await);
    let (a, b) = (demo(&sqlite).await, demo(&postgres).await);
    for path in [
        "/api/catalog/entities/by-query?limit=1000",
        "/api/catalog/entities/by-query?filter=kind=component&orderField=spec.lifecycle,asc&orderField=metadata.name,desc&limit=7",
        "/api/catalog/entities/by-query?filter=spec.type&fullTextFilterTerm=ing&limit=50",
        "/api/catalog/entities/by-query?filter=metadata.tags=java&filter=metadata.tags=go",
        "/api/catalog/entity-facets?facet=spec.owner&facet=metadata.tags&facet=kind",
        "/api/catalog/entity-facets?facet=relations.ownedby&facet=relations.dependson&filter=kind=component",
    ] {
        compare(get(&a, path).await, get(&b, path).await, path);
    }
    // Predicate queries: every operator, nested.
    let predicates = serde_json::json!([
        {"$all": [{"kind": "component"}, {"$not": {"spec.lifecycle": {"$in": ["production"]}}}]},
        {"$any": [{"metadata.name": {"$hasPrefix": "pay"}}, {"metadata.tags": {"$contains": "java"}}]},
        {"kind": "api", "spec.definition": {"$exists": true}, "relations.apiprovidedby": {"$exists": true}},
        {"metadata.annotations.backstage.io/orphan": {"$exists": false}, "metadata.name": {"$hasPrefix": "a_%"}},
        {"$not": {"$any": []}},
    ]);
    for predicate in predicates.as_array().unwrap() {
        let body = serde_json::json!({"query": predicate, "limit": 1000});
        let path = "/api/catalog/entities/by-query";
        compare(
            post(&a, path, &body).await,
            post(&b, path, &body).await,
            &body.to_string(),
        );
        let facets =
            serde_json::json!({"facets": ["kind", "relations.ownedby"], "query": predicate});
        let path = "/api/catalog/entity-facets";
        compare(
            post(&a, path, &facets).await,
            post(&b, path, &facets).await,
            &facets.to_string(),
        );
    }
}

async fn post(app: &Router, path: &str, body: &Value) -> Value {
    let request = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "POST {path} {body}");
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// Asserts two answers are the same, uids, etags and cursors aside.
fn compare(mut left: Value, mut right: Value, what: &str) {
    for page in [&mut left, &mut right] {
        for item in page["items"].as_array_mut().into_iter().flatten() {
            let metadata = item["metadata"].as_object_mut().unwrap();
            metadata.remove("uid");
            metadata.remove("etag");
        }
        if let Some(info) = page.get_mut("pageInfo") {
            *info = Value::Null;
        }
    }
    assert_eq!(left, right, "{what}");
}

/// The two ways of ordering a page (sorting the selection, or walking the order key's
/// index for large selections) give the same pages: every order, direction, missing and
/// multi-valued key, with and without filters and full text, paged to the end.
async fn walking_an_index_orders_like_sorting(db: support::TestDb) {
    let _app = demo(&db).await;
    let sorting = db.store.clone();
    let mut walking = server::store::Store::connect(&db.url).await.unwrap();
    walking.set_sort_walk_from(0);
    let filters = [
        vec![],
        vec![FilterGroup::parse("kind=component").unwrap()],
        vec![
            FilterGroup::parse("kind=component,kind=api").unwrap(),
            FilterGroup::parse("kind=group").unwrap(),
        ],
    ];
    for key in [
        "metadata.name",
        "spec.lifecycle",
        "metadata.tags",
        "spec.owner",
    ] {
        for order in [Order::Asc, Order::Desc] {
            for filter in &filters {
                for full_text in [None, Some("e")] {
                    let mut query = EntityQuery {
                        filter: filter.clone(),
                        order: vec![OrderField {
                            key: key.into(),
                            order,
                        }],
                        full_text: full_text.map(|term| FullText {
                            term: term.into(),
                            fields: vec!["metadata.name".into(), "metadata.title".into()],
                        }),
                        limit: 7,
                        ..Default::default()
                    };
                    loop {
                        let sorted = sorting.query_entities(&query).await.unwrap();
                        let walked = walking.query_entities(&query).await.unwrap();
                        assert_eq!(
                            walked, sorted,
                            "{key} {order:?} {filter:?} {full_text:?} at {}",
                            query.offset
                        );
                        if sorted.0.is_empty() {
                            break;
                        }
                        query.offset += query.limit;
                    }
                }
            }
        }
    }
    walking.close().await;
}

/// The catalog page's facets: each counts within every other facet's selection but not
/// its own, so the alternatives stay visible; a selected value is listed even when
/// nothing has it.
async fn catalog_page_facets_leave_out_their_own_selection(db: support::TestDb) {
    use app::model::{
        catalog::catalog_view::{CatalogView, Facet},
        catalog::starred::Starred,
    };
    let mut portal = Portal::new(db.store.clone());
    portal.set_demo_catalog(true).await.unwrap();
    let view = CatalogView::from_query("kind=component&lifecycle=no-such-lifecycle");
    let guest = portal.guest();
    let facets = portal
        .catalog_facets(&guest, &view, &Starred::default())
        .await
        .unwrap();
    let counts = |facet: Facet| {
        facets
            .iter()
            .find(|f| f.facet == facet)
            .unwrap()
            .values
            .clone()
    };
    // Kind counts within lifecycle=no-such-lifecycle: nothing, but the selected kind stays.
    assert_eq!(counts(Facet::Kind), [("component".to_owned(), 0)]);
    // Lifecycle counts within kind=component: the components' lifecycles, and the
    // selected value with 0.
    let lifecycles = counts(Facet::Lifecycle);
    assert!(
        lifecycles.iter().any(|(v, c)| v == "production" && *c > 0),
        "{lifecycles:?}"
    );
    assert_eq!(
        lifecycles.last().unwrap(),
        &("no-such-lifecycle".to_owned(), 0)
    );
    let total: u64 = lifecycles.iter().map(|(_, c)| c).sum();
    assert_eq!(
        total, 12,
        "every component has one lifecycle: {lifecycles:?}"
    );
    // Within both selections: nothing to count.
    assert!(counts(Facet::Type).is_empty());

    let page = portal
        .catalog_page(
            &guest,
            &view.toggled(Facet::Lifecycle, "no-such-lifecycle"),
            &Starred::default(),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 12);
    assert_eq!(page.rows.len(), 12);

    // Owned by me: Ada is in the storefront team, which owns these.
    let ada = portal
        .principal_for(
            app::model::catalog::entity_ref::EntityRef::parse_full("user:default/ada.lovelace")
                .unwrap(),
            app::model::identity::principal::Credential::Session,
        )
        .await
        .unwrap();
    let owned = CatalogView::from_query("owned=true");
    let page = portal
        .catalog_page(&ada, &owned, &Starred::default())
        .await
        .unwrap();
    assert!(page.total > 0);
    assert!(
        page.rows
            .iter()
            .all(|row| row.owner.as_deref() == Some("storefront-team")),
        "{:?}",
        page.rows
    );
    assert!(page.rows.iter().any(|row| row.name == "checkout-service"));
    let owned_facets = portal
        .catalog_facets(&ada, &owned, &Starred::default())
        .await
        .unwrap();
    let kinds: u64 = owned_facets
        .iter()
        .find(|f| f.facet == Facet::Kind)
        .unwrap()
        .values
        .iter()
        .map(|(_, count)| count)
        .sum();
    assert_eq!(kinds, page.total, "the counts are of what Ada owns");
    // The guest owns nothing.
    let none = portal
        .catalog_page(&guest, &owned, &Starred::default())
        .await
        .unwrap();
    assert_eq!(none.total, 0);
}

/// The facets of a term alone and of the term with a filter every entity meets (`kind`
/// exists) count the same values with the same spellings, for short and long terms, one
/// key or several.
async fn facets_of_a_search_count_alike_with_a_filter_every_entity_meets(db: support::TestDb) {
    let _app = demo(&db).await;
    let keys: Vec<String> = [
        "kind",
        "spec.type",
        "spec.owner",
        "spec.lifecycle",
        "metadata.namespace",
        "metadata.tags",
    ]
    .map(String::from)
    .to_vec();
    for term in ["a", "pay", "team", "no such thing"] {
        let full_text = Some(FullText {
            term: term.into(),
            fields: vec![
                "metadata.name".into(),
                "metadata.title".into(),
                "metadata.description".into(),
                "metadata.tags".into(),
            ],
        });
        let alone = EntityQuery {
            full_text: full_text.clone(),
            ..Default::default()
        };
        let filtered = EntityQuery {
            filter: vec![FilterGroup::parse("kind").unwrap()],
            full_text,
            ..Default::default()
        };
        let alone_counts = db.store.facets(&keys, &alone).await.unwrap();
        let filtered_counts = db.store.facets(&keys, &filtered).await.unwrap();
        assert_eq!(alone_counts, filtered_counts, "{term}");
        if term == "a" {
            assert!(alone_counts[0].iter().map(|(_, c)| c).sum::<i64>() > 20);
        }
        // One key at a time answers the same as all of them together.
        let tags = db.store.facets(&keys[5..], &alone).await.unwrap();
        assert_eq!(tags[0], alone_counts[5], "{term}");
    }
}
