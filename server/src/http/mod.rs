//! The HTTP surface: one router, grouped by who calls it.
//!
//! Handlers are thin: they parse the request, call [`crate::services::Portal`] and shape
//! the response. Pages and server functions are Leptos's, rendered by `app`.

mod catalog;
mod error;
mod forms;
mod health;
mod scaffolder;

use std::sync::{Arc, OnceLock};

use app::api::Services;
use axum::{extract::FromRef, routing::get, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::compression::CompressionLayer;

use crate::{config::Config, services::Portal};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Leptos's settings: where the browser bundle is and what it is called.
    pub leptos_options: LeptosOptions,
    /// Portico's services.
    pub portal: Arc<Portal>,
}

impl AppState {
    /// The state for a portal configured by `config`.
    pub fn new(config: &Config, portal: Arc<Portal>) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name("portico")
            .site_root(config.site_root.to_string_lossy().into_owned())
            .site_pkg_dir(bundle_dir(&config.site_root))
            .site_addr(config.addr)
            .build();
        Self {
            leptos_options,
            portal,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The browser bundle's folder under the site root: `pkg/HASH` as `.ci/lib.sh` names it
/// in `pkg/bundle`, or `pkg` for a bundle built without a hash. Its files are
/// `portico.js`, `portico_bg.wasm`, `portico.css` and the lazily loaded routes' chunks.
pub fn bundle_dir(site_root: &std::path::Path) -> String {
    std::fs::read_to_string(site_root.join("pkg").join("bundle"))
        .ok()
        .map(|hash| hash.trim().to_owned())
        .filter(|hash| !hash.is_empty() && hash.chars().all(|c| c.is_ascii_alphanumeric()))
        .map_or_else(|| "pkg".to_owned(), |hash| format!("pkg/{hash}"))
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
    } else if path.starts_with("/pkg/") || path == "/favicon.svg" {
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
    let provide_services = move || provide_context(services.clone());
    let options = state.leptos_options.clone();
    let shell = move |options: LeptosOptions| app::ui::shell(options);

    Router::new()
        // Probes, for load balancers and orchestrators.
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        // Backstage's catalog API, for catalog-client and other Backstage tooling.
        .nest("/api/catalog", catalog::routes())
        // Backstage's scaffolder API: tasks, their event streams, dry runs, actions.
        .nest("/api/scaffolder/v2", scaffolder::routes())
        // Template forms posted without JavaScript (the page itself is Leptos's GET).
        .route(
            "/create/templates/{namespace}/{name}",
            axum::routing::post(forms::post_template_form),
        )
        // Pages (server-rendered, then hydrated) and the server functions they call.
        .leptos_routes_with_context(&state, route_list(), provide_services.clone(), move || {
            shell(options.clone())
        })
        // The browser bundle and public assets; anything else is the 404 page.
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_services, shell))
        .layer(axum::middleware::from_fn_with_state(
            Arc::<str>::from(state.leptos_options.site_pkg_dir.as_ref()),
            cache_headers,
        ))
        .layer(CompressionLayer::new())
        .with_state(state)
}
