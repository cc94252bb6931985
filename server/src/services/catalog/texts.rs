//! Entities as the API serves them, and the whole catalog's facet counts, kept as JSON
//! text for one catalog version.
//!
//! Composing an entity (its stored body parsed, uid, etag, relations and problems added)
//! and writing it as JSON was most of a catalog read's own time: at 100,000 entities,
//! reading, composing and writing a page of 20 cost about a millisecond, against tens
//! of microseconds for its selection. An entity's text is the same for every reader
//! who may read the whole catalog (the default policy's "everyone reads"), so it is
//! kept once written, until the catalog's version moves: every write that changes
//! entities raises it in its own transaction, on every replica's database, so a kept
//! text is never older than the version it is filed under. Readers whom the policy
//! narrows get the same texts, except for an entity with a relation to what they may
//! not see: they get a copy of its text without that relation. Each text is kept with
//! its relations' targets for that check.
//!
//! The counts of a facet over the whole catalog (the catalog page's first view, every
//! `entity-facets` call without a filter) are kept the same way: `spec.owner` has
//! thousands of values, a few hundred kilobytes of JSON to write at each call.
//!
//! Memory is bounded: past [`DEFAULT_BUDGET`] bytes the texts are dropped and kept again
//! as they are read.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use app::model::{
    catalog::{entity::Entity, filter::EntityQuery},
    identity::{principal::Principal, visibility::Visibility},
};
use serde::Serialize;
use serde_json::value::RawValue;

use super::Portal;
use crate::store::StoreError;

/// How many bytes of entity texts are kept at most (≈ 60,000 entities of the synthetic
/// catalog, whose entities average 2.2 KB as the API writes them).
pub const DEFAULT_BUDGET: usize = 128 << 20;

/// A JSON text, shared by every response that holds it.
pub type JsonText = Arc<RawValue>;

/// One value of a facet and how many entities have it, as the API writes it.
#[derive(Debug, Serialize)]
pub struct FacetValue {
    /// The value as written.
    pub value: String,
    /// How many entities have it.
    pub count: i64,
}

/// An entity's text and the refs of its relations' targets: a reader whom the policy
/// narrows gets the text as it is unless one of those is hidden from them.
#[derive(Clone, Debug)]
pub struct EntityText {
    text: JsonText,
    targets: Arc<[Box<str>]>,
}

/// What a kept value weighs against the budget.
pub trait Weighed {
    /// Its size in bytes, about.
    fn bytes(&self) -> usize;
}

impl Weighed for JsonText {
    fn bytes(&self) -> usize {
        self.get().len()
    }
}

impl Weighed for EntityText {
    fn bytes(&self) -> usize {
        self.text.get().len() + self.targets.iter().map(|t| t.len() + 16).sum::<usize>()
    }
}

/// The texts of one catalog version, by name (a lower-case ref, a facet key).
#[derive(Debug)]
pub struct KeptTexts<T = JsonText> {
    state: Mutex<Kept<T>>,
    budget: usize,
}

#[derive(Debug)]
struct Kept<T> {
    version: i64,
    texts: HashMap<Box<str>, T>,
    bytes: usize,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Self {
            version: 0,
            texts: HashMap::new(),
            bytes: 0,
        }
    }
}

impl<T: Clone + Weighed> Default for KeptTexts<T> {
    fn default() -> Self {
        Self::new(DEFAULT_BUDGET)
    }
}

impl<T: Clone + Weighed> KeptTexts<T> {
    /// No texts; at most `budget` bytes of them kept.
    pub fn new(budget: usize) -> Self {
        Self {
            state: Mutex::default(),
            budget,
        }
    }

    /// The texts kept for `version` or later of `refs`, in order; a newer `version`
    /// drops them all first.
    fn get(&self, version: i64, refs: &[String]) -> Vec<Option<T>> {
        let mut kept = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if version > kept.version {
            *kept = Kept {
                version,
                ..Kept::default()
            };
        }
        refs.iter()
            .map(|r| kept.texts.get(r.as_str()).cloned())
            .collect()
    }

    /// Keeps `text`, written after `version` was read, unless a later version has been
    /// seen meanwhile.
    fn put(&self, version: i64, entity_ref: &str, text: T) {
        let mut kept = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if kept.version != version {
            return;
        }
        let size = entity_ref.len() + text.bytes();
        if kept.bytes + size > self.budget {
            kept.texts.clear();
            kept.bytes = 0;
        }
        kept.bytes += size;
        kept.texts.insert(entity_ref.into(), text);
    }
}

/// The names among `names` that have no text in `found` (found for them, in order).
fn missing<T>(names: &[String], found: &[Option<T>]) -> Vec<String> {
    names
        .iter()
        .zip(found)
        .filter(|(_, text)| text.is_none())
        .map(|(name, _)| name.clone())
        .collect()
}

impl Portal {
    /// The entities `refs` names (lower-case refs) that `who` may read as JSON texts,
    /// composed as [`Portal::entity`] does, in that order, refs with no such entity left
    /// out. The texts are kept for everyone: a reader whom the policy narrows gets them
    /// too, except for entities with relations to what they may not see, whose texts
    /// they get without those relations.
    pub async fn entity_texts(
        &self,
        who: &Principal,
        refs: &[String],
    ) -> Result<Vec<JsonText>, StoreError> {
        let kept = self.kept_entity_texts(refs).await?;
        let seen = self.catalog_reads(who);
        if seen == Visibility::Everything {
            return Ok(kept.into_iter().flatten().map(|e| e.text).collect());
        }
        // Which of the entities and of their relations' targets the reader sees, in one
        // pass: the entities first, then each one's targets in turn.
        let mut asked: Vec<String> = refs.to_vec();
        for entity in kept.iter().flatten() {
            asked.extend(entity.targets.iter().map(|t| t.to_string()));
        }
        let seen_query = seen.restrict(EntityQuery::default());
        let selected = self.store.selected_among(&seen_query, &asked).await?;
        let (own, mut of_targets) = selected.split_at(refs.len());
        // An entity's text lists its relations in the order of its targets.
        let mut texts = Vec::with_capacity(refs.len());
        for (entity, visible) in kept.into_iter().zip(own) {
            let Some(entity) = entity else { continue };
            let targets;
            (targets, of_targets) = of_targets.split_at(entity.targets.len());
            if *visible != Some(true) {
                continue;
            }
            if targets.contains(&Some(false)) {
                let hidden: Vec<bool> = targets.iter().map(|t| *t == Some(false)).collect();
                texts.push(without_relations(&entity.text, &hidden)?);
            } else {
                texts.push(entity.text);
            }
        }
        Ok(texts)
    }

    /// The texts of the entities `refs` names as everyone who reads the whole catalog
    /// gets them, in order, `None` where there is no such entity: kept, or composed and
    /// kept.
    async fn kept_entity_texts(
        &self,
        refs: &[String],
    ) -> Result<Vec<Option<EntityText>>, StoreError> {
        let version = self.store.catalog_version().await?;
        let mut found = self.entity_texts_kept.get(version, refs);
        let missing = missing(refs, &found);
        if missing.is_empty() {
            return Ok(found);
        }
        let composed: HashMap<String, Entity> = self
            .entities_seen(&Visibility::Everything, &missing)
            .await?
            .into_iter()
            .map(|e| (e.entity_ref().to_string(), e))
            .collect();
        for (entity_ref, slot) in refs.iter().zip(&mut found) {
            if slot.is_some() {
                continue;
            }
            if let Some(entity) = composed.get(entity_ref) {
                let text = EntityText {
                    text: entity_text(entity)?,
                    targets: entity
                        .relations
                        .iter()
                        .map(|r| r.target_ref.to_string().into())
                        .collect(),
                };
                self.entity_texts_kept
                    .put(version, entity_ref, text.clone());
                *slot = Some(text);
            }
        }
        Ok(found)
    }

    /// The counts of each of `keys` over the whole catalog as JSON texts (arrays of
    /// [`FacetValue`]), in order; `None` when `query` selects (a filter, a predicate or a
    /// term) or the policy narrows what `who` reads: then they are counted for them
    /// ([`Portal::facets`]).
    pub async fn facet_texts(
        &self,
        who: &Principal,
        keys: &[String],
        query: &EntityQuery,
    ) -> Result<Option<Vec<JsonText>>, StoreError> {
        let everything = query.is_unfiltered() && query.full_text.is_none();
        if !everything || self.catalog_reads(who) != Visibility::Everything {
            return Ok(None);
        }
        let version = self.store.catalog_version().await?;
        let mut found = self.facet_texts_kept.get(version, keys);
        let missing = missing(keys, &found);
        if missing.is_empty() {
            return Ok(Some(found.into_iter().flatten().collect()));
        }
        let mut counted = self.store.facets(&missing, query).await?.into_iter();
        for (key, slot) in keys.iter().zip(&mut found) {
            if slot.is_some() {
                continue;
            }
            let values: Vec<FacetValue> = counted
                .next()
                .unwrap_or_default()
                .into_iter()
                .map(|(value, count)| FacetValue { value, count })
                .collect();
            let text: JsonText = serde_json::value::to_raw_value(&values)
                .map_err(|e| StoreError::Io(format!("writing the counts of {key}: {e}")))?
                .into();
            self.facet_texts_kept.put(version, key, text.clone());
            *slot = Some(text);
        }
        Ok(Some(found.into_iter().flatten().collect()))
    }
}

/// `text`, an entity's, without the relations `hidden` marks (one flag per relation, in
/// order).
fn without_relations(text: &JsonText, hidden: &[bool]) -> Result<JsonText, StoreError> {
    let unreadable = |e: serde_json::Error| StoreError::Io(format!("rewriting an entity: {e}"));
    let mut entity: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text.get()).map_err(unreadable)?;
    if let Some(serde_json::Value::Array(relations)) = entity.get_mut("relations") {
        let mut hides = hidden.iter();
        relations.retain(|_| !hides.next().copied().unwrap_or(false));
    }
    Ok(serde_json::value::to_raw_value(&entity)
        .map_err(unreadable)?
        .into())
}

/// The entity as the API writes it.
fn entity_text(entity: &Entity) -> Result<JsonText, StoreError> {
    let text = serde_json::value::to_raw_value(entity)
        .map_err(|e| StoreError::Io(format!("writing {}: {e}", entity.entity_ref())))?;
    Ok(text.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(json: &str) -> JsonText {
        RawValue::from_string(json.to_owned()).unwrap().into()
    }

    #[test]
    fn texts_live_for_their_version_within_the_budget() {
        let texts = KeptTexts::new(64);
        let refs = [
            "component:default/a".to_owned(),
            "component:default/b".to_owned(),
        ];
        assert!(texts.get(1, &refs).iter().all(Option::is_none));
        texts.put(1, &refs[0], text("{\"a\":1}"));
        // A text written after an older version was read is not kept.
        texts.put(0, &refs[1], text("{\"b\":0}"));
        let found = texts.get(1, &refs);
        assert_eq!(found[0].as_ref().map(|t| t.get()), Some("{\"a\":1}"));
        assert!(found[1].is_none());
        // A newer version drops them.
        assert!(texts.get(2, &refs)[0].is_none());
        // Past the budget, what was kept goes.
        texts.put(2, &refs[0], text(&format!("\"{}\"", "x".repeat(30))));
        texts.put(2, &refs[1], text(&format!("\"{}\"", "y".repeat(30))));
        let found = texts.get(2, &refs);
        assert!(found[0].is_none() && found[1].is_some());
    }
}
