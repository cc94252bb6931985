//! Portico's behaviour, in one place. Server functions (through [`PortalService`]) and
//! REST handlers are adapters over [`Portal`]; neither holds logic of its own.

use app::{
    api::{PortalService, ServiceError, ServiceFuture},
    model::catalog::{CatalogSummary, KindCount},
};

use crate::store::{Store, StoreError};

/// The services of one running portal.
#[derive(Clone, Debug)]
pub struct Portal {
    store: Store,
}

impl Portal {
    /// Services over an opened, migrated store.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The store, for readiness checks.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// How many entities of each kind the catalog holds.
    pub async fn catalog_summary(&self) -> Result<CatalogSummary, StoreError> {
        let counts = self.store.entity_counts_by_kind().await?;
        Ok(CatalogSummary::new(
            counts
                .into_iter()
                .map(|(kind, count)| KindCount {
                    kind,
                    count: count.max(0) as u64,
                })
                .collect(),
        ))
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
