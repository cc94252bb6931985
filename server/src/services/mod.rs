//! Portico's behaviour, in one place. Server functions (through [`PortalService`]) and
//! REST handlers are adapters over [`Portal`]; neither holds logic of its own.
//!
//! This file holds the catalog's behaviour; `templates.rs` the Software Templates'.

mod tasks;
mod templates;

pub use tasks::{unknown_actions, DryRun, DryRunFile, TaskError};

use app::{
    api::{PortalService, ServiceError, ServiceFuture, TemplateForm},
    model::{
        api_definition::ApiDefinition,
        catalog::{CatalogSummary, KindCount},
        catalog_view::{CatalogPage, CatalogRow, CatalogView, Facet, FacetCounts},
        entity::{Entity, EntityStatus, Relation, StatusItem},
        entity_page::{EntityPage, Related, HELD_SHOWN},
        entity_ref::EntityRef,
        filter::{EntityQuery, FilterGroup},
        starred::Starred,
        template::{form::EntityChoice, gallery::TemplateCard, wizard::Wizard},
        validation::FieldError,
    },
};

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use crate::{
    catalog::{
        demo,
        ingest::location_update,
        location::{
            absolute, confinement_of, glob_matches, inputs_unchanged, read_location, GitFile,
            LocationContents, LocationInputs, Source,
        },
        remote::{AllowRule, UrlReader},
    },
    progress::Progress,
    scaffolder::ScaffolderSettings,
    store::{
        ApplyReport, LocationRow, LocationUpdate, OrphanStrategy, Store, StoreError, StoredEntity,
    },
};

/// Reads a location and prepares its update for the store, on a blocking thread (the
/// work is spread over the cores).
async fn read_in_background(
    target: Source,
    urls: Arc<UrlReader>,
    orphans: OrphanStrategy,
    progress: Progress,
) -> (LocationContents, LocationUpdate) {
    let started = std::time::Instant::now();
    let read = tokio::task::spawn_blocking(move || {
        let contents = read_location(&target, &urls, &progress);
        let update = LocationUpdate {
            orphans,
            progress,
            ..location_update(&contents)
        };
        (contents, update)
    })
    .await
    .expect("reading a location does not panic");
    tracing::debug!(
        read_ms = started.elapsed().as_millis() as u64,
        "location read"
    );
    read
}

/// Why a catalog request cannot be done, in words for the person who made it.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The request itself is wrong.
    #[error("{0}")]
    InvalidInput(String),
    /// What it names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// It would duplicate something that exists.
    #[error("{0}")]
    Conflict(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A location registered (or, in a dry run, only read) through the API.
#[derive(Debug)]
pub struct Registration {
    /// The location; in a dry run, with an id that is not stored.
    pub location: LocationRow,
    /// The entities it holds, as read.
    pub entities: Vec<Entity>,
    /// Whether the location was already registered (dry runs only).
    pub exists: bool,
}

/// What ingesting one location did.
#[derive(Clone, Debug)]
pub struct IngestReport {
    /// The location.
    pub location: LocationRow,
    /// What changed in the catalog.
    pub applied: ApplyReport,
    /// How many problems its files have.
    pub problems: usize,
}

/// The services of one running portal.
#[derive(Clone, Debug)]
pub struct Portal {
    store: Store,
    /// The demo catalog's location target, when the demo is what is loaded.
    demo_target: Option<String>,
    /// Folders inside which file locations may be registered through the API.
    file_roots: Vec<PathBuf>,
    /// Reads the URLs the configuration allows.
    urls: Arc<UrlReader>,
    /// What happens to entities a location no longer holds.
    orphans: OrphanStrategy,
    /// How long after being read a location is due to be read again.
    refresh_interval: Duration,
    /// Counts what ingests read and write, when someone watches.
    progress: Progress,
    /// Where tasks work and which Git hosts they publish to.
    scaffolder: Arc<ScaffolderSettings>,
    /// Wakes this portal's task workers when a task is created here.
    task_wakeup: Arc<tokio::sync::Notify>,
}

/// An API entity's definition prepared for its page: the text parsed as YAML (which
/// JSON is too) for OpenAPI and AsyncAPI, highlighted as it is otherwise.
fn api_definition(entity: &Entity) -> Option<ApiDefinition> {
    if !entity.kind.eq_ignore_ascii_case("API") {
        return None;
    }
    let text = entity.definition_text()?;
    let api_type = entity.spec_str("type").unwrap_or_default();
    let parsed = match api_type.to_ascii_lowercase().as_str() {
        "openapi" | "asyncapi" => {
            crate::catalog::yaml::parse_documents(&text)
                .ok()
                .and_then(|mut documents| {
                    (!documents.is_empty()).then(|| documents.swap_remove(0).value)
                })
        }
        _ => None,
    };
    Some(ApiDefinition::prepare(api_type, &text, parsed.as_ref()))
}

/// How many tasks the task list shows.
const TASKS_LISTED: i64 = 100;

/// How many values of each facet the catalog page lists (selected ones come on top).
const FACET_VALUES: usize = 12;

/// How long a replica may hold a location it claimed for a refresh before another may
/// take it over (longer than any refresh takes).
const REFRESH_LEASE: Duration = Duration::from_secs(600);

/// Milliseconds since the Unix epoch, `after` from now.
fn epoch_ms(after: Duration) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (now + after).as_millis() as i64
}

impl Portal {
    /// Services over an opened, migrated store.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            demo_target: None,
            file_roots: Vec::new(),
            urls: Arc::default(),
            orphans: OrphanStrategy::default(),
            refresh_interval: Duration::from_secs(crate::config::DEFAULT_REFRESH_SECONDS),
            progress: Progress::default(),
            scaffolder: Arc::default(),
            task_wakeup: Arc::default(),
        }
    }

    /// Sets where tasks work and which Git hosts they publish to.
    pub fn set_scaffolder(&mut self, settings: ScaffolderSettings) {
        self.scaffolder = Arc::new(settings);
    }

    /// Where tasks work and which Git hosts they publish to.
    pub fn scaffolder(&self) -> &ScaffolderSettings {
        &self.scaffolder
    }

    /// What wakes this portal's task workers.
    pub fn task_wakeup(&self) -> &tokio::sync::Notify {
        &self.task_wakeup
    }

    /// Whether the configuration lets the portal reach `url` (the outbound allow-list).
    pub fn check_outbound(&self, url: &str) -> Result<(), String> {
        self.urls.check(url).map(|_| ())
    }

    /// Counts what ingests read and write in `progress`.
    pub fn watch_progress(&mut self, progress: Progress) {
        self.progress = progress;
    }

    /// Sets how long after being read a location is due to be read again.
    pub fn set_refresh_interval(&mut self, interval: Duration) {
        self.refresh_interval = interval;
    }

    /// Sets what happens to entities a location no longer holds.
    pub fn set_orphan_strategy(&mut self, orphans: OrphanStrategy) {
        self.orphans = orphans;
    }

    /// Reads `source` with this portal's URL allow-list, orphan strategy and progress.
    async fn read(&self, source: Source) -> (LocationContents, LocationUpdate) {
        read_in_background(
            source,
            self.urls.clone(),
            self.orphans,
            self.progress.clone(),
        )
        .await
    }

    /// Lets locations, placeholders and the API read the URLs `allow` permits (none
    /// until this is called).
    pub fn allow_urls(&mut self, allow: Vec<AllowRule>) {
        self.urls = Arc::new(UrlReader::new(allow));
    }

    /// Lets the API register file locations inside the folder of each of `locations`
    /// (the configured catalog). Anything else on the server's disk stays out of reach.
    pub fn allow_file_locations_under(&mut self, locations: &[PathBuf]) {
        self.file_roots = locations
            .iter()
            .map(|l| confinement_of(&absolute(l)))
            .collect();
    }

    /// Registers a location and ingests it; with `dry_run`, only reads it. A `url`
    /// location must be allowed by the configuration, a `file` location must lie inside
    /// a folder of the configured catalog.
    pub async fn register_location(
        &self,
        location_type: &str,
        target: &str,
        dry_run: bool,
    ) -> Result<Registration, CatalogError> {
        let source = match location_type {
            "url" => {
                self.urls
                    .check(target)
                    .map_err(CatalogError::InvalidInput)?;
                Source::Url(target.to_owned())
            }
            "file" => {
                let path = absolute(Path::new(target));
                if !self.file_roots.iter().any(|root| path.starts_with(root)) {
                    return Err(CatalogError::InvalidInput(format!(
                        "file locations registered through the API must be inside a folder of the configured catalog; '{target}' is not"
                    )));
                }
                Source::File(path)
            }
            "git" => match GitFile::parse(target) {
                Some(file) if self.scaffolder.is_local_repository(&file.repo) => Source::Git(file),
                Some(_) => {
                    return Err(CatalogError::InvalidInput(format!(
                        "git locations must be repositories of a configured local Git host (--git-host); '{target}' is not"
                    )))
                }
                None => {
                    return Err(CatalogError::InvalidInput(format!(
                        "'{target}' is not a git location target: write REPOSITORY#REVISION:PATH"
                    )))
                }
            },
            other => {
                return Err(CatalogError::InvalidInput(format!(
                    "location type '{other}' is not supported; use 'url' or 'file'"
                )))
            }
        };
        let target = source.target();
        let existing = self
            .store
            .locations()
            .await?
            .into_iter()
            .find(|l| l.location_type == location_type && l.target == target);
        if existing.is_some() && !dry_run {
            return Err(CatalogError::Conflict(format!(
                "Location {location_type}:{target} already exists"
            )));
        }
        let (read, update) = self.read(source).await;
        if read.files.is_empty() {
            let why = read
                .problems
                .first()
                .map_or_else(|| "nothing to read".to_owned(), |p| p.message.clone());
            return Err(CatalogError::InvalidInput(format!(
                "cannot read the location {target}: {why}"
            )));
        }
        let entities = read
            .entities
            .iter()
            .map(|located| located.entity.clone())
            .collect();
        if dry_run {
            let location = existing.clone().unwrap_or(LocationRow {
                id: uuid::Uuid::new_v4().to_string(),
                location_type: location_type.into(),
                target,
            });
            return Ok(Registration {
                location,
                entities,
                exists: existing.is_some(),
            });
        }
        // The files were just read: apply them rather than reading them again.
        let location = self.store.ensure_location(location_type, &target).await?;
        let report = self.apply_update(location, &update).await?;
        Ok(Registration {
            location: report.location,
            entities,
            exists: false,
        })
    }

    /// The location with this id.
    pub async fn location(&self, id: &str) -> Result<Option<LocationRow>, StoreError> {
        self.store.location_by_id(id).await
    }

    /// Removes a location and every entity it holds; false when there was none.
    pub async fn delete_location(&self, id: &str) -> Result<bool, StoreError> {
        self.store.delete_location(id).await
    }

    /// Reads again the location that holds `entity_ref`.
    pub async fn refresh_entity(&self, entity_ref: &EntityRef) -> Result<(), CatalogError> {
        let key = entity_ref.to_string();
        let location = self
            .store
            .location_of_entity(&key)
            .await?
            .ok_or_else(|| CatalogError::NotFound(format!("No entity {key} to refresh")))?;
        self.refresh_location(location, true).await?;
        Ok(())
    }

    /// Loads the built-in demo catalog (when `load` is true) or removes it (when the
    /// organisation's own catalog is configured and an earlier start had loaded it).
    pub async fn set_demo_catalog(
        &mut self,
        load: bool,
    ) -> Result<Option<IngestReport>, StoreError> {
        let target = absolute(&demo::folder().join(demo::ROOT_FILE))
            .display()
            .to_string();
        if !load {
            self.demo_target = None;
            for location in self.store.locations().await? {
                if location.target == target {
                    self.store.delete_location(&location.id).await?;
                }
            }
            return Ok(None);
        }
        let root = tokio::task::spawn_blocking(demo::extract)
            .await
            .expect("extracting the demo does not panic")
            .map_err(|error| {
                StoreError::Io(format!("writing the demo catalog to {target}: {error}"))
            })?;
        self.demo_target = Some(target);
        self.ingest_location(&Source::File(root)).await.map(Some)
    }

    /// The store, for readiness checks.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Registers the location `target` if it is new, reads it and everything it leads
    /// to, and applies the result in one transaction.
    pub async fn ingest_location(&self, target: &Source) -> Result<IngestReport, StoreError> {
        let target = match target {
            Source::File(path) => Source::File(absolute(path)),
            url => url.clone(),
        };
        let location = self
            .store
            .ensure_location(target.location_type(), &target.target())
            .await?;
        self.refresh_location(location, true).await
    }

    /// Reads a registered location again and applies what changed. Unless `force`,
    /// a location whose files are byte for byte what its last read found is not read
    /// again (its report says `skipped`). Forced reads are for start-up (this binary may
    /// read files differently from the one that stored them) and explicit requests.
    pub async fn refresh_location(
        &self,
        location: LocationRow,
        force: bool,
    ) -> Result<IngestReport, StoreError> {
        let Some(target) = Source::of_location(&location.location_type, &location.target) else {
            return Err(StoreError::Io(format!(
                "location {}:{} has a type Portico cannot read",
                location.location_type, location.target
            )));
        };
        if !force && matches!(target, Source::File(_)) {
            if let Some(report) = self.skip_if_unchanged(&location).await? {
                return Ok(report);
            }
        }
        let (contents, update) = self.read(target).await;
        drop(contents);
        let report = self.apply_update(location, &update).await;
        // What the location's files took to read and apply is free now.
        drop(update);
        crate::memory::release_free_memory();
        report
    }

    /// The report of a refresh that did not need to read anything, when the files of
    /// `location` are unchanged since its last read.
    async fn skip_if_unchanged(
        &self,
        location: &LocationRow,
    ) -> Result<Option<IngestReport>, StoreError> {
        let Some(inputs) = self.store.location_inputs(&location.id).await? else {
            return Ok(None);
        };
        let Ok(inputs) = serde_json::from_str::<LocationInputs>(&inputs) else {
            return Ok(None);
        };
        let target = PathBuf::from(&location.target);
        let started = std::time::Instant::now();
        let unchanged = tokio::task::spawn_blocking(move || inputs_unchanged(&target, &inputs))
            .await
            .unwrap_or(false);
        if !unchanged {
            return Ok(None);
        }
        tracing::debug!(
            location = %location.target,
            check_ms = started.elapsed().as_millis() as u64,
            "location unchanged: not read again"
        );
        self.schedule_next_refresh(&location.id).await?;
        let problems = self.store.location_problems(&location.id).await?.len();
        Ok(Some(IngestReport {
            location: location.clone(),
            applied: ApplyReport {
                skipped: true,
                ..ApplyReport::default()
            },
            problems,
        }))
    }

    /// Makes a location that was just read (or failed to be) due again one refresh
    /// interval from now.
    async fn schedule_next_refresh(&self, location_id: &str) -> Result<(), StoreError> {
        self.store
            .schedule_refresh(location_id, epoch_ms(self.refresh_interval))
            .await
    }

    /// Applies a location's update to the store.
    async fn apply_update(
        &self,
        location: LocationRow,
        update: &LocationUpdate,
    ) -> Result<IngestReport, StoreError> {
        let started = std::time::Instant::now();
        let applied = self.store.apply_location(&location.id, update).await?;
        tracing::debug!(
            location = %location.target,
            apply_ms = started.elapsed().as_millis() as u64,
            "location applied"
        );
        self.schedule_next_refresh(&location.id).await?;
        let problems = update.problems.len() + applied.conflicts.len();
        Ok(IngestReport {
            location,
            applied,
            problems,
        })
    }

    /// Reads again every location that is due, one at a time, each claimed first so
    /// that replicas sharing the database share the work instead of repeating it. A
    /// location that fails is logged, and due again after the refresh interval.
    pub async fn refresh_due(&self) -> Result<Vec<IngestReport>, StoreError> {
        let mut reports = Vec::new();
        // Due by the time this call started: a location whose refresh takes longer
        // than the interval is not read over and over within one call.
        let started = epoch_ms(Duration::ZERO);
        while let Some(location) = self
            .store
            .claim_due_location(started, epoch_ms(REFRESH_LEASE))
            .await?
        {
            let (id, target) = (location.id.clone(), location.target.clone());
            match self.refresh_location(location, false).await {
                Ok(report) => reports.push(report),
                Err(error) => {
                    tracing::warn!(%target, %error, "refreshing the location failed");
                    self.schedule_next_refresh(&id).await?;
                }
            }
        }
        Ok(reports)
    }

    /// Reads every registered location again now, due or not, one after the other. A
    /// location that fails is logged and the others go on.
    pub async fn refresh_all(&self) -> Result<Vec<IngestReport>, StoreError> {
        let mut reports = Vec::new();
        for location in self.store.locations().await? {
            let target = location.target.clone();
            match self.refresh_location(location, true).await {
                Ok(report) => reports.push(report),
                Err(error) => tracing::warn!(%target, %error, "refreshing the location failed"),
            }
        }
        Ok(reports)
    }

    /// The entity `entity_ref` as the API serves it: its descriptor with `metadata.uid`
    /// and `etag`, its `relations`, and its processing problems in `status.items`.
    pub async fn entity(&self, entity_ref: &EntityRef) -> Result<Option<Entity>, StoreError> {
        Ok(self.entities(&[entity_ref.to_string()]).await?.pop())
    }

    /// The entities `refs` names (lower-case refs), composed as [`Portal::entity`] does,
    /// in that order; refs with no entity are left out.
    pub async fn entities(&self, refs: &[String]) -> Result<Vec<Entity>, StoreError> {
        let stored = self.store.stored_entities(refs).await?;
        stored.into_iter().map(compose).collect()
    }

    /// The entities a query selects (one page, composed as [`Portal::entity`] does), and
    /// how many it selects in all.
    pub async fn query_entities(
        &self,
        query: &EntityQuery,
    ) -> Result<(Vec<Entity>, u64), StoreError> {
        let (refs, total) = self.store.query_entities(query).await?;
        Ok((self.entities(&refs).await?, total))
    }

    /// The entity with this uid, composed as [`Portal::entity`] does.
    pub async fn entity_by_uid(&self, uid: &str) -> Result<Option<Entity>, StoreError> {
        match self.store.entity_ref_by_uid(uid).await? {
            Some(entity_ref) => Ok(self.entities(&[entity_ref]).await?.pop()),
            None => Ok(None),
        }
    }

    /// Deletes the entity with this uid; false when there was none.
    pub async fn delete_entity_by_uid(&self, uid: &str) -> Result<bool, StoreError> {
        self.store.delete_entity_by_uid(uid).await
    }

    /// Counts of each value of each search key in `facets` among the entities `query`
    /// selects, in the order of `facets`.
    pub async fn facets(
        &self,
        facets: &[String],
        query: &EntityQuery,
    ) -> Result<Vec<Vec<(String, i64)>>, StoreError> {
        self.store.facets(facets, query).await
    }

    /// Every registered location.
    pub async fn locations(&self) -> Result<Vec<LocationRow>, StoreError> {
        self.store.locations().await
    }

    /// One page of the catalog table: the rows `view` selects for a person with these
    /// stars, and how many there are in all.
    pub async fn catalog_page(
        &self,
        view: &CatalogView,
        starred: &Starred,
    ) -> Result<CatalogPage, StoreError> {
        let Some(query) = view.entity_query(starred.refs(), None) else {
            return Ok(CatalogPage::default());
        };
        let (entities, total) = self.query_entities(&query).await?;
        Ok(CatalogPage {
            rows: entities.iter().map(CatalogRow::of).collect(),
            total,
        })
    }

    /// Each facet's values among the entities `view` selects, its own selection aside:
    /// the most common [`FACET_VALUES`], plus every selected value (with its count, 0
    /// when nothing has it any more).
    pub async fn catalog_facets(
        &self,
        view: &CatalogView,
        starred: &Starred,
    ) -> Result<Vec<FacetCounts>, StoreError> {
        // Facets whose counts come from the same query (all but the selected ones share
        // one) are counted together.
        let mut groups: Vec<(Option<EntityQuery>, Vec<Facet>)> = Vec::new();
        for facet in Facet::ALL {
            let query = view.entity_query(starred.refs(), Some(facet));
            match groups.iter_mut().find(|(q, _)| *q == query) {
                Some((_, facets)) => facets.push(facet),
                None => groups.push((query, vec![facet])),
            }
        }
        let mut counted: Vec<(Facet, Vec<(String, i64)>)> = Vec::new();
        for (query, facets) in groups {
            let Some(query) = query else {
                counted.extend(facets.into_iter().map(|facet| (facet, Vec::new())));
                continue;
            };
            let keys: Vec<String> = facets.iter().map(|f| f.key().to_owned()).collect();
            let found = self.store.facets(&keys, &query).await?;
            counted.extend(facets.into_iter().zip(found));
        }
        counted.sort_by_key(|(facet, _)| *facet);
        let mut facets = Vec::with_capacity(counted.len());
        for (facet, counts) in counted {
            let mut values: Vec<(String, u64)> = counts
                .iter()
                .take(FACET_VALUES)
                .map(|(value, count)| (value.clone(), (*count).max(0) as u64))
                .collect();
            for selected in view.selected.get(&facet).into_iter().flatten() {
                if !values.iter().any(|(v, _)| v.eq_ignore_ascii_case(selected)) {
                    let count = counts
                        .iter()
                        .find(|(v, _)| v.eq_ignore_ascii_case(selected))
                        .map_or(0, |(_, count)| (*count).max(0) as u64);
                    values.push((selected.clone(), count));
                }
            }
            facets.push(FacetCounts { facet, values });
        }
        Ok(facets)
    }

    /// The entity page of `entity_ref`: the entity, what each of its relations leads
    /// to (or that it leads nowhere), and the entity as YAML and JSON.
    pub async fn entity_page(
        &self,
        entity_ref: &EntityRef,
    ) -> Result<Option<EntityPage>, StoreError> {
        let Some(entity) = self.entity(entity_ref).await? else {
            return Ok(None);
        };
        let mut targets: Vec<String> = entity
            .relations
            .iter()
            .map(|relation| relation.target_ref.to_string())
            .collect();
        targets.sort();
        targets.dedup();
        let found: std::collections::HashMap<EntityRef, CatalogRow> = self
            .entities(&targets)
            .await?
            .iter()
            .map(|target| (target.entity_ref(), CatalogRow::of(target)))
            .collect();
        let related = entity
            .relations
            .iter()
            .map(|relation| Related {
                relation_type: relation.relation_type.clone(),
                target: relation.target_ref.clone(),
                row: found.get(&relation.target_ref).cloned(),
            })
            .collect();
        let value = serde_json::to_value(&entity)
            .map_err(|e| StoreError::Io(format!("writing {entity_ref} as JSON: {e}")))?;
        let held = if entity.kind.eq_ignore_ascii_case("Location") {
            Some(self.held_by(&entity).await?)
        } else {
            None
        };
        Ok(Some(EntityPage {
            held,
            definition: api_definition(&entity),
            yaml: crate::catalog::yaml::to_yaml(&value),
            json: serde_json::to_string_pretty(&value).unwrap_or_default(),
            related,
            entity,
        }))
    }

    /// The entities a `Location` entity leads to: those read from a file its targets
    /// name (globs included), within the location it was itself read from. The first
    /// [`HELD_SHOWN`] by ref, and how many there are.
    async fn held_by(&self, location: &Entity) -> Result<(Vec<CatalogRow>, u64), StoreError> {
        use app::model::{entity::annotations, filter::Condition};
        let annotation = |name: &str| location.metadata.annotations.get(name).cloned();
        let (Some(own), Some(origin)) = (
            annotation(annotations::MANAGED_BY_LOCATION),
            annotation(annotations::MANAGED_BY_ORIGIN_LOCATION),
        ) else {
            return Ok((Vec::new(), 0));
        };
        let Some(own) = own
            .split_once(':')
            .and_then(|(location_type, target)| Source::of_location(location_type, target))
        else {
            return Ok((Vec::new(), 0));
        };
        let patterns: Vec<String> = location
            .location_targets()
            .iter()
            .filter_map(|target| own.lead(target).ok())
            .map(|source| match source {
                Source::File(path) => format!("file:{}", absolute(&path).display()),
                url => url.location_ref(),
            })
            .collect();
        // The files of the same registered location, then those the targets match.
        let key = format!("metadata.annotations.{}", annotations::MANAGED_BY_LOCATION);
        let condition = |key: &str, values: Vec<String>| FilterGroup {
            conditions: vec![Condition {
                key: key.to_owned(),
                values: values.into_iter().map(|v| v.to_lowercase()).collect(),
            }],
        };
        let same_origin = EntityQuery {
            filter: vec![condition(
                &format!(
                    "metadata.annotations.{}",
                    annotations::MANAGED_BY_ORIGIN_LOCATION
                ),
                vec![origin],
            )],
            ..EntityQuery::default()
        };
        let files: Vec<String> = self
            .store
            .facet(&key, &same_origin)
            .await?
            .into_iter()
            .map(|(file, _)| file)
            .filter(|file| {
                patterns
                    .iter()
                    .any(|p| p == file || (p.starts_with("file:") && glob_matches(p, file)))
            })
            .collect();
        if files.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let query = EntityQuery {
            filter: vec![condition(&key, files)],
            limit: HELD_SHOWN,
            ..EntityQuery::default()
        };
        let (entities, total) = self.query_entities(&query).await?;
        Ok((entities.iter().map(CatalogRow::of).collect(), total))
    }

    /// How many entities of each kind the catalog holds.
    pub async fn catalog_summary(&self) -> Result<CatalogSummary, StoreError> {
        let counts = self.store.entity_counts_by_kind().await?;
        let mut summary = CatalogSummary::new(
            counts
                .into_iter()
                .map(|(kind, count)| KindCount {
                    kind,
                    count: count.max(0) as u64,
                })
                .collect(),
        );
        summary.demo = self.demo_target.is_some();
        Ok(summary)
    }
}

/// A stored entity as the API serves it: its descriptor with uid, etag, relations and
/// problems (as `status.items`).
fn compose(stored: StoredEntity) -> Result<Entity, StoreError> {
    let mut entity: Entity = serde_json::from_str(&stored.body).map_err(|error| {
        StoreError::Io(format!(
            "the stored entity {} is not valid: {error}",
            stored.entity_ref
        ))
    })?;
    entity.metadata.uid = Some(stored.uid);
    entity.metadata.etag = Some(stored.etag);
    entity.relations = stored
        .relations
        .into_iter()
        .filter_map(|(relation_type, target)| {
            Some(Relation {
                relation_type,
                target_ref: EntityRef::parse_full(&target).ok()?,
            })
        })
        .collect();
    if !stored.problems.is_empty() {
        entity.status = Some(EntityStatus {
            items: stored
                .problems
                .into_iter()
                .map(|problem| {
                    let message = format!(
                        "{}:{}:{}: {}",
                        problem.file, problem.line, problem.column, problem.message
                    );
                    StatusItem {
                        item_type: "backstage.io/catalog-processing".into(),
                        level: "error".into(),
                        error: Some(
                            serde_json::json!({ "name": "InputError", "message": message }),
                        ),
                        message,
                    }
                })
                .collect(),
        });
    }
    Ok(entity)
}

impl From<TaskError> for ServiceError {
    fn from(error: TaskError) -> Self {
        match error {
            TaskError::NotFound(what) => ServiceError::NotFound(what),
            TaskError::Invalid(why) => ServiceError::Invalid(why),
            TaskError::Store(error) => error.into(),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        ServiceError::Storage(error.to_string())
    }
}

impl PortalService for Portal {
    fn catalog_summary(&self) -> ServiceFuture<'_, CatalogSummary> {
        Box::pin(async move { Ok(Portal::catalog_summary(self).await?) })
    }

    fn catalog_page(&self, view: CatalogView, starred: Starred) -> ServiceFuture<'_, CatalogPage> {
        Box::pin(async move { Ok(Portal::catalog_page(self, &view, &starred).await?) })
    }

    fn catalog_facets(
        &self,
        view: CatalogView,
        starred: Starred,
    ) -> ServiceFuture<'_, Vec<FacetCounts>> {
        Box::pin(async move { Ok(Portal::catalog_facets(self, &view, &starred).await?) })
    }

    fn entity_page(&self, entity_ref: EntityRef) -> ServiceFuture<'_, Option<EntityPage>> {
        Box::pin(async move { Ok(Portal::entity_page(self, &entity_ref).await?) })
    }

    fn template_cards(&self) -> ServiceFuture<'_, Vec<TemplateCard>> {
        Box::pin(async move { Ok(Portal::template_cards(self).await?) })
    }

    fn template_form(
        &self,
        namespace: String,
        name: String,
        posted: Option<Wizard>,
    ) -> ServiceFuture<'_, TemplateForm> {
        Box::pin(async move { Ok(Portal::template_form(self, &namespace, &name, posted).await?) })
    }

    fn check_template_values(
        &self,
        namespace: String,
        name: String,
        values: serde_json::Value,
    ) -> ServiceFuture<'_, Vec<FieldError>> {
        Box::pin(async move {
            match Portal::template(self, &namespace, &name).await? {
                Some(Ok(template)) => {
                    Ok(Portal::check_template_values(self, &template, &values).await?)
                }
                _ => Err(ServiceError::NotFound(format!(
                    "template:{namespace}/{name}"
                ))),
            }
        })
    }

    fn entity_choices(
        &self,
        filter: Vec<FilterGroup>,
        text: String,
    ) -> ServiceFuture<'_, Vec<EntityChoice>> {
        Box::pin(async move { Ok(Portal::entity_choices(self, filter, &text).await?) })
    }

    fn create_task(
        &self,
        namespace: String,
        name: String,
        values: serde_json::Value,
    ) -> ServiceFuture<'_, app::api::TaskCreation> {
        Box::pin(async move {
            Portal::create_task(self, &namespace, &name, &values, None)
                .await
                .map_err(ServiceError::from)
        })
    }

    fn dry_run_template(
        &self,
        namespace: String,
        name: String,
        values: serde_json::Value,
    ) -> ServiceFuture<'_, app::model::task::DryRunView> {
        Box::pin(async move {
            Portal::dry_run_view(self, &namespace, &name, &values)
                .await
                .map_err(ServiceError::from)
        })
    }

    fn task_page(&self, id: String) -> ServiceFuture<'_, Option<app::model::task::TaskPage>> {
        Box::pin(async move { Ok(Portal::task_page(self, &id).await?) })
    }

    fn task_list(&self) -> ServiceFuture<'_, Vec<app::model::task::TaskSummary>> {
        Box::pin(async move {
            Ok(Portal::task_summaries(self, None, None, TASKS_LISTED, 0)
                .await?
                .0)
        })
    }

    fn cancel_task(&self, id: String) -> ServiceFuture<'_, Option<app::model::task::TaskStatus>> {
        Box::pin(async move { Ok(Portal::cancel_task(self, &id).await?) })
    }
}
