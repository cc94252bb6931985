//! ${{ values.name }}: ${{ values.description | default('a Northwind service') }}

use axum::{routing::get, Router};

#[tokio::main]
async fn main() {
    let app = Router::new()
        .route("/", get(|| async { "${{ values.name }}" }))
        .route("/healthz", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(("0.0.0.0", ${{ values.port }}))
        .await
        .expect("port ${{ values.port }} is free");
    println!("${{ values.name }} listening on port ${{ values.port }}");
    axum::serve(listener, app).await.expect("server runs");
}
