//! Entity queries ([`EntityQuery`]) and facets, answered in memory.
//!
//! A query reads the catalog version, then the indexes of the keys it names
//! (`keys.rs`, loaded once per version) and, for a full-text term, the term's matches
//! (`text.rs`), all numbering entities by the same sorted list of refs. Its selection
//! is then set operations on sorted numbers: a condition is a key's list for its
//! values, conditions of a filter intersect, filters unite, a predicate's `$not` is a
//! complement. Numbers are refs' places, so the selection is in ref order already: the
//! count is its length and a page without an order is a slice. An order by one key over
//! a large selection walks the key's values in order and stops after the page; a
//! smaller one is sorted. Bodies, relations and problems of the page are read from the
//! database afterwards, for the page only ([`Store::stored_entities`]).
//!
//! Semantics follow Backstage's SQL (and what this module's SQL answered before): values
//! compare without case, an entity is ordered by its smallest value of the key, entities
//! without it come last in either direction, ties go by ref; a facet counts entities per
//! value, spelled as the smallest spelling.

use std::{borrow::Cow, collections::HashMap, sync::Arc};

use app::model::catalog::filter::{Condition, EntityQuery, Order, OrderField};
use app::model::catalog::predicate::{FieldTest, Predicate};

use super::{
    cache::VersionedCache,
    keys::{complement, intersect, union, KeyIndex, Members},
    text::{numbered, EntityRefs, Numbered},
    Store, StoreError,
};

/// A facet's `(value as written, entities)`, most common first.
type FacetCounts = Vec<(String, i64)>;

/// At most this many selections of predicates are kept per catalog version (each a
/// sorted list of numbers: ≤ 4 MB at 1M entities).
pub(super) const MAX_KEPT_SELECTIONS: usize = 16;

/// The selections of a query predicate's conjuncts, by the conjunct's JSON, for one
/// catalog version. A person's visibility ([`Visibility::restrict`]) is one conjunct,
/// the same in each of their queries: the guest's under a policy that hides entities by
/// tag, namespace and kind is a dozen set operations over the whole catalog.
///
/// [`Visibility::restrict`]: app::model::identity::Visibility::restrict
pub(super) type SelectionCache = VersionedCache<Selected>;

/// The numbers of the entities a predicate selects, sorted.
#[derive(Debug)]
pub(super) struct Selected {
    refs: Arc<EntityRefs>,
    ids: Vec<u32>,
}

impl Numbered for Selected {
    fn numbered_by(&self) -> &Arc<EntityRefs> {
        &self.refs
    }
}

/// The indexes one query reads, all of one catalog version and numbering.
struct Indexes {
    refs: Arc<EntityRefs>,
    keys: HashMap<String, Arc<KeyIndex>>,
    /// The full-text term's matches, when the query has one.
    matches: Option<Arc<Vec<u32>>>,
    /// The selections of the query predicate's conjuncts.
    conjuncts: Vec<Arc<Selected>>,
}

/// Every key `predicate` names.
fn predicate_keys<'a>(predicate: &'a Predicate, keys: &mut Vec<&'a str>) {
    match predicate {
        Predicate::All(items) | Predicate::Any(items) => {
            items.iter().for_each(|p| predicate_keys(p, keys))
        }
        Predicate::Not(inner) => predicate_keys(inner, keys),
        Predicate::Field { key, .. } => keys.push(key),
    }
}

/// The union of `parts` of numbers below `n` (one part as it is).
fn any_of(mut parts: Vec<Cow<'_, [u32]>>, n: usize) -> Cow<'_, [u32]> {
    if parts.len() == 1 {
        return parts.remove(0);
    }
    Cow::Owned(union(parts.iter().map(|p| &**p), n).into_owned())
}

impl Indexes {
    fn key(&self, key: &str) -> &KeyIndex {
        &self.keys[key]
    }

    fn everything(&self) -> Cow<'_, [u32]> {
        Cow::Borrowed(self.refs.numbers())
    }

    fn condition(&self, condition: &Condition) -> Cow<'_, [u32]> {
        let key = self.key(&condition.key);
        match condition.values.as_slice() {
            [] => Cow::Borrowed(key.having()),
            values => key.with_values(values),
        }
    }

    /// The intersection of `parts`; everything when there are none.
    fn all_of<'a>(&'a self, parts: impl Iterator<Item = Cow<'a, [u32]>>) -> Cow<'a, [u32]> {
        parts
            .reduce(|selected, part| Cow::Owned(intersect(&selected, &part)))
            .unwrap_or_else(|| self.everything())
    }

    fn predicate(&self, predicate: &Predicate) -> Cow<'_, [u32]> {
        let n = self.refs.len();
        match predicate {
            Predicate::All(items) => self.all_of(items.iter().map(|p| self.predicate(p))),
            Predicate::Any(items) => any_of(items.iter().map(|p| self.predicate(p)).collect(), n),
            Predicate::Not(inner) => Cow::Owned(complement(&self.predicate(inner), n)),
            Predicate::Field { key, test } => {
                let index = self.key(key);
                match test {
                    FieldTest::In(values) => index.with_values(values),
                    FieldTest::Exists(true) => Cow::Borrowed(index.having()),
                    FieldTest::Exists(false) => Cow::Owned(complement(index.having(), n)),
                    FieldTest::HasPrefix(prefix) => index.with_prefix(prefix),
                }
            }
        }
    }

    /// The numbers of the entities `query` selects (its order and paging aside), sorted.
    fn selection(&self, query: &EntityQuery) -> Cow<'_, [u32]> {
        let filter = (!query.filter.is_empty()).then(|| {
            any_of(
                query
                    .filter
                    .iter()
                    .map(|group| self.all_of(group.conditions.iter().map(|c| self.condition(c))))
                    .collect(),
                self.refs.len(),
            )
        });
        let predicate = query.predicate.is_some().then(|| {
            self.all_of(
                self.conjuncts
                    .iter()
                    .map(|c| Cow::Borrowed(c.ids.as_slice())),
            )
        });
        let matches = self
            .matches
            .as_deref()
            .map(|ids| Cow::Borrowed(ids.as_slice()));
        self.all_of(filter.into_iter().chain(predicate).chain(matches))
    }

    /// `limit` of `selected` from `offset`, in `order` (then by ref). A single-key order
    /// over at least `walk_from` entities walks the key's values instead of sorting.
    fn page(
        &self,
        selected: &[u32],
        order: &[OrderField],
        (offset, limit): (usize, usize),
        walk_from: u64,
    ) -> Vec<u32> {
        match order {
            [] => selected.iter().skip(offset).take(limit).copied().collect(),
            [field] if selected.len() as u64 >= walk_from => {
                self.walk(selected, field, offset, limit)
            }
            _ => self.sorted(selected, order, offset, limit),
        }
    }

    fn sorted(
        &self,
        selected: &[u32],
        order: &[OrderField],
        offset: usize,
        limit: usize,
    ) -> Vec<u32> {
        let keys: Vec<(&KeyIndex, Order)> = order
            .iter()
            .map(|field| (self.key(&field.key), field.order))
            .collect();
        let compare = |a: &u32, b: &u32| {
            for (key, direction) in &keys {
                let ordering = match (key.rank(*a), key.rank(*b)) {
                    (Some(x), Some(y)) if direction == &Order::Desc => y.cmp(&x),
                    (x, y) => x.is_none().cmp(&y.is_none()).then(x.cmp(&y)),
                };
                if ordering.is_ne() {
                    return ordering;
                }
            }
            a.cmp(b)
        };
        let mut ids = selected.to_vec();
        let end = offset.saturating_add(limit).min(ids.len());
        if end == 0 {
            return Vec::new();
        }
        if end < ids.len() {
            ids.select_nth_unstable_by(end - 1, compare);
            ids.truncate(end);
        }
        ids.sort_unstable_by(compare);
        ids.into_iter().skip(offset).collect()
    }

    /// The page of a single-key order, found by walking the key's values in order and
    /// keeping each selected entity at its smallest value; entities without the key
    /// last, in ref order.
    fn walk(&self, selected: &[u32], field: &OrderField, offset: usize, limit: usize) -> Vec<u32> {
        let key = self.key(&field.key);
        let members = Members::of(selected, self.refs.len());
        let values: Box<dyn Iterator<Item = usize>> = match field.order {
            Order::Asc => Box::new(0..key.len()),
            Order::Desc => Box::new((0..key.len()).rev()),
        };
        let in_order = values.flat_map(|at| {
            key.entities(at)
                .iter()
                .filter(move |&&id| key.rank(id) == Some(at as u32))
        });
        let without = selected.iter().filter(|&&id| key.rank(id).is_none());
        in_order
            .filter(|&&id| members.holds(id))
            .chain(without)
            .skip(offset)
            .take(limit)
            .copied()
            .collect()
    }

    /// How many of the entities in `members` (every entity when `None`) have each value
    /// of `key`: the most common first, then by value. With `most`, only that many of the
    /// most common, then those of the values `also` (lower-case) that are not among them.
    fn counts(&self, key: &str, members: Option<&Members>, most: Option<Most>) -> FacetCounts {
        let key = self.key(key);
        // (place of the value, count), by place: strings are made for what is kept only.
        let mut counted: Vec<(u32, u32)> = (0..key.len())
            .filter_map(|at| {
                let entities = key.entities(at);
                let count = match members {
                    None => entities.len(),
                    Some(members) => entities.iter().filter(|&&id| members.holds(id)).count(),
                };
                (count > 0).then_some((at as u32, count as u32))
            })
            .collect();
        let order = |a: &(u32, u32), b: &(u32, u32)| {
            (b.1.cmp(&a.1)).then_with(|| key.shown(a.0 as usize).cmp(key.shown(b.0 as usize)))
        };
        let mut also = Vec::new();
        if let Some(Most { most, also: values }) = most {
            also = values
                .iter()
                .filter_map(|value| key.place(value))
                .filter_map(|at| {
                    let found = counted.binary_search_by_key(&(at as u32), |c| c.0);
                    found.ok().map(|i| counted[i])
                })
                .collect();
            if counted.len() > most {
                counted.select_nth_unstable_by(most, order);
                counted.truncate(most);
            }
            also.retain(|a| !counted.iter().any(|c| c.0 == a.0));
        }
        counted.sort_unstable_by(order);
        counted
            .into_iter()
            .chain(also)
            .map(|(at, count)| (key.shown(at as usize).to_owned(), i64::from(count)))
            .collect()
    }
}

/// How much of a facet's counts a page shows: the `most` most common values and the
/// values `also` (lower-case: those the person selected).
#[derive(Clone, Copy, Debug)]
pub struct Most<'a> {
    pub most: usize,
    pub also: &'a [String],
}

impl Store {
    /// The indexes of the keys `query` names and of `more`, with its full-text matches.
    async fn indexes(&self, query: &EntityQuery, more: &[String]) -> Result<Indexes, StoreError> {
        let version = self.catalog_version().await?;
        let refs = self.entity_refs(version).await?;
        let mut names: Vec<&str> = query
            .filter
            .iter()
            .flat_map(|group| group.conditions.iter().map(|c| c.key.as_str()))
            .chain(query.order.iter().map(|field| field.key.as_str()))
            .chain(more.iter().map(String::as_str))
            .collect();
        if let Some(predicate) = &query.predicate {
            predicate_keys(predicate, &mut names);
        }
        let mut keys = HashMap::new();
        for name in names {
            if keys.contains_key(name) {
                continue;
            }
            let index = self.key_index(version, &refs, name).await?;
            keys.insert(name.to_owned(), index);
        }
        let matches = match &query.full_text {
            Some(full_text) => Some(self.full_text_matches(version, &refs, full_text).await?),
            None => None,
        };
        let mut indexes = Indexes {
            refs,
            keys,
            matches,
            conjuncts: Vec::new(),
        };
        if let Some(predicate) = &query.predicate {
            indexes.conjuncts = self
                .conjunct_selections(version, &indexes, predicate)
                .await?;
        }
        Ok(indexes)
    }

    /// What each conjunct of `predicate` selects, from the cache or computed with
    /// `indexes` and kept.
    async fn conjunct_selections(
        &self,
        version: i64,
        indexes: &Indexes,
        predicate: &Predicate,
    ) -> Result<Vec<Arc<Selected>>, StoreError> {
        let parts = match predicate {
            Predicate::All(items) => items.as_slice(),
            one => std::slice::from_ref(one),
        };
        let mut selections = Vec::with_capacity(parts.len());
        for part in parts {
            // Strings, lists and enums only: nothing that JSON cannot write.
            let key = serde_json::to_string(part).expect("a predicate is JSON");
            let selected = numbered(&self.selections, version, &key, &indexes.refs, || async {
                Ok(Selected {
                    refs: indexes.refs.clone(),
                    ids: indexes.predicate(part).into_owned(),
                })
            })
            .await?;
            selections.push(selected);
        }
        Ok(selections)
    }

    /// The refs of the entities a query selects, in its order, one page; and how many it
    /// selects in all.
    pub async fn query_entities(
        &self,
        query: &EntityQuery,
    ) -> Result<(Vec<String>, u64), StoreError> {
        let indexes = self.indexes(query, &[]).await?;
        let selected = indexes.selection(query);
        let page = indexes.page(
            &selected,
            &query.order,
            (query.offset, query.limit),
            self.sort_walk_from,
        );
        let refs = page
            .into_iter()
            .map(|id| indexes.refs.get(id).to_owned())
            .collect();
        Ok((refs, selected.len() as u64))
    }

    /// Which of `refs` (lower-case) the filter and predicate of `query` select (its
    /// full-text term, order and paging aside), in no particular order.
    pub async fn refs_selected_among(
        &self,
        query: &EntityQuery,
        refs: &[String],
    ) -> Result<Vec<String>, StoreError> {
        self.refs_marked_among(query, refs, true).await
    }

    /// Which of `refs` (lower-case) are entities that the filter and predicate of
    /// `query` do not select (its full-text term, order and paging aside).
    pub async fn refs_unselected_among(
        &self,
        query: &EntityQuery,
        refs: &[String],
    ) -> Result<Vec<String>, StoreError> {
        self.refs_marked_among(query, refs, false).await
    }

    /// The entities among `refs` that `query` selects or, when not `selected`, does not.
    async fn refs_marked_among(
        &self,
        query: &EntityQuery,
        refs: &[String],
        selected: bool,
    ) -> Result<Vec<String>, StoreError> {
        let marks = self.selected_among(query, refs).await?;
        Ok(refs
            .iter()
            .zip(marks)
            .filter(|(_, mark)| *mark == Some(selected))
            .map(|(r, _)| r.clone())
            .collect())
    }

    /// For each of `refs` (lower-case), in order: `None` when there is no such entity,
    /// else whether the filter and predicate of `query` select it (its full-text term,
    /// order and paging aside).
    pub async fn selected_among(
        &self,
        query: &EntityQuery,
        refs: &[String],
    ) -> Result<Vec<Option<bool>>, StoreError> {
        let unranked;
        let query = match query.full_text {
            None => query,
            Some(_) => {
                unranked = EntityQuery {
                    full_text: None,
                    ..query.clone()
                };
                &unranked
            }
        };
        let indexes = self.indexes(query, &[]).await?;
        let selection = indexes.selection(query);
        Ok(refs
            .iter()
            .map(|r| {
                let id = indexes.refs.id(r)?;
                Some(selection.binary_search(&id).is_ok())
            })
            .collect())
    }

    /// For each value of the search key `key` among the entities `query` selects (its
    /// paging ignored): the value as written and how many entities have it, most
    /// common first.
    pub async fn facet(&self, key: &str, query: &EntityQuery) -> Result<FacetCounts, StoreError> {
        Ok(self
            .facets(&[key.to_owned()], query)
            .await?
            .pop()
            .unwrap_or_default())
    }

    /// [`Store::facet`] for several keys at once, in the order of `keys`, over one
    /// selection. A `relations.<type>` key counts the targets of that relation.
    pub async fn facets(
        &self,
        keys: &[String],
        query: &EntityQuery,
    ) -> Result<Vec<FacetCounts>, StoreError> {
        self.facets_shown(keys, query, &[]).await
    }

    /// [`Store::facets`], with each key's counts cut to what a page shows of them
    /// (`most[i]` for `keys[i]`; every value for a key without one): at 1,000,000
    /// entities the owners alone are 64,000 values.
    pub async fn facets_shown(
        &self,
        keys: &[String],
        query: &EntityQuery,
        most: &[Most<'_>],
    ) -> Result<Vec<FacetCounts>, StoreError> {
        let keys: Vec<String> = keys.iter().map(|k| k.to_lowercase()).collect();
        let indexes = self.indexes(query, &keys).await?;
        let everything = query.is_unfiltered() && query.full_text.is_none();
        let members =
            (!everything).then(|| Members::of(&indexes.selection(query), indexes.refs.len()));
        Ok(keys
            .iter()
            .enumerate()
            .map(|(i, key)| indexes.counts(key, members.as_ref(), most.get(i).copied()))
            .collect())
    }
}
