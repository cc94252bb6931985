//! Sections of the portal that are planned but not built yet. Each says so plainly rather
//! than showing an empty shell.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// A page that states what will be here and that it is not available yet.
#[component]
fn NotBuilt(title: &'static str, what: &'static str) -> impl IntoView {
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <div class="notice" data-testid="not-built">
            <p>
                <strong>"Not built yet. "</strong>
                {what}
            </p>
            <p>
                "This section is on Portico's plan but not in this version. "
                <A href="/">"Back to the home page"</A>
            </p>
        </div>
    }
}

/// `/search`
#[component]
pub fn SearchPage() -> impl IntoView {
    view! {
        <NotBuilt
            title="Search"
            what="Search will find entities and documents by name, title, description and tag."
        />
    }
}
