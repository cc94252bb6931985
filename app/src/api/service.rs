//! The boundary between server functions and the server's services (server build only).

use std::{future::Future, pin::Pin, sync::Arc};

use leptos::prelude::*;

use crate::model::catalog::CatalogSummary;

/// A boxed future, so that [`PortalService`] can be used as a trait object.
pub type ServiceFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ServiceError>> + Send + 'a>>;

/// What the server's services can fail with, in words a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The database did not answer or refused the query.
    #[error("the database is unavailable: {0}")]
    Storage(String),
}

/// The behaviour server functions need from the server. The `server` crate implements it
/// once; REST handlers call the same implementation, and tests can give a fake.
pub trait PortalService: Send + Sync + 'static {
    /// How many entities of each kind the catalog holds.
    fn catalog_summary(&self) -> ServiceFuture<'_, CatalogSummary>;
}

/// The services as Leptos context: provide one with `provide_context(Services(…))`.
#[derive(Clone)]
pub struct Services(pub Arc<dyn PortalService>);

impl Services {
    /// The services from the current request's context.
    pub fn from_context() -> Result<Arc<dyn PortalService>, ServerFnError> {
        use_context::<Services>()
            .map(|services| services.0)
            .ok_or_else(|| ServerFnError::new("Portico's services are missing from the context"))
    }
}
