//! API tokens: created, listed and revoked by their owner or an admin; only their hash
//! is kept.

use std::time::Duration;

use app::model::{
    catalog::entity_ref::EntityRef,
    identity::{
        action::Scope,
        audit::{actions, Outcome},
        policy::Refusal,
        principal::{Credential, Principal},
        token::{NewToken, TokenInfo, TokenRequest},
        visibility::Visibility,
    },
};

use super::{secret_hash, Portal};
use crate::{
    services::epoch_ms,
    store::{StoreError, TokenRow},
};

/// Why a token cannot be created, listed or revoked.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The request is wrong.
    #[error("{0}")]
    Invalid(String),
    /// No such user or token.
    #[error("{0}")]
    NotFound(String),
    /// The person asking may not.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a token starts with, so that secret scanners and people recognise one.
const TOKEN_PREFIX: &str = "portico_";

/// The scopes a token row stores, separated by spaces.
fn scopes_of(row: &TokenRow) -> Vec<Scope> {
    row.scopes
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect()
}

fn token_info(row: TokenRow) -> TokenInfo {
    TokenInfo {
        scopes: scopes_of(&row),
        id: row.id,
        name: row.name,
        owner: row.owner_ref,
        created_by: row.created_by,
        created_at: row.created_at,
        expires_at: row.expires_at,
        last_used_at: row.last_used_at,
        revoked_at: row.revoked_at,
    }
}

impl Portal {
    /// Tokens are managed by their owner (signed in, not through a token) or an admin.
    fn may_manage_tokens_of(&self, who: &Principal, owner: &EntityRef) -> Result<(), Refusal> {
        let own = who.user == *owner && who.signed_in() && who.scopes().is_none();
        let admin = who.admin && who.scopes().is_none_or(|s| s.contains(&Scope::Admin));
        match (own || admin, who.signed_in()) {
            (true, _) => Ok(()),
            (false, false) => Err(Refusal {
                message: "sign in to manage API tokens".into(),
                unauthenticated: true,
            }),
            (false, true) => Err(Refusal {
                message: format!(
                    "only {owner} (signed in, not with a token) or an admin may manage its tokens"
                ),
                unauthenticated: false,
            }),
        }
    }

    /// Creates a token acting as `owner` for `who`: their own, or, for an admin, any
    /// user's (a service token).
    pub async fn create_token(
        &self,
        who: &Principal,
        owner: &EntityRef,
        request: &TokenRequest,
    ) -> Result<NewToken, TokenError> {
        let target = format!("tokens of {owner}");
        self.audited_token_change(who, owner, actions::TOKEN_CREATE, &target)
            .await?;
        let issued = self
            .issue_token(owner, request, &who.user.to_string())
            .await;
        let (outcome, detail) = match &issued {
            Ok(new) => (
                Outcome::Done,
                format!("token '{}' ({})", new.info.name, new.info.id),
            ),
            Err(error) => (Outcome::Failed, error.to_string()),
        };
        self.record(who, actions::TOKEN_CREATE, &target, outcome, detail)
            .await;
        issued
    }

    /// [`Portal::may_manage_tokens_of`], with a refusal recorded in the audit log as an
    /// attempt at `action` on `target`.
    async fn audited_token_change(
        &self,
        who: &Principal,
        owner: &EntityRef,
        action: &str,
        target: &str,
    ) -> Result<(), Refusal> {
        let allowed = self.may_manage_tokens_of(who, owner);
        if let Err(refusal) = &allowed {
            self.record(who, action, target, Outcome::Refused, &refusal.message)
                .await;
        }
        allowed
    }

    /// Creates a token acting as `owner`, recorded as created by `created_by`, with no
    /// question asked: for `portico token create`, run by whoever runs the portal.
    pub async fn issue_token(
        &self,
        owner: &EntityRef,
        request: &TokenRequest,
        created_by: &str,
    ) -> Result<NewToken, TokenError> {
        if let Some(problem) = request.problem() {
            return Err(TokenError::Invalid(problem));
        }
        let exists = self
            .entities_seen(&Visibility::Everything, &[owner.to_string()])
            .await?;
        if owner.kind() != "user" || exists.is_empty() {
            return Err(TokenError::NotFound(format!(
                "a token acts as a User entity, and the catalog has no {owner}"
            )));
        }
        let secret = format!(
            "{TOKEN_PREFIX}{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let now = epoch_ms(Duration::ZERO);
        let day = Duration::from_secs(24 * 3600);
        let row = TokenRow {
            id: uuid::Uuid::new_v4().to_string(),
            hash: secret_hash(&secret),
            owner_ref: owner.to_string(),
            name: request.name.trim().to_owned(),
            scopes: request
                .scopes
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(" "),
            created_by: created_by.to_owned(),
            created_at: now,
            expires_at: request.expires_in_days.map(|days| epoch_ms(day * days)),
            last_used_at: None,
            revoked_at: None,
        };
        self.store.create_token(&row).await?;
        tracing::info!(token = %row.id, owner = %row.owner_ref, scopes = %row.scopes, %created_by, "API token created");
        Ok(NewToken {
            info: token_info(row),
            secret,
        })
    }

    /// The tokens acting as `owner`, newest first; every token when `owner` is `None`
    /// (admins).
    pub async fn tokens(
        &self,
        who: &Principal,
        owner: Option<&EntityRef>,
    ) -> Result<Vec<TokenInfo>, TokenError> {
        match owner {
            Some(owner) => self.may_manage_tokens_of(who, owner)?,
            None if who.admin => {}
            None => {
                return Err(TokenError::Refused(Refusal {
                    message: "only admins may list every token".into(),
                    unauthenticated: !who.signed_in(),
                }))
            }
        }
        let owner = owner.map(ToString::to_string);
        Ok(self
            .store
            .tokens(owner.as_deref())
            .await?
            .into_iter()
            .map(token_info)
            .collect())
    }

    /// Revokes token `id`; false when it was revoked already.
    pub async fn revoke_token(&self, who: &Principal, id: &str) -> Result<bool, TokenError> {
        let token = self
            .store
            .token(id)
            .await?
            .ok_or_else(|| TokenError::NotFound(format!("there is no token {id}")))?;
        let owner = EntityRef::parse_full(&token.owner_ref)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        let target = format!("token '{}' ({id}) of {owner}", token.name);
        self.audited_token_change(who, &owner, actions::TOKEN_REVOKE, &target)
            .await?;
        let revoked = self.store.revoke_token(id, epoch_ms(Duration::ZERO)).await;
        let (outcome, detail) = match &revoked {
            Ok(true) => (Outcome::Done, String::new()),
            Ok(false) => (Outcome::Done, "it was revoked already".to_owned()),
            Err(error) => (Outcome::Failed, error.to_string()),
        };
        self.record(who, actions::TOKEN_REVOKE, &target, outcome, detail)
            .await;
        if revoked.as_ref().is_ok_and(|done| *done) {
            tracing::info!(token = %id, owner = %owner, by = %who.user, "API token revoked");
        }
        Ok(revoked?)
    }

    /// The principal a request bearing `token` acts as: its owner as the catalog has
    /// them now, limited to its scopes. `None` for a token that is unknown, expired or
    /// revoked.
    pub async fn principal_for_token(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let Some(row) = self.store.token_by_hash(&secret_hash(token)).await? else {
            return Ok(None);
        };
        let now = epoch_ms(Duration::ZERO);
        if row.revoked_at.is_some() || row.expires_at.is_some_and(|end| end <= now) {
            return Ok(None);
        }
        let Ok(owner) = EntityRef::parse_full(&row.owner_ref) else {
            return Ok(None);
        };
        self.store.touch_token(&row.id, now).await?;
        let credential = Credential::Token {
            scopes: scopes_of(&row),
            id: row.id,
            name: row.name,
        };
        Ok(Some(self.principal_for(owner, credential).await?))
    }
}
