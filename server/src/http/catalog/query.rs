//! `GET /entities/by-query`: filtered, ordered, paged entities, as `catalog-client`'s
//! `queryEntities` asks for them.
//!
//! Paging is by cursor: `pageInfo.nextCursor` and `prevCursor` encode the whole query
//! and its position, so following a cursor needs no other parameter (only `limit` may
//! change the page size).

use app::model::{
    entity::Entity,
    filter::{EntityQuery, FilterGroup, FullText, OrderField, DEFAULT_FULL_TEXT_FIELDS},
};
use axum::{
    extract::{RawQuery, State},
    Json,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::http::{error::ApiError, AppState};

/// The page size when the query gives none.
pub const DEFAULT_LIMIT: usize = 20;

/// The response body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryResponse {
    items: Vec<Value>,
    total_items: u64,
    page_info: PageInfo,
}

/// Cursors to the neighbouring pages, when there are any.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev_cursor: Option<String>,
}

/// What a cursor holds: the query (with its offset) and the projected fields.
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    query: EntityQuery,
    fields: Vec<String>,
}

impl Cursor {
    fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("cursors serialise");
        json.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn decode(text: &str) -> Result<Self, ApiError> {
        let invalid = || ApiError::bad_request(format!("invalid cursor '{text}'"));
        if text.len() % 2 != 0 {
            return Err(invalid());
        }
        let bytes = (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(text.get(i..i + 2).unwrap_or("zz"), 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| invalid())?;
        serde_json::from_slice(&bytes).map_err(|_| invalid())
    }
}

/// The dotted paths of a `fields` parameter (`kind,metadata.name`).
pub(super) fn field_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
}

/// A whole-number query parameter, or a 400 naming it.
pub(super) fn number(name: &str, value: &str) -> Result<usize, ApiError> {
    value.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "invalid {name} '{value}': it must be a whole number, 0 or more"
        ))
    })
}

/// Parses the query string into a cursor (the query and the fields to return).
fn parse(raw: Option<&str>) -> Result<Cursor, ApiError> {
    let mut query = EntityQuery {
        limit: DEFAULT_LIMIT,
        ..Default::default()
    };
    let mut fields = Vec::new();
    let mut cursor = None;
    let mut limit = None;
    let mut others = false;
    let (mut term, mut term_fields) = (None, Vec::new());
    for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "cursor" => cursor = Some(value.into_owned()),
            "limit" => limit = Some(number("limit", &value)?),
            "offset" => {
                query.offset = number("offset", &value)?;
                others = true;
            }
            "filter" => {
                query.filter.push(FilterGroup::parse(&value)?);
                others = true;
            }
            "orderField" => {
                query.order.push(OrderField::parse(&value)?);
                others = true;
            }
            "fields" => fields.extend(field_list(&value)),
            "fullTextFilterTerm" => {
                term = Some(value.trim().to_lowercase()).filter(|t| !t.is_empty());
                others = true;
            }
            "fullTextFilterFields" => {
                term_fields.extend(
                    value
                        .split(',')
                        .map(|f| f.trim().to_lowercase())
                        .filter(|f| !f.is_empty()),
                );
                others = true;
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter '{other}'"
                )))
            }
        }
    }
    let mut result = match cursor {
        Some(cursor) if others => {
            return Err(ApiError::bad_request(format!(
                "the cursor '{cursor}' already holds the query: send it with limit only"
            )))
        }
        Some(cursor) => Cursor::decode(&cursor)?,
        None => {
            query.full_text = term.map(|term| FullText {
                term,
                fields: if term_fields.is_empty() {
                    DEFAULT_FULL_TEXT_FIELDS
                        .iter()
                        .map(|f| (*f).to_owned())
                        .collect()
                } else {
                    term_fields
                },
            });
            Cursor {
                query,
                fields: Vec::new(),
            }
        }
    };
    if !fields.is_empty() {
        result.fields = fields;
    }
    if let Some(limit) = limit {
        result.query.limit = limit;
    }
    Ok(result)
}

/// `GET /entities/by-query`.
pub async fn by_query(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<QueryResponse>, ApiError> {
    let cursor = parse(raw.as_deref())?;
    let query = &cursor.query;
    let (entities, total) = state.portal.query_entities(query).await?;
    let mut page_info = PageInfo::default();
    let at = |offset: usize| {
        Cursor {
            query: EntityQuery {
                offset,
                ..query.clone()
            },
            fields: cursor.fields.clone(),
        }
        .encode()
    };
    if (query.offset + query.limit) < total as usize && query.limit > 0 {
        page_info.next_cursor = Some(at(query.offset + query.limit));
    }
    if query.offset > 0 {
        page_info.prev_cursor = Some(at(query.offset.saturating_sub(query.limit)));
    }
    Ok(Json(QueryResponse {
        items: entities
            .iter()
            .map(|e| project(e, &cursor.fields))
            .collect(),
        total_items: total,
        page_info,
    }))
}

/// The entity as JSON with only `fields` (dotted paths) kept; all of it when empty.
pub fn project(entity: &Entity, fields: &[String]) -> Value {
    let full = serde_json::to_value(entity).expect("entities serialise");
    if fields.is_empty() {
        return full;
    }
    let mut out = Value::Object(Map::new());
    for field in fields {
        let path: Vec<&str> = field.split('.').collect();
        let mut source = &full;
        let mut found = true;
        for key in &path {
            match source.get(key) {
                Some(next) => source = next,
                None => {
                    found = false;
                    break;
                }
            }
        }
        if !found {
            continue;
        }
        let mut target = &mut out;
        for key in &path[..path.len() - 1] {
            target = target
                .as_object_mut()
                .expect("projection builds objects")
                .entry((*key).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
        }
        if let Some(map) = target.as_object_mut() {
            map.insert(path[path.len() - 1].to_owned(), source.clone());
        }
    }
    out
}
