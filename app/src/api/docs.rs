//! The docs reader's calls. A doc set's site is read once; moving between its pages
//! fetches only the page.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::model::catalog::entity_ref::EntityRef;
use crate::model::docs::{
    page::{DocPage, DocSetCard, DocSetView},
    search::DocHit,
};

/// An entity's docs around their pages; `None` when it has none.
#[server]
pub async fn get_doc_set(
    kind: String,
    namespace: String,
    name: String,
) -> Result<Option<DocSetView>, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .docs_set(
            super::service::request_principal()?,
            EntityRef::new(&kind, &namespace, &name),
        )
        .await
        .map_err(ServerFnError::new)
}

/// Page `path` of an entity's docs (its start page when empty); `None` when missing.
#[server]
pub async fn get_doc_page(
    kind: String,
    namespace: String,
    name: String,
    path: String,
) -> Result<Option<DocPage>, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .docs_page(
            super::service::request_principal()?,
            EntityRef::new(&kind, &namespace, &name),
            path,
        )
        .await
        .map_err(ServerFnError::new)
}

/// The sections of an entity's docs matching `query`, best first.
#[server]
pub async fn search_docs(
    kind: String,
    namespace: String,
    name: String,
    query: String,
) -> Result<Vec<DocHit>, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .search_docs(
            super::service::request_principal()?,
            EntityRef::new(&kind, &namespace, &name),
            query,
        )
        .await
        .map_err(ServerFnError::new)
}

/// Every documented entity.
#[server]
pub async fn get_doc_sets() -> Result<Vec<DocSetCard>, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .doc_sets(super::service::request_principal()?)
        .await
        .map_err(ServerFnError::new)
}
