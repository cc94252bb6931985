//! The HTTP status of a page rendered on the server.
//!
//! A page that shows "not found" answers 404 and one whose data failed to load answers
//! 500, while still rendering what it shows the person. In the browser (after hydration,
//! or when navigating) there is no response to set, and these do nothing.

/// Marks the page being rendered as "not found" (404).
pub fn not_found() {
    #[cfg(feature = "ssr")]
    set(http::StatusCode::NOT_FOUND);
}

/// Marks the page being rendered as refused: the person may not see it (403).
pub fn forbidden() {
    #[cfg(feature = "ssr")]
    set(http::StatusCode::FORBIDDEN);
}

/// Marks the page being rendered as failed: its data could not be loaded (500).
pub fn failed() {
    #[cfg(feature = "ssr")]
    set(http::StatusCode::INTERNAL_SERVER_ERROR);
}

#[cfg(feature = "ssr")]
fn set(status: http::StatusCode) {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// Renders nothing; on the server, makes the page answer 404 ([`not_found`]).
#[leptos::component]
pub fn NotFoundStatus() -> impl leptos::IntoView {
    not_found();
}

/// Renders nothing; on the server, makes the page answer 403 ([`forbidden`]).
#[leptos::component]
pub fn ForbiddenStatus() -> impl leptos::IntoView {
    forbidden();
}

/// Renders nothing; on the server, makes the page answer 500 ([`failed`]).
#[leptos::component]
pub fn FailedStatus() -> impl leptos::IntoView {
    failed();
}
