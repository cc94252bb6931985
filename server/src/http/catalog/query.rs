//! `GET /entities/by-query`: filtered, ordered, paged entities, as `catalog-client`'s
//! `queryEntities` asks for them; `POST /entities/by-query`: the same with a predicate
//! query in a JSON body (`queryEntities({query})`).
//!
//! Paging is by cursor: `pageInfo.nextCursor` and `prevCursor` encode the whole query
//! and its position, so following a cursor needs no other parameter (only `limit` may
//! change the page size). A first page has no `prevCursor`. A cursor of a predicate query
//! carries a `query` key, which is how catalog-client knows to send it by `POST`.

use app::model::catalog::{
    filter::{EntityQuery, FilterGroup, FullText, Order, OrderField, DEFAULT_FULL_TEXT_FIELDS},
    predicate::Predicate,
};
use axum::{
    extract::{rejection::JsonRejection, RawQuery, State},
    Json,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use app::model::identity::principal::Principal;

use super::items::{items, Item};
use crate::http::{error::ApiError, identity::Caller, AppState};

/// The page size when the query gives none.
pub const DEFAULT_LIMIT: usize = 20;

/// The response body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryResponse {
    items: Vec<Item>,
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

/// What a cursor holds: the query (with its offset) and whether the count is wanted.
/// Encoded as base64 of its JSON, as Backstage's are; a predicate query's has a
/// top-level `query` key (the predicate), which catalog-client looks for. The fields to
/// return are not part of it: as in Backstage, each request gives its own (none: whole
/// entities).
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    #[serde(rename = "entityQuery")]
    entity_query: EntityQuery,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    query: Option<Predicate>,
    #[serde(skip)]
    fields: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    exclude_total: bool,
}

impl Cursor {
    fn new(mut entity_query: EntityQuery, fields: Vec<String>, exclude_total: bool) -> Self {
        let query = entity_query.predicate.take();
        Self {
            entity_query,
            query,
            fields,
            exclude_total,
        }
    }

    /// The whole query, its predicate included.
    fn entity_query(&self) -> EntityQuery {
        EntityQuery {
            predicate: self.query.clone(),
            ..self.entity_query.clone()
        }
    }

    fn encode(&self) -> String {
        encode_cursor(self)
    }

    fn decode(text: &str) -> Result<Self, ApiError> {
        decode_cursor(text)
    }
}

/// A cursor as Backstage writes them: base64 of its JSON (catalog-client decodes them
/// to look for a `query` key).
pub(super) fn encode_cursor(cursor: &impl Serialize) -> String {
    use base64::Engine as _;
    let json = serde_json::to_vec(cursor).expect("cursors serialise");
    base64::engine::general_purpose::STANDARD.encode(json)
}

/// What [`encode_cursor`] wrote, or a 400 naming the cursor.
pub(super) fn decode_cursor<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    use base64::Engine as _;
    let invalid = || ApiError::bad_request(format!("invalid cursor '{text}'"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

/// `totalItems=include|exclude`: whether the count is reported (`exclude`: 0).
fn exclude_total(value: &str) -> Result<bool, ApiError> {
    match value {
        "include" => Ok(false),
        "exclude" => Ok(true),
        other => Err(ApiError::bad_request(format!(
            "invalid totalItems '{other}': it must be 'include' or 'exclude'"
        ))),
    }
}

/// A full-text filter: the term (trimmed, lower-case) in `fields`, or the default ones.
fn full_text(term: Option<&str>, fields: Vec<String>) -> Option<FullText> {
    let term = term
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())?;
    Some(FullText {
        term,
        fields: if fields.is_empty() {
            DEFAULT_FULL_TEXT_FIELDS
                .iter()
                .map(|f| (*f).to_owned())
                .collect()
        } else {
            fields
        },
    })
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

/// Parses the query string into a cursor (the query and the fields to return), and
/// whether it starts the query (rather than following a cursor).
fn parse(raw: Option<&str>) -> Result<(Cursor, bool), ApiError> {
    let mut query = EntityQuery {
        limit: DEFAULT_LIMIT,
        ..Default::default()
    };
    let mut fields = Vec::new();
    let mut cursor = None;
    let mut limit = None;
    let mut others = false;
    let mut exclude = false;
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
            "totalItems" => {
                exclude = exclude_total(&value)?;
                others = true;
            }
            "fullTextFilterTerm" => {
                term = Some(value.into_owned());
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
    let result = match cursor {
        Some(cursor) if others => {
            return Err(ApiError::bad_request(format!(
                "the cursor '{cursor}' already holds the query: send it with limit only"
            )))
        }
        Some(cursor) => return Ok((Cursor::decode(&cursor)?.with(fields, limit), false)),
        None => {
            query.full_text = full_text(term.as_deref(), term_fields);
            Cursor::new(query, Vec::new(), exclude)
        }
    };
    Ok((result.with(fields, limit), true))
}

impl Cursor {
    /// This cursor with the request's fields, and its page size when it gives one.
    fn with(mut self, fields: Vec<String>, limit: Option<usize>) -> Self {
        self.fields = fields;
        if let Some(limit) = limit {
            self.entity_query.limit = limit;
        }
        self
    }
}

/// `GET /entities/by-query`.
pub async fn by_query(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<QueryResponse>, ApiError> {
    let (cursor, first) = parse(raw.as_deref())?;
    respond(&state, &who, cursor, first).await
}

/// An order in a predicate query's body: `{field, order}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderBy {
    field: String,
    #[serde(default)]
    order: Option<String>,
}

/// A full-text filter in a predicate query's body: `{term, fields}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullTextBody {
    #[serde(default)]
    term: Option<String>,
    #[serde(default)]
    fields: Vec<String>,
}

/// The body of `POST /entities/by-query`, as catalog-client's `queryEntities` sends it:
/// a first request, or a cursor (with `limit` and `fields` only).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PredicateQueryBody {
    #[serde(default)]
    query: Option<Value>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    offset: Option<usize>,
    #[serde(default)]
    order_by: Vec<OrderBy>,
    #[serde(default)]
    full_text_filter: Option<FullTextBody>,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    total_items: Option<String>,
}

/// `POST /entities/by-query`.
pub async fn by_predicate(
    State(state): State<AppState>,
    Caller(who): Caller,
    body: Result<Json<PredicateQueryBody>, JsonRejection>,
) -> Result<Json<QueryResponse>, ApiError> {
    let Json(body) = body?;
    if let Some(cursor) = &body.cursor {
        let first = body.query.is_some() || body.offset.is_some() || !body.order_by.is_empty();
        if first || body.full_text_filter.is_some() || body.total_items.is_some() {
            return Err(ApiError::bad_request(format!(
                "the cursor '{cursor}' already holds the query: send it with limit and fields only"
            )));
        }
        let cursor = Cursor::decode(cursor)?.with(body.fields, body.limit);
        return respond(&state, &who, cursor, false).await;
    }
    let order = body
        .order_by
        .iter()
        .map(|o| {
            let direction = match o.order.as_deref().map(str::to_ascii_lowercase).as_deref() {
                None | Some("asc") => Order::Asc,
                Some("desc") => Order::Desc,
                Some(other) => {
                    return Err(ApiError::bad_request(format!(
                        "invalid order '{other}' for {}: it must be 'asc' or 'desc'",
                        o.field
                    )))
                }
            };
            Ok(OrderField {
                key: o.field.trim().to_lowercase(),
                order: direction,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let text = body.full_text_filter.unwrap_or(FullTextBody {
        term: None,
        fields: Vec::new(),
    });
    let term_fields = text
        .fields
        .iter()
        .map(|f| f.trim().to_lowercase())
        .collect();
    let query = EntityQuery {
        filter: Vec::new(),
        predicate: body.query.as_ref().map(Predicate::from_json).transpose()?,
        order,
        full_text: full_text(text.term.as_deref(), term_fields),
        offset: body.offset.unwrap_or(0),
        limit: body.limit.unwrap_or(DEFAULT_LIMIT),
    };
    let exclude = body.total_items.as_deref().map(exclude_total).transpose()?;
    let cursor = Cursor::new(query, body.fields, exclude.unwrap_or(false));
    respond(&state, &who, cursor, true).await
}

/// One page of `cursor`'s query; `first` when the request started the query (a first
/// page has no `prevCursor`).
async fn respond(
    state: &AppState,
    who: &Principal,
    cursor: Cursor,
    first: bool,
) -> Result<Json<QueryResponse>, ApiError> {
    let query = cursor.entity_query();
    let (refs, total) = state.portal.query_refs(who, &query).await?;
    let items = items(&state.portal, who, &refs, &cursor.fields).await?;
    let mut page_info = PageInfo::default();
    let at = |offset: usize| {
        Cursor {
            entity_query: EntityQuery {
                offset,
                ..cursor.entity_query.clone()
            },
            query: cursor.query.clone(),
            fields: cursor.fields.clone(),
            exclude_total: cursor.exclude_total,
        }
        .encode()
    };
    if (query.offset + query.limit) < total as usize && query.limit > 0 {
        page_info.next_cursor = Some(at(query.offset + query.limit));
    }
    if query.offset > 0 && !first {
        page_info.prev_cursor = Some(at(query.offset.saturating_sub(query.limit)));
    }
    Ok(Json(QueryResponse {
        items,
        total_items: if cursor.exclude_total { 0 } else { total },
        page_info,
    }))
}
