//! `/locations`: where the catalog reads its entities from.

use app::model::entity::Entity;
use axum::{
    extract::{rejection::JsonRejection, Path, Query, State},
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};

use crate::{
    http::{error::ApiError, AppState},
    store::LocationRow,
};

/// A location as Backstage's API shows it.
#[derive(Debug, Serialize)]
pub struct LocationBody {
    id: String,
    #[serde(rename = "type")]
    location_type: String,
    target: String,
}

impl From<LocationRow> for LocationBody {
    fn from(row: LocationRow) -> Self {
        Self {
            id: row.id,
            location_type: row.location_type,
            target: row.target,
        }
    }
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
            .map(|l| LocationItem { data: l.into() })
            .collect(),
    ))
}

/// `GET /locations/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<LocationBody>, ApiError> {
    let location = state.portal.location(&id).await?;
    location
        .map(|l| Json(l.into()))
        .ok_or_else(|| ApiError::not_found(format!("Found no location with ID {id}")))
}

/// `DELETE /locations/{id}`: the location and every entity it holds.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state.portal.delete_location(&id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "Found no location with ID {id}"
        )))
    }
}

/// The body of `POST /locations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateLocation {
    #[serde(rename = "type")]
    location_type: String,
    target: String,
}

/// `?dryRun=true`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOptions {
    #[serde(default)]
    dry_run: bool,
}

/// The response of `POST /locations`.
#[derive(Debug, Serialize)]
pub struct Created {
    location: LocationBody,
    entities: Vec<Entity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exists: Option<bool>,
}

/// `POST /locations[?dryRun=true]`: registers a location and reads it (201), or, in a
/// dry run, only reads it (200) and says whether it is already registered.
pub async fn create(
    State(state): State<AppState>,
    options: Result<Query<CreateOptions>, axum::extract::rejection::QueryRejection>,
    body: Result<Json<CreateLocation>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let Query(options) =
        options.map_err(|e| ApiError::bad_request(format!("invalid query: {}", e.body_text())))?;
    let Json(body) = body
        .map_err(|e| ApiError::bad_request(format!("invalid request body: {}", e.body_text())))?;
    let registration = state
        .portal
        .register_location(&body.location_type, &body.target, options.dry_run)
        .await?;
    // 201 for a dry run too: Backstage answers so, and its client refuses anything else.
    Ok((
        StatusCode::CREATED,
        Json(Created {
            location: registration.location.into(),
            entities: registration.entities,
            exists: options.dry_run.then_some(registration.exists),
        }),
    ))
}
