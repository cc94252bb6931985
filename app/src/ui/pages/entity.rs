//! `/catalog/{namespace}/{kind}/{name}`: one entity. The header (kind, title, owner,
//! lifecycle, tags, star, links), processing problems when there are any, the overview
//! (description, system, domain, relations grouped by type with refs to missing entities
//! marked), what the kind adds (an API's definition, a template's form, a location's
//! targets, a person's or team's profile), and the raw entity as YAML and JSON.
//!
//! Everything is rendered on the server: the page reads the same with JavaScript off.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::get_entity_page,
    model::{
        catalog::entity::Entity,
        catalog::entity_page::{
            entity_href, entity_links, grouped, processing_problems, EntityPage,
        },
        embed::{oembed::Embedded, widget::Widget},
    },
    ui::{
        api_definition::ApiDefinitionView,
        pages::embed::{EmbedDialog, OEmbedLink},
        stars::StarButton,
        status::{FailedStatus, NotFoundStatus},
    },
};

/// The entity page.
#[component]
pub fn EntityPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        params.with(|p| {
            (
                p.get("kind").unwrap_or_default(),
                p.get("namespace").unwrap_or_default(),
                p.get("name").unwrap_or_default(),
            )
        })
    };
    let page = Resource::new(key, |(kind, namespace, name)| {
        get_entity_page(kind, namespace, name)
    });
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the entity…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(Some(page)) => view! { <EntityView page /> }.into_any(),
                    Ok(None) => {
                        let (kind, namespace, name) = key();
                        view! {
                            <NotFoundStatus />
                            <Title text="Not found" />
                            <div class="notice" data-testid="entity-missing">
                                <h1>"No such entity"</h1>
                                <p>
                                    {format!("The catalog has no {kind} named {namespace}/{name}. It may have been renamed or removed. ")}
                                    <a href="/catalog">"Browse the catalog"</a>
                                    " to find it."
                                </p>
                            </div>
                        }
                            .into_any()
                    }
                    Err(error) => {
                        view! {
                            <FailedStatus />
                            <p class="notice notice--error" role="alert">
                                {format!("The entity could not be read: {error}. Reload the page to try again.")}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// A whole entity page.
#[component]
fn EntityView(page: EntityPage) -> impl IntoView {
    let entity = page.entity.clone();
    let entity_ref = entity.entity_ref();
    let meta = &entity.metadata;
    let display = entity.display_name().to_owned();
    let owner = page
        .related
        .iter()
        .find(|r| r.relation_type.eq_ignore_ascii_case("ownedBy"))
        .cloned();
    let lifecycle = entity.spec_str("lifecycle").map(str::to_owned);
    let entity_type = entity.spec_str("type").map(str::to_owned);
    let links = entity_links(&entity);
    // Systems and domains open as boxes round their parts.
    let graph_href = if page.diagram.is_some() {
        format!("/graph?root={entity_ref}&depth=2&group=system")
    } else {
        format!("/graph?root={entity_ref}&depth=2")
    };
    let problems = processing_problems(&entity);

    view! {
        <Title text=display.clone() />
        <OEmbedLink path=entity_href(&entity_ref) title=display.clone() />
        <article class="entity" data-ref=entity_ref.to_string()>
            <header class="entity__header">
                <p class="entity__kind">
                    <span class="badge" data-testid="entity-kind">{entity.kind.clone()}</span>
                    {entity_type.map(|t| view! { <span class="badge badge--muted">{t}</span> })}
                    <span class="muted">{format!("{}/{}", meta.namespace, meta.name)}</span>
                </p>
                <h1>
                    {display.clone()}
                    " "
                    <StarButton entity_ref=entity_ref.clone() label=display.clone() />
                </h1>
                <dl class="entity__facts">
                    {owner.map(|owner| view! {
                        <div>
                            <dt>"Owner"</dt>
                            <dd data-testid="entity-owner"><RelatedLink related=owner /></dd>
                        </div>
                    })}
                    {lifecycle.map(|lifecycle| view! {
                        <div>
                            <dt>"Lifecycle"</dt>
                            <dd>{lifecycle}</dd>
                        </div>
                    })}
                </dl>
                {(!meta.tags.is_empty()).then(|| view! {
                    <ul class="tags" aria-label="Tags">
                        {meta.tags.iter().map(|tag| view! {
                            <li class="tag"><a href=format!("/catalog?tag={tag}")>{tag.clone()}</a></li>
                        }).collect_view()}
                    </ul>
                })}
                {(!links.is_empty()).then(|| view! {
                    <ul class="entity__links" aria-label="Links">
                        {links.into_iter().map(|(title, url)| view! {
                            <li><a href=url rel="noopener noreferrer" target="_blank">{title}</a></li>
                        }).collect_view()}
                    </ul>
                })}
                <EmbedDialog choices=embed_choices(&entity, page.docs.as_ref().and_then(|d| d.url.as_ref()).is_some()) />
            </header>
            <nav class="tabs" aria-label="Entity sections">
                <a class="tabs__tab tabs__tab--active" aria-current="page" href=entity_href(&entity_ref)>"Overview"</a>
                {page.docs.as_ref().and_then(|d| d.url.clone()).map(|url| view! {
                    <a class="tabs__tab" href=url data-testid="entity-docs-tab">"Docs"</a>
                })}
                <a class="tabs__tab" href=graph_href.clone() data-testid="entity-graph-tab">"Graph"</a>
            </nav>
            {page.docs.clone().map(|docs| view! { <DocsState docs /> })}
            {(!problems.is_empty()).then(|| view! {
                <section class="notice notice--error entity__problems" role="alert" data-testid="entity-problems">
                    <h2>"Processing problems"</h2>
                    <p>"The catalog keeps this entity's last good version; fix these in its descriptor:"</p>
                    <ul>
                        {problems.into_iter().map(|message| view! { <li><code>{message}</code></li> }).collect_view()}
                    </ul>
                </section>
            })}
            <section class="entity__overview" aria-labelledby="overview-heading">
                <h2 id="overview-heading">"Overview"</h2>
                <p class="entity__description">
                    {meta.description.clone().unwrap_or_else(|| "No description.".to_owned())}
                </p>
                <KindDetails entity=entity.clone() />
                {page.definition.clone().map(|definition| {
                    let source = entity.definition_text().unwrap_or_default();
                    view! {
                        <section class="api-definition" aria-labelledby="definition-heading">
                            <h3 id="definition-heading">"Definition"</h3>
                            <ApiDefinitionView definition />
                            <details class="api-source">
                                <summary>"Definition source"</summary>
                                <pre class="code" data-testid="api-definition"><code>{source}</code></pre>
                            </details>
                        </section>
                    }
                })}
            </section>
            {page.diagram.clone().map(|picture| view! {
                <section class="graph-diagram" aria-labelledby="diagram-heading" data-testid="entity-diagram">
                    <h2 id="diagram-heading">"Parts"</h2>
                    <p class="muted">
                        "Each system is a box round its components, APIs and resources, with what they depend on, provide and consume. "
                        <a href=graph_href.clone()>"Explore it in the graph"</a>
                    </p>
                    <div class="graph-canvas" inner_html=picture></div>
                </section>
            })}
            {page.held.clone().map(|(rows, total)| view! { <HeldEntities rows total /> })}
            <Relations page=page.clone() />
            <RawEntity yaml=page.yaml json=page.json />
        </article>
    }
}

/// The widgets an entity page offers to embed: its card, owner, graph and impact, and
/// its API summary or docs when it has them.
fn embed_choices(entity: &Entity, has_docs: bool) -> Vec<Embedded> {
    let entity_ref = entity.entity_ref();
    let api = entity.kind.eq_ignore_ascii_case("api");
    [
        Widget::Card,
        Widget::Owner,
        Widget::Graph,
        Widget::Impact,
        Widget::Api,
        Widget::Docs,
    ]
    .into_iter()
    .filter(|w| match w {
        Widget::Api => api,
        Widget::Docs => has_docs,
        _ => true,
    })
    .map(|w| Embedded::new(w, entity_ref.clone()))
    .collect()
}

/// What is wrong with the entity's docs, if anything: why their build failed, and the
/// problems the last good build found, with file and line.
#[component]
fn DocsState(docs: crate::model::docs::page::EntityDocs) -> impl IntoView {
    let count = docs.problems.len();
    (docs.failure.is_some() || count > 0).then(|| view! {
        <section class="notice notice--error entity__problems" data-testid="entity-docs-problems">
            <h2>"Docs problems"</h2>
            {docs.failure.map(|why| view! {
                <p>{format!("The docs could not be built: {why}")}{docs.url.is_some().then_some(" The last good build is shown.")}</p>
            })}
            {(count > 0).then(|| view! {
                <details open=count <= 5>
                    <summary>{format!("{count} problem{} in the last build", if count == 1 { "" } else { "s" })}</summary>
                    <ul>
                        {docs.problems.iter().map(|p| view! { <li><code>{p.to_string()}</code></li> }).collect_view()}
                    </ul>
                </details>
            })}
        </section>
    })
}

/// The entities a Location leads to.
#[component]
fn HeldEntities(
    rows: Vec<crate::model::catalog::catalog_view::CatalogRow>,
    total: u64,
) -> impl IntoView {
    let shown = rows.len() as u64;
    view! {
        <section class="entity__relations" aria-labelledby="held-heading" data-testid="location-entities">
            <h2 id="held-heading">{format!("Entities it holds ({total})")}</h2>
            {(rows.is_empty()).then(|| view! { <p class="muted">"None of its targets holds an entity."</p> })}
            <ul class="held-list">
                {rows.into_iter().map(|row| {
                    let href = entity_href(&row.entity_ref);
                    let label = row.display_name().to_owned();
                    view! {
                        <li>
                            <span class="badge badge--muted">{row.kind.clone()}</span>
                            " "
                            <a href=href>{label}</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(total > shown).then(|| view! {
                <p class="muted">{format!("The first {shown} are listed.")}</p>
            })}
        </section>
    }
}

/// A link to a related entity, or its ref marked as missing.
#[component]
fn RelatedLink(related: crate::model::catalog::entity_page::Related) -> impl IntoView {
    match related.row {
        Some(row) => view! {
            <a href=entity_href(&related.target)>{row.display_name().to_owned()}</a>
        }
        .into_any(),
        None => view! {
            <span class="missing" title="No entity with this ref is in the catalog">
                {related.target.to_string()}
                <span class="badge badge--warning">"missing"</span>
            </span>
        }
        .into_any(),
    }
}

/// The entity's relations, one list per type.
#[component]
fn Relations(page: EntityPage) -> impl IntoView {
    let groups = grouped(&page.related);
    if groups.is_empty() {
        return view! {
            <section class="entity__relations">
                <h2>"Relations"</h2>
                <p class="muted">"This entity has no relations."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="entity__relations" aria-labelledby="relations-heading">
            <h2 id="relations-heading">"Relations"</h2>
            <div class="relation-groups">
                {groups
                    .into_iter()
                    .map(|(title, items)| {
                        let relation_type = items[0].relation_type.clone();
                        view! {
                            <section class="relation-group" data-relation=relation_type>
                                <h3>{title}</h3>
                                <ul>
                                    {items
                                        .into_iter()
                                        .map(|related| {
                                            let kind = related.target.kind().to_owned();
                                            view! {
                                                <li>
                                                    <span class="badge badge--muted">{kind}</span>
                                                    " "
                                                    <RelatedLink related />
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </section>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
    }
    .into_any()
}

/// What only some kinds have.
#[component]
fn KindDetails(entity: Entity) -> impl IntoView {
    let kind = entity.kind.to_ascii_lowercase();
    let spec_link = |field: &str, kind: &str| {
        let value = entity.spec_str(field)?.to_owned();
        let target = crate::model::catalog::entity_ref::EntityRef::parse(
            &value,
            crate::model::catalog::entity_ref::RefContext {
                default_kind: Some(kind),
                default_namespace: Some(&entity.metadata.namespace),
            },
        )
        .ok()?;
        Some(view! { <a href=entity_href(&target)>{value}</a> })
    };
    let system = spec_link("system", "System").map(|link| view! { <p>"System: " {link}</p> });
    let domain = spec_link("domain", "Domain").map(|link| view! { <p>"Domain: " {link}</p> });
    let specific = match kind.as_str() {
        "template" => Some(view! {
            <p>
                <a class="button" href=format!("/create/templates/{}/{}", entity.metadata.namespace, entity.metadata.name)>
                    "Open this template's form"
                </a>
            </p>
        }
        .into_any()),
        "location" => {
            let targets = entity.location_targets();
            Some(view! {
                <section>
                    <h3>"Targets"</h3>
                    <ul data-testid="location-targets">
                        {targets.into_iter().map(|t| view! { <li><code>{t}</code></li> }).collect_view()}
                    </ul>
                </section>
            }
            .into_any())
        }
        "user" | "group" => {
            let profile = entity.spec_field("profile");
            let field = |name: &str| {
                profile
                    .and_then(|p| p.get(name))
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            };
            let email = field("email").and_then(|e| crate::model::catalog::entity_page::safe_url(&format!("mailto:{e}")).map(|href| (e, href)));
            Some(view! {
                <dl class="entity__facts">
                    {field("displayName").map(|name| view! { <div><dt>"Display name"</dt><dd>{name}</dd></div> })}
                    {email.map(|(email, href)| view! { <div><dt>"Email"</dt><dd><a href=href>{email}</a></dd></div> })}
                </dl>
            }
            .into_any())
        }
        _ => None,
    };
    view! { {system} {domain} {specific} }
}

/// The entity as the catalog serves it, as YAML or JSON, with a copy button.
#[component]
fn RawEntity(yaml: String, json: String) -> impl IntoView {
    let json_format = RwSignal::new(false);
    let copied = RwSignal::new(false);
    let text = {
        let (yaml, json) = (yaml.clone(), json.clone());
        move || {
            if json_format.get() {
                json.clone()
            } else {
                yaml.clone()
            }
        }
    };
    let copy = {
        let text = text.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let clipboard = window().navigator().clipboard();
                let _ = clipboard.write_text(&text());
                copied.set(true);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &text;
        }
    };
    view! {
        <details class="raw-entity" data-testid="raw-entity">
            <summary>"Raw entity"</summary>
            <div class="raw-entity__tools" role="group" aria-label="Format">
                <button type="button" aria-pressed=move || if json_format.get() { "false" } else { "true" } on:click=move |_| { json_format.set(false); copied.set(false); }>"YAML"</button>
                <button type="button" aria-pressed=move || if json_format.get() { "true" } else { "false" } on:click=move |_| { json_format.set(true); copied.set(false); }>"JSON"</button>
                <button type="button" class="raw-entity__copy" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
            <pre class="code" data-testid="raw-text"><code>{text}</code></pre>
        </details>
    }
}
