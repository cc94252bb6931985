//! What the "Embed" dialog offers to copy for a widget: the loader and its element, the
//! custom element, a plain iframe, the oEmbed address and, for an entity, its badge;
//! with a signed link, the first three carry it.

use super::oembed::{discovery_href, Embedded};
use super::signed::with_link;
use super::widget::Widget;
use crate::model::docs::html::escape;

/// One snippet: what it is, and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// Its heading in the dialog.
    pub label: &'static str,
    /// The text to paste.
    pub text: String,
}

/// The snippets embedding `embedded` from the portal at `origin` (no trailing slash),
/// through the signed link `signed` when there is one (oEmbed and badges are not signed:
/// they are left out then).
pub fn snippets(origin: &str, embedded: &Embedded, signed: Option<&str>) -> Vec<Snippet> {
    let embedded = &match signed {
        Some(signed) => with_link(embedded, signed),
        None => embedded.clone(),
    };
    let widget = embedded.widget.name();
    let entity = escape(&embedded.entity.to_string());
    // The widget's options as the loader's attributes: `depth="2"`…
    let mut options: Vec<(String, String)> = form_urlencoded::parse(embedded.query.as_bytes())
        .into_owned()
        .collect();
    if !embedded.page.is_empty() {
        options.push(("page".to_owned(), embedded.page.clone()));
    }
    let attributes = |prefix: &str| -> String {
        options
            .iter()
            .map(|(k, v)| format!(" {prefix}{}=\"{}\"", escape(k), escape(v)))
            .collect()
    };
    let script = format!("<script src=\"{origin}/embed.js\" async></script>");
    let (width, height) = embedded.size();
    let mut snippets = vec![
        Snippet {
            label: "Loader",
            text: format!(
                "{script}\n<div data-portico-widget=\"{widget}\" data-entity=\"{entity}\"{}></div>",
                attributes("data-")
            ),
        },
        Snippet {
            label: "Custom element",
            text: format!(
                "{script}\n<portico-widget widget=\"{widget}\" entity=\"{entity}\"{}></portico-widget>",
                attributes("")
            ),
        },
        Snippet {
            label: "iframe",
            text: format!(
                "<iframe src=\"{}\" width=\"{width}\" height=\"{height}\" style=\"border:0\" loading=\"lazy\"></iframe>",
                escape(&format!("{origin}{}", embedded.path()))
            ),
        },
        Snippet {
            label: "oEmbed",
            text: format!(
                "{origin}{}",
                discovery_href(&format!("{origin}{}", embedded.page_path()))
            ),
        },
    ];
    if signed.is_some() {
        snippets.truncate(3);
        return snippets;
    }
    if embedded.widget == Widget::Card {
        let e = &embedded.entity;
        let image = format!(
            "{origin}/api/badges/entity/{}/{}/{}/badge/pingback",
            e.namespace(),
            e.kind().to_lowercase(),
            e.name()
        );
        let page = format!("{origin}{}", embedded.page_path());
        snippets.push(Snippet {
            label: "Badge (Markdown)",
            text: format!("[![{entity}]({image})]({page})"),
        });
        snippets.push(Snippet {
            label: "Badge (HTML)",
            text: format!("<a href=\"{page}\"><img src=\"{image}\" alt=\"{entity}\"></a>"),
        });
    }
    snippets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::embed::oembed::embedded;

    #[test]
    fn each_way_names_the_same_widget() {
        let graph = embedded("/graph?root=component:default/web&depth=2").unwrap();
        let texts: Vec<String> = snippets("https://portal.example", &graph, None)
            .into_iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(
            texts[0],
            "<script src=\"https://portal.example/embed.js\" async></script>\n\
             <div data-portico-widget=\"graph\" data-entity=\"component:default/web\" data-depth=\"2\"></div>"
        );
        assert!(texts[1].ends_with(
            "<portico-widget widget=\"graph\" entity=\"component:default/web\" depth=\"2\"></portico-widget>"
        ));
        assert!(texts[2].starts_with(
            "<iframe src=\"https://portal.example/embed/graph/default/component/web?depth=2\""
        ));
        assert_eq!(
            texts[3],
            "https://portal.example/api/oembed?url=https%3A%2F%2Fportal.example%2Fgraph%3Froot%3Dcomponent%3Adefault%2Fweb%26depth%3D2"
        );
        assert_eq!(texts.len(), 4, "badges are the card's");

        let docs = embedded("/docs/default/component/web/guide/").unwrap();
        assert!(snippets("https://p", &docs, None)[0]
            .text
            .contains("data-page=\"guide/\""));
        let card = embedded("/catalog/default/component/web").unwrap();
        let card = snippets("https://p", &card, None);
        assert_eq!(
            card[4].text,
            "[![component:default/web](https://p/api/badges/entity/default/component/web/badge/pingback)](https://p/catalog/default/component/web)"
        );
    }

    #[test]
    fn a_signed_link_goes_into_every_snippet_that_loads_the_widget() {
        let graph = embedded("/graph?root=component:default/web&depth=2").unwrap();
        let texts: Vec<String> = snippets("https://p", &graph, Some("9.mac.user:default/jo"))
            .into_iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(texts.len(), 3, "no oEmbed or badge: they are not signed");
        assert!(texts[0].contains(" data-depth=\"2\" data-signed=\"9.mac.user:default/jo\">"));
        assert!(texts[1].contains(" depth=\"2\" signed=\"9.mac.user:default/jo\">"));
        assert!(texts[2].contains(
            "src=\"https://p/embed/graph/default/component/web?depth=2&amp;signed=9.mac.user%3Adefault%2Fjo\""
        ));
    }
}
