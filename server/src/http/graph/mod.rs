//! The graph API under `/api/graph`, for automation: a part of the catalog as nodes and
//! edges, and impact analysis. Errors in Backstage's shape (400 for a bad parameter or
//! ref, 404 for an entity the catalog does not hold).

mod analysis;

use app::model::{
    catalog::entity_ref::EntityRef,
    graph::{
        impact::ImpactWay,
        subgraph::{GraphQuery, Subgraph},
    },
};
use axum::{
    extract::{Path, RawQuery, State},
    middleware,
    routing::get,
    Json, Router,
};

use self::analysis::Analysis;
use super::{
    error::{backstage_errors, ApiError},
    identity::Caller,
    AppState,
};

/// The routes under `/api/graph`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/subgraph", get(subgraph))
        .route("/impact/{kind}/{namespace}/{name}", get(dependents))
        .route("/needs/{kind}/{namespace}/{name}", get(needs))
        .layer(middleware::from_fn(backstage_errors))
}

/// `GET /subgraph?root=REF&depth=N&relation=T&kind=K&direction=out|in|both` →
/// `{nodes: [{ref, kind, title, owner, lifecycle, missing, depth}], edges: [{source,
/// target, type}], truncated}`.
async fn subgraph(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Subgraph>, ApiError> {
    let query =
        GraphQuery::from_query(&query.unwrap_or_default()).map_err(ApiError::bad_request)?;
    Ok(Json(state.portal.subgraph(&who, &query).await?))
}

/// `GET /impact/{kind}/{namespace}/{name}` → `{entity, dependents: [{ref, owner, depth,
/// path, relations}], cycles}`.
async fn dependents(
    state: State<AppState>,
    who: Caller,
    path: Path<(String, String, String)>,
) -> Result<Analysis, ApiError> {
    analysis(state, who, path, ImpactWay::Dependents).await
}

/// `GET /needs/{kind}/{namespace}/{name}` → `{entity, needs: […], cycles}`.
async fn needs(
    state: State<AppState>,
    who: Caller,
    path: Path<(String, String, String)>,
) -> Result<Analysis, ApiError> {
    analysis(state, who, path, ImpactWay::Needs).await
}

async fn analysis(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((kind, namespace, name)): Path<(String, String, String)>,
    way: ImpactWay,
) -> Result<Analysis, ApiError> {
    let text = format!("{kind}:{namespace}/{name}");
    let entity_ref = EntityRef::parse_full(&text).map_err(|error| {
        ApiError::bad_request(format!("'{text}' is not an entity ref: {error}"))
    })?;
    match state.portal.impact(&who, &entity_ref, way).await? {
        Some(impact) => Ok(Analysis(impact)),
        None => Err(ApiError::not_found(format!("No entity {entity_ref}"))),
    }
}
