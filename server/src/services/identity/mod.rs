//! Who may do what: the principal a request acts as, the one check every write passes
//! through ([`Portal::authorize`]) before it touches anything; signing in with OpenID
//! Connect ([`oidc`]) and the sessions it starts ([`sessions`]); API tokens
//! ([`tokens`]); and the audit log of writes and refusals ([`audit`]).
//!
//! The rules are `app::model::identity::policy` (the same types the pages use); this
//! file holds the portal's settings for them and what the checks need from the catalog:
//! a user's groups, an entity's owners and tags.

mod audit;
mod jwt;
mod mine;
mod oidc;
mod sessions;
mod tokens;

use app::model::{
    catalog::{entity::Entity, entity_ref::EntityRef},
    identity::{
        action::Action,
        audit::Outcome,
        policy::{Policy, Refusal, Target},
        principal::{Credential, Principal, GUEST},
        visibility::Visibility,
    },
};

use super::Portal;
use crate::store::StoreError;

pub use audit::AuditError;
pub use oidc::{OidcClient, OidcProvider, SignInError, SignInStart, SUBJECT_ANNOTATION};
pub use sessions::{NewSession, SessionSettings, SESSION_COOKIE};
pub use tokens::TokenError;

/// How long audit log entries are kept unless the config says otherwise: 90 days.
pub const DEFAULT_AUDIT_RETENTION: std::time::Duration =
    std::time::Duration::from_secs(90 * 24 * 3600);

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
    /// Nothing: pages send people to sign in, APIs answer 401 (the default once a
    /// sign-in provider is configured).
    Off,
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
    /// The OpenID Connect providers people sign in with.
    pub providers: Vec<OidcProvider>,
    /// How long sessions last.
    pub sessions: SessionSettings,
    /// The portal's address as browsers reach it (`https://portal.example.com`): where
    /// providers send people back, and whether cookies are `Secure`.
    pub base_url: String,
    /// How long audit log entries are kept (`None`: for ever).
    pub audit_retention: Option<std::time::Duration>,
    /// How many reverse proxies in front of the portal append to `X-Forwarded-For`:
    /// where a request comes from is the address the outermost of them saw.
    pub trusted_proxies: usize,
}

impl std::str::FromStr for GuestAccess {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "read" => Ok(GuestAccess::Read),
            "admin" => Ok(GuestAccess::Admin),
            "off" => Ok(GuestAccess::Off),
            other => Err(format!(
                "'{other}' is not a guest access: write read, admin or off"
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
            providers: Vec::new(),
            sessions: SessionSettings::default(),
            base_url: format!("http://{}", crate::config::DEFAULT_ADDR),
            audit_retention: Some(DEFAULT_AUDIT_RETENTION),
            trusted_proxies: 0,
        }
    }
}

impl IdentitySettings {
    /// What the home page tells people who are not signed in, when guests may do less
    /// than everything.
    pub fn guest_notice(&self) -> Option<String> {
        let signing_in = match self.providers.is_empty() {
            true => "needs an account",
            false => "needs you to sign in",
        };
        (self.guest == GuestAccess::Read).then(|| {
            format!(
                "You are browsing as a guest: you can read everything here, but changing the \
                 catalog or running templates {signing_in}."
            )
        })
    }

    /// Whether the portal is reached over TLS, so that cookies must be `Secure` and
    /// browsers told to keep to HTTPS.
    pub fn behind_tls(&self) -> bool {
        self.base_url.starts_with("https://")
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

    /// The User entity of `who`, when signed in: a person's own profile is read whatever
    /// the policy says of the catalog (their name in the menu, `user.entity` in tasks).
    pub async fn own_entity(&self, who: &Principal) -> Result<Option<Entity>, StoreError> {
        if !who.signed_in() {
            return Ok(None);
        }
        let own = [who.user.to_string()];
        Ok(self
            .entities_seen(&Visibility::Everything, &own)
            .await?
            .pop())
    }

    /// Whether `who` may do `action` to `target`; a refusal goes to the audit log.
    pub async fn authorize(
        &self,
        who: &Principal,
        action: Action,
        target: &Target,
    ) -> Result<(), Refusal> {
        let decided = self.identity.policy.decide(who, action, target);
        self.refusal_recorded(who, action, target, decided).await
    }

    /// Whether `who` may do `action` to some target, for a request about one that does
    /// not exist or that they may not read ([`Policy::decide_for_some`]); a refusal goes
    /// to the audit log.
    pub async fn authorize_some(
        &self,
        who: &Principal,
        action: Action,
        target: &Target,
    ) -> Result<(), Refusal> {
        let decided = self.identity.policy.decide_for_some(who, action, target);
        self.refusal_recorded(who, action, target, decided).await
    }

    /// `decided`, its refusal logged and recorded in the audit log.
    async fn refusal_recorded(
        &self,
        who: &Principal,
        action: Action,
        target: &Target,
        decided: Result<(), Refusal>,
    ) -> Result<(), Refusal> {
        if let Err(refusal) = &decided {
            tracing::info!(user = %who.user, %action, target = %target.label, reason = %refusal, "refused");
            self.record(
                who,
                action.name(),
                &target.label,
                Outcome::Refused,
                &refusal.message,
            )
            .await;
        }
        decided
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

/// SHA-256 of a secret (an API token, a session's cookie), hex: what is stored and
/// looked up. Both carry at least 244 random bits, so a fast hash is as good as a slow
/// one here.
fn secret_hash(secret: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(secret.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// `bytes` random bytes from the system's generator, base64url without padding.
fn random_text(bytes: usize) -> String {
    use base64::Engine;
    let mut buffer = vec![0u8; bytes];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut buffer)
        .expect("the system's random generator works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer)
}
