//! `GET /entity-facets?facet=spec.type&filter=…`: how many entities have each value of a
//! field, for filter menus; `POST /entity-facets` `{facets, query}`: the same over the
//! entities a predicate query selects.

use std::collections::BTreeMap;

use app::model::catalog::{
    filter::{EntityQuery, FilterGroup},
    predicate::Predicate,
};
use axum::{
    extract::{rejection::JsonRejection, RawQuery, State},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use app::model::identity::principal::Principal;

use crate::{
    http::{error::ApiError, identity::Caller, kept_json::KeptJson, AppState},
    services::{FacetValue, JsonText},
};

/// The response body: `{facets: {"spec.type": [{value, count}…]}}`.
#[derive(Debug, Serialize)]
pub struct FacetsResponse {
    facets: BTreeMap<String, Vec<FacetValue>>,
}

/// `GET /entity-facets`.
pub async fn entity_facets(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
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
    count(&state, &who, facets, &query).await
}

/// The body of `POST /entity-facets`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredicateFacetsBody {
    facets: Vec<String>,
    #[serde(default)]
    query: Option<Value>,
}

/// `POST /entity-facets`.
pub async fn by_predicate(
    State(state): State<AppState>,
    Caller(who): Caller,
    body: Result<Json<PredicateFacetsBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body?;
    let query = EntityQuery {
        predicate: body.query.as_ref().map(Predicate::from_json).transpose()?,
        ..Default::default()
    };
    count(&state, &who, body.facets, &query).await
}

/// The counts of each of `facets` among the entities `query` selects.
async fn count(
    state: &AppState,
    who: &Principal,
    facets: Vec<String>,
    query: &EntityQuery,
) -> Result<Response, ApiError> {
    if facets.is_empty() {
        return Err(ApiError::bad_request(
            "name at least one facet, as in facet=spec.type",
        ));
    }
    if let Some(texts) = state.portal.facet_texts(who, &facets, query).await? {
        // As `FacetsResponse` writes them: in key order, each key once.
        let facets: BTreeMap<String, JsonText> = facets.into_iter().zip(texts).collect();
        let mut json = KeptJson::default();
        json.push_str("{\"facets\":{");
        for (at, (facet, text)) in facets.iter().enumerate() {
            let key = serde_json::to_string(facet).expect("a string serialises");
            json.push_str(format!("{}{key}:", if at == 0 { "" } else { "," }));
            json.push_text(text);
        }
        json.push_str("}}");
        return Ok(json.into_response());
    }
    let counted = state.portal.facets(who, &facets, query).await?;
    let facets = facets.into_iter().zip(counted).map(|(facet, values)| {
        let values = values
            .into_iter()
            .map(|(value, count)| FacetValue { value, count })
            .collect();
        (facet, values)
    });
    Ok(Json(FacetsResponse {
        facets: facets.collect(),
    })
    .into_response())
}
