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
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use serde_json::{value::RawValue, Value};

use app::model::identity::principal::Principal;

use crate::{
    http::{
        error::ApiError, identity::Caller, kept_json::KeptJson, site::accepted_encodings,
        written::Written, AppState,
    },
    services::{FacetValue, JsonText},
};

/// Counts of the whole catalog this large or larger are sent gzipped, compressed once,
/// to a client that accepts gzip (below, the compression layer's fastest level takes
/// less than a millisecond at each request): every owner's count at 1,000,000 entities
/// is 2.9 MB of JSON, 0.3 MB gzipped, and 10 ms to compress.
const GZIPPED_ONCE_FROM: u64 = 256 << 10;

/// The gzipped answers, written from the counts the catalog service keeps.
static GZIPPED: Written<RawValue> = Written::new(16 << 20);

/// The response body: `{facets: {"spec.type": [{value, count}…]}}`.
#[derive(Debug, Serialize)]
pub struct FacetsResponse {
    facets: BTreeMap<String, Vec<FacetValue>>,
}

/// `GET /entity-facets`.
pub async fn entity_facets(
    State(state): State<AppState>,
    Caller(who): Caller,
    headers: HeaderMap,
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
    count(&state, &who, &headers, facets, &query).await
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
    headers: HeaderMap,
    body: Result<Json<PredicateFacetsBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body?;
    let query = EntityQuery {
        predicate: body.query.as_ref().map(Predicate::from_json).transpose()?,
        ..Default::default()
    };
    count(&state, &who, &headers, body.facets, &query).await
}

/// The counts of each of `facets` among the entities `query` selects.
async fn count(
    state: &AppState,
    who: &Principal,
    headers: &HeaderMap,
    facets: Vec<String>,
    query: &EntityQuery,
) -> Result<Response, ApiError> {
    if facets.is_empty() {
        return Err(ApiError::bad_request(
            "name at least one facet, as in facet=spec.type",
        ));
    }
    if let Some(texts) = state.portal.facet_texts(who, &facets, query).await? {
        // Held here and by the service: kept for the catalog's version.
        let kept = texts
            .iter()
            .all(|text| std::sync::Arc::strong_count(text) > 1);
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
        let texts = facets.into_values().collect();
        return Ok(send(json, texts, kept, headers));
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

/// `json`, made of `texts`, gzipped once when it is large and the client accepts gzip
/// (kept while `kept`: while the service keeps `texts`).
fn send(json: KeptJson, texts: Vec<JsonText>, kept: bool, headers: &HeaderMap) -> Response {
    if json.len() < GZIPPED_ONCE_FROM || !accepted_encodings(headers).gzip {
        return json.into_response();
    }
    let gzipped = GZIPPED.get_or_write(&texts, kept, || json.gzip());
    let headers = [
        (header::CONTENT_TYPE, "application/json"),
        (header::CONTENT_ENCODING, "gzip"),
        (header::VARY, "accept-encoding"),
    ];
    (headers, gzipped).into_response()
}

#[cfg(test)]
mod tests {
    use std::{io::Read, sync::Arc};

    use axum::http::HeaderValue;

    use super::*;

    async fn body(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    #[tokio::test]
    async fn large_counts_are_gzipped_once_for_a_client_that_accepts_gzip() {
        let values: Vec<FacetValue> = (0..20_000)
            .map(|i| FacetValue {
                value: format!("group:team-{i}"),
                count: i,
            })
            .collect();
        let text: JsonText = serde_json::value::to_raw_value(&values).unwrap().into();
        let by_the_service = text.clone();
        let json = || {
            let mut json = KeptJson::default();
            json.push_str("{\"facets\":{\"spec.owner\":");
            json.push_text(&text);
            json.push_str("}}");
            json
        };
        assert!(json().len() >= GZIPPED_ONCE_FROM);
        let plain = body(send(json(), vec![text.clone()], true, &HeaderMap::new())).await;

        let mut gzip = HeaderMap::new();
        gzip.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, br"),
        );
        let first = send(json(), vec![text.clone()], true, &gzip);
        assert_eq!(first.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(first.headers()[header::VARY], "accept-encoding");
        let first = body(first).await;
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&first[..])
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, plain);
        assert!(first.len() < plain.len() / 4);

        // Compressed once: the second answer is the first one's bytes.
        let again = send(json(), vec![text.clone()], true, &gzip);
        let again = axum::body::to_bytes(again.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(again, first);
        assert!(GZIPPED.holds(&[Arc::downgrade(&text)]));
        drop(by_the_service);

        // A client that refuses gzip gets the JSON as it is.
        let mut refused = HeaderMap::new();
        refused.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=0"),
        );
        let response = send(json(), vec![text.clone()], true, &refused);
        assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(body(response).await, plain);
    }
}
