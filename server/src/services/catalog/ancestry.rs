//! How locations lead to entities: a `Location` entity's targets, and, the other way, an
//! entity's ancestry (Backstage's `GET /entities/by-name/…/ancestry`): the Location
//! entities whose targets led to it, up to the Location entity of the registered
//! location it came from.

use std::collections::HashSet;

use app::model::catalog::{
    entity::{annotations, Entity},
    entity_ref::EntityRef,
    filter::{Condition, EntityQuery, FilterGroup},
};
use app::model::identity::principal::Principal;
use serde::Serialize;

use crate::{
    catalog::location::{absolute, generated_location_name, glob_matches, Source},
    services::Portal,
    store::StoreError,
};

/// The most Location entities an ancestry climbs through (a guard against cycles that
/// hand-written targets could make).
const MAX_DEPTH: usize = 64;

/// The `managed-by-location` and `managed-by-origin-location` of an entity: the file it
/// was read from and the registered location that led there (`type:target` each).
pub(super) fn own_and_origin(entity: &Entity) -> Option<(String, String)> {
    let annotation = |name: &str| entity.metadata.annotations.get(name).cloned();
    Some((
        annotation(annotations::MANAGED_BY_LOCATION)?,
        annotation(annotations::MANAGED_BY_ORIGIN_LOCATION)?,
    ))
}

/// The files a `Location` entity's targets name, as `type:target` patterns (globs for
/// files), resolved against the file the entity itself was read from.
pub(super) struct LocationTargets(Vec<String>);

impl LocationTargets {
    /// The targets of `location`, or `None` when it does not say where it was read from.
    pub(super) fn of(location: &Entity) -> Option<Self> {
        let (own, _) = own_and_origin(location)?;
        let (location_type, target) = own.split_once(':')?;
        let own = Source::of_location(location_type, target)?;
        let patterns = location
            .location_targets()
            .iter()
            .filter_map(|target| own.lead(target).ok())
            .map(|source| match source {
                Source::File(path) => format!("file:{}", absolute(&path).display()),
                url => url.location_ref(),
            })
            .collect();
        Some(Self(patterns))
    }

    /// Whether the targets lead to `file` (`type:target`).
    pub(super) fn lead_to(&self, file: &str) -> bool {
        self.0
            .iter()
            .any(|p| p == file || (p.starts_with("file:") && glob_matches(p, file)))
    }
}

/// One entity of an ancestry and the refs of the entities that led to it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AncestryItem {
    /// The entity, as the API serves it.
    pub entity: Entity,
    /// Its parents' refs (none for the root).
    pub parent_entity_refs: Vec<String>,
}

/// An entity's ancestry, as Backstage's API answers it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ancestry {
    /// The entity asked about.
    pub root_entity_ref: String,
    /// It, then its ancestors, each once.
    pub items: Vec<AncestryItem>,
}

impl Portal {
    /// The ancestry of `entity_ref`, or `None` when there is no such entity.
    /// Ancestors `who` may not read are left out.
    pub async fn ancestry(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
    ) -> Result<Option<Ancestry>, StoreError> {
        let Some(entity) = self.entity(who, entity_ref).await? else {
            return Ok(None);
        };
        // Every ancestor came through the same registered location: its Location
        // entities are read once, and the climb happens among them.
        let locations = match own_and_origin(&entity) {
            Some((_, origin)) => self.location_entities_of(who, &origin).await?,
            None => Vec::new(),
        };
        let mut items = Vec::new();
        let mut seen = HashSet::from([entity_ref.to_string()]);
        let mut queue = vec![entity];
        while let Some(entity) = queue.pop() {
            let parents = if items.len() < MAX_DEPTH {
                parents(&entity, &locations)
            } else {
                Vec::new()
            };
            let parent_entity_refs = parents.iter().map(|p| p.entity_ref().to_string()).collect();
            for parent in parents {
                if seen.insert(parent.entity_ref().to_string()) {
                    queue.push(parent.clone());
                }
            }
            items.push(AncestryItem {
                entity,
                parent_entity_refs,
            });
        }
        Ok(Some(Ancestry {
            root_entity_ref: entity_ref.to_string(),
            items,
        }))
    }

    /// The Location entities read through the registered location `origin` (its own
    /// generated one included).
    async fn location_entities_of(
        &self,
        who: &Principal,
        origin: &str,
    ) -> Result<Vec<Entity>, StoreError> {
        let condition = |key: &str, value: &str| Condition {
            key: key.to_owned(),
            values: vec![value.to_lowercase()],
        };
        let query = EntityQuery {
            filter: vec![FilterGroup {
                conditions: vec![
                    condition("kind", "location"),
                    condition(
                        &format!(
                            "metadata.annotations.{}",
                            annotations::MANAGED_BY_ORIGIN_LOCATION
                        ),
                        origin,
                    ),
                ],
            }],
            ..EntityQuery::default()
        };
        let refs = self.query_all_refs(who, &query).await?;
        self.entities(who, &refs).await
    }
}

/// Among `locations` (those of `entity`'s registered location), the ones whose targets
/// lead to the file `entity` was read from; for an entity of the registered target
/// itself (a file, or what a folder holds), that location's own Location entity.
fn parents<'a>(entity: &Entity, locations: &'a [Entity]) -> Vec<&'a Entity> {
    let Some((own, origin)) = own_and_origin(entity) else {
        return Vec::new();
    };
    let me = entity.entity_ref();
    let root = EntityRef::new("location", "default", &generated_location_name(&origin));
    if me == root {
        return Vec::new();
    }
    let parents: Vec<&Entity> = locations
        .iter()
        .filter(|location| location.entity_ref() != me)
        .filter(|location| LocationTargets::of(location).is_some_and(|t| t.lead_to(&own)))
        .collect();
    if !parents.is_empty() {
        return parents;
    }
    locations
        .iter()
        .filter(|location| location.entity_ref() == root)
        .collect()
}
