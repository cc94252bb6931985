//! The Software Catalog's behaviour: reading entities (composed as the API serves
//! them), queries and facets, and the registered locations.
//!
//! - `locations.rs`: registering, reading and refreshing locations;
//! - `pages.rs`: what the catalog's pages show (the table, facets, entity pages, the
//!   home page's summary).

mod analyze;
mod ancestry;
mod locations;
mod pages;

pub use analyze::Analysis;
pub use ancestry::{Ancestry, AncestryItem};

use app::model::{
    catalog::{
        entity::{Entity, EntityStatus, Relation, RelationTarget, StatusItem},
        entity_ref::EntityRef,
        filter::EntityQuery,
    },
    identity::{action::Action, policy::Refusal, principal::Principal},
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
    /// The registered location that holds `entity_ref`, if the entity exists.
    pub async fn location_of_entity(
        &self,
        entity_ref: &EntityRef,
    ) -> Result<Option<LocationRow>, StoreError> {
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
        self.authorize(who, Action::LocationDelete, &target)?;
        Ok(self.store.delete_location(id).await?)
    }

    /// The entity `entity_ref` as the API serves it: its descriptor with `metadata.uid`
    /// and `etag`, its `relations`, and its processing problems in `status.items`.
    pub async fn entity(&self, entity_ref: &EntityRef) -> Result<Option<Entity>, StoreError> {
        Ok(self.entities(&[entity_ref.to_string()]).await?.pop())
    }

    /// The entities `refs` names (lower-case refs), composed as [`Portal::entity`] does,
    /// in that order; refs with no entity are left out.
    pub async fn entities(&self, refs: &[String]) -> Result<Vec<Entity>, StoreError> {
        let stored = self.store.stored_entities(refs).await?;
        stored
            .into_iter()
            .map(|stored| compose(stored, self.legacy_relation_target))
            .collect()
    }

    /// The entities among `refs` (lower-case refs) that the filter and predicate of
    /// `query` select, composed as [`Portal::entity`] does, in the order of `refs`.
    pub async fn entities_selected(
        &self,
        refs: &[String],
        query: &EntityQuery,
    ) -> Result<Vec<Entity>, StoreError> {
        if query.is_unfiltered() {
            return self.entities(refs).await;
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
        self.entities(&kept).await
    }

    /// The refs of every entity `query` selects (from its offset on, its limit aside), in
    /// its order.
    pub async fn query_all_refs(&self, query: &EntityQuery) -> Result<Vec<String>, StoreError> {
        let all = EntityQuery {
            limit: i64::MAX as usize,
            ..query.clone()
        };
        Ok(self.store.query_entities(&all).await?.0)
    }

    /// The entities a query selects (one page, composed as [`Portal::entity`] does), and
    /// how many it selects in all.
    pub async fn query_entities(
        &self,
        query: &EntityQuery,
    ) -> Result<(Vec<Entity>, u64), StoreError> {
        let (refs, total) = self.store.query_entities(query).await?;
        Ok((self.entities(&refs).await?, total))
    }

    /// The entity with this uid, composed as [`Portal::entity`] does.
    pub async fn entity_by_uid(&self, uid: &str) -> Result<Option<Entity>, StoreError> {
        match self.store.entity_ref_by_uid(uid).await? {
            Some(entity_ref) => Ok(self.entities(&[entity_ref]).await?.pop()),
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
        let Some(entity) = self.entity_by_uid(uid).await? else {
            return Ok(false);
        };
        self.authorize(who, Action::EntityDelete, &entity_target(&entity))?;
        let entity_ref = entity.entity_ref().to_string();
        let location = self.store.location_of_entity(&entity_ref).await?;
        if !self.store.delete_entity_by_uid(uid).await? {
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
    /// selects, in the order of `facets`.
    pub async fn facets(
        &self,
        facets: &[String],
        query: &EntityQuery,
    ) -> Result<Vec<Vec<(String, i64)>>, StoreError> {
        self.store.facets(facets, query).await
    }

    /// Every registered location.
    pub async fn locations(&self) -> Result<Vec<LocationRow>, StoreError> {
        self.store.locations().await
    }
}

/// A stored entity as the API serves it: its descriptor with uid, etag, relations (with
/// Backstage's legacy `target` object when `legacy_target`) and problems (as
/// `status.items`, its docs' problems among them).
fn compose(stored: StoredEntity, legacy_target: bool) -> Result<Entity, StoreError> {
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
