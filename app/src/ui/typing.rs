//! What every box that acts as the person types shares: the pause it waits for (a
//! picker asks the server when the person stops typing, not at each key), the pace of a
//! search box that asks at once but not at every key of a burst, and what was typed
//! before the page became interactive.

use std::{cell::Cell, rc::Rc, time::Duration};

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

/// Runs a call at once unless another ran less than `gap` ago; then it runs the last
/// call given once the gap has passed. The first key of a burst is answered without
/// waiting, and a held key or fast typing asks at most once per gap. A call still
/// waiting when its component goes away never runs.
#[derive(Clone)]
pub struct Throttle {
    gap: Duration,
    /// The timer ending the current gap, while one runs.
    gap_ends: StoredValue<Option<TimeoutHandle>>,
    /// The last call given during the gap (in the browser's one thread: a call need not
    /// be `Send`, so it is kept out of the component's reactive storage, which the
    /// server may clean up on another thread).
    waiting: Rc<Cell<Option<Call>>>,
}

/// A call a [`Throttle`] keeps until its gap ends.
type Call = Box<dyn FnOnce()>;

impl Throttle {
    /// A throttle with calls at least `gap_ms` milliseconds apart, owned by the current
    /// component.
    pub fn new(gap_ms: u64) -> Self {
        let gap_ends = StoredValue::new(None::<TimeoutHandle>);
        on_cleanup(move || {
            if let Some(handle) = gap_ends.try_get_value().flatten() {
                handle.clear();
            }
        });
        Self {
            gap: Duration::from_millis(gap_ms),
            gap_ends,
            waiting: Rc::default(),
        }
    }

    /// Runs `call` now, or at the end of the current gap instead of the call waiting.
    pub fn call(&self, call: impl FnOnce() + 'static) {
        if self
            .gap_ends
            .try_with_value(Option::is_some)
            .unwrap_or(false)
        {
            self.waiting.set(Some(Box::new(call)));
        } else {
            call();
            self.start_gap();
        }
    }

    fn start_gap(&self) {
        let throttle = self.clone();
        let end = move || {
            throttle.gap_ends.try_set_value(None);
            if let Some(call) = throttle.waiting.take() {
                call();
                throttle.start_gap();
            }
        };
        let handle = set_timeout_with_handle(end, self.gap).ok();
        self.gap_ends.try_set_value(handle);
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

/// The text of a box that the page's URL also holds (trimmed), and that the URL holds
/// after typing in it: the box follows the URL when something else changes it
/// (back/forward), never when the URL is catching up with what was typed. Navigations
/// arrive one at a time after the keys that caused them, so each text sent to the URL is
/// remembered until the URL shows it; its arrival then leaves alone the letters typed
/// since.
#[derive(Clone, Copy)]
pub struct UrlText {
    /// What the box shows.
    pub text: RwSignal<String>,
    /// Texts sent to the URL that it does not show yet, oldest first.
    sent: StoredValue<Vec<String>>,
}

impl UrlText {
    /// A box showing `initial`, whose text the URL holds as `in_url` reads it (tracked).
    /// What the URL holds when the page is made changes nothing.
    pub fn new(initial: String, in_url: impl Fn() -> String + 'static) -> Self {
        let text = RwSignal::new(initial);
        let sent = StoredValue::new(Vec::<String>::new());
        Effect::new(move |ran: Option<()>| {
            let current = in_url();
            if ran.is_none() {
                return;
            }
            let current = current.trim();
            match sent.with_value(|s| s.iter().position(|t| t == current)) {
                Some(at) => sent.update_value(|s| drop(s.drain(..=at))),
                None => {
                    sent.update_value(Vec::clear);
                    if text.get_untracked().trim() != current {
                        text.set(current.to_owned());
                    }
                }
            }
        });
        Self { text, sent }
    }

    /// Says that the URL is about to hold `typed` (the URL holding `in_url` now): its
    /// arrival is the typing's, not a change to follow.
    pub fn sending(&self, typed: &str, in_url: &str) {
        let typed = typed.trim();
        self.sent.try_update_value(|sent| {
            let last = sent.last().map_or(in_url.trim(), String::as_str);
            if typed != last {
                sent.push(typed.to_owned());
            }
        });
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
    /// Searches what was typed: at once, or at the end of the gap since the last search.
    pub on_input: OnInput,
}

/// The search box `id` of a page whose URL holds the term `in_url` gives (read tracked),
/// and whose URL for a term `href` gives (`None` once the page is gone); searches are at
/// least `gap_ms` apart. Words typed before the page was interactive are kept and
/// searched.
pub fn url_search_box<Href>(
    id: &str,
    in_url: impl Fn() -> String + Clone + 'static,
    href: Href,
    gap_ms: u64,
) -> UrlSearchBox<impl Fn(String) + Clone + 'static, impl Fn(leptos::ev::Event) + 'static>
where
    Href: Fn(&str) -> Option<String> + Clone + 'static,
{
    let shown = untrack(&in_url);
    let early = typed_before_hydration(id, &shown);
    let typed = UrlText::new(
        early.clone().unwrap_or_else(|| shown.clone()),
        in_url.clone(),
    );
    let navigate = leptos_router::hooks::use_navigate();
    let go = move |term: String| {
        let Some(href) = href(&term) else { return };
        typed.sending(&term, &untrack(&in_url));
        navigate(
            &href,
            leptos_router::NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let throttle = Throttle::new(gap_ms);
    if let Some(early) = early {
        // Once hydration is over, not during it.
        let (go, throttle) = (go.clone(), throttle.clone());
        set_timeout(move || throttle.call(move || go(early)), Duration::ZERO);
    }
    let on_input = {
        let go = go.clone();
        move |event: leptos::ev::Event| {
            let value = event_target_value(&event);
            typed.text.set(value.clone());
            let go = go.clone();
            throttle.call(move || go(value));
        }
    };
    UrlSearchBox {
        shown,
        text: typed.text,
        go,
        on_input,
    }
}
