//! `GET /entities`: Backstage's older listing, a JSON array paged with `after` and a
//! `Link: <…?after=…>; rel="next"` header. `catalog-client`'s `getEntities` calls it.
//!
//! Unlike Backstage, it never returns the whole catalog by default: without `limit` it
//! returns the first [`DEFAULT_LIMIT`] entities and a `Link` to the rest.

use app::model::catalog::filter::{EntityQuery, FilterGroup, Order, OrderField};
use axum::{
    extract::{RawQuery, State},
    http::{header, HeaderMap, HeaderValue},
    Json,
};
use serde_json::Value;

use super::query::{field_list, number, project};
use crate::http::{error::ApiError, AppState};

/// Entities per page when the request gives no `limit`.
pub const DEFAULT_LIMIT: usize = 1000;

/// `GET /entities?filter=…&fields=…&order=asc:metadata.name&limit=…&offset=…&after=…`.
pub async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<(HeaderMap, Json<Vec<Value>>), ApiError> {
    let mut query = EntityQuery {
        limit: DEFAULT_LIMIT,
        ..Default::default()
    };
    let mut fields = Vec::new();
    let mut kept = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "filter" => query.filter.push(FilterGroup::parse(&value)?),
            "fields" => fields.extend(field_list(&value)),
            "limit" => query.limit = number("limit", &value)?,
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
    let (entities, total) = state.portal.query_entities(&query).await?;
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
    Ok((
        headers,
        Json(entities.iter().map(|e| project(e, &fields)).collect()),
    ))
}
