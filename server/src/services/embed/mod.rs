//! Embedding the portal elsewhere: what each widget shows, and an entity's badges, by
//! name or by uid (the form that does not show the entity's name in a public README);
//! everything read as the person asking may; signed links that read as the person who
//! shared them ([`links`]).

mod links;

use app::model::catalog::api_definition::ApiDefinition;
use app::model::catalog::catalog_view::{CatalogRow, CatalogView};
use app::model::catalog::entity::Entity;
use app::model::catalog::entity_page::Related;
use app::model::catalog::entity_ref::EntityRef;
use app::model::catalog::starred::Starred;
use app::model::embed::badge::{entity_badge, Badge, BadgeId, BadgeSpec};
use app::model::embed::oembed::{embedded, OEmbed};
use app::model::embed::widget::{EntityCard, OwnerCard, Widget, OWNED_SHOWN};
use app::model::identity::principal::Principal;

use super::{CatalogError, Portal};
use crate::store::StoreError;
pub use links::{EmbedKey, LinkError};

/// How many results the search widget lists.
pub const SEARCH_SHOWN: usize = 8;

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
    /// The card widget of `entity_ref`: the entity and its owner; `None` when the
    /// catalog does not hold it or `who` may not read it.
    pub async fn entity_card(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
    ) -> Result<Option<EntityCard>, StoreError> {
        let Some(entity) = self.entity(who, entity_ref).await? else {
            return Ok(None);
        };
        let owner = match entity.owner_ref().cloned() {
            Some(target) => {
                let row = self.entity(who, &target).await?.map(|e| CatalogRow::of(&e));
                Some(Related {
                    relation_type: "ownedBy".to_owned(),
                    target,
                    row,
                })
            }
            None => None,
        };
        Ok(Some(EntityCard { entity, owner }))
    }

    /// The owner widget of `entity_ref`: the team owning it (itself when it is a group
    /// or a user), the team's members and what it owns; `None` when the catalog holds
    /// neither the entity nor its owner, or `who` may read neither.
    pub async fn owner_card(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
    ) -> Result<Option<OwnerCard>, StoreError> {
        let Some(entity) = self.entity(who, entity_ref).await? else {
            return Ok(None);
        };
        let team = match entity.kind.to_ascii_lowercase().as_str() {
            "group" | "user" => entity,
            _ => match entity.owner_ref() {
                Some(owner) => match self.entity(who, owner).await? {
                    Some(team) => team,
                    None => return Ok(None),
                },
                None => return Ok(None),
            },
        };
        let related = |relation: &str| -> Vec<String> {
            let mut refs: Vec<String> = team
                .relations
                .iter()
                .filter(|r| r.relation_type.eq_ignore_ascii_case(relation))
                .map(|r| r.target_ref.to_string())
                .collect();
            refs.sort();
            refs.dedup();
            refs
        };
        let rows = |entities: Vec<Entity>| -> Vec<CatalogRow> {
            let mut rows: Vec<CatalogRow> = entities.iter().map(CatalogRow::of).collect();
            rows.sort_by(|a, b| {
                (a.kind.to_lowercase(), &a.title, &a.name).cmp(&(
                    b.kind.to_lowercase(),
                    &b.title,
                    &b.name,
                ))
            });
            rows
        };
        let members = rows(self.entities(who, &related("hasMember")).await?);
        let mut owned = rows(self.entities(who, &related("ownerOf")).await?);
        let owned_total = owned.len();
        owned.truncate(OWNED_SHOWN);
        Ok(Some(OwnerCard {
            team: CatalogRow::of(&team),
            members,
            owned,
            owned_total,
        }))
    }

    /// The API widget of `entity_ref`: the API and its definition prepared for
    /// reading; `None` when it is not an API the catalog holds and `who` may read.
    pub async fn api_summary(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
    ) -> Result<Option<(Entity, Option<ApiDefinition>)>, StoreError> {
        Ok(self
            .entity(who, entity_ref)
            .await?
            .filter(|entity| entity.kind.eq_ignore_ascii_case("api"))
            .map(|entity| {
                let definition = super::catalog::pages::api_definition(&entity);
                (entity, definition)
            }))
    }

    /// The oEmbed answer for the portal page at `url` (an iframe of the widget showing
    /// it), within `max` (width, height); `None` when no widget shows that page, or its
    /// entity or docs page does not exist or `who` may not read it.
    pub async fn oembed(
        &self,
        who: &Principal,
        url: &str,
        max: (Option<u32>, Option<u32>),
    ) -> Result<Option<OEmbed>, StoreError> {
        let Some(embedded) = embedded(url) else {
            return Ok(None);
        };
        let title = match embedded.widget {
            Widget::Docs => self
                .docs_page(who, &embedded.entity, &embedded.page)
                .await?
                .map(|page| page.title),
            _ => self
                .entity(who, &embedded.entity)
                .await?
                .map(|entity| entity.display_name().to_owned()),
        };
        Ok(title.map(|title| OEmbed::new(&embedded, self.portal_url(), title, max)))
    }

    /// The search widget's answer to `q`: its first [`SEARCH_SHOWN`] entities, as the
    /// catalog page's search box finds them, and how many match.
    pub async fn widget_search(
        &self,
        who: &Principal,
        q: &str,
    ) -> Result<(Vec<CatalogRow>, u64), StoreError> {
        if q.trim().is_empty() {
            return Ok((Vec::new(), 0));
        }
        let view = CatalogView {
            text: q.to_owned(),
            ..CatalogView::default()
        };
        let mut page = self.catalog_page(who, &view, &Starred::default()).await?;
        page.rows.truncate(SEARCH_SHOWN);
        Ok((page.rows, page.total))
    }

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
