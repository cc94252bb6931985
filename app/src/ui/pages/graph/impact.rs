//! The impact analysis on the graph page: links to ask for it, and its list grouped by
//! owner.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::{param, with_param};
use crate::model::{
    catalog::entity_ref::EntityRef,
    graph::impact::{ImpactShown, ImpactWay},
};

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
/// the chain of relations that explains it: the nearest entries, with the counts of the
/// whole analysis and a link to all of it as JSON.
#[component]
pub(super) fn ImpactGroups(shown: ImpactShown) -> impl IntoView {
    let ImpactShown {
        impact,
        total,
        owners,
        ..
    } = shown;
    let heading = match impact.way {
        ImpactWay::Dependents => {
            format!(
                "If {} is down, {total} entities break or degrade",
                impact.entity
            )
        }
        ImpactWay::Needs => format!("{} needs {total} entities to run", impact.entity),
    };
    let everything = EntityRef::parse_full(&impact.entity).ok().map(|r| {
        let route = match impact.way {
            ImpactWay::Dependents => "impact",
            ImpactWay::Needs => "needs",
        };
        format!(
            "/api/graph/{route}/{}/{}/{}",
            r.kind(),
            r.namespace(),
            r.name()
        )
    });
    let cut = (impact.entries.len() < total).then(|| {
        view! {
            <p class="muted" data-testid="impact-cut">
                {format!("Listed: the {} nearest of {total}. ", impact.entries.len())}
                {everything.map(|href| view! { <a href=href>"All of them as JSON"</a> })}
            </p>
        }
    });
    let mut listed: BTreeMap<Option<String>, _> = impact
        .by_owner()
        .into_iter()
        .map(|(owner, entries)| (owner.map(str::to_owned), entries))
        .collect();
    let groups: Vec<(String, usize, Vec<Listed>)> = owners
        .into_iter()
        .map(|(owner, count)| {
            let entries = listed
                .remove(&owner)
                .unwrap_or_default()
                .into_iter()
                .map(|(index, entry)| {
                    let chain = impact
                        .chain(index)
                        .into_iter()
                        .fold(impact.entity.clone(), |text, (relation, to)| {
                            format!("{text} → {relation} {to}")
                        });
                    (entry.entity_ref.clone(), entry.depth, chain)
                })
                .collect();
            (
                owner.unwrap_or_else(|| "No owner".to_owned()),
                count,
                entries,
            )
        })
        .collect();
    // Owners none of whose entries are among the nearest: counted, not listed.
    let (groups, unlisted): (Vec<_>, Vec<_>) = groups
        .into_iter()
        .partition(|(_, _, entries)| !entries.is_empty());
    let others = (!unlisted.is_empty()).then(|| {
        let count: usize = unlisted.iter().map(|(_, count, _)| count).sum();
        view! {
            <p class="muted" data-testid="impact-others">
                {format!(
                    "And {count} entities further away, of {} other owners.",
                    unlisted.len()
                )}
            </p>
        }
    });
    let cycles = impact.cycles.clone();
    view! {
        <section class="graph-impact" data-testid="impact" aria-labelledby="impact-heading">
            <h2 id="impact-heading">{heading}</h2>
            {cut}
            {(!cycles.is_empty()).then(|| view! {
                <p class="notice" data-testid="impact-cycles">
                    "Cycles: "
                    {cycles.iter().map(|c| format!("{} → {}", c.join(" → "), c[0])).collect::<Vec<_>>().join("; ")}
                </p>
            })}
            {groups.into_iter().map(|(owner, count, entries)| {
                let more = count - entries.len();
                view! {
                    <h3>{owner}<span class="muted">{format!(" · {count}")}</span></h3>
                    <ul>
                        {entries.into_iter().map(|(entity_ref, depth, chain)| {
                            let steps = if depth == 1 { "step" } else { "steps" };
                            let text = format!(" · {depth} {steps} · {chain}");
                            view! {
                                <li data-ref=entity_ref.clone()>
                                    <a href=format!("/graph?root={entity_ref}&depth=1")>{entity_ref.clone()}</a>
                                    <span class="muted">{text}</span>
                                </li>
                            }
                        }).collect_view()}
                        {(more > 0).then(|| view! {
                            <li class="muted">{format!("and {more} further away")}</li>
                        })}
                    </ul>
                }
            }).collect_view()}
            {others}
        </section>
    }
}

/// An entry as the list shows it: its ref, depth and the chain that explains it.
type Listed = (String, u32, String);
