//! Signing in with OpenID Connect: the authorization code flow with PKCE, against any
//! provider that publishes its discovery document.
//!
//! 1. [`Portal::start_sign_in`] keeps a state, a nonce and a PKCE verifier in the
//!    database (any replica may receive the answer) and sends the browser to the
//!    provider; the state goes in a cookie too, so that an answer is only taken from the
//!    browser that asked (no one can sign someone else in as themselves).
//! 2. [`Portal::finish_sign_in`] takes that row once, trades the code for tokens at the
//!    provider, checks the ID token ([`super::jwt`]), finds the User entity the person
//!    is, and starts a session.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use app::model::{
    catalog::{
        entity_ref::EntityRef,
        filter::{Condition, EntityQuery, FilterGroup},
    },
    identity::{
        audit::{actions, Outcome},
        principal::{Credential, Principal},
        signin::SignInFailure,
    },
};
use base64::Engine;
use serde::Deserialize;

use super::{
    jwt::{self, IdClaims, JwkSet},
    random_text,
    sessions::NewSession,
    Portal,
};
use crate::{
    services::epoch_ms,
    store::{SignInRequestRow, StoreError},
};

/// One provider people may sign in with, as configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcProvider {
    /// Its id: `/auth/{id}/start`, `/auth/{id}/callback`.
    pub id: String,
    /// What the sign-in button calls it.
    pub name: String,
    /// Its issuer identifier; discovery is read from
    /// `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    /// This portal's client id there.
    pub client_id: String,
    /// And its secret.
    pub client_secret: String,
    /// The scopes asked for (`openid` always among them).
    pub scopes: Vec<String>,
}

/// The annotation of a User entity naming the subject a provider knows it by (when its
/// email is not how it is recognised).
pub const SUBJECT_ANNOTATION: &str = "portico.dev/oidc-subject";

/// How long a sign-in may take between leaving for the provider and coming back.
const SIGN_IN_TIME: Duration = Duration::from_secs(10 * 60);

/// How long a provider's discovery document and keys are kept.
const DISCOVERY_TIME: Duration = Duration::from_secs(3600);

/// How long to wait for a provider.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a sign-in failed. The sign-in page shows [`SignInError::failure`]; the log gets
/// the whole story.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// No provider has this id.
    #[error("there is no sign-in provider '{0}'")]
    UnknownProvider(String),
    /// No sign-in under way matches the answer.
    #[error("no sign-in under way matches this answer (too late, used, or another browser's)")]
    Expired,
    /// The provider refused.
    #[error("the provider refused: {0}")]
    Denied(String),
    /// The provider failed, or its answer is not acceptable.
    #[error("{0}")]
    Provider(String),
    /// No User entity is the person the provider vouched for.
    #[error("no User entity matches {0}")]
    NoUser(String),
    /// Several do.
    #[error("several User entities match {0}")]
    Ambiguous(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SignInError {
    /// What the sign-in page tells the person.
    pub fn failure(&self) -> SignInFailure {
        match self {
            SignInError::UnknownProvider(_) | SignInError::Expired => SignInFailure::Expired,
            SignInError::Denied(_) => SignInFailure::Denied,
            SignInError::Provider(_) | SignInError::Store(_) => SignInFailure::Provider,
            SignInError::NoUser(who) => SignInFailure::NoUser(who.clone()),
            SignInError::Ambiguous(who) => SignInFailure::Ambiguous(who.clone()),
        }
    }
}

/// The endpoints a provider's discovery document names.
#[derive(Clone, Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
    jwks_uri: String,
}

/// A provider's discovery document and keys, and when they were read.
struct Known {
    discovery: Discovery,
    keys: JwkSet,
    read_at: Instant,
}

/// Talks to the providers (which ones is the identity settings' business); keeps what
/// they publish for an hour.
pub struct OidcClient {
    agent: ureq::Agent,
    known: Mutex<HashMap<String, Arc<Known>>>,
}

impl std::fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcClient").finish_non_exhaustive()
    }
}

impl Default for OidcClient {
    fn default() -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(PROVIDER_TIMEOUT))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("portico/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self {
            agent,
            known: Mutex::default(),
        }
    }
}

impl OidcClient {
    /// The provider's discovery document and keys: kept, or read again when older than
    /// an hour or when `fresh_keys` (a token names a key not seen yet).
    async fn known(
        &self,
        provider: &OidcProvider,
        fresh_keys: bool,
    ) -> Result<Arc<Known>, SignInError> {
        let kept = self
            .known
            .lock()
            .expect("not poisoned")
            .get(&provider.id)
            .cloned();
        if let Some(known) = kept.filter(|k| {
            let age = k.read_at.elapsed();
            age < DISCOVERY_TIME && (!fresh_keys || age < Duration::from_secs(30))
        }) {
            return Ok(known);
        }
        let agent = self.agent.clone();
        let issuer = provider.issuer.trim_end_matches('/').to_owned();
        let known = tokio::task::spawn_blocking(move || -> Result<Known, SignInError> {
            let url = format!("{issuer}/.well-known/openid-configuration");
            let discovery: Discovery = get_json(&agent, &url, None)?;
            if discovery.issuer.trim_end_matches('/') != issuer {
                return Err(SignInError::Provider(format!(
                    "{url} names the issuer {}, not {issuer}",
                    discovery.issuer
                )));
            }
            let keys = get_json(&agent, &discovery.jwks_uri, None)?;
            Ok(Known {
                discovery,
                keys,
                read_at: Instant::now(),
            })
        })
        .await
        .map_err(|e| SignInError::Provider(e.to_string()))??;
        let known = Arc::new(known);
        self.known
            .lock()
            .expect("not poisoned")
            .insert(provider.id.clone(), known.clone());
        Ok(known)
    }
}

/// GETs `url` (with a bearer token) and reads its JSON.
fn get_json<T: serde::de::DeserializeOwned>(
    agent: &ureq::Agent,
    url: &str,
    bearer: Option<&str>,
) -> Result<T, SignInError> {
    let mut request = agent.get(url).header("accept", "application/json");
    if let Some(token) = bearer {
        request = request.header("authorization", &format!("Bearer {token}"));
    }
    read_json(url, request.call())
}

fn read_json<T: serde::de::DeserializeOwned>(
    url: &str,
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<T, SignInError> {
    let fail = |why: String| SignInError::Provider(format!("{url}: {why}"));
    let mut response = response.map_err(|e| fail(e.to_string()))?;
    let status = response.status();
    let text = response
        .body_mut()
        .with_config()
        .limit(1024 * 1024)
        .read_to_string()
        .map_err(|e| fail(e.to_string()))?;
    if !status.is_success() {
        return Err(fail(format!(
            "HTTP {status}: {}",
            text.chars().take(300).collect::<String>()
        )));
    }
    serde_json::from_str(&text).map_err(|e| fail(format!("unexpected answer: {e}")))
}

/// The provider's answer at its token endpoint.
#[derive(Deserialize)]
struct Tokens {
    id_token: String,
    #[serde(default)]
    access_token: Option<String>,
}

/// What a sign-in's start hands the browser: where to go, and the state for its cookie.
#[derive(Debug)]
pub struct SignInStart {
    /// The provider's authorization URL.
    pub redirect: String,
    /// The state, for the browser's cookie.
    pub state: String,
}

/// A path of this portal to return to: `/…`, never another site (`//host`, `/\host`),
/// and printable ASCII only, as a URL's path and query are once encoded (a decoded
/// control character could not even go in a `Location` header).
pub fn safe_return(path: Option<&str>) -> String {
    match path {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && p.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// base64url(SHA-256(verifier)): PKCE's S256 challenge.
fn code_challenge(verifier: &str) -> String {
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

impl Portal {
    /// The configured provider `id`.
    fn provider(&self, id: &str) -> Result<&OidcProvider, SignInError> {
        self.identity
            .providers
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| SignInError::UnknownProvider(id.to_owned()))
    }

    /// Where `provider` sends people back to.
    fn redirect_uri(&self, provider: &OidcProvider) -> String {
        format!("{}/auth/{}/callback", self.identity.base_url, provider.id)
    }

    /// Starts signing in with provider `id`, coming back to `return_to`.
    pub async fn start_sign_in(
        &self,
        id: &str,
        return_to: Option<&str>,
    ) -> Result<SignInStart, SignInError> {
        let provider = self.provider(id)?;
        let known = self.oidc.known(provider, false).await?;
        let request = SignInRequestRow {
            state: random_text(32),
            provider: provider.id.clone(),
            verifier: random_text(48),
            nonce: random_text(32),
            return_to: safe_return(return_to),
            created_at: epoch_ms(Duration::ZERO),
        };
        self.store
            .create_sign_in_request(
                &request,
                epoch_ms(Duration::ZERO) - SIGN_IN_TIME.as_millis() as i64,
            )
            .await?;
        let mut scopes = provider.scopes.clone();
        if !scopes.iter().any(|s| s == "openid") {
            scopes.insert(0, "openid".into());
        }
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &provider.client_id)
            .append_pair("redirect_uri", &self.redirect_uri(provider))
            .append_pair("scope", &scopes.join(" "))
            .append_pair("state", &request.state)
            .append_pair("nonce", &request.nonce)
            .append_pair("code_challenge", &code_challenge(&request.verifier))
            .append_pair("code_challenge_method", "S256")
            .finish();
        let endpoint = &known.discovery.authorization_endpoint;
        let separator = if endpoint.contains('?') { '&' } else { '?' };
        Ok(SignInStart {
            redirect: format!("{endpoint}{separator}{query}"),
            state: request.state,
        })
    }

    /// Finishes signing in with provider `id` for `who` (the guest, until then):
    /// `answer` is the callback's query, and `cookie_state` the state the browser kept.
    /// A new session, and where to go. Both ends go to the audit log.
    pub async fn finish_sign_in(
        &self,
        who: &Principal,
        id: &str,
        answer: &HashMap<String, String>,
        cookie_state: Option<&str>,
    ) -> Result<(NewSession, String), SignInError> {
        let target = format!("provider {id}");
        match self.sign_in_with(id, answer, cookie_state).await {
            Ok((session, return_to, user)) => {
                let person = Principal::new(user, Vec::new(), false, Credential::Session)
                    .coming_from(who.origin.clone());
                self.record(&person, actions::SIGN_IN, &target, Outcome::Done, "")
                    .await;
                Ok((session, return_to))
            }
            Err(error) => {
                self.record(
                    who,
                    actions::SIGN_IN,
                    &target,
                    Outcome::Failed,
                    error.to_string(),
                )
                .await;
                Err(error)
            }
        }
    }

    /// [`Portal::finish_sign_in`]: the session, where to go, and who signed in.
    async fn sign_in_with(
        &self,
        id: &str,
        answer: &HashMap<String, String>,
        cookie_state: Option<&str>,
    ) -> Result<(NewSession, String, EntityRef), SignInError> {
        let provider = self.provider(id)?;
        let state = answer.get("state").map(String::as_str).unwrap_or_default();
        if state.is_empty() || cookie_state != Some(state) {
            return Err(SignInError::Expired);
        }
        let request = self
            .store
            .take_sign_in_request(state)
            .await?
            .filter(|r| r.provider == provider.id)
            .filter(|r| r.created_at >= epoch_ms(Duration::ZERO) - SIGN_IN_TIME.as_millis() as i64)
            .ok_or(SignInError::Expired)?;
        if let Some(error) = answer.get("error") {
            return Err(SignInError::Denied(format!(
                "{error}: {}",
                answer
                    .get("error_description")
                    .map(String::as_str)
                    .unwrap_or("")
            )));
        }
        let code = answer
            .get("code")
            .ok_or_else(|| SignInError::Provider("the provider's answer has no code".into()))?;
        let claims = self.redeem(provider, code, &request).await?;
        let user = self.user_signing_in(&claims).await?;
        tracing::info!(provider = %provider.id, subject = %claims.sub, %user, "signed in");
        let session = self.start_session(&user, &provider.id, &claims.sub).await?;
        Ok((session, request.return_to, user))
    }

    /// Trades the code for tokens, checks the ID token, and completes its claims from
    /// the userinfo endpoint when it carries no email.
    async fn redeem(
        &self,
        provider: &OidcProvider,
        code: &str,
        request: &SignInRequestRow,
    ) -> Result<IdClaims, SignInError> {
        let known = self.oidc.known(provider, false).await?;
        let form = [
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", self.redirect_uri(provider)),
            ("code_verifier", request.verifier.clone()),
        ];
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            form_urlencoded::byte_serialize(provider.client_id.as_bytes()).collect::<String>(),
            form_urlencoded::byte_serialize(provider.client_secret.as_bytes()).collect::<String>()
        ));
        let agent = self.oidc.agent.clone();
        let endpoint = known.discovery.token_endpoint.clone();
        let tokens: Tokens = tokio::task::spawn_blocking(move || {
            let response = agent
                .post(&endpoint)
                .header("authorization", &format!("Basic {basic}"))
                .header("accept", "application/json")
                .send_form(form.iter().map(|(k, v)| (*k, v.as_str())));
            read_json(&endpoint, response)
        })
        .await
        .map_err(|e| SignInError::Provider(e.to_string()))??;

        let known = match jwt::names_unknown_key(&tokens.id_token, &known.keys) {
            true => self.oidc.known(provider, true).await?,
            false => known,
        };
        let expected = jwt::Expected {
            issuer: &provider.issuer,
            client_id: &provider.client_id,
            nonce: &request.nonce,
            now: epoch_ms(Duration::ZERO) / 1000,
        };
        let mut claims = jwt::verify(&tokens.id_token, &known.keys, &expected)
            .map_err(|e| SignInError::Provider(e.to_string()))?;
        if let (None, Some(userinfo), Some(access)) = (
            &claims.email,
            known.discovery.userinfo_endpoint.clone(),
            tokens.access_token,
        ) {
            let agent = self.oidc.agent.clone();
            let info: IdClaims =
                tokio::task::spawn_blocking(move || get_json(&agent, &userinfo, Some(&access)))
                    .await
                    .map_err(|e| SignInError::Provider(e.to_string()))??;
            // The userinfo answer counts only if it is about the same person.
            if info.sub != claims.sub {
                return Err(SignInError::Provider(format!(
                    "the userinfo endpoint answered for {}, not {}",
                    info.sub, claims.sub
                )));
            }
            claims.email = info.email;
            claims.email_verified = info.email_verified;
            claims.name = claims.name.or(info.name);
        }
        Ok(claims)
    }

    /// The User entity a provider vouched for: the one annotated with its subject, else
    /// the one whose `spec.profile.email` is its (verified) email.
    async fn user_signing_in(&self, claims: &IdClaims) -> Result<EntityRef, SignInError> {
        let by = |key: String, value: &str| EntityQuery {
            filter: vec![FilterGroup {
                conditions: vec![
                    Condition {
                        key: "kind".into(),
                        values: vec!["user".into()],
                    },
                    Condition {
                        key,
                        values: vec![value.to_lowercase()],
                    },
                ],
            }],
            limit: 2,
            ..EntityQuery::default()
        };
        let mut found = self
            .store
            .query_entities(&by(
                format!("metadata.annotations.{SUBJECT_ANNOTATION}"),
                &claims.sub,
            ))
            .await?
            .0;
        let mut who = claims.sub.clone();
        if found.is_empty() {
            if let Some(email) = claims
                .email
                .as_deref()
                .filter(|_| claims.email_verified != Some(false))
            {
                who = email.to_owned();
                found = self
                    .store
                    .query_entities(&by("spec.profile.email".into(), email))
                    .await?
                    .0;
            }
        }
        match found.as_slice() {
            [one] => EntityRef::parse_full(one).map_err(|e| SignInError::Provider(e.to_string())),
            [] => Err(SignInError::NoUser(who)),
            _ => Err(SignInError::Ambiguous(who)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_the_portal_are_returned_to() {
        assert_eq!(safe_return(Some("/catalog?kind=api")), "/catalog?kind=api");
        for elsewhere in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example",
            "catalog",
            "/x\r\nSet-Cookie: a=b",
            "/\t/evil.example",
            "/café",
        ] {
            assert_eq!(safe_return(Some(elsewhere)), "/", "{elsewhere}");
        }
        assert_eq!(safe_return(None), "/");
    }

    #[test]
    fn the_pkce_challenge_is_rfc_7636s() {
        // RFC 7636, appendix B.
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
