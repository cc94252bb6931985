//! Embedding the portal in other pages: widgets under `/embed` (small pages for
//! iframes), and under `/api/badges` badges as images (SVG, or shields.io's endpoint
//! JSON) and their specs, in the paths of Backstage's badges plugin so its front end and
//! links keep working.

mod badges;
mod links;
mod oembed;
mod widgets;

pub use widgets::no_widget;

use axum::{
    middleware,
    routing::{get, post},
    Router,
};

use super::{error::backstage_errors, AppState};

/// The routes under `/api/badges`. An entity is named `{namespace}/{kind}/{name}`, or by
/// the uid `obfuscated` answers (which does not show its name).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/entity/{namespace}/{kind}/{name}/badge-specs",
            get(badges::named_specs),
        )
        .route(
            "/entity/{namespace}/{kind}/{name}/badge/{id}",
            get(badges::named_badge),
        )
        .route(
            "/entity/{namespace}/{kind}/{name}/obfuscated",
            get(badges::obfuscated),
        )
        // The uid sits where a name form has its namespace: axum's router wants one
        // name per position.
        .route("/entity/{namespace}/badge-specs", get(badges::uid_specs))
        .route("/entity/{namespace}/{kind}", get(badges::uid_badge))
        .layer(middleware::from_fn(backstage_errors))
}

/// The routes under `/embed`: `/{widget}/{namespace}/{kind}/{name}`, a docs page below
/// its entity, and `/search`.
pub fn widget_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(widgets::no_widget))
        .route("/search", get(widgets::search_widget))
        .route(
            "/docs/{namespace}/{kind}/{name}/{*page}",
            get(widgets::docs_widget),
        )
        .route(
            "/{widget}/{namespace}/{kind}/{name}",
            get(widgets::entity_widget),
        )
        // A docs set's start page as its reader writes it, with a slash after the name.
        .route(
            "/{widget}/{namespace}/{kind}/{name}/",
            get(widgets::entity_widget),
        )
        .fallback(widgets::no_widget)
}

/// `/api/embed`: signed links to widgets.
pub fn link_routes() -> Router<AppState> {
    Router::new()
        .route("/links", post(links::sign))
        .layer(middleware::from_fn(backstage_errors))
}

/// `/api/oembed`: what wikis that unfurl links ask for.
pub fn oembed_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(oembed::oembed))
        .layer(middleware::from_fn(backstage_errors))
}
