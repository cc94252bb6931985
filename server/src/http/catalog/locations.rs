//! `/locations`: where the catalog reads its entities from.

use app::model::catalog::{entity::Entity, entity_ref::EntityRef, predicate::Predicate};
use axum::{
    extract::{rejection::JsonRejection, Path, Query, State},
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::query::{decode_cursor, encode_cursor};
use crate::{
    http::{error::ApiError, identity::Caller, AppState},
    services::OnConflict,
    store::LocationRow,
};

/// A location as Backstage's API shows it.
#[derive(Debug, Clone, Serialize)]
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

/// `GET /locations/by-entity/{kind}/{namespace}/{name}`: the location that holds the
/// entity.
pub async fn by_entity(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((kind, namespace, name)): Path<(String, String, String)>,
) -> Result<Json<LocationBody>, ApiError> {
    let entity_ref = EntityRef::new(&kind, &namespace, &name);
    let location = state.portal.location_of_entity(&who, &entity_ref).await?;
    location
        .map(|l| Json(l.into()))
        .ok_or_else(|| ApiError::not_found(format!("No location found for entity {entity_ref}")))
}

/// The body of `POST /locations/by-query` (`queryLocations`): a first request with an
/// optional predicate over `id`, `type` and `target`, or a cursor.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationQuery {
    #[serde(default)]
    query: Option<Value>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    cursor: Option<String>,
}

/// What a `queryLocations` cursor holds.
#[derive(Debug, Serialize, Deserialize)]
struct LocationCursor {
    #[serde(default)]
    query: Option<Value>,
    offset: usize,
    limit: usize,
}

/// The response of `POST /locations/by-query`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationPage {
    items: Vec<LocationBody>,
    total_items: usize,
    page_info: LocationPageInfo,
}

/// The cursor to the next page, if there is one.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationPageInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// The page size of `queryLocations` when the request gives none.
const LOCATIONS_LIMIT: usize = 100;

/// `POST /locations/by-query`: the locations a predicate selects, a page at a time, in
/// order of target.
pub async fn by_query(
    State(state): State<AppState>,
    body: Result<Json<LocationQuery>, JsonRejection>,
) -> Result<Json<LocationPage>, ApiError> {
    let Json(body) = body?;
    let cursor = match &body.cursor {
        Some(text) => {
            let mut cursor: LocationCursor = decode_cursor(text)?;
            cursor.limit = body.limit.unwrap_or(cursor.limit);
            cursor
        }
        None => LocationCursor {
            query: body.query,
            offset: 0,
            limit: body.limit.unwrap_or(LOCATIONS_LIMIT),
        },
    };
    let predicate = cursor
        .query
        .as_ref()
        .map(Predicate::from_json)
        .transpose()?;
    let mut selected: Vec<LocationBody> = state
        .portal
        .locations()
        .await?
        .into_iter()
        .map(LocationBody::from)
        .filter(|location| {
            predicate.as_ref().is_none_or(|p| {
                p.matches(&|key| match key {
                    "id" => vec![location.id.to_lowercase()],
                    "type" => vec![location.location_type.to_lowercase()],
                    "target" => vec![location.target.to_lowercase()],
                    _ => Vec::new(),
                })
            })
        })
        .collect();
    selected.sort_by(|a, b| a.target.cmp(&b.target).then_with(|| a.id.cmp(&b.id)));
    let total_items = selected.len();
    let end = (cursor.offset + cursor.limit).min(total_items);
    let items = selected
        .get(cursor.offset..end)
        .unwrap_or_default()
        .to_vec();
    let next_cursor = (end < total_items && cursor.limit > 0).then(|| {
        let next = LocationCursor {
            query: cursor.query.clone(),
            offset: end,
            limit: cursor.limit,
        };
        encode_cursor(&next)
    });
    Ok(Json(LocationPage {
        items,
        total_items,
        page_info: LocationPageInfo { next_cursor },
    }))
}

/// `PUT /locations/{id}` `{type, target}`: points the location elsewhere and reads it;
/// 200 with the location.
pub async fn update(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    body: Result<Json<CreateLocation>, JsonRejection>,
) -> Result<Json<LocationBody>, ApiError> {
    let Json(body) = body?;
    let location = state
        .portal
        .update_location(&who, &id, &body.location_type, &body.target)
        .await?;
    location
        .map(|l| Json(l.into()))
        .ok_or_else(|| ApiError::not_found(format!("Found no location with ID {id}")))
}

/// `DELETE /locations/{id}`: the location and every entity it holds.
pub async fn delete(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state.portal.delete_location(&who, &id).await? {
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

/// `?dryRun=true&onConflict=reject|refresh`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOptions {
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    on_conflict: Option<String>,
}

/// The response of `POST /locations`.
#[derive(Debug, Serialize)]
pub struct Created {
    location: LocationBody,
    entities: Vec<Entity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exists: Option<bool>,
}

/// `POST /locations[?dryRun=true][&onConflict=refresh]`: registers a location and reads
/// it (201; `entities` is empty, as Backstage documents: only a dry run lists them), or,
/// in a dry run, only reads it and says whether it is already registered. A location
/// registered already is a 409, or with `onConflict=refresh` read again now (201).
pub async fn create(
    State(state): State<AppState>,
    Caller(who): Caller,
    options: Result<Query<CreateOptions>, axum::extract::rejection::QueryRejection>,
    body: Result<Json<CreateLocation>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let Query(options) =
        options.map_err(|e| ApiError::bad_request(format!("invalid query: {}", e.body_text())))?;
    let Json(body) = body?;
    let on_conflict = match options.on_conflict.as_deref() {
        None | Some("reject") => OnConflict::Reject,
        Some("refresh") => OnConflict::Refresh,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "invalid onConflict '{other}': it must be 'reject' or 'refresh'"
            )))
        }
    };
    let registration = state
        .portal
        .register_location(
            &who,
            &body.location_type,
            &body.target,
            options.dry_run,
            on_conflict,
        )
        .await?;
    // 201 for a dry run too: Backstage answers so, and its client refuses anything else.
    Ok((
        StatusCode::CREATED,
        Json(Created {
            location: registration.location.into(),
            entities: if options.dry_run {
                registration.entities
            } else {
                Vec::new()
            },
            exists: options.dry_run.then_some(registration.exists),
        }),
    ))
}
