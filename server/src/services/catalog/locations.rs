//! Locations: registering them through the API, reading them (on a blocking thread,
//! spread over the cores), applying what changed, and refreshing them on schedule,
//! shared between replicas by leases.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use tokio::sync::mpsc::Sender;

use app::model::{
    catalog::entity_ref::EntityRef,
    identity::{action::Action, principal::Principal},
};

use super::{super::epoch_ms, CatalogError, IngestReport, OnConflict, Registration};
use crate::{
    catalog::{
        demo,
        ingest::{entity_rows, location_end},
        location::{
            absolute, generated_location_entity, inputs_unchanged, read_location,
            read_location_in_batches, GitFile, LocationContents, LocationInputs, Source,
        },
        remote::UrlReader,
    },
    progress::Progress,
    services::{
        identity::{entity_target, location_target},
        Portal,
    },
    store::{
        ApplyReport, EntityRow, LocationPart, LocationRow, LocationUpdate, OrphanStrategy,
        StoreError,
    },
};

/// How long a replica holds a location it claimed for a refresh before another may take
/// it over, unless renewed: the replica renews it every [`LEASE_RENEWAL`] while the
/// refresh goes on, so a replica that dies lets go of its location within this time.
const REFRESH_LEASE: Duration = Duration::from_secs(30);

/// How often a refresh under way renews its location's lease.
const LEASE_RENEWAL: Duration = Duration::from_secs(10);

/// How often a replica starting while another reads a location for the first time
/// checks whether that read is done.
const FIRST_READ_POLL: Duration = Duration::from_millis(250);

/// Entity batches a location's read may be ahead of the store applying them.
const BATCHES_IN_FLIGHT: usize = 1;

/// The location `target` as registered: a file location by its absolute path.
fn registered(target: Source) -> Source {
    match target {
        Source::File(path) => Source::File(absolute(&path)),
        other => other,
    }
}

/// Reads a location whole and prepares its update for the store, on a blocking thread
/// (the work is spread over the cores). What the location holds starts with its own
/// `Location` entity, as Backstage makes one for each registered location.
async fn read_in_background(
    target: Source,
    urls: Arc<UrlReader>,
    orphans: OrphanStrategy,
    progress: Progress,
) -> (LocationContents, LocationUpdate) {
    tokio::task::spawn_blocking(move || {
        let mut contents = read_location(&target, &urls, &progress);
        contents
            .entities
            .insert(0, generated_location_entity(&registered(target)));
        let update = LocationUpdate {
            entities: entity_rows(&contents.entities),
            end: location_end(&contents),
            orphans,
            progress,
        };
        (contents, update)
    })
    .await
    .expect("reading a location does not panic")
}

/// Reads a location on a blocking thread and hands what it holds to `parts` (its own
/// `Location` entity first), returning how many problems it found. A file location's
/// entities are handed over as they are read, so that memory holds a few files' worth;
/// a URL or Git location's only once all is read, so that the store's write transaction
/// is not held open while the network is waited for.
fn read_into_parts(
    target: Source,
    urls: Arc<UrlReader>,
    progress: Progress,
    parts: Sender<LocationPart>,
) -> tokio::task::JoinHandle<usize> {
    tokio::task::spawn_blocking(move || {
        let stream = matches!(target, Source::File(_));
        // When the apply fails it stops receiving: the rest of the read goes nowhere.
        let send = |rows| {
            let _ = parts.blocking_send(LocationPart::Entities(rows));
        };
        let mut held = Vec::new();
        let mut hand = |rows: Vec<EntityRow>| {
            if stream {
                send(rows);
            } else {
                held.push(rows);
            }
        };
        let root = registered(target.clone());
        hand(entity_rows(&[generated_location_entity(&root)]));
        let contents = read_location_in_batches(&target, &urls, &progress, &mut |batch| {
            hand(entity_rows(&batch))
        });
        held.into_iter().for_each(send);
        let end = location_end(&contents);
        let problems = end.problems.len();
        let _ = parts.blocking_send(LocationPart::End(end));
        problems
    })
}

impl Portal {
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

    /// Registers a location and ingests it; with `dry_run`, only reads it. A `url`
    /// location must be allowed by the configuration, a `file` location must lie inside
    /// a folder of the configured catalog. One that is registered already is refused or
    /// read again, as `on_conflict` says.
    pub async fn register_location(
        &self,
        who: &Principal,
        location_type: &str,
        target: &str,
        dry_run: bool,
        on_conflict: OnConflict,
    ) -> Result<Registration, CatalogError> {
        let new = location_target(location_type, target);
        self.authorize(who, Action::LocationCreate, &new).await?;
        let registered = self
            .register_allowed(location_type, target, dry_run, on_conflict)
            .await;
        match dry_run {
            true => registered,
            false => {
                self.recorded(who, Action::LocationCreate, &new.label, registered)
                    .await
            }
        }
    }

    /// [`Portal::register_location`], once allowed.
    async fn register_allowed(
        &self,
        location_type: &str,
        target: &str,
        dry_run: bool,
        on_conflict: OnConflict,
    ) -> Result<Registration, CatalogError> {
        let source = self.api_source(location_type, target)?;
        let target = source.target();
        let existing = self
            .store
            .location_by_target(location_type, &target)
            .await?;
        match (&existing, dry_run, on_conflict) {
            (Some(_), false, OnConflict::Reject) => {
                return Err(CatalogError::Conflict(format!(
                    "Location {location_type}:{target} already exists"
                )))
            }
            (Some(location), false, OnConflict::Refresh) => {
                let report = self.refresh_location(location.clone(), true).await?;
                return Ok(Registration {
                    location: report.location,
                    entities: Vec::new(),
                    exists: true,
                });
            }
            _ => {}
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
        // Its entities' docs, as a refresh would build them.
        self.refresh_docs(&report.location.id, &report.location.target)
            .await?;
        Ok(Registration {
            location: report.location,
            entities,
            exists: false,
        })
    }

    /// What the API may register or point a location at: a `url` the configuration
    /// allows, a `file` inside a folder of the configured catalog, a `git` file in a
    /// configured local Git host.
    pub(super) fn api_source(
        &self,
        location_type: &str,
        target: &str,
    ) -> Result<Source, CatalogError> {
        Ok(match location_type {
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
        })
    }

    /// Points the location `id` at another type and target (Backstage's
    /// `updateLocation`), and reads it: what the old target held and the new one does
    /// not is orphaned or deleted, as the orphan strategy says. `None` when there is no
    /// such location.
    pub async fn update_location(
        &self,
        who: &Principal,
        id: &str,
        location_type: &str,
        target: &str,
    ) -> Result<Option<LocationRow>, CatalogError> {
        // A missing location is reported before anything wrong with the new target, as
        // Backstage does.
        let Some(old) = self.store.location_by_id(id).await? else {
            return Ok(None);
        };
        // Moving a location removes it from where it was and registers it elsewhere.
        let old = location_target(&old.location_type, &old.target);
        self.authorize(who, Action::LocationDelete, &old).await?;
        let new = location_target(location_type, target);
        self.authorize(who, Action::LocationCreate, &new).await?;
        let moved = self.move_location(id, location_type, target).await;
        let label = format!("{} → {}", old.label, new.label);
        self.recorded(who, Action::LocationCreate, &label, moved)
            .await
    }

    /// [`Portal::update_location`], once allowed.
    async fn move_location(
        &self,
        id: &str,
        location_type: &str,
        target: &str,
    ) -> Result<Option<LocationRow>, CatalogError> {
        let source = self.api_source(location_type, target)?;
        let target = source.target();
        let taken = self
            .store
            .location_by_target(location_type, &target)
            .await?;
        if taken.is_some_and(|other| other.id != id) {
            return Err(CatalogError::Conflict(format!(
                "Location {location_type}:{target} already exists"
            )));
        }
        let Some(location) = self
            .store
            .update_location(id, location_type, &target)
            .await?
        else {
            return Ok(None);
        };
        let report = self.refresh_location(location, true).await?;
        Ok(Some(report.location))
    }

    /// Reads again the location that holds `entity_ref`.
    pub async fn refresh_entity(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
    ) -> Result<(), CatalogError> {
        let found = self.entity_to_change(who, &entity_ref.to_string()).await?;
        let Some(entity) = found else {
            return Err(CatalogError::NotFound(format!(
                "No entity {entity_ref} to refresh"
            )));
        };
        self.authorize(who, Action::EntityRefresh, &entity_target(&entity))
            .await?;
        let refreshed = async {
            let location = self
                .store
                .location_of_entity(&entity_ref.to_string())
                .await?
                .ok_or_else(|| {
                    CatalogError::NotFound(format!("No entity {entity_ref} to refresh"))
                })?;
            self.refresh_location(location, true).await?;
            Ok(())
        }
        .await;
        self.recorded(
            who,
            Action::EntityRefresh,
            &entity_ref.to_string(),
            refreshed,
        )
        .await
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

    /// Registers the location `target` if it is new, reads it and everything it leads
    /// to, and applies the result in one transaction.
    pub async fn ingest_location(&self, target: &Source) -> Result<IngestReport, StoreError> {
        let target = registered(target.clone());
        let location = self
            .store
            .ensure_location(target.location_type(), &target.target())
            .await?;
        self.refresh_location(location, true).await
    }

    /// Reads a registered location again and applies what changed. Unless `force`,
    /// a location whose files are byte for byte what its last read found is not read
    /// again (its report says `skipped`). Forced reads are for explicit requests and
    /// imports.
    pub async fn refresh_location(
        &self,
        location: LocationRow,
        force: bool,
    ) -> Result<IngestReport, StoreError> {
        let started = std::time::Instant::now();
        let read = self.read_location_again(location, force).await;
        let outcome = match &read {
            Ok(report) if report.applied.skipped => "skipped",
            Ok(report) if report.applied.changed() > 0 => "changed",
            Ok(_) => "unchanged",
            Err(_) => "failed",
        };
        let problems = read.as_ref().map_or(0, |report| report.problems);
        self.metrics
            .location_read(outcome, started.elapsed(), problems);
        let report = read?;
        self.refresh_docs(&report.location.id, &report.location.target)
            .await?;
        Ok(report)
    }

    /// [`Portal::refresh_location`]'s reading and applying, before the docs.
    async fn read_location_again(
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
        let started = std::time::Instant::now();
        let (parts, mut received) = tokio::sync::mpsc::channel(BATCHES_IN_FLIGHT);
        let reading = read_into_parts(target, self.urls.clone(), self.progress.clone(), parts);
        let applied = self
            .store
            .apply_location_parts(&location.id, self.orphans, &self.progress, &mut received)
            .await;
        drop(received);
        let problems = reading.await.expect("reading a location does not panic");
        // What the location's files took to read and apply is free now.
        crate::memory::release_free_memory();
        self.applied(location, applied?, problems, started).await
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

    /// Applies a location's update, read whole, to the store.
    async fn apply_update(
        &self,
        location: LocationRow,
        update: &LocationUpdate,
    ) -> Result<IngestReport, StoreError> {
        let started = std::time::Instant::now();
        let applied = self.store.apply_location(&location.id, update).await?;
        self.applied(location, applied, update.end.problems.len(), started)
            .await
    }

    /// The report of a location read with `problems` and applied since `started`, which
    /// is due again one refresh interval from now.
    async fn applied(
        &self,
        location: LocationRow,
        applied: ApplyReport,
        problems: usize,
        started: std::time::Instant,
    ) -> Result<IngestReport, StoreError> {
        tracing::debug!(
            location = %location.target,
            read_and_apply_ms = started.elapsed().as_millis() as u64,
            "location applied"
        );
        self.schedule_next_refresh(&location.id).await?;
        let problems = problems + applied.conflicts.len();
        Ok(IngestReport {
            location,
            applied,
            problems,
        })
    }

    /// Reads again every location that is due, one at a time, each claimed first so
    /// that replicas sharing the database share the work instead of repeating it. A
    /// location that fails is logged, and due again after the refresh interval.
    ///
    /// Once the portal is asked to stop ([`Portal::stop_token`]), no location is
    /// claimed, and a refresh under way is abandoned (its transaction rolls back) and
    /// its lease released, so that another replica takes the location at once.
    pub async fn refresh_due(&self) -> Result<Vec<IngestReport>, StoreError> {
        let mut reports = Vec::new();
        // Due by the time this call started: a location whose refresh takes longer
        // than the interval is not read over and over within one call.
        let started = epoch_ms(Duration::ZERO);
        while !self.stop.is_cancelled() {
            let Some(location) = self
                .store
                .claim_due_location(started, epoch_ms(REFRESH_LEASE))
                .await?
            else {
                break;
            };
            let (id, target) = (location.id.clone(), location.target.clone());
            let Some(refreshed) = self.refresh_leased(location).await? else {
                break;
            };
            match refreshed {
                Ok(report) => reports.push(report),
                Err(error) => {
                    tracing::warn!(%target, %error, "refreshing the location failed");
                    self.schedule_next_refresh(&id).await?;
                }
            }
        }
        Ok(reports)
    }

    /// Reads a location this replica has claimed, renewing its lease meanwhile. `None`
    /// when the portal was asked to stop first: the read is abandoned (its transaction
    /// rolls back) and the lease released, so that another replica takes the location
    /// at once.
    async fn refresh_leased(
        &self,
        location: LocationRow,
    ) -> Result<Option<Result<IngestReport, StoreError>>, StoreError> {
        let (id, target) = (location.id.clone(), location.target.clone());
        tokio::select! {
            refreshed = self.refresh_location(location, false) => Ok(Some(refreshed)),
            () = self.keep_lease(&id) => unreachable!("a lease is kept until the refresh ends"),
            () = self.stop.cancelled() => {
                tracing::info!(%target, "stopping: the location's refresh is left to another replica");
                self.store.release_location(&id).await?;
                Ok(None)
            }
        }
    }

    /// What `portico serve` does with a `--catalog` location before it says it is
    /// ready: registers it, and reads it under a lease unless another replica holds it.
    /// A location whose files are what its last read by this binary's reader
    /// ([`crate::catalog::location::READER`]) found is not read again. When another
    /// replica is reading it, this one serves what is stored (the other's update will
    /// be seen by every replica) — unless the location was never read whole, as on a
    /// first start: then it waits for that first read, or for the lease of a replica
    /// that died reading it to run out.
    ///
    /// `None` when another replica read or reads it, or the portal was asked to stop.
    pub async fn load_at_start(&self, target: &Source) -> Result<Option<IngestReport>, StoreError> {
        let target = registered(target.clone());
        let location = self
            .store
            .ensure_location(target.location_type(), &target.target())
            .await?;
        let mut waiting = false;
        while !self.stop.is_cancelled() {
            let now = epoch_ms(Duration::ZERO);
            if self
                .store
                .claim_location(&location.id, now, epoch_ms(REFRESH_LEASE))
                .await?
            {
                return match self.refresh_leased(location.clone()).await? {
                    Some(Ok(report)) => Ok(Some(report)),
                    Some(Err(error)) => {
                        self.store.release_location(&location.id).await?;
                        Err(error)
                    }
                    None => Ok(None),
                };
            }
            if self.store.location_inputs(&location.id).await?.is_some() {
                tracing::info!(location = %location.target, "another replica is reading the location; serving what is stored");
                return Ok(None);
            }
            if !waiting {
                tracing::info!(location = %location.target, "waiting for another replica's first read of the location");
                waiting = true;
            }
            tokio::time::sleep(FIRST_READ_POLL).await;
        }
        Ok(None)
    }

    /// Renews this replica's lease on a location every [`LEASE_RENEWAL`], for as long as
    /// it is polled (the refresh it belongs to runs beside it).
    async fn keep_lease(&self, location_id: &str) {
        loop {
            tokio::time::sleep(LEASE_RENEWAL).await;
            if let Err(error) = self
                .store
                .renew_location_lease(location_id, epoch_ms(REFRESH_LEASE))
                .await
            {
                tracing::warn!(%error, "renewing a location's refresh lease failed");
            }
        }
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
}
