//! Facet counts of a full-text search, counted in memory.
//!
//! In SQL, counting the facets of a search means handing every match to the database
//! (a one-letter term matches nearly the whole catalog: at 100,000 entities, a third of
//! a second of one core, while the page's own request waits for the other). Here each
//! facet key's values are held by entity number (see `text.rs`), so counting is one
//! pass over the matches per key. Searches combined with a filter still count in SQL, which owns what a
//! filter means.
//!
//! Like the full-text index, the values hold one catalog version; this module owns the
//! cache only and never writes to the database.

use std::{collections::HashMap, sync::Arc};

use super::{
    cache::VersionedCache,
    text::{numbered, EntityRefs, Matches, Numbered},
    Store, StoreError,
};

/// At most this many keys are kept (the catalog page asks for six).
pub(super) const MAX_KEYS: usize = 16;

/// The cached values of some facet keys, for one catalog version.
pub(super) type FacetIndex = VersionedCache<KeyFacets>;

/// Every value of one key by entity number.
#[derive(Debug)]
pub(super) struct KeyFacets {
    /// The list the entities are numbered by.
    refs: Arc<EntityRefs>,
    /// Where each entity's values start in `values` (one more item than entities).
    starts: Vec<u32>,
    /// The entities' values, as numbers into `shown`, entity after entity.
    values: Vec<u32>,
    /// Each value as shown: the smallest spelling among the entities that have it, as
    /// SQL's `MIN(COALESCE(original_value, value))` picks it.
    shown: Vec<String>,
}

impl KeyFacets {
    /// From `(entity_ref, value, spelling)` rows: values are the lower-case search
    /// values, grouped as the `search` table stores them. Rows of entities `refs` does
    /// not number (written since) are left out.
    fn new(rows: Vec<(Box<str>, String, String)>, refs: &Arc<EntityRefs>) -> Self {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut shown: Vec<String> = Vec::new();
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(rows.len());
        for (entity_ref, value, spelling) in rows {
            let Some(entity) = refs.id(&entity_ref) else {
                continue;
            };
            let id = *ids.entry(value).or_insert_with(|| {
                shown.push(spelling.clone());
                (shown.len() - 1) as u32
            });
            if spelling < shown[id as usize] {
                shown[id as usize] = spelling;
            }
            pairs.push((entity, id));
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut starts = Vec::with_capacity(refs.len() + 1);
        let mut at = 0;
        for entity in 0..refs.len() as u32 {
            starts.push(at as u32);
            while at < pairs.len() && pairs[at].0 == entity {
                at += 1;
            }
        }
        starts.push(at as u32);
        let values = pairs.into_iter().map(|(_, value)| value).collect();
        Self {
            refs: refs.clone(),
            starts,
            values,
            shown,
        }
    }

    /// How many of the entities numbered `ids` have each value: the most common first,
    /// then by value, as [`Store::facets`] answers.
    fn count(&self, ids: &[u32]) -> Vec<(String, i64)> {
        let mut counts = vec![0i64; self.shown.len()];
        for &id in ids {
            let (start, end) = (self.starts[id as usize], self.starts[id as usize + 1]);
            for &value in &self.values[start as usize..end as usize] {
                counts[value as usize] += 1;
            }
        }
        let mut found: Vec<(String, i64)> = counts
            .into_iter()
            .enumerate()
            .filter(|(_, count)| *count > 0)
            .map(|(value, count)| (self.shown[value].clone(), count))
            .collect();
        found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        found
    }
}

impl Numbered for KeyFacets {
    fn numbered_by(&self) -> &Arc<EntityRefs> {
        &self.refs
    }
}

impl Store {
    /// The counts of each of `keys` (lower-case) among the entities of `matches`,
    /// numbered as the matches are.
    pub(super) async fn count_facets_of_matches(
        &self,
        keys: &[String],
        matches: &Matches,
    ) -> Result<Vec<Vec<(String, i64)>>, StoreError> {
        let (version, refs) = matches.numbering();
        let mut counted = Vec::with_capacity(keys.len());
        for key in keys {
            let facets = numbered(&self.facet_values, version, key, refs, || async {
                Ok(KeyFacets::new(self.facet_rows(key).await?, refs))
            })
            .await?;
            counted.push(facets.count(matches.ids()));
        }
        Ok(counted)
    }

    /// Every value of `key` with its entity and spelling, as one row of JSON.
    async fn facet_rows(&self, key: &str) -> Result<Vec<(Box<str>, String, String)>, StoreError> {
        let columns = self.json_rows(&["entity_ref", "value", "COALESCE(original_value, value)"]);
        let sql = format!("SELECT {columns} FROM search WHERE key = $1");
        let (json,): (String,) =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(key).fetch_one(pool).await?);
        serde_json::from_str(&json).map_err(|e| StoreError::Io(format!("the values of {key}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_values_of_the_matching_entities() {
        let refs = EntityRefs::components(&["a", "b", "c", "d"]);
        let tags = KeyFacets::new(
            vec![
                ("component:default/c".into(), "java".into(), "Java".into()),
                ("component:default/a".into(), "java".into(), "java".into()),
                ("component:default/a".into(), "web".into(), "web".into()),
                ("component:default/b".into(), "web".into(), "web".into()),
                ("component:default/d".into(), "go".into(), "go".into()),
                ("component:default/gone".into(), "go".into(), "go".into()),
            ],
            &refs,
        );
        assert_eq!(
            tags.count(&[0, 1, 2]),
            [("Java".to_owned(), 2), ("web".to_owned(), 2)],
            "the smallest spelling; go's entity does not match"
        );
        assert!(tags.count(&[]).is_empty());
        assert_eq!(
            tags.count(&[3]),
            [("go".to_owned(), 1)],
            "the unknown entity is not counted"
        );
    }
}
