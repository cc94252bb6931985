//! `/metrics` in Prometheus's text format, for whoever the policy lets read it
//! (`metrics.read`: admins by default; Prometheus sends a service token), and the
//! middleware that counts every request by route and status.

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{error::ApiError, identity::Caller, AppState};
use crate::services::{operations::OperationsError, Portal};

impl From<OperationsError> for ApiError {
    fn from(error: OperationsError) -> Self {
        match error {
            OperationsError::Refused(refusal) => refusal.into(),
            OperationsError::Store(error) => error.into(),
        }
    }
}

/// `GET /metrics`.
pub async fn page(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<Response, ApiError> {
    let text = state.portal.metrics_text(&who).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

/// Counts a request under its route's pattern (`/api/catalog/entities/by-name/{kind}/…`;
/// what no route matched — static files, the 404 page — counts as `unmatched`), its
/// method and status, with the time until its response's head was ready.
pub async fn count_requests(
    State(portal): State<std::sync::Arc<Portal>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    // The pattern is shared (a reference count), not copied.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let response = next.run(request).await;
    portal.metrics().request(
        method.as_str(),
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
