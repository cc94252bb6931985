//! oEmbed (<https://oembed.com>): a portal page's address → the widget that shows it, so
//! wikis and chat tools that unfurl links show the widget. Entity pages give the card,
//! graph pages the graph around their first root, docs pages the docs page.

use serde::Serialize;

use super::widget::Widget;
use crate::model::catalog::entity_ref::EntityRef;
use crate::model::docs::html::escape;

/// The widget a portal page's address asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embedded {
    /// Which widget.
    pub widget: Widget,
    /// The entity it shows.
    pub entity: EntityRef,
    /// A docs page's path below its doc set; empty for other widgets.
    pub page: String,
    /// The widget's own query (a graph's `depth`, `relation`…), encoded.
    pub query: String,
}

impl Embedded {
    /// `widget` of `entity`, with no page or options.
    pub fn new(widget: Widget, entity: EntityRef) -> Self {
        Self {
            widget,
            entity,
            page: String::new(),
            query: String::new(),
        }
    }

    /// The widget's path, query included: `/embed/card/default/component/web`.
    pub fn path(&self) -> String {
        let mut path = format!(
            "/embed/{}/{}/{}/{}",
            self.widget.name(),
            self.entity.namespace(),
            self.entity.kind().to_lowercase(),
            self.entity.name()
        );
        if !self.page.is_empty() {
            path.push('/');
            path.push_str(&self.page);
        }
        if !self.query.is_empty() {
            path.push('?');
            path.push_str(&self.query);
        }
        path
    }

    /// The address of the portal page the widget shows: the entity's page, the graph,
    /// the docs page.
    pub fn page_path(&self) -> String {
        let (namespace, kind, name) = (
            self.entity.namespace(),
            self.entity.kind().to_lowercase(),
            self.entity.name(),
        );
        match self.widget {
            Widget::Graph => {
                let mut path = format!("/graph?root={}", self.entity);
                if !self.query.is_empty() {
                    path.push('&');
                    path.push_str(&self.query);
                }
                path
            }
            Widget::Docs => format!("/docs/{namespace}/{kind}/{name}/{}", self.page),
            _ => format!("/catalog/{namespace}/{kind}/{name}"),
        }
    }

    /// Its frame's size when the consumer sets no limit, in CSS pixels.
    pub fn size(&self) -> (u32, u32) {
        match self.widget {
            Widget::Graph => (800, 480),
            Widget::Docs => (800, 600),
            _ => (480, 300),
        }
    }
}

/// The widget showing the portal page at `url`: a whole URL (its origin is not looked
/// at: the answer always frames this portal) or a path. `None` for pages no widget
/// shows.
pub fn embedded(url: &str) -> Option<Embedded> {
    let rest = match url.split_once("://") {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            &rest[rest.find('/').unwrap_or(rest.len())..]
        }
        Some(_) => return None,
        None => url,
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let entity = |namespace: &str, kind: &str, name: &str| {
        let parts = [namespace, kind, name];
        (parts.iter().all(|p| is_name(p))).then(|| EntityRef::new(kind, namespace, name))
    };
    match parts.as_slice() {
        ["catalog", namespace, kind, name] | ["catalog", namespace, kind, name, ""] => {
            Some(Embedded {
                widget: Widget::Card,
                entity: entity(namespace, kind, name)?,
                page: String::new(),
                query: String::new(),
            })
        }
        ["docs", namespace, kind, name, page @ ..] => {
            let page = page.join("/");
            let safe = page
                .split('/')
                .all(|p| p.is_empty() || (is_name(p) && p != "." && p != ".."));
            Some(Embedded {
                widget: Widget::Docs,
                entity: entity(namespace, kind, name)?,
                page: safe.then_some(page)?,
                query: String::new(),
            })
        }
        ["graph"] => {
            let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let root = pairs
                .iter()
                .find(|(k, _)| k == "root")
                .and_then(|(_, v)| v.split(',').next())
                .and_then(|r| EntityRef::parse_full(r.trim()).ok())?;
            let kept = ["depth", "relation", "kind", "direction"];
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs.iter().filter(|(k, _)| kept.contains(&k.as_str())))
                .finish();
            Some(Embedded {
                widget: Widget::Graph,
                entity: root,
                page: String::new(),
                query,
            })
        }
        _ => None,
    }
}

/// A part of an address that may name something: letters, digits and `-_.~`.
fn is_name(part: &str) -> bool {
    !part.is_empty()
        && part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
}

/// An oEmbed answer of type `rich`: an iframe of the widget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OEmbed {
    /// Always `1.0`.
    pub version: &'static str,
    /// Always `rich`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The entity's title, or the docs page's.
    pub title: String,
    /// `Portico`.
    pub provider_name: &'static str,
    /// The portal's address.
    pub provider_url: String,
    /// How long consumers may keep the answer, in seconds.
    pub cache_age: u32,
    /// The iframe.
    pub html: String,
    /// Its width.
    pub width: u32,
    /// Its height.
    pub height: u32,
}

impl OEmbed {
    /// The answer framing `embedded` from the portal at `portal_url` (no trailing
    /// slash), titled `title`, within `max` (width, height) when the consumer gives it.
    pub fn new(
        embedded: &Embedded,
        portal_url: &str,
        title: String,
        max: (Option<u32>, Option<u32>),
    ) -> Self {
        let (width, height) = embedded.size();
        let width = max.0.map_or(width, |m| width.min(m.max(1)));
        let height = max.1.map_or(height, |m| height.min(m.max(1)));
        let html = format!(
            "<iframe src=\"{}\" width=\"{width}\" height=\"{height}\" title=\"{}\" \
             loading=\"lazy\" style=\"border:0\"></iframe>",
            escape(&format!("{portal_url}{}", embedded.path())),
            escape(&title)
        );
        Self {
            version: "1.0",
            kind: "rich",
            title,
            provider_name: "Portico",
            provider_url: format!("{portal_url}/"),
            cache_age: 300,
            html,
            width,
            height,
        }
    }
}

/// The `href` of a page's `<link rel="alternate" type="application/json+oembed">`: the
/// oEmbed answer for the page at `path` (query included).
pub fn discovery_href(path: &str) -> String {
    format!(
        "/api/oembed?url={}",
        form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_pages_map_to_their_widgets() {
        let card = embedded("https://portal.example/catalog/default/component/web").unwrap();
        assert_eq!(card.widget, Widget::Card);
        assert_eq!(card.path(), "/embed/card/default/component/web");
        assert_eq!(embedded("/catalog/default/component/web/"), Some(card));

        let docs = embedded("http://p/docs/default/component/web/guide/setup/").unwrap();
        assert_eq!(
            docs.path(),
            "/embed/docs/default/component/web/guide/setup/"
        );
        let graph = embedded(
            "/graph?root=component:default/web,api:default/a&depth=2&impact=needs&x=1#top",
        )
        .unwrap();
        assert_eq!(graph.path(), "/embed/graph/default/component/web?depth=2");

        for other in [
            "/",
            "/catalog",
            "/catalog/default/component",
            "/graph?depth=2",
            "/docs/default/component/web/../../secret",
            "/catalog/default/component/we%22b",
            "javascript:alert(1)",
            "ftp://p/catalog/default/component/web",
        ] {
            assert_eq!(embedded(other), None, "{other}");
        }
    }

    #[test]
    fn the_answer_frames_this_portal_within_the_limits() {
        let card = embedded("https://elsewhere.example/catalog/default/component/web").unwrap();
        let answer = OEmbed::new(
            &card,
            "https://portal.example",
            "<b>Web</b>".into(),
            (Some(300), None),
        );
        assert_eq!((answer.width, answer.height), (300, 300));
        assert!(answer.html.starts_with(
            "<iframe src=\"https://portal.example/embed/card/default/component/web\" width=\"300\""
        ));
        assert!(answer.html.contains("title=\"&lt;b&gt;Web&lt;/b&gt;\""));
        let json = serde_json::to_value(&answer).unwrap();
        assert_eq!(json["type"], "rich");
        assert_eq!(json["version"], "1.0");
        assert_eq!(
            discovery_href("/graph?root=a:b/c&depth=2"),
            "/api/oembed?url=%2Fgraph%3Froot%3Da%3Ab%2Fc%26depth%3D2"
        );
    }
}
