//! Requests to the router as the API tests make them, and the demo catalog behind one.

use std::path::Path;

use axum::{
    body::Body,
    http::{HeaderMap, Request, StatusCode},
    Router,
};
use serde_json::Value;
use server::{catalog::location::Source, services::Portal};
use tower::ServiceExt;

/// `GET path`: the status and the JSON body.
pub async fn get(app: &Router, path: &str) -> (StatusCode, Value) {
    let request = Request::get(path).body(Body::empty()).unwrap();
    let response = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        app.clone().oneshot(request),
    )
    .await
    .expect("the API answers")
    .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

/// `GET path` as a guest: the status, headers and body as text.
pub async fn fetch(app: &Router, path: &str) -> (StatusCode, HeaderMap, String) {
    let request = Request::get(path).body(Body::empty()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (
        parts.status,
        parts.headers,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

/// `method path` with an optional JSON body: the status and the JSON body, if any.
pub async fn send(
    app: &Router,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Option<Value>) {
    send_as(app, None, method, path, body).await
}

/// [`send`] with `Authorization: Bearer <token>` when a token is given.
pub async fn send_as(
    app: &Router,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Option<Value>) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some(body) => {
            request = request.header("content-type", "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).ok())
}

/// The router over the demo catalog, read from `server/demo-catalog` as a file location.
pub async fn demo() -> (super::TestDb, Router) {
    let db = super::sqlite().await;
    let portal = Portal::new(db.store.clone());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo-catalog/catalog-info.yaml");
    let report = portal
        .ingest_location(&Source::File(root.clone()))
        .await
        .unwrap();
    assert_eq!(report.problems, 0);
    let app = super::app(portal);
    (db, app)
}

/// The `metadata.name` of each item of a response.
pub fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata"]["name"].as_str().unwrap().to_owned())
        .collect()
}

/// `text` encoded for a query string (cursors are base64, with `+`, `/` and `=`).
pub fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
