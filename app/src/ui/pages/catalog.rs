//! `/catalog`: the catalog table with facets, search, sorting and pages.
//!
//! The URL is the state ([`CatalogView`]): facet values, sort headers and page links are
//! plain links to the next view, so they work before the page is interactive and with
//! JavaScript off; the search box filters as the person types and falls back to a
//! form. The server renders the whole table for the URL it is given.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::{
    api::{get_catalog_facets, get_catalog_page},
    model::{
        catalog::catalog_view::{CatalogPage, CatalogView, Column, FacetCounts, Show},
        catalog::entity_page::entity_href,
        catalog::filter::Order,
    },
    ui::{
        stars::{use_stars, StarButton},
        status::FailedStatus,
        typing::{url_search_box, UrlSearchBox},
    },
};

/// The least time between two searches of the search box: its first key is searched at
/// once, and the keys of a burst (a held key, fast typing) at most once per gap. (A
/// keystroke's requests cost the server ~15 ms of CPU at 100,000 entities.)
const SEARCH_GAP_MS: u64 = 30;

/// The catalog page.
#[component]
pub fn CatalogPage() -> impl IntoView {
    let location = use_location();
    let view = Memo::new(move |_| CatalogView::from_query(&location.search.get()));
    let stars = use_stars();
    // The starred view depends on the stars too; other views do not refetch on a star.
    let starred_key = move || view.with(|v| v.show == Show::Starred).then(|| stars.get());
    let page = Resource::new(
        move || (view.get(), starred_key()),
        |(view, _)| get_catalog_page(view),
    );
    let facets = Resource::new(
        move || (view.get(), starred_key()),
        |(view, _)| get_catalog_facets(view),
    );

    view! {
        <Title text="Catalog" />
        <div class="catalog">
            <header class="catalog__header">
                <h1>"Catalog"</h1>
                <SearchBox view />
            </header>
            // On a narrow screen the facets fold behind this button (CSS, so it works
            // before hydration and without JavaScript).
            <input type="checkbox" id="catalog-filters-toggle" class="catalog__filters-toggle visually-hidden" />
            <label for="catalog-filters-toggle" class="catalog__filters-button" data-testid="filters-toggle">
                "Filters"
            </label>
            <aside class="catalog__facets" aria-label="Filters">
                <StarredFilter view />
                <Transition fallback=|| view! { <p class="muted">"Counting…"</p> }>
                    {move || Suspend::new(async move {
                        match facets.await {
                            Ok(facets) => view! { <Facets facets view /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error=error.to_string() /> }.into_any(),
                        }
                    })}
                </Transition>
            </aside>
            <section class="catalog__results" aria-label="Entities">
                <Transition fallback=|| view! { <p class="muted" data-testid="catalog-loading">"Loading entities…"</p> }>
                    {move || Suspend::new(async move {
                        match page.await {
                            Ok(page) => view! { <Results page view /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error=error.to_string() /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// A failed request, and what to do about it.
#[component]
fn ErrorNotice(error: String) -> impl IntoView {
    view! {
        <FailedStatus />
        <p class="notice notice--error" role="alert">
            {format!("The catalog could not be read: {error}. Reload the page to try again; if it persists, the portal's log says why.")}
        </p>
    }
}

/// The search box: filters as the person types, and is a plain form without JavaScript.
#[component]
fn SearchBox(view: Memo<CatalogView>) -> impl IntoView {
    let UrlSearchBox {
        shown,
        text,
        on_input,
        ..
    } = url_search_box(
        "catalog-search",
        move || view.with(|v| v.text.clone()),
        move |term| Some(view.try_get_untracked()?.searching(term).href()),
        SEARCH_GAP_MS,
    );
    // Without JavaScript the form submits the current view's other parameters along.
    let hidden = move || {
        let view = view.get();
        form_urlencoded::parse(view.searching("").to_query().as_bytes())
            .into_owned()
            .filter(|(name, _)| name != "page")
            .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
            .collect_view()
    };
    view! {
        <form class="search" method="get" action="/catalog" role="search" on:submit=|event| event.prevent_default()>
            {hidden}
            <label class="visually-hidden" for="catalog-search">"Search the catalog"</label>
            <input
                id="catalog-search"
                type="search"
                name="q"
                placeholder="Search by name, title, description or tag"
                autocomplete="off"
                value=shown
                prop:value=move || text.get()
                on:input=on_input
            />
        </form>
    }
}

/// "All / Owned by me / Starred".
#[component]
fn StarredFilter(view: Memo<CatalogView>) -> impl IntoView {
    let link = move |show: Show, label: &'static str| {
        view! {
            <li>
                <a
                    href=move || view.get().showing(show).href()
                    data-noscroll=true
                    class="facet__value"
                    aria-pressed=move || if view.get().show == show { "true" } else { "false" }
                >
                    {label}
                </a>
            </li>
        }
    };
    view! {
        <nav class="facet" aria-label="Show">
            <h2 class="facet__title">"Show"</h2>
            <ul class="facet__values" data-testid="starred-filter">
                {link(Show::All, "All")}
                {link(Show::Owned, "Owned by me")}
                {link(Show::Starred, "Starred")}
            </ul>
        </nav>
    }
}

/// Every facet with its values and counts; each value is a link that toggles it.
#[component]
fn Facets(facets: Vec<FacetCounts>, view: Memo<CatalogView>) -> impl IntoView {
    facets
        .into_iter()
        .filter(|counts| !counts.values.is_empty())
        .map(|counts| {
            let facet = counts.facet;
            view! {
                <nav class="facet" aria-label=facet.label() data-facet=facet.param()>
                    <h2 class="facet__title">{facet.label()}</h2>
                    <ul class="facet__values">
                        {counts
                            .values
                            .into_iter()
                            .map(|(value, count)| {
                                let selected = view.with_untracked(|v| v.is_selected(facet, &value));
                                let href = view.with_untracked(|v| v.toggled(facet, &value).href());
                                let data_value = value.clone();
                                view! {
                                    <li>
                                        <a
                                            href=href
                                            data-noscroll=true
                                            class="facet__value"
                                            aria-pressed=if selected { "true" } else { "false" }
                                            data-value=data_value
                                        >
                                            <span class="facet__check" aria-hidden="true">
                                                {if selected { "☑" } else { "☐" }}
                                            </span>
                                            <span class="facet__label">{value}</span>
                                            <span class="facet__count">{count}</span>
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </nav>
            }
        })
        .collect_view()
}

/// The table of one page, its count and the page links; or what to do when it is empty.
#[component]
fn Results(page: CatalogPage, view: Memo<CatalogView>) -> impl IntoView {
    let current = view.get_untracked();
    if page.rows.is_empty() {
        let clear = (current != CatalogView::default()).then(|| {
            view! {
                " "
                <a href="/catalog">"Clear every filter"</a>
                " to see the whole catalog."
            }
        });
        let message = if current.show == Show::Starred {
            "No starred entity matches. Star entities with ☆ to find them here."
        } else if current.show == Show::Owned {
            "Nothing you own matches. Entities are yours when you, or a group you are in, \
             own them; guests own nothing."
        } else if current.page > 0 {
            "This page is past the end of the results."
        } else {
            "No entity matches these filters."
        };
        return view! {
            <div class="notice" data-testid="catalog-empty">
                <p>{message} {clear}</p>
            </div>
        }
        .into_any();
    }
    let columns = current.columns();
    let first = current.page * crate::model::catalog::catalog_view::PAGE_SIZE + 1;
    let last = first + page.rows.len() - 1;
    view! {
        <p class="catalog__count" data-testid="catalog-count" aria-live="polite">
            {format!("{first}–{last} of {} {}", page.total, if page.total == 1 { "entity" } else { "entities" })}
        </p>
        <div class="table-scroll">
            <table class="catalog-table" data-testid="catalog-table">
                <thead>
                    <tr>
                        <th scope="col" class="catalog-table__star">
                            <span class="visually-hidden">"Starred"</span>
                        </th>
                        {columns
                            .iter()
                            .map(|column| view! { <ColumnHeader column=*column view /> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {page
                        .rows
                        .into_iter()
                        .map(|row| {
                            let href = entity_href(&row.entity_ref);
                            let label = row.display_name().to_owned();
                            let cells = columns
                                .iter()
                                .map(|column| {
                                    let text = column.cell(&row);
                                    match column {
                                        Column::Name => {
                                            // Sorting is by name: shown under a title that differs.
                                            let name = (text != row.name).then(|| {
                                                view! { <span class="catalog-table__name">{row.name.clone()}</span> }
                                            });
                                            view! {
                                                <th scope="row" data-column="name">
                                                    <a href=href.clone()>{text}</a>
                                                    {name}
                                                </th>
                                            }
                                                .into_any()
                                        }
                                        Column::Tags => {
                                            view! {
                                                <td data-column="tags">
                                                    <ul class="tags">
                                                        {row
                                                            .tags
                                                            .iter()
                                                            .map(|tag| view! { <li class="tag">{tag.clone()}</li> })
                                                            .collect_view()}
                                                    </ul>
                                                </td>
                                            }
                                                .into_any()
                                        }
                                        other => view! { <td data-column=other.param()>{text}</td> }.into_any(),
                                    }
                                })
                                .collect_view();
                            view! {
                                <tr data-ref=row.entity_ref.to_string()>
                                    <td class="catalog-table__star">
                                        <StarButton entity_ref=row.entity_ref.clone() label />
                                    </td>
                                    {cells}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <Pager total=page.total view />
    }
    .into_any()
}

/// A column heading; a link that sorts by it when the column can be sorted.
#[component]
fn ColumnHeader(column: Column, view: Memo<CatalogView>) -> impl IntoView {
    let current = view.get_untracked();
    let Some(_) = column.sort_key() else {
        return view! { <th scope="col">{column.label()}</th> }.into_any();
    };
    let (sort, arrow) = match current.sort {
        Some((c, Order::Asc)) if c == column => ("ascending", " ▲"),
        Some((c, Order::Desc)) if c == column => ("descending", " ▼"),
        _ => ("none", ""),
    };
    let href = current.sorted_by(column).href();
    view! {
        <th scope="col" aria-sort=sort>
            <a href=href data-noscroll=true class="sort-link" data-sort=column.param()>
                {column.label()}
                <span aria-hidden="true">{arrow}</span>
            </a>
        </th>
    }
    .into_any()
}

/// Links to the first, previous, next and last pages.
#[component]
fn Pager(total: u64, view: Memo<CatalogView>) -> impl IntoView {
    let current = view.get_untracked();
    let pages = CatalogView::pages(total);
    if pages <= 1 {
        return ().into_any();
    }
    let link = |page: usize, label: &'static str, rel: &'static str| {
        let enabled = page != current.page && page < pages;
        if enabled {
            view! { <a href=current.on_page(page).href() rel=rel class="pager__link">{label}</a> }
                .into_any()
        } else {
            view! { <span class="pager__link pager__link--disabled" aria-disabled="true">{label}</span> }
                .into_any()
        }
    };
    view! {
        <nav class="pager" aria-label="Pages">
            {link(0, "« First", "first")}
            {link(current.page.saturating_sub(1), "‹ Previous", "prev")}
            <span class="pager__position" data-testid="page-position">
                {format!("Page {} of {pages}", current.page + 1)}
            </span>
            {link((current.page + 1).min(pages - 1), "Next ›", "next")}
            {link(pages - 1, "Last »", "last")}
        </nav>
    }
    .into_any()
}
