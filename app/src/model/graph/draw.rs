//! A subgraph drawn: relation pairs merged into one edge, nodes sized and placed by the
//! layered [`layout`](super::layout), and the picture as SVG — the same text on the
//! server (the page readable without JavaScript) and in the browser. Every text that
//! comes from the catalog is escaped.

use std::collections::HashSet;

use super::layout::{layout, Direction, Placed};
use super::subgraph::{inverse, GraphEdge, GraphNode, Subgraph, RELATION_PAIRS};
use crate::model::catalog::{entity_page::entity_href, entity_ref::EntityRef};
use crate::model::docs::html::escape;

/// A node's height.
const NODE_HEIGHT: f64 = 52.0;
/// The narrowest node.
const MIN_NODE_WIDTH: f64 = 120.0;
/// Roughly how wide a character of a title is.
const CHAR_WIDTH: f64 = 7.2;
/// Room between ranks for the edges and their labels.
const RANK_GAP: f64 = 72.0;
/// Space around the drawing.
const MARGIN: f64 = 16.0;

/// The edges to draw: with `merge`, each stored pair (`A dependsOn B`, `B dependencyOf
/// A`) as one edge named by its first relation (as [`RELATION_PAIRS`] lists them); an
/// edge whose partner is absent stays as it is. Sorted.
pub fn drawn_edges(edges: &[GraphEdge], merge: bool) -> Vec<GraphEdge> {
    let stored: HashSet<(&str, &str, &str)> = edges
        .iter()
        .map(|e| (e.source.as_str(), e.relation.as_str(), e.target.as_str()))
        .collect();
    let second_of_pair = |relation: &str| {
        RELATION_PAIRS
            .iter()
            .any(|&(_, b)| b.eq_ignore_ascii_case(relation))
    };
    let mut drawn: Vec<GraphEdge> = edges
        .iter()
        .filter(|e| {
            !merge
                || !second_of_pair(&e.relation)
                || !inverse(&e.relation).is_some_and(|first| {
                    stored.contains(&(e.target.as_str(), first, e.source.as_str()))
                })
        })
        .cloned()
        .collect();
    drawn.sort();
    drawn.dedup();
    drawn
}

/// A subgraph placed: each node's box (in `graph.nodes` order), the edges drawn, and the
/// drawing's size with its margin.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawing {
    /// Where each node is.
    pub places: Vec<Placed>,
    /// The edges, as indexes into the nodes, with their relation.
    pub edges: Vec<(usize, usize, String)>,
    /// Width and height, margin included.
    pub size: (f64, f64),
}

/// Places `graph`'s nodes running in `direction`, pairs merged when `merge`.
pub fn draw(graph: &Subgraph, direction: Direction, merge: bool) -> Drawing {
    let index = |entity_ref: &str| graph.nodes.iter().position(|n| n.entity_ref == entity_ref);
    let edges: Vec<(usize, usize, String)> = drawn_edges(&graph.edges, merge)
        .into_iter()
        .filter_map(|e| Some((index(&e.source)?, index(&e.target)?, e.relation)))
        .collect();
    let sizes: Vec<(f64, f64)> = graph.nodes.iter().map(node_size).collect();
    let pairs: Vec<(usize, usize)> = edges.iter().map(|&(a, b, _)| (a, b)).collect();
    let (places, (width, height)) = layout(&sizes, &pairs, direction, RANK_GAP);
    let places = places
        .into_iter()
        .map(|p| Placed {
            x: p.x + MARGIN,
            y: p.y + MARGIN,
            ..p
        })
        .collect();
    Drawing {
        places,
        edges,
        size: (width + 2.0 * MARGIN, height + 2.0 * MARGIN),
    }
}

/// A node's box: wide enough for its title and its kind line.
fn node_size(node: &GraphNode) -> (f64, f64) {
    let widest = node.title.chars().count().max(node.kind.len() + 12);
    (
        (widest as f64 * CHAR_WIDTH + 24.0).max(MIN_NODE_WIDTH),
        NODE_HEIGHT,
    )
}

/// The drawing of `graph` as an SVG element: a `<g class="graph-node">` per node
/// (`data-ref`, a link to its entity page, its kind and title; roots and `missing` ones
/// marked) and
/// a `<path class="graph-edge">` per edge with an arrow head and its relation.
pub fn svg(graph: &Subgraph, drawing: &Drawing) -> String {
    let (width, height) = drawing.size;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" role=\"img\" \
         aria-label=\"Dependency graph of {} entities\" viewBox=\"0 0 {width:.0} {height:.0}\" \
         width=\"{width:.0}\" height=\"{height:.0}\">\
         <defs><marker id=\"graph-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M0 0L10 5L0 10z\" class=\"graph-arrow\"/></marker></defs>",
        graph.nodes.len()
    );
    for (from, to, relation) in &drawing.edges {
        let (a, b) = (drawing.places[*from], drawing.places[*to]);
        let (x1, y1) = a.border_towards(b.x, b.y);
        let (x2, y2) = b.border_towards(a.x, a.y);
        out.push_str(&format!(
            "<path class=\"graph-edge\" data-relation=\"{relation}\" \
             d=\"M{x1:.1} {y1:.1}L{x2:.1} {y2:.1}\" marker-end=\"url(#graph-arrow)\">\
             <title>{} {relation} {}</title></path>\
             <text class=\"graph-edge-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{relation}</text>",
            escape(&graph.nodes[*from].entity_ref),
            escape(&graph.nodes[*to].entity_ref),
            (x1 + x2) / 2.0,
            (y1 + y2) / 2.0 - 4.0,
            relation = escape(relation),
        ));
    }
    for (node, p) in graph.nodes.iter().zip(&drawing.places) {
        let class = match (node.missing, node.depth) {
            (true, _) => "graph-node graph-node--missing",
            (false, 0) => "graph-node graph-node--root",
            (false, _) => "graph-node",
        };
        let (x, y) = (p.x - p.width / 2.0, p.y - p.height / 2.0);
        let kind_line = match &node.owner {
            Some(owner) => format!("{} · {}", node.kind, short_ref(owner)),
            None => node.kind.clone(),
        };
        let body = format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\"/>\
             <text class=\"graph-node-kind\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
             <text class=\"graph-node-title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            p.width,
            p.height,
            p.x,
            p.y - 6.0,
            escape(&kind_line),
            p.x,
            p.y + 14.0,
            escape(&node.title),
        );
        let page = EntityRef::parse_full(&node.entity_ref)
            .ok()
            .filter(|_| !node.missing)
            .map(|r| entity_href(&r));
        let entity_ref = escape(&node.entity_ref);
        if let Some(page) = page {
            out.push_str(&format!(
                "<g class=\"{class}\" data-ref=\"{entity_ref}\"><a href=\"{}\"><title>{entity_ref}</title>{body}</a></g>",
                escape(&page),
            ));
        } else {
            out.push_str(&format!(
                "<g class=\"{class}\" data-ref=\"{entity_ref}\"><title>{entity_ref} (not in the catalog)</title>{body}</g>"
            ));
        }
    }
    out.push_str("</svg>");
    out
}

/// `group:default/team-a` → `team-a` (the namespace kept when it is not `default`).
fn short_ref(entity_ref: &str) -> &str {
    let rest = entity_ref
        .split_once(':')
        .map_or(entity_ref, |(_, rest)| rest);
    rest.strip_prefix("default/").unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(entity_ref: &str, title: &str, missing: bool) -> GraphNode {
        GraphNode {
            entity_ref: entity_ref.into(),
            kind: entity_ref.split(':').next().unwrap().into(),
            title: title.into(),
            owner: Some("group:default/team-a".into()),
            lifecycle: None,
            missing,
            depth: 0,
        }
    }

    fn edge(source: &str, relation: &str, target: &str) -> GraphEdge {
        GraphEdge {
            source: source.into(),
            target: target.into(),
            relation: relation.into(),
        }
    }

    fn shop() -> Subgraph {
        Subgraph {
            nodes: vec![
                node("component:default/checkout", "Checkout", false),
                node(
                    "resource:default/orders-db",
                    "<script>alert(1)</script>",
                    false,
                ),
                node("api:default/gone", "gone & \"lost\"", true),
            ],
            edges: vec![
                edge(
                    "component:default/checkout",
                    "dependsOn",
                    "resource:default/orders-db",
                ),
                edge(
                    "resource:default/orders-db",
                    "dependencyOf",
                    "component:default/checkout",
                ),
                edge(
                    "component:default/checkout",
                    "consumesApi",
                    "api:default/gone",
                ),
            ],
            truncated: false,
        }
    }

    #[test]
    fn pairs_merge_into_their_first_relation() {
        let graph = shop();
        let merged: Vec<String> = drawn_edges(&graph.edges, true)
            .iter()
            .map(|e| e.relation.clone())
            .collect();
        assert_eq!(merged, ["consumesApi", "dependsOn"]);
        assert_eq!(drawn_edges(&graph.edges, false).len(), 3);
        // Alone, the second of a pair stays.
        let alone = [edge("a:b", "dependencyOf", "c:d")];
        assert_eq!(drawn_edges(&alone, true).len(), 1);
    }

    #[test]
    fn nodes_do_not_overlap_and_edges_join_them() {
        let graph = shop();
        let drawing = draw(&graph, Direction::Right, true);
        assert_eq!(drawing.edges.len(), 2);
        for (i, a) in drawing.places.iter().enumerate() {
            assert!(a.x - a.width / 2.0 >= MARGIN - 0.01 && a.y - a.height / 2.0 >= MARGIN - 0.01);
            for b in &drawing.places[i + 1..] {
                let apart = (a.x - b.x).abs() >= (a.width + b.width) / 2.0
                    || (a.y - b.y).abs() >= (a.height + b.height) / 2.0;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        // Left to right: an edge's target lies right of its source.
        for &(from, to, _) in &drawing.edges {
            assert!(drawing.places[to].x > drawing.places[from].x);
        }
        assert_eq!(
            draw(&graph, Direction::Right, true),
            drawing,
            "the same picture"
        );
    }

    #[test]
    fn the_svg_escapes_every_text_and_links_stored_entities() {
        let graph = shop();
        let svg = svg(&graph, &draw(&graph, Direction::Down, true));
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("gone &amp; &quot;lost&quot;"));
        assert!(svg.contains("<a href=\"/catalog/default/component/checkout\">"));
        assert!(svg.contains("graph-node--missing"));
        assert!(svg.contains("component · team-a"));
        assert_eq!(svg.matches("class=\"graph-edge\"").count(), 2);
    }
}
