//! The Backstage-compatible catalog API under `/api/catalog`, one handler module per
//! route group. Every handler is a thin adapter over [`crate::services::Portal`].

mod actions;
mod entities;
mod facets;
mod items;
mod legacy;
mod locations;
mod query;

use axum::{
    middleware,
    routing::{get, post},
    Router,
};

use super::{error::backstage_errors, AppState};

/// The routes under `/api/catalog`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/entities/by-name/{kind}/{namespace}/{name}",
            get(entities::by_name),
        )
        .route(
            "/entities/by-name/{kind}/{namespace}/{name}/ancestry",
            get(entities::ancestry),
        )
        .route("/entities", get(legacy::list))
        .route(
            "/entities/by-query",
            get(query::by_query).post(query::by_predicate),
        )
        .route(
            "/entities/by-uid/{uid}",
            get(entities::by_uid).delete(entities::delete_by_uid),
        )
        .route("/entities/by-refs", post(entities::by_refs))
        .route(
            "/entity-facets",
            get(facets::entity_facets).post(facets::by_predicate),
        )
        .route("/locations", get(locations::list).post(locations::create))
        .route("/locations/by-query", post(locations::by_query))
        .route(
            "/locations/by-entity/{kind}/{namespace}/{name}",
            get(locations::by_entity),
        )
        .route(
            "/locations/{id}",
            get(locations::get)
                .put(locations::update)
                .delete(locations::delete),
        )
        .route("/refresh", post(actions::refresh))
        .route("/validate-entity", post(actions::validate))
        .route("/analyze-location", post(actions::analyze))
        .fallback(entities::unknown_route)
        .layer(middleware::from_fn(backstage_errors))
}
