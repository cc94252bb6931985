//! The dependency graph and impact widgets.

use leptos::prelude::*;

use super::{out, Footer};
use crate::model::catalog::{entity_page::entity_href, entity_ref::EntityRef};
use crate::model::graph::impact::{Impact, ImpactWay};
use crate::model::graph::svg::links_in_new_tab;

/// How many entries the impact widget lists: the nearest ones.
pub const IMPACT_SHOWN: usize = 40;

/// The graph around an entity, drawn on the server (`picture`, SVG), scrolled when
/// wider than the frame (`/embed-frame.js` adds zoom and drag), its links opening new
/// tabs (SVG links do not follow the page's `<base target>`); `left_out` says whether
/// the graph was cut.
pub fn graph(picture: String, nodes: usize, left_out: bool, graph_href: String) -> impl IntoView {
    view! {
        <section class="embed-widget embed-graph" data-testid="embed-graph">
            <div
                class="embed-graph__canvas"
                tabindex="0"
                aria-label="Dependency graph: ctrl + wheel or + and - zoom, drag to pan"
                inner_html=links_in_new_tab(&picture)
            ></div>
            {left_out.then(|| view! {
                <p class="muted">{format!("Only the nearest {nodes} entities are drawn.")}</p>
            })}
            <Footer more=(graph_href, "Explore the graph".to_owned()) />
        </section>
    }
}

/// What breaks when `impact.entity` is down, nearest first, grouped by owner.
pub fn impact(impact: &Impact) -> impl IntoView {
    let root = EntityRef::parse_full(&impact.entity).ok();
    let title = root
        .as_ref()
        .map_or_else(|| impact.entity.clone(), |r| r.name().to_owned());
    let total = impact.entries.len();
    // Per owner, the entries listed: (ref, relation of the last step).
    type Listed = Vec<(String, String)>;
    let groups: Vec<(Option<String>, Listed)> = impact
        .by_owner()
        .into_iter()
        .map(|(owner, entries)| {
            let listed = entries
                .into_iter()
                .filter(|(index, _)| *index < IMPACT_SHOWN)
                .map(|(_, entry)| (entry.entity_ref.clone(), entry.relation.clone()))
                .collect();
            (owner.map(str::to_owned), listed)
        })
        .filter(|(_, listed): &(_, Vec<_>)| !listed.is_empty())
        .collect();
    let full = format!(
        "/graph?root={}&impact={}",
        impact.entity,
        match impact.way {
            ImpactWay::Dependents => "dependents",
            ImpactWay::Needs => "needs",
        }
    );
    view! {
        <section class="embed-widget embed-impact" data-testid="embed-impact">
            <h1 class="embed-title">
                {"If "}
                {match &root {
                    Some(r) => out(entity_href(r), title).into_any(),
                    None => title.into_any(),
                }}
                {" is down"}
            </h1>
            <p class="embed-impact__total">
                {match total {
                    0 => "Nothing else in the catalog depends on it.".to_owned(),
                    1 => "1 entity breaks or degrades.".to_owned(),
                    n => format!("{n} entities break or degrade."),
                }}
            </p>
            {groups.into_iter().map(|(owner, listed)| view! {
                <h2>{owner.clone().map_or_else(|| "No owner".to_owned(), |o| short(&o))}</h2>
                <ul class="embed-list">
                    {listed.into_iter().map(|(entity_ref, relation)| {
                        let text = short(&entity_ref);
                        let link = match EntityRef::parse_full(&entity_ref) {
                            Ok(r) => out(entity_href(&r), text).into_any(),
                            Err(_) => text.into_any(),
                        };
                        view! { <li>{link}" "<span class="muted">{relation}</span></li> }
                    }).collect_view()}
                </ul>
            }).collect_view()}
            {(total > IMPACT_SHOWN).then(|| view! {
                <p class="muted">{format!("and {} more", total - IMPACT_SHOWN)}</p>
            })}
            <Footer more=(full, "The whole analysis".to_owned()) />
        </section>
    }
}

/// A ref as people read it: `kind:name`, the namespace only when not `default`.
fn short(entity_ref: &str) -> String {
    entity_ref.replacen(":default/", ":", 1)
}
