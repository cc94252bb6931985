//! Portico's behaviour, in one place. Server functions (through [`PortalService`]) and
//! REST handlers are adapters over [`Portal`]; neither holds logic of its own.

use app::{
    api::{PortalService, ServiceError, ServiceFuture},
    model::{
        catalog::{CatalogSummary, KindCount},
        entity::{Entity, EntityStatus, Relation, StatusItem},
        entity_ref::EntityRef,
        filter::EntityQuery,
    },
};

use std::path::{Path, PathBuf};

use crate::{
    catalog::{
        demo,
        ingest::location_update,
        location::{absolute, read_file_location},
    },
    store::{ApplyReport, LocationRow, Store, StoreError},
};

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
}

impl Portal {
    /// Services over an opened, migrated store.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            demo_target: None,
        }
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
        self.ingest_file_location(&root).await.map(Some)
    }

    /// The store, for readiness checks.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Registers the file location `target` (a file, folder or glob) if it is new, reads
    /// it and everything it leads to, and applies the result in one transaction.
    pub async fn ingest_file_location(&self, target: &Path) -> Result<IngestReport, StoreError> {
        let target = absolute(target);
        let location = self
            .store
            .ensure_location("file", &target.display().to_string())
            .await?;
        self.refresh_location(location).await
    }

    /// Reads a registered location again and applies what changed.
    pub async fn refresh_location(
        &self,
        location: LocationRow,
    ) -> Result<IngestReport, StoreError> {
        let target = PathBuf::from(&location.target);
        let update = tokio::task::spawn_blocking(move || {
            let contents = read_file_location(&target);
            location_update(&contents)
        })
        .await
        .expect("reading a location does not panic");
        let applied = self.store.apply_location(&location.id, &update).await?;
        let problems = update.problems.len() + applied.conflicts.len();
        Ok(IngestReport {
            location,
            applied,
            problems,
        })
    }

    /// Reads every registered file location again, one after the other. A location
    /// that fails is logged and the others go on.
    pub async fn refresh_all(&self) -> Result<Vec<IngestReport>, StoreError> {
        let mut reports = Vec::new();
        for location in self.store.locations().await? {
            if location.location_type != "file" {
                continue;
            }
            let target = location.target.clone();
            match self.refresh_location(location).await {
                Ok(report) => reports.push(report),
                Err(error) => tracing::warn!(%target, %error, "refreshing the location failed"),
            }
        }
        Ok(reports)
    }

    /// The entity `entity_ref` as the API serves it: its descriptor with `metadata.uid`
    /// and `etag`, its `relations`, and its processing problems in `status.items`.
    pub async fn entity(&self, entity_ref: &EntityRef) -> Result<Option<Entity>, StoreError> {
        let key = entity_ref.to_string();
        let Some((uid, etag, body)) = self.store.entity_body(&key).await? else {
            return Ok(None);
        };
        self.compose(uid, etag, &body, &key).await.map(Some)
    }

    /// The entities a query selects (one page, composed as [`Portal::entity`] does), and
    /// how many it selects in all.
    pub async fn query_entities(
        &self,
        query: &EntityQuery,
    ) -> Result<(Vec<Entity>, u64), StoreError> {
        let (records, total) = self.store.query_entities(query).await?;
        let mut entities = Vec::with_capacity(records.len());
        for (uid, etag, body, key) in records {
            entities.push(self.compose(uid, etag, &body, &key).await?);
        }
        Ok((entities, total))
    }

    /// The entity with this uid, composed as [`Portal::entity`] does.
    pub async fn entity_by_uid(&self, uid: &str) -> Result<Option<Entity>, StoreError> {
        match self.store.entity_by_uid(uid).await? {
            Some((uid, etag, body, key)) => self.compose(uid, etag, &body, &key).await.map(Some),
            None => Ok(None),
        }
    }

    /// Deletes the entity with this uid; false when there was none.
    pub async fn delete_entity_by_uid(&self, uid: &str) -> Result<bool, StoreError> {
        self.store.delete_entity_by_uid(uid).await
    }

    /// Counts of each value of the search key `facet` among the entities `query` selects.
    pub async fn facet(
        &self,
        facet: &str,
        query: &EntityQuery,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        self.store.facet(facet, query).await
    }

    /// A stored entity with its uid, etag, relations and problems.
    async fn compose(
        &self,
        uid: String,
        etag: String,
        body: &str,
        key: &str,
    ) -> Result<Entity, StoreError> {
        let mut entity: Entity = serde_json::from_str(body).map_err(|error| {
            StoreError::Io(format!("the stored entity {key} is not valid: {error}"))
        })?;
        entity.metadata.uid = Some(uid);
        entity.metadata.etag = Some(etag);
        entity.relations = self
            .store
            .relations_of(key)
            .await?
            .into_iter()
            .filter_map(|(relation_type, target)| {
                Some(Relation {
                    relation_type,
                    target_ref: EntityRef::parse_full(&target).ok()?,
                })
            })
            .collect();
        let problems = self.store.entity_problems(key).await?;
        if !problems.is_empty() {
            entity.status = Some(EntityStatus {
                items: problems
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

    /// Every registered location.
    pub async fn locations(&self) -> Result<Vec<LocationRow>, StoreError> {
        self.store.locations().await
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

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        ServiceError::Storage(error.to_string())
    }
}

impl PortalService for Portal {
    fn catalog_summary(&self) -> ServiceFuture<'_, CatalogSummary> {
        Box::pin(async move { Ok(Portal::catalog_summary(self).await?) })
    }
}
