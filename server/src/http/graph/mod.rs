//! The graph API under `/api/graph`, for automation: a part of the catalog as nodes and
//! edges, and impact analysis. Errors in Backstage's shape (400 for a bad parameter or
//! ref, 404 for an entity the catalog does not hold).

use app::model::{
    catalog::entity_ref::EntityRef,
    graph::{
        impact::{Impact, ImpactEntry, ImpactWay},
        subgraph::{GraphQuery, Subgraph},
    },
};
use axum::{
    extract::{Path, RawQuery, State},
    middleware,
    routing::get,
    Json, Router,
};

use super::{
    error::{backstage_errors, ApiError},
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
    RawQuery(query): RawQuery,
) -> Result<Json<Subgraph>, ApiError> {
    let query =
        GraphQuery::from_query(&query.unwrap_or_default()).map_err(ApiError::bad_request)?;
    Ok(Json(state.portal.subgraph(&query).await?))
}

/// `GET /impact/{kind}/{namespace}/{name}` → `{entity, dependents: [{ref, owner, depth,
/// path, relations}], cycles}`.
async fn dependents(
    state: State<AppState>,
    path: Path<(String, String, String)>,
) -> Result<Json<Analysis>, ApiError> {
    analysis(state, path, ImpactWay::Dependents).await
}

/// `GET /needs/{kind}/{namespace}/{name}` → `{entity, needs: […], cycles}`.
async fn needs(
    state: State<AppState>,
    path: Path<(String, String, String)>,
) -> Result<Json<Analysis>, ApiError> {
    analysis(state, path, ImpactWay::Needs).await
}

/// An analysis as the API writes it: `{entity, dependents|needs: […], cycles}`.
#[derive(serde::Serialize)]
struct Analysis {
    entity: String,
    #[serde(flatten)]
    entries: std::collections::HashMap<&'static str, Vec<ImpactEntry>>,
    cycles: Vec<Vec<String>>,
}

async fn analysis(
    State(state): State<AppState>,
    Path((kind, namespace, name)): Path<(String, String, String)>,
    way: ImpactWay,
) -> Result<Json<Analysis>, ApiError> {
    let text = format!("{kind}:{namespace}/{name}");
    let entity_ref = EntityRef::parse_full(&text).map_err(|error| {
        ApiError::bad_request(format!("'{text}' is not an entity ref: {error}"))
    })?;
    let Some(Impact {
        entity,
        entries,
        cycles,
        ..
    }) = state.portal.impact(&entity_ref, way).await?
    else {
        return Err(ApiError::not_found(format!("No entity {entity_ref}")));
    };
    let key = match way {
        ImpactWay::Dependents => "dependents",
        ImpactWay::Needs => "needs",
    };
    Ok(Json(Analysis {
        entity,
        entries: [(key, entries)].into(),
        cycles,
    }))
}
