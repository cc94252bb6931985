//! Recent searches, kept in the browser: offered by the search page and the quick-open
//! dialog while their box is empty.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::model::search::{recent, SearchRequest};

/// The recent searches, newest first (none on the server).
pub fn load() -> Vec<String> {
    #[cfg(feature = "hydrate")]
    {
        window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|storage| storage.get_item(recent::STORAGE_KEY).ok().flatten())
            .map(|text| recent::read(&text))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    Vec::new()
}

/// Remembers `term` as the newest recent search.
pub fn remember(term: &str) {
    let terms = recent::remembered(load(), term);
    #[cfg(feature = "hydrate")]
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(recent::STORAGE_KEY, &recent::write(&terms));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = terms;
}

/// Links to the recent searches, read once the page is interactive (the server does not
/// know them, so the first render has none either way).
#[component]
pub fn RecentSearches() -> impl IntoView {
    let terms = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| terms.set(load()));
    move || {
        let terms = terms.get();
        (!terms.is_empty()).then(|| {
            view! {
                <nav class="recent-searches" aria-label="Recent searches" data-testid="recent-searches">
                    <h2 class="facet__title">"Recent searches"</h2>
                    <ul>
                        {terms
                            .into_iter()
                            .map(|term| {
                                let href = SearchRequest::default().searching(&term).href();
                                view! { <li><A href=href>{term}</A></li> }
                            })
                            .collect_view()}
                    </ul>
                </nav>
            }
        })
    }
}
