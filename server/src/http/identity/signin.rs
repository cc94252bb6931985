//! `/auth`: signing in with a provider and signing out. The pages are the app's
//! (`/signin`); these routes only move the browser and its cookies.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};

use app::model::cookie::{private as private_cookie, SameSite};

use super::{cookie, Caller};
use crate::{
    http::AppState,
    services::identity::{SignInError, SESSION_COOKIE},
};

/// The cookie holding the state of the sign-in under way.
const SIGN_IN_COOKIE: &str = "portico_signin";

/// `/auth/{provider}/start`, `/auth/{provider}/callback`, `/auth/signout`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/signout", post(sign_out))
        .route("/{provider}/start", get(start))
        .route("/{provider}/callback", get(callback))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure behind TLS; `max_age` 0
/// deletes it.
fn set_cookie(state: &AppState, name: &str, value: &str, path: &str, max_age: u64) -> HeaderValue {
    let secure = state.portal.identity().behind_tls();
    let text = private_cookie(name, value, path, max_age, SameSite::Lax, secure);
    HeaderValue::from_str(&text).expect("cookie values are base64url")
}

/// A 303 to `to` that sets `cookies` (a 502 if `to`, which may come from a provider's
/// discovery document, cannot be a header).
fn redirect_with(to: &str, cookies: impl IntoIterator<Item = HeaderValue>) -> Response {
    let Ok(location) = HeaderValue::from_str(to) else {
        tracing::warn!(to, "a sign-in redirect is not a valid header");
        let why = "the sign-in provider's address cannot be used";
        return (StatusCode::BAD_GATEWAY, why).into_response();
    };
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The query of `/start`.
#[derive(serde::Deserialize)]
pub struct StartQuery {
    #[serde(rename = "return")]
    return_to: Option<String>,
}

/// Sends the browser to the provider, remembering the sign-in in a cookie.
async fn start(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(query): Query<StartQuery>,
) -> Response {
    match state
        .portal
        .start_sign_in(&provider, query.return_to.as_deref())
        .await
    {
        Ok(start) => {
            let cookie = set_cookie(&state, SIGN_IN_COOKIE, &start.state, "/auth", 600);
            redirect_with(&start.redirect, [cookie])
        }
        Err(error) => failed(&provider, &error),
    }
}

/// The provider's answer: a session and the page the person came from, or the sign-in
/// page saying what went wrong.
async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(answer): Query<HashMap<String, String>>,
    Caller(who): Caller,
    headers: HeaderMap,
) -> Response {
    let forget = set_cookie(&state, SIGN_IN_COOKIE, "", "/auth", 0);
    let pending = cookie(&headers, SIGN_IN_COOKIE);
    match state
        .portal
        .finish_sign_in(&who, &provider, &answer, pending)
        .await
    {
        Ok((session, return_to)) => {
            let max_age = session.max_age.as_secs();
            let session = set_cookie(&state, SESSION_COOKIE, &session.secret, "/", max_age);
            redirect_with(&return_to, [forget, session])
        }
        Err(error) => {
            let mut response = failed(&provider, &error);
            response.headers_mut().append(header::SET_COOKIE, forget);
            response
        }
    }
}

/// Logs why signing in failed, and sends the person to the sign-in page, which says so.
fn failed(provider: &str, error: &SignInError) -> Response {
    tracing::warn!(%provider, %error, "sign-in failed");
    Redirect::to(&format!("/signin?{}", error.failure().to_query())).into_response()
}

/// Ends the session and forgets its cookie.
async fn sign_out(
    State(state): State<AppState>,
    Caller(who): Caller,
    headers: HeaderMap,
) -> Response {
    if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
        if let Err(error) = state.portal.end_session(&who, secret).await {
            tracing::error!(%error, "a session could not be ended");
        }
    }
    redirect_with("/", [set_cookie(&state, SESSION_COOKIE, "", "/", 0)])
}
