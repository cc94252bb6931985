//! The graph API under `/api/graph`, for automation: a part of the catalog as nodes and
//! edges, and impact analysis. Errors in Backstage's shape (400 for a bad parameter or
//! ref, 404 for an entity the catalog does not hold).

use app::model::{
    catalog::entity_ref::EntityRef,
    graph::{
        impact::{Impact, ImpactWay},
        subgraph::{GraphQuery, Subgraph},
    },
};
use axum::{
    extract::{Path, RawQuery, State},
    middleware,
    routing::get,
    Json, Router,
};
use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

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
) -> Result<Json<Analysis>, ApiError> {
    analysis(state, who, path, ImpactWay::Dependents).await
}

/// `GET /needs/{kind}/{namespace}/{name}` → `{entity, needs: […], cycles}`.
async fn needs(
    state: State<AppState>,
    who: Caller,
    path: Path<(String, String, String)>,
) -> Result<Json<Analysis>, ApiError> {
    analysis(state, who, path, ImpactWay::Needs).await
}

/// An analysis as the API writes it: `{entity, dependents|needs: [{ref, owner, depth,
/// path, relations}], cycles}`, each entry's chain written out from its `via` links.
struct Analysis(Impact);

impl Serialize for Analysis {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let key = match self.0.way {
            ImpactWay::Dependents => "dependents",
            ImpactWay::Needs => "needs",
        };
        let mut analysis = serializer.serialize_struct("Analysis", 3)?;
        analysis.serialize_field("entity", &self.0.entity)?;
        analysis.serialize_field(key, &Entries(&self.0))?;
        analysis.serialize_field("cycles", &self.0.cycles)?;
        analysis.end()
    }
}

struct Entries<'a>(&'a Impact);

impl Serialize for Entries<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let impact = self.0;
        let mut entries = serializer.serialize_seq(Some(impact.entries.len()))?;
        for (index, entry) in impact.entries.iter().enumerate() {
            let chain = impact.chain(index);
            let path: Vec<&str> = std::iter::once(impact.entity.as_str())
                .chain(chain.iter().map(|&(_, to)| to))
                .collect();
            let relations: Vec<&str> = chain.iter().map(|&(relation, _)| relation).collect();
            entries.serialize_element(&ApiEntry {
                entity_ref: &entry.entity_ref,
                owner: entry.owner.as_deref(),
                depth: entry.depth,
                path,
                relations,
            })?;
        }
        entries.end()
    }
}

#[derive(serde::Serialize)]
struct ApiEntry<'a> {
    #[serde(rename = "ref")]
    entity_ref: &'a str,
    owner: Option<&'a str>,
    depth: u32,
    path: Vec<&'a str>,
    relations: Vec<&'a str>,
}

async fn analysis(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((kind, namespace, name)): Path<(String, String, String)>,
    way: ImpactWay,
) -> Result<Json<Analysis>, ApiError> {
    let text = format!("{kind}:{namespace}/{name}");
    let entity_ref = EntityRef::parse_full(&text).map_err(|error| {
        ApiError::bad_request(format!("'{text}' is not an entity ref: {error}"))
    })?;
    match state.portal.impact(&who, &entity_ref, way).await? {
        Some(impact) => Ok(Json(Analysis(impact))),
        None => Err(ApiError::not_found(format!("No entity {entity_ref}"))),
    }
}
