//! Signed embed links (`app::model::embed::signed`): made for people the policy lets
//! share a widget (`embed.sign`), checked on every load of the widget, which then reads
//! as the person who signed it. Changing the portal's embed key ends every link; a
//! signer who may no longer share the entity, or read it, ends theirs.

use std::time::Duration;

use app::model::{
    catalog::entity_ref::EntityRef,
    embed::{
        oembed::Embedded,
        signed::{message, with_link, Signature, SignedLink, MAX_DAYS},
        widget::Widget,
    },
    identity::{
        action::Action,
        audit::Outcome,
        policy::Refusal,
        principal::{Credential, Principal},
    },
    task::rfc3339,
};
use base64::Engine;

use super::super::{epoch_ms, identity::entity_target, Portal};
use crate::store::StoreError;

/// The secret signed links are made with (HMAC-SHA256).
#[derive(Clone)]
pub struct EmbedKey(ring::hmac::Key);

impl EmbedKey {
    /// The shortest secret accepted, in bytes.
    pub const MIN_LEN: usize = 32;

    /// A key from the configured secret.
    pub fn new(secret: &[u8]) -> Self {
        Self(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret))
    }

    fn mac(&self, message: &str) -> String {
        let tag = ring::hmac::sign(&self.0, message.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag.as_ref())
    }

    /// Whether `mac` is the MAC of `message`, compared in constant time.
    fn verifies(&self, message: &str, mac: &str) -> bool {
        let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(mac) else {
            return false;
        };
        ring::hmac::verify(&self.0, message.as_bytes(), &tag).is_ok()
    }
}

impl std::fmt::Debug for EmbedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmbedKey(…)")
    }
}

/// Why a link cannot be signed, or a signed link does not open its widget.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The portal has no key to sign with.
    #[error(
        "this portal signs no embed links: its operator has set no embed key \
         (--embed-key, PORTICO_EMBED_KEY or embed_key in the config file)"
    )]
    NoKey,
    /// The request is wrong: it names no entity widget, or a lifetime out of bounds.
    #[error("{0}")]
    Invalid(String),
    /// The entity does not exist, or the signer may not read it.
    #[error("the catalog has no entity {0}")]
    NotFound(EntityRef),
    /// The person asking, or the link's signer, may not share the entity.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The link was made for another widget or entity, changed, or signed with another
    /// key.
    #[error(
        "this embed link is not valid here: it was changed after it was signed, is for \
         another widget, or the portal's embed key has changed since"
    )]
    Forged,
    /// The link's time is up.
    #[error("this embed link expired on {0}; ask whoever shared it for a new one")]
    Expired(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Seconds since the Unix epoch.
fn now_secs() -> i64 {
    epoch_ms(Duration::ZERO) / 1000
}

impl Portal {
    /// Sets the key signed embed links are made with; none: no links are signed.
    pub fn set_embed_key(&mut self, key: Option<EmbedKey>) {
        self.embed_key = key;
    }

    /// A link to `widget` of `entity_ref` that reads as `who` for `days` days, for
    /// people the policy lets share the entity (`embed.sign`). Recorded in the audit log.
    pub async fn sign_link(
        &self,
        who: &Principal,
        widget: Widget,
        entity_ref: &EntityRef,
        days: u32,
    ) -> Result<SignedLink, LinkError> {
        let key = self.embed_key.as_ref().ok_or(LinkError::NoKey)?;
        if !widget.about_entity() {
            return Err(LinkError::Invalid(format!(
                "the {} widget names no entity; links are signed for one entity's widget",
                widget.name()
            )));
        }
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(LinkError::Invalid(format!(
                "expiresInDays must be from 1 to {MAX_DAYS}, not {days}"
            )));
        }
        if !who.signed_in() {
            return Err(Refusal {
                message: "sign in to share a widget by a signed link".to_owned(),
                unauthenticated: true,
            }
            .into());
        }
        let entity = self
            .entity(who, entity_ref)
            .await?
            .ok_or_else(|| LinkError::NotFound(entity_ref.clone()))?;
        self.authorize(who, Action::EmbedSign, &entity_target(&entity))
            .await?;
        let expires = now_secs() + i64::from(days) * 86_400;
        let signature = Signature {
            mac: key.mac(&message(widget, entity_ref, &who.user, expires)),
            signer: who.user.clone(),
            expires,
        };
        let expires_at = rfc3339(expires * 1000);
        self.record(
            who,
            Action::EmbedSign.name(),
            &entity_ref.to_string(),
            Outcome::Done,
            format!("{} widget, until {expires_at}", widget.name()),
        )
        .await;
        let signed = signature.to_param();
        let path = with_link(&Embedded::new(widget, entity_ref.clone()), &signed).path();
        Ok(SignedLink {
            url: format!("{}{path}", self.portal_url()),
            signed,
            path,
            expires_at,
        })
    }

    /// Who a signed link to `widget` of `entity_ref` reads as: its signer, when the MAC
    /// is right, its time is not up, and the signer may still read and share the entity.
    pub async fn link_principal(
        &self,
        widget: Widget,
        entity_ref: &EntityRef,
        signed: &str,
    ) -> Result<Principal, LinkError> {
        let key = self.embed_key.as_ref().ok_or(LinkError::NoKey)?;
        let Signature {
            signer,
            expires,
            mac,
        } = Signature::parse(signed).map_err(|_| LinkError::Forged)?;
        if !key.verifies(&message(widget, entity_ref, &signer, expires), &mac) {
            return Err(LinkError::Forged);
        }
        if expires <= now_secs() {
            return Err(LinkError::Expired(rfc3339(expires * 1000)));
        }
        let signer = self.principal_for(signer, Credential::Session).await?;
        let entity = self
            .entity(&signer, entity_ref)
            .await?
            .ok_or_else(|| LinkError::NotFound(entity_ref.clone()))?;
        // Checked without the audit log: a wiki page holding a withdrawn link would
        // fill it at every view.
        let policy = &self.identity().policy;
        policy
            .decide(&signer, Action::EmbedSign, &entity_target(&entity))
            .map_err(|refusal| Refusal {
                message: format!(
                    "{} may no longer share {entity_ref}: {refusal}",
                    signer.user
                ),
                unauthenticated: false,
            })?;
        Ok(Principal {
            credential: Credential::EmbedLink { expires },
            ..signer
        })
    }
}
