//! `GET /entities`: Backstage's older listing, a JSON array. `catalog-client`'s
//! `getEntities` calls it.
//!
//! With `limit`, one page and a `Link: <…?after=…>; rel="next"` header to the next.
//! Without, every entity the filter selects, as Backstage answers (`getEntities()`
//! callers do not follow `Link`): the refs are selected first, then the entities are
//! read and written [`STREAM_CHUNK`] at a time as the client takes them, so memory
//! stays flat however large the catalog.

use app::model::catalog::filter::{EntityQuery, FilterGroup, Order, OrderField};
use axum::{
    body::{Body, Bytes},
    extract::{RawQuery, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
};

use super::items::{items, project};
use super::query::{field_list, number};
use app::model::identity::principal::Principal;

use crate::http::{error::ApiError, identity::Caller, stream::channel_stream, AppState};

/// Entities read and written at a time when the whole listing is streamed.
const STREAM_CHUNK: usize = 500;

/// Chunks the writer may run ahead of the client.
const STREAM_AHEAD: usize = 2;

/// `GET /entities?filter=…&fields=…&order=asc:metadata.name&limit=…&offset=…&after=…`.
pub async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut query = EntityQuery::default();
    let mut limit = None;
    let mut fields = Vec::new();
    let mut kept = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "filter" => query.filter.push(FilterGroup::parse(&value)?),
            "fields" => fields.extend(field_list(&value)),
            "limit" => limit = Some(number("limit", &value)?),
            "offset" => query.offset = number("offset", &value)?,
            "after" => query.offset = number("after", &value)?,
            "order" => {
                let (direction, field) = value.split_once(':').ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "invalid order '{value}': write 'asc:metadata.name' or 'desc:…'"
                    ))
                })?;
                let order = match direction {
                    "asc" => Order::Asc,
                    "desc" => Order::Desc,
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "invalid order '{value}': 'asc' or 'desc' first"
                        )))
                    }
                };
                query.order.push(OrderField {
                    key: field.to_lowercase(),
                    order,
                });
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter '{other}'"
                )))
            }
        }
        if key != "after" && key != "offset" {
            kept.push((key.into_owned(), value.into_owned()));
        }
    }
    let Some(limit) = limit else {
        return stream_all(&state, who, query, fields).await;
    };
    query.limit = limit;
    let (refs, total) = state.portal.query_refs(&who, &query).await?;
    let items = items(&state.portal, &who, &refs, &fields).await?;
    let mut headers = HeaderMap::new();
    let next = query.offset + query.limit;
    if query.limit > 0 && (next as u64) < total {
        let mut link = form_urlencoded::Serializer::new(String::new());
        for (key, value) in &kept {
            link.append_pair(key, value);
        }
        link.append_pair("after", &next.to_string());
        if let Ok(value) = HeaderValue::from_str(&format!("<?{}>; rel=\"next\"", link.finish())) {
            headers.insert(header::LINK, value);
        }
    }
    Ok((headers, axum::Json(items)).into_response())
}

/// Every entity `query` selects (from its offset on), as one JSON array written a chunk
/// at a time. A failure half-way ends the body early, so the client sees a broken
/// response rather than a short list.
async fn stream_all(
    state: &AppState,
    who: Principal,
    query: EntityQuery,
    fields: Vec<String>,
) -> Result<Response, ApiError> {
    let refs = state.portal.query_all_refs(&who, &query).await?;
    let portal = state.portal.clone();
    let body = channel_stream(STREAM_AHEAD, move |sender| async move {
        let mut first = true;
        let mut out = b"[".to_vec();
        for chunk in refs.chunks(STREAM_CHUNK) {
            // Composed for the stream, not kept: every entity passing through would
            // push out the texts that everyday reads use.
            let entities = match portal.entities(&who, chunk).await {
                Ok(entities) => entities,
                Err(error) => {
                    tracing::error!(%error, "GET /entities: reading entities failed mid-stream");
                    let failed = std::io::Error::other(error.to_string());
                    let _ = sender.send(Err(failed)).await;
                    return;
                }
            };
            for entity in &entities {
                if !std::mem::take(&mut first) {
                    out.push(b',');
                }
                serde_json::to_writer(&mut out, &project(entity, &fields))
                    .expect("entities serialise");
            }
            if sender
                .send(Ok(Bytes::from(std::mem::take(&mut out))))
                .await
                .is_err()
            {
                return; // The client went away.
            }
        }
        out.push(b']');
        let _ = sender.send(Ok(Bytes::from(out))).await;
    });
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(body),
    )
        .into_response())
}
