//! `/create`: the template gallery. Every template as a card, narrowed as the person
//! types or picks a tag, type or owner; the URL holds the filters ([`GalleryView`]).
//! The cards come once from the server and are filtered in the browser; without
//! JavaScript the filters are a plain GET form.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_location, use_navigate},
    NavigateOptions,
};

use crate::{
    api::get_template_cards,
    model::template::gallery::{filter_values, GalleryView, TemplateCard},
    ui::{status::FailedStatus, typing::UrlText},
};

/// The template gallery.
#[component]
pub fn CreatePage() -> impl IntoView {
    let cards = Resource::new(|| (), |_| get_template_cards());
    view! {
        <Title text="Create" />
        <div class="gallery">
            <header class="gallery__header">
                <h1>"Create something new"</h1>
                <p class="muted">
                    "Pick a template: fill in its form and Portico creates the repository, the code and its catalog entry."
                </p>
            </header>
            <Transition fallback=|| view! { <p class="muted">"Loading templates…"</p> }>
                {move || Suspend::new(async move {
                    match cards.await {
                        Ok(cards) => view! { <Gallery cards /> }.into_any(),
                        Err(error) => view! {
                            <FailedStatus />
                            <p class="notice notice--error" role="alert">
                                {format!("The templates could not be read: {error}. Reload the page to try again.")}
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
fn Gallery(cards: Vec<TemplateCard>) -> impl IntoView {
    let location = use_location();
    let url_view = Memo::new(move |_| GalleryView::from_query(&location.search.get()));
    // The search box's text as typed (the URL keeps it trimmed).
    let typed = UrlText::new(url_view.get_untracked().text, move || {
        url_view.with(|v| v.text.clone())
    });
    let text = typed.text;
    let view = Memo::new(move |_| GalleryView {
        text: text.get(),
        ..url_view.get()
    });
    let navigate = use_navigate();
    let show = move |next: GalleryView| {
        navigate(
            &next.href(),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        )
    };
    let cards = StoredValue::new(cards);
    let tags = cards.with_value(|c| filter_values(c, |card| card.tags.clone()));
    let types = cards.with_value(|c| filter_values(c, |card| vec![card.template_type.clone()]));
    let owners =
        cards.with_value(|c| filter_values(c, |card| card.owner.clone().into_iter().collect()));
    let shown = move || {
        view.with(|v| cards.with_value(|c| v.filter(c).into_iter().cloned().collect::<Vec<_>>()))
    };

    let select = {
        let show = show.clone();
        move |label: &'static str,
              param: &'static str,
              values: Vec<String>,
              current: fn(&GalleryView) -> Option<String>,
              set: fn(&mut GalleryView, Option<String>)| {
            let show = show.clone();
            view! {
                <label class="gallery__filter">
                    <span>{label}</span>
                    <select
                        name=param
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            let mut next = view.get_untracked();
                            set(&mut next, (!value.is_empty()).then_some(value));
                            show(next);
                        }
                    >
                        <option value="" selected=move || view.with(|v| current(v).is_none())>"Any"</option>
                        {values
                            .into_iter()
                            .map(|value| {
                                let is = value.clone();
                                view! {
                                    <option value=value.clone() selected=move || view.with(|v| current(v).as_deref() == Some(is.as_str()))>
                                        {value.clone()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            }
        }
    };

    view! {
        <form class="gallery__filters" method="get" action="/create" role="search">
            <label class="gallery__search">
                <span class="visually-hidden">"Search templates"</span>
                <input
                    type="search"
                    name="q"
                    placeholder="Search templates"
                    autocomplete="off"
                    prop:value=move || text.get()
                    on:input={
                        let show = show.clone();
                        move |ev| {
                            text.set(event_target_value(&ev));
                            let next = view.get_untracked();
                            typed.sending(&next.text, &url_view.with_untracked(|v| v.text.clone()));
                            show(next);
                        }
                    }
                />
            </label>
            {select("Tag", "tag", tags, |v| v.tag.clone(), |v, x| v.tag = x)}
            {select("Type", "type", types, |v| v.template_type.clone(), |v, x| v.template_type = x)}
            {select("Owner", "owner", owners, |v| v.owner.clone(), |v, x| v.owner = x)}
            <noscript>
                <button class="button" type="submit">"Filter"</button>
            </noscript>
        </form>
        {move || {
            let shown = shown();
            if shown.is_empty() {
                view! {
                    <div class="notice" data-testid="gallery-empty">
                        <p>
                            {if cards.with_value(Vec::is_empty) {
                                "The catalog has no templates yet. Register a location holding Template entities (kind: Template, apiVersion: scaffolder.backstage.io/v1beta3) and they appear here."
                            } else {
                                "No template matches these filters. "
                            }}
                            <A href="/create">"Show every template"</A>
                        </p>
                    </div>
                }
                    .into_any()
            } else {
                view! {
                    <ul class="card-grid gallery__cards" data-testid="template-cards">
                        {shown.into_iter().map(|card| view! { <Card card /> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
    }
}

#[component]
fn Card(card: TemplateCard) -> impl IntoView {
    let href = card.form_href();
    view! {
        <li class="card template-card">
            <p class="template-card__type">{card.template_type.clone()}</p>
            <h2>
                <A href=href.clone()>{card.title.clone()}</A>
            </h2>
            <p class="muted">{card.description.clone().unwrap_or_default()}</p>
            <ul class="tags">
                {card.tags.iter().map(|tag| view! { <li class="tag">{tag.clone()}</li> }).collect_view()}
            </ul>
            <p class="template-card__footer">
                <span class="muted">{card.owner.clone().map(|o| format!("Owner: {o}")).unwrap_or_default()}</span>
                <A href=href attr:class="button">"Choose"</A>
            </p>
        </li>
    }
}
