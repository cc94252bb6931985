//! `/entities…`: reading entities.

use app::model::catalog::{
    entity::Entity,
    entity_ref::EntityRef,
    filter::{EntityQuery, FilterGroup},
    predicate::Predicate,
};
use axum::{
    extract::{rejection::JsonRejection, Path, RawQuery, State},
    http::{StatusCode, Uri},
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::items::{items, project, Item};

use crate::http::{error::ApiError, identity::Caller, AppState};

/// `GET /entities/by-name/{kind}/{namespace}/{name}`: one entity, compared without case.
pub async fn by_name(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((kind, namespace, name)): Path<(String, String, String)>,
) -> Result<Json<Item>, ApiError> {
    let entity_ref = EntityRef::new(&kind, &namespace, &name).to_string();
    match items(&state.portal, &who, &[entity_ref], &[]).await?.pop() {
        Some(item) => Ok(Json(item)),
        None => Err(ApiError::not_found(format!(
            "No entity named '{name}' found, with kind '{kind}' in namespace '{namespace}'"
        ))),
    }
}

/// `GET /entities/by-name/{kind}/{namespace}/{name}/ancestry`: the entity and the
/// Location entities that led to it, `{rootEntityRef, items: [{entity, parentEntityRefs}]}`.
pub async fn ancestry(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((kind, namespace, name)): Path<(String, String, String)>,
) -> Result<Json<crate::services::Ancestry>, ApiError> {
    let entity_ref = EntityRef::new(&kind, &namespace, &name);
    match state.portal.ancestry(&who, &entity_ref).await? {
        Some(ancestry) => Ok(Json(ancestry)),
        None => Err(ApiError::not_found(format!(
            "No entity named '{name}' found, with kind '{kind}' in namespace '{namespace}'"
        ))),
    }
}

/// Any other path under `/api/catalog`.
pub async fn unknown_route(uri: Uri) -> ApiError {
    ApiError::not_found(format!("The catalog API has no route {}", uri.path()))
}

/// `GET /entities/by-uid/{uid}`.
pub async fn by_uid(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(uid): Path<String>,
) -> Result<Json<Entity>, ApiError> {
    state
        .portal
        .entity_by_uid(&who, &uid)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("No entity with uid {uid}")))
}

/// `DELETE /entities/by-uid/{uid}`: 204, also when there is no such entity.
pub async fn delete_by_uid(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(uid): Path<String>,
) -> Result<StatusCode, ApiError> {
    // No such entity is not an error: Backstage answers 204 too (its API documents no
    // 404 here), so a delete can be retried. Someone who may delete no entity at all is
    // refused either way, so the answer does not tell whether the uid exists.
    state.portal.delete_entity_by_uid(&who, &uid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The body of `POST /entities/by-refs`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ByRefsRequest {
    entity_refs: Vec<String>,
    #[serde(default)]
    fields: Vec<String>,
    /// A predicate the entities must also match (`getEntitiesByRefs({query})`).
    #[serde(default)]
    query: Option<Value>,
}

/// `POST /entities/by-refs[?filter=…]`: the entities in the order asked, `null` for
/// those that do not exist, whose ref is not a ref, or that the `filter` parameters or
/// the body's `query` predicate leave out.
pub async fn by_refs(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
    body: Result<Json<ByRefsRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(request) = body?;
    let mut query = EntityQuery {
        predicate: request
            .query
            .as_ref()
            .map(Predicate::from_json)
            .transpose()?,
        ..EntityQuery::default()
    };
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "filter" => query.filter.push(FilterGroup::parse(&value)?),
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter '{other}'"
                )))
            }
        }
    }
    let refs: Vec<Option<String>> = request
        .entity_refs
        .iter()
        .map(|text| EntityRef::parse_full(text).ok().map(|r| r.to_string()))
        .collect();
    let wanted: Vec<String> = refs.iter().flatten().cloned().collect();
    let found: std::collections::HashMap<String, Entity> = state
        .portal
        .entities_selected(&who, &wanted, &query)
        .await?
        .into_iter()
        .map(|entity| (entity.entity_ref().to_string(), entity))
        .collect();
    let items: Vec<Value> = refs
        .iter()
        .map(|entity_ref| {
            let entity = entity_ref.as_ref().and_then(|r| found.get(r));
            entity.map_or(Value::Null, |e| project(e, &request.fields))
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}
