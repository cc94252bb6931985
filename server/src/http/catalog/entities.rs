//! `/entities…`: reading entities.

use app::model::{entity::Entity, entity_ref::EntityRef};
use axum::{
    extract::{Path, State},
    http::Uri,
    Json,
};

use crate::http::{error::ApiError, AppState};

/// `GET /entities/by-name/{kind}/{namespace}/{name}`: one entity, compared without case.
pub async fn by_name(
    State(state): State<AppState>,
    Path((kind, namespace, name)): Path<(String, String, String)>,
) -> Result<Json<Entity>, ApiError> {
    let entity_ref = EntityRef::new(&kind, &namespace, &name);
    match state.portal.entity(&entity_ref).await? {
        Some(entity) => Ok(Json(entity)),
        None => Err(ApiError::not_found(format!(
            "No entity named '{name}' found, with kind '{kind}' in namespace '{namespace}'"
        ))),
    }
}

/// Any other path under `/api/catalog`.
pub async fn unknown_route(uri: Uri) -> ApiError {
    ApiError::not_found(format!("The catalog API has no route {}", uri.path()))
}
