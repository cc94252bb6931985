//! `/graph`: the part of the catalog around some entities, drawn. The URL holds the
//! question (`root`, `depth`, `relation`, `kind`, `direction`, as `/api/graph/subgraph`
//! takes them, and the view's `layout`, `pairs`, `missing` and `group`), so a link
//! reproduces the view; the controls are a form ([`controls`]), and the picture is SVG
//! drawn on the server, so the page works with JavaScript off; hydrated, it pans, zooms,
//! highlights and exports ([`canvas`]). With `impact=dependents` (or `needs`), the page
//! lists what breaks when the root is down (or what it needs), grouped by owner, above
//! the picture, and marks those entities on it ([`impact`]).

mod canvas;
mod controls;
mod impact;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::{
    api::{get_impact, get_subgraph, GraphAnswer},
    model::embed::oembed::embedded,
    ui::{
        pages::embed::{EmbedDialog, OEmbedLink},
        status::{FailedStatus, NotFoundStatus},
    },
};
use canvas::Drawn;
use controls::Controls;
use impact::{impact_way, ImpactGroups, ImpactLinks};

/// The graph page.
#[component]
pub fn GraphPage() -> impl IntoView {
    let location = use_location();
    let query = Memo::new(move |_| location.search.get().trim_start_matches('?').to_owned());
    let answer = Resource::new(move || query.get(), get_subgraph);
    let impact = Resource::new(
        move || {
            let query = query.get();
            (param(&query, "root"), impact_way(&query))
        },
        // After the graph, to mark those of its entities the analysis reaches.
        move |(root, way)| async move {
            let (Some(root), Some(way)) = (root, way) else {
                return Ok(None);
            };
            let among = match answer.await {
                Ok(GraphAnswer::Graph(graph)) => {
                    graph.nodes.into_iter().map(|n| n.entity_ref).collect()
                }
                _ => Vec::new(),
            };
            get_impact(root, way, among).await
        },
    );
    // For link unfurlers, which read the page as the server renders it.
    let oembed_path = format!("/graph?{}", query.get_untracked());
    view! {
        <Title text="Graph" />
        <OEmbedLink path=oembed_path title="Graph".to_owned() />
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
                    let (answer, impact) = (answer.await, impact.await);
                    match answer {
                        _ if params(&query).iter().all(|(k, _)| k != "root") => view! {
                            <p class="notice" data-testid="graph-start">
                                "Name an entity to start from, such as "
                                <code>"component:default/checkout-service"</code>
                                ", or open the Graph tab of any entity page."
                            </p>
                        }
                        .into_any(),
                        Ok(GraphAnswer::Graph(graph)) => {
                            let (impact, impact_error) = match impact {
                                Ok(found) => (found, None),
                                Err(error) => (None, Some(error.to_string())),
                            };
                            let marked: std::collections::HashSet<String> = impact
                                .iter()
                                .flat_map(|shown| shown.reached.iter().cloned())
                                .collect();
                            view! {
                                <ImpactLinks query=query.clone() />
                                {impact.map(|shown| view! { <ImpactGroups shown /> })}
                                {impact_error.map(|error| view! {
                                    <p class="notice notice--error" role="alert">
                                        {format!("The analysis could not be read: {error}.")}
                                    </p>
                                })}
                                <Drawn graph query marked />
                            }
                            .into_any()
                        }
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
            // Below the drawing, so that the picture keeps its place on the page.
            {move || {
                embedded(&format!("/graph?{}", query.get()))
                    .map(|graph| view! { <EmbedDialog choices=vec![graph] /> })
            }}
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

/// Every value of `key` in `query`, its repeats and comma-separated lists together
/// (`root=a,b&root=c` → a, b, c), trimmed, as written.
fn values(query: &str, key: &str) -> Vec<String> {
    params(query)
        .into_iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| {
            v.split(',')
                .map(|v| v.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
        .collect()
}

/// `/graph?` with `query`'s pairs, `key` set to `value` (or left out when `None`).
fn with_param(query: &str, key: &str, value: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = params(query)
        .into_iter()
        .filter(|(k, _)| k != key)
        .collect();
    if let Some(value) = value {
        pairs.push((key.into(), value.into()));
    }
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/graph?{encoded}")
}
