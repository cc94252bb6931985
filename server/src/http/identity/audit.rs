//! `/api/identity/audit`: the audit log for admins — a page as JSON (`GET /audit`,
//! `before` for the next) and everything a filter selects as JSON lines
//! (`GET /audit/export`). Both take the `/admin/audit` page's parameters: `who`,
//! `action`, `result`, `target`, `since`, `until` (`YYYY-MM-DD`).

use axum::{
    body::{Body, Bytes},
    extract::{RawQuery, State},
    http::header,
    response::{IntoResponse, Response},
    Json,
};

use app::model::identity::audit::{AuditPage, AuditQuery};

use super::Caller;
use crate::{
    http::{error::ApiError, stream::channel_stream, AppState},
    services::identity::AuditError,
};

/// Entries read and written at a time by the export.
const EXPORT_CHUNK: usize = 1000;

impl From<AuditError> for ApiError {
    fn from(error: AuditError) -> Self {
        match error {
            AuditError::Invalid(message) => ApiError::bad_request(message),
            AuditError::Refused(refusal) => refusal.into(),
            AuditError::Store(error) => error.into(),
        }
    }
}

fn audit_query(raw: Option<&str>) -> Result<AuditQuery, ApiError> {
    AuditQuery::from_query_string(raw.unwrap_or(""))
        .map_err(|e| ApiError::bad_request(e.to_string()))
}

/// `GET /audit?…`: one page, newest first, with `older` (the `before` of the next).
pub async fn page(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<AuditPage>, ApiError> {
    let query = audit_query(raw.as_deref())?;
    Ok(Json(state.portal.audit_page(&who, &query).await?))
}

/// `GET /audit/export?…`: every entry the filter selects, newest first, one JSON object
/// per line, written a chunk at a time. A failure half-way ends the body early.
pub async fn export(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut query = audit_query(raw.as_deref())?;
    // Asked once before the body starts, so that a refusal is a 403, not an empty file.
    let first = state
        .portal
        .audit_entries(&who, &query, EXPORT_CHUNK)
        .await?;
    let portal = state.portal.clone();
    let body = channel_stream(2, move |sender| async move {
        let mut entries = first;
        while !entries.is_empty() {
            let mut out = Vec::new();
            for entry in &entries {
                serde_json::to_writer(&mut out, entry).expect("entries serialise");
                out.push(b'\n');
            }
            if sender.send(Ok(Bytes::from(out))).await.is_err() {
                return; // The client went away.
            }
            if entries.len() < EXPORT_CHUNK {
                return;
            }
            query.before = entries.last().map(|e| e.id);
            entries = match portal.audit_entries(&who, &query, EXPORT_CHUNK).await {
                Ok(entries) => entries,
                Err(error) => {
                    tracing::error!(%error, "exporting the audit log failed mid-stream");
                    let _ = sender
                        .send(Err(std::io::Error::other(error.to_string())))
                        .await;
                    return;
                }
            };
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"portico-audit.jsonl\"",
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
