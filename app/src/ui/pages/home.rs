//! `/`: what the portal holds and where to go next.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::{get_catalog_summary, get_mine, get_viewer},
    model::{
        catalog::{catalog_view::CatalogRow, entity_page::entity_href, summary::CatalogSummary},
        identity::mine::Mine,
    },
    ui::status::FailedStatus,
};

/// The portal's sections, each with what a person finds there.
const SECTIONS: [(&str, &str, &str); 5] = [
    (
        "/catalog",
        "Software Catalog",
        "Every service, website, library, API, resource, system and domain, with the teams \
         and people who own them and how they relate. Read from your existing \
         catalog-info.yaml files, unchanged.",
    ),
    (
        "/create",
        "Create",
        "Start a new component from a Software Template: fill in a form that checks your \
         answers as you type, watch the task run, and find the result in the catalog.",
    ),
    (
        "/docs",
        "Docs",
        "TechDocs: Markdown documentation kept next to the code, rendered here.",
    ),
    (
        "/graph",
        "Graph",
        "See how entities depend on each other, provide and consume APIs, and belong to \
         systems and domains.",
    ),
    (
        "/search",
        "Search",
        "Find any entity or document by name, title, description or tag.",
    ),
];

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let summary = Resource::new(|| (), |_| get_catalog_summary());
    let viewer = Resource::new(|| (), |_| get_viewer());
    let mine = Resource::new(|| (), |_| get_mine());
    view! {
        <Title text="Home" />
        <Suspense>
            {move || Suspend::new(async move {
                viewer.await.ok().and_then(|v| v.guest_notice).map(|notice| view! {
                    <p class="notice" role="note">{notice}</p>
                })
            })}
        </Suspense>
        <section class="hero">
            <h1>"Your developer portal"</h1>
            <p class="hero__lead">
                "Portico brings your organisation's software together in one place: who owns \
                 what, how it fits together, how to build something new, and the docs to go \
                 with it."
            </p>
        </section>
        <Suspense>
            {move || Suspend::new(async move {
                mine.await.ok().filter(|m| !m.is_empty()).map(|mine| view! { <MineView mine /> })
            })}
        </Suspense>
        <section class="catalog-summary" aria-labelledby="summary-heading">
            <h2 id="summary-heading">"In the catalog"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Counting entities…"</p> }>
                {move || Suspend::new(async move {
                    match summary.await {
                        Ok(summary) => view! { <SummaryView summary /> }.into_any(),
                        Err(error) => {
                            view! {
                                <FailedStatus />
                                <p class="notice notice--error" role="alert">
                                    {format!("The catalog could not be read: {error}")}
                                </p>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
        <section aria-labelledby="sections-heading">
            <h2 id="sections-heading">"What you can do here"</h2>
            <ul class="card-grid">
                {SECTIONS
                    .into_iter()
                    .map(|(href, title, text)| {
                        view! {
                            <li class="card">
                                <h3>
                                    <A href=href>{title}</A>
                                </h3>
                                <p>{text}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// The catalog's contents as counts per kind, or how to fill an empty catalog.
#[component]
fn SummaryView(summary: CatalogSummary) -> impl IntoView {
    if summary.is_empty() {
        return view! {
            <p class="notice" data-testid="catalog-empty">
                "The catalog is empty. Portico will list your entities here once catalog \
                 locations are registered."
            </p>
        }
        .into_any();
    }
    let total = summary.total();
    let demo = summary.demo.then(|| {
        view! {
            <p class="notice" data-testid="demo-catalog">
                "You are looking at Portico's demo catalog: Northwind, a fictional online \
                 retailer. Load your own with "
                <code>"portico serve --catalog path/to/catalog-info.yaml"</code>
                " (a file, a folder or a glob)."
            </p>
        }
    });
    view! {
        {demo}
        <p data-testid="catalog-total">
            {format!("{total} {} in the catalog.", if total == 1 { "entity" } else { "entities" })}
        </p>
        <ul class="kind-counts">
            {summary
                .kinds
                .into_iter()
                .map(|kind| {
                    view! {
                        <li>
                            <span class="kind-counts__count">{kind.count}</span>
                            " "
                            <span class="kind-counts__kind">{kind.kind}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The person's own: what they own, the tasks they started, what they starred. Lists
/// with nothing in them are left out.
#[component]
fn MineView(mine: Mine) -> impl IntoView {
    let entities = |rows: Vec<CatalogRow>| {
        rows.into_iter()
            .map(|row| {
                let name = row.title.clone().unwrap_or_else(|| row.name.clone());
                view! {
                    <li>
                        <A href=entity_href(&row.entity_ref)>{name}</A>
                        " "
                        <span class="muted">{row.kind.to_lowercase()}</span>
                    </li>
                }
            })
            .collect_view()
    };
    let more = |shown: usize, total: u64, href: &'static str| {
        (total > shown as u64).then(|| view! { <A href=href>{format!("All {total}")}</A> })
    };
    let owned = (!mine.owned.is_empty()).then(|| {
        let shown = mine.owned.len();
        view! {
            <div class="card" data-testid="mine-owned">
                <h3>"Owned by you"</h3>
                <ul class="mine__list">{entities(mine.owned)}</ul>
                {more(shown, mine.owned_total, "/catalog?owned=true")}
            </div>
        }
    });
    let tasks = (!mine.tasks.is_empty()).then(|| {
        view! {
            <div class="card" data-testid="mine-tasks">
                <h3>"Your tasks"</h3>
                <ul class="mine__list">
                    {mine
                        .tasks
                        .into_iter()
                        .map(|task| {
                            view! {
                                <li>
                                    <A href=format!("/create/tasks/{}", task.id)>{task.template_title}</A>
                                    " "
                                    <span class=format!("badge task-status task-status--{}", task.status.as_str())>
                                        {super::task::status_label(task.status)}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <A href="/create/tasks">"Every task"</A>
            </div>
        }
    });
    let starred = (!mine.starred.is_empty()).then(|| {
        let shown = mine.starred.len();
        view! {
            <div class="card" data-testid="mine-starred">
                <h3>"Starred"</h3>
                <ul class="mine__list">{entities(mine.starred)}</ul>
                {more(shown, mine.starred_total, "/catalog?starred=true")}
            </div>
        }
    });
    view! {
        <section class="mine" aria-labelledby="mine-heading">
            <h2 id="mine-heading">"Yours"</h2>
            <div class="card-grid">{owned} {tasks} {starred}</div>
        </section>
    }
}
