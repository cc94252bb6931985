//! `/docs/{namespace}/{kind}/{name}/{page…}`: reading an entity's docs as a docs site.
//! The site navigation (sections that open and close, the current page marked), search
//! inside the doc set, the page, its table of contents following the scroll, previous
//! and next, "Edit this page" and "View source", and the problems the build found.
//!
//! The doc set's site is fetched once; moving to another of its pages fetches only that
//! page. Everything is rendered on the server too, so every page reads with JavaScript
//! off (tabs and collapsibles are CSS; search is a form).

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use super::nav::nav_html;
use crate::{
    api::{get_doc_page, get_doc_set, search_docs},
    model::embed::oembed::embedded,
    model::{
        catalog::{entity_page::entity_href, entity_ref::EntityRef},
        docs::{
            page::{page_key, DocPage, DocProblem, DocSetView, TocEntry},
            search::{DocHit, Snippet},
        },
    },
    ui::{
        pages::embed::{EmbedDialog, OEmbedLink},
        status::{FailedStatus, NotFoundStatus},
        typing::typed_before_hydration,
    },
};

/// `(kind, namespace, name)` of the entity whose docs are read.
type EntityKey = (String, String, String);

/// The docs reader.
#[component]
pub fn DocsReaderPage() -> impl IntoView {
    let params = use_params_map();
    let entity = Memo::new(move |_| {
        params.with(|p| {
            (
                p.get("kind").unwrap_or_default(),
                p.get("namespace").unwrap_or_default(),
                p.get("name").unwrap_or_default(),
            )
        })
    });
    let path = Memo::new(move |_| params.with(|p| p.get("path").unwrap_or_default()));
    let set = Resource::new(
        move || entity.get(),
        |(kind, namespace, name)| get_doc_set(kind, namespace, name),
    );
    let page = Resource::new(
        move || (entity.get(), path.get()),
        |((kind, namespace, name), path)| get_doc_page(kind, namespace, name, path),
    );
    let query = use_query_map();
    let typed = RwSignal::new(query.with_untracked(|q| q.get("q").unwrap_or_default()));
    // A new page starts without a search.
    Effect::watch(
        move || path.get(),
        move |_, _, _| typed.set(String::new()),
        false,
    );
    let hits = Resource::new(
        move || (entity.get(), typed.get()),
        |((kind, namespace, name), query)| async move {
            if query.trim().is_empty() {
                Ok(Vec::new())
            } else {
                search_docs(kind, namespace, name, query).await
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the docs…"</p> }>
            {move || Suspend::new(async move {
                match set.await {
                    Ok(Some(set)) => view! { <Reader set page path typed hits /> }.into_any(),
                    Ok(None) => view! { <NoDocs entity=entity.get_untracked() /> }.into_any(),
                    Err(error) => view! { <Failed error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The docs could not be read (500).
#[component]
fn Failed(error: ServerFnError) -> impl IntoView {
    view! {
        <FailedStatus />
        <p class="notice notice--error" role="alert">
            {format!("The docs could not be read: {error}. Reload the page to try again.")}
        </p>
    }
}

/// The entity does not exist or has no docs (404).
#[component]
fn NoDocs(entity: EntityKey) -> impl IntoView {
    let (kind, namespace, name) = entity;
    view! {
        <NotFoundStatus />
        <Title text="No docs" />
        <div class="notice" data-testid="docs-missing">
            <h1>"No docs here"</h1>
            <p>
                {format!("The catalog has no {kind} named {namespace}/{name} with docs. ")}
                <A href="/docs">"Every documented entity"</A>
                " is listed on the docs page."
            </p>
        </div>
    }
}

/// A doc set around one of its pages (or around the news that it has no such page). The
/// site's navigation is drawn once; moving to another page marks it there and replaces
/// only the page.
#[component]
fn Reader(
    set: DocSetView,
    page: Resource<Result<Option<DocPage>, ServerFnError>>,
    path: Memo<String>,
    typed: RwSignal<String>,
    hits: Resource<Result<Vec<DocHit>, ServerFnError>>,
) -> impl IntoView {
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let start = set.start.clone();
    // The page in the URL, as the nav names it (the start page for the set's own URL).
    let current = Memo::new(move |_| match page_key(&path.get()) {
        key if key.is_empty() => start.clone(),
        key => key,
    });
    let entity_link = EntityRef::parse_full(&set.entity_ref)
        .map(|r| entity_href(&r))
        .unwrap_or_default();
    let search_base = set.base.clone();
    // The nav is drawn once; moving to another page marks it there.
    let tree = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    Effect::watch(
        move || current.get(),
        move |current, _, _| {
            if let Some(tree) = tree.get_untracked() {
                super::nav::mark(&tree, current);
            }
        },
        false,
    );
    let sidebar = view! {
        <aside class="docs__sidebar">
            <nav class="md-nav md-nav--primary" aria-label="Docs navigation" data-testid="docs-nav">
                <p class="docs__site">
                    <a href=set.base.clone()>{set.site.name.clone()}</a>
                    <span class="muted">" · "<a href=entity_link>{set.entity_title.clone()}</a></span>
                </p>
                <DocsSearch
                    base=set.base.clone()
                    action=Signal::derive(move || format!("{search_base}{}", current.get()))
                    typed
                    hits
                />
                <div node_ref=tree inner_html=nav_html(&set.site.nav, &current.get_untracked(), &set.base) />
            </nav>
        </aside>
    };
    let problems = set.site.problems.clone();
    // Each page drawn shares the set (its nav is large) rather than copying it.
    let set = Arc::new(set);
    let main = move || {
        let set = Arc::clone(&set);
        Suspend::new(async move {
            match page.await {
                Ok(Some(page)) => view! { <PageView set page /> }.into_any(),
                Ok(None) => view! { <NoPage set path=path.get_untracked() /> }.into_any(),
                Err(error) => view! { <Failed error /> }.into_any(),
            }
        })
    };
    view! {
        <div class="docs" class:docs--live=move || live.get() data-testid="docs">
            {sidebar}
            <Transition fallback=|| ()>{main}</Transition>
            <AllProblems problems />
        </div>
    }
}

/// The doc set has no page at `path` (404).
#[component]
fn NoPage(set: Arc<DocSetView>, path: String) -> impl IntoView {
    view! {
        <NotFoundStatus />
        <Title text=format!("Not found · {}", set.site.name) />
        <div class="notice" data-testid="doc-page-missing">
            <h1>"No such page"</h1>
            <p>
                {format!("These docs have no page at '{path}'. ")}
                <a href=set.base.clone()>"Go to their first page"</a>
                "."
            </p>
        </div>
    }
}

/// The page, its table of contents and what comes before and after it.
#[component]
fn PageView(set: Arc<DocSetView>, page: DocPage) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    client::follow_page(page.toc.clone());
    let title = format!("{} · {}", page.title, set.site.name);
    let problems: Vec<DocProblem> = set.problems_of(&page.source).cloned().collect();
    let (previous, next) = set.around(&page.url);
    let edit = set.edit_url(&page.source);
    let view_source = set.view_url(&page.source);
    let base = set.base.clone();
    let toc: Vec<TocEntry> = page.toc.iter().filter(|h| h.level > 1).cloned().collect();
    let on_click = move |_event: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        client::on_content_click(&_event);
    };
    let page_path = format!("{base}{}", page.url);
    let embed = embedded(&page_path).map(|docs| view! { <EmbedDialog choices=vec![docs] /> });
    view! {
        <Title text=title.clone() />
        <OEmbedLink path=page_path title />
        <div class="docs__main md-content" data-page=page.url.clone()>
            <div class="docs__actions">
                {edit.map(|url| view! {
                    <a class="md-content__button" href=url rel="external noopener" data-testid="doc-edit">"Edit this page"</a>
                })}
                {view_source.map(|url| view! {
                    <a class="md-content__button" href=url rel="external noopener" data-testid="doc-source">"View source"</a>
                })}
                {embed}
            </div>
            {(!problems.is_empty()).then(|| view! {
                <section class="notice notice--error" role="alert" data-testid="doc-page-problems">
                    <h2>"Problems on this page"</h2>
                    <ul>
                        {problems.iter().map(|p| view! { <li><code>{p.to_string()}</code></li> }).collect_view()}
                    </ul>
                </section>
            })}
            <article class="md-typeset" data-testid="doc-content" on:click=on_click inner_html=page.html />
            <nav class="md-footer" aria-label="Previous and next pages">
                {previous.map(|p| view! {
                    <a class="md-footer__link md-footer__link--prev" href=format!("{base}{}", p.url) rel="prev" data-testid="doc-previous">
                        <span class="muted">"Previous"</span>
                        <span>{p.title}</span>
                    </a>
                })}
                {next.map(|p| view! {
                    <a class="md-footer__link md-footer__link--next" href=format!("{base}{}", p.url) rel="next" data-testid="doc-next">
                        <span class="muted">"Next"</span>
                        <span>{p.title}</span>
                    </a>
                })}
            </nav>
        </div>
        <aside class="docs__toc">
            {(!toc.is_empty()).then(|| view! {
                <nav class="md-nav md-nav--secondary" aria-label="On this page" data-testid="doc-toc">
                    <p class="md-nav__title">"On this page"</p>
                    <ul class="md-nav__list">
                        {toc.into_iter().map(|h| view! {
                            <li class=format!("md-nav__item md-nav__item--h{}", h.level)>
                                <a class="md-nav__link" href=format!("#{}", h.id) data-toc=h.id.clone()>{h.title}</a>
                            </li>
                        }).collect_view()}
                    </ul>
                </nav>
            })}
        </aside>
    }
}

/// Every problem the doc set's build found, folded.
#[component]
fn AllProblems(problems: Vec<DocProblem>) -> impl IntoView {
    (!problems.is_empty()).then(|| {
        let count = problems.len();
        view! {
            <details class="docs__problems notice" data-testid="doc-problems">
                <summary>{format!("{count} problem{} in these docs", if count == 1 { "" } else { "s" })}</summary>
                <ul>
                    {problems.iter().map(|p| view! { <li><code>{p.to_string()}</code></li> }).collect_view()}
                </ul>
            </details>
        }
    })
}

/// The `id` of the box that searches inside the doc set.
const SEARCH_BOX: &str = "docs-search-box";

/// Search inside the doc set: results as you type; with JavaScript off, a form.
#[component]
fn DocsSearch(
    base: String,
    #[prop(into)] action: Signal<String>,
    typed: RwSignal<String>,
    hits: Resource<Result<Vec<DocHit>, ServerFnError>>,
) -> impl IntoView {
    // Words typed before the reader was interactive are kept and searched once it is
    // (set after hydrating: results now would differ from the server's HTML).
    if let Some(early) = typed_before_hydration(SEARCH_BOX, &typed.get_untracked()) {
        Effect::new(move |_| typed.set(early.clone()));
    }
    view! {
        <form class="md-search" role="search" method="get" action=action on:submit=|ev| ev.prevent_default()>
            <input
                id=SEARCH_BOX
                type="search"
                name="q"
                placeholder="Search these docs"
                aria-label="Search these docs"
                autocomplete="off"
                data-testid="docs-search"
                prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev))
            />
        </form>
        <Transition fallback=|| ()>
            {move || {
                let base = base.clone();
                Suspend::new(async move {
                    let searched = typed.get_untracked();
                    match hits.await {
                        Ok(hits) if searched.trim().is_empty() && hits.is_empty() => ().into_any(),
                        Ok(hits) => view! { <SearchResults hits base /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice--error" role="alert">{format!("Search failed: {error}")}</p>
                        }
                        .into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// The sections matching a search, with the words marked.
#[component]
fn SearchResults(hits: Vec<DocHit>, base: String) -> impl IntoView {
    if hits.is_empty() {
        return view! { <p class="muted md-search-result" data-testid="docs-search-results">"Nothing in these docs matches."</p> }
            .into_any();
    }
    view! {
        <ol class="md-search-result" data-testid="docs-search-results">
            {hits.into_iter().map(|hit| {
                let href = if hit.anchor.is_empty() {
                    format!("{base}{}", hit.url)
                } else {
                    format!("{base}{}#{}", hit.url, hit.anchor)
                };
                let heading = if hit.title.is_empty() || hit.title == hit.page_title {
                    hit.page_title.clone()
                } else {
                    format!("{} › {}", hit.page_title, hit.title)
                };
                view! {
                    <li class="md-search-result__item">
                        <a href=href>
                            <strong>{heading}</strong>
                            <span class="md-search-result__teaser">
                                {hit.snippet.into_iter().map(|piece| match piece {
                                    Snippet::Plain(text) => text.into_any(),
                                    Snippet::Match(text) => view! { <mark>{text}</mark> }.into_any(),
                                }).collect_view()}
                            </span>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// What only the browser does: copy buttons, links to files left to the browser, the
/// table of contents following the scroll, and landing on a heading.
#[cfg(feature = "hydrate")]
mod client {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    use crate::model::docs::{nav::percent_decoded, page::TocEntry};
    use crate::ui::dom::elements;

    /// Copies a code block when its button is pressed.
    pub fn on_content_click(event: &leptos::ev::MouseEvent) {
        let Some(target) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let Ok(Some(button)) = target.closest(".md-clipboard") else {
            return;
        };
        let code = button
            .parent_element()
            .and_then(|pre| pre.query_selector("code").ok().flatten())
            .and_then(|code| code.text_content());
        if let Some(text) = code {
            let _ = window().navigator().clipboard().write_text(&text);
            let _ = button.set_attribute("data-copied", "");
        }
    }

    /// After the page is shown: files it links to are left to the browser (the router
    /// would take them for pages), the heading in the URL is scrolled to, and the table
    /// of contents marks the heading being read as the page scrolls.
    pub fn follow_page(toc: Vec<TocEntry>) {
        Effect::new(move |_| {
            let document = document();
            for link in elements(document.query_selector_all("[data-testid=doc-content] a[href]")) {
                let href = link.get_attribute("href").unwrap_or_default();
                if is_file(&href) {
                    let _ = link.set_attribute("rel", "external");
                }
            }
            let hash = window().location().hash().unwrap_or_default();
            let id = hash.trim_start_matches('#');
            if !id.is_empty() {
                let id = percent_decoded(id);
                if let Some(heading) = document.get_element_by_id(&id) {
                    heading.scroll_into_view();
                }
            }
        });
        let ids: Vec<String> = toc
            .into_iter()
            .filter(|h| h.level > 1)
            .map(|h| h.id)
            .collect();
        if ids.is_empty() {
            return;
        }
        let mark = move || {
            let document = document();
            let reading = ids
                .iter()
                .take_while(|id| {
                    document
                        .get_element_by_id(id)
                        .is_some_and(|h| h.get_bounding_client_rect().top() < 120.0)
                })
                .last()
                .cloned();
            for link in elements(document.query_selector_all("[data-toc]")) {
                let active = reading.as_deref() == link.get_attribute("data-toc").as_deref();
                let _ = link
                    .class_list()
                    .toggle_with_force("md-nav__link--active", active);
            }
        };
        let handle = window_event_listener(leptos::ev::scroll, move |_| mark());
        on_cleanup(move || handle.remove());
    }

    /// Whether `href` (as the page writes it) is a file rather than a page: its last
    /// segment has an extension.
    fn is_file(href: &str) -> bool {
        let path = href.split(['#', '?']).next().unwrap_or_default();
        (path.starts_with("/docs/") || !path.contains(':'))
            && path
                .rsplit('/')
                .next()
                .is_some_and(|last| last.contains('.'))
    }
}
