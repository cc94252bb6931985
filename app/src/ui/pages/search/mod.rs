//! `/search`: one box over entities, docs pages, API definitions and templates.
//!
//! The URL is the state ([`SearchRequest`]): facet values and page links are plain
//! links, and the box is a GET form, so the page works before it is interactive and
//! with JavaScript off; once it is, results follow the box as the person types. The
//! quick-open dialog ([`quick_open`]) searches from every page.

mod hit;
mod quick_open;
pub mod recent;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_location};

pub use quick_open::QuickOpen;

use crate::{
    api::get_search,
    model::search::{
        url::{SearchFacet, SEARCH_PATH},
        FacetCount, ResultType, SearchRequest, SearchResults,
    },
    ui::{
        status::FailedStatus,
        typing::{url_search_box, UrlSearchBox},
    },
};
use hit::{owner_label, HitView};

/// The least time between two searches of the box (its first key searches at once).
const SEARCH_GAP_MS: u64 = 30;

/// The search page.
#[component]
pub fn SearchPage() -> impl IntoView {
    let location = use_location();
    let request = Memo::new(move |_| SearchRequest::from_query(&location.search.get()));
    let results = Resource::new(move || request.get(), get_search);
    let title_of = |request: &SearchRequest| match request.term.trim() {
        "" => "Search".to_owned(),
        term => format!("{term} – Search"),
    };
    // The server reads the title after the page is rendered, when under load the page's
    // memo may already be disposed: it then has the title of the request's own URL.
    let first_title = request.with_untracked(title_of);
    let title = move || {
        request
            .try_with(title_of)
            .unwrap_or_else(|| first_title.clone())
    };
    view! {
        <Title text=title />
        <div class="search-page">
            <header class="search-page__header">
                <h1>"Search"</h1>
                <SearchBox request />
            </header>
            <Transition fallback=|| view! { <p class="muted">"Searching…"</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(results) => view! { <Found results request /> }.into_any(),
                        Err(error) => view! {
                            <FailedStatus />
                            <p class="notice notice--error" role="alert">
                                {format!("The search failed: {error}. Try again; if it persists, the portal's log says why.")}
                            </p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// The box: a GET form to `/search` keeping the chosen facets, that searches as the
/// person types once the page is interactive.
#[component]
fn SearchBox(request: Memo<SearchRequest>) -> impl IntoView {
    let UrlSearchBox {
        shown,
        text,
        go,
        on_input,
    } = url_search_box(
        "search-term",
        move || request.with(|r| r.term.clone()),
        move |term| Some(request.try_get_untracked()?.searching(term).href()),
        SEARCH_GAP_MS,
    );
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        recent::remember(&text.get_untracked());
        go(text.get_untracked());
    };
    // Without JavaScript the form sends the chosen facets along.
    let hidden = move || {
        let request = request.get();
        SearchFacet::ALL
            .into_iter()
            .map(|facet| (facet.param(), request.chosen(facet).join(",")))
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
            .collect_view()
    };
    view! {
        <form class="search" method="get" action=SEARCH_PATH role="search" on:submit=on_submit>
            {hidden}
            <label class="visually-hidden" for="search-term">"Search the portal"</label>
            <input
                id="search-term"
                type="search"
                name="q"
                placeholder="Search entities, docs, APIs and templates"
                autocomplete="off"
                data-testid="search-term"
                value=shown
                prop:value=move || text.get()
                on:input=on_input
            />
        </form>
    }
}

/// The facets, the results and the page links; or what to do when there are none.
#[component]
fn Found(results: SearchResults, request: Memo<SearchRequest>) -> impl IntoView {
    let current = request.get_untracked();
    let facets = SearchFacet::ALL
        .into_iter()
        .map(|facet| view! { <FacetValues facet counts=results.facets.of(facet).to_vec() request /> })
        .collect_view();
    let body = if current.term.trim().is_empty() {
        view! {
            <div class="notice" data-testid="search-empty">
                <p>
                    "Type to search entities, their docs, API definitions and templates. "
                    "Put words in quotes to find them side by side: "
                    <code>"\"retry budget\""</code>
                    "."
                </p>
            </div>
            <recent::RecentSearches />
        }
        .into_any()
    } else if results.hits.is_empty() {
        let everything = SearchRequest {
            term: current.term.clone(),
            ..SearchRequest::default()
        };
        let widen = (current != everything).then(|| {
            view! { " " <A href=everything.href()>"Search everything"</A> " instead." }
        });
        view! {
            <div class="notice" data-testid="search-none">
                <p>{format!("Nothing matches “{}”.", current.term.trim())} {widen}</p>
            </div>
        }
        .into_any()
    } else {
        let first = results.offset + 1;
        let last = results.offset + results.hits.len();
        let term = current.term.clone();
        view! {
            <p class="search-page__count" data-testid="search-count" aria-live="polite">
                {format!(
                    "{first}–{last} of {} {}",
                    results.total,
                    if results.total == 1 { "result" } else { "results" },
                )}
            </p>
            <ol class="search-hits" data-testid="search-hits" start=first>
                {results
                    .hits
                    .into_iter()
                    .map(|hit| view! { <HitView hit term=term.clone() /> })
                    .collect_view()}
            </ol>
            <Pager total=results.total request />
        }
        .into_any()
    };
    view! {
        <aside class="search-page__facets" aria-label="Filters">{facets}</aside>
        <section class="search-page__results" aria-label="Results" data-term=current.term.clone()>
            {body}
        </section>
    }
}

/// One facet's values with their counts; each value is a link that toggles it.
#[component]
fn FacetValues(
    facet: SearchFacet,
    counts: Vec<FacetCount>,
    request: Memo<SearchRequest>,
) -> impl IntoView {
    if counts.is_empty() {
        return ().into_any();
    }
    let current = request.get_untracked();
    let values = counts
        .into_iter()
        .map(|FacetCount { value, count }| {
            let chosen = current.is_chosen(facet, &value);
            let href = current.toggled(facet, &value).href();
            let label = match facet {
                SearchFacet::Type => ResultType::named(&value)
                    .map(|t| t.label().to_owned())
                    .unwrap_or_else(|| value.clone()),
                SearchFacet::Owner => owner_label(&value),
                SearchFacet::Kind | SearchFacet::Lifecycle => value.clone(),
            };
            view! {
                <li>
                    <A
                        href=href
                        scroll=false
                        attr:class="facet__value"
                        attr:aria-pressed=if chosen { "true" } else { "false" }
                        attr:data-value=value.clone()
                        attr:title=value
                    >
                        <span class="facet__check" aria-hidden="true">{if chosen { "☑" } else { "☐" }}</span>
                        <span class="facet__label">{label}</span>
                        <span class="facet__count">{count}</span>
                    </A>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="facet" aria-label=facet.label() data-facet=facet.param()>
            <h2 class="facet__title">{facet.label()}</h2>
            <ul class="facet__values">{values}</ul>
        </nav>
    }
    .into_any()
}

/// Links to the previous and next pages.
#[component]
fn Pager(total: usize, request: Memo<SearchRequest>) -> impl IntoView {
    let current = request.get_untracked();
    let pages = current.pages(total);
    if pages <= 1 {
        return ().into_any();
    }
    let page = current.page();
    let link = |to: Option<usize>, label: &'static str, rel: &'static str| {
        match to {
        Some(to) => view! { <A href=current.on_page(to).href() attr:rel=rel attr:class="pager__link">{label}</A> }.into_any(),
        None => view! { <span class="pager__link pager__link--disabled" aria-disabled="true">{label}</span> }.into_any(),
    }
    };
    view! {
        <nav class="pager" aria-label="Pages">
            {link(page.checked_sub(1), "‹ Previous", "prev")}
            <span class="pager__position">{format!("Page {} of {pages}", page + 1)}</span>
            {link((page + 1 < pages).then_some(page + 1), "Next ›", "next")}
        </nav>
    }
    .into_any()
}
