//! `/docs`: every documented entity, narrowed as the person types or picks an owner or
//! a kind; the URL holds the filters ([`DocsListView`]). The cards come once from the
//! server and are filtered in the browser; without JavaScript the filters are a form.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_location, use_navigate},
    NavigateOptions,
};

use crate::{
    api::get_doc_sets,
    model::docs::{list::DocsListView, page::DocSetCard},
    ui::status::FailedStatus,
};

/// The list of every doc set.
#[component]
pub fn DocsListPage() -> impl IntoView {
    let cards = Resource::new(|| (), |_| get_doc_sets());
    view! {
        <Title text="Docs" />
        <div class="gallery">
            <header class="gallery__header">
                <h1>"Docs"</h1>
                <p class="muted">
                    "The documentation kept next to the catalog's code: every entity with docs (a "
                    <code>"backstage.io/techdocs-ref"</code>
                    " annotation)."
                </p>
            </header>
            <Transition fallback=|| view! { <p class="muted">"Loading the docs…"</p> }>
                {move || Suspend::new(async move {
                    match cards.await {
                        Ok(cards) => view! { <DocSets cards /> }.into_any(),
                        Err(error) => view! {
                            <FailedStatus />
                            <p class="notice notice--error" role="alert">
                                {format!("The docs could not be listed: {error}. Reload the page to try again.")}
                            </p>
                        }
                            .into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn DocSets(cards: Vec<DocSetCard>) -> impl IntoView {
    let location = use_location();
    let url_view = Memo::new(move |_| DocsListView::from_query(&location.search.get()));
    let text = RwSignal::new(url_view.get_untracked().text);
    let view = Memo::new(move |_| DocsListView {
        text: text.get(),
        ..url_view.get()
    });
    let navigate = use_navigate();
    let show = move |next: DocsListView| {
        let options = NavigateOptions {
            replace: true,
            scroll: false,
            ..Default::default()
        };
        navigate(&next.href(), options)
    };
    let cards = StoredValue::new(cards);
    let values = |of: fn(&DocSetCard) -> Option<String>| {
        let mut values: Vec<String> = cards.with_value(|c| c.iter().filter_map(of).collect());
        values.sort();
        values.dedup();
        values
    };
    let owners = values(|c| c.owner.clone());
    let kinds = values(|c| Some(c.kind.to_lowercase()));
    let shown = move || {
        view.with(|v| {
            cards.with_value(|c| {
                c.iter()
                    .filter(|card| v.shows(card))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    };
    let select = {
        let show = show.clone();
        move |label: &'static str,
              param: &'static str,
              values: Vec<String>,
              current: fn(&DocsListView) -> Option<String>,
              set: fn(&mut DocsListView, Option<String>)| {
            let show = show.clone();
            view! {
                <label class="gallery__filter">
                    <span>{label}</span>
                    <select
                        name=param
                        data-testid=format!("docs-filter-{param}")
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            let mut next = view.get_untracked();
                            set(&mut next, (!value.is_empty()).then_some(value));
                            show(next);
                        }
                    >
                        <option value="" selected=move || view.with(|v| current(v).is_none())>"Any"</option>
                        {values.into_iter().map(|value| {
                            let is = value.clone();
                            view! {
                                <option value=value.clone() selected=move || view.with(|v| current(v).as_deref() == Some(is.as_str()))>
                                    {value.clone()}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </label>
            }
        }
    };
    view! {
        <form class="gallery__filters" method="get" action="/docs" role="search">
            <label class="gallery__search">
                <span class="visually-hidden">"Search docs"</span>
                <input
                    type="search"
                    name="q"
                    placeholder="Search docs by name"
                    autocomplete="off"
                    data-testid="docs-list-search"
                    prop:value=move || text.get()
                    on:input={
                        let show = show.clone();
                        move |ev| {
                            text.set(event_target_value(&ev));
                            show(view.get_untracked());
                        }
                    }
                />
            </label>
            {select("Owner", "owner", owners, |v| v.owner.clone(), |v, x| v.owner = x)}
            {select("Kind", "kind", kinds, |v| v.kind.clone(), |v, x| v.kind = x)}
            <noscript>
                <button class="button" type="submit">"Filter"</button>
            </noscript>
        </form>
        {move || {
            let shown = shown();
            if shown.is_empty() {
                let message = if cards.with_value(Vec::is_empty) {
                    "No entity has docs yet. Give one a backstage.io/techdocs-ref: dir:. annotation next to an mkdocs.yml and a docs/ folder, and its docs appear here."
                } else {
                    "No docs match these filters. "
                };
                view! {
                    <div class="notice" data-testid="docs-list-empty">
                        <p>{message} <A href="/docs">"Show every doc set"</A></p>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <ul class="card-grid" data-testid="doc-sets">
                        {shown.into_iter().map(|card| view! { <Card card /> }).collect_view()}
                    </ul>
                }
                .into_any()
            }
        }}
    }
}

#[component]
fn Card(card: DocSetCard) -> impl IntoView {
    view! {
        <li class="card">
            <p class="template-card__type">{card.kind.clone()}</p>
            <h2><A href=card.url.clone()>{card.title.clone()}</A></h2>
            <p class="muted">{card.description.clone().unwrap_or_else(|| card.site_name.clone())}</p>
            <p class="template-card__footer muted">
                <span>{card.owner.clone().map(|o| format!("Owner: {o}")).unwrap_or_default()}</span>
                <span>
                    {format!("{} page{}", card.pages, if card.pages == 1 { "" } else { "s" })}
                    {(card.problems > 0).then(|| format!(" · {} problem{}", card.problems, if card.problems == 1 { "" } else { "s" }))}
                </span>
            </p>
        </li>
    }
}
