//! `GET /api/oembed?url=&maxwidth=&maxheight=&format=json`: the oEmbed answer for a
//! portal page (entity, graph or docs), an iframe of the widget showing it.

use axum::{
    extract::{Query, State},
    Json,
};
use serde::Deserialize;

use super::super::{error::ApiError, identity::Caller, AppState};
use app::model::embed::oembed::OEmbed;

/// oEmbed's parameters.
#[derive(Deserialize)]
pub struct OEmbedQuery {
    url: Option<String>,
    maxwidth: Option<u32>,
    maxheight: Option<u32>,
    format: Option<String>,
}

/// The answer, or 404 for a page no widget shows (or that the asker may not read), 501
/// for a format other than JSON, as oEmbed says.
pub async fn oembed(
    State(state): State<AppState>,
    Caller(who): Caller,
    Query(query): Query<OEmbedQuery>,
) -> Result<Json<OEmbed>, ApiError> {
    if query.format.as_deref().is_some_and(|f| f != "json") {
        return Err(ApiError::not_implemented("only format=json is answered"));
    }
    let url = query
        .url
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("url: name the portal page to embed"))?;
    let max = (query.maxwidth, query.maxheight);
    match state.portal.oembed(&who, &url, max).await? {
        Some(answer) => Ok(Json(answer)),
        None => Err(ApiError::not_found(format!(
            "no widget shows {url}: entity, graph and docs pages have one"
        ))),
    }
}
