//! Keeping the in-memory indexes built across writes.
//!
//! The indexes hold one catalog version and every write that changes entities raises
//! it, so after a write the next read built them again: at 100,000 entities the first
//! catalog page after a write took 0.6–0.9 s instead of 5 ms, at 1,000,000 4–5 s — and
//! a doc build or a location refresh writes every few minutes. [`Store::keep_warm`],
//! called every second or so by a background task, builds for a new version the
//! indexes everyday pages read that were in use in the version before (the catalog
//! page's keys and full-text values, the relation graph), so the visitor after a write
//! finds them built; one who comes while they are being built waits for that build
//! instead of starting another (`cache.rs`). Nothing is built before a request asks for
//! it once: an idle portal keeps its memory (at 1,000,000 entities the catalog page's
//! indexes are ≈ 500 MB). Other keys are built when a request asks for them, as before.
//! Reads stay exactly as consistent as before: nothing here serves an older version, it
//! only builds the newer one earlier.

use std::time::{Duration, Instant};

use super::{Store, StoreError};

/// Which indexes to keep built, and the version they were last built for.
#[derive(Debug, Default)]
pub struct Warmth {
    /// The version whose indexes were built last.
    version: Option<i64>,
    /// The version read the step before, when it differed from `version`: a version
    /// is built only once it has stayed for a step, so a long ingest (a new version
    /// per batch) is not built batch after batch.
    seen: Option<i64>,
    /// The search keys whose indexes may be kept built, and those in use.
    keys: InUse,
    /// The full-text keys whose values may be kept built, and those in use.
    texts: InUse,
    /// Whether the relation graph is in use (a graph was asked for).
    relations: bool,
}

/// Some keys, and which of them requests have used.
#[derive(Debug, Default)]
struct InUse {
    keys: Vec<String>,
    used: Vec<bool>,
}

impl InUse {
    fn new(keys: Vec<String>) -> Self {
        let used = vec![false; keys.len()];
        Self { keys, used }
    }

    /// Marks those of `kept` it holds.
    fn note(&mut self, kept: &[String]) {
        for (key, used) in self.keys.iter().zip(&mut self.used) {
            *used |= kept.contains(key);
        }
    }

    fn used(&self) -> impl Iterator<Item = &str> {
        self.keys
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| **used)
            .map(|(key, _)| key.as_str())
    }
}

/// What one step built.
#[derive(Debug)]
pub struct Warmed {
    pub version: i64,
    /// How many keys' indexes and values (the relation graph counts as one).
    pub keys: usize,
    pub took: Duration,
}

impl Warmth {
    /// May keep the indexes of `keys`, the full-text values of `texts` and the relation
    /// graph built, each once a request has used it.
    pub fn new(keys: Vec<String>, texts: Vec<String>) -> Self {
        Self {
            keys: InUse::new(keys),
            texts: InUse::new(texts),
            ..Self::default()
        }
    }
}

impl Store {
    /// One step of keeping the indexes built: when the catalog version has moved and
    /// stayed for a step, builds for it those of `warmth`'s indexes that requests have
    /// used (and the entity refs they are numbered by). Each step notes which indexes
    /// requests have built, whichever the version.
    pub async fn keep_warm(&self, warmth: &mut Warmth) -> Result<Option<Warmed>, StoreError> {
        self.note_in_use(warmth);
        let version = self.catalog_version().await?;
        if Some(version) == warmth.version {
            return Ok(None);
        }
        if warmth.seen != Some(version) {
            warmth.seen = Some(version);
            return Ok(None);
        }
        warmth.version = Some(version);
        warmth.seen = None;
        let keys = warmth.keys.used().count() + warmth.texts.used().count();
        let keys = keys + usize::from(warmth.relations);
        if keys == 0 {
            return Ok(None);
        }
        let started = Instant::now();
        let refs = self.entity_refs(version).await?;
        for key in warmth.keys.used() {
            self.key_index(version, &refs, key).await?;
        }
        for key in warmth.texts.used() {
            self.text_values(version, &refs, key).await?;
        }
        if warmth.relations {
            self.relation_graph_at(version).await?;
        }
        Ok(Some(Warmed {
            version,
            keys,
            took: started.elapsed(),
        }))
    }

    /// Notes which of `warmth`'s indexes requests have built, in whichever version.
    fn note_in_use(&self, warmth: &mut Warmth) {
        warmth.keys.note(&self.keys.keys());
        warmth.texts.note(&self.text.keys());
        warmth.relations |= !self.relations.keys().is_empty();
    }
}
