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

use app::model::filter::FullText;

use super::{cache::VersionedCache, Store, StoreError};

/// At most this many keys are kept; a search over others loads them for itself only.
pub(super) const MAX_KEYS: usize = 16;

/// The cached values of some search keys, for one catalog version.
pub(super) type TextIndex = VersionedCache<KeyValues>;

/// Every lower-case value of one search key with its entity ref. The values are
/// joined into one text, separated by NUL, so that a term is one `memmem` pass over it
/// rather than one search per value.
#[derive(Debug, Default)]
pub(super) struct KeyValues {
    text: String,
    /// Where each value ends in `text`.
    ends: Vec<usize>,
    /// The ref of each value's entity.
    refs: Vec<Box<str>>,
}

impl KeyValues {
    /// The values in ref order, so that each search yields its refs sorted.
    fn new(mut pairs: Vec<(String, Box<str>)>) -> Self {
        pairs.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        let mut values = Self::default();
        for (value, entity_ref) in pairs {
            values.text.push_str(&value);
            values.ends.push(values.text.len());
            values.text.push('\0');
            values.refs.push(entity_ref);
        }
        values
    }

    /// The refs of the values containing `term`, sorted (a ref once per value, so an
    /// entity with several matching values comes several times in a row).
    fn matching<'a>(&'a self, term: &'a str) -> Vec<&'a str> {
        if term.contains('\0') {
            // Could match across two values; no real name or title holds a NUL.
            return Vec::new();
        }
        let mut refs = Vec::new();
        let mut next = 0;
        for at in memchr::memmem::find_iter(self.text.as_bytes(), term.as_bytes()) {
            if at < next {
                continue;
            }
            let value = self.ends.partition_point(|&end| end <= at);
            refs.push(&*self.refs[value]);
            next = self.ends[value];
        }
        refs
    }
}

/// The union of two sorted lists, sorted, each item once.
fn merge_sorted<'a>(a: Vec<&'a str>, b: Vec<&'a str>) -> Vec<&'a str> {
    let mut merged: Vec<&str> = Vec::with_capacity(a.len().max(b.len()));
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x <= y => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => break,
        };
        if let Some(item) = next {
            if merged.last() != Some(&item) {
                merged.push(item);
            }
        }
    }
    merged
}

impl Store {
    /// The refs of the entities with a value containing the term under one of the
    /// full-text keys, sorted, without duplicates. The term and the stored values are
    /// lower-case, so the match ignores case.
    pub(super) async fn full_text_matches(
        &self,
        full_text: &FullText,
    ) -> Result<Vec<String>, StoreError> {
        let version = self.catalog_version().await?;
        let mut keys = Vec::with_capacity(full_text.fields.len());
        for key in &full_text.fields {
            let values = match self.text.get(version, key) {
                Some(values) => values,
                None => {
                    let values = Arc::new(KeyValues::new(self.key_values(key).await?));
                    self.text.put(version, key, values.clone());
                    values
                }
            };
            keys.push(values);
        }
        // Each key's matches are sorted: merging them costs less than sorting them all
        // (a one-letter term matches nearly every entity under every key).
        let refs = keys.iter().fold(Vec::new(), |merged, values| {
            merge_sorted(merged, values.matching(&full_text.term))
        });
        Ok(refs.into_iter().map(str::to_owned).collect())
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
    fn searches_yield_each_entity_once_in_ref_order() {
        let name = KeyValues::new(vec![
            ("payments".into(), "component:default/c".into()),
            ("ledger".into(), "component:default/a".into()),
            ("pay-web".into(), "component:default/b".into()),
        ]);
        let tags = KeyValues::new(vec![
            ("pay".into(), "component:default/a".into()),
            ("payroll".into(), "component:default/a".into()),
            ("web".into(), "component:default/b".into()),
        ]);
        assert_eq!(
            name.matching("pay"),
            ["component:default/b", "component:default/c"]
        );
        assert_eq!(
            tags.matching("pay"),
            ["component:default/a", "component:default/a"]
        );
        assert_eq!(
            merge_sorted(name.matching("pay"), tags.matching("pay")),
            [
                "component:default/a",
                "component:default/b",
                "component:default/c"
            ]
        );
        // A term cannot match across two values.
        assert!(name.matching("ger\0pay").is_empty());
        assert!(name.matching("erpay").is_empty());
    }
}
