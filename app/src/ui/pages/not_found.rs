//! Any path no route matches: a 404 page that helps the person find their way.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_location};

/// The page for an unknown path. On the server it also sets the HTTP status to 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    crate::ui::status::not_found();
    let path = use_location().pathname;
    view! {
        <Title text="Page not found" />
        <h1>"Page not found"</h1>
        <div class="notice" data-testid="not-found">
            <p>
                "Nothing lives at " <code>{move || path.get()}</code>
                ". The link may be old, or the entity may have been removed from the catalog."
            </p>
            <p>
                <A href="/">"Go to the home page"</A>
            </p>
        </div>
    }
}
