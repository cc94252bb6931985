//! The impact analysis on the graph page: links to ask for it, and its list grouped by
//! owner.

use leptos::prelude::*;

use super::{param, with_param};
use crate::model::graph::impact::{Impact, ImpactEntry, ImpactWay};

/// The analysis `impact=` asks for, if any.
pub(super) fn impact_way(query: &str) -> Option<ImpactWay> {
    match param(query, "impact").as_deref() {
        Some("dependents") => Some(ImpactWay::Dependents),
        Some("needs") => Some(ImpactWay::Needs),
        _ => None,
    }
}

/// Links to the root's impact analyses.
#[component]
pub(super) fn ImpactLinks(query: String) -> impl IntoView {
    let root = param(&query, "root").unwrap_or_default();
    view! {
        <p class="graph-impact-links">
            <a href=with_param(&query, "impact", Some("dependents")) data-testid="impact-dependents">
                {format!("What breaks if {root} is down")}
            </a>
            " · "
            <a href=with_param(&query, "impact", Some("needs")) data-testid="impact-needs">
                {format!("What {root} needs to run")}
            </a>
            {impact_way(&query).map(|_| view! {
                " · "
                <a href=with_param(&query, "impact", None)>"Hide the list"</a>
            })}
        </p>
    }
}

/// The root's impact analysis as a list grouped by owner, each entry with its depth and
/// the chain of relations that explains it.
#[component]
pub(super) fn ImpactGroups(impact: Impact) -> impl IntoView {
    let heading = match impact.way {
        ImpactWay::Dependents => format!(
            "If {} is down, {} entities break or degrade",
            impact.entity,
            impact.entries.len()
        ),
        ImpactWay::Needs => format!(
            "{} needs {} entities to run",
            impact.entity,
            impact.entries.len()
        ),
    };
    let groups: Vec<(String, Vec<ImpactEntry>)> = impact
        .by_owner()
        .into_iter()
        .map(|(owner, entries)| {
            (
                owner.unwrap_or("No owner").to_owned(),
                entries.into_iter().cloned().collect(),
            )
        })
        .collect();
    let cycles = impact.cycles.clone();
    view! {
        <section class="graph-impact" data-testid="impact" aria-labelledby="impact-heading">
            <h2 id="impact-heading">{heading}</h2>
            {(!cycles.is_empty()).then(|| view! {
                <p class="notice" data-testid="impact-cycles">
                    "Cycles: "
                    {cycles.iter().map(|c| format!("{} → {}", c.join(" → "), c[0])).collect::<Vec<_>>().join("; ")}
                </p>
            })}
            {groups.into_iter().map(|(owner, entries)| view! {
                <h3>{owner}</h3>
                <ul>
                    {entries.into_iter().map(|entry| {
                        let steps = if entry.depth == 1 { "step" } else { "steps" };
                        let text = format!(" · {} {steps} · {}", entry.depth, chain(&entry.path, &entry.relations));
                        view! {
                            <li data-ref=entry.entity_ref.clone()>
                                <a href=format!("/graph?root={}&depth=1", entry.entity_ref)>{entry.entity_ref.clone()}</a>
                                <span class="muted">{text}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }).collect_view()}
        </section>
    }
}

/// `a → dependencyOf b → providesApi c`.
fn chain(path: &[String], relations: &[String]) -> String {
    let mut text = path.first().cloned().unwrap_or_default();
    for (relation, to) in relations.iter().zip(path.iter().skip(1)) {
        text.push_str(&format!(" → {relation} {to}"));
    }
    text
}
