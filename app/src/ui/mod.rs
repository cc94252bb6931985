//! Components and pages, named after what the user sees.
//!
//! [`shell`] is the HTML document the server sends; [`App`] is the part the browser
//! hydrates: the layout and the router with one route per page in [`pages`].

mod api_definition;
#[cfg(feature = "hydrate")]
pub(crate) mod dom;
mod form_fields;
mod layout;
pub mod pages;
mod stars;
pub mod status;
mod theme;
mod typing;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    Lazy, ParamSegment, SsrMode, StaticSegment, WildcardSegment,
};

/// The HTML document around [`App`], rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let theme = theme::initial_preference();
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=theme.as_str()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name) />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// A page's title, `… · Portico`. leptos_meta (0.8.7) writes the server's `<title>`
/// without escaping it, so that a title from the catalog could close the element and
/// add markup: on the server the text is escaped here. The browser sets
/// `document.title`, which is text.
fn page_title(page: &str) -> String {
    let title = format!("{page} · Portico");
    #[cfg(feature = "ssr")]
    let title = crate::model::docs::html::escape(&title);
    title
}

/// The whole interactive application: layout, navigation and pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let theme = RwSignal::new(theme::initial_preference());
    provide_context(stars::Stars(RwSignal::new(stars::initial())));
    theme::mark_hydrated();

    view! {
        <Title formatter=|page: String| page_title(&page) />
        <Router>
            <layout::Layout theme>
                <Routes fallback=pages::NotFoundPage>
                    <Route path=StaticSegment("") view=pages::HomePage ssr=SsrMode::Async />
                    <Route path=StaticSegment("catalog") view=pages::CatalogPage ssr=SsrMode::Async />
                    <Route
                        path=(
                            StaticSegment("catalog"),
                            ParamSegment("namespace"),
                            ParamSegment("kind"),
                            ParamSegment("name"),
                        )
                        view={Lazy::<pages::EntityRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("create") view={Lazy::<pages::CreateRoute>::new()} ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("create"), StaticSegment("templates"), ParamSegment("namespace"), ParamSegment("name"))
                        view={Lazy::<pages::TemplateRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=(StaticSegment("create"), StaticSegment("tasks")) view={Lazy::<pages::TasksRoute>::new()} ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("create"), StaticSegment("tasks"), ParamSegment("id"))
                        view={Lazy::<pages::TaskRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("docs") view={Lazy::<pages::DocsListRoute>::new()} ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("docs"), ParamSegment("namespace"), ParamSegment("kind"), ParamSegment("name"), WildcardSegment("path"))
                        view={Lazy::<pages::DocsReaderRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("graph") view={Lazy::<pages::GraphRoute>::new()} ssr=SsrMode::Async />
                    <Route path=StaticSegment("search") view={Lazy::<pages::SearchRoute>::new()} ssr=SsrMode::Async />
                    <Route path=StaticSegment("signin") view={Lazy::<pages::SignInRoute>::new()} ssr=SsrMode::Async />
                    <Route path=StaticSegment("tokens") view={Lazy::<pages::TokensRoute>::new()} ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("audit"))
                        view={Lazy::<pages::AuditRoute>::new()}
                        ssr=SsrMode::Async
                    />
                </Routes>
            </layout::Layout>
        </Router>
    }
}
