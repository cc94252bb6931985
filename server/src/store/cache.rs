//! Values computed from the catalog and kept in memory for one catalog version: the
//! full-text index's key values, the facet counts of the unfiltered catalog. A version
//! read from `catalog_version` after the value was computed makes it stale; every write
//! that changes entities raises the version in its own transaction, so a cached value is
//! never older than the version it is filed under.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// Values by key for one catalog version; at most `capacity` of them.
#[derive(Debug)]
pub(super) struct VersionedCache<V> {
    state: Mutex<(i64, HashMap<String, Arc<V>>)>,
    capacity: usize,
}

impl<V> VersionedCache<V> {
    /// An empty cache that keeps at most `capacity` values.
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new((0, HashMap::new())),
            capacity,
        }
    }

    /// The value of `key` if it is cached for `version` or a later one; a newer
    /// `version` empties the cache first.
    pub(super) fn get(&self, version: i64, key: &str) -> Option<Arc<V>> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if version > state.0 {
            *state = (version, HashMap::new());
        }
        state.1.get(key).cloned()
    }

    /// The value of `key` for `version`, computed by `load` and kept when it is not
    /// cached.
    pub(super) async fn get_or_load<E, F>(
        &self,
        version: i64,
        key: &str,
        load: F,
    ) -> Result<Arc<V>, E>
    where
        F: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(value) = self.get(version, key) {
            return Ok(value);
        }
        let value = Arc::new(load.await?);
        self.put(version, key, value.clone());
        Ok(value)
    }

    /// Keeps the value of `key`, computed after `version` was read, unless the cache has
    /// moved on to a later version meanwhile (the value could be older than that one) or
    /// is full.
    pub(super) fn put(&self, version: i64, key: &str, value: Arc<V>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.0 == version && state.1.len() < self.capacity {
            state.1.insert(key.to_owned(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_lives_for_its_version_only() {
        let cache = VersionedCache::new(2);
        cache.put(0, "a", Arc::new(1));
        assert_eq!(cache.get(0, "a").as_deref(), Some(&1));
        // A newer version empties the cache; a value computed before it is not kept.
        assert_eq!(cache.get(1, "a"), None);
        cache.put(0, "a", Arc::new(1));
        assert_eq!(cache.get(1, "a"), None);
        cache.put(1, "a", Arc::new(2));
        cache.put(1, "b", Arc::new(3));
        cache.put(1, "c", Arc::new(4));
        assert_eq!(cache.get(1, "c"), None, "full");
        assert_eq!(cache.get(1, "b").as_deref(), Some(&3));
    }
}
