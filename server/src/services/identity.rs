//! Who may do what: the principal a request acts as, the one check every write passes
//! through ([`Portal::authorize`]) before it touches anything, and API tokens (created,
//! listed and revoked by their owner or an admin; only their hash is kept).
//!
//! The rules are `app::model::identity::policy` (the same types the pages use); this
//! file holds the portal's settings for them and what the checks need from the catalog:
//! a user's groups, an entity's owners and tags.

use std::time::Duration;

use app::model::{
    catalog::{entity::Entity, entity_ref::EntityRef},
    identity::{
        action::{Action, Scope},
        policy::{Policy, Refusal, Target},
        principal::{Credential, Principal, GUEST},
        token::{NewToken, TokenInfo, TokenRequest},
    },
};

use super::{epoch_ms, Portal};
use crate::store::{StoreError, TokenRow};

/// What a request without credentials may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GuestAccess {
    /// Read, as the policy lets everyone (the default for a portal that listens beyond
    /// loopback).
    Read,
    /// Everything: the guest is an admin (the default on loopback, where the one person
    /// using the portal is the one who started it).
    Admin,
}

/// The identity settings of one portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentitySettings {
    /// The rules.
    pub policy: Policy,
    /// What guests may do.
    pub guest: GuestAccess,
    /// Members of these groups are admins.
    pub admin_groups: Vec<EntityRef>,
}

impl std::str::FromStr for GuestAccess {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "read" => Ok(GuestAccess::Read),
            "admin" => Ok(GuestAccess::Admin),
            other => Err(format!(
                "'{other}' is not a guest access: write read or admin"
            )),
        }
    }
}

impl Default for IdentitySettings {
    fn default() -> Self {
        Self {
            policy: Policy::default(),
            guest: GuestAccess::Admin,
            admin_groups: vec![EntityRef::new("group", "default", "admins")],
        }
    }
}

impl IdentitySettings {
    /// What the home page tells people who are not signed in, when guests may do less
    /// than everything.
    pub fn guest_notice(&self) -> Option<String> {
        (self.guest == GuestAccess::Read).then(|| {
            "You are browsing as a guest: you can read everything here, but changing the \
             catalog or running templates needs an account."
                .to_owned()
        })
    }

    /// What the portal's operator is told at start-up, when guests may only read.
    pub fn startup_notice(&self) -> Option<&'static str> {
        (self.guest == GuestAccess::Read).then_some(
            "guests (everyone who is not signed in) may read and nothing else; set \
             auth.guest = \"admin\" in the config file, or --guest admin, to let them do \
             everything",
        )
    }
}

impl Portal {
    /// The principal of a request that brings no credentials.
    pub fn guest(&self) -> Principal {
        Principal::guest(self.identity.guest == GuestAccess::Admin)
    }

    /// The identity settings.
    pub fn identity(&self) -> &IdentitySettings {
        &self.identity
    }

    /// A signed-in principal for `user`: its groups through `memberOf` and parent
    /// groups, read from the catalog; an admin when one of them is an admin group.
    pub async fn principal_for(
        &self,
        user: EntityRef,
        credential: Credential,
    ) -> Result<Principal, StoreError> {
        let groups: Vec<EntityRef> = self
            .store
            .groups_of(&user.to_string())
            .await?
            .iter()
            .filter_map(|g| EntityRef::parse_full(g).ok())
            .collect();
        let admin = groups
            .iter()
            .any(|g| self.identity.admin_groups.contains(g));
        Ok(Principal::new(user, groups, admin, credential))
    }

    /// Who a task acts as: the user in its spec (`{"ref": …}`), with that user's groups
    /// as the catalog has them now; the guest when there is none, or the user cannot be
    /// read (a task never gets more than a guest's rights by accident).
    pub async fn task_principal(&self, user: Option<&serde_json::Value>) -> Principal {
        let user = user
            .and_then(|u| u["ref"].as_str())
            .and_then(|r| EntityRef::parse_full(r).ok())
            .filter(|r| r.to_string() != GUEST);
        let Some(user) = user else {
            return self.guest();
        };
        match self.principal_for(user.clone(), Credential::Session).await {
            Ok(principal) => principal,
            Err(error) => {
                tracing::warn!(%user, %error, "a task's user could not be read; it acts as a reader");
                Principal::guest(false)
            }
        }
    }

    /// Whether `who` may do `action` to `target`; a refusal is logged with who asked.
    pub fn authorize(
        &self,
        who: &Principal,
        action: Action,
        target: &Target,
    ) -> Result<(), Refusal> {
        self.identity
            .policy
            .decide(who, action, target)
            .inspect_err(|refusal| {
                tracing::info!(user = %who.user, %action, target = %target.label, reason = %refusal, "refused");
            })
    }
}

/// An entity as the policy sees it: its ref, owners (`ownedBy`) and tags.
pub fn entity_target(entity: &Entity) -> Target {
    let entity_ref = entity.entity_ref();
    Target {
        label: entity_ref.to_string(),
        owners: entity
            .relations
            .iter()
            .filter(|r| r.relation_type == "ownedBy")
            .map(|r| r.target_ref.clone())
            .collect(),
        tags: entity.metadata.tags.clone(),
        entity: Some(entity_ref),
    }
}

/// A location as the policy sees it: no entity, named `location type:target`.
pub fn location_target(location_type: &str, target: &str) -> Target {
    Target {
        label: format!("location {location_type}:{target}"),
        ..Target::default()
    }
}

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

/// SHA-256 of a token, hex: what is stored and looked up. Tokens carry 244 random
/// bits, so a fast hash is as good as a slow one here.
fn token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

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
        self.may_manage_tokens_of(who, owner)?;
        self.issue_token(owner, request, &who.user.to_string())
            .await
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
        if owner.kind() != "user" || self.entity(owner).await?.is_none() {
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
            hash: token_hash(&secret),
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
        self.may_manage_tokens_of(who, &owner)?;
        let revoked = self
            .store
            .revoke_token(id, epoch_ms(Duration::ZERO))
            .await?;
        if revoked {
            tracing::info!(token = %id, owner = %owner, by = %who.user, "API token revoked");
        }
        Ok(revoked)
    }

    /// The principal a request bearing `token` acts as: its owner as the catalog has
    /// them now, limited to its scopes. `None` for a token that is unknown, expired or
    /// revoked.
    pub async fn principal_for_token(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let Some(row) = self.store.token_by_hash(&token_hash(token)).await? else {
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
        let scopes = scopes_of(&row);
        Ok(Some(
            self.principal_for(owner, Credential::Token { scopes })
                .await?,
        ))
    }
}
