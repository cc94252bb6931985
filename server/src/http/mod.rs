//! The HTTP surface: one router, grouped by who calls it.
//!
//! Handlers are thin: they parse the request, call [`crate::services::Portal`] and shape
//! the response. Pages and server functions are Leptos's, rendered by `app`.

mod catalog;
mod docs;
mod embed;
mod error;
mod forms;
mod graph;
mod health;
mod identity;
mod kept_json;
mod metrics;
mod scaffolder;
mod search;
pub mod site;
mod stream;
mod written;

use std::sync::{Arc, OnceLock};

use app::api::Services;
use axum::{extract::FromRef, routing::get, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::{compression::CompressionLayer, CompressionLevel};

use crate::{config::Config, services::Portal};

pub use health::Readiness;
use site::Site;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Leptos's settings: where the browser bundle is and what it is called.
    pub leptos_options: LeptosOptions,
    /// Portico's services.
    pub portal: Arc<Portal>,
    /// The browser bundle and public assets.
    pub site: Arc<Site>,
    /// Whether `/readyz` says the portal can serve.
    pub readiness: Arc<health::Readiness>,
}

impl AppState {
    /// The state for a portal configured by `config`, serving `site`.
    pub fn new(config: &Config, portal: Arc<Portal>, site: Arc<Site>) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name("portico")
            // Leptos reads nothing from here: `site` serves the files, and the lazy
            // routes' manifest comes from `site` too (`split_manifest`).
            .site_root("")
            .site_pkg_dir(site.bundle_dir().to_owned())
            .site_addr(config.addr)
            .build();
        Self {
            leptos_options,
            portal,
            site,
            readiness: Arc::new(health::Readiness::ready()),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The lazily loaded routes' manifest (which wasm chunks each needs), for Leptos to name
/// them in a page's `<link rel=preload>`. Leptos would read it from a file under the
/// site root; the site is in memory, so it is handed over as the context Leptos
/// reads (`WasmSplitManifest`, public but undocumented in leptos 0.8, pinned).
fn split_manifest(site: &Site) -> Option<leptos::WasmSplitManifest> {
    let text = site.bundle_file("__wasm_split_manifest.json")?;
    let preloads = serde_json::from_slice(text)
        .inspect_err(|error| tracing::error!(%error, "the bundle's split manifest is unreadable"))
        .ok()?;
    Some(leptos::WasmSplitManifest(
        leptos::prelude::ArcStoredValue::new((
            format!("/{}", site.bundle_dir()),
            preloads,
            "__wasm_split.______________________.js".to_owned(),
        )),
    ))
}

/// How long browsers may keep what they fetched: a file in a bundle folder named by
/// its contents' hash never changes, so for a year; other files under `/pkg` and public
/// assets are checked again on each use (cheap: the answer is a 304).
async fn cache_headers(
    axum::extract::State(bundle): axum::extract::State<Arc<str>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let hashed = &*bundle != "pkg" && path.starts_with(&format!("/{bundle}/"));
    let value = if hashed {
        "public, max-age=31536000, immutable"
    } else if path.starts_with("/pkg/")
        || matches!(
            path.as_str(),
            "/favicon.svg" | "/embed.js" | "/embed-frame.js"
        )
    {
        "no-cache"
    } else {
        return response;
    };
    if response.status().is_success() {
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static(value),
        );
    }
    response
}

/// The content security policy of a page whose inline scripts carry `nonce`: scripts
/// only from the portal and its own inline ones (Leptos's hydration and streaming
/// scripts carry the nonce), WebAssembly compiled; no plugins; styles from the portal
/// and inline (the graph's SVG and transforms); images also as `data:` and `blob:`
/// (PNG export) and over https (docs). Only the portal's own pages may frame a page
/// (the widgets under `/embed` say which other sites may frame them).
fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; \
         object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
    )
}

/// Gives the page being rendered its content security policy, with the nonce Leptos
/// made for it.
fn set_page_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = axum::http::HeaderValue::from_str(&page_policy(&nonce)) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Headers every response carries, unless its handler set them: browsers take each
/// file for the type it is served as (`nosniff`), other sites see at most this
/// portal's origin in `Referer`, and behind TLS browsers keep to HTTPS for a year
/// (HSTS). Pages also carry a content security policy ([`page_policy`]).
async fn security_headers(
    axum::extract::State(behind_tls): axum::extract::State<bool>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if behind_tls {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
    response
}

/// Requests no route answers: a file of the site, or else the "not found" page (404).
fn site_or_not_found<IV: IntoView + 'static>(
    site: Arc<Site>,
    provide_context: impl Fn() + Clone + Send + Sync + 'static,
    shell: impl Fn(LeptosOptions) -> IV + Clone + Send + Sync + 'static,
    options: LeptosOptions,
) -> impl Fn(
    axum::extract::Request,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = axum::response::Response> + Send>>
       + Clone
       + Send
       + Sync
       + 'static {
    let render = leptos_axum::render_app_to_stream_with_context(provide_context, move || {
        shell(options.clone())
    });
    move |request: axum::extract::Request| {
        if let Some(response) =
            site.respond(request.method(), request.uri().path(), request.headers())
        {
            return Box::pin(std::future::ready(response));
        }
        let page = render(request);
        Box::pin(async move {
            let mut response = page.await;
            *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
            response
        })
    }
}

/// The pages' routes, generated once per process.
///
/// Generating them renders the app with resource loading switched off through a
/// process-wide flag in Leptos (`SuppressResourceLoad`): a page rendered on another
/// thread at that moment would wait forever for its data. Generating once, before any
/// router exists, means no page can be rendering then.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES
        .get_or_init(|| generate_route_list(app::ui::App))
        .clone()
}

/// The whole application: health checks, pages, server functions and static files.
pub fn router(state: AppState) -> Router {
    let services = Services(state.portal.clone());
    let manifest = split_manifest(&state.site);
    let provide_services = move || {
        set_page_policy();
        provide_context(services.clone());
        if let Some(manifest) = &manifest {
            provide_context(manifest.clone());
        }
    };
    let options = state.leptos_options.clone();
    let shell = move |options: LeptosOptions| app::ui::shell(options);
    // A doc set's first page, `/docs/{namespace}/{kind}/{name}/`: the reader's route ends
    // in a wildcard, which axum does not match empty.
    let docs_home = leptos_axum::render_app_async_with_context(provide_services.clone(), {
        let options = options.clone();
        move || shell(options.clone())
    });

    Router::new()
        // Probes, for load balancers and orchestrators.
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        // Prometheus's scrape (`metrics.read`).
        .route(
            "/metrics",
            get(metrics::page).layer(axum::middleware::from_fn(error::backstage_errors)),
        )
        // Backstage's catalog API, for catalog-client and other Backstage tooling.
        .nest("/api/catalog", catalog::routes())
        .nest("/api/graph", graph::routes())
        // Backstage's search API.
        .nest("/api/search", search::routes())
        // Badges for READMEs and wikis, in the paths of Backstage's badges plugin.
        .nest("/api/badges", embed::routes())
        .nest("/api/oembed", embed::oembed_routes())
        .nest("/api/embed", embed::link_routes())
        // Widgets for other sites' iframes.
        .nest("/embed", embed::widget_routes())
        .route("/embed/", get(embed::no_widget))
        // API tokens: created, listed and revoked by their owner or an admin.
        .nest("/api/identity", identity::routes())
        // Signing in with a provider, and out.
        .nest("/auth", identity::signin_routes())
        // Backstage's scaffolder API: tasks, their event streams, dry runs, actions.
        .nest("/api/scaffolder/v2", scaffolder::routes())
        // Template forms posted without JavaScript (the page itself is Leptos's GET).
        .route(
            "/create/templates/{namespace}/{name}",
            axum::routing::post(forms::post_template_form),
        )
        .route("/docs/{namespace}/{kind}/{name}/", get(docs_home))
        .route("/docs/{namespace}/{kind}/{name}", get(docs::with_slash))
        // Pages (server-rendered, then hydrated) and the server functions they call.
        .leptos_routes_with_context(&state, route_list(), provide_services.clone(), move || {
            shell(options.clone())
        })
        // The browser bundle and public assets; anything else is the 404 page.
        .fallback(site_or_not_found(
            state.site.clone(),
            provide_services,
            shell,
            state.leptos_options.clone(),
        ))
        // A doc set's files (images…) below its pages, which the reader's route renders.
        .layer(axum::middleware::from_fn_with_state(
            state.portal.clone(),
            docs::files,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::<str>::from(state.leptos_options.site_pkg_dir.as_ref()),
            cache_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            identity::resolve_principal,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.portal.identity().behind_tls(),
            security_headers,
        ))
        // Pages and API answers are compressed as they are sent: gzip's fastest level
        // takes 40% of its default's time for a sixth more bytes (the 50 KB catalog
        // page: 6.5 KB instead of 5.5 KB, 0.3 ms instead of 0.76 ms). The browser
        // bundle is compressed once, at build time, at the highest level.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(axum::middleware::from_fn_with_state(
            state.portal.clone(),
            metrics::count_requests,
        ))
        .with_state(state)
}
