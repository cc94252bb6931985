//! The widgets other pages embed (`/embed/…`): whole HTML documents rendered on the
//! server, without the portal's header or its WebAssembly. Each carries the portal's
//! stylesheet in itself (one request before the first paint, not two: about 9 KB
//! compressed), and loads one small script, `/embed-frame.js`, that tells the
//! embedding page the widget's height and takes its theme.
//!
//! Every link opens the portal in a new tab: each says so itself, and `<base>` does for
//! the HTML of docs pages and graphs, whose relative addresses it also resolves.

mod card;
mod content;
mod dialog;
mod graph;

pub use card::{card, owner};
pub use content::{api, docs, search};
pub use dialog::EmbedDialog;
pub use graph::{graph, impact};

use leptos::prelude::*;

use crate::model::docs::html::escape;
use crate::model::embed::widget::WidgetOptions;

/// The portal's stylesheet (the bundle's `portico.css` is a copy).
const STYLE: &str = include_str!("../../../../../style/main.css");

/// What every widget document needs besides its body.
#[derive(Clone, Debug)]
pub struct WidgetFrame {
    /// The document's title.
    pub title: String,
    /// Theme and size.
    pub options: WidgetOptions,
    /// Where relative addresses lead: the portal page the widget shows, or `/`.
    pub base: String,
    /// The origins allowed to embed the widget, which `/embed-frame.js` talks to.
    pub origins: Vec<String>,
}

/// The widget document holding `body`.
pub fn document(frame: WidgetFrame, body: impl IntoView) -> String {
    let WidgetFrame {
        title,
        options,
        base,
        origins,
    } = frame;
    let class = if options.compact {
        "embed embed--compact"
    } else {
        "embed"
    };
    let body = view! { <body class=class>{body}</body> }.to_html();
    // The head as text: Leptos marks text it renders with `<!>`, which a `<title>`
    // would show.
    format!(
        "<!DOCTYPE html><html lang=\"en\" data-theme=\"{theme}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Portico</title><base href=\"{base}\" target=\"_blank\">\
         <style>{STYLE}</style>\
         <script src=\"/embed-frame.js\" defer data-origins=\"{origins}\"></script></head>{body}</html>",
        theme = options.theme.as_str(),
        title = escape(&title),
        base = escape(&base),
        origins = escape(&origins.join(" ")),
    )
}

/// The small page an unknown widget or entity shows (with status 404), or a wrong
/// option (400): what was asked for, and a way into the portal.
pub fn problem(heading: &'static str, detail: String) -> impl IntoView {
    view! {
        <section class="embed-widget embed-problem" data-testid="embed-problem">
            <h1>{heading}</h1>
            <p class="muted">{detail}</p>
            <Footer />
        </section>
    }
}

/// A page's `<link rel="alternate" type="application/json+oembed">`, so that wikis that
/// unfurl the page's address find its widget: the one piece of embedding the portal's
/// own pages (entity, graph, docs) carry. `path` is the page's, query included.
#[component]
pub fn OEmbedLink(path: String, title: String) -> impl IntoView {
    view! {
        <leptos_meta::Link
            rel="alternate"
            type_="application/json+oembed"
            href=crate::model::embed::oembed::discovery_href(&path)
            title=title
        />
    }
}

/// A link into the portal, opened in a new tab.
fn out(href: String, text: String) -> impl IntoView {
    view! { <a href=href target="_blank" rel="noopener">{text}</a> }
}

/// The line at the bottom of every widget: where it comes from.
#[component]
fn Footer(#[prop(optional, into)] more: Option<(String, String)>) -> impl IntoView {
    view! {
        <footer class="embed-footer">
            {more.map(|(href, text)| view! { {out(href, text)} " · " })}
            <a href="/" target="_blank" rel="noopener">"Portico"</a>
        </footer>
    }
}
