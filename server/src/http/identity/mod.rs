//! Who each request acts as: resolved once, before any route runs, and kept in the
//! request's extensions, where REST handlers ([`Caller`]) and server functions
//! (`app::api::service::request_principal`) find it. And `/api/identity`: API tokens.

use std::sync::Arc;

use axum::{
    extract::{rejection::JsonRejection, FromRequestParts, Path, Query, Request, State},
    http::{header::AUTHORIZATION, request::Parts, StatusCode},
    middleware::{self, Next},
    response::Response,
    routing::{delete, get},
    Json, Router,
};
use serde::Deserialize;

use app::model::{
    catalog::entity_ref::{EntityRef, RefContext},
    identity::{
        principal::Principal,
        token::{NewToken, TokenInfo, TokenRequest},
    },
};

use super::{
    error::{backstage_errors, ApiError},
    AppState,
};
use crate::services::{identity::TokenError, Portal};

/// Puts the request's principal in its extensions: a token's owner for
/// `Authorization: Bearer <token>`, else the guest. A token that is unknown, expired or
/// revoked is refused (401) whatever the route: it never falls back to the guest.
pub async fn resolve_principal(
    State(portal): State<Arc<Portal>>,
    mut request: Request,
    next: Next,
) -> Response {
    let principal = match bearer_token(&request) {
        None => portal.guest(),
        Some(token) => {
            let found = portal
                .principal_for_token(token)
                .await
                .map_err(ApiError::from)
                .and_then(|principal| {
                    principal.ok_or_else(|| {
                        ApiError::unauthenticated("the API token is unknown, expired or revoked")
                    })
                });
            match found {
                Ok(principal) => principal,
                Err(error) => {
                    let url = request.uri().to_string();
                    return error.response_to(request.method().as_str(), &url);
                }
            }
        }
    };
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// The token of an `Authorization: Bearer …` header.
fn bearer_token(request: &Request) -> Option<&str> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The principal of a REST request.
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| ApiError::unauthenticated("sign in or send an API token"))
    }
}

/// `/api/identity`: API tokens.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
        .layer(middleware::from_fn(backstage_errors))
}

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
async fn create_token(
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
async fn list_tokens(
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
async fn revoke_token(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.portal.revoke_token(&who, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
