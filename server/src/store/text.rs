//! The full-text index: the values of the keys that full-text terms are looked for in
//! (`metadata.name`, `metadata.title`, …), held in memory and matched by substring.
//!
//! In SQL, a term costs a string comparison on every value of those keys (15,000 rows
//! for 10,000 entities, about 1.2 ms on SQLite whether `LIKE` or `instr`); in memory
//! the same scan takes a tenth of that. The matches are entity numbers, which the
//! query's other conditions, order and paging use as they are (`query.rs`).
//!
//! The index holds one version of the catalog: the `catalog_version` row, which every
//! write changing entities raises in its own transaction. Each search reads the version
//! first and reloads a key when it has moved, which also catches writes by other
//! replicas sharing a PostgreSQL database. This module owns the cache only; it never
//! writes to the database.

use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};

use app::model::catalog::filter::FullText;
use hashbrown::HashTable;

use super::{cache::VersionedCache, keys::KeyIndex, Store, StoreError};

/// At most this many keys are kept; a search over others loads them for itself only.
pub(super) const MAX_KEYS: usize = 16;

/// The cached values of some search keys, for one catalog version.
pub(super) type TextIndex = VersionedCache<KeyValues>;

/// The numbered refs of one catalog version (cached under one key).
pub(super) type EntityRefsCache = VersionedCache<EntityRefs>;

/// Every entity's ref, sorted. An entity's number is its place here: the in-memory
/// indexes hold numbers, which compare and count without touching strings (at 100,000
/// entities, comparing refs was most of a one-letter search).
#[derive(Default)]
pub(super) struct EntityRefs {
    /// The refs in order, one after the other, rather than an allocation each.
    text: String,
    /// Where each ref ends in `text`.
    ends: Vec<usize>,
    /// Every number, in order: the selection of a query that selects everything.
    numbers: Vec<u32>,
    /// The numbers, placed by their refs' hashes: a page's relation targets are found
    /// with one hash each rather than a binary search through the refs, whose cache
    /// misses cost ≈ 1 µs per ref at 10,000 entities (≈ 10 MB at 1M).
    places: HashTable<u32>,
    hasher: RandomState,
}

impl std::fmt::Debug for EntityRefs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntityRefs")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl EntityRefs {
    /// Numbers `refs` by their order.
    fn new(mut refs: Vec<Box<str>>) -> Self {
        refs.sort_unstable();
        let mut numbered = Self {
            text: String::with_capacity(refs.iter().map(|r| r.len()).sum()),
            ends: Vec::with_capacity(refs.len()),
            numbers: (0..refs.len() as u32).collect(),
            places: HashTable::with_capacity(refs.len()),
            hasher: RandomState::new(),
        };
        for (id, entity_ref) in refs.iter().enumerate() {
            numbered.text.push_str(entity_ref);
            numbered.ends.push(numbered.text.len());
            let hash = numbered.hasher.hash_one(&**entity_ref);
            numbered.places.insert_unique(hash, id as u32, |_| {
                unreachable!("the table has room for every ref")
            });
        }
        numbered
    }

    /// The refs `component:default/NAME` of `names`, numbered in order (for tests).
    #[cfg(test)]
    pub(super) fn components(names: &[&str]) -> Arc<Self> {
        let refs = names
            .iter()
            .map(|name| format!("component:default/{name}").into())
            .collect();
        Arc::new(Self::new(refs))
    }

    /// The number of `entity_ref`; `None` for an entity written after the list was read.
    pub(super) fn id(&self, entity_ref: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(entity_ref);
        self.places
            .find(hash, |&id| self.get(id) == entity_ref)
            .copied()
    }

    /// The ref numbered `id`.
    pub(super) fn get(&self, id: u32) -> &str {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        &self.text[start..self.ends[id]]
    }

    /// How many entities there are.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Every entity's number, in order.
    pub(super) fn numbers(&self) -> &[u32] {
        &self.numbers
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
    /// `key`'s values in entity order, so that each search yields its numbers sorted.
    fn new(key: &KeyIndex) -> Self {
        let mut pairs: Vec<(u32, &str)> = (0..key.len())
            .flat_map(|at| key.entities(at).iter().map(move |&id| (id, key.value(at))))
            .collect();
        pairs.sort_unstable_by_key(|(id, _)| *id);
        let mut values = Self {
            refs: key.numbered_by().clone(),
            text: String::new(),
            ends: Vec::new(),
            ids: Vec::new(),
        };
        for (id, value) in pairs {
            values.text.push_str(value);
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

    /// The numbers of the entities among `candidates` (sorted) with a value containing
    /// `term`, sorted.
    fn matching_among(&self, term: &str, candidates: &[u32]) -> Vec<u32> {
        let finder = memchr::memmem::Finder::new(term.as_bytes());
        let text = self.text.as_bytes();
        let mut found = Vec::new();
        let mut at = 0;
        for &id in candidates {
            // The entity's values sit together, in entity order.
            at += self.ids[at..].partition_point(|&other| other < id);
            while at < self.ids.len() && self.ids[at] == id {
                let start = if at == 0 { 0 } else { self.ends[at - 1] + 1 };
                if finder.find(&text[start..self.ends[at]]).is_some() {
                    found.push(id);
                }
                at += 1;
            }
        }
        found
    }
}

impl Numbered for KeyValues {
    fn numbered_by(&self) -> &Arc<EntityRefs> {
        &self.refs
    }
}

/// How many terms' matches [`RecentMatches`] keeps.
const RECENT_TERMS: usize = 32;

/// An earlier term's matches are looked through only when they are at most this
/// fraction of the catalog: at 1,000,000 entities one pass over every value takes
/// about 15 ms, and looking through candidates about 0.2 µs each (finding each one's
/// values, then a search in each), so through the matches of a one-letter term, nearly
/// every entity, 220 ms.
const NARROWS_FROM: usize = 16;

/// The matches of the last terms looked for, each with the list its numbers index. The
/// catalog page asks for one term's page, then its counts, then its next pages; and a
/// term being typed ("pa", "pay", "paym") contains the one before, so only that one's
/// matches need looking at (when they are few: [`NARROWS_FROM`]). At most
/// [`RECENT_TERMS`] lists of at most one number per entity (4 MB each at 1M entities);
/// those of an older catalog version go first.
#[derive(Debug, Default)]
pub(super) struct RecentMatches {
    /// The most recently used last.
    terms: Mutex<Vec<Recent>>,
}

#[derive(Debug)]
struct Recent {
    refs: Arc<EntityRefs>,
    fields: Vec<String>,
    term: String,
    ids: Arc<Vec<u32>>,
}

/// What [`RecentMatches`] knows of a term.
enum Found {
    /// Its matches.
    Same(Arc<Vec<u32>>),
    /// The matches of a term it contains: a superset of its own.
    Within(Arc<Vec<u32>>),
    Nothing,
}

impl RecentMatches {
    fn find(&self, refs: &Arc<EntityRefs>, full_text: &FullText) -> Found {
        let mut terms = self.terms.lock().unwrap_or_else(|e| e.into_inner());
        let same_keys =
            |recent: &Recent| Arc::ptr_eq(&recent.refs, refs) && recent.fields == full_text.fields;
        if let Some(at) = terms
            .iter()
            .position(|recent| same_keys(recent) && recent.term == full_text.term)
        {
            let recent = terms.remove(at);
            let ids = recent.ids.clone();
            terms.push(recent);
            return Found::Same(ids);
        }
        terms
            .iter()
            .filter(|recent| same_keys(recent) && full_text.term.contains(&recent.term))
            .min_by_key(|recent| recent.ids.len())
            .filter(|recent| recent.ids.len() * NARROWS_FROM <= refs.len())
            .map_or(Found::Nothing, |recent| Found::Within(recent.ids.clone()))
    }

    fn keep(&self, refs: &Arc<EntityRefs>, full_text: &FullText, ids: Arc<Vec<u32>>) {
        let mut terms = self.terms.lock().unwrap_or_else(|e| e.into_inner());
        terms.retain(|recent| Arc::ptr_eq(&recent.refs, refs));
        if terms.len() >= RECENT_TERMS {
            terms.remove(0);
        }
        terms.push(Recent {
            refs: refs.clone(),
            fields: full_text.fields.clone(),
            term: full_text.term.clone(),
            ids,
        });
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
        // Kept by a request numbering by another list of refs: this one's replaces it,
        // or every later request would build its own again.
        let value = Arc::new(build().await?);
        cache.replace(version, key, value.clone());
        Ok(value)
    }
}

impl Store {
    /// The numbers of the entities with a value containing the term under one of the
    /// full-text keys, sorted, in catalog version `version` numbered by `refs`. The term
    /// and the stored values are lower-case, so the match ignores case.
    pub(super) async fn full_text_matches(
        &self,
        version: i64,
        refs: &Arc<EntityRefs>,
        full_text: &FullText,
    ) -> Result<Arc<Vec<u32>>, StoreError> {
        let within = match self.recent_matches.find(refs, full_text) {
            Found::Same(ids) => return Ok(ids),
            Found::Within(ids) => Some(ids),
            Found::Nothing => None,
        };
        let mut keys = Vec::with_capacity(full_text.fields.len());
        for key in &full_text.fields {
            keys.push(self.text_values(version, refs, key).await?);
        }
        let ids = match within {
            // A term containing an earlier one: only that one's matches can match.
            Some(candidates) => {
                let mut ids: Vec<u32> = keys
                    .iter()
                    .flat_map(|values| values.matching_among(&full_text.term, &candidates))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            }
            None => {
                // A flag per entity: the keys' matches united without sorting.
                let mut matched = vec![false; refs.len()];
                for values in &keys {
                    for id in values.matching(&full_text.term) {
                        matched[id as usize] = true;
                    }
                }
                (0..refs.len() as u32)
                    .filter(|&id| matched[id as usize])
                    .collect()
            }
        };
        let ids = Arc::new(ids);
        self.recent_matches.keep(refs, full_text, ids.clone());
        Ok(ids)
    }

    /// The values of full-text key `key` in catalog version `version`, numbered by
    /// `refs`: cached, or built from its key index.
    pub(super) async fn text_values(
        &self,
        version: i64,
        refs: &Arc<EntityRefs>,
        key: &str,
    ) -> Result<Arc<KeyValues>, StoreError> {
        numbered(&self.text, version, key, refs, || async {
            Ok(KeyValues::new(&*self.key_index(version, refs, key).await?))
        })
        .await
    }

    /// The numbered refs of catalog version `version`.
    pub(super) async fn entity_refs(&self, version: i64) -> Result<Arc<EntityRefs>, StoreError> {
        self.entity_refs
            .get_or_load(version, "", async {
                let sql = format!("SELECT {} FROM entities", self.json_rows(&["entity_ref"]));
                let rows: Vec<(Box<str>,)> = self
                    .fetch_json_rows(&sql, &[], "the entities' refs")
                    .await?;
                Ok(EntityRefs::new(rows.into_iter().map(|(r,)| r).collect()))
            })
            .await
    }

    /// The catalog's version: every write that changes entities raises it in its own
    /// transaction, so what was read for one version is current until it moves. On
    /// SQLite, not asked again while no transaction has committed (`wal_watch.rs`).
    pub async fn catalog_version(&self) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT version FROM catalog_version";
        let header = self.wal.as_ref().and_then(|wal| wal.header());
        if let (Some(wal), Some(header)) = (&self.wal, &header) {
            if let Some(version) = wal.version_at(header) {
                return Ok(version);
            }
        }
        let (version,): (i64,) = on_pool!(self, pool => sqlx::query_as(SQL).fetch_one(pool).await?);
        if let (Some(wal), Some(header)) = (&self.wal, header) {
            wal.remember(header, version);
        }
        Ok(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key's values as `(value, entity_ref)` pairs, indexed by `refs`.
    fn values(pairs: &[(&str, &str)], refs: &Arc<EntityRefs>) -> KeyValues {
        let rows = pairs
            .iter()
            .map(|(value, name)| {
                (
                    (*value).into(),
                    format!("component:default/{name}").into(),
                    None,
                )
            })
            .collect();
        KeyValues::new(&KeyIndex::new(rows, Vec::new(), refs))
    }

    #[test]
    fn searches_yield_each_entity_in_ref_order() {
        let refs = EntityRefs::components(&["a", "b", "c"]);
        let name = values(
            &[
                ("payments", "c"),
                ("ledger", "a"),
                ("pay-web", "b"),
                ("pay-gone", "deleted"),
            ],
            &refs,
        );
        let tags = values(&[("pay", "a"), ("payroll", "a"), ("web", "b")], &refs);
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

    #[test]
    fn a_term_is_looked_for_among_candidates_only() {
        let refs = EntityRefs::components(&["a", "b", "c", "d"]);
        let tags = values(
            &[
                ("pay", "a"),
                ("payroll", "a"),
                ("web", "b"),
                ("payweb", "d"),
            ],
            &refs,
        );
        assert_eq!(tags.matching_among("pay", &[0, 1, 2, 3]), [0, 0, 3]);
        assert_eq!(tags.matching_among("pay", &[1, 3]), [3]);
        assert_eq!(tags.matching_among("web", &[0, 1, 3]), [1, 3]);
        assert!(tags.matching_among("roll", &[1, 2, 3]).is_empty());
        assert!(tags.matching_among("pay", &[]).is_empty());
    }

    #[test]
    fn recent_terms_answer_again_and_narrow_longer_ones() {
        let recent = RecentMatches::default();
        let names: Vec<String> = (0..32).map(|n| format!("e{n:02}")).collect();
        let refs = EntityRefs::components(&names.iter().map(String::as_str).collect::<Vec<_>>());
        let term = |term: &str, fields: &[&str]| FullText {
            term: term.into(),
            fields: fields.iter().map(|f| (*f).into()).collect(),
        };
        let name = ["metadata.name"];
        assert!(matches!(
            recent.find(&refs, &term("pa", &name)),
            Found::Nothing
        ));
        recent.keep(&refs, &term("pa", &name), Arc::new(vec![0, 1]));
        recent.keep(&refs, &term("ay", &name), Arc::new(vec![1]));
        assert!(
            matches!(recent.find(&refs, &term("pa", &name)), Found::Same(ids) if *ids == [0, 1])
        );
        // "pay" contains both: the narrower list is the one to look through.
        assert!(
            matches!(recent.find(&refs, &term("pay", &name)), Found::Within(ids) if *ids == [1])
        );
        // Matches of more than a sixteenth of the catalog are not worth looking through.
        recent.keep(&refs, &term("y", &name), Arc::new(vec![0, 1, 2]));
        assert!(matches!(
            recent.find(&refs, &term("yz", &name)),
            Found::Nothing
        ));
        // Other fields, or another numbering (a newer catalog version): nothing known.
        assert!(matches!(
            recent.find(&refs, &term("pa", &["metadata.title"])),
            Found::Nothing
        ));
        let newer = EntityRefs::components(&["a", "b", "c"]);
        assert!(matches!(
            recent.find(&newer, &term("pa", &name)),
            Found::Nothing
        ));
        recent.keep(&newer, &term("x", &name), Arc::new(vec![2]));
        assert!(
            matches!(recent.find(&refs, &term("pa", &name)), Found::Nothing),
            "older lists go"
        );
        for n in 0..RECENT_TERMS + 1 {
            recent.keep(&newer, &term(&format!("t{n}"), &name), Arc::new(vec![]));
        }
        assert!(
            matches!(recent.find(&newer, &term("x", &name)), Found::Nothing),
            "bounded"
        );
    }

    #[tokio::test]
    async fn an_index_numbered_by_another_list_is_not_mixed_in() {
        let cache: TextIndex = VersionedCache::new(4);
        let old = EntityRefs::components(&["a", "c"]);
        let new = EntityRefs::components(&["a", "b", "c"]);
        let names = |refs: &Arc<EntityRefs>| values(&[("cart", "c"), ("bag", "b")], refs);
        let cached = numbered(&cache, 1, "metadata.name", &old, || async {
            Ok(names(&old))
        })
        .await
        .unwrap();
        assert_eq!(cached.matching("ca"), [1], "c is 1 in the old list");
        // The same version and key, asked with the newer list: not the cached index.
        let fresh = numbered(&cache, 1, "metadata.name", &new, || async {
            Ok(names(&new))
        })
        .await
        .unwrap();
        assert!(Arc::ptr_eq(fresh.numbered_by(), &new));
        assert_eq!(fresh.matching("ca"), [2], "c is 2 in the new list");
        assert_eq!(fresh.matching("bag"), [1]);
    }
}
