//! `POST /refresh` and `POST /validate-entity`.

use app::model::{catalog::entity_ref::EntityRef, catalog::validation::validate_entity};
use axum::{
    extract::{rejection::JsonRejection, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{error::ApiError, AppState};

/// The body of `POST /refresh`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    entity_ref: String,
}

/// `POST /refresh`: reads the entity's location again now.
pub async fn refresh(
    State(state): State<AppState>,
    body: Result<Json<RefreshRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(body) = body
        .map_err(|e| ApiError::bad_request(format!("invalid request body: {}", e.body_text())))?;
    let entity_ref = EntityRef::parse_full(&body.entity_ref)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    state.portal.refresh_entity(&entity_ref).await?;
    Ok(StatusCode::OK)
}

/// The body of `POST /validate-entity`. Backstage clients also send `location`, which
/// validation does not need.
#[derive(Debug, Deserialize)]
pub struct ValidateRequest {
    entity: Value,
}

/// `POST /validate-entity`: 200 `{}` when the entity is valid, 400 `{errors: […]}` with
/// one `{name, message}` per problem otherwise.
pub async fn validate(
    body: Result<Json<ValidateRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body
        .map_err(|e| ApiError::bad_request(format!("invalid request body: {}", e.body_text())))?;
    Ok(match validate_entity(&body.entity) {
        Ok(_) => (StatusCode::OK, Json(json!({}))).into_response(),
        Err(errors) => {
            let errors: Vec<Value> = errors
                .iter()
                .map(|e| json!({ "name": "InputError", "message": e.message }))
                .collect();
            (StatusCode::BAD_REQUEST, Json(json!({ "errors": errors }))).into_response()
        }
    })
}
