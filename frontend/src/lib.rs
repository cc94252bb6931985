//! The browser entry point: hydrates the page the server rendered.
//!
//! This crate is compiled only to `wasm32-unknown-unknown`; everything it runs lives in the
//! `app` crate (feature `hydrate`).

/// Called by the loader script that the server puts into every page. Hydrates
/// asynchronously: a lazily loaded route's code is fetched before its part of the page
/// is hydrated.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::ui::App);
}
