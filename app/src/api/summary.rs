//! The catalog overview shown on the home page.

use leptos::prelude::*;

use crate::model::catalog::summary::CatalogSummary;

/// How many entities of each kind the catalog holds.
#[server]
pub async fn get_catalog_summary() -> Result<CatalogSummary, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .catalog_summary(super::service::request_principal()?)
        .await
        .map_err(ServerFnError::new)
}
