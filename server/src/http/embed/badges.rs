//! An entity's badges: the image (`image/svg+xml`, or shields.io's endpoint JSON with
//! `?format=json`), the list of specs with the Markdown to paste, and the uid that
//! addresses them without the entity's name.
//!
//! An image always answers with an image, so that a README shows what went wrong: a red
//! "not found" badge with a 404 for an entity that does not exist or that the person
//! asking may not read, for a badge there is no such badge.

use app::model::{
    catalog::entity_ref::EntityRef,
    embed::{
        badge::{Badge, BadgeId, BadgeSpec, BadgeStyle},
        badge_svg,
    },
};
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;

use super::super::{error::ApiError, identity::Caller, AppState};
use crate::services::{embed::BadgeSubject, CatalogError};

/// `GET /entity/{namespace}/{kind}/{name}/badge-specs` → `[{badge, id, url, markdown}]`.
pub async fn named_specs(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((namespace, kind, name)): Path<(String, String, String)>,
) -> Result<Json<Vec<BadgeSpec>>, ApiError> {
    let subject = BadgeSubject::Named(EntityRef::new(&kind, &namespace, &name));
    Ok(Json(state.portal.badge_specs(&who, &subject).await?))
}

/// `GET /entity/{uid}/badge-specs`: the specs, their images addressed by uid.
pub async fn uid_specs(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(uid): Path<String>,
) -> Result<Json<Vec<BadgeSpec>>, ApiError> {
    let subject = BadgeSubject::Uid(uid);
    Ok(Json(state.portal.badge_specs(&who, &subject).await?))
}

/// `GET /entity/{namespace}/{kind}/{name}/obfuscated` → `{"hash": uid}` (Backstage's
/// name for what addresses the badges without the entity's name).
pub async fn obfuscated(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((namespace, kind, name)): Path<(String, String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let entity_ref = EntityRef::new(&kind, &namespace, &name);
    let uid = state.portal.badge_uid(&who, &entity_ref).await?;
    Ok(Json(serde_json::json!({ "hash": uid })))
}

/// `?format=json|svg&style=flat|flat-square|for-the-badge`.
#[derive(Deserialize)]
pub struct BadgeQuery {
    format: Option<String>,
    style: Option<String>,
}

/// `GET /entity/{namespace}/{kind}/{name}/badge/{id}`.
pub async fn named_badge(
    state: State<AppState>,
    caller: Caller,
    Path((namespace, kind, name, id)): Path<(String, String, String, String)>,
    query: Query<BadgeQuery>,
) -> Response {
    let subject = BadgeSubject::Named(EntityRef::new(&kind, &namespace, &name));
    badge(state, caller, subject, &id, query).await
}

/// `GET /entity/{uid}/{id}`.
pub async fn uid_badge(
    state: State<AppState>,
    caller: Caller,
    Path((uid, id)): Path<(String, String)>,
    query: Query<BadgeQuery>,
) -> Response {
    badge(state, caller, BadgeSubject::Uid(uid), &id, query).await
}

/// How an image is asked for.
#[derive(Clone, Copy)]
enum Format {
    Svg,
    Json,
}

async fn badge(
    State(state): State<AppState>,
    Caller(who): Caller,
    subject: BadgeSubject,
    name: &str,
    Query(query): Query<BadgeQuery>,
) -> Response {
    let format = match query.format.as_deref() {
        None | Some("svg") => Format::Svg,
        Some("json") => Format::Json,
        Some(other) => {
            let message = format!("'{other}' is not a badge format: write svg or json");
            return image(
                Format::Svg,
                StatusCode::BAD_REQUEST,
                &Badge::error("format", &message),
                None,
                false,
            );
        }
    };
    let style = match query.style.as_deref().map(BadgeStyle::parse) {
        None => None,
        Some(Ok(style)) => Some(style),
        Some(Err(message)) => {
            return image(
                format,
                StatusCode::BAD_REQUEST,
                &Badge::error("style", &message),
                None,
                false,
            );
        }
    };
    let Some(id) = BadgeId::parse(name) else {
        let badge = Badge::error(name, "no such badge");
        return image(
            format,
            StatusCode::NOT_FOUND,
            &badge,
            style,
            who.signed_in(),
        );
    };
    let (status, badge) = match state.portal.entity_badge(&who, &subject, id).await {
        Ok(badge) => (StatusCode::OK, badge),
        Err(CatalogError::NotFound(_)) => {
            (StatusCode::NOT_FOUND, Badge::error("entity", "not found"))
        }
        Err(other) => {
            tracing::error!(error = %other, "a badge could not be drawn");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Badge::error("badge", "error"),
            )
        }
    };
    image(format, status, &badge, style, who.signed_in())
}

/// The badge as the image asked for. What a signed-in person sees is theirs: shared
/// caches must not keep it.
fn image(
    format: Format,
    status: StatusCode,
    badge: &Badge,
    style: Option<BadgeStyle>,
    private: bool,
) -> Response {
    let style = style.unwrap_or(badge.style);
    let mut response = match format {
        Format::Svg => {
            let mut response = (status, badge_svg::render(badge, style)).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml; charset=utf-8"),
            );
            // An SVG opened on its own is a document: it may run nothing.
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            );
            response
        }
        Format::Json => (status, Json(badge.endpoint(style))).into_response(),
    };
    let cache = match private {
        true => "private, max-age=300",
        false => "public, max-age=300",
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Authorization"),
    );
    response
}
