//! One search result, as the search page and the quick-open dialog show it.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::model::search::{SearchHit, Snippet};

/// A result: its type, title (a link to it), the part that matched, a snippet with the
/// matches marked, and the entity's kind, owner and lifecycle. Following the link
/// remembers `term` as a recent search (plain data: the page may be gone by then).
#[component]
pub fn HitView(hit: SearchHit, term: String) -> impl IntoView {
    let facts: Vec<String> = [
        Some(hit.about.kind.clone()),
        hit.about.owner.as_deref().map(owner_label),
        hit.about.lifecycle.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    view! {
        <li class="search-hit" data-type=hit.about.result_type.name() data-ref=hit.about.entity_ref.clone()>
            <p class="search-hit__head">
                <span class="search-hit__type">{hit.about.result_type.label()}</span>
                <A href=hit.about.location.clone() attr:class="search-hit__title" on:click=move |_| super::recent::remember(&term)>
                    {hit.about.title.clone()}
                </A>
                {hit.section.clone().map(|section| view! { <span class="search-hit__section">{section}</span> })}
            </p>
            <SnippetView pieces=hit.snippet />
            <p class="search-hit__facts">{facts.join(" · ")}</p>
        </li>
    }
}

/// A snippet, its matches marked.
#[component]
pub fn SnippetView(pieces: Vec<Snippet>) -> impl IntoView {
    (!pieces.is_empty()).then(|| {
        view! {
            <p class="search-hit__snippet">
                {pieces
                    .into_iter()
                    .map(|piece| match piece {
                        Snippet::Plain(text) => text.into_any(),
                        Snippet::Match(text) => view! { <mark>{text}</mark> }.into_any(),
                    })
                    .collect_view()}
            </p>
        }
    })
}

/// An owner as results name it: a group of the default namespace by its name, others
/// by their ref without the default namespace.
pub fn owner_label(owner: &str) -> String {
    match owner.split_once(":default/") {
        Some(("group", name)) => name.to_owned(),
        Some((kind, name)) => format!("{kind}:{name}"),
        None => owner.to_owned(),
    }
}
