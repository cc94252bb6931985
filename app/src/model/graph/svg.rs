//! A drawing as SVG — the same text on the server (the page readable without JavaScript)
//! and in the browser. The picture carries its own style, so that a copy saved or
//! exported looks the same elsewhere. Every text that comes from the catalog is escaped.

use std::collections::HashSet;

use super::draw::{Drawing, ICON_ROOM};
use super::layout::{route_middle, route_path};
use super::subgraph::{GraphNode, Subgraph};
use crate::model::catalog::{entity_page::entity_href, entity_ref::EntityRef};
use crate::model::docs::html::escape;

/// Where a node's link leads when it is not to its entity page: the same graph rooted at
/// the node (the entity page is then one more link, in the node's corner).
pub type Reroot<'a> = &'a dyn Fn(&str) -> String;

/// The picture's style: the page's colours where it has them, plain ones elsewhere.
const STYLE: &str = "\
.graph{font:12px/1 system-ui,sans-serif}\
.graph-node rect{fill:var(--graph-node,#eef2ff);stroke:var(--accent,#4f46e5);stroke-width:1.5}\
.graph-node a:hover rect,.graph-node a:focus rect,.graph-node.is-near rect{stroke-width:3}\
.graph-node--root rect{stroke-width:3;fill:var(--graph-root,#e0e7ff)}\
.graph-node--missing rect{fill:none;stroke:var(--muted,#6b7280);stroke-dasharray:5 3}\
.graph-node-kind{fill:var(--muted,#6b7280);font-size:11px}\
.graph-node-title{fill:var(--text,#111827);font-weight:600}\
.graph-icon{fill:none;stroke:var(--accent,#4f46e5);stroke-width:1.3}\
.graph-node-open{fill:var(--accent,#4f46e5);font-size:13px}\
.graph-edge{fill:none;stroke:var(--muted,#6b7280);stroke-width:1.2}\
.graph-edge.is-near{stroke:var(--accent,#4f46e5);stroke-width:2.4}\
.graph-edge-label{fill:var(--muted,#6b7280);font-size:10px}\
.graph-arrow{fill:var(--muted,#6b7280)}\
.graph-cluster rect{fill:var(--graph-cluster,rgba(79,70,229,.05));stroke:var(--accent,#4f46e5);stroke-dasharray:6 3}\
.graph-cluster-title{fill:var(--accent,#4f46e5);font-weight:600}\
.graph-node--impact rect{fill:var(--graph-impact,#fee2e2);stroke:#dc2626}\
.graph--focus .graph-node:not(.is-near),.graph--focus .graph-edge:not(.is-near),\
.graph--focus .graph-edge-label{opacity:.35}";

/// The icon of each kind Backstage defines (16 × 16, stroked); others get a diamond.
const ICONS: [(&str, &str); 8] = [
    ("component", "<rect x=\"2\" y=\"2\" width=\"12\" height=\"12\" rx=\"2\"/><path d=\"M2 6h12M6 6v8\"/>"),
    ("api", "<circle cx=\"8\" cy=\"8\" r=\"4\"/><path d=\"M1 8h3M12 8h3\"/>"),
    ("resource", "<ellipse cx=\"8\" cy=\"4\" rx=\"5\" ry=\"2\"/><path d=\"M3 4v8c0 1.1 2.2 2 5 2s5-.9 5-2V4\"/>"),
    ("system", "<rect x=\"2\" y=\"2\" width=\"5\" height=\"5\"/><rect x=\"9\" y=\"2\" width=\"5\" height=\"5\"/><rect x=\"2\" y=\"9\" width=\"5\" height=\"5\"/><rect x=\"9\" y=\"9\" width=\"5\" height=\"5\"/>"),
    ("domain", "<circle cx=\"8\" cy=\"8\" r=\"6\"/><path d=\"M2 8h12M8 2c3 3.5 3 8.5 0 12M8 2c-3 3.5-3 8.5 0 12\"/>"),
    ("group", "<circle cx=\"5.5\" cy=\"6\" r=\"2.5\"/><circle cx=\"11\" cy=\"6\" r=\"2.5\"/><path d=\"M1 14c0-3 2-4.5 4.5-4.5S10 11 10 14M10 10c2.5 0 5 1.5 5 4\"/>"),
    ("user", "<circle cx=\"8\" cy=\"5\" r=\"3\"/><path d=\"M2 15c0-3.5 2.7-5.5 6-5.5s6 2 6 5.5\"/>"),
    ("other", "<path d=\"M8 1l7 7-7 7-7-7z\"/>"),
];

/// The icon's name for `kind`.
fn icon(kind: &str) -> &'static str {
    ICONS
        .iter()
        .map(|&(name, _)| name)
        .find(|name| name.eq_ignore_ascii_case(kind))
        .unwrap_or("other")
}

/// The drawing of `graph` as an SVG element: a `<g class="graph-cluster">` per system
/// drawn as a box, a `<path class="graph-edge">` per edge (`data-from`, `data-to`, an
/// arrow head and its relation), and a `<g class="graph-node">` per node (`data-ref`,
/// its kind's icon, kind, owner and title; roots and `missing` ones marked). A node links
/// to its entity page, or with `reroot` to the graph rooted at it, the entity page then
/// a corner link. The `impact` refs are marked as such.
pub fn svg(
    graph: &Subgraph,
    drawing: &Drawing,
    reroot: Option<Reroot>,
    impact: &HashSet<String>,
) -> String {
    let (width, height) = drawing.size;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" role=\"img\" \
         aria-label=\"Dependency graph of {} entities\" viewBox=\"0 0 {width:.0} {height:.0}\" \
         width=\"{width:.0}\" height=\"{height:.0}\"><style>{STYLE}</style>\
         <defs><marker id=\"graph-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M0 0L10 5L0 10z\" class=\"graph-arrow\"/></marker>",
        graph.nodes.len()
    );
    for (name, shape) in ICONS {
        out.push_str(&format!(
            "<symbol id=\"graph-icon-{name}\" viewBox=\"0 0 16 16\">{shape}</symbol>"
        ));
    }
    out.push_str("</defs>");
    for &v in &drawing.boxes {
        cluster(&mut out, &graph.nodes[v], drawing, v);
    }
    for edge in &drawing.edges {
        if edge.route.is_empty() {
            continue;
        }
        let (mx, my) = route_middle(&edge.route);
        out.push_str(&format!(
            "<path class=\"graph-edge\" data-relation=\"{relation}\" data-from=\"{from}\" data-to=\"{to}\" \
             d=\"{}\" marker-end=\"url(#graph-arrow)\">\
             <title>{from} {relation} {to}</title></path>\
             <text class=\"graph-edge-label\" x=\"{mx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{relation}</text>",
            route_path(&edge.route),
            my - 4.0,
            from = escape(&graph.nodes[edge.from].entity_ref),
            to = escape(&graph.nodes[edge.to].entity_ref),
            relation = escape(&edge.relation),
        ));
    }
    for (v, node) in graph.nodes.iter().enumerate() {
        if drawing.boxes.binary_search(&v).is_err() {
            let hit = impact.contains(node.entity_ref.as_str());
            node_svg(&mut out, node, drawing, v, reroot, hit);
        }
    }
    out.push_str("</svg>");
    out
}

/// A system drawn as a box round its parts, its title linking to its page.
fn cluster(out: &mut String, node: &GraphNode, drawing: &Drawing, v: usize) {
    let p = drawing.places[v];
    let (x, y) = (p.x - p.width / 2.0, p.y - p.height / 2.0);
    let title = format!(
        "<text class=\"graph-cluster-title\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
        x + 10.0,
        y + 15.0,
        escape(&node.title)
    );
    let label = match EntityRef::parse_full(&node.entity_ref) {
        Ok(r) => format!("<a href=\"{}\">{title}</a>", escape(&entity_href(&r))),
        Err(_) => title,
    };
    let entity_ref = escape(&node.entity_ref);
    out.push_str(&format!(
        "<g class=\"graph-cluster\" data-ref=\"{entity_ref}\"><title>{entity_ref}</title>\
         <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"10\"/>{label}</g>",
        p.width, p.height,
    ));
}

/// A node: its box, icon, kind and owner, title, and links.
fn node_svg(
    out: &mut String,
    node: &GraphNode,
    drawing: &Drawing,
    v: usize,
    reroot: Option<Reroot>,
    impact: bool,
) {
    let p = drawing.places[v];
    let mut class = match (node.missing, node.depth) {
        (true, _) => "graph-node graph-node--missing".to_owned(),
        (false, 0) => "graph-node graph-node--root".to_owned(),
        (false, _) => "graph-node".to_owned(),
    };
    if impact {
        class.push_str(" graph-node--impact");
    }
    let (x, y) = (p.x - p.width / 2.0, p.y - p.height / 2.0);
    let text_x = p.x + ICON_ROOM / 2.0;
    let kind_line = match &node.owner {
        Some(owner) => format!("{} · {}", node.kind, short_ref(owner)),
        None => node.kind.clone(),
    };
    let body = format!(
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\"/>\
         <use href=\"#graph-icon-{}\" class=\"graph-icon\" x=\"{:.1}\" y=\"{:.1}\" width=\"16\" height=\"16\"/>\
         <text class=\"graph-node-kind\" x=\"{text_x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
         <text class=\"graph-node-title\" x=\"{text_x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        p.width,
        p.height,
        icon(&node.kind),
        x + 8.0,
        p.y - 8.0,
        p.y - 6.0,
        escape(&kind_line),
        p.y + 14.0,
        escape(&node.title),
    );
    let page = EntityRef::parse_full(&node.entity_ref)
        .ok()
        .filter(|_| !node.missing)
        .map(|r| entity_href(&r));
    let entity_ref = escape(&node.entity_ref);
    let open = |page: &str| {
        format!(
            "<a class=\"graph-node-open\" href=\"{}\" aria-label=\"Open the page of {entity_ref}\">\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">↗</text></a>",
            escape(page),
            x + p.width - 5.0,
            y + 14.0,
        )
    };
    out.push_str(&match (page, reroot) {
        (Some(page), Some(reroot)) => format!(
            "<g class=\"{class}\" data-ref=\"{entity_ref}\" data-page=\"{}\">\
             <a href=\"{}\"><title>{entity_ref}: draw the graph around it</title>{body}</a>{}</g>",
            escape(&page),
            escape(&reroot(&node.entity_ref)),
            open(&page),
        ),
        (Some(page), None) => format!(
            "<g class=\"{class}\" data-ref=\"{entity_ref}\"><a href=\"{}\"><title>{entity_ref}</title>{body}</a></g>",
            escape(&page),
        ),
        (None, _) => format!(
            "<g class=\"{class}\" data-ref=\"{entity_ref}\"><title>{entity_ref} (not in the catalog)</title>{body}</g>"
        ),
    });
}

/// `group:default/team-a` → `team-a` (the namespace kept when it is not `default`).
fn short_ref(entity_ref: &str) -> &str {
    let rest = entity_ref
        .split_once(':')
        .map_or(entity_ref, |(_, rest)| rest);
    rest.strip_prefix("default/").unwrap_or(rest)
}

/// `picture` (as [`svg`] draws it) with every link opening in a new tab, for a page
/// inside another site's frame. Catalog text in it is escaped, so each `<a ` is one of
/// the drawing's own links.
pub fn links_in_new_tab(picture: &str) -> String {
    picture.replace("<a ", "<a target=\"_blank\" rel=\"noopener\" ")
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::super::draw::tests::{edge, node, shop, RIGHT};
    use super::super::draw::{draw, DrawOptions};
    use super::super::layout::Direction;
    use super::*;

    #[test]
    fn the_svg_escapes_every_text_and_links_stored_entities() {
        let graph = shop();
        let down = DrawOptions {
            direction: Direction::Down,
            ..RIGHT
        };
        let svg = svg(
            &graph,
            &draw(&graph, down, &Default::default()),
            None,
            &HashSet::new(),
        );
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("gone &amp; &quot;lost&quot;"));
        assert!(svg.contains("<a href=\"/catalog/default/component/checkout\">"));
        assert!(svg.contains("graph-node--missing"));
        assert!(svg.contains("component · team-a"));
        assert!(svg.contains("href=\"#graph-icon-resource\""));
        assert_eq!(svg.matches("class=\"graph-edge\"").count(), 2);

        let framed = links_in_new_tab(&svg);
        assert_eq!(
            framed
                .matches("<a target=\"_blank\" rel=\"noopener\" href=")
                .count(),
            svg.matches("<a ").count()
        );
        assert!(framed.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn nodes_reroot_the_graph_with_their_page_one_link_away() {
        let graph = shop();
        let reroot = |r: &str| format!("/graph?root={r}&depth=2");
        let impact = HashSet::from(["resource:default/orders-db".to_owned()]);
        let svg = svg(
            &graph,
            &draw(&graph, RIGHT, &Default::default()),
            Some(&reroot),
            &impact,
        );
        assert!(svg.contains("<a href=\"/graph?root=component:default/checkout&amp;depth=2\">"));
        assert!(
            svg.contains("class=\"graph-node-open\" href=\"/catalog/default/component/checkout\"")
        );
        assert_eq!(svg.matches("graph-node--impact\"").count(), 1);
        // A missing entity has no page and no graph of its own.
        assert!(!svg.contains("root=api:default/gone"));
    }

    #[test]
    fn systems_are_boxes_titled_with_a_link() {
        let mut graph = shop();
        graph.nodes.push(node("system:default/shop", "Shop", false));
        graph.edges.push(edge(
            "component:default/checkout",
            "partOf",
            "system:default/shop",
        ));
        let boxed = DrawOptions {
            boxes: true,
            ..RIGHT
        };
        let svg = svg(
            &graph,
            &draw(&graph, boxed, &Default::default()),
            None,
            &HashSet::new(),
        );
        assert_eq!(svg.matches("class=\"graph-cluster\"").count(), 1);
        assert!(svg.contains("<a href=\"/catalog/default/system/shop\">"));
    }
}
