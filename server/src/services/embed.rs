//! Embedding the portal elsewhere: an entity's badges, by name or by uid (the form that
//! does not show the entity's name in a public README), read as the person asking may.

use app::model::catalog::entity::Entity;
use app::model::catalog::entity_ref::EntityRef;
use app::model::embed::badge::{entity_badge, Badge, BadgeId, BadgeSpec};
use app::model::identity::principal::Principal;

use super::{CatalogError, Portal};

/// The entity a badge is about, as its address names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadgeSubject {
    /// `/entity/{namespace}/{kind}/{name}/…`.
    Named(EntityRef),
    /// `/entity/{uid}/…`, the uid `obfuscated` answers.
    Uid(String),
}

impl BadgeSubject {
    /// The subject in an error message.
    fn describe(&self) -> String {
        match self {
            Self::Named(entity_ref) => entity_ref.to_string(),
            Self::Uid(uid) => format!("with uid {uid}"),
        }
    }
}

impl Portal {
    /// Badge `id` of the entity, as `who` may read it. An entity that does not exist
    /// and one `who` may not read answer the same: not found.
    pub async fn entity_badge(
        &self,
        who: &Principal,
        subject: &BadgeSubject,
        id: BadgeId,
    ) -> Result<Badge, CatalogError> {
        let entity = self.badge_entity(who, subject).await?;
        Ok(entity_badge(id, &entity, self.portal_url()))
    }

    /// Every badge of the entity with the address of its image, the same form (name or
    /// uid) as the request's, and the Markdown that shows it.
    pub async fn badge_specs(
        &self,
        who: &Principal,
        subject: &BadgeSubject,
    ) -> Result<Vec<BadgeSpec>, CatalogError> {
        let entity = self.badge_entity(who, subject).await?;
        let base = match subject {
            BadgeSubject::Named(entity_ref) => format!(
                "{}/api/badges/entity/{}/{}/{}/badge",
                self.portal_url(),
                entity_ref.namespace(),
                entity_ref.kind(),
                entity_ref.name()
            ),
            BadgeSubject::Uid(uid) => format!("{}/api/badges/entity/{uid}", self.portal_url()),
        };
        Ok(BadgeId::ALL
            .into_iter()
            .map(|id| {
                let badge = entity_badge(id, &entity, self.portal_url());
                badge.spec(id, format!("{base}/{}", id.name()))
            })
            .collect())
    }

    /// The uid that addresses the entity's badges without its name (Backstage's
    /// `obfuscated`). It changes if the entity is deleted and registered again.
    pub async fn badge_uid(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
    ) -> Result<String, CatalogError> {
        let entity = self
            .badge_entity(who, &BadgeSubject::Named(entity_ref.clone()))
            .await?;
        entity
            .metadata
            .uid
            .ok_or_else(|| CatalogError::NotFound(format!("{entity_ref} has no uid yet")))
    }

    /// The entity a badge is about, if `who` may read it.
    async fn badge_entity(
        &self,
        who: &Principal,
        subject: &BadgeSubject,
    ) -> Result<Entity, CatalogError> {
        let entity = match subject {
            BadgeSubject::Named(entity_ref) => self.entity(who, entity_ref).await?,
            BadgeSubject::Uid(uid) => self.entity_by_uid(who, uid).await?,
        };
        entity.ok_or_else(|| CatalogError::NotFound(format!("No entity {}", subject.describe())))
    }

    /// The portal's address as browsers reach it, without a trailing slash.
    fn portal_url(&self) -> &str {
        self.identity().base_url.trim_end_matches('/')
    }
}
