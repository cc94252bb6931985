//! The boundary between server functions and the server's services (server build only).

use std::{future::Future, pin::Pin, sync::Arc};

use leptos::prelude::*;

use crate::model::{
    catalog::catalog_view::{CatalogPage, CatalogView, FacetCounts},
    catalog::entity_page::EntityPage,
    catalog::entity_ref::EntityRef,
    catalog::starred::Starred,
    catalog::summary::CatalogSummary,
    catalog::validation::FieldError,
    docs::page::{DocPage, DocSetCard, DocSetView},
    docs::search::DocHit,
    graph::{
        impact::{Impact, ImpactWay},
        subgraph::GraphQuery,
    },
    identity::principal::{Principal, Viewer},
    task::{DryRunView, TaskPage, TaskStatus, TaskSummary},
    template::{form::EntityChoice, gallery::TemplateCard, wizard::Wizard},
};

use super::{graph::GraphAnswer, tasks::TaskCreation, templates::TemplateForm};

/// A boxed future, so that [`PortalService`] can be used as a trait object.
pub type ServiceFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ServiceError>> + Send + 'a>>;

/// What the server's services can fail with, in words a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The database did not answer or refused the query.
    #[error("the database is unavailable: {0}")]
    Storage(String),
    /// The thing asked for does not exist (or cannot be used).
    #[error("{0} does not exist or cannot be used")]
    NotFound(String),
    /// The request cannot be carried out, and why.
    #[error("{0}")]
    Invalid(String),
    /// The policy does not let the person asking do it, and why.
    #[error("{0}")]
    Refused(#[from] crate::model::identity::policy::Refusal),
}

/// The behaviour server functions need from the server. The `server` crate implements it
/// once; REST handlers call the same implementation, and tests can give a fake.
pub trait PortalService: Send + Sync + 'static {
    /// How many entities of each kind the catalog holds.
    fn catalog_summary(&self, who: Principal) -> ServiceFuture<'_, CatalogSummary>;

    /// One page of the catalog table for `view`, for a person with these stars.
    fn catalog_page(
        &self,
        who: Principal,
        view: CatalogView,
        starred: Starred,
    ) -> ServiceFuture<'_, CatalogPage>;

    /// The counts of every facet's values for `view`.
    fn catalog_facets(
        &self,
        who: Principal,
        view: CatalogView,
        starred: Starred,
    ) -> ServiceFuture<'_, Vec<FacetCounts>>;

    /// The entity page of `entity_ref`, if there is such an entity.
    fn entity_page(
        &self,
        who: Principal,
        entity_ref: EntityRef,
    ) -> ServiceFuture<'_, Option<EntityPage>>;

    /// Every template in the catalog, as gallery cards.
    fn template_cards(&self, who: Principal) -> ServiceFuture<'_, Vec<TemplateCard>>;

    /// Template `namespace/name` with its form's starting state: `posted` when a person
    /// posted the form without JavaScript, else a fresh one.
    fn template_form(
        &self,
        who: Principal,
        namespace: String,
        name: String,
        posted: Option<Wizard>,
    ) -> ServiceFuture<'_, TemplateForm>;

    /// The problems of these answers to template `namespace/name`: the validator the
    /// browser runs, then the checks that need the catalog.
    fn check_template_values(
        &self,
        who: Principal,
        namespace: String,
        name: String,
        values: serde_json::Value,
    ) -> ServiceFuture<'_, Vec<FieldError>>;

    /// Entities for a picker: those `filter` selects (all when empty), matching `text`;
    /// only `who`'s own when `mine` says so.
    fn entity_choices(
        &self,
        who: Principal,
        filter: Vec<crate::model::catalog::filter::FilterGroup>,
        text: String,
        mine: Option<crate::model::template::form::Mine>,
    ) -> ServiceFuture<'_, Vec<EntityChoice>>;

    /// Checks the answers to template `namespace/name` and, when they hold, creates a
    /// task running its steps.
    fn create_task(
        &self,
        who: Principal,
        namespace: String,
        name: String,
        values: serde_json::Value,
    ) -> ServiceFuture<'_, TaskCreation>;

    /// Runs template `namespace/name` with these answers in a temporary workspace,
    /// publishing and registering nothing.
    fn dry_run_template(
        &self,
        who: Principal,
        namespace: String,
        name: String,
        values: serde_json::Value,
    ) -> ServiceFuture<'_, DryRunView>;

    /// A task's page, if there is such a task.
    fn task_page(&self, who: Principal, id: String) -> ServiceFuture<'_, Option<TaskPage>>;

    /// The most recent tasks, newest first.
    fn task_list(&self, who: Principal) -> ServiceFuture<'_, Vec<TaskSummary>>;

    /// Asks for a task to be cancelled; its status after the request.
    fn cancel_task(&self, who: Principal, id: String) -> ServiceFuture<'_, Option<TaskStatus>>;

    /// `entity_ref`'s docs around their pages, if it has docs.
    fn docs_set(
        &self,
        who: Principal,
        entity_ref: EntityRef,
    ) -> ServiceFuture<'_, Option<DocSetView>>;

    /// Page `path` of `entity_ref`'s docs (its start page when empty), if there is one.
    fn docs_page(
        &self,
        who: Principal,
        entity_ref: EntityRef,
        path: String,
    ) -> ServiceFuture<'_, Option<DocPage>>;

    /// The sections of `entity_ref`'s docs matching `query`, best first.
    fn search_docs(
        &self,
        who: Principal,
        entity_ref: EntityRef,
        query: String,
    ) -> ServiceFuture<'_, Vec<DocHit>>;

    /// Every documented entity.
    fn doc_sets(&self, who: Principal) -> ServiceFuture<'_, Vec<DocSetCard>>;

    /// The part of the catalog `query` asks for.
    fn subgraph(&self, who: Principal, query: GraphQuery) -> ServiceFuture<'_, GraphAnswer>;

    /// A page of search results for `request`, among what `who` may read.
    fn search(
        &self,
        who: Principal,
        request: crate::model::search::SearchRequest,
    ) -> ServiceFuture<'_, crate::model::search::SearchResults>;

    /// Whether the portal is reached over TLS, so that its cookies must be `Secure`.
    fn secure_cookies(&self) -> bool;

    /// `who` as the pages show them, with what the portal says about guests.
    fn viewer(&self, who: Principal) -> ServiceFuture<'_, Viewer>;

    /// `who`'s API tokens, newest first.
    fn my_tokens(
        &self,
        who: Principal,
    ) -> ServiceFuture<'_, Vec<crate::model::identity::token::TokenInfo>>;

    /// A new API token acting as `who`.
    fn create_my_token(
        &self,
        who: Principal,
        request: crate::model::identity::token::TokenRequest,
    ) -> ServiceFuture<'_, crate::model::identity::token::NewToken>;

    /// Revokes `who`'s token `id` (admins: anyone's).
    fn revoke_my_token(&self, who: Principal, id: String) -> ServiceFuture<'_, ()>;

    /// What `who` owns, the tasks they started and what they starred (`starred`).
    fn mine(
        &self,
        who: Principal,
        starred: Starred,
    ) -> ServiceFuture<'_, crate::model::identity::mine::Mine>;

    /// A page of the audit log, for someone who may read it.
    fn audit_page(
        &self,
        who: Principal,
        query: crate::model::identity::audit::AuditQuery,
    ) -> ServiceFuture<'_, super::AuditAnswer>;

    /// The impact analysis of `entity_ref` walking `way`, if there is such an entity.
    fn impact(
        &self,
        who: Principal,
        entity_ref: EntityRef,
        way: ImpactWay,
    ) -> ServiceFuture<'_, Option<std::sync::Arc<Impact>>>;

    /// A signed link to `widget` of `entity_ref` that reads as `who` for `days` days.
    fn sign_embed_link(
        &self,
        who: Principal,
        widget: crate::model::embed::widget::Widget,
        entity_ref: EntityRef,
        days: u32,
    ) -> ServiceFuture<'_, crate::model::embed::signed::SignedLink>;
}

/// A template form posted without JavaScript, as the server read it; the page renders
/// from it instead of a fresh form.
#[derive(Clone, Debug)]
pub struct PostedWizard(pub Wizard);

/// The services as Leptos context: provide one with `provide_context(Services(…))`.
#[derive(Clone)]
pub struct Services(pub Arc<dyn PortalService>);

/// The stars in the current request's cookie (none outside a request).
pub fn request_starred() -> Starred {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            let header = parts.headers.get(http::header::COOKIE)?;
            Some(Starred::from_cookie_header(header.to_str().ok()?))
        })
        .unwrap_or_default()
}

/// Who the current request acts as: the server resolves it for every request, before any
/// page or server function runs.
pub fn request_principal() -> Result<Principal, ServerFnError> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Principal>().cloned())
        .ok_or_else(|| ServerFnError::new("sign in first: this request has no identity"))
}

impl Services {
    /// The services from the current request's context.
    pub fn from_context() -> Result<Arc<dyn PortalService>, ServerFnError> {
        use_context::<Services>()
            .map(|services| services.0)
            .ok_or_else(|| ServerFnError::new("Portico's services are missing from the context"))
    }
}
