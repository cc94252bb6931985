//! Backstage's search API under `/api/search`, so that its search clients keep working:
//! `GET /query?term=&types[]=&filters[kind]=&pageCursor=&pageLimit=` →
//! `{results: [{type, document: {title, text, location, …}, highlight, rank}],
//! nextPageCursor, previousPageCursor, numberOfResults}`.
//!
//! Backstage's `software-catalog` type holds every entity, APIs and templates included;
//! here those are also types of their own (`api-definition`, `software-template`).
//! Page cursors are Backstage's: the page number, base64-encoded.

use app::model::search::{ResultType, SearchHit, SearchRequest, SearchResults, Snippet, MAX_LIMIT};
use axum::{
    extract::{RawQuery, State},
    http::header,
    middleware,
    response::IntoResponse,
    routing::get,
    Json, Router,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    error::{backstage_errors, ApiError},
    identity::Caller,
    AppState,
};

/// Results on a page unless `pageLimit` says otherwise (Backstage's default).
const DEFAULT_PAGE_LIMIT: usize = 25;
/// What marks the start and the end of a match in `highlight` (Backstage's default).
const PRE_TAG: &str = "<>";
const POST_TAG: &str = "</>";

/// The routes under `/api/search`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/query", get(query))
        .layer(middleware::from_fn(backstage_errors))
}

/// `GET /query`; the time the search took is in `Server-Timing` (`search;dur=…`, in
/// milliseconds), for operators and the benchmark.
async fn query(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let request = read_query(query.as_deref().unwrap_or_default())?;
    let started = std::time::Instant::now();
    let results = state.portal.search(&who, &request).await?;
    let timing = format!("search;dur={:.2}", started.elapsed().as_secs_f64() * 1000.0);
    Ok((
        [(header::HeaderName::from_static("server-timing"), timing)],
        Json(ResultSet::of(&request, results)),
    ))
}

/// The search a Backstage query string asks for. Arrays may be written `types[]=a`,
/// `types[0]=a` or `types=a`; filters `filters[kind]=a` or `filters[kind][]=a`.
fn read_query(query: &str) -> Result<SearchRequest, ApiError> {
    let mut request = SearchRequest {
        limit: DEFAULT_PAGE_LIMIT,
        ..SearchRequest::default()
    };
    let mut page = 0;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let (base, key) = split_name(&name);
        match (base, key) {
            ("term", None) => request.term = value.into_owned(),
            ("types", None) => {
                for name in value.split(',').filter(|t| !t.is_empty()) {
                    add_type(&mut request.types, name)?;
                }
            }
            ("filters", Some(field)) => add_filter(&mut request, field, &value)?,
            ("pageLimit", None) => {
                request.limit = value
                    .parse()
                    .ok()
                    .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                    .ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "pageLimit must be a number from 1 to {MAX_LIMIT}, not {value:?}"
                        ))
                    })?;
            }
            ("pageCursor", None) if !value.is_empty() => {
                page = decode_cursor(&value).ok_or_else(|| {
                    ApiError::bad_request(format!("pageCursor {value:?} is not a page cursor"))
                })?;
            }
            _ => {}
        }
    }
    request.offset = page.saturating_mul(request.limit);
    Ok(request)
}

/// `types[]` → `("types", None)`, `types[0]` → `("types", None)`, `filters[kind][]` →
/// `("filters", Some("kind"))`.
fn split_name(name: &str) -> (&str, Option<&str>) {
    let Some((base, rest)) = name.split_once('[') else {
        return (name, None);
    };
    let key = rest.split(']').next().unwrap_or_default();
    let key = (!key.is_empty() && !key.bytes().all(|b| b.is_ascii_digit())).then_some(key);
    (base, key)
}

fn add_type(types: &mut Vec<ResultType>, name: &str) -> Result<(), ApiError> {
    let named: &[ResultType] = match name {
        "software-catalog" => &[ResultType::Entity, ResultType::Api, ResultType::Template],
        other => match ResultType::named(other) {
            Some(t) => &[t][..],
            None => {
                let known: Vec<&str> = ResultType::ALL.iter().map(|t| t.name()).collect();
                return Err(ApiError::bad_request(format!(
                    "unknown search type {other:?}: the types are {}",
                    known.join(", ")
                )));
            }
        },
    };
    for t in named {
        if !types.contains(t) {
            types.push(*t);
        }
    }
    Ok(())
}

/// A filter on `field`: `kind`, `owner` (a ref; `team-a` means `group:default/team-a`)
/// or `lifecycle`.
fn add_filter(request: &mut SearchRequest, field: &str, value: &str) -> Result<(), ApiError> {
    let value = value.trim().to_lowercase();
    if value.is_empty() {
        return Ok(());
    }
    let (values, value) = match field {
        "kind" => (&mut request.kinds, value),
        "lifecycle" => (&mut request.lifecycles, value),
        "owner" => {
            let value = match (value.contains(':'), value.contains('/')) {
                (true, true) => value,
                (true, false) => value.replacen(':', ":default/", 1),
                (false, true) => format!("group:{value}"),
                (false, false) => format!("group:default/{value}"),
            };
            (&mut request.owners, value)
        }
        other => {
            return Err(ApiError::bad_request(format!(
                "filters[{other}] is not a filter: search filters by kind, owner or lifecycle"
            )))
        }
    };
    if !values.contains(&value) {
        values.push(value);
    }
    Ok(())
}

fn encode_cursor(page: usize) -> String {
    STANDARD.encode(page.to_string())
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = STANDARD.decode(cursor).ok()?;
    std::str::from_utf8(&bytes).ok()?.parse().ok()
}

/// A page of results as Backstage's search API writes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultSet {
    results: Vec<ApiResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_page_cursor: Option<String>,
    number_of_results: usize,
}

#[derive(Serialize)]
struct ApiResult {
    #[serde(rename = "type")]
    result_type: &'static str,
    document: Map<String, Value>,
    highlight: Highlight,
    rank: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Highlight {
    pre_tag: &'static str,
    post_tag: &'static str,
    fields: Map<String, Value>,
}

impl ResultSet {
    fn of(request: &SearchRequest, results: SearchResults) -> Self {
        let page = request.offset / request.page_size();
        let has_next = results.offset + results.hits.len() < results.total;
        Self {
            next_page_cursor: has_next.then(|| encode_cursor(page + 1)),
            previous_page_cursor: (page > 0).then(|| encode_cursor(page - 1)),
            number_of_results: results.total,
            results: results
                .hits
                .into_iter()
                .enumerate()
                .map(|(n, hit)| ApiResult::of(hit, results.offset + n + 1))
                .collect(),
        }
    }
}

impl ApiResult {
    fn of(hit: SearchHit, rank: usize) -> Self {
        let text: String = hit
            .snippet
            .iter()
            .map(|piece| match piece {
                Snippet::Plain(text) | Snippet::Match(text) => text.as_str(),
            })
            .collect();
        let marked: String = hit.snippet.iter().map(marked).collect();
        let mut document = Map::new();
        let mut put = |key: &str, value: &str| {
            document.insert(key.to_owned(), Value::String(value.to_owned()));
        };
        put("title", &hit.about.title);
        put("text", &text);
        put("location", &hit.about.location);
        put("kind", &hit.about.kind);
        put("entityRef", &hit.about.entity_ref);
        if let Some((namespace, name)) = hit
            .about
            .entity_ref
            .split_once(':')
            .and_then(|(_, rest)| rest.split_once('/'))
        {
            put("namespace", namespace);
            put("name", name);
        }
        if let Some(owner) = &hit.about.owner {
            put("owner", owner);
        }
        if let Some(lifecycle) = &hit.about.lifecycle {
            put("lifecycle", lifecycle);
        }
        if let Some(section) = &hit.section {
            put("section", section);
        }
        let mut fields = Map::new();
        fields.insert("text".to_owned(), Value::String(marked));
        Self {
            result_type: backstage_type(hit.about.result_type),
            document,
            highlight: Highlight {
                pre_tag: PRE_TAG,
                post_tag: POST_TAG,
                fields,
            },
            rank,
        }
    }
}

/// The type Backstage's clients know a result by: entities of every kind are
/// `software-catalog` results.
fn backstage_type(result_type: ResultType) -> &'static str {
    match result_type {
        ResultType::Docs => ResultType::Docs.name(),
        _ => ResultType::Entity.name(),
    }
}

fn marked(piece: &Snippet) -> String {
    match piece {
        Snippet::Plain(text) => text.clone(),
        Snippet::Match(text) => format!("{PRE_TAG}{text}{POST_TAG}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backstage_query_strings_are_read() {
        let request = read_query(
            "term=pay&types%5B%5D=techdocs&types%5B1%5D=api-definition&filters%5Bkind%5D=Component\
             &filters%5Bowner%5D%5B%5D=team-a&pageLimit=10&pageCursor=Mg%3D%3D",
        )
        .unwrap();
        assert_eq!(request.term, "pay");
        assert_eq!(request.types, [ResultType::Docs, ResultType::Api]);
        assert_eq!(request.kinds, ["component"]);
        assert_eq!(request.owners, ["group:default/team-a"]);
        assert_eq!((request.limit, request.offset), (10, 20));
        let catalog = read_query("types=software-catalog").unwrap();
        assert_eq!(catalog.types.len(), 3);
        assert_eq!(catalog.limit, DEFAULT_PAGE_LIMIT);
    }

    #[test]
    fn bad_parameters_are_named() {
        for (query, named) in [
            ("types[]=wiki", "unknown search type"),
            ("filters[namespace]=x", "filters[namespace]"),
            ("pageLimit=500", "pageLimit"),
            ("pageCursor=%%%", "pageCursor"),
        ] {
            let error = format!("{:?}", read_query(query).unwrap_err());
            assert!(error.contains(named), "{query}: {error}");
        }
    }

    #[test]
    fn cursors_are_backstage_page_numbers() {
        assert_eq!(encode_cursor(1), "MQ==");
        assert_eq!(decode_cursor("MQ=="), Some(1));
    }
}
