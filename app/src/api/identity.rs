//! Who is using the portal: the viewer of the current request, for the header and the
//! home page.

use leptos::prelude::*;

use serde::{Deserialize, Serialize};

use crate::model::identity::{
    audit::AuditPage,
    principal::Viewer,
    token::{NewToken, TokenInfo},
};

/// What the audit log page shows for a query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AuditAnswer {
    /// A page of entries.
    Page(AuditPage),
    /// The query is wrong, and why (naming the parameter).
    BadQuery(String),
    /// The person may not read the log, and why.
    Refused(String),
}

/// A page of the audit log for the URL query `query` (`who=…&result=refused`, as
/// `/api/identity/audit` takes it), for admins.
#[server]
pub async fn get_audit(query: String) -> Result<AuditAnswer, ServerFnError> {
    use crate::model::identity::audit::AuditQuery;
    let query = match AuditQuery::from_query_string(&query) {
        Ok(query) => query,
        Err(why) => return Ok(AuditAnswer::BadQuery(why.to_string())),
    };
    let services = super::Services::from_context()?;
    services
        .audit_page(super::service::request_principal()?, query)
        .await
        .map_err(ServerFnError::new)
}

/// The current request's principal and what the portal says about guests. Its URL,
/// `/api/viewer`, is open to everyone: the sign-in page asks it how to sign in.
#[server(endpoint = "viewer")]
pub async fn get_viewer() -> Result<Viewer, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .viewer(super::service::request_principal()?)
        .await
        .map_err(ServerFnError::new)
}

/// What the home page shows the person of their own: what they own, the tasks they
/// started, what they starred.
#[server]
pub async fn get_mine() -> Result<crate::model::identity::mine::Mine, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .mine(
            super::service::request_principal()?,
            super::service::request_starred(),
        )
        .await
        .map_err(ServerFnError::new)
}

/// The signed-in person's API tokens, newest first (revoked and expired ones too).
#[server]
pub async fn get_my_tokens() -> Result<Vec<TokenInfo>, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .my_tokens(super::service::request_principal()?)
        .await
        .map_err(ServerFnError::new)
}

/// Creates an API token acting as the signed-in person, from the token page's form (a
/// checkbox per scope, so that it posts without JavaScript too).
#[server]
pub async fn create_my_token(
    name: String,
    lifetime: String,
    read: Option<String>,
    catalog_write: Option<String>,
    templates_run: Option<String>,
    admin: Option<String>,
) -> Result<NewToken, ServerFnError> {
    use crate::model::identity::{action::Scope, token::TokenRequest};
    let ticked = [
        (read, Scope::Read),
        (catalog_write, Scope::CatalogWrite),
        (templates_run, Scope::TemplatesRun),
        (admin, Scope::Admin),
    ];
    let scopes = ticked
        .into_iter()
        .filter_map(|(box_value, scope)| box_value.map(|_| scope))
        .collect();
    let request = TokenRequest::from_form(&name, &lifetime, scopes).map_err(ServerFnError::new)?;
    let services = super::Services::from_context()?;
    let created = services
        .create_my_token(super::service::request_principal()?, request)
        .await
        .map_err(ServerFnError::new)?;
    if flash::posted_as_form() {
        flash::keep(&created, services.secure_cookies());
    }
    Ok(created)
}

/// The token the form just created when it was posted without JavaScript, once: the
/// browser was sent back to `/tokens`, and this is how the page shows its secret.
#[server]
pub async fn take_new_token() -> Result<Option<NewToken>, ServerFnError> {
    let services = super::Services::from_context()?;
    let who = super::service::request_principal()?;
    Ok(flash::take(services.secure_cookies())
        .filter(|token| token.info.owner == who.user.to_string()))
}

/// A token created by a form posted without JavaScript rides to the page the browser is
/// sent back to in a cookie: HttpOnly, for `/tokens` only, two minutes at most, cleared
/// by the page that shows it.
#[cfg(feature = "ssr")]
mod flash {
    use crate::model::{
        cookie::{self, SameSite},
        identity::token::NewToken,
    };

    const COOKIE: &str = "portico_new_token";

    fn request() -> Option<http::request::Parts> {
        leptos::prelude::use_context::<http::request::Parts>()
    }

    /// Whether the request is a form's own post (the browser wants a page back), not a
    /// call from the page's script.
    pub fn posted_as_form() -> bool {
        request()
            .and_then(|parts| {
                parts
                    .headers
                    .get(http::header::ACCEPT)?
                    .to_str()
                    .ok()
                    .map(|a| a.contains("text/html"))
            })
            .unwrap_or(false)
    }

    fn set_cookie(value: &str, max_age: u64, secure: bool) {
        let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
            return;
        };
        let header = cookie::private(COOKIE, value, "/tokens", max_age, SameSite::Strict, secure);
        if let Ok(header) = http::HeaderValue::from_str(&header) {
            response.append_header(http::header::SET_COOKIE, header);
        }
    }

    /// Keeps `token` for the next page.
    pub fn keep(token: &NewToken, secure: bool) {
        let Ok(json) = serde_json::to_string(token) else {
            return;
        };
        let value: String = form_urlencoded::byte_serialize(json.as_bytes()).collect();
        set_cookie(&value, 120, secure);
    }

    /// The token kept for this page, if any; the cookie is cleared.
    pub fn take(secure: bool) -> Option<NewToken> {
        let parts = request()?;
        let header = parts.headers.get(http::header::COOKIE)?.to_str().ok()?;
        let value = cookie::value(header, COOKIE)?;
        set_cookie("", 0, secure);
        let json: String = form_urlencoded::parse(format!("v={value}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())?;
        serde_json::from_str(&json).ok()
    }
}

/// Revokes one of the signed-in person's tokens.
#[server]
pub async fn revoke_my_token(id: String) -> Result<(), ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .revoke_my_token(super::service::request_principal()?, id)
        .await
        .map_err(ServerFnError::new)
}
