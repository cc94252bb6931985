//! The full-text index: the values of the keys that full-text terms are looked for in
//! (`metadata.name`, `metadata.title`, …), held in memory and matched by substring.
//!
//! In SQL, a term costs a string comparison on every value of those keys (15,000 rows
//! for 10,000 entities, about 1.2 ms on SQLite whether `LIKE` or `instr`); in memory
//! the same scan takes a tenth of that. The refs that match go back into SQL as one
//! JSON parameter, so filters, order, paging and counts stay where they were.
//!
//! The index holds one version of the catalog: the `catalog_version` row, which every
//! write changing entities raises in its own transaction. Each search reads the version
//! first and reloads a key when it has moved, which also catches writes by other
//! replicas sharing a PostgreSQL database. This module owns the cache only; it never
//! writes to the database.

use std::sync::Arc;

use app::model::catalog::filter::FullText;

use super::{cache::VersionedCache, Store, StoreError};

/// At most this many keys are kept; a search over others loads them for itself only.
pub(super) const MAX_KEYS: usize = 16;

/// The cached values of some search keys, for one catalog version.
pub(super) type TextIndex = VersionedCache<KeyValues>;

/// The numbered refs of one catalog version (cached under one key).
pub(super) type EntityRefsCache = VersionedCache<EntityRefs>;

/// Every entity's ref, sorted. An entity's number is its place here: the in-memory
/// indexes hold numbers, which compare and count without touching strings (at 100,000
/// entities, comparing refs was most of a one-letter search).
#[derive(Debug, Default)]
pub(super) struct EntityRefs(Vec<Box<str>>);

impl EntityRefs {
    /// The refs `component:default/NAME` of `names`, numbered in order (for tests).
    #[cfg(test)]
    pub(super) fn components(names: &[&str]) -> Arc<Self> {
        let mut refs: Vec<Box<str>> = names
            .iter()
            .map(|name| format!("component:default/{name}").into())
            .collect();
        refs.sort_unstable();
        Arc::new(Self(refs))
    }

    /// The number of `entity_ref`; `None` for an entity written after the list was read.
    pub(super) fn id(&self, entity_ref: &str) -> Option<u32> {
        self.0
            .binary_search_by(|r| (**r).cmp(entity_ref))
            .ok()
            .map(|at| at as u32)
    }

    /// The ref numbered `id`.
    pub(super) fn get(&self, id: u32) -> &str {
        &self.0[id as usize]
    }

    /// How many entities there are.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
}

/// Every lower-case value of one search key with its entity's number. The values are
/// joined into one text, separated by NUL, so that a term is one `memmem` pass over it
/// rather than one search per value.
#[derive(Debug)]
pub(super) struct KeyValues {
    /// The list the entities are numbered by.
    refs: Arc<EntityRefs>,
    text: String,
    /// Where each value ends in `text`.
    ends: Vec<usize>,
    /// The number of each value's entity.
    ids: Vec<u32>,
}

impl KeyValues {
    /// The values in entity order, so that each search yields its numbers sorted.
    fn new(pairs: Vec<(String, Box<str>)>, refs: &Arc<EntityRefs>) -> Self {
        let mut pairs: Vec<(u32, String)> = pairs
            .into_iter()
            .filter_map(|(value, entity_ref)| Some((refs.id(&entity_ref)?, value)))
            .collect();
        pairs.sort_unstable_by_key(|(id, _)| *id);
        let mut values = Self {
            refs: refs.clone(),
            text: String::new(),
            ends: Vec::new(),
            ids: Vec::new(),
        };
        for (id, value) in pairs {
            values.text.push_str(&value);
            values.ends.push(values.text.len());
            values.text.push('\0');
            values.ids.push(id);
        }
        values
    }

    /// The numbers of the entities with a value containing `term`, sorted (once per
    /// value, so an entity with several matching values comes several times in a row).
    fn matching(&self, term: &str) -> Vec<u32> {
        if term.contains('\0') {
            // Could match across two values; no real name or title holds a NUL.
            return Vec::new();
        }
        let finder = memchr::memmem::Finder::new(term.as_bytes());
        let text = self.text.as_bytes();
        let mut ids = Vec::new();
        // After a match the search goes on from the next value: a short term occurs
        // many times in one description, and only the first occurrence counts.
        let (mut from, mut value) = (0, 0);
        while let Some(found) = finder.find(&text[from..]) {
            let at = from + found;
            // The value holding `at`: values only move forward, so walking to it costs
            // at most one step per value over the whole search.
            while self.ends[value] <= at {
                value += 1;
            }
            ids.push(self.ids[value]);
            from = self.ends[value] + 1;
            if from >= text.len() {
                break;
            }
        }
        ids
    }
}

impl Numbered for KeyValues {
    fn numbered_by(&self) -> &Arc<EntityRefs> {
        &self.refs
    }
}

/// An in-memory index whose entities are numbered by one [`EntityRefs`].
pub(super) trait Numbered {
    /// The list its numbers index.
    fn numbered_by(&self) -> &Arc<EntityRefs>;
}

/// `key`'s index from `cache` for `version`, numbered by `refs`: built by `build` and
/// cached when missing. The caches move to a newer version independently, so a cached
/// index can number another list than `refs` (a write landed between two reads of the
/// version); then one is built for this caller only, never mixing two numberings.
pub(super) async fn numbered<V, F, Fut>(
    cache: &VersionedCache<V>,
    version: i64,
    key: &str,
    refs: &Arc<EntityRefs>,
    build: F,
) -> Result<Arc<V>, StoreError>
where
    V: Numbered,
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<V, StoreError>>,
{
    let cached = cache.get_or_load(version, key, build()).await?;
    if Arc::ptr_eq(cached.numbered_by(), refs) {
        Ok(cached)
    } else {
        Ok(Arc::new(build().await?))
    }
}

/// The entities a full-text term matches: their numbers, sorted, each once.
#[derive(Debug)]
pub(super) struct Matches {
    /// The catalog version they were found in.
    version: i64,
    refs: Arc<EntityRefs>,
    ids: Vec<u32>,
}

impl Matches {
    /// The catalog version the matches were found in, and the list their numbers index.
    pub(super) fn numbering(&self) -> (i64, &Arc<EntityRefs>) {
        (self.version, &self.refs)
    }

    /// The matching entities' numbers, sorted.
    pub(super) fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// How many entities match.
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    /// `limit` refs from `offset`, in ref order.
    pub(super) fn page(&self, offset: usize, limit: usize) -> Vec<String> {
        self.ids
            .iter()
            .skip(offset)
            .take(limit)
            .map(|&id| self.refs.get(id).to_owned())
            .collect()
    }

    /// Every matching ref, in ref order.
    pub(super) fn refs(&self) -> Vec<String> {
        self.page(0, self.ids.len())
    }
}

impl Store {
    /// The entities with a value containing the term under one of the full-text keys.
    /// The term and the stored values are lower-case, so the match ignores case.
    pub(super) async fn full_text_matches(
        &self,
        full_text: &FullText,
    ) -> Result<Matches, StoreError> {
        let version = self.catalog_version().await?;
        let refs = self.entity_refs(version).await?;
        let mut keys = Vec::with_capacity(full_text.fields.len());
        for key in &full_text.fields {
            let values = numbered(&self.text, version, key, &refs, || async {
                Ok(KeyValues::new(self.key_values(key).await?, &refs))
            })
            .await?;
            keys.push(values);
        }
        // A flag per entity: the keys' matches united without sorting or comparing.
        let mut matched = vec![false; refs.len()];
        for values in &keys {
            for id in values.matching(&full_text.term) {
                matched[id as usize] = true;
            }
        }
        let ids = (0..refs.len() as u32)
            .filter(|&id| matched[id as usize])
            .collect();
        Ok(Matches { version, refs, ids })
    }

    /// The numbered refs of catalog version `version`.
    pub(super) async fn entity_refs(&self, version: i64) -> Result<Arc<EntityRefs>, StoreError> {
        self.entity_refs
            .get_or_load(version, "", async {
                let sql = format!("SELECT {} FROM entities", self.json_rows(&["entity_ref"]));
                let (json,): (String,) =
                    on_pool!(self, pool => sqlx::query_as(&sql).fetch_one(pool).await?);
                let rows: Vec<(Box<str>,)> = serde_json::from_str(&json)
                    .map_err(|e| StoreError::Io(format!("the entities' refs: {e}")))?;
                let mut refs: Vec<Box<str>> = rows.into_iter().map(|(r,)| r).collect();
                refs.sort_unstable();
                Ok(EntityRefs(refs))
            })
            .await
    }

    pub(super) async fn catalog_version(&self) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT version FROM catalog_version";
        let (version,): (i64,) = on_pool!(self, pool => sqlx::query_as(SQL).fetch_one(pool).await?);
        Ok(version)
    }

    /// Every value of `key` with its entity, as one row of JSON (sqlx hands SQLite's rows
    /// over one by one, about 5 µs each).
    async fn key_values(&self, key: &str) -> Result<Vec<(String, Box<str>)>, StoreError> {
        let pairs = self.json_rows(&["value", "entity_ref"]);
        let sql = format!("SELECT {pairs} FROM search WHERE key = $1");
        let (json,): (String,) =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(key).fetch_one(pool).await?);
        let pairs: Vec<(String, Box<str>)> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Io(format!("the values of {key}: {e}")))?;
        Ok(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_yield_each_entity_in_ref_order() {
        let refs = EntityRefs::components(&["a", "b", "c"]);
        let name = KeyValues::new(
            vec![
                ("payments".into(), "component:default/c".into()),
                ("ledger".into(), "component:default/a".into()),
                ("pay-web".into(), "component:default/b".into()),
                ("pay-gone".into(), "component:default/deleted".into()),
            ],
            &refs,
        );
        let tags = KeyValues::new(
            vec![
                ("pay".into(), "component:default/a".into()),
                ("payroll".into(), "component:default/a".into()),
                ("web".into(), "component:default/b".into()),
            ],
            &refs,
        );
        assert_eq!(
            name.matching("pay"),
            [1, 2],
            "an unknown entity is left out"
        );
        assert_eq!(tags.matching("pay"), [0, 0], "once per value");
        assert_eq!(name.matching("e"), [0, 1, 2]);
        // A term cannot match across two values.
        assert!(name.matching("ger\0pay").is_empty());
        assert!(name.matching("erpay").is_empty());
        assert_eq!(refs.id("component:default/b"), Some(1));
        assert_eq!(refs.get(2), "component:default/c");
    }

    #[tokio::test]
    async fn an_index_numbered_by_another_list_is_not_mixed_in() {
        let cache: TextIndex = VersionedCache::new(4);
        let old = EntityRefs::components(&["a", "c"]);
        let new = EntityRefs::components(&["a", "b", "c"]);
        let values = |refs: &Arc<EntityRefs>| {
            KeyValues::new(
                vec![
                    ("cart".into(), "component:default/c".into()),
                    ("bag".into(), "component:default/b".into()),
                ],
                refs,
            )
        };
        let cached = numbered(&cache, 1, "metadata.name", &old, || async {
            Ok(values(&old))
        })
        .await
        .unwrap();
        assert_eq!(cached.matching("ca"), [1], "c is 1 in the old list");
        // The same version and key, asked with the newer list: not the cached index.
        let fresh = numbered(&cache, 1, "metadata.name", &new, || async {
            Ok(values(&new))
        })
        .await
        .unwrap();
        assert!(Arc::ptr_eq(fresh.numbered_by(), &new));
        assert_eq!(fresh.matching("ca"), [2], "c is 2 in the new list");
        assert_eq!(fresh.matching("bag"), [1]);
    }
}
