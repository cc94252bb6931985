//! The quick-open dialog: search from any page with Ctrl/⌘-K or `/`, move through the
//! results with the arrow keys, open one with Enter, close with Escape.
//!
//! The navigation's "Search" link opens it too (a plain link to `/search` without
//! JavaScript, or when opened in a new tab). The dialog's code is a wasm chunk of its
//! own, fetched when it is first opened.

use leptos::{lazy, prelude::*};

use super::{hit::owner_label, recent};
use crate::{
    api::get_search,
    model::search::{url::SEARCH_PATH, SearchHit, SearchRequest, SearchResults},
    ui::typing::Debounce,
};

/// Results the dialog lists.
const LISTED: usize = 8;
/// How long the dialog waits after the last keystroke before it asks the server.
const DEBOUNCE_MS: u64 = 30;

/// The navigation's "Search" link, and the dialog it and the shortcuts open.
#[component]
pub fn QuickOpen() -> impl IntoView {
    let open = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let listener = window_event_listener(leptos::ev::keydown, move |event| {
            if open.get_untracked() {
                return;
            }
            let key = event.key();
            let chord = (event.ctrl_key() || event.meta_key()) && key.eq_ignore_ascii_case("k");
            let slash = key == "/"
                && !(event.ctrl_key() || event.meta_key() || event.alt_key())
                && !typing_in(event.target());
            if chord || slash {
                event.prevent_default();
                open.set(true);
            }
        });
        on_cleanup(move || listener.remove());
    }
    let on_click = move |event: leptos::ev::MouseEvent| {
        // A modified or middle click opens the page, as links do.
        if event.button() == 0 && !(event.ctrl_key() || event.meta_key() || event.shift_key()) {
            event.prevent_default();
            open.set(true);
        }
    };
    view! {
        <a
            href=SEARCH_PATH
            title="Search the portal (Ctrl+K or /)"
            aria-keyshortcuts="Control+K Meta+K /"
            data-testid="quick-open-link"
            on:click=on_click
        >
            "Search"
        </a>
        {move || {
            open.get().then(|| {
                view! {
                    <Suspense fallback=|| ()>{Suspend::new(dialog(open))}</Suspense>
                }
            })
        }}
    }
}

/// Whether `target` is a place where `/` is typed rather than a shortcut.
#[cfg(feature = "hydrate")]
fn typing_in(target: Option<web_sys::EventTarget>) -> bool {
    use wasm_bindgen::JsCast;
    target
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
        .is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || element.is_content_editable()
        })
}

/// The dialog, in a wasm chunk of its own.
#[lazy]
fn dialog(open: RwSignal<bool>) -> AnyView {
    view! { <Dialog open /> }.into_any()
}

/// A term and the results the server found for it.
type Answer = (String, Result<SearchResults, ServerFnError>);

/// What the list offers: results while something is typed, recent searches before.
#[derive(Clone, Debug, PartialEq)]
enum Choice {
    Hit(SearchHit),
    Recent(String),
}

#[component]
fn Dialog(open: RwSignal<bool>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    // What was typed, once the person pauses.
    let term = RwSignal::new(String::new());
    let selected = RwSignal::new(0usize);
    let recent = StoredValue::new(recent::load());
    // The latest answer and the term it answers. Kept in a signal rather than read
    // from a resource: a resource read under the Suspense that loads the dialog would
    // take the dialog out of the page while each search loads, and the input would
    // lose the focus.
    let results: RwSignal<Option<Answer>> = RwSignal::new(None);
    Effect::new(move |_| {
        let asked = term.get();
        leptos::task::spawn_local(async move {
            let found = if asked.trim().is_empty() {
                Ok(SearchResults::default())
            } else {
                get_search(SearchRequest {
                    term: asked.clone(),
                    limit: LISTED,
                    ..SearchRequest::default()
                })
                .await
            };
            // An answer to a term since replaced is dropped (the dialog may be closed).
            if term.try_get_untracked().as_deref() == Some(asked.as_str()) {
                results.try_set(Some((asked, found)));
            }
        });
    });
    let choices = Memo::new(move |_| {
        if text.with(|t| t.trim().is_empty()) {
            return recent.get_value().into_iter().map(Choice::Recent).collect();
        }
        results.with(|answer| match answer {
            Some((_, Ok(found))) => found.hits.iter().cloned().map(Choice::Hit).collect(),
            _ => Vec::new(),
        })
    });
    let total = move || {
        results.with(|answer| match answer {
            Some((_, Ok(found))) => found.total,
            _ => 0,
        })
    };
    // The term the list shows results of (for tests and the benchmark).
    let shown_term = move || {
        results.with(|answer| {
            answer
                .as_ref()
                .map(|(term, _)| term.clone())
                .unwrap_or_default()
        })
    };
    let input = NodeRef::<leptos::html::Input>::new();
    // Focused once the dialog is in the page (it is built before it is inserted).
    Effect::new(move |_| {
        if input.get().is_some() {
            request_animation_frame(move || {
                if let Some(input) = input.get_untracked() {
                    let _ = input.focus();
                }
            });
        }
    });
    let debounce = Debounce::new(DEBOUNCE_MS);
    let on_input = move |event: leptos::ev::Event| {
        let value = event_target_value(&event);
        text.set(value.clone());
        selected.set(0);
        debounce.call(move || term.set(value));
    };
    let navigate = leptos_router::hooks::use_navigate();
    let go = move |href: &str| {
        recent::remember(&text.get_untracked());
        open.set(false);
        navigate(href, Default::default());
    };
    let all_results = move || SearchRequest::default().searching(text.get().trim()).href();
    // A recent search chosen is searched at once.
    let term_now = move |value: String| {
        selected.set(0);
        term.set(value);
    };
    let choose = {
        let go = go.clone();
        move |choice: Choice| match choice {
            Choice::Hit(hit) => go(&hit.about.location),
            Choice::Recent(term) => {
                text.set(term.clone());
                term_now(term);
            }
        }
    };
    let on_keydown = {
        let choose = choose.clone();
        let go = go.clone();
        move |event: leptos::ev::KeyboardEvent| {
            let count = choices.with(Vec::len);
            match event.key().as_str() {
                "ArrowDown" if count > 0 => {
                    event.prevent_default();
                    selected.update(|s| *s = (*s + 1) % count);
                }
                "ArrowUp" if count > 0 => {
                    event.prevent_default();
                    selected.update(|s| *s = (*s + count - 1) % count);
                }
                "Enter" => {
                    event.prevent_default();
                    match choices.with(|c| c.get(selected.get_untracked()).cloned()) {
                        Some(choice) => choose(choice),
                        None if !text.get_untracked().trim().is_empty() => go(&all_results()),
                        None => {}
                    }
                }
                "Escape" => {
                    event.prevent_default();
                    open.set(false);
                }
                _ => {}
            }
        }
    };
    let list = move || {
        let choose = choose.clone();
        choices
            .get()
            .into_iter()
            .enumerate()
            .map(|(n, choice)| {
                let is_selected = move || selected.get() == n;
                let picked = choice.clone();
                let choose = choose.clone();
                let body = match choice {
                    Choice::Hit(hit) => {
                        let facts: Vec<String> = [Some(hit.about.kind.clone()), hit.about.owner.as_deref().map(owner_label)]
                            .into_iter()
                            .flatten()
                            .collect();
                        view! {
                            <span class="quick-open__type">{hit.about.result_type.label()}</span>
                            <span class="quick-open__title">{hit.about.title}</span>
                            {hit.section.map(|s| view! { <span class="quick-open__section">{s}</span> })}
                            <span class="quick-open__facts">{facts.join(" · ")}</span>
                        }
                        .into_any()
                    }
                    Choice::Recent(term) => view! {
                        <span class="quick-open__type">"Recent"</span>
                        <span class="quick-open__title">{term}</span>
                    }
                    .into_any(),
                };
                view! {
                    <li
                        id=format!("quick-open-{n}")
                        role="option"
                        class="quick-open__choice"
                        aria-selected=move || if is_selected() { "true" } else { "false" }
                        on:mousemove=move |_| selected.set(n)
                        on:click=move |_| choose(picked.clone())
                    >
                        {body}
                    </li>
                }
            })
            .collect_view()
    };
    let status = move || {
        let typed = text.get();
        if typed.trim().is_empty() {
            return "Type to search entities, docs, APIs and templates.".to_owned();
        }
        results.with(|answer| match answer {
            None => "Searching…".to_owned(),
            Some((_, Err(error))) => {
                format!("The search failed: {}", crate::api::reason(error))
            }
            Some((shown, _)) if shown.trim() != typed.trim() => "Searching…".to_owned(),
            Some((_, Ok(found))) if found.total == 0 => {
                format!("Nothing matches “{}”.", typed.trim())
            }
            Some(_) => String::new(),
        })
    };
    view! {
        <div class="quick-open" on:click=move |_| open.set(false)>
            <div
                class="quick-open__panel"
                role="dialog"
                aria-modal="true"
                aria-label="Search the portal"
                data-testid="quick-open"
                on:click=|event| event.stop_propagation()
            >
                <input
                    node_ref=input
                    type="search"
                    class="quick-open__input"
                    placeholder="Search entities, docs, APIs and templates"
                    autocomplete="off"
                    role="combobox"
                    aria-expanded="true"
                    aria-controls="quick-open-list"
                    aria-activedescendant=move || (choices.with(|c| !c.is_empty())).then(|| format!("quick-open-{}", selected.get()))
                    prop:value=move || text.get()
                    on:input=on_input
                    on:keydown=on_keydown
                />
                <ul id="quick-open-list" class="quick-open__list" role="listbox" aria-label="Results" data-term=shown_term>
                    {list}
                </ul>
                <p class="quick-open__status" role="status">{status}</p>
                <p class="quick-open__footer">
                    <a href=all_results on:click=move |_| open.set(false)>
                        {move || match total() {
                            0 => "Open the search page".to_owned(),
                            n => format!("All {n} results"),
                        }}
                    </a>
                    <span class="muted">
                        <kbd>"↑"</kbd> <kbd>"↓"</kbd> " to move · " <kbd>"Enter"</kbd> " to open · " <kbd>"Esc"</kbd> " to close"
                    </span>
                </p>
            </div>
        </div>
    }
}
