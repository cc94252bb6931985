//! What every box that acts as the person types shares: the pause it waits for (a
//! search box asks the server when the person stops typing, not at each key), and what
//! was typed before the page became interactive.

use std::time::Duration;

use leptos::{leptos_dom::helpers::TimeoutHandle, prelude::*};

/// Runs the last call it was given once no other came for `wait`. A call still waiting
/// when its component goes away never runs (it would find the component's signals gone).
#[derive(Clone, Copy)]
pub struct Debounce {
    wait: Duration,
    pending: StoredValue<Option<TimeoutHandle>>,
}

impl Debounce {
    /// A debouncer waiting `wait_ms` milliseconds, owned by the current component.
    pub fn new(wait_ms: u64) -> Self {
        let debounce = Self {
            wait: Duration::from_millis(wait_ms),
            pending: StoredValue::new(None),
        };
        on_cleanup(move || debounce.cancel());
        debounce
    }

    /// Runs `call` after the wait, instead of the call waiting before it.
    pub fn call(&self, call: impl FnOnce() + 'static) {
        self.cancel();
        let handle = set_timeout_with_handle(call, self.wait).ok();
        self.pending.try_set_value(handle);
    }

    /// Forgets the call waiting, if any.
    pub fn cancel(&self) {
        if let Some(handle) = self.pending.try_get_value().flatten() {
            handle.clear();
        }
    }
}

/// What was typed into the text box `id` before the page became interactive, when it is
/// not `shown` (what the server rendered). Read while the page hydrates, before
/// hydrating puts the server's value back; `None` at any other time.
pub fn typed_before_hydration(id: &str, shown: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let hydrating = Owner::current_shared_context().is_some_and(|c| c.during_hydration());
        if !hydrating {
            return None;
        }
        let element = document().get_element_by_id(id)?;
        let value = element
            .dyn_into::<web_sys::HtmlInputElement>()
            .ok()?
            .value();
        (value != shown).then_some(value)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (id, shown);
        None
    }
}

/// A search box whose page keeps its search in the URL (the catalog's, the search
/// page's): what the server showed in it, its text, the search it asks for, and its
/// `input` handler.
pub struct UrlSearchBox<Go, OnInput> {
    /// The term the URL held when the page was made (the box's `value` attribute).
    pub shown: String,
    /// What the box shows: follows the URL (back/forward), except while the person types.
    pub text: RwSignal<String>,
    /// Searches a term at once: replaces the URL with the page's URL for it.
    pub go: Go,
    /// Searches what was typed once the person pauses.
    pub on_input: OnInput,
}

/// The search box `id` of a page whose URL holds the term `in_url` gives (read tracked),
/// and whose URL for a term `href` gives (`None` once the page is gone). Words typed
/// before the page was interactive are kept and searched.
pub fn url_search_box<Href>(
    id: &str,
    in_url: impl Fn() -> String + 'static,
    href: Href,
    wait_ms: u64,
) -> UrlSearchBox<impl Fn(String) + Clone + 'static, impl Fn(leptos::ev::Event) + 'static>
where
    Href: Fn(&str) -> Option<String> + Clone + 'static,
{
    let shown = untrack(&in_url);
    let early = typed_before_hydration(id, &shown);
    let text = RwSignal::new(early.clone().unwrap_or_else(|| shown.clone()));
    Effect::new(move |_| {
        let current = in_url();
        if text.get_untracked().trim() != current.trim() {
            text.set(current);
        }
    });
    let navigate = leptos_router::hooks::use_navigate();
    let go = move |term: String| {
        if let Some(href) = href(&term) {
            navigate(
                &href,
                leptos_router::NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    };
    let debounce = Debounce::new(wait_ms);
    if let Some(early) = early {
        let go = go.clone();
        debounce.call(move || go(early));
    }
    let on_input = {
        let go = go.clone();
        move |event: leptos::ev::Event| {
            let value = event_target_value(&event);
            text.set(value.clone());
            let go = go.clone();
            debounce.call(move || go(value));
        }
    };
    UrlSearchBox {
        shown,
        text,
        go,
        on_input,
    }
}
