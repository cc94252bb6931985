//! Dependency graphs and impact analysis on both storage engines: the part of a catalog
//! around some roots (depth, relation types, kinds, direction, missing refs, cycles, the
//! cut at the node limit), what breaks when an entity is down and what it needs, and
//! the JSON API's answers and errors.

#[macro_use]
mod support;

use app::model::identity::principal::Principal;
use app::model::{
    catalog::entity_ref::EntityRef,
    graph::{
        impact::ImpactWay,
        subgraph::{GraphQuery, Subgraph, MAX_NODES},
    },
};
use axum::http::StatusCode;
use server::{catalog::location::Source, services::Portal};

on_both_backends!(
    a_subgraph_follows_depth_relations_kinds_and_direction,
    impact_finds_every_dependent_with_its_chain_and_the_cycles,
);

/// A shop: a gateway providing an API that checkout consumes, both on one database,
/// a ledger depending on it too (and on a database nobody defined), checkout and
/// refunds depending on each other, all part of one system.
const SHOP: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: payments-db, title: Payments database}
spec: {type: database, owner: team-data, system: shop}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payment-gateway}
spec: {type: service, lifecycle: production, owner: team-pay, system: shop, providesApis: [payments], dependsOn: ['resource:payments-db']}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payments}
spec: {type: openapi, lifecycle: production, owner: team-pay, system: shop, definition: 'openapi: 3.0.0'}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, lifecycle: production, owner: team-web, system: shop, consumesApis: [payments], dependsOn: ['component:refunds']}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: refunds}
spec: {type: service, lifecycle: experimental, owner: team-web, dependsOn: ['component:checkout']}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ledger}
spec: {type: service, lifecycle: production, owner: team-data, dependsOn: ['resource:payments-db', 'resource:audit-db']}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: shop}
spec: {owner: team-web}
";

async fn shop(db: &support::TestDb) -> (tempfile::TempDir, Portal) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("catalog-info.yaml"), SHOP).unwrap();
    let portal = Portal::new(db.store.clone());
    let report = portal
        .ingest_location(&Source::File(dir.path().join("catalog-info.yaml")))
        .await
        .unwrap();
    assert_eq!(report.problems, 0);
    (dir, portal)
}

fn query(text: &str) -> GraphQuery {
    GraphQuery::from_query(text).unwrap()
}

/// `ref (depth)` of each node, and `source type target` of each edge.
fn drawn(graph: &Subgraph) -> (Vec<String>, Vec<String>) {
    (
        graph
            .nodes
            .iter()
            .map(|n| format!("{} ({})", n.entity_ref, n.depth))
            .collect(),
        graph
            .edges
            .iter()
            .map(|e| format!("{} {} {}", e.source, e.relation, e.target))
            .collect(),
    )
}

async fn a_subgraph_follows_depth_relations_kinds_and_direction(db: support::TestDb) {
    let (_dir, portal) = shop(&db).await;
    let graph = |text: &'static str| {
        let portal = &portal;
        async move {
            portal
                .subgraph(&Principal::guest(false), &query(text))
                .await
                .unwrap()
        }
    };

    // Depth 1, every relation both ways: the database's neighbours.
    let near = graph("root=resource:default/payments-db").await;
    let (nodes, _) = drawn(&near);
    assert_eq!(
        nodes,
        [
            "resource:default/payments-db (0)",
            "component:default/ledger (1)",
            "component:default/payment-gateway (1)",
            "group:default/team-data (1)",
            "system:default/shop (1)",
        ]
    );
    let db_node = &near.nodes[0];
    assert_eq!(
        (
            db_node.kind.as_str(),
            db_node.title.as_str(),
            db_node.owner.as_deref()
        ),
        (
            "Resource",
            "Payments database",
            Some("group:default/team-data")
        )
    );
    assert!(!near.truncated);
    // Both rows of each pair are edges; missing entities are nodes marked missing.
    let ledger = graph("root=component:default/ledger&relation=dependsOn&direction=out").await;
    let (nodes, edges) = drawn(&ledger);
    assert_eq!(
        nodes,
        [
            "component:default/ledger (0)",
            "resource:default/audit-db (1)",
            "resource:default/payments-db (1)",
        ]
    );
    assert_eq!(
        edges,
        [
            "component:default/ledger dependsOn resource:default/audit-db",
            "component:default/ledger dependsOn resource:default/payments-db",
        ]
    );
    let audit = ledger
        .nodes
        .iter()
        .find(|n| n.entity_ref.contains("audit"))
        .unwrap();
    assert!(audit.missing && audit.kind == "resource" && audit.title == "audit-db");

    // Against the edges: what depends on the database, step by step, without limit.
    let (nodes, _) = drawn(
        &graph("root=resource:default/payments-db&relation=dependsOn,consumesApi,providesApi&direction=in&depth=unlimited").await,
    );
    assert_eq!(
        nodes,
        [
            "resource:default/payments-db (0)",
            "component:default/ledger (1)",
            "component:default/payment-gateway (1)",
        ],
        "consumesApi/providesApi reversed lead nowhere from the gateway"
    );
    let (nodes, _) = drawn(
        &graph("root=api:default/payments&relation=consumesApi&direction=in&depth=unlimited").await,
    );
    assert_eq!(
        nodes,
        ["api:default/payments (0)", "component:default/checkout (1)"]
    );
    // A loop (checkout ↔ refunds) ends the walk.
    let (nodes, _) = drawn(
        &graph("root=component:default/checkout&relation=dependsOn&depth=unlimited&direction=out")
            .await,
    );
    assert_eq!(
        nodes,
        [
            "component:default/checkout (0)",
            "component:default/refunds (1)"
        ]
    );

    // Kinds: only components are entered (the root always is).
    let (nodes, _) =
        drawn(&graph("root=resource:default/payments-db&kind=component&depth=3").await);
    assert_eq!(
        nodes,
        [
            "resource:default/payments-db (0)",
            "component:default/ledger (1)",
            "component:default/payment-gateway (1)",
        ]
    );
    // Several roots.
    let (nodes, _) = drawn(
        &graph("root=component:default/ledger&root=component:default/refunds&relation=dependsOn&direction=out").await,
    );
    assert_eq!(nodes.len(), 5, "{nodes:?}");

    // A root the catalog does not hold.
    let error = portal
        .subgraph(
            &Principal::guest(false),
            &query("root=component:default/nowhere"),
        )
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("component:default/nowhere"),
        "{error}"
    );
}

async fn impact_finds_every_dependent_with_its_chain_and_the_cycles(db: support::TestDb) {
    let (_dir, portal) = shop(&db).await;
    let database = EntityRef::parse_full("resource:default/payments-db").unwrap();
    let impact = portal
        .impact(&Principal::guest(false), &database, ImpactWay::Dependents)
        .await
        .unwrap()
        .unwrap();
    let entries: Vec<String> = impact
        .entries
        .iter()
        .enumerate()
        .map(|(index, e)| {
            let relations: Vec<&str> = impact.chain(index).iter().map(|(r, _)| *r).collect();
            format!("{} {} {}", e.depth, e.entity_ref, relations.join(">"))
        })
        .collect();
    assert_eq!(
        entries,
        [
            "1 component:default/ledger dependencyOf",
            "1 component:default/payment-gateway dependencyOf",
            "1 system:default/shop partOf",
            "2 api:default/payments dependencyOf>providesApi",
            "3 component:default/checkout dependencyOf>providesApi>apiConsumedBy",
            "4 component:default/refunds dependencyOf>providesApi>apiConsumedBy>dependencyOf",
        ]
    );
    let checkout = &impact.entries[4];
    let path: Vec<&str> = impact.chain(4).iter().map(|(_, to)| *to).collect();
    assert_eq!(
        path,
        [
            "component:default/payment-gateway",
            "api:default/payments",
            "component:default/checkout"
        ]
    );
    assert_eq!(checkout.owner.as_deref(), Some("group:default/team-web"));
    assert_eq!(
        impact.cycles,
        [vec![
            "component:default/checkout",
            "component:default/refunds"
        ]]
    );

    let needs = portal
        .impact(
            &Principal::guest(false),
            &EntityRef::parse_full("component:default/checkout").unwrap(),
            ImpactWay::Needs,
        )
        .await
        .unwrap()
        .unwrap();
    let refs: Vec<&str> = needs
        .entries
        .iter()
        .map(|e| e.entity_ref.as_str())
        .collect();
    assert_eq!(
        refs,
        [
            "api:default/payments",
            "component:default/refunds",
            "component:default/payment-gateway",
            "resource:default/payments-db",
        ]
    );
    assert!(portal
        .impact(
            &Principal::guest(false),
            &EntityRef::parse_full("resource:default/audit-db").unwrap(),
            ImpactWay::Dependents
        )
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_walk_past_the_node_limit_is_cut_nearest_first() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = String::from(
        "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: hub}\nspec: {type: database, owner: team}\n",
    );
    for n in 0..MAX_NODES + 10 {
        yaml.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: c{n:04}}}\n\
             spec: {{type: service, lifecycle: production, owner: team, dependsOn: ['resource:hub']}}\n"
        ));
    }
    std::fs::write(dir.path().join("catalog-info.yaml"), yaml).unwrap();
    let portal = Portal::new(db.store.clone());
    portal
        .ingest_location(&Source::File(dir.path().join("catalog-info.yaml")))
        .await
        .unwrap();
    let graph = portal
        .subgraph(
            &Principal::guest(false),
            &query("root=resource:default/hub&relation=dependencyOf&direction=out&depth=unlimited"),
        )
        .await
        .unwrap();
    assert!(graph.truncated);
    assert_eq!(graph.nodes.len(), MAX_NODES);
    assert_eq!(graph.nodes[0].entity_ref, "resource:default/hub");
    assert_eq!(
        graph.edges.len(),
        MAX_NODES - 1,
        "edges only between kept nodes"
    );
}

#[tokio::test]
async fn the_api_answers_json_and_names_what_is_wrong() {
    let db = support::sqlite().await;
    let (_dir, portal) = shop(&db).await;
    let app = support::app(portal);
    let (status, body) = support::api::get(
        &app,
        "/api/graph/subgraph?root=resource:default/payments-db&depth=2&relation=dependencyOf&direction=out",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["truncated"], false);
    assert_eq!(body["nodes"][0]["ref"], "resource:default/payments-db");
    assert_eq!(body["edges"][0]["type"], "dependencyOf");

    let (status, body) =
        support::api::get(&app, "/api/graph/impact/resource/default/payments-db").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["entity"], "resource:default/payments-db");
    assert_eq!(body["dependents"].as_array().unwrap().len(), 6);
    assert_eq!(body["dependents"][0]["ref"], "component:default/ledger");
    assert_eq!(body["dependents"][0]["owner"], "group:default/team-data");
    assert_eq!(
        body["dependents"][4]["path"],
        serde_json::json!([
            "resource:default/payments-db",
            "component:default/payment-gateway",
            "api:default/payments",
            "component:default/checkout"
        ])
    );
    assert_eq!(
        body["dependents"][4]["relations"],
        serde_json::json!(["dependencyOf", "providesApi", "apiConsumedBy"])
    );
    assert_eq!(body["cycles"][0][0], "component:default/checkout");
    let (status, body) =
        support::api::get(&app, "/api/graph/needs/Component/default/checkout").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["needs"].as_array().unwrap().len(), 4);

    for (path, status, says) in [
        ("/api/graph/subgraph", StatusCode::BAD_REQUEST, "root"),
        (
            "/api/graph/subgraph?root=x:y&depth=zero",
            StatusCode::BAD_REQUEST,
            "depth 'zero'",
        ),
        (
            "/api/graph/subgraph?root=component:default/nowhere",
            StatusCode::NOT_FOUND,
            "nowhere",
        ),
        (
            "/api/graph/impact/component/default/nowhere",
            StatusCode::NOT_FOUND,
            "nowhere",
        ),
        (
            "/api/graph/needs/component/default/a:b",
            StatusCode::BAD_REQUEST,
            "not an entity ref",
        ),
    ] {
        let (got, body) = support::api::get(&app, path).await;
        assert_eq!(got, status, "{path}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{path}: {message}");
    }
}
