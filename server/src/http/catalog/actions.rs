//! `POST /refresh`, `POST /validate-entity` and `POST /analyze-location`.

use app::model::{catalog::entity_ref::EntityRef, catalog::validation::validate_entity};
use axum::{
    extract::{rejection::JsonRejection, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{error::ApiError, identity::Caller, AppState};

/// The body of `POST /refresh`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    entity_ref: String,
}

/// `POST /refresh`: reads the entity's location again now.
pub async fn refresh(
    State(state): State<AppState>,
    Caller(who): Caller,
    body: Result<Json<RefreshRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(body) = body?;
    let entity_ref = EntityRef::parse_full(&body.entity_ref)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    state.portal.refresh_entity(&who, &entity_ref).await?;
    Ok(StatusCode::OK)
}

/// The body of `POST /analyze-location`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeRequest {
    location: AnalyzeTarget,
    #[serde(default)]
    catalog_filename: Option<String>,
}

/// `{type, target}`; `type` defaults to `url`, as catalog-client's does.
#[derive(Debug, Deserialize)]
pub struct AnalyzeTarget {
    #[serde(rename = "type", default = "url")]
    location_type: String,
    target: String,
}

fn url() -> String {
    "url".to_owned()
}

/// `POST /analyze-location`: what registering the location would bring in (200).
pub async fn analyze(
    State(state): State<AppState>,
    body: Result<Json<AnalyzeRequest>, JsonRejection>,
) -> Result<Json<crate::services::Analysis>, ApiError> {
    let Json(body) = body?;
    let analysis = state
        .portal
        .analyze_location(
            &body.location.location_type,
            &body.location.target,
            body.catalog_filename.as_deref(),
        )
        .await?;
    Ok(Json(analysis))
}

/// The body of `POST /validate-entity`: the entity, and the location ref
/// (`type:target`) it would be read from, as Backstage requires.
#[derive(Debug, Deserialize)]
pub struct ValidateRequest {
    entity: Value,
    location: String,
}

/// `POST /validate-entity`: 200 `{}` when the entity is valid, 400 `{errors: […]}` with
/// one `{name, message}` per problem otherwise (the location ref's first).
pub async fn validate(
    body: Result<Json<ValidateRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body?;
    let location_ok = body
        .location
        .split_once(':')
        .is_some_and(|(kind, target)| !kind.trim().is_empty() && !target.trim().is_empty());
    if !location_ok {
        let message = format!(
            "Unable to parse location ref '{}', expected '<type>:<target>', e.g. 'url:https://host/path'",
            body.location
        );
        let errors = json!({ "errors": [{ "name": "InputError", "message": message }] });
        return Ok((StatusCode::BAD_REQUEST, Json(errors)).into_response());
    }
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
