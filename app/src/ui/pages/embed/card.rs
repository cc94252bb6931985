//! The entity card and owner widgets.

use leptos::prelude::*;

use super::{out, Footer};
use crate::model::catalog::catalog_view::CatalogRow;
use crate::model::catalog::entity_page::{entity_href, entity_links, processing_problems};
use crate::model::embed::widget::{EntityCard, OwnerCard, WidgetOptions};

/// An entity's card: kind and type, title, owner, lifecycle, tags, description, links,
/// how many relations of each kind it has, and its processing problems.
pub fn card(card: EntityCard, options: WidgetOptions) -> impl IntoView {
    let entity = &card.entity;
    let entity_ref = entity.entity_ref();
    let meta = &entity.metadata;
    let title = entity.display_name().to_owned();
    let problems = processing_problems(entity);
    let counts = card.relation_counts();
    let links = entity_links(entity);
    let owner = card.owner.clone().map(|owner| {
        let text = owner
            .row
            .as_ref()
            .map_or(owner.target.name(), CatalogRow::display_name);
        out(entity_href(&owner.target), text.to_owned())
    });
    view! {
        <article class="embed-widget embed-card" data-testid="embed-card" data-ref=entity_ref.to_string()>
            <p class="embed-card__kind">
                <span class="badge">{entity.kind.clone()}</span>
                {entity.spec_str("type").map(|t| view! { " " <span class="badge badge--muted">{t.to_owned()}</span> })}
                " "
                <span class="muted">{format!("{}/{}", meta.namespace, meta.name)}</span>
            </p>
            <h1 class="embed-title">{out(entity_href(&entity_ref), title)}</h1>
            <dl class="embed-facts">
                {owner.map(|owner| view! { <div><dt>"Owner"</dt><dd data-testid="embed-owner">{owner}</dd></div> })}
                {entity.spec_str("lifecycle").map(|l| view! { <div><dt>"Lifecycle"</dt><dd>{l.to_owned()}</dd></div> })}
            </dl>
            {(!meta.tags.is_empty()).then(|| view! {
                <ul class="tags" aria-label="Tags">
                    {meta.tags.iter().map(|tag| view! { <li class="tag">{tag.clone()}</li> }).collect_view()}
                </ul>
            })}
            {(!options.compact).then(|| view! {
                <p class="embed-card__description">
                    {meta.description.clone().unwrap_or_else(|| "No description.".to_owned())}
                </p>
                {(!links.is_empty()).then(|| view! {
                    <ul class="embed-links" aria-label="Links">
                        {links.into_iter().map(|(title, url)| view! {
                            <li><a href=url target="_blank" rel="noopener noreferrer">{title}</a></li>
                        }).collect_view()}
                    </ul>
                })}
            })}
            {(!counts.is_empty()).then(|| view! {
                <ul class="embed-counts" aria-label="Relations">
                    {counts.into_iter().map(|(heading, count)| view! {
                        <li><strong>{count}</strong>" "{heading}</li>
                    }).collect_view()}
                </ul>
            })}
            {(!problems.is_empty()).then(|| view! {
                <p class="notice notice--error embed-notice" data-testid="embed-problems">
                    {match problems.len() {
                        1 => "1 processing problem: ".to_owned(),
                        n => format!("{n} processing problems, the first: "),
                    }}
                    <code>{problems[0].clone()}</code>
                </p>
            })}
            <Footer />
        </article>
    }
}

/// The team that owns an entity: its members, and the first of what it owns.
pub fn owner(owner: OwnerCard) -> impl IntoView {
    let OwnerCard {
        team,
        members,
        owned,
        owned_total,
    } = owner;
    let more = owned_total.saturating_sub(owned.len());
    let team_href = entity_href(&team.entity_ref);
    view! {
        <article class="embed-widget embed-owner" data-testid="embed-owner-widget" data-ref=team.entity_ref.to_string()>
            <p class="embed-card__kind"><span class="badge">{team.kind.clone()}</span></p>
            <h1 class="embed-title">{out(team_href.clone(), team.display_name().to_owned())}</h1>
            {team.description.clone().map(|d| view! { <p class="embed-card__description">{d}</p> })}
            {team.email.clone().map(|email| view! {
                <p><a href=format!("mailto:{email}") target="_blank" rel="noopener">{email.clone()}</a></p>
            })}
            <h2>{format!("Members ({})", members.len())}</h2>
            {if members.is_empty() {
                view! { <p class="muted">"No members listed."</p> }.into_any()
            } else {
                view! {
                    <ul class="embed-people">
                        {members.iter().map(|m| view! { <li>{out(entity_href(&m.entity_ref), m.display_name().to_owned())}</li> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <h2>{format!("Owns ({owned_total})")}</h2>
            <ul class="embed-list">
                {owned.iter().map(|row| view! {
                    <li>
                        <span class="badge badge--muted">{row.kind.clone()}</span>" "
                        {out(entity_href(&row.entity_ref), row.display_name().to_owned())}
                    </li>
                }).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more")}</p> })}
            <Footer more=(team_href, "The team in the portal".to_owned()) />
        </article>
    }
}
