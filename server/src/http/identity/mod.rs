//! Who each request acts as: resolved once, before any route runs, and kept in the
//! request's extensions, where REST handlers ([`Caller`]) and server functions
//! (`app::api::service::request_principal`) find it. Cross-site writes are refused here
//! too. `/api/identity` (API tokens, [`tokens`]; the audit log, [`audit`]) and `/auth`
//! (signing in, [`signin`]) are this capability's routes.

mod audit;
mod signin;
mod tokens;

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, Method, Uri},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::{delete, get},
    Router,
};

use app::model::identity::{
    audit::{actions, Outcome},
    policy::Refusal,
    principal::Principal,
    signin::sign_in_url,
};

use super::{
    error::{backstage_errors, ApiError},
    AppState,
};
use crate::services::identity::{GuestAccess, SESSION_COOKIE};

pub use signin::routes as signin_routes;

/// `/api/identity`: API tokens and the audit log.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/tokens",
            get(tokens::list_tokens).post(tokens::create_token),
        )
        .route("/tokens/{id}", delete(tokens::revoke_token))
        .route("/audit", get(audit::page))
        .route("/audit/export", get(audit::export))
        .layer(middleware::from_fn(backstage_errors))
}

/// The server function the sign-in page and the header ask who is there, open to
/// everyone (`app::api::get_viewer`).
const VIEWER_ENDPOINT: &str = "/api/viewer";

/// Puts the request's principal in its extensions: a token's owner for
/// `Authorization: Bearer <token>`, a session's user for the session cookie, else the
/// guest. A token that is unknown, expired or revoked is refused (401) whatever the
/// route: it never falls back to the guest. A stale session cookie is the guest's.
pub async fn resolve_principal(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(client)| client.ip());
    let proxies = state.portal.identity().trusted_proxies;
    let origin = client_address(request.headers(), peer, proxies).map(|ip| ip.to_string());
    let found = match bearer_token(request.headers()) {
        Some(token) => token_principal(&state, token).await,
        None => {
            let (method, uri, headers) = (request.method(), request.uri(), request.headers());
            browser_principal(&state, method, uri, headers, origin.as_deref()).await
        }
    };
    match found {
        Ok(principal) => {
            request
                .extensions_mut()
                .insert(principal.coming_from(origin));
            next.run(request).await
        }
        Err(Refused::Error(error)) => {
            error.response_to(request.method().as_str(), &request.uri().to_string())
        }
        Err(Refused::SignIn(redirect)) => redirect,
        Err(Refused::Unidentified) => next.run(request).await,
    }
}

/// Where a request comes from: the TCP peer, or behind `proxies` trusted reverse
/// proxies the address the outermost one saw — the `proxies`-th entry of
/// `X-Forwarded-For` from the right (entries further left are whatever the client
/// sent, and anyone may send one). Without enough entries, the peer.
fn client_address(
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::IpAddr>,
    proxies: usize,
) -> Option<std::net::IpAddr> {
    if proxies == 0 {
        return peer;
    }
    let mut entries: Vec<&str> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(value) = value.to_str() else {
            return peer;
        };
        entries.extend(value.split(',').map(str::trim));
    }
    let seen = entries.len().checked_sub(proxies).map(|at| entries[at]);
    seen.and_then(|entry| entry.parse().ok()).or(peer)
}

/// Why a request goes no further.
enum Refused {
    /// An error, in Backstage's shape.
    Error(ApiError),
    /// A person who must sign in first.
    SignIn(Response),
    /// No one, on a route that tells strangers itself what they may not see: the
    /// widgets, whose "Sign-in required" page a frame on another site can show where
    /// the sign-in page (framed by the portal only) cannot; a doc set's file asked for
    /// with a signed link, which says whose it is. It has no principal.
    Unidentified,
}

impl<E: Into<ApiError>> From<E> for Refused {
    fn from(error: E) -> Self {
        Refused::Error(error.into())
    }
}

/// The owner of an API token, limited to its scopes.
async fn token_principal(state: &AppState, token: &str) -> Result<Principal, Refused> {
    state
        .portal
        .principal_for_token(token)
        .await?
        .ok_or_else(|| {
            ApiError::unauthenticated("the API token is unknown, expired or revoked").into()
        })
}

/// A browser's principal: its session's user, or the guest; refused when the request
/// is a write from another site, or when guests may do nothing here.
async fn browser_principal(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    origin: Option<&str>,
) -> Result<Principal, Refused> {
    let session = cookie(headers, SESSION_COOKIE);
    let base_url = &state.portal.identity().base_url;
    if let Some(why) = cross_site_write(method, headers, session.is_some(), base_url) {
        let refusal = Refusal {
            message: format!("cross-site request refused: {why}"),
            unauthenticated: false,
        };
        let who = state.portal.guest().coming_from(origin.map(str::to_owned));
        let target = format!("{method} {}", uri.path());
        let portal = &state.portal;
        portal
            .record(
                &who,
                actions::CROSS_SITE,
                &target,
                Outcome::Refused,
                &refusal.message,
            )
            .await;
        return Err(refusal.into());
    }
    if let Some(secret) = session {
        if let Some(principal) = state.portal.principal_for_session(secret).await? {
            return Ok(principal);
        }
    }
    let path = uri.path();
    let open = path == "/signin"
        || path.starts_with("/auth/")
        || path == VIEWER_ENDPOINT
        || matches!(path, "/healthz" | "/readyz")
        || (method == Method::GET && state.site.serves(path));
    if state.portal.identity().guest != GuestAccess::Off || open {
        return Ok(state.portal.guest());
    }
    // Guests may do nothing here: people are sent to sign in, programs told to.
    if path.starts_with("/embed/") || super::docs::signed_file(uri) {
        return Err(Refused::Unidentified);
    }
    let wants_page = method == Method::GET
        && headers
            .get(header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    if wants_page {
        let here = uri.path_and_query().map_or("/", |p| p.as_str());
        return Err(Refused::SignIn(
            Redirect::to(&sign_in_url(here)).into_response(),
        ));
    }
    Err(ApiError::unauthenticated("sign in or send an API token").into())
}

/// Why a request is a write another site made a browser send, if it is one.
///
/// Browsers say where a request comes from in `Origin` (every cross-origin write
/// carries it) or `Sec-Fetch-Site`. A write is accepted from this portal's own pages
/// (the origin's host is the request's `Host`, or `base_url`'s), and from programs,
/// which send neither header and no session cookie. `SameSite=Lax` cookies already keep
/// sessions out of other sites' writes; this keeps out the rest, the guest of a local
/// portal (an admin) included.
fn cross_site_write(
    method: &Method,
    headers: &HeaderMap,
    has_session: bool,
    base_url: &str,
) -> Option<String> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match (text("origin"), text("sec-fetch-site")) {
        (Some(origin), _) => {
            let authority = origin.split_once("://").map(|(_, rest)| rest);
            let host = text("host");
            let own = authority.is_some_and(|a| Some(a) == host)
                || origin.trim_end_matches('/') == origin_of(base_url);
            (!own).then(|| format!("this portal does not accept writes from {origin}"))
        }
        (None, Some("same-origin" | "none")) => None,
        (None, Some(site)) => Some(format!("the browser says it comes from a {site} page")),
        (None, None) if has_session => {
            Some("a signed-in write must say where it comes from (Origin)".into())
        }
        (None, None) => None,
    }
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => &url[..after_scheme + slash],
        None => url,
    }
}

/// The token of an `Authorization: Bearer …` header.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The value of cookie `name`, in any of the request's `Cookie` headers.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| app::model::cookie::value(v, name))
        .filter(|value| !value.is_empty())
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

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://portal.example";

    /// Why a POST with `headers` is refused, if it is.
    fn post(headers: &[(&'static str, &str)], has_session: bool) -> Option<String> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        cross_site_write(&Method::POST, &map, has_session, BASE)
    }

    #[test]
    fn writes_from_the_portals_own_pages_and_from_programs_pass() {
        let own = [
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ];
        assert_eq!(post(&own, true), None);
        let proxied = [
            ("host", "10.0.0.5:3000"),
            ("origin", "https://portal.example"),
        ];
        assert_eq!(post(&proxied, true), None);
        assert_eq!(post(&[("sec-fetch-site", "same-origin")], true), None);
        assert_eq!(post(&[], false), None);
    }

    #[test]
    fn writes_from_other_sites_are_refused() {
        let evil = [
            ("host", "127.0.0.1:3000"),
            ("origin", "https://evil.example"),
        ];
        assert!(post(&evil, false).unwrap().contains("evil.example"));
        assert!(post(&[("host", "127.0.0.1:3000"), ("origin", "null")], true).is_some());
        assert!(post(&[("sec-fetch-site", "cross-site")], true).is_some());
        assert!(post(&[], true).is_some());
        let mut evil_read = HeaderMap::new();
        evil_read.insert("origin", "https://evil.example".parse().unwrap());
        assert_eq!(cross_site_write(&Method::GET, &evil_read, true, BASE), None);
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut headers = HeaderMap::new();
        let cookies = "theme=dark; portico_session=abc".parse().unwrap();
        headers.insert(header::COOKIE, cookies);
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "other"), None);
    }

    #[test]
    fn the_address_behind_trusted_proxies_is_the_one_the_outermost_saw() {
        let peer: std::net::IpAddr = "10.0.0.9".parse().unwrap();
        let from = |values: &[&str], proxies: usize| {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append("x-forwarded-for", value.parse().unwrap());
            }
            client_address(&headers, Some(peer), proxies).map(|ip| ip.to_string())
        };
        let peer = Some("10.0.0.9".to_owned());
        // Not trusted: whatever a client writes there is ignored.
        assert_eq!(from(&["203.0.113.7"], 0), peer);
        assert_eq!(from(&["203.0.113.7"], 1), Some("203.0.113.7".into()));
        // A client's own entry comes first; one proxy appends what it saw.
        assert_eq!(
            from(&["6.6.6.6, 203.0.113.7"], 1),
            Some("203.0.113.7".into())
        );
        assert_eq!(
            from(&["6.6.6.6", "203.0.113.7, 10.1.1.1"], 2),
            Some("203.0.113.7".into())
        );
        assert_eq!(from(&["2001:db8::1"], 1), Some("2001:db8::1".into()));
        // Fewer entries than proxies, none, or not an address: the peer.
        assert_eq!(from(&["203.0.113.7"], 2), peer);
        assert_eq!(from(&[], 1), peer);
        assert_eq!(from(&["unknown"], 1), peer);
    }
}
