//! The last of a burst of calls, run once the calls pause: a search box asks the server
//! when the person stops typing, not at each key.

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
