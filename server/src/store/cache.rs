//! Values computed from the catalog and kept in memory for one catalog version: the
//! full-text index's key values, the facet counts of the unfiltered catalog. A version
//! read from `catalog_version` after the value was computed makes it stale; every write
//! that changes entities raises the version in its own transaction, so a cached value is
//! never older than the version it is filed under.
//!
//! A value is computed once per version: requests that ask for one being computed wait
//! for it rather than computing it again (at 1,000,000 entities a key's index takes
//! seconds of a core, and every visitor after a write would otherwise build their own).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

/// The version the values were computed for, and the values by key.
type Kept<V> = (i64, HashMap<String, Arc<V>>);

/// The version values are being computed for, and a turn per key: whoever holds it
/// computes the value; the others wait, then find it kept.
type Loading = (i64, HashMap<String, Arc<tokio::sync::Mutex<()>>>);

/// Values by key for one catalog version; at most `capacity` of them.
#[derive(Debug)]
pub(super) struct VersionedCache<V> {
    state: Mutex<Kept<V>>,
    loading: Mutex<Loading>,
    capacity: usize,
    /// Whether a new value takes the place of a kept one when the cache is full (else
    /// it is not kept).
    evicts: bool,
}

impl<V> VersionedCache<V> {
    /// An empty cache that keeps at most `capacity` values, the first ones.
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new((0, HashMap::new())),
            loading: Mutex::new((0, HashMap::new())),
            capacity,
            evicts: false,
        }
    }

    /// An empty cache that keeps at most `capacity` values, the latest ones (which
    /// value makes room is left to the map's order).
    pub(super) fn evicting(capacity: usize) -> Self {
        Self {
            evicts: true,
            ..Self::new(capacity)
        }
    }

    /// The value of `key` if it is cached for `version` or a later one; a newer
    /// `version` empties the cache first.
    pub(super) fn get(&self, version: i64, key: &str) -> Option<Arc<V>> {
        self.values(version).1.get(key).cloned()
    }

    /// [`VersionedCache::get`] for each of `keys`, in their order, under one lock.
    pub(super) fn get_each<'k>(
        &self,
        version: i64,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Vec<Option<Arc<V>>> {
        let values = self.values(version);
        keys.into_iter()
            .map(|key| values.1.get(key).cloned())
            .collect()
    }

    /// The values kept for `version`, locked; dropped first when a later version is
    /// asked for.
    fn values(&self, version: i64) -> MutexGuard<'_, Kept<V>> {
        let mut state = self.lock();
        if version > state.0 {
            *state = (version, HashMap::new());
        }
        state
    }

    /// The value of `key` for `version`, computed by `load` and kept when it is not
    /// cached. While one caller computes it, the others asking for it wait and use it
    /// (or, when it could not be kept, compute their own in turn).
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
        let turn = self.turn(version, key);
        let _held = turn.lock().await;
        if let Some(value) = self.get(version, key) {
            return Ok(value);
        }
        let value = Arc::new(load.await?);
        let value = self.put(version, key, value);
        let mut loading = lock(&self.loading);
        if loading
            .1
            .get(key)
            .is_some_and(|kept| Arc::ptr_eq(kept, &turn))
        {
            loading.1.remove(key);
        }
        Ok(value)
    }

    /// The turn to compute `key` for `version`: shared by every caller of one version.
    fn turn(&self, version: i64, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut loading = lock(&self.loading);
        if version > loading.0 {
            *loading = (version, HashMap::new());
        }
        if version < loading.0 {
            // Asked for an older version than others compute: its own turn.
            return Arc::default();
        }
        loading.1.entry(key.to_owned()).or_default().clone()
    }

    /// The keys kept (for the latest version).
    pub(super) fn keys(&self) -> Vec<String> {
        self.lock().1.keys().cloned().collect()
    }

    /// Keeps the value of `key`, computed after `version` was read, unless the cache has
    /// moved on to a later version meanwhile (the value could be older than that one) or
    /// is full. Returns the value to use: the one already kept when another request
    /// computed it first, so that every request of one version shares one value (the
    /// indexes numbered by the entities' refs must be numbered by the same list).
    pub(super) fn put(&self, version: i64, key: &str, value: Arc<V>) -> Arc<V> {
        let mut state = self.lock();
        if state.0 != version {
            return value;
        }
        self.keep(&mut state.1, key, value)
    }

    /// [`VersionedCache::put`] for each of `values`, under one lock, where no value is
    /// kept yet.
    pub(super) fn put_each<'k>(
        &self,
        version: i64,
        values: impl IntoIterator<Item = (&'k str, Arc<V>)>,
    ) {
        let mut state = self.lock();
        if state.0 != version {
            return;
        }
        for (key, value) in values {
            self.keep(&mut state.1, key, value);
        }
    }

    /// Keeps `value` for `key` in place of the one kept, under the same conditions as
    /// [`VersionedCache::put`].
    pub(super) fn replace(&self, version: i64, key: &str, value: Arc<V>) {
        let mut state = self.lock();
        if state.0 == version && (state.1.contains_key(key) || state.1.len() < self.capacity) {
            state.1.insert(key.to_owned(), value);
        }
    }

    /// The value of `key` in `values`: the one kept already, else `value`, kept unless
    /// the cache is full and does not evict.
    fn keep(&self, values: &mut HashMap<String, Arc<V>>, key: &str, value: Arc<V>) -> Arc<V> {
        if let Some(kept) = values.get(key) {
            return kept.clone();
        }
        if values.len() >= self.capacity && self.evicts {
            if let Some(old) = values.keys().next().cloned() {
                values.remove(&old);
            }
        }
        if values.len() < self.capacity {
            values.insert(key.to_owned(), value.clone());
        }
        value
    }

    /// The state, also after a thread panicked holding it (every change leaves it whole).
    fn lock(&self) -> MutexGuard<'_, Kept<V>> {
        lock(&self.state)
    }
}

/// `mutex`, also after a thread panicked holding it (every change leaves it whole).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
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

    #[test]
    fn several_values_are_read_and_kept_at_once_up_to_the_capacity() {
        let cache = VersionedCache::new(3);
        assert_eq!(
            cache.get_each(1, ["a"]),
            [None],
            "reading version 1 moves to it"
        );
        cache.put(1, "a", Arc::new(1));
        cache.put_each(
            1,
            [
                ("a", Arc::new(9)),
                ("b", Arc::new(2)),
                ("c", Arc::new(3)),
                ("d", Arc::new(4)),
            ],
        );
        let kept = cache.get_each(1, ["a", "b", "c", "d"]);
        let kept: Vec<Option<i32>> = kept.into_iter().map(|v| v.as_deref().copied()).collect();
        assert_eq!(
            kept,
            [Some(1), Some(2), Some(3), None],
            "first kept, then full"
        );
        cache.put_each(0, [("e", Arc::new(5))]);
        assert_eq!(
            cache.get_each(2, ["a", "e"]),
            [None, None],
            "a later version starts empty"
        );
    }

    #[test]
    fn an_evicting_cache_keeps_the_latest_values() {
        let cache = VersionedCache::evicting(2);
        assert_eq!(cache.get(1, "a"), None, "reading version 1 moves to it");
        for (key, value) in [("a", 1), ("b", 2), ("c", 3)] {
            cache.put(1, key, Arc::new(value));
        }
        let kept = cache.get_each(1, ["a", "b", "c"]);
        assert_eq!(kept.iter().flatten().count(), 2);
        assert_eq!(kept[2].as_deref(), Some(&3), "the latest");
    }

    #[test]
    fn requests_computing_one_value_at_once_all_use_the_first_kept() {
        let cache = VersionedCache::new(2);
        assert_eq!(cache.get(1, "a"), None);
        let first = cache.put(1, "a", Arc::new(1));
        let second = cache.put(1, "a", Arc::new(1));
        assert!(Arc::ptr_eq(&first, &second));
        cache.replace(1, "a", Arc::new(5));
        assert_eq!(cache.get(1, "a").as_deref(), Some(&5));
    }

    #[tokio::test]
    async fn a_value_asked_for_by_several_at_once_is_computed_once() {
        let cache = Arc::new(VersionedCache::new(2));
        let loads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let asks: Vec<_> = (0..4)
            .map(|_| {
                let (cache, loads) = (cache.clone(), loads.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_load(1, "a", async {
                            loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                            Ok::<_, ()>(7)
                        })
                        .await
                })
            })
            .collect();
        for ask in asks {
            assert_eq!(ask.await.unwrap().as_deref(), Ok(&7));
        }
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(cache.keys(), ["a"]);
    }
}
