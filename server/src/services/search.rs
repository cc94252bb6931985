//! Search: one box over entities, API definitions, templates and docs pages, as the
//! person asking may read them.
//!
//! The index lives in memory (`crate::search`) and follows the database: before each
//! search the catalog's and doc sets' versions are read (one row), and when either has
//! moved — a write by this replica or another — the entities whose etag changed and
//! the doc sets built since are indexed again, and the removed ones dropped. So a
//! change is found by the next search after it is stored, every replica answers alike,
//! and a new replica builds its index from the database alone.

use std::{collections::HashMap, sync::RwLock};

use app::model::{
    identity::{action::Action, principal::Principal, visibility::Visibility},
    search::{api::definition_parts, ResultType, SearchRequest, SearchResults},
};

use super::{
    catalog::{compose, pages::read_definition},
    identity::entity_target,
    Portal,
};
use crate::{
    search::{doc_page_documents, entity_document, DocSection, SearchIndex, Source, Stored},
    store::StoreError,
};

/// Entities read from the database at a time while indexing.
const ENTITIES_AT_ONCE: usize = 500;

/// From this many entities indexed at once, the index gives back the room its lists
/// grew into.
const SHRINK_AFTER: usize = 10_000;

/// The index and what it was made from.
#[derive(Default)]
pub struct SearchState {
    index: RwLock<SearchIndex>,
    /// Held while the index catches up, so one search does it and the others wait.
    followed: tokio::sync::Mutex<Followed>,
}

impl std::fmt::Debug for SearchState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchState").finish_non_exhaustive()
    }
}

/// What the index holds: the versions it caught up with and each doc set's build time
/// (each entity's etag, hashed, is its document's version in the index).
#[derive(Default)]
struct Followed {
    versions: Option<(i64, i64)>,
    builds: HashMap<String, i64>,
}

/// How big the index is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexSize {
    /// Documents that can be found.
    pub documents: usize,
    /// Distinct words.
    pub words: usize,
    /// About how many bytes of memory it holds, part by part.
    pub bytes: crate::search::IndexBytes,
}

/// What the index keeps of an entity's etag to see it change: a 64-bit hash, in place
/// of a string allocated for each entity.
fn etag_hash(etag: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(etag)
}

impl Portal {
    /// The results of `request` that `who` may read: entities and APIs they may read,
    /// docs pages of entities whose docs they may read too.
    pub async fn search(
        &self,
        who: &Principal,
        request: &SearchRequest,
    ) -> Result<SearchResults, StoreError> {
        self.follow_search_sources().await?;
        let entities = self.catalog_reads(who);
        let docs = self.identity.policy.visibility(who, Action::DocsRead);
        // A document's target is rebuilt from its texts only when a policy asks.
        let all_entities = entities == Visibility::Everything;
        let all_docs = docs == Visibility::Everything;
        let visible = |doc: &Stored| {
            let docs_page = doc.result_type() == ResultType::Docs;
            if all_entities && (all_docs || !docs_page) {
                return true;
            }
            let target = doc.target();
            entities.sees(&target) && (!docs_page || docs.sees(&target))
        };
        let index = self.search.index.read().unwrap_or_else(|e| e.into_inner());
        Ok(index.search(request, &visible))
    }

    /// How big the index is once caught up.
    pub async fn search_index_size(&self) -> Result<IndexSize, StoreError> {
        self.follow_search_sources().await?;
        let index = self.search.index.read().unwrap_or_else(|e| e.into_inner());
        Ok(IndexSize {
            documents: index.len(),
            words: index.word_count(),
            bytes: index.heap_bytes(),
        })
    }

    /// Brings the index up to date with the database.
    pub async fn follow_search_sources(&self) -> Result<(), StoreError> {
        let versions = self.store.search_versions().await?;
        let mut followed = self.search.followed.lock().await;
        let Followed {
            versions: seen,
            builds,
        } = &mut *followed;
        if *seen == Some(versions) {
            return Ok(());
        }
        let mut changed: Vec<String> = Vec::new();
        if seen.map(|(catalog, _)| catalog) != Some(versions.0) {
            changed = self.follow_entities().await?;
        }
        self.follow_doc_sets(builds, &changed).await?;
        *seen = Some(versions);
        Ok(())
    }

    /// Indexes the entities whose etag changed and drops the removed ones; returns the
    /// refs of both.
    async fn follow_entities(&self) -> Result<Vec<String>, StoreError> {
        let current: HashMap<String, u64> = (self.store.entity_etags().await?.into_iter())
            .map(|(entity_ref, etag)| (entity_ref, etag_hash(&etag)))
            .collect();
        let (mut changed, removed) = {
            let index = self.search.index.read().unwrap_or_else(|e| e.into_inner());
            let changed: Vec<String> = current
                .iter()
                .filter(|(entity_ref, etag)| {
                    index.version(Source::Entity(entity_ref)) != Some(**etag)
                })
                .map(|(entity_ref, _)| entity_ref.clone())
                .collect();
            let removed: Vec<String> = (index.sources())
                .filter_map(|source| match source {
                    Source::Entity(entity_ref) if !current.contains_key(entity_ref) => {
                        Some(entity_ref.to_owned())
                    }
                    _ => None,
                })
                .collect();
            (changed, removed)
        };
        changed.sort_unstable();
        for refs in changed.chunks(ENTITIES_AT_ONCE) {
            let stored = self.store.stored_entities(refs).await?;
            let mut documents = Vec::with_capacity(stored.len());
            for stored in stored {
                let entity_ref = stored.entity_ref.clone();
                let entity = compose(stored, self.legacy_relation_target)?;
                let definition = read_definition(&entity)
                    .map(|(api_type, text, parsed)| {
                        definition_parts(&api_type, &text, parsed.as_ref())
                    })
                    .unwrap_or_default();
                let target = entity_target(&entity);
                documents.push((entity_ref, entity_document(&entity, target, definition)));
            }
            let mut index = self.search.index.write().unwrap_or_else(|e| e.into_inner());
            for (entity_ref, document) in documents {
                let etag = current.get(&entity_ref).copied().unwrap_or_default();
                index.replace(Source::Entity(&entity_ref), etag, vec![document]);
            }
        }
        {
            let mut index = self.search.index.write().unwrap_or_else(|e| e.into_inner());
            for entity_ref in &removed {
                index.replace(Source::Entity(entity_ref), 0, Vec::new());
            }
            if changed.len() >= SHRINK_AFTER {
                index.shrink_to_fit();
                crate::memory::release_free_memory();
            }
        }
        changed.extend(removed);
        Ok(changed)
    }

    /// Indexes the pages of doc sets built since the last look, and of `entities` that
    /// changed (their pages tell about them); drops those of removed doc sets.
    async fn follow_doc_sets(
        &self,
        builds: &mut HashMap<String, i64>,
        entities: &[String],
    ) -> Result<(), StoreError> {
        let current: HashMap<String, i64> =
            self.store.doc_set_builds().await?.into_iter().collect();
        let mut stale: Vec<&String> = current
            .iter()
            .filter(|(entity_ref, built)| builds.get(*entity_ref) != Some(*built))
            .map(|(entity_ref, _)| entity_ref)
            .collect();
        stale.extend(entities.iter().filter(|e| current.contains_key(*e)));
        stale.sort_unstable();
        stale.dedup();
        for entity_ref in stale {
            let sections = self.store.doc_set_sections(entity_ref).await?;
            let mut index = self.search.index.write().unwrap_or_else(|e| e.into_inner());
            let pages = match index.source_doc(Source::Entity(entity_ref)) {
                Some(entity) => {
                    doc_page_documents(entity, sections.into_iter().map(section).collect())
                }
                None => Vec::new(),
            };
            index.replace(Source::Docs(entity_ref), 0, pages);
        }
        let mut index = self.search.index.write().unwrap_or_else(|e| e.into_inner());
        for entity_ref in builds.keys().filter(|e| !current.contains_key(*e)) {
            index.replace(Source::Docs(entity_ref), 0, Vec::new());
        }
        drop(index);
        *builds = current;
        Ok(())
    }
}

fn section(row: crate::store::DocSectionRow) -> DocSection {
    DocSection {
        url: row.url,
        page_title: row.page_title,
        anchor: row.anchor,
        title: row.title,
        text: row.text,
    }
}
