//! The "Embed" dialog of entity, graph and docs pages: each way to put the page's
//! widgets on another site (loader, custom element, iframe, oEmbed, badge) ready to copy,
//! and a preview of the widget chosen. The snippets are written when it is first opened,
//! with the address the browser reached the portal at. For a portal people sign in to,
//! "Sign link" makes the snippets carry a signed, expiring link that shows the widget
//! as the person who signed it.

use leptos::{lazy, prelude::*};

use crate::api::{reason, SignEmbedLink};
use crate::model::embed::oembed::Embedded;
use crate::model::embed::signed::LIFETIMES;
use crate::model::embed::snippets;

/// The dialog offering `choices`, the first chosen at first.
#[component]
pub fn EmbedDialog(choices: Vec<Embedded>) -> impl IntoView {
    let open = RwSignal::new(false);
    let first = choices.first().map(Embedded::path).unwrap_or_default();
    view! {
        <details class="embed-dialog" data-testid="embed-dialog" on:toggle=move |_| open.set(true)>
            <summary class="button button--quiet">"Embed"</summary>
            <div class="embed-dialog__body">
                <p class="muted">
                    "Put this on a wiki or a dashboard. The widget's own address: "
                    <code>{first}</code>
                </p>
                {move || {
                    open.get().then(|| {
                        let choices = choices.clone();
                        view! {
                            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                                {Suspend::new(snippets(choices.clone()))}
                            </Suspense>
                        }
                    })
                }}
            </div>
        </details>
    }
}

/// The dialog's contents, in a wasm chunk of their own that the browser loads when the
/// dialog is first opened: pages that show the dialog do not carry them.
#[lazy]
fn snippets(choices: Vec<Embedded>) -> AnyView {
    view! { <Snippets choices /> }.into_any()
}

#[component]
fn Snippets(choices: Vec<Embedded>) -> impl IntoView {
    let chosen = RwSignal::new(0usize);
    let copied = RwSignal::new(None::<usize>);
    let names: Vec<&'static str> = choices.iter().map(|c| c.widget.name()).collect();
    let choices = StoredValue::new(choices);
    let current = move || choices.with_value(|c| c[chosen.get().min(c.len() - 1)].clone());
    let origin = page_origin();
    let sign = ServerAction::<SignEmbedLink>::new();
    let days = RwSignal::new(LIFETIMES[0].0);
    // The signed link for the widget chosen (a new choice forgets it).
    let signed = move || sign.value().get().and_then(Result::ok);
    let current_path = move || match signed() {
        Some(link) => link.path,
        None => current().path(),
    };
    view! {
        <label class="embed-dialog__choice">
            "Widget "
            <select
                data-testid="embed-widget"
                on:change=move |event| {
                    chosen.set(event_target_value(&event).parse().unwrap_or(0));
                    copied.set(None);
                    sign.value().set(None);
                }
            >
                {names.into_iter().enumerate().map(|(i, name)| view! { <option value=i.to_string()>{name}</option> }).collect_view()}
            </select>
        </label>
        <div class="embed-dialog__sign">
            <label>
                "Signed link, valid for "
                <select on:change=move |event| days.set(event_target_value(&event).parse().unwrap_or(LIFETIMES[0].0))>
                    {LIFETIMES.into_iter().map(|(d, label)| view! { <option value=d.to_string()>{label}</option> }).collect_view()}
                </select>
            </label>
            " "
            <button
                type="button"
                class="button button--quiet"
                data-testid="embed-sign"
                disabled=move || sign.pending().get()
                on:click=move |_| {
                    let embedded = current();
                    sign.dispatch(SignEmbedLink {
                        widget: embedded.widget.name().to_owned(),
                        entity: embedded.entity.to_string(),
                        days: days.get_untracked(),
                    });
                }
            >
                "Sign link"
            </button>
            <p class="muted" data-testid="embed-sign-status" role="status">
                {move || match sign.value().get() {
                    Some(Ok(link)) => format!(
                        "Signed: anyone with these snippets sees this widget as you do, until {}.",
                        link.expires_at.get(..10).unwrap_or(&link.expires_at)
                    ),
                    Some(Err(error)) => reason(&error),
                    None => "Where readers are not signed in to the portal, sign a link: it shows this widget as you see it, until it expires.".to_owned(),
                }}
            </p>
        </div>
        {move || {
            let signed = signed().map(|link| link.signed);
            snippets::snippets(&origin, &current(), signed.as_deref())
                .into_iter()
                .enumerate()
                .map(|(i, snippet)| {
                    let text = snippet.text.clone();
                    view! {
                        <section class="embed-snippet" data-testid="embed-snippet">
                            <h3>{snippet.label}</h3>
                            <pre class="code"><code>{snippet.text}</code></pre>
                            <button type="button" class="button button--quiet" on:click=move |_| {
                                copy(&text);
                                copied.set(Some(i));
                            }>
                                {move || if copied.get() == Some(i) { "Copied" } else { "Copy" }}
                            </button>
                        </section>
                    }
                })
                .collect_view()
        }}
        <h3>"Preview"</h3>
        <iframe class="embed-dialog__preview" data-testid="embed-preview" title="Preview of the widget" src=current_path></iframe>
    }
}

/// The portal's address as this browser reached it.
fn page_origin() -> String {
    #[cfg(feature = "hydrate")]
    return window().location().origin().unwrap_or_default();
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// Puts `text` on the clipboard.
fn copy(text: &str) {
    #[cfg(feature = "hydrate")]
    let _ = window().navigator().clipboard().write_text(text);
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}
