//! `/locations`: where the catalog reads its entities from.

use axum::{extract::State, Json};
use serde::Serialize;

use crate::http::{error::ApiError, AppState};

/// A location as Backstage's API shows it.
#[derive(Debug, Serialize)]
pub struct LocationBody {
    id: String,
    #[serde(rename = "type")]
    location_type: String,
    target: String,
}

/// Backstage wraps each listed location in `{data: …}`.
#[derive(Debug, Serialize)]
pub struct LocationItem {
    data: LocationBody,
}

/// `GET /locations`: every registered location.
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<LocationItem>>, ApiError> {
    let locations = state.portal.locations().await?;
    Ok(Json(
        locations
            .into_iter()
            .map(|l| LocationItem {
                data: LocationBody {
                    id: l.id,
                    location_type: l.location_type,
                    target: l.target,
                },
            })
            .collect(),
    ))
}
