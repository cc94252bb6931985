//! `/healthz` (the process is up) and `/readyz` (it can serve: the catalog is loaded
//! and the database answers).

use std::sync::atomic::{AtomicU8, Ordering};

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

/// Where the process is in its life, as `/readyz` tells load balancers: `portico
/// serve` listens before it loads the catalog (so that liveness probes answer during a
/// long first load) and is ready only after it, and stops being ready as it stops.
#[derive(Debug)]
pub struct Readiness(AtomicU8);

const STARTING: u8 = 0;
const READY: u8 = 1;
const STOPPING: u8 = 2;

impl Readiness {
    /// Not ready yet: the catalog is being loaded.
    pub fn starting() -> Self {
        Self(AtomicU8::new(STARTING))
    }

    /// Ready (what a router built for tests or tools starts as).
    pub fn ready() -> Self {
        Self(AtomicU8::new(READY))
    }

    /// The start-up load is done.
    pub fn set_ready(&self) {
        // A stop asked for during the load stays a stop.
        let _ = self
            .0
            .compare_exchange(STARTING, READY, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// The process was asked to stop: load balancers should send nothing more.
    pub fn set_stopping(&self) {
        self.0.store(STOPPING, Ordering::SeqCst);
    }

    /// Why the portal cannot serve yet, or any more.
    fn not_ready(&self) -> Option<&'static str> {
        match self.0.load(Ordering::SeqCst) {
            STARTING => Some("starting: the catalog is being loaded"),
            STOPPING => Some("stopping"),
            _ => None,
        }
    }
}

/// Liveness: answers as long as the process serves HTTP.
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        error: None,
    })
}

/// Readiness: 200 once the start-up load is done and while the database answers, 503
/// with the reason otherwise.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    if let Some(reason) = state.readiness.not_ready() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable",
                error: Some(reason.to_owned()),
            }),
        );
    }
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
