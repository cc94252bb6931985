//! `GET /entity-facets?facet=spec.type&filter=…`: how many entities have each value of a
//! field, for filter menus.

use std::collections::BTreeMap;

use app::model::filter::{EntityQuery, FilterGroup};
use axum::{
    extract::{RawQuery, State},
    Json,
};
use serde::Serialize;

use crate::http::{error::ApiError, AppState};

/// One value of a facet and how many entities have it.
#[derive(Debug, Serialize)]
pub struct FacetValue {
    value: String,
    count: i64,
}

/// The response body: `{facets: {"spec.type": [{value, count}…]}}`.
#[derive(Debug, Serialize)]
pub struct FacetsResponse {
    facets: BTreeMap<String, Vec<FacetValue>>,
}

/// `GET /entity-facets`.
pub async fn entity_facets(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<FacetsResponse>, ApiError> {
    let mut facets = Vec::new();
    let mut query = EntityQuery::default();
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "facet" => facets.push(value.into_owned()),
            "filter" => query.filter.push(FilterGroup::parse(&value)?),
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter '{other}'"
                )))
            }
        }
    }
    if facets.is_empty() {
        return Err(ApiError::bad_request(
            "name at least one facet, as in facet=spec.type",
        ));
    }
    let mut out = BTreeMap::new();
    let counted = state.portal.facets(&facets, &query).await?;
    for (facet, values) in facets.into_iter().zip(counted) {
        out.insert(
            facet,
            values
                .into_iter()
                .map(|(value, count)| FacetValue { value, count })
                .collect(),
        );
    }
    Ok(Json(FacetsResponse { facets: out }))
}
