//! The catalog page's and entity pages' calls. The person's stars come from their cookie,
//! and what they own from who they are, both read on the server, so a page rendered
//! there and one fetched later agree.

use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    catalog::catalog_view::{CatalogPage, CatalogView, FacetCounts},
    catalog::entity_page::EntityPage,
};

/// One page of the catalog table. (JSON: a view does not fit a flat form.)
#[server(input = Json)]
pub async fn get_catalog_page(view: CatalogView) -> Result<CatalogPage, ServerFnError> {
    let services = super::Services::from_context()?;
    let starred = super::service::request_starred();
    let who = super::service::request_principal()?;
    services
        .catalog_page(who, view, starred)
        .await
        .map_err(ServerFnError::new)
}

/// The facet counts for the catalog page.
#[server(input = Json)]
pub async fn get_catalog_facets(view: CatalogView) -> Result<Vec<FacetCounts>, ServerFnError> {
    let services = super::Services::from_context()?;
    let starred = super::service::request_starred();
    let who = super::service::request_principal()?;
    services
        .catalog_facets(who, view, starred)
        .await
        .map_err(ServerFnError::new)
}

/// An entity page; `None` when the catalog has no such entity.
#[server]
pub async fn get_entity_page(
    kind: String,
    namespace: String,
    name: String,
) -> Result<Option<EntityPage>, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .entity_page(
            super::service::request_principal()?,
            crate::model::catalog::entity_ref::EntityRef::new(&kind, &namespace, &name),
        )
        .await
        .map_err(ServerFnError::new)
}
