//! One page per file; each is a route in [`crate::ui::App`].
//!
//! The catalog and home pages are in the browser's first download. The
//! others are [`LazyRoute`]s: their code is split into wasm chunks of their own (by
//! `.ci/split-wasm`, see `.ci/lib.sh`) that the browser fetches when the route is first
//! shown, or, on a first visit to such a page, along with the main bundle (the server
//! names the chunks the page needs). On the server a lazy route renders like any other.

mod catalog;
mod create;
mod docs;
pub mod embed;
mod entity;
mod graph;
mod home;
mod identity;
mod not_found;
pub mod search;
mod task;
mod template;

use leptos::prelude::*;
use leptos_router::LazyRoute;

pub use catalog::CatalogPage;
pub use home::HomePage;
pub use identity::UserMenu;
pub use not_found::NotFoundPage;

/// Declares `$route`, a lazily loaded route showing the page component `$page`. The
/// page reads its own parameters and data, so the route carries none.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident => $page:path) => {
        $(#[$doc])*
        pub struct $route;

        #[cfg(any(feature = "hydrate", feature = "ssr"))]
        #[leptos_router::lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }

        // Built with neither (the model's tests compiled to wasm), nothing is split.
        #[cfg(not(any(feature = "hydrate", feature = "ssr")))]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    };
}

lazy_page!(
    /// `/catalog/{namespace}/{kind}/{name}`: one entity.
    EntityRoute => entity::EntityPage
);
lazy_page!(
    /// `/create`: the template gallery.
    CreateRoute => create::CreatePage
);
lazy_page!(
    /// `/create/templates/{namespace}/{name}`: a template's form.
    TemplateRoute => template::TemplatePage
);
lazy_page!(
    /// `/create/tasks`: the tasks run so far.
    TasksRoute => task::TasksPage
);
lazy_page!(
    /// `/create/tasks/{id}`: one task and its log.
    TaskRoute => task::TaskPage
);
lazy_page!(
    /// `/graph`: the part of the catalog around some entities, drawn.
    GraphRoute => graph::GraphPage
);
lazy_page!(
    /// `/docs`: every documented entity.
    DocsListRoute => docs::DocsListPage
);
lazy_page!(
    /// `/docs/{namespace}/{kind}/{name}/{page…}`: reading an entity's docs.
    DocsReaderRoute => docs::DocsReaderPage
);
lazy_page!(
    /// `/signin`: the providers to sign in with.
    SignInRoute => identity::SignInPage
);
lazy_page!(
    /// `/tokens`: the person's API tokens.
    TokensRoute => identity::TokensPage
);
lazy_page!(
    /// `/admin/audit`: the audit log, for admins.
    AuditRoute => identity::AuditLogPage
);
lazy_page!(
    /// `/search`: search results with facets.
    SearchRoute => search::SearchPage
);
