//! `/healthz` (the process is up) and `/readyz` (it can serve: the database answers).

use axum::{extract::State, http::StatusCode, Json};
use serde::Serialize;

use super::AppState;

/// The body of both probes.
#[derive(Debug, Serialize)]
pub struct Health {
    /// `ok`, `ready` or `unavailable`.
    status: &'static str,
    /// Why the portal is not ready, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Liveness: answers as long as the process serves HTTP.
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        error: None,
    })
}

/// Readiness: 200 once the database answers, 503 with the reason otherwise.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.portal.store().ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Health {
                status: "ready",
                error: None,
            }),
        ),
        Err(error) => {
            tracing::warn!(%error, "not ready: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    error: Some(error.to_string()),
                }),
            )
        }
    }
}
