//! TechDocs: building the doc sets the catalog's entities name
//! (`backstage.io/techdocs-ref: dir:…` or `url:…`) when their location is read, and
//! reading them back: a page with what surrounds it, a file of the set, the list of
//! every doc set.

use std::collections::HashMap;

use app::model::catalog::entity::{annotations, Entity};
use app::model::catalog::entity_ref::{EntityRef, RefContext};
use app::model::docs::page::{
    docs_base, page_key, DocPage, DocSetCard, DocSetView, DocSite, EntityDocs, TocEntry,
};
use app::model::docs::search::{self, DocHit};

use app::model::identity::{action::Action, principal::Principal};

use super::{identity::entity_target, Portal};
use crate::docs::origin::{self, DocsOrigin};
use crate::docs::{build, sanitize::Sanitizer, source};
use crate::store::{DocPageRow, DocSectionRow, DocSetRow, DocumentedEntity, StoreError};

/// Shows another entity's docs (`component:default/x`).
const TECHDOCS_ENTITY: &str = "backstage.io/techdocs-entity";
/// The page of that entity's docs to start at.
const TECHDOCS_ENTITY_PATH: &str = "backstage.io/techdocs-entity-path";

/// A refresh logs this many new docs failures one by one, then how many more there are
/// (a generated catalog can have thousands, each kept for its entity's docs page).
const LOGGED_FAILURES: usize = 5;

/// A refresh reads this many documented entities (with their bodies) at a time.
const DOCUMENTED_PAGE: usize = 1_000;

/// Changed build failures written at once by a refresh (a transaction each).
const FAILURES_WRITTEN: usize = 10_000;

/// At most this many sections answer a search inside a doc set.
const DOC_HITS: usize = 20;
/// About this many characters of a section are shown with a search hit.
const SNIPPET_WIDTH: usize = 160;

/// What one doc set's check did.
#[derive(Debug, PartialEq, Eq)]
enum DocsOutcome {
    /// Its files had not changed.
    Unchanged,
    /// It was built and stored.
    Built,
    /// It could not be built; the last good build (if any) stays.
    Failed(String),
}

impl Portal {
    /// Checks the doc sets of every entity that location `location_id` holds and builds
    /// those whose files changed. Doc sets of entities that left the catalog are removed.
    ///
    /// Entities are checked a page at a time, and what failed is written a page at a
    /// time. A folder, repository or URL that could not be built is not tried again for
    /// the next entity naming it in the same refresh: a generated catalog can have
    /// 500,000 components whose `techdocs-ref: dir:.` all name one folder without docs.
    pub async fn refresh_docs(
        &self,
        location_id: &str,
        location_target: &str,
    ) -> Result<(), StoreError> {
        let mut failed_origins: HashMap<String, String> = HashMap::new();
        let mut logged = 0;
        let mut after = String::new();
        // Each entity whose failure changes: why now, or `None` once built again;
        // written every [`FAILURES_WRITTEN`] of them.
        let mut failures: Vec<(String, Option<String>)> = Vec::new();
        loop {
            let page = self
                .store
                .documented_entities(location_id, &after, DOCUMENTED_PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.entity_ref.clone();
            for documented in page {
                let DocumentedEntity {
                    entity_ref,
                    body,
                    fingerprint,
                    message: failure,
                } = documented;
                let located = serde_json::from_str::<Entity>(&body)
                    .map_err(|e| e.to_string())
                    .and_then(|entity| origin::locate(&entity, location_target));
                let outcome = match located {
                    Ok(found) => {
                        self.build_docs(&entity_ref, found, fingerprint, &mut failed_origins)
                            .await?
                    }
                    Err(why) => DocsOutcome::Failed(why),
                };
                match outcome {
                    // Said (and written) once, not again on every refresh while it lasts.
                    DocsOutcome::Failed(why) if failure.as_deref() != Some(why.as_str()) => {
                        logged += 1;
                        if logged <= LOGGED_FAILURES {
                            tracing::warn!(entity = %entity_ref, "docs not built: {why}");
                        }
                        failures.push((entity_ref, Some(why)));
                    }
                    DocsOutcome::Unchanged if failure.is_some() => {
                        failures.push((entity_ref, None))
                    }
                    DocsOutcome::Failed(_) | DocsOutcome::Unchanged | DocsOutcome::Built => {}
                }
            }
            if failures.len() >= FAILURES_WRITTEN {
                self.store.set_doc_failures(&failures).await?;
                failures.clear();
            }
        }
        self.store.set_doc_failures(&failures).await?;
        if logged > LOGGED_FAILURES {
            tracing::warn!(
                location = %location_target,
                "docs not built for {} more entities of this location; each one's docs page says why",
                logged - LOGGED_FAILURES
            );
        }
        for orphan in self.store.orphaned_doc_sets().await? {
            self.store.delete_doc_set(&orphan).await?;
        }
        Ok(())
    }

    /// Builds the doc set at `found` as `entity_ref`'s, unless its files are those of
    /// the stored build (whose fingerprint is `previous`). `failed_origins` holds why
    /// each origin that could not be built failed, in this refresh: tried once.
    async fn build_docs(
        &self,
        entity_ref: &str,
        found: DocsOrigin,
        previous: Option<String>,
        failed_origins: &mut HashMap<String, String>,
    ) -> Result<DocsOutcome, StoreError> {
        let Ok(reference) = EntityRef::parse_full(entity_ref) else {
            return Ok(DocsOutcome::Failed(format!(
                "'{entity_ref}' is not an entity ref"
            )));
        };
        let source_name = found.to_string();
        if let Some(why) = failed_origins.get(&source_name) {
            return Ok(DocsOutcome::Failed(why.clone()));
        }
        let base = docs_base(reference.kind(), reference.namespace(), reference.name());
        let hosts = self.iframe_hosts.clone();
        let urls = self.urls.clone();
        let built = tokio::task::spawn_blocking(move || {
            let unpacked = origin::unpack(&found, &urls)?;
            let mut files = source::read(&unpacked.folder);
            files.problems.extend(unpacked.problems);
            // The iframe hosts allowed change what a page keeps, and the builder what
            // it makes: both part of what is built.
            files.fingerprint = format!(
                "{}+{}+v{}",
                files.fingerprint,
                hosts.join(","),
                build::VERSION
            );
            if previous.as_deref() == Some(files.fingerprint.as_str()) {
                return Ok(None);
            }
            Ok(Some(build::build(files, &base, &Sanitizer::new(&hosts))))
        })
        .await
        .map_err(|e| StoreError::Io(format!("building docs: {e}")))?;
        let mut failed = |why: String| {
            failed_origins.insert(source_name.clone(), why.clone());
            Ok(DocsOutcome::Failed(why))
        };
        let mut built = match built {
            Ok(Some(built)) => built,
            Ok(None) => return Ok(DocsOutcome::Unchanged),
            Err(why) => return failed(why),
        };
        if built.pages.is_empty() {
            let why = built
                .site
                .problems
                .first()
                .map_or("the doc set has no pages".to_owned(), ToString::to_string);
            return failed(why);
        }
        if built.site.name.is_empty() {
            built.site.name = reference.name().to_owned();
        }
        let row = DocSetRow {
            entity_ref: entity_ref.to_owned(),
            source: source_name,
            fingerprint: built.fingerprint.clone(),
            site: to_json(&built.site),
            built_at: super::epoch_ms(std::time::Duration::ZERO),
            pages: built
                .pages
                .iter()
                .map(|page| DocPageRow {
                    url: page.page.url.clone(),
                    source: page.page.source.clone(),
                    title: page.page.title.clone(),
                    html: page.page.html.clone(),
                    toc: to_json(&page.page.toc),
                    sections: page
                        .sections
                        .iter()
                        .map(|section| DocSectionRow {
                            url: page.page.url.clone(),
                            page_title: page.page.title.clone(),
                            anchor: section.id.clone(),
                            title: section.title.clone(),
                            text: section.text.clone(),
                        })
                        .collect(),
                })
                .collect(),
            assets: built.assets.into_iter().collect(),
            problems: built
                .site
                .problems
                .iter()
                .map(ToString::to_string)
                .collect(),
        };
        self.store.save_doc_set(&row).await?;
        Ok(DocsOutcome::Built)
    }

    /// The entity `entity_ref`, the ref of the doc set it shows and the page that set
    /// starts at for it ([`docs_owner`]); `None` when there is no such entity.
    /// `None` too when `who` may not read the entity or its docs.
    async fn docs_of(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
    ) -> Result<Option<(Entity, String, String)>, StoreError> {
        Ok(self
            .entity(who, entity_ref)
            .await?
            .filter(|entity| self.may_read_docs(who, entity))
            .map(|entity| {
                let (owner, start) = docs_owner(&entity);
                (entity, owner, start)
            }))
    }

    /// Whether `who` may read `entity`'s docs (`docs.read`; reading the entity is
    /// checked where it is read).
    fn may_read_docs(&self, who: &Principal, entity: &Entity) -> bool {
        self.identity
            .policy
            .decide(who, Action::DocsRead, &entity_target(entity))
            .is_ok()
    }

    /// `entity_ref`'s docs around their pages; `None` when the entity or its docs do not
    /// exist.
    pub async fn docs_set(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
    ) -> Result<Option<DocSetView>, StoreError> {
        let Some((entity, owner, start)) = self.docs_of(who, entity_ref).await? else {
            return Ok(None);
        };
        let Some(set) = self.store.doc_set(&owner).await? else {
            return Ok(None);
        };
        Ok(Some(DocSetView {
            entity_ref: entity_ref.to_string(),
            entity_title: entity
                .metadata
                .title
                .clone()
                .unwrap_or_else(|| entity.metadata.name.clone()),
            base: docs_base(entity_ref.kind(), entity_ref.namespace(), entity_ref.name()),
            start: page_key(&start),
            site: from_json(&set.site, "site", &owner)?,
            built_at: set.built_at,
        }))
    }

    /// What the entity page says of `entity`'s docs: where they are and what is wrong
    /// with them; `None` when it names none.
    /// `None` too when `who` may not read them.
    pub(super) async fn entity_docs(
        &self,
        who: &Principal,
        entity: &Entity,
    ) -> Result<Option<EntityDocs>, StoreError> {
        let annotations = &entity.metadata.annotations;
        if !annotations.contains_key(annotations::TECHDOCS_REF)
            && !annotations.contains_key(TECHDOCS_ENTITY)
            || !self.may_read_docs(who, entity)
        {
            return Ok(None);
        }
        let entity_ref = entity.entity_ref();
        let (owner, _) = docs_owner(entity);
        let set = self.store.doc_set(&owner).await?;
        let site: Option<DocSite> = set
            .map(|set| from_json(&set.site, "site", &owner))
            .transpose()?;
        Ok(Some(EntityDocs {
            url: site
                .as_ref()
                .map(|_| docs_base(entity_ref.kind(), entity_ref.namespace(), entity_ref.name())),
            pages: site.as_ref().map_or(0, |s| s.page_count),
            problems: site.map(|s| s.problems).unwrap_or_default(),
            failure: self.store.doc_failure(&owner).await?,
        }))
    }

    /// The page `path` of `entity_ref`'s docs (its start page when `path` is empty);
    /// `None` when the entity, its docs or the page do not exist.
    pub async fn docs_page(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
        path: &str,
    ) -> Result<Option<DocPage>, StoreError> {
        let Some((_, owner, start)) = self.docs_of(who, entity_ref).await? else {
            return Ok(None);
        };
        let key = match page_key(path) {
            key if key.is_empty() => page_key(&start),
            key => key,
        };
        let Some(row) = self.store.doc_page(&owner, &key).await? else {
            return Ok(None);
        };
        Ok(Some(DocPage {
            toc: from_json::<Vec<TocEntry>>(&row.toc, "headings", &owner)?,
            url: row.url,
            source: row.source,
            title: row.title,
            html: row.html,
        }))
    }

    /// The file `path` of `entity_ref`'s docs (an image…); `None` too when `path` climbs
    /// out of the doc set.
    pub async fn docs_asset(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
        path: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let Some((_, owner, _)) = self.docs_of(who, entity_ref).await? else {
            return Ok(None);
        };
        let Ok(path) = source::resolve("", path.trim_start_matches('/')) else {
            return Ok(None);
        };
        self.store.doc_asset(&owner, &path).await
    }

    /// The sections of `entity_ref`'s docs holding every word of `query`, best first.
    pub async fn search_docs(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
        query: &str,
    ) -> Result<Vec<DocHit>, StoreError> {
        let terms = search::terms(query);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let Some((_, owner, _)) = self.docs_of(who, entity_ref).await? else {
            return Ok(Vec::new());
        };
        let sections = self.store.search_doc_sections(&owner, &terms).await?;
        let mut ranked: Vec<(u32, usize, DocSectionRow)> = sections
            .into_iter()
            .enumerate()
            .map(|(at, s)| {
                (
                    search::score(&terms, &s.page_title, &s.title, &s.text),
                    at,
                    s,
                )
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(ranked
            .into_iter()
            .take(DOC_HITS)
            .map(|(_, _, s)| DocHit {
                snippet: search::snippet(&terms, &s.text, SNIPPET_WIDTH),
                url: s.url,
                page_title: s.page_title,
                anchor: s.anchor,
                title: s.title,
            })
            .collect())
    }

    /// Every documented entity `who` may read the docs of, by title.
    pub async fn doc_sets(&self, who: &Principal) -> Result<Vec<DocSetCard>, StoreError> {
        let sets: std::collections::HashMap<String, _> = self
            .store
            .doc_sets()
            .await?
            .into_iter()
            .map(|set| (set.entity_ref.clone(), set))
            .collect();
        let refs: Vec<String> = sets.keys().cloned().collect();
        let entities = self.entities(who, &refs).await?;
        let mut cards = Vec::new();
        for entity in entities.iter().filter(|e| self.may_read_docs(who, e)) {
            let entity_ref = entity.entity_ref();
            let Some(set) = sets.get(&entity_ref.to_string()) else {
                continue;
            };
            let site: DocSite = from_json(&set.site, "site", &set.entity_ref)?;
            let owner = entity.owner_ref().map(EntityRef::to_string);
            cards.push(DocSetCard {
                url: docs_base(entity_ref.kind(), entity_ref.namespace(), entity_ref.name()),
                entity_ref: entity_ref.to_string(),
                kind: entity.kind.clone(),
                title: entity.display_name().to_owned(),
                description: entity.metadata.description.clone(),
                owner,
                site_name: site.name,
                pages: site.page_count,
                problems: site.problems.len(),
            });
        }
        cards.sort_by_key(|c| c.title.to_lowercase());
        Ok(cards)
    }
}

/// The doc set an entity's docs page reads: its own, or the one
/// `backstage.io/techdocs-entity` names; with the page path to start at.
fn docs_owner(entity: &Entity) -> (String, String) {
    let own = entity.entity_ref().to_string();
    let other = entity
        .metadata
        .annotations
        .get(TECHDOCS_ENTITY)
        .and_then(|text| EntityRef::parse(text, RefContext::default()).ok());
    match other {
        Some(other) => (
            other.to_string(),
            entity
                .metadata
                .annotations
                .get(TECHDOCS_ENTITY_PATH)
                .cloned()
                .unwrap_or_default(),
        ),
        None => (own, String::new()),
    }
}

fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
    owner: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Io(format!("the docs {what} of {owner}: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("docs values serialise")
}
