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
//! narrows get entities composed for them (relations to what they may not see are
//! left out), never these texts.
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

/// The texts of one catalog version, by name (a lower-case ref, a facet key).
#[derive(Debug)]
pub struct KeptTexts {
    state: Mutex<Kept>,
    budget: usize,
}

#[derive(Debug, Default)]
struct Kept {
    version: i64,
    texts: HashMap<Box<str>, JsonText>,
    bytes: usize,
}

impl Default for KeptTexts {
    fn default() -> Self {
        Self::new(DEFAULT_BUDGET)
    }
}

impl KeptTexts {
    /// No texts; at most `budget` bytes of them kept.
    pub fn new(budget: usize) -> Self {
        Self {
            state: Mutex::default(),
            budget,
        }
    }

    /// The texts kept for `version` or later of `refs`, in order; a newer `version`
    /// drops them all first.
    fn get(&self, version: i64, refs: &[String]) -> Vec<Option<JsonText>> {
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
    fn put(&self, version: i64, entity_ref: &str, text: JsonText) {
        let mut kept = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if kept.version != version {
            return;
        }
        let size = entity_ref.len() + text.get().len();
        if kept.bytes + size > self.budget {
            kept.texts.clear();
            kept.bytes = 0;
        }
        kept.bytes += size;
        kept.texts.insert(entity_ref.into(), text);
    }
}

/// The names among `names` that have no text in `found` (found for them, in order).
fn missing(names: &[String], found: &[Option<JsonText>]) -> Vec<String> {
    names
        .iter()
        .zip(found)
        .filter(|(_, text)| text.is_none())
        .map(|(name, _)| name.clone())
        .collect()
}

impl Portal {
    /// The entities `refs` names (lower-case refs) as JSON texts, composed as
    /// [`Portal::entity`] does, in that order, refs with no such entity left out; `None`
    /// when the policy narrows what `who` reads (then [`Portal::entities`] composes them
    /// for them).
    pub async fn entity_texts(
        &self,
        who: &Principal,
        refs: &[String],
    ) -> Result<Option<Vec<JsonText>>, StoreError> {
        if self.catalog_reads(who) != Visibility::Everything {
            return Ok(None);
        }
        let version = self.store.catalog_version().await?;
        let mut found = self.entity_texts_kept.get(version, refs);
        let missing = missing(refs, &found);
        if !missing.is_empty() {
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
                    let text: JsonText = serde_json::value::to_raw_value(entity)
                        .map_err(|e| StoreError::Io(format!("writing {entity_ref}: {e}")))?
                        .into();
                    self.entity_texts_kept
                        .put(version, entity_ref, text.clone());
                    *slot = Some(text);
                }
            }
        }
        Ok(Some(found.into_iter().flatten().collect()))
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
