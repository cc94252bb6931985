//! `/metrics`, on both engines: requests counted by route and status, location reads,
//! the catalog's size by kind, refresh lag, tasks and the connection pool, in
//! Prometheus's text format, for those the policy lets read them (`metrics.read`).

#[macro_use]
mod support;

use axum::{
    http::{header, StatusCode},
    Router,
};
use server::{
    catalog::location::Source,
    services::{
        identity::{GuestAccess, IdentitySettings},
        Portal,
    },
};
use support::{api::fetch, TestDb};

on_both_backends!(
    metrics_count_requests_reads_and_the_catalog,
    metrics_are_refused_to_those_the_policy_does_not_let_read_them,
);

const CATALOG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ledger}
spec: {type: service, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: broken}
spec: {type: service, lifecycle: production, owner: [not, a, string]}
";

async fn router(db: &TestDb, dir: &std::path::Path, guest: GuestAccess) -> Router {
    std::fs::write(dir.join("catalog-info.yaml"), CATALOG).unwrap();
    let mut portal = Portal::new(db.store.clone());
    portal.set_identity(IdentitySettings {
        guest,
        ..IdentitySettings::default()
    });
    portal
        .ingest_location(&Source::File(dir.join("catalog-info.yaml")))
        .await
        .unwrap();
    support::app(portal)
}

/// The value of the sample `series` (name and labels, as written) in `text`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().unwrap())
}

async fn metrics_count_requests_reads_and_the_catalog(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    // On loopback with no sign-in, the guest is the admin.
    let app = router(&db, dir.path(), GuestAccess::Admin).await;
    for _ in 0..3 {
        let (status, _, _) = fetch(
            &app,
            "/api/catalog/entities/by-name/component/default/checkout",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _, _) = fetch(
        &app,
        "/api/catalog/entities/by-name/component/default/nothing",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, headers, text) = fetch(&app, "/metrics").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let content_type = headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let route = "/api/catalog/entities/by-name/{kind}/{namespace}/{name}";
    let by_name = |status: u16| {
        format!("portico_http_request_duration_seconds_count{{method=\"GET\",route=\"{route}\",status=\"{status}\"}}")
    };
    assert_eq!(sample(&text, &by_name(200)), Some(3.0), "{text}");
    assert_eq!(sample(&text, &by_name(404)), Some(1.0), "{text}");
    assert_eq!(
        sample(&text, "portico_catalog_entities{kind=\"component\"}"),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "portico_catalog_entities{kind=\"group\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "portico_catalog_locations"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "portico_location_read_duration_seconds_count{outcome=\"changed\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "portico_location_problems_total"),
        Some(1.0),
        "{text}"
    );
    // Just read: nothing is due.
    assert_eq!(
        sample(&text, "portico_refresh_lag_seconds"),
        Some(0.0),
        "{text}"
    );
    let max = sample(&text, "portico_database_connections_max").unwrap();
    assert!(max >= 1.0, "{text}");
    assert!(
        sample(&text, "process_resident_memory_bytes").unwrap() > 1e6,
        "{text}"
    );

    // A second scrape counts the first.
    let (_, _, text) = fetch(&app, "/metrics").await;
    let scrape = "portico_http_request_duration_seconds_count{method=\"GET\",route=\"/metrics\",status=\"200\"}";
    assert_eq!(sample(&text, scrape), Some(1.0), "{text}");
}

async fn metrics_are_refused_to_those_the_policy_does_not_let_read_them(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let app = router(&db, dir.path(), GuestAccess::Read).await;
    // A guest who may read the catalog is told to sign in: only admins read metrics.
    let (status, _, body) = fetch(&app, "/metrics").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body.contains("the metrics"), "{body}");
    let app = router(&db, dir.path(), GuestAccess::Off).await;
    let (status, _, _) = fetch(&app, "/metrics").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
