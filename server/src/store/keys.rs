//! The catalog's search keys in memory, for queries, orders and facets.
//!
//! A [`KeyIndex`] holds what the database knows of one key: each lower-case value, in
//! order, with the numbers of the entities that have it (see [`EntityRefs`]). A key is
//! a search key (`kind`, `spec.owner`, `metadata.tags` — the `search` table, plus
//! `search_keys` for entities whose value cannot be searched), a relation type
//! (`relations.ownedby`: the targets, for the entities that are their source) or
//! `metadata.uid`. Filters, predicates, orders and facet counts read these lists
//! (`query.rs`), so a query costs a few set operations on numbers instead of a
//! statement on the database thread.
//!
//! Like the other in-memory indexes, a key holds one catalog version and is loaded when
//! first asked for in it; this module never writes to the database.

use std::{borrow::Cow, collections::HashMap, sync::Arc};

use super::{
    cache::VersionedCache,
    text::{numbered, EntityRefs, Numbered},
    Store, StoreError,
};

/// At most this many keys are kept per catalog version; a query over others loads them
/// for itself only.
pub(super) const MAX_KEYS: usize = 48;

/// The cached key indexes of one catalog version.
pub(super) type KeyCache = VersionedCache<KeyIndex>;

/// An entity's place in the order of a key it does not have.
const NONE: u32 = u32::MAX;

/// One key's values and the entities that have each.
#[derive(Debug)]
pub(super) struct KeyIndex {
    /// The list the entities are numbered by.
    refs: Arc<EntityRefs>,
    /// The distinct lower-case values, sorted.
    values: Vec<Box<str>>,
    /// A value's spelling where it differs from the value (the smallest, as SQL's
    /// `MIN(COALESCE(original_value, value))` picked it).
    spelled: HashMap<u32, Box<str>>,
    /// Where each value's entities start in `ids` (one more item than values).
    starts: Vec<u32>,
    /// Each value's entities, sorted, value after value.
    ids: Vec<u32>,
    /// Every entity that has the key, with a value or with one too long or null to
    /// search (Backstage finds those by the key alone), sorted.
    has: Vec<u32>,
    /// Each entity's smallest value's place in `values`, [`NONE`] without the key: an
    /// order by the key compares these.
    first: Vec<u32>,
}

/// A value of a key as loaded: the lower-case value, its entity, and its spelling when
/// it differs.
pub(super) type KeyRow = (String, Box<str>, Option<String>);

impl KeyIndex {
    /// From `rows` and the refs of entities that have the key without a searchable
    /// value (`keyless`). Rows of entities `refs` does not number (written since) are
    /// left out.
    pub(super) fn new(rows: Vec<KeyRow>, keyless: Vec<Box<str>>, refs: &Arc<EntityRefs>) -> Self {
        let mut rows: Vec<(String, u32, Option<String>)> = rows
            .into_iter()
            .filter_map(|(value, entity_ref, spelling)| {
                Some((value, refs.id(&entity_ref)?, spelling))
            })
            .collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut index = Self {
            refs: refs.clone(),
            values: Vec::new(),
            spelled: HashMap::new(),
            starts: Vec::new(),
            ids: Vec::with_capacity(rows.len()),
            has: Vec::new(),
            first: vec![NONE; refs.len()],
        };
        for (value, id, spelling) in rows {
            if index.values.last().is_none_or(|last| **last != *value) {
                index.starts.push(index.ids.len() as u32);
                index.values.push(value.into());
            } else if index.ids.last() == Some(&id) {
                continue;
            }
            let at = (index.values.len() - 1) as u32;
            if let Some(spelling) = spelling.filter(|s| *s != *index.values[at as usize]) {
                let shown = index
                    .spelled
                    .entry(at)
                    .or_insert_with(|| spelling.clone().into());
                if *spelling < **shown {
                    *shown = spelling.into();
                }
            }
            index.ids.push(id);
            if index.first[id as usize] == NONE {
                index.first[id as usize] = at;
            }
        }
        index.starts.push(index.ids.len() as u32);
        index.has = keyless.iter().filter_map(|r| refs.id(r)).collect();
        index
            .has
            .extend((0..refs.len() as u32).filter(|&id| index.first[id as usize] != NONE));
        index.has.sort_unstable();
        index.has.dedup();
        index
    }

    /// How many distinct values there are.
    pub(super) fn len(&self) -> usize {
        self.values.len()
    }

    /// The entities with the value at `at`, sorted.
    pub(super) fn entities(&self, at: usize) -> &[u32] {
        &self.ids[self.starts[at] as usize..self.starts[at + 1] as usize]
    }

    /// The lower-case value at `at`.
    pub(super) fn value(&self, at: usize) -> &str {
        &self.values[at]
    }

    /// The value at `at` as a facet shows it.
    pub(super) fn shown(&self, at: usize) -> &str {
        self.spelled.get(&(at as u32)).unwrap_or(&self.values[at])
    }

    /// The place of `value` (lower-case) among the values.
    pub(super) fn place(&self, value: &str) -> Option<usize> {
        self.values.binary_search_by(|x| (**x).cmp(value)).ok()
    }

    /// The entities with one of `values` (lower-case), sorted.
    pub(super) fn with_values(&self, values: &[String]) -> Cow<'_, [u32]> {
        union(
            values
                .iter()
                .filter_map(|v| self.place(v))
                .map(|at| self.entities(at)),
            self.refs.len(),
        )
    }

    /// The entities with a value starting with `prefix` (lower-case), sorted.
    pub(super) fn with_prefix(&self, prefix: &str) -> Cow<'_, [u32]> {
        let from = self.values.partition_point(|v| **v < *prefix);
        let to = from + self.values[from..].partition_point(|v| v.starts_with(prefix));
        union((from..to).map(|at| self.entities(at)), self.refs.len())
    }

    /// Every entity that has the key, sorted.
    pub(super) fn having(&self) -> &[u32] {
        &self.has
    }

    /// Where the entity `id` comes in an order by the key: the place of its smallest
    /// value, `None` without the key.
    pub(super) fn rank(&self, id: u32) -> Option<u32> {
        Some(self.first[id as usize]).filter(|&r| r != NONE)
    }
}

impl Numbered for KeyIndex {
    fn numbered_by(&self) -> &Arc<EntityRefs> {
        &self.refs
    }
}

/// The union of sorted lists of numbers below `n`, sorted and without repeats (one list
/// as it is).
pub(super) fn union<'a>(lists: impl Iterator<Item = &'a [u32]>, n: usize) -> Cow<'a, [u32]> {
    let lists: Vec<&[u32]> = lists.collect();
    match lists.as_slice() {
        [] => Cow::Borrowed(&[]),
        [one] => Cow::Borrowed(one),
        _ => {
            let total: usize = lists.iter().map(|list| list.len()).sum();
            // Sorting costs per number, a bitmap per 64 numbers below `n`.
            if total < n / 64 {
                let mut all: Vec<u32> = lists.concat();
                all.sort_unstable();
                all.dedup();
                Cow::Owned(all)
            } else {
                let mut members = Members::new(n);
                lists.iter().for_each(|list| members.add(list));
                Cow::Owned(members.numbers())
            }
        }
    }
}

/// The items of sorted `a` that sorted `b` holds.
pub(super) fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut found = Vec::with_capacity(small.len());
    if large.len() / 16 > small.len() {
        // Far apart in size: a binary search over what is left of the large one.
        let mut rest = large;
        for &id in small {
            let at = rest.partition_point(|&x| x < id);
            if rest.get(at) == Some(&id) {
                found.push(id);
            }
            rest = &rest[at..];
        }
    } else {
        let (mut i, mut j) = (0, 0);
        while let (Some(&x), Some(&y)) = (small.get(i), large.get(j)) {
            if x == y {
                found.push(x);
            }
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
    }
    found
}

/// Which of `n` numbers a set holds, one bit each.
pub(super) struct Members(Vec<u64>);

impl Members {
    /// No number of `n`.
    pub(super) fn new(n: usize) -> Self {
        Self(vec![0; n.div_ceil(64)])
    }

    /// The numbers of sorted `ids`, all below `n`.
    pub(super) fn of(ids: &[u32], n: usize) -> Self {
        let mut members = Self::new(n);
        members.add(ids);
        members
    }

    pub(super) fn add(&mut self, ids: &[u32]) {
        for &id in ids {
            self.0[id as usize / 64] |= 1 << (id % 64);
        }
    }

    pub(super) fn holds(&self, id: u32) -> bool {
        self.0[id as usize / 64] & (1 << (id % 64)) != 0
    }

    /// The numbers held, sorted.
    pub(super) fn numbers(&self) -> Vec<u32> {
        let mut found = Vec::new();
        for (at, &word) in self.0.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                found.push(at as u32 * 64 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        found
    }
}

/// The numbers below `n` that sorted `ids` does not hold.
pub(super) fn complement(ids: &[u32], n: usize) -> Vec<u32> {
    let mut found = Vec::with_capacity(n.saturating_sub(ids.len()));
    let mut next = ids.iter().peekable();
    for id in 0..n as u32 {
        if next.peek() == Some(&&id) {
            next.next();
        } else {
            found.push(id);
        }
    }
    found
}

impl Store {
    /// The index of `key` (lower-case) in catalog version `version`, numbered by `refs`:
    /// cached, or loaded.
    pub(super) async fn key_index(
        &self,
        version: i64,
        refs: &Arc<EntityRefs>,
        key: &str,
    ) -> Result<Arc<KeyIndex>, StoreError> {
        numbered(&self.keys, version, key, refs, || async {
            let (rows, keyless) = self.key_rows(key).await?;
            Ok(KeyIndex::new(rows, keyless, refs))
        })
        .await
    }

    /// The rows of `key` (lower-case) for [`KeyIndex::new`]: a relation type's targets,
    /// the uids, or a search key's values and the entities whose value is not searchable.
    async fn key_rows(&self, key: &str) -> Result<(Vec<KeyRow>, Vec<Box<str>>), StoreError> {
        let searched = !key.starts_with("relations.") && key != "metadata.uid";
        let (sql, bind) = if let Some(relation) = key.strip_prefix("relations.") {
            let columns = self.json_rows(&["target_ref", "source_ref", "NULL"]);
            (
                format!("SELECT {columns} FROM relations WHERE LOWER(type) = $1"),
                Some(relation),
            )
        } else if key == "metadata.uid" {
            let columns = self.json_rows(&["LOWER(uid)", "entity_ref", "NULL"]);
            (format!("SELECT {columns} FROM entities"), None)
        } else {
            let columns = self.json_rows(&["value", "entity_ref", "original_value"]);
            (
                format!("SELECT {columns} FROM search WHERE key = $1"),
                Some(key),
            )
        };
        let params: Vec<&str> = bind.into_iter().collect();
        let rows: Vec<KeyRow> = self
            .fetch_json_rows(&sql, &params, &format!("the values of {key}"))
            .await?;
        let keyless = if searched {
            let columns = self.json_rows(&["entity_ref"]);
            let sql = format!("SELECT {columns} FROM search_keys WHERE key = $1");
            let refs: Vec<(Box<str>,)> = self
                .fetch_json_rows(&sql, &[key], &format!("the entities with {key}"))
                .await?;
            refs.into_iter().map(|(r,)| r).collect()
        } else {
            Vec::new()
        };
        Ok((rows, keyless))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(value: &str, name: &str, spelling: Option<&str>) -> KeyRow {
        (
            value.into(),
            format!("component:default/{name}").into(),
            spelling.map(String::from),
        )
    }

    #[test]
    fn values_list_their_entities_in_order() {
        let refs = EntityRefs::components(&["a", "b", "c", "d"]);
        let tags = KeyIndex::new(
            vec![
                row("web", "c", None),
                row("java", "c", Some("Java")),
                row("java", "a", Some("JAVA")),
                row("web", "a", None),
                row("web", "a", None),
                row("go", "gone", None),
            ],
            vec!["component:default/d".into()],
            &refs,
        );
        assert_eq!(tags.len(), 2, "the unknown entity's value is left out");
        assert_eq!(*tags.with_values(&["web".into()]), [0, 2]);
        assert_eq!(*tags.with_values(&["web".into(), "java".into()]), [0, 2]);
        assert!(tags.with_values(&["go".into()]).is_empty());
        assert_eq!(*tags.with_prefix("ja"), [0, 2]);
        assert_eq!(*tags.with_prefix(""), [0, 2]);
        assert!(tags.with_prefix("x").is_empty());
        assert_eq!(tags.having(), [0, 2, 3], "d has the key without a value");
        assert_eq!(tags.shown(0), "JAVA", "the smallest spelling");
        assert_eq!(tags.shown(1), "web");
        assert_eq!(
            (tags.rank(0), tags.rank(1), tags.rank(3)),
            (Some(0), None, None)
        );
    }

    #[test]
    fn sets_combine_sorted_numbers() {
        assert_eq!(intersect(&[1, 3, 5, 7], &[3, 4, 7, 9]), [3, 7]);
        assert!(intersect(&[], &[1]).is_empty());
        let many: Vec<u32> = (0..100).collect();
        assert_eq!(
            intersect(&[5, 99, 100], &many),
            [5, 99],
            "far apart in size"
        );
        assert_eq!(complement(&[0, 2], 4), [1, 3]);
        let lists = [&[3, 5][..], &[1, 3]];
        assert_eq!(*union(lists.into_iter(), 10_000), [1, 3, 5], "sorted");
        assert_eq!(*union(lists.into_iter(), 6), [1, 3, 5], "through a bitmap");
        assert_eq!(
            *union([&[64, 130][..], &[0, 63]].into_iter(), 131),
            [0, 63, 64, 130]
        );
    }
}
