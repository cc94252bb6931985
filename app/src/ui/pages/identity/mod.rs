//! Who is using the portal: the sign-in page, the user menu in the header, the API
//! tokens page (`tokens.rs`) and the audit log (`audit.rs`).

mod audit;
mod tokens;

pub use audit::AuditLogPage;
pub use tokens::TokensPage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};

use crate::{
    api::get_viewer,
    model::identity::{
        principal::{Credential, Viewer},
        signin::{sign_in_url, SignInFailure},
    },
};

/// `/signin?return=PATH[&failed=CODE&who=…]`: the providers to sign in with, and why
/// the last attempt failed.
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let viewer = Resource::new(|| (), |_| get_viewer());
    let failure = move || {
        query.with(|q| {
            let who = q.get("who");
            SignInFailure::from_query(&q.get("failed")?, who.as_deref())
        })
    };
    let return_to = move || {
        query
            .with(|q| q.get("return"))
            .unwrap_or_else(|| "/".into())
    };
    view! {
        <Title text="Sign in" />
        <h1>"Sign in"</h1>
        {move || {
            failure()
                .map(|failure| {
                    view! {
                        <p class="notice notice--error" role="alert" data-testid="sign-in-failure">
                            {failure.message()}
                        </p>
                    }
                })
        }}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(viewer) => view! { <SignInChoices viewer return_to=return_to() /> }.into_any(),
                    Err(error) => {
                        view! {
                            <p class="notice notice--error" role="alert">
                                {format!("The portal could not be asked how to sign in: {error}")}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The providers' buttons; or who is signed in already; or that nobody signs in here.
#[component]
fn SignInChoices(viewer: Viewer, return_to: String) -> impl IntoView {
    if viewer.principal.credential == Credential::Session {
        return view! {
            <div class="notice" data-testid="signed-in">
                <p>{format!("You are signed in as {}.", viewer.name)}</p>
                <SignOut />
            </div>
        }
        .into_any();
    }
    if viewer.sign_in.is_empty() {
        return view! {
            <p class="notice">
                "This portal has no sign-in provider configured: everyone uses it as a guest."
            </p>
        }
        .into_any();
    }
    view! {
        <p class="muted">"Choose how to sign in. You will come back to the page you were on."</p>
        <ul class="sign-in-options">
            {viewer
                .sign_in
                .into_iter()
                .map(|option| {
                    // rel=external: the browser, not the router, follows it (to the provider).
                    view! {
                        <li>
                            <a class="button" rel="external" href=option.start_url(&return_to)>
                                {format!("Sign in with {}", option.name)}
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// Signing out: a form, so that it works without JavaScript (and is a POST, which other
/// sites cannot make a browser send here).
#[component]
fn SignOut() -> impl IntoView {
    view! {
        <form class="sign-out" method="post" action="/auth/signout">
            <button class="button button--quiet" type="submit">"Sign out"</button>
        </form>
    }
}

/// The header's corner: who is signed in and "Sign out", or "Sign in" for guests of a
/// portal that has sign-in.
#[component]
pub fn UserMenu() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| get_viewer());
    let location = use_location();
    let here = move || format!("{}{}", location.pathname.get(), location.search.get());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let viewer = viewer.await.ok()?;
                Some(match viewer.principal.signed_in() {
                    true => {
                        view! {
                            <div class="user-menu" data-testid="user-menu">
                                <span class="user-menu__name" title=viewer.principal.user.to_string()>
                                    {viewer.name}
                                </span>
                                <a class="user-menu__link" href="/tokens">"API tokens"</a>
                                {viewer.principal.admin.then(|| view! {
                                    <a class="user-menu__link" href="/admin/audit">"Audit log"</a>
                                })}
                                <SignOut />
                            </div>
                        }
                            .into_any()
                    }
                    false if !viewer.sign_in.is_empty() => {
                        let href = move || sign_in_url(&here());
                        // Not on the sign-in page itself.
                        let elsewhere = move || location.pathname.get() != "/signin";
                        view! {
                            <Show when=elsewhere>
                                <a class="button button--quiet user-menu" href=href data-testid="sign-in-link">
                                    "Sign in"
                                </a>
                            </Show>
                        }
                            .into_any()
                    }
                    false => return None,
                })
            })}
        </Suspense>
    }
}
