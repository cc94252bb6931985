//! `/tokens`: a person's API tokens — listed with their scopes, expiry and last use,
//! created (the secret shown once) and revoked. Both forms post without JavaScript (a
//! token so created reaches the page in a short-lived cookie, `api::take_new_token`).

use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;

use crate::{
    api::{get_my_tokens, get_viewer, take_new_token, CreateMyToken, RevokeMyToken},
    model::{
        identity::{
            action::Scope,
            token::{NewToken, TokenInfo, LIFETIMES},
        },
        task::rfc3339,
    },
};

/// Each scope with what it lets a token do.
const SCOPES: [(Scope, &str, &str); 4] = [
    (Scope::Read, "read", "Read the catalog, docs and tasks"),
    (
        Scope::CatalogWrite,
        "catalog_write",
        "Register and unregister locations, refresh and delete entities",
    ),
    (
        Scope::TemplatesRun,
        "templates_run",
        "Run templates and cancel tasks",
    ),
    (Scope::Admin, "admin", "Everything you may do"),
];

/// The page.
#[component]
pub fn TokensPage() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| get_viewer());
    view! {
        <Title text="API tokens" />
        <h1>"API tokens"</h1>
        <p class="muted">
            "A token lets automation call Portico's REST APIs as you, as far as its scopes \
             allow: send it as "<code>"Authorization: Bearer <token>"</code>"."
        </p>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(viewer) if viewer.principal.signed_in() => view! { <Tokens /> }.into_any(),
                    Ok(_) => {
                        view! {
                            <p class="notice" data-testid="tokens-sign-in">
                                "Sign in to create API tokens: a token acts as the person who made it."
                            </p>
                        }
                            .into_any()
                    }
                    Err(error) => {
                        view! {
                            <p class="notice notice--error" role="alert">
                                {format!("The portal could not be asked who you are: {error}")}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The form and the list, for a signed-in person.
#[component]
fn Tokens() -> impl IntoView {
    let create = ServerAction::<CreateMyToken>::new();
    let revoke = ServerAction::<RevokeMyToken>::new();
    // Marks the form once the browser has taken it over (it renders after the rest of
    // the page hydrates), so a test submits it through the action, not as a plain post.
    let form = NodeRef::<leptos::html::Form>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        if let Some(form) = form.get() {
            let _ = form.set_attribute("data-ready", "");
        }
    });
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| get_my_tokens(),
    );
    // A token the form made when posted without JavaScript, carried here by a cookie.
    let flashed = Resource::new(|| (), |_| take_new_token());
    let created = move || match create.value().get() {
        Some(Ok(token)) => Some(view! { <NewSecret token /> }.into_any()),
        Some(Err(error)) => Some(
            view! {
                <p class="notice notice--error" role="alert" data-testid="token-error">
                    {error.to_string()}
                </p>
            }
            .into_any(),
        ),
        None => Some(
            view! {
                <Suspense>
                    {move || Suspend::new(async move {
                        flashed.await.ok().flatten().map(|token| view! { <NewSecret token /> })
                    })}
                </Suspense>
            }
            .into_any(),
        ),
    };
    let revoke_error = move || {
        revoke.value().get().and_then(Result::err).map(|error| {
            view! { <p class="notice notice--error" role="alert">{error.to_string()}</p> }
        })
    };
    view! {
        <section aria-labelledby="new-token-heading">
            <h2 id="new-token-heading">"New token"</h2>
            <ActionForm action=create node_ref=form attr:class="token-form">
                <label>
                    "What it is for"
                    <input type="text" name="name" required maxlength="100" placeholder="CI publishing" />
                </label>
                <fieldset>
                    <legend>"Scopes"</legend>
                    {SCOPES
                        .into_iter()
                        .map(|(scope, field, text)| {
                            view! {
                                <label class="token-form__scope">
                                    <input type="checkbox" name=field checked=scope == Scope::Read />
                                    <code>{scope.name()}</code>
                                    " "
                                    <span class="muted">{text}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <label>
                    "Expires after"
                    <select name="lifetime">
                        {LIFETIMES
                            .into_iter()
                            .map(|(days, label)| {
                                let value = days.map_or("never".to_owned(), |d| d.to_string());
                                view! { <option value=value selected=days == Some(90)>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button class="button" type="submit">"Create token"</button>
            </ActionForm>
            {created}
        </section>
        <section aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"Your tokens"</h2>
            {revoke_error}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="muted" data-testid="no-tokens">"You have no tokens."</p> }.into_any()
                        }
                        Ok(list) => view! { <TokenTable list revoke /> }.into_any(),
                        Err(error) => {
                            view! {
                                <p class="notice notice--error" role="alert">
                                    {format!("Your tokens could not be read: {error}")}
                                </p>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// A token just created: its secret, this once.
#[component]
fn NewSecret(token: NewToken) -> impl IntoView {
    view! {
        <div class="notice" role="status" data-testid="new-token">
            <p>
                {format!("Token “{}” created. Copy it now: Portico keeps only a hash of it, and will not show it again.", token.info.name)}
            </p>
            <input class="token-secret" type="text" readonly value=token.secret aria-label="The new token" />
        </div>
    }
}

/// A date as `YYYY-MM-DD`.
fn day(ms: i64) -> String {
    rfc3339(ms).chars().take(10).collect()
}

/// Whether a token works, as a word.
fn state(token: &TokenInfo, now: i64) -> &'static str {
    match (token.revoked_at, token.expires_at) {
        (Some(_), _) => "revoked",
        (None, Some(end)) if end <= now => "expired",
        _ => "active",
    }
}

/// The tokens, newest first, each revocable while it works.
#[component]
fn TokenTable(list: Vec<TokenInfo>, revoke: ServerAction<RevokeMyToken>) -> impl IntoView {
    let now = js_now();
    view! {
        <table class="token-table" data-testid="token-table">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"Scopes"</th>
                    <th>"Created"</th>
                    <th>"Expires"</th>
                    <th>"Last used"</th>
                    <th>"State"</th>
                    <th><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|token| {
                        let state = state(&token, now);
                        let scopes: Vec<&str> = token.scopes.iter().map(|s| s.name()).collect();
                        let label = format!("Revoke {}", token.name);
                        let id = token.id.clone();
                        let action = (state == "active").then(move || {
                            view! {
                                <ActionForm action=revoke>
                                    <input type="hidden" name="id" value=id />
                                    <button class="button button--quiet" type="submit">{label}</button>
                                </ActionForm>
                            }
                        });
                        view! {
                            <tr>
                                <td>{token.name.clone()}</td>
                                <td><code>{scopes.join(" ")}</code></td>
                                <td>{day(token.created_at)}</td>
                                <td>{token.expires_at.map_or("never".to_owned(), day)}</td>
                                <td>{token.last_used_at.map_or("never".to_owned(), day)}</td>
                                <td><span class=format!("badge token-state token-state--{state}")>{state}</span></td>
                                <td>{action}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Now, in ms since the epoch: the browser's clock, or the server's when rendering.
fn js_now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }
}
