//! The Software Catalog's behaviour: reading entities (composed as the API serves
//! them), queries and facets, and the registered locations.
//!
//! - `locations.rs`: registering, reading and refreshing locations;
//! - `pages.rs`: what the catalog's pages show (the table, facets, entity pages, the
//!   home page's summary).

mod analyze;
mod ancestry;
mod locations;
pub(crate) mod pages;
mod texts;

pub use analyze::Analysis;
pub use ancestry::{Ancestry, AncestryItem};
pub use texts::{EntityText, FacetValue, JsonText, KeptTexts};

use app::model::{
    catalog::{
        entity::{Entity, EntityStatus, Relation, RelationTarget, StatusItem},
        entity_ref::EntityRef,
        filter::EntityQuery,
    },
    identity::{
        action::Action,
        policy::{Refusal, Target},
        principal::{Credential, Principal},
        visibility::Visibility,
    },
};

use super::{
    identity::{entity_target, location_target},
    Portal,
};
use crate::store::{ApplyReport, LocationRow, StoreError, StoredEntity};

/// Why a catalog request cannot be done, in words for the person who made it.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The request itself is wrong.
    #[error("{0}")]
    InvalidInput(String),
    /// What it names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// It would duplicate something that exists.
    #[error("{0}")]
    Conflict(String),
    /// The policy does not let the person asking do it.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What registering a location that is already registered does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnConflict {
    /// Refuse it (Backstage's `ConflictError`, 409).
    #[default]
    Reject,
    /// Read the registered location again now, and answer as if it were added.
    Refresh,
}

/// A location registered (or, in a dry run, only read) through the API.
#[derive(Debug)]
pub struct Registration {
    /// The location; in a dry run, with an id that is not stored.
    pub location: LocationRow,
    /// The entities it holds, as read.
    pub entities: Vec<Entity>,
    /// Whether the location was already registered (dry runs only).
    pub exists: bool,
}

/// What ingesting one location did.
#[derive(Clone, Debug)]
pub struct IngestReport {
    /// The location.
    pub location: LocationRow,
    /// What changed in the catalog.
    pub applied: ApplyReport,
    /// How many problems its files have.
    pub problems: usize,
}

impl Portal {
    /// What `who` may read of the catalog: every read below narrows to it, so an entity
    /// they may not read is absent from lists, counts, facets and pages alike.
    pub fn catalog_reads(&self, who: &Principal) -> Visibility {
        self.identity.policy.visibility(who, Action::EntityRead)
    }

    /// The entity `entity_ref` for changing it: found when `who` may read it, a token's
    /// scopes aside — a token that may only write still finds what it writes to, and the
    /// write itself is then checked with its scopes.
    pub(crate) async fn entity_to_change(
        &self,
        who: &Principal,
        entity_ref: &str,
    ) -> Result<Option<Entity>, StoreError> {
        let person = Principal {
            credential: Credential::Session,
            ..who.clone()
        };
        let seen = self.catalog_reads(&person);
        Ok(self
            .entities_seen(&seen, &[entity_ref.to_owned()])
            .await?
            .pop())
    }

    /// The registered location that holds `entity_ref`, if the entity exists and `who`
    /// may read it.
    pub async fn location_of_entity(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
    ) -> Result<Option<LocationRow>, StoreError> {
        if self.entity(who, entity_ref).await?.is_none() {
            return Ok(None);
        }
        self.store.location_of_entity(&entity_ref.to_string()).await
    }

    /// The location with this id.
    pub async fn location(&self, id: &str) -> Result<Option<LocationRow>, StoreError> {
        self.store.location_by_id(id).await
    }

    /// Removes a location and every entity it holds; false when there was none.
    pub async fn delete_location(&self, who: &Principal, id: &str) -> Result<bool, CatalogError> {
        let Some(location) = self.store.location_by_id(id).await? else {
            return Ok(false);
        };
        let target = location_target(&location.location_type, &location.target);
        self.authorize(who, Action::LocationDelete, &target).await?;
        let deleted = self.store.delete_location(id).await;
        Ok(self
            .recorded(who, Action::LocationDelete, &target.label, deleted)
            .await?)
    }

    /// The entity `entity_ref` as the API serves it, if `who` may read it: its
    /// descriptor with `metadata.uid` and `etag`, its `relations`, and its processing
    /// problems in `status.items`.
    pub async fn entity(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
    ) -> Result<Option<Entity>, StoreError> {
        Ok(self.entities(who, &[entity_ref.to_string()]).await?.pop())
    }

    /// The entities `refs` names (lower-case refs) that `who` may read, composed as
    /// [`Portal::entity`] does, in that order; refs with no such entity are left out.
    pub async fn entities(
        &self,
        who: &Principal,
        refs: &[String],
    ) -> Result<Vec<Entity>, StoreError> {
        self.entities_seen(&self.catalog_reads(who), refs).await
    }

    /// The entities `refs` names that `seen` lets through; [`Visibility::Everything`]
    /// for what the portal reads for itself (the user signing in, a token's owner).
    pub(crate) async fn entities_seen(
        &self,
        seen: &Visibility,
        refs: &[String],
    ) -> Result<Vec<Entity>, StoreError> {
        let stored = self.store.stored_entities(refs).await?;
        let mut entities = Vec::with_capacity(stored.len());
        for stored in stored {
            let entity = compose(stored, self.legacy_relation_target)?;
            if seen.sees(&entity_target(&entity)) {
                entities.push(entity);
            }
        }
        self.hide_relations(seen, &mut entities).await?;
        Ok(entities)
    }

    /// Leaves out the relations of `entities` to entities `seen` hides: a group's
    /// `ownerOf` must not give away what it owns. A ref to an entity that does not exist
    /// stays, as the descriptor writes it.
    async fn hide_relations(
        &self,
        seen: &Visibility,
        entities: &mut [Entity],
    ) -> Result<(), StoreError> {
        if *seen == Visibility::Everything {
            return Ok(());
        }
        // Each relation's target in order, as `retain` visits them below.
        let targets: Vec<String> = entities
            .iter()
            .flat_map(|e| e.relations.iter().map(|r| r.target_ref.to_string()))
            .collect();
        let hidden = self.hidden_among(seen, &targets).await?;
        if hidden.is_empty() {
            return Ok(());
        }
        let mut hides = targets.iter().map(|target| hidden.contains(target));
        for entity in entities {
            entity.relations.retain(|_| !hides.next().unwrap_or(false));
        }
        Ok(())
    }

    /// The entities among `refs` (lower-case refs) that exist and `seen` hides.
    pub(crate) async fn hidden_among(
        &self,
        seen: &Visibility,
        refs: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        if *seen == Visibility::Everything || refs.is_empty() {
            return Ok(Default::default());
        }
        let seen = seen.restrict(EntityQuery::default());
        let hidden = self.store.refs_unselected_among(&seen, refs).await?;
        Ok(hidden.into_iter().collect())
    }

    /// The entities among `refs` (lower-case refs) that the filter and predicate of
    /// `query` select and `who` may read, composed as [`Portal::entity`] does, in the
    /// order of `refs`.
    pub async fn entities_selected(
        &self,
        who: &Principal,
        refs: &[String],
        query: &EntityQuery,
    ) -> Result<Vec<Entity>, StoreError> {
        if query.is_unfiltered() {
            return self.entities(who, refs).await;
        }
        let selected: std::collections::HashSet<String> = self
            .store
            .refs_selected_among(query, refs)
            .await?
            .into_iter()
            .collect();
        let kept: Vec<String> = refs
            .iter()
            .filter(|r| selected.contains(*r))
            .cloned()
            .collect();
        self.entities(who, &kept).await
    }

    /// The refs of every entity `query` selects that `who` may read (from its offset
    /// on, its limit aside), in its order.
    pub async fn query_all_refs(
        &self,
        who: &Principal,
        query: &EntityQuery,
    ) -> Result<Vec<String>, StoreError> {
        let all = EntityQuery {
            limit: i64::MAX as usize,
            ..self.catalog_reads(who).restrict(query.clone())
        };
        Ok(self.store.query_entities(&all).await?.0)
    }

    /// The entities a query selects that `who` may read (one page, composed as
    /// [`Portal::entity`] does), and how many it selects in all.
    pub async fn query_entities(
        &self,
        who: &Principal,
        query: &EntityQuery,
    ) -> Result<(Vec<Entity>, u64), StoreError> {
        let (refs, total) = self.query_refs(who, query).await?;
        Ok((self.entities(who, &refs).await?, total))
    }

    /// The refs of one page of the entities a query selects that `who` may read, in
    /// its order, and how many it selects in all.
    pub async fn query_refs(
        &self,
        who: &Principal,
        query: &EntityQuery,
    ) -> Result<(Vec<String>, u64), StoreError> {
        let query = self.catalog_reads(who).restrict(query.clone());
        self.store.query_entities(&query).await
    }

    /// The entity with this uid, if `who` may read it, composed as [`Portal::entity`]
    /// does.
    pub async fn entity_by_uid(
        &self,
        who: &Principal,
        uid: &str,
    ) -> Result<Option<Entity>, StoreError> {
        match self.store.entity_ref_by_uid(uid).await? {
            Some(entity_ref) => Ok(self.entities(who, &[entity_ref]).await?.pop()),
            None => Ok(None),
        }
    }

    /// Deletes the entity with this uid; false when there was none. As in Backstage, an
    /// entity its location still holds comes back (with a new uid) when the location is
    /// read again, which starts right away, in the background.
    pub async fn delete_entity_by_uid(
        &self,
        who: &Principal,
        uid: &str,
    ) -> Result<bool, CatalogError> {
        let entity_ref = self.store.entity_ref_by_uid(uid).await?;
        let entity = match &entity_ref {
            Some(entity_ref) => self.entity_to_change(who, entity_ref).await?,
            None => None,
        };
        let (Some(entity_ref), Some(entity)) = (entity_ref, entity) else {
            // Answered as for an entity: someone who may delete none is refused.
            let missing = Target {
                label: format!("the entity with uid {uid}"),
                ..Target::default()
            };
            self.authorize_some(who, Action::EntityDelete, &missing)
                .await?;
            return Ok(false);
        };
        self.authorize(who, Action::EntityDelete, &entity_target(&entity))
            .await?;
        let location = self.store.location_of_entity(&entity_ref).await?;
        let deleted = self.store.delete_entity_by_uid(uid).await;
        if !self
            .recorded(who, Action::EntityDelete, &entity_ref, deleted)
            .await?
        {
            return Ok(false);
        }
        if let Some(location) = location {
            let portal = self.clone();
            tokio::spawn(async move {
                let target = location.target.clone();
                if let Err(error) = portal.refresh_location(location, true).await {
                    tracing::warn!(%target, %error, "reading the location again after a deletion failed");
                }
            });
        }
        Ok(true)
    }

    /// Counts of each value of each search key in `facets` among the entities `query`
    /// selects that `who` may read, in the order of `facets`.
    pub async fn facets(
        &self,
        who: &Principal,
        facets: &[String],
        query: &EntityQuery,
    ) -> Result<Vec<Vec<(String, i64)>>, StoreError> {
        let query = self.catalog_reads(who).restrict(query.clone());
        self.store.facets(facets, &query).await
    }

    /// Every registered location.
    pub async fn locations(&self) -> Result<Vec<LocationRow>, StoreError> {
        self.store.locations().await
    }
}

/// A stored entity as the API serves it: its descriptor with uid, etag, relations (with
/// Backstage's legacy `target` object when `legacy_target`) and problems (as
/// `status.items`, its docs' problems among them).
pub(crate) fn compose(stored: StoredEntity, legacy_target: bool) -> Result<Entity, StoreError> {
    let mut entity: Entity = serde_json::from_str(&stored.body).map_err(|error| {
        StoreError::Io(format!(
            "the stored entity {} is not valid: {error}",
            stored.entity_ref
        ))
    })?;
    entity.metadata.uid = Some(stored.uid);
    entity.metadata.etag = Some(stored.etag);
    entity.relations = stored
        .relations
        .into_iter()
        .filter_map(|(relation_type, target)| {
            let target_ref = EntityRef::parse_full(&target).ok()?;
            Some(Relation {
                relation_type,
                target: legacy_target.then(|| RelationTarget::of(&target_ref)),
                target_ref,
            })
        })
        .collect();
    if !stored.problems.is_empty() || !stored.doc_problems.is_empty() {
        let docs = stored
            .doc_problems
            .into_iter()
            .map(|(level, message)| StatusItem {
                item_type: app::model::docs::page::DOCS_STATUS.into(),
                level,
                message,
                error: None,
            });
        entity.status = Some(EntityStatus {
            items: stored
                .problems
                .into_iter()
                .map(|problem| {
                    let message = format!(
                        "{}:{}:{}: {}",
                        problem.file, problem.line, problem.column, problem.message
                    );
                    StatusItem {
                        item_type: "backstage.io/catalog-processing".into(),
                        level: "error".into(),
                        error: Some(
                            serde_json::json!({ "name": "InputError", "message": message }),
                        ),
                        message,
                    }
                })
                .chain(docs)
                .collect(),
        });
    }
    Ok(entity)
}
