//! The API, docs page and search widgets.

use leptos::prelude::*;

use super::{out, Footer};
use crate::model::catalog::{
    api_definition::ApiDefinition, catalog_view::CatalogRow, entity::Entity,
    entity_page::entity_href,
};
use crate::model::docs::page::DocPage;
use crate::model::embed::widget::WidgetOptions;
use crate::model::theme::ThemePreference;
use crate::ui::api_definition::ApiDefinitionView;

/// An API's summary (title, description, type, lifecycle) and its operations or
/// channels.
pub fn api(entity: Entity, definition: Option<ApiDefinition>) -> impl IntoView {
    let entity_ref = entity.entity_ref();
    let meta = &entity.metadata;
    let title = entity.display_name().to_owned();
    view! {
        <article class="embed-widget embed-api" data-testid="embed-api">
            <p class="embed-card__kind">
                <span class="badge">"API"</span>
                {entity.spec_str("type").map(|t| view! { " " <span class="badge badge--muted">{t.to_owned()}</span> })}
                {entity.spec_str("lifecycle").map(|l| view! { " " <span class="muted">{l.to_owned()}</span> })}
            </p>
            <h1 class="embed-title">{out(entity_href(&entity_ref), title)}</h1>
            {meta.description.clone().map(|d| view! { <p class="embed-card__description">{d}</p> })}
            {match definition {
                Some(definition) => view! { <ApiDefinitionView definition /> }.into_any(),
                None => view! { <p class="muted">"This API has no definition to show."</p> }.into_any(),
            }}
            <Footer more=(entity_href(&entity_ref), "The API in the portal".to_owned()) />
        </article>
    }
}

/// One page of an entity's docs, as the reader shows its content.
pub fn docs(page: DocPage, page_href: String) -> impl IntoView {
    view! {
        <article class="embed-widget embed-docs" data-testid="embed-docs">
            <div class="md-typeset" inner_html=page.html></div>
            <Footer more=(page_href, "Read it in the portal".to_owned()) />
        </article>
    }
}

/// A catalog search box; with a query `q`, its first results (of `total`), each
/// opening the portal.
pub fn search(
    q: String,
    results: Vec<CatalogRow>,
    total: u64,
    options: WidgetOptions,
) -> impl IntoView {
    let all = format!(
        "/catalog?q={}",
        form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
    );
    let searched = !q.trim().is_empty();
    view! {
        <section class="embed-widget embed-search" data-testid="embed-search">
            <form action="/embed/search" method="get" target="_self" role="search" class="embed-search__form">
                <input type="search" name="q" value=q.clone() aria-label="Search the catalog" placeholder="Search the catalog" />
                {(options.theme != ThemePreference::System).then(|| view! {
                    <input type="hidden" name="theme" value=options.theme.as_str() />
                })}
                {options.compact.then(|| view! { <input type="hidden" name="compact" value="1" /> })}
                <button type="submit" class="button">"Search"</button>
            </form>
            {searched.then(|| view! {
                <p class="muted" data-testid="embed-search-total">
                    {match total {
                        0 => "Nothing matches.".to_owned(),
                        1 => "1 entity matches.".to_owned(),
                        n => format!("{n} entities match."),
                    }}
                </p>
                <ul class="embed-list">
                    {results.iter().map(|row| view! {
                        <li>
                            <span class="badge badge--muted">{row.kind.clone()}</span>" "
                            {out(entity_href(&row.entity_ref), row.display_name().to_owned())}
                            {row.description.clone().map(|d| view! { <span class="muted embed-list__more">{d}</span> })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            <Footer more=(all, "Search in the portal".to_owned()) />
        </section>
    }
}
