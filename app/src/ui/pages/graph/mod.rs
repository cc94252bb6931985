//! `/graph`: the part of the catalog around some entities, drawn. The URL holds the
//! question (`root`, `depth`, `relation`, `kind`, `direction`, as `/api/graph/subgraph`
//! takes them, and the view's `layout` and `pairs`), so a link reproduces the view; the
//! controls are a form, and the picture is SVG drawn on the server, so the page works
//! with JavaScript off. With `impact=dependents` (or `needs`), the page lists what breaks
//! when the root is down (or what it needs), grouped by owner, above the picture.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::{
    api::{get_impact, get_subgraph, GraphAnswer},
    model::graph::{
        draw::{draw, svg},
        impact::{Impact, ImpactEntry, ImpactWay},
        layout::Direction,
        subgraph::{Subgraph, MAX_NODES},
    },
    ui::status::{FailedStatus, NotFoundStatus},
};

/// The graph page.
#[component]
pub fn GraphPage() -> impl IntoView {
    let location = use_location();
    let query = Memo::new(move |_| location.search.get().trim_start_matches('?').to_owned());
    let answer = Resource::new(move || query.get(), get_subgraph);
    view! {
        <Title text="Graph" />
        <div class="graph-page">
            <header class="gallery__header">
                <h1>"Graph"</h1>
                <p class="muted">
                    "How the catalog fits together: the entities related to those you start from, step by step."
                </p>
            </header>
            <Controls query />
            <Transition fallback=|| view! { <p class="muted">"Drawing the graph…"</p> }>
                {move || Suspend::new(async move {
                    let query = query.get_untracked();
                    match answer.await {
                        _ if params(&query).iter().all(|(k, _)| k != "root") => view! {
                            <p class="notice" data-testid="graph-start">
                                "Name an entity to start from, such as "
                                <code>"component:default/checkout-service"</code>
                                ", or open the Graph tab of any entity page."
                            </p>
                        }
                        .into_any(),
                        Ok(GraphAnswer::Graph(graph)) => view! {
                            <ImpactLinks query=query.clone() />
                            {impact_way(&query).map(|way| view! { <ImpactList query=query.clone() way /> })}
                            <Drawn graph query />
                        }
                        .into_any(),
                        Ok(GraphAnswer::BadQuery(why)) => view! {
                            <p class="notice notice--error" role="alert" data-testid="graph-problem">{why}</p>
                        }
                        .into_any(),
                        Ok(GraphAnswer::NoEntity(what)) => view! {
                            <NotFoundStatus />
                            <p class="notice notice--error" role="alert" data-testid="graph-problem">
                                {format!("{what}: the catalog does not hold it.")}
                            </p>
                        }
                        .into_any(),
                        Err(error) => view! {
                            <FailedStatus />
                            <p class="notice notice--error" role="alert">
                                {format!("The graph could not be read: {error}. Reload the page to try again.")}
                            </p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// The URL query's pairs, decoded.
fn params(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// The first value of `key` in `query`.
fn param(query: &str, key: &str) -> Option<String> {
    params(query)
        .into_iter()
        .find_map(|(k, v)| (k == key).then_some(v))
}

/// The question as a form (GET, so that submitting it is a link): the root, depth,
/// direction, layout and whether pairs are merged; relation and kind filters kept.
#[component]
fn Controls(query: Memo<String>) -> impl IntoView {
    move || {
        let query = query.get();
        let value = |key: &str, default: &str| param(&query, key).unwrap_or(default.to_owned());
        let (depth, direction, layout) = (
            value("depth", "1"),
            value("direction", "both"),
            value("layout", "right"),
        );
        let option = |value: &'static str, label: &'static str, chosen: &str| {
            view! { <option value=value selected=value == chosen>{label}</option> }
        };
        let kept: Vec<(String, String)> = params(&query)
            .into_iter()
            .filter(|(k, _)| k == "relation" || k == "kind")
            .collect();
        view! {
            <form class="graph-controls" method="get" action="/graph" data-testid="graph-controls">
                <label>
                    "Start from "
                    <input type="text" name="root" value=value("root", "") size="34"
                        placeholder="kind:namespace/name" data-testid="graph-root" />
                </label>
                <label>
                    "Depth "
                    <select name="depth" data-testid="graph-depth">
                        {option("1", "1", &depth)}
                        {option("2", "2", &depth)}
                        {option("3", "3", &depth)}
                        {option("4", "4", &depth)}
                        {option("unlimited", "unlimited", &depth)}
                    </select>
                </label>
                <label>
                    "Follow "
                    <select name="direction" data-testid="graph-direction">
                        {option("both", "relations both ways", &direction)}
                        {option("out", "its relations", &direction)}
                        {option("in", "relations to it", &direction)}
                    </select>
                </label>
                <label>
                    "Draw "
                    <select name="layout">
                        {option("right", "left to right", &layout)}
                        {option("down", "top to bottom", &layout)}
                    </select>
                </label>
                <label>
                    <input type="checkbox" name="pairs" value="both" checked=param(&query, "pairs").is_some() />
                    " both relations of each pair"
                </label>
                {kept.into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v /> }).collect_view()}
                <button type="submit">"Show"</button>
            </form>
        }
    }
}

/// The graph drawn, with what it holds and what was left out.
#[component]
fn Drawn(graph: Subgraph, query: String) -> impl IntoView {
    let direction = match param(&query, "layout").as_deref() {
        Some("down") => Direction::Down,
        _ => Direction::Right,
    };
    let merge = param(&query, "pairs").is_none();
    let drawing = draw(&graph, direction, merge);
    let picture = svg(&graph, &drawing);
    let missing = graph.nodes.iter().filter(|n| n.missing).count();
    view! {
        <p class="muted" data-testid="graph-summary">
            {format!(
                "{} entities, {} relations{}.",
                graph.nodes.len(),
                drawing.edges.len(),
                if missing > 0 { format!(" ({missing} named but not in the catalog, dashed)") } else { String::new() },
            )}
        </p>
        {graph.truncated.then(|| view! {
            <p class="notice" data-testid="graph-truncated">
                {format!(
                    "More than {MAX_NODES} entities are this close: the nearest are shown. Lower the depth, or follow fewer relations or kinds, to see the rest."
                )}
            </p>
        })}
        <div class="graph-canvas" data-testid="graph" inner_html=picture></div>
    }
}

/// The analysis `impact=` asks for, if any.
fn impact_way(query: &str) -> Option<ImpactWay> {
    match param(query, "impact").as_deref() {
        Some("dependents") => Some(ImpactWay::Dependents),
        Some("needs") => Some(ImpactWay::Needs),
        _ => None,
    }
}

/// The same query with `impact` set to `way` (or left out).
fn with_impact(query: &str, way: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = params(query)
        .into_iter()
        .filter(|(k, _)| k != "impact")
        .collect();
    if let Some(way) = way {
        pairs.push(("impact".into(), way.into()));
    }
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/graph?{encoded}")
}

/// Links to the root's impact analyses.
#[component]
fn ImpactLinks(query: String) -> impl IntoView {
    let root = param(&query, "root").unwrap_or_default();
    view! {
        <p class="graph-impact-links">
            <a href=with_impact(&query, Some("dependents")) data-testid="impact-dependents">
                {format!("What breaks if {root} is down")}
            </a>
            " · "
            <a href=with_impact(&query, Some("needs")) data-testid="impact-needs">
                {format!("What {root} needs to run")}
            </a>
            {impact_way(&query).map(|_| view! {
                " · "
                <a href=with_impact(&query, None)>"Hide the list"</a>
            })}
        </p>
    }
}

/// The root's impact analysis as a list grouped by owner, each entry with its depth and
/// the chain of relations that explains it.
#[component]
fn ImpactList(query: String, way: ImpactWay) -> impl IntoView {
    let root = param(&query, "root").unwrap_or_default();
    let impact = Resource::new(
        move || (root.clone(), way),
        |(root, way)| get_impact(root, way),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Tracing the relations…"</p> }>
            {move || Suspend::new(async move {
                match impact.await {
                    Ok(Some(impact)) => view! { <ImpactGroups impact /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(error) => view! {
                        <p class="notice notice--error" role="alert">
                            {format!("The analysis could not be read: {error}.")}
                        </p>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ImpactGroups(impact: Impact) -> impl IntoView {
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
