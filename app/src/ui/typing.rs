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
