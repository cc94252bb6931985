//! The frame around every page: the header with the product name, navigation and theme
//! switch, and the footer.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{pages::search::QuickOpen, theme::ThemeSwitch};
use crate::model::{search::url::SEARCH_PATH, theme::ThemePreference};

/// The sections of the portal, in the order the navigation shows them.
const SECTIONS: [(&str, &str); 5] = [
    ("/catalog", "Catalog"),
    ("/create", "Create"),
    ("/docs", "Docs"),
    ("/graph", "Graph"),
    (SEARCH_PATH, "Search"),
];

/// The page frame. `children` is the routed page.
#[component]
pub fn Layout(theme: RwSignal<ThemePreference>, children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="site-header__inner">
                <A href="/" attr:class="brand">
                    <span class="brand__mark" aria-hidden="true">"▚"</span>
                    <span class="brand__name">"Portico"</span>
                </A>
                <nav class="site-nav" aria-label="Main">
                    <ul>
                        {SECTIONS
                            .into_iter()
                            .map(|(href, label)| {
                                // "Search" opens the quick-open dialog once the page is
                                // interactive.
                                let link = if href == SEARCH_PATH {
                                    view! { <QuickOpen /> }.into_any()
                                } else {
                                    view! { <A href=href>{label}</A> }.into_any()
                                };
                                view! { <li>{link}</li> }
                            })
                            .collect_view()}
                    </ul>
                </nav>
                <super::pages::UserMenu />
                <ThemeSwitch theme />
            </div>
        </header>
        <main id="main" class="site-main">
            {children()}
        </main>
        <footer class="site-footer">
            <p>"Portico — a developer portal in one binary. Reads Backstage descriptors unchanged."</p>
        </footer>
    }
}
