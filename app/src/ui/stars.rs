//! Stars: the entities a person marked, shared by every page through context. The
//! server renders them from the person's cookie; pressing a star updates the signal and
//! the cookie at once.

use leptos::prelude::*;

use crate::model::{catalog::entity_ref::EntityRef, catalog::starred::Starred};

/// The person's stars, provided by [`crate::ui::App`].
#[derive(Clone, Copy)]
pub struct Stars(pub RwSignal<Starred>);

/// The stars the page starts with: the request's cookie on the server, `document.cookie`
/// in the browser (the same cookie, so hydration sees the same marks).
pub fn initial() -> Starred {
    #[cfg(feature = "ssr")]
    {
        crate::api::request_starred()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        use wasm_bindgen::JsCast;
        document()
            .dyn_into::<web_sys::HtmlDocument>()
            .ok()
            .and_then(|document| document.cookie().ok())
            .map(|cookie| Starred::from_cookie_header(&cookie))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Starred::default()
    }
}

/// The stars from context.
pub fn use_stars() -> RwSignal<Starred> {
    expect_context::<Stars>().0
}

/// Stars or unstars `entity_ref`, and remembers it in the cookie.
fn toggle(stars: RwSignal<Starred>, entity_ref: &EntityRef) {
    let next = stars.get_untracked().toggled(entity_ref);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Ok(document) = document().dyn_into::<web_sys::HtmlDocument>() {
            let _ = document.set_cookie(&next.cookie());
        }
    }
    stars.set(next);
}

/// A button that stars or unstars one entity.
#[component]
pub fn StarButton(entity_ref: EntityRef, #[prop(into)] label: String) -> impl IntoView {
    let stars = use_stars();
    let starred = {
        let entity_ref = entity_ref.clone();
        Memo::new(move |_| stars.with(|s| s.contains(&entity_ref)))
    };
    // Marked once the browser has taken the button over (effects run there only): a
    // lazily loaded page's buttons can be hydrated after the rest of the page.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <button
            type="button"
            class="star"
            data-ready=move || ready.get().then_some("true")
            class:star--on=move || starred.get()
            aria-pressed=move || if starred.get() { "true" } else { "false" }
            title=move || if starred.get() { format!("Unstar {label}") } else { format!("Star {label}") }
            on:click=move |_| toggle(stars, &entity_ref)
        >
            <span aria-hidden="true">{move || if starred.get() { "★" } else { "☆" }}</span>
            <span class="visually-hidden">"Starred"</span>
        </button>
    }
}
