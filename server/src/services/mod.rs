//! Portico's behaviour, in one place: one file (or folder) per capability. Server
//! functions (through [`PortalService`]) and REST handlers are adapters over
//! [`Portal`]; neither holds logic of its own.
//!
//! - `catalog/`: the Software Catalog (entities, queries, locations and their refresh,
//!   what the catalog's pages show);
//! - `templates.rs`, `tasks.rs`: Software Templates and the tasks that run them;
//! - `docs.rs`, `graph.rs`, `embed.rs`, `identity/`, `search.rs`: TechDocs, dependency
//!   graphs, badges, who may do what, and search over all of it.
//!
//! This file holds [`Portal`] itself, its settings, and the adapter to [`PortalService`].

mod catalog;
pub mod docs;
pub mod embed;
mod graph;
pub mod identity;
pub mod operations;
mod search;
mod tasks;
mod templates;

pub use catalog::{
    Analysis, Ancestry, AncestryItem, CatalogError, FacetValue, IngestReport, JsonText, OnConflict,
    Registration,
};
pub use tasks::{unknown_actions, DryRun, DryRunFile, TaskError};

use app::{
    api::{GraphAnswer, PortalService, ServiceError, ServiceFuture, TemplateForm},
    model::{
        catalog::{
            catalog_view::{CatalogPage, CatalogView, FacetCounts},
            entity_page::EntityPage,
            entity_ref::EntityRef,
            filter::FilterGroup,
            starred::Starred,
            summary::CatalogSummary,
            validation::FieldError,
        },
        docs::page::{DocPage, DocSetCard, DocSetView},
        docs::search::DocHit,
        graph::{
            impact::{Impact, ImpactWay},
            subgraph::GraphQuery,
        },
        identity::{
            principal::{Principal, Viewer},
            signin::SignInOption,
            token::{NewToken, TokenInfo, TokenRequest},
        },
        search::{SearchRequest, SearchResults},
        template::{
            form::{EntityChoice, Mine},
            gallery::TemplateCard,
            wizard::Wizard,
        },
    },
};

use std::{path::PathBuf, sync::Arc, time::Duration};

use crate::{
    catalog::{
        location::{absolute, confinement_of},
        remote::{AllowRule, UrlReader},
    },
    progress::Progress,
    scaffolder::ScaffolderSettings,
    store::{OrphanStrategy, Store, StoreError},
};

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
    /// What the process counts about itself, for `/metrics`.
    metrics: Arc<crate::metrics::Metrics>,
    /// Cancelled when the process is asked to stop: loops stop taking new work.
    stop: tokio_util::sync::CancellationToken,
    /// Whether relations carry Backstage's legacy `target` object.
    legacy_relation_target: bool,
    /// Hosts docs pages may embed iframes from (`allowedIframeHosts`).
    iframe_hosts: Vec<String>,
    /// Origins whose pages may frame the widgets (`https://wiki.example.com`).
    embed_origins: Arc<[String]>,
    /// The key signed embed links are made with; none: no links are signed.
    embed_key: Option<embed::EmbedKey>,
    /// The policy, guests, admins, sign-in providers, sessions.
    identity: Arc<identity::IdentitySettings>,
    /// Talks to the sign-in providers.
    oidc: Arc<identity::OidcClient>,
    /// The search index, shared by every clone of the portal.
    search: Arc<search::SearchState>,
    /// Entities' JSON texts for the current catalog version.
    entity_texts_kept: Arc<catalog::KeptTexts<catalog::EntityText>>,
    /// The whole catalog's facet counts as JSON texts, for the current version.
    facet_texts_kept: Arc<catalog::KeptTexts>,
}

/// Milliseconds since the Unix epoch, `after` from now.
fn epoch_ms(after: Duration) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (now + after).as_millis() as i64
}

/// How many tasks the task list shows.
const TASKS_LISTED: i64 = 100;

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
            metrics: Arc::default(),
            stop: tokio_util::sync::CancellationToken::new(),
            legacy_relation_target: true,
            iframe_hosts: Vec::new(),
            embed_origins: Arc::new([]),
            embed_key: None,
            identity: Arc::default(),
            oidc: Arc::default(),
            search: Arc::default(),
            entity_texts_kept: Arc::default(),
            facet_texts_kept: Arc::new(catalog::KeptTexts::new(16 << 20)),
        }
    }

    /// Sets the policy, what guests may do and who the admins are.
    pub fn set_identity(&mut self, settings: identity::IdentitySettings) {
        self.identity = Arc::new(settings);
    }

    /// Sets the hosts docs pages may embed iframes from.
    pub fn set_iframe_hosts(&mut self, hosts: Vec<String>) {
        self.iframe_hosts = hosts;
    }

    /// Sets the origins whose pages may frame the widgets.
    pub fn set_embed_origins(&mut self, origins: Vec<String>) {
        self.embed_origins = origins.into();
    }

    /// The origins whose pages may frame the widgets, besides the portal's own.
    pub fn embed_origins(&self) -> &[String] {
        &self.embed_origins
    }

    /// Sets where tasks work and which Git hosts they publish to.
    pub fn set_scaffolder(&mut self, settings: ScaffolderSettings) {
        self.scaffolder = Arc::new(settings);
    }

    /// Where tasks work and which Git hosts they publish to.
    pub fn scaffolder(&self) -> &ScaffolderSettings {
        &self.scaffolder
    }

    /// What the process counts about itself (requests, location reads, tasks).
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.metrics
    }

    /// Cancelled once the process is asked to stop: refreshes, task workers and the
    /// start-up load stop taking new work (every clone of the portal shares it).
    pub fn stop_token(&self) -> &tokio_util::sync::CancellationToken {
        &self.stop
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

    /// Sets whether relations carry Backstage's legacy `target` object.
    pub fn set_legacy_relation_target(&mut self, on: bool) {
        self.legacy_relation_target = on;
    }

    /// What happens to entities a location no longer holds.
    pub fn set_orphan_strategy(&mut self, orphans: OrphanStrategy) {
        self.orphans = orphans;
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

    /// The store, for readiness checks.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

impl From<identity::TokenError> for ServiceError {
    fn from(error: identity::TokenError) -> Self {
        match error {
            identity::TokenError::NotFound(what) => ServiceError::NotFound(what),
            identity::TokenError::Invalid(why) => ServiceError::Invalid(why),
            identity::TokenError::Refused(refusal) => refusal.into(),
            identity::TokenError::Store(error) => error.into(),
        }
    }
}

impl From<embed::LinkError> for ServiceError {
    fn from(error: embed::LinkError) -> Self {
        match error {
            embed::LinkError::NotFound(entity) => ServiceError::NotFound(entity.to_string()),
            embed::LinkError::Refused(refusal) => refusal.into(),
            embed::LinkError::Store(error) => error.into(),
            other => ServiceError::Invalid(other.to_string()),
        }
    }
}

impl From<TaskError> for ServiceError {
    fn from(error: TaskError) -> Self {
        match error {
            TaskError::NotFound(what) => ServiceError::NotFound(what),
            TaskError::Invalid(why) => ServiceError::Invalid(why),
            TaskError::Refused(refusal) => refusal.into(),
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
    fn catalog_summary(&self, who: Principal) -> ServiceFuture<'_, CatalogSummary> {
        Box::pin(async move { Ok(Portal::catalog_summary(self, &who).await?) })
    }

    fn catalog_page(
        &self,
        who: Principal,
        view: CatalogView,
        starred: Starred,
    ) -> ServiceFuture<'_, CatalogPage> {
        Box::pin(async move { Ok(Portal::catalog_page(self, &who, &view, &starred).await?) })
    }

    fn catalog_facets(
        &self,
        who: Principal,
        view: CatalogView,
        starred: Starred,
    ) -> ServiceFuture<'_, Vec<FacetCounts>> {
        Box::pin(async move { Ok(Portal::catalog_facets(self, &who, &view, &starred).await?) })
    }

    fn entity_page(
        &self,
        who: Principal,
        entity_ref: EntityRef,
    ) -> ServiceFuture<'_, Option<EntityPage>> {
        Box::pin(async move { Ok(Portal::entity_page(self, &who, &entity_ref).await?) })
    }

    fn template_cards(&self, who: Principal) -> ServiceFuture<'_, Vec<TemplateCard>> {
        Box::pin(async move { Ok(Portal::template_cards(self, &who).await?) })
    }

    fn template_form(
        &self,
        who: Principal,
        namespace: String,
        name: String,
        posted: Option<Wizard>,
    ) -> ServiceFuture<'_, TemplateForm> {
        Box::pin(
            async move { Ok(Portal::template_form(self, &who, &namespace, &name, posted).await?) },
        )
    }

    fn check_template_values(
        &self,
        who: Principal,
        namespace: String,
        name: String,
        values: serde_json::Value,
    ) -> ServiceFuture<'_, Vec<FieldError>> {
        Box::pin(async move {
            match Portal::template(self, &who, &namespace, &name).await? {
                Some(Ok(template)) => {
                    Ok(Portal::check_template_values(self, &who, &template, &values).await?)
                }
                _ => Err(ServiceError::NotFound(format!(
                    "template:{namespace}/{name}"
                ))),
            }
        })
    }

    fn entity_choices(
        &self,
        who: Principal,
        filter: Vec<FilterGroup>,
        text: String,
        mine: Option<Mine>,
    ) -> ServiceFuture<'_, Vec<EntityChoice>> {
        Box::pin(async move { Ok(Portal::entity_choices(self, &who, filter, &text, mine).await?) })
    }

    fn create_task(
        &self,
        who: Principal,
        namespace: String,
        name: String,
        values: serde_json::Value,
    ) -> ServiceFuture<'_, app::api::TaskCreation> {
        Box::pin(async move {
            Portal::create_task(self, &who, &namespace, &name, &values)
                .await
                .map_err(ServiceError::from)
        })
    }

    fn dry_run_template(
        &self,
        who: Principal,
        namespace: String,
        name: String,
        values: serde_json::Value,
    ) -> ServiceFuture<'_, app::model::task::DryRunView> {
        Box::pin(async move {
            Portal::dry_run_view(self, &who, &namespace, &name, &values)
                .await
                .map_err(ServiceError::from)
        })
    }

    fn task_page(
        &self,
        who: Principal,
        id: String,
    ) -> ServiceFuture<'_, Option<app::model::task::TaskPage>> {
        Box::pin(async move { Ok(Portal::task_page(self, &who, &id).await?) })
    }

    fn task_list(&self, who: Principal) -> ServiceFuture<'_, Vec<app::model::task::TaskSummary>> {
        Box::pin(async move {
            Ok(
                Portal::task_summaries(self, &who, None, None, TASKS_LISTED, 0)
                    .await?
                    .0,
            )
        })
    }

    fn cancel_task(
        &self,
        who: Principal,
        id: String,
    ) -> ServiceFuture<'_, Option<app::model::task::TaskStatus>> {
        Box::pin(async move { Ok(Portal::cancel_task(self, &who, &id).await?) })
    }

    fn docs_set(
        &self,
        who: Principal,
        entity_ref: EntityRef,
    ) -> ServiceFuture<'_, Option<DocSetView>> {
        Box::pin(async move { Ok(Portal::docs_set(self, &who, &entity_ref).await?) })
    }

    fn docs_page(
        &self,
        who: Principal,
        entity_ref: EntityRef,
        path: String,
    ) -> ServiceFuture<'_, Option<DocPage>> {
        Box::pin(async move { Ok(Portal::docs_page(self, &who, &entity_ref, &path).await?) })
    }

    fn search_docs(
        &self,
        who: Principal,
        entity_ref: EntityRef,
        query: String,
    ) -> ServiceFuture<'_, Vec<DocHit>> {
        Box::pin(async move { Ok(Portal::search_docs(self, &who, &entity_ref, &query).await?) })
    }

    fn doc_sets(&self, who: Principal) -> ServiceFuture<'_, Vec<DocSetCard>> {
        Box::pin(async move { Ok(Portal::doc_sets(self, &who).await?) })
    }

    fn search(&self, who: Principal, request: SearchRequest) -> ServiceFuture<'_, SearchResults> {
        Box::pin(async move { Ok(Portal::search(self, &who, &request).await?) })
    }

    fn subgraph(&self, who: Principal, query: GraphQuery) -> ServiceFuture<'_, GraphAnswer> {
        Box::pin(async move {
            match Portal::subgraph(self, &who, &query).await {
                Ok(graph) => Ok(GraphAnswer::Graph(graph)),
                Err(CatalogError::NotFound(what)) => Ok(GraphAnswer::NoEntity(what)),
                Err(CatalogError::Store(error)) => Err(error.into()),
                Err(other) => Ok(GraphAnswer::BadQuery(other.to_string())),
            }
        })
    }

    fn secure_cookies(&self) -> bool {
        self.identity.behind_tls()
    }

    fn viewer(&self, who: Principal) -> ServiceFuture<'_, Viewer> {
        Box::pin(async move {
            let profile = self.own_entity(&who).await?;
            let display_name = profile.as_ref().and_then(|user| {
                user.spec
                    .as_ref()?
                    .get("profile")?
                    .get("displayName")?
                    .as_str()
            });
            Ok(Viewer {
                name: display_name.unwrap_or(who.user.name()).to_owned(),
                guest_notice: (!who.signed_in())
                    .then(|| self.identity().guest_notice())
                    .flatten(),
                principal: who,
                sign_in: self
                    .identity()
                    .providers
                    .iter()
                    .map(|p| SignInOption {
                        id: p.id.clone(),
                        name: p.name.clone(),
                    })
                    .collect(),
            })
        })
    }

    fn my_tokens(&self, who: Principal) -> ServiceFuture<'_, Vec<TokenInfo>> {
        Box::pin(async move {
            let owner = who.user.clone();
            Ok(Portal::tokens(self, &who, Some(&owner)).await?)
        })
    }

    fn create_my_token(
        &self,
        who: Principal,
        request: TokenRequest,
    ) -> ServiceFuture<'_, NewToken> {
        Box::pin(async move {
            let owner = who.user.clone();
            Ok(Portal::create_token(self, &who, &owner, &request).await?)
        })
    }

    fn revoke_my_token(&self, who: Principal, id: String) -> ServiceFuture<'_, ()> {
        Box::pin(async move {
            Portal::revoke_token(self, &who, &id).await?;
            Ok(())
        })
    }

    fn mine(
        &self,
        who: Principal,
        starred: Starred,
    ) -> ServiceFuture<'_, app::model::identity::mine::Mine> {
        Box::pin(async move { Ok(Portal::mine(self, &who, &starred).await?) })
    }

    fn audit_page(
        &self,
        who: Principal,
        query: app::model::identity::audit::AuditQuery,
    ) -> ServiceFuture<'_, app::api::AuditAnswer> {
        use app::api::AuditAnswer;
        Box::pin(async move {
            match Portal::audit_page(self, &who, &query).await {
                Ok(page) => Ok(AuditAnswer::Page(page)),
                Err(identity::AuditError::Invalid(why)) => Ok(AuditAnswer::BadQuery(why)),
                Err(identity::AuditError::Refused(refusal)) => {
                    Ok(AuditAnswer::Refused(refusal.message))
                }
                Err(identity::AuditError::Store(error)) => Err(error.into()),
            }
        })
    }

    fn impact(
        &self,
        who: Principal,
        entity_ref: EntityRef,
        way: ImpactWay,
    ) -> ServiceFuture<'_, Option<std::sync::Arc<Impact>>> {
        Box::pin(async move { Ok(Portal::impact(self, &who, &entity_ref, way).await?) })
    }

    fn sign_embed_link(
        &self,
        who: Principal,
        widget: app::model::embed::widget::Widget,
        entity_ref: EntityRef,
        days: u32,
    ) -> ServiceFuture<'_, app::model::embed::signed::SignedLink> {
        Box::pin(async move { Ok(Portal::sign_link(self, &who, widget, &entity_ref, days).await?) })
    }
}
