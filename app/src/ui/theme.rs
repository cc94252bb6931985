//! The light/dark theme switch.
//!
//! The server renders `<html data-theme="…">` from the person's cookie; the stylesheet
//! follows the system for `system` and forces the colours otherwise. Pressing the switch
//! updates the attribute and the cookie at once, so the next page load from the server
//! already has the chosen theme.

use leptos::prelude::*;

use crate::model::theme::ThemePreference;

/// The preference the page starts with. The server reads the request's cookie; the
/// browser reads what the server rendered, so hydration sees the same markup.
pub fn initial_preference() -> ThemePreference {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| {
                let header = parts.headers.get(http::header::COOKIE)?;
                Some(ThemePreference::from_cookie_header(header.to_str().ok()?))
            })
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("data-theme"))
            .map(|value| ThemePreference::parse(&value))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        ThemePreference::default()
    }
}

/// Marks `<body data-hydrated>` once the browser has taken over the page. Browser tests
/// wait for it before they click; effects never run on the server.
pub fn mark_hydrated() {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// Remembers the preference in a cookie and applies it to the page (browser only).
fn apply(preference: ThemePreference) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let document = document();
        if let Some(html) = document.document_element() {
            let _ = html.set_attribute("data-theme", preference.as_str());
        }
        if let Ok(document) = document.dyn_into::<web_sys::HtmlDocument>() {
            let _ = document.set_cookie(&preference.cookie());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = preference;
}

/// A button that cycles System → Light → Dark.
#[component]
pub fn ThemeSwitch(theme: RwSignal<ThemePreference>) -> impl IntoView {
    let switch = move |_| {
        let next = theme.get().next();
        theme.set(next);
        apply(next);
    };
    view! {
        <button
            type="button"
            class="theme-switch"
            id="theme-switch"
            data-theme-choice=move || theme.get().as_str()
            title=move || format!("Theme: {}. Press to switch to {}.", theme.get(), theme.get().next())
            on:click=switch
        >
            <span class="theme-switch__icon" aria-hidden="true">
                {move || match theme.get() {
                    ThemePreference::System => "◐",
                    ThemePreference::Light => "☀",
                    ThemePreference::Dark => "☾",
                }}
            </span>
            <span class="theme-switch__label">{move || theme.get().label()}</span>
        </button>
    }
}
