//! `/api/identity/tokens`: API tokens, created, listed and revoked by their owner or an
//! admin.

use axum::{
    extract::{rejection::JsonRejection, Path, Query, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;

use app::model::{
    catalog::entity_ref::{EntityRef, RefContext},
    identity::token::{NewToken, TokenInfo, TokenRequest},
};

use super::Caller;
use crate::{
    http::{error::ApiError, AppState},
    services::identity::TokenError,
};

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Invalid(message) => ApiError::bad_request(message),
            TokenError::NotFound(message) => ApiError::not_found(message),
            TokenError::Refused(refusal) => refusal.into(),
            TokenError::Store(error) => error.into(),
        }
    }
}

/// The body of `POST /tokens`: a [`TokenRequest`], and for admins the user it acts as.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateToken {
    #[serde(flatten)]
    request: TokenRequest,
    /// The user the token acts as; the caller when left out.
    owner: Option<String>,
}

fn user_ref(text: &str) -> Result<EntityRef, ApiError> {
    EntityRef::parse(text, RefContext::of_kind("user"))
        .map_err(|e| ApiError::bad_request(format!("owner: {e}")))
}

/// `POST /tokens` `{name, scopes, expiresInDays?, owner?}` → 201 `{info, secret}`.
pub(super) async fn create_token(
    State(state): State<AppState>,
    Caller(who): Caller,
    body: Result<Json<CreateToken>, JsonRejection>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let Json(body) = body?;
    let owner = match &body.owner {
        Some(owner) => user_ref(owner)?,
        None => who.user.clone(),
    };
    let created = state
        .portal
        .create_token(&who, &owner, &body.request)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The query of `GET /tokens`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    owner: Option<String>,
}

/// `GET /tokens[?owner=USER]`: the caller's tokens, one user's, or (`owner=*`, admins)
/// every one.
pub(super) async fn list_tokens(
    State(state): State<AppState>,
    Caller(who): Caller,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    let owner = match query.owner.as_deref() {
        Some("*") => None,
        Some(owner) => Some(user_ref(owner)?),
        None => Some(who.user.clone()),
    };
    Ok(Json(state.portal.tokens(&who, owner.as_ref()).await?))
}

/// `DELETE /tokens/{id}`: 204, or 404 when there is no such token.
pub(super) async fn revoke_token(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.portal.revoke_token(&who, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
