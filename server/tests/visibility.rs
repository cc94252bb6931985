//! Read rules with conditions on the entity: an entity a person may not read is absent
//! everywhere — lists, counts, facets, full-text search, single reads, other entities'
//! relations, graphs, impact analysis and the REST API —, on both engines.

#[macro_use]
mod support;

use app::model::{
    catalog::{
        catalog_view::CatalogRow,
        entity_ref::EntityRef,
        filter::{EntityQuery, FilterGroup, FullText},
        starred::Starred,
    },
    graph::{impact::ImpactWay, subgraph::GraphQuery},
    identity::principal::{Credential, Principal},
    search::{SearchRequest, SearchResults},
};
use axum::http::StatusCode;
use server::{
    catalog::location::Source,
    services::{
        identity::{GuestAccess, IdentitySettings},
        CatalogError, Portal,
    },
};
use support::{
    api::{get, names},
    TestDb,
};

const CATALOG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: search}
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
spec: {memberOf: [search]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: root}
spec: {memberOf: [admins]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: web, description: the web shop}
spec: {type: website, lifecycle: production, owner: search, system: shop, dependsOn: [component:checkout]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout, description: takes the shop's payments, tags: [confidential]}
spec: {type: service, lifecycle: production, owner: payments, system: shop, dependsOn: [resource:ledger-db]}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: ledger-db}
spec: {type: database, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: shop}
spec: {owner: search}
";

/// Admins see everything; confidential entities only their owners; the rest everyone.
const POLICY: &str = r#"[
    {"effect": "allow", "actions": ["*"], "when": {"admin": true}},
    {"effect": "deny", "actions": ["catalog.entity.read", "docs.read"],
     "when": {"tags": ["confidential"], "owner": false},
     "reason": "confidential: only its owners may read it"},
    {"effect": "allow", "actions": ["catalog.entity.read", "docs.read", "scaffolder.task.read"]}
]"#;

async fn portal(db: &TestDb, dir: &std::path::Path) -> Portal {
    std::fs::write(dir.join("catalog-info.yaml"), CATALOG).unwrap();
    let mut portal = Portal::new(db.store.clone());
    portal.set_identity(IdentitySettings {
        guest: GuestAccess::Read,
        policy: serde_json::from_str(POLICY).unwrap(),
        ..IdentitySettings::default()
    });
    portal.allow_file_locations_under(&[dir.join("catalog-info.yaml")]);
    portal
        .ingest_location(&Source::File(dir.join("catalog-info.yaml")))
        .await
        .unwrap();
    portal
}

async fn person(portal: &Portal, user: &str) -> Principal {
    portal
        .principal_for(EntityRef::parse_full(user).unwrap(), Credential::Session)
        .await
        .unwrap()
}

fn r(text: &str) -> EntityRef {
    EntityRef::parse_full(text).unwrap()
}

/// The refs `query` finds for `who`, and the total it reports.
async fn found(portal: &Portal, who: &Principal, query: EntityQuery) -> (Vec<String>, u64) {
    let (entities, total) = portal
        .query_entities(
            who,
            &EntityQuery {
                limit: 100,
                ..query
            },
        )
        .await
        .unwrap();
    let mut refs: Vec<String> = entities
        .iter()
        .map(|e| e.entity_ref().to_string())
        .collect();
    refs.sort();
    (refs, total)
}

fn components() -> EntityQuery {
    EntityQuery {
        filter: vec![FilterGroup::parse("kind=component").unwrap()],
        ..EntityQuery::default()
    }
}

async fn lists_counts_facets_and_search_leave_hidden_entities_out(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path()).await;
    let alice = person(&portal, "user:default/alice").await;
    let bob = person(&portal, "user:default/bob").await;
    let root = person(&portal, "user:default/root").await;
    let guest = portal.guest();

    for who in [&alice, &root] {
        let (refs, total) = found(&portal, who, components()).await;
        assert_eq!(
            refs,
            ["component:default/checkout", "component:default/web"]
        );
        assert_eq!(total, 2);
    }
    for who in [&bob, &guest] {
        let (refs, total) = found(&portal, who, components()).await;
        assert_eq!(refs, ["component:default/web"], "{}", who.user);
        assert_eq!(total, 1, "no count gives checkout away");
    }

    // Facets and the home page's counts.
    let kinds = |who: Principal| {
        let portal = &portal;
        async move {
            let counted = portal
                .facets(&who, &["kind".to_owned()], &EntityQuery::default())
                .await
                .unwrap();
            let summary = portal.catalog_summary(&who).await.unwrap();
            let component_count = summary
                .kinds
                .iter()
                .find(|k| k.kind.eq_ignore_ascii_case("component"))
                .map(|k| k.count);
            let facet = counted[0]
                .iter()
                .find(|(value, _)| value.eq_ignore_ascii_case("component"))
                .map(|(_, count)| *count);
            (facet, component_count)
        }
    };
    assert_eq!(kinds(alice.clone()).await, (Some(2), Some(2)));
    assert_eq!(kinds(bob.clone()).await, (Some(1), Some(1)));

    // Full-text search: the description matches, the entity stays hidden.
    let search = EntityQuery {
        full_text: Some(FullText {
            term: "payments".into(),
            fields: vec!["metadata.description".into()],
        }),
        ..EntityQuery::default()
    };
    assert_eq!(
        found(&portal, &alice, search.clone()).await.0,
        ["component:default/checkout"]
    );
    assert_eq!(found(&portal, &bob, search).await, (vec![], 0));

    // The picker a template shows.
    let choices = portal
        .entity_choices(&bob, Vec::new(), "check", None)
        .await
        .unwrap();
    assert!(choices.is_empty(), "{choices:?}");
}

async fn single_reads_and_relations_hide_them_too(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path()).await;
    let alice = person(&portal, "user:default/alice").await;
    let bob = person(&portal, "user:default/bob").await;
    let checkout = r("component:default/checkout");

    assert!(portal.entity(&alice, &checkout).await.unwrap().is_some());
    assert!(portal.entity(&bob, &checkout).await.unwrap().is_none());
    assert!(portal.entity_page(&bob, &checkout).await.unwrap().is_none());
    assert!(portal
        .location_of_entity(&bob, &checkout)
        .await
        .unwrap()
        .is_none());

    // Web's page and descriptor keep no trace of checkout; alice's keep it.
    let relation_targets = |who: Principal, entity: &'static str| {
        let portal = &portal;
        async move {
            let entity = portal.entity(&who, &r(entity)).await.unwrap().unwrap();
            entity
                .relations
                .iter()
                .map(|rel| rel.target_ref.to_string())
                .collect::<Vec<_>>()
        }
    };
    let seen_by_bob = relation_targets(bob.clone(), "component:default/web").await;
    assert!(
        !seen_by_bob.contains(&checkout.to_string()),
        "{seen_by_bob:?}"
    );
    let owned = relation_targets(bob.clone(), "group:default/payments").await;
    assert!(!owned.contains(&checkout.to_string()), "{owned:?}");
    assert!(owned.contains(&"resource:default/ledger-db".to_owned()));
    let seen_by_alice = relation_targets(alice.clone(), "component:default/web").await;
    assert!(seen_by_alice.contains(&checkout.to_string()));

    let page = portal
        .entity_page(&bob, &r("system:default/shop"))
        .await
        .unwrap()
        .unwrap();
    assert!(page.related.iter().all(|rel| rel.target != checkout));
    if let Some(diagram) = &page.diagram {
        assert!(
            !diagram.contains("checkout"),
            "the system's diagram shows it"
        );
    }
}

async fn graphs_and_impact_do_not_walk_through_hidden_entities(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path()).await;
    let alice = person(&portal, "user:default/alice").await;
    let bob = person(&portal, "user:default/bob").await;
    let query = |text: &str| GraphQuery::from_query(text).unwrap();

    let nodes = |who: Principal, text: &'static str| {
        let portal = &portal;
        async move {
            let graph = portal.subgraph(&who, &query(text)).await.unwrap();
            let mut refs: Vec<String> = graph.nodes.into_iter().map(|n| n.entity_ref).collect();
            refs.sort();
            (refs, graph.edges.len())
        }
    };
    let all = "root=component:default/web&depth=3&relation=dependsOn";
    assert_eq!(
        nodes(alice.clone(), all).await.0,
        [
            "component:default/checkout",
            "component:default/web",
            "resource:default/ledger-db"
        ]
    );
    // Ledger-db is visible, but only reached through checkout: not shown either.
    assert_eq!(
        nodes(bob.clone(), all).await,
        (vec!["component:default/web".to_owned()], 0)
    );
    match portal
        .subgraph(&bob, &query("root=component:default/checkout"))
        .await
    {
        Err(CatalogError::NotFound(message)) => {
            assert_eq!(message, "No entity component:default/checkout")
        }
        other => panic!("bob's graph of checkout: {other:?}"),
    }

    let needs = |who: Principal| {
        let portal = &portal;
        async move {
            let impact = portal
                .impact(&who, &r("component:default/web"), ImpactWay::Needs)
                .await
                .unwrap()
                .unwrap();
            impact
                .entries
                .iter()
                .map(|e| e.entity_ref.clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        needs(alice.clone()).await,
        ["component:default/checkout", "resource:default/ledger-db"]
    );
    assert!(needs(bob.clone()).await.is_empty());
    let dependents = portal
        .impact(
            &bob,
            &r("component:default/checkout"),
            ImpactWay::Dependents,
        )
        .await
        .unwrap();
    assert!(dependents.is_none());
}

async fn the_rest_api_answers_404_and_counts_without_them(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path()).await;
    let app = support::app(portal);

    // The guest is not an owner of checkout.
    let (status, body) = get(
        &app,
        "/api/catalog/entities/by-name/component/default/checkout",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = get(&app, "/api/catalog/entities?filter=kind=component").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(body[0]["metadata"]["name"], "web");
    let (_, body) = get(&app, "/api/catalog/entities/by-query?filter=kind=component").await;
    assert_eq!(names(&body), ["web"]);
    assert_eq!(body["totalItems"], 1, "{body}");
    // Web's text, kept for every reader, loses its relation to checkout for the guest,
    // whole and picked by field.
    for fields in ["", "&fields=relations"] {
        let url = format!("/api/catalog/entities/by-query?filter=kind=component{fields}");
        let (_, body) = get(&app, &url).await;
        let targets: Vec<&str> = body["items"][0]["relations"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|rel| rel["targetRef"].as_str())
            .collect();
        assert!(!targets.is_empty(), "{body}");
        assert!(!targets.contains(&"component:default/checkout"), "{body}");
    }
    let (_, body) = get(&app, "/api/catalog/entity-facets?facet=metadata.tags").await;
    assert_eq!(
        body["facets"]["metadata.tags"],
        serde_json::json!([]),
        "{body}"
    );
    let (status, _) = get(&app, "/api/graph/subgraph?root=component:default/checkout").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&app, "/api/graph/needs/component/default/checkout").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(
        &app,
        "/api/catalog/locations/by-entity/component/default/checkout",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_home_page_lists_what_is_mine_that_i_may_read(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path()).await;
    let alice = person(&portal, "user:default/alice").await;
    let bob = person(&portal, "user:default/bob").await;
    let stars = Starred::from_cookie_header(
        "portico_starred=component:default/checkout|component:default/web",
    );
    assert_eq!(stars.refs().len(), 2, "the cookie is read");
    let refs = |rows: &[CatalogRow]| {
        rows.iter()
            .map(|row| row.entity_ref.to_string())
            .collect::<Vec<_>>()
    };

    let mine = portal.mine(&alice, &stars).await.unwrap();
    assert_eq!(
        refs(&mine.owned),
        ["component:default/checkout", "resource:default/ledger-db"]
    );
    assert_eq!(mine.owned_total, 2);
    assert_eq!(
        refs(&mine.starred),
        ["component:default/checkout", "component:default/web"]
    );
    // Bob starred checkout once, when it was not confidential: the star stays hidden.
    let mine = portal.mine(&bob, &stars).await.unwrap();
    assert_eq!(
        refs(&mine.owned),
        ["component:default/web", "system:default/shop"]
    );
    assert_eq!(refs(&mine.starred), ["component:default/web"]);
    assert_eq!(mine.starred_total, 1);
    assert!(portal
        .mine(&portal.guest(), &Starred::default())
        .await
        .unwrap()
        .is_empty());
}

/// The portal's search: a hidden entity is no result, counts in no facet, and its
/// words find nothing; its owner finds it.
async fn portal_search_leaves_hidden_entities_out(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let portal = portal(&db, dir.path()).await;
    let alice = person(&portal, "user:default/alice").await;
    let bob = person(&portal, "user:default/bob").await;
    let search = |who: Principal, term: &str| {
        let portal = &portal;
        let request = SearchRequest {
            term: term.to_owned(),
            ..SearchRequest::default()
        };
        async move { portal.search(&who, &request).await.unwrap() }
    };
    let refs = |results: &SearchResults| {
        results
            .hits
            .iter()
            .map(|hit| hit.about.entity_ref.clone())
            .collect::<Vec<_>>()
    };

    let for_bob = search(bob.clone(), "shop").await;
    assert!(!refs(&for_bob).contains(&"component:default/checkout".to_owned()));
    assert!(refs(&for_bob).contains(&"component:default/web".to_owned()));
    assert_eq!(for_bob.total, for_bob.hits.len());
    let counted: usize = for_bob.facets.types.iter().map(|f| f.count).sum();
    assert_eq!(counted, for_bob.total, "no facet counts it");
    assert_eq!(
        search(bob, "takes").await.total,
        0,
        "its words find nothing"
    );
    assert_eq!(search(portal.guest(), "takes").await.total, 0);

    let for_alice = search(alice, "takes").await;
    assert_eq!(refs(&for_alice), ["component:default/checkout"]);
}

on_both_backends!(
    portal_search_leaves_hidden_entities_out,
    the_home_page_lists_what_is_mine_that_i_may_read,
    lists_counts_facets_and_search_leave_hidden_entities_out,
    single_reads_and_relations_hide_them_too,
    graphs_and_impact_do_not_walk_through_hidden_entities,
    the_rest_api_answers_404_and_counts_without_them,
);
