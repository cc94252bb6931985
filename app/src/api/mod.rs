//! Server functions: the typed calls the UI makes to the server.
//!
//! Each function is a thin adapter. Its server body finds the [`PortalService`] that the
//! `server` crate put into Leptos's context and calls one method on it; the behaviour lives
//! there, shared with the REST API. In the browser build only the client stubs exist.
//!
//! **Invariant:** no storage or business logic here, so that editing the server's services
//! never rebuilds the WebAssembly bundle.

use leptos::prelude::ServerFnError;

mod catalog;
mod docs;
mod embed;
mod graph;
mod identity;
mod search;
mod summary;
mod tasks;
mod templates;

pub use catalog::{get_catalog_facets, get_catalog_page, get_entity_page};
pub use docs::{get_doc_page, get_doc_set, get_doc_sets, search_docs};
pub use embed::{sign_embed_link, SignEmbedLink};
pub use graph::{get_impact, get_subgraph, GraphAnswer};
pub use identity::{
    create_my_token, get_audit, get_mine, get_my_tokens, get_viewer, revoke_my_token,
    take_new_token, AuditAnswer, CreateMyToken, RevokeMyToken,
};
pub use search::get_search;
pub use summary::get_catalog_summary;
pub use tasks::{
    cancel_task, create_task, dry_run_template, get_task_page, get_tasks, TaskCreation,
};
pub use templates::{
    check_template_values, get_template_cards, get_template_form, search_entity_choices,
    TemplateForm,
};

/// What a failed server function says to a person: the server's own sentence (a
/// refusal, a missing entity), without the transport's preamble.
pub fn reason(error: &ServerFnError) -> String {
    match error {
        ServerFnError::ServerError(message) => message.clone(),
        other => other.to_string(),
    }
}

#[cfg(feature = "ssr")]
mod service;

#[cfg(feature = "ssr")]
pub use service::{
    request_starred, PortalService, PostedWizard, ServiceError, ServiceFuture, Services,
};
