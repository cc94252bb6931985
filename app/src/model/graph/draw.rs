//! A subgraph placed: relation pairs merged into one edge, systems made boxes round their
//! parts, nodes sized and placed by the layered [`layout`](super::layout); the picture
//! itself is [`svg`](super::svg)'s.

use std::collections::{HashMap, HashSet};

use super::layout::{layout, Direction, Placed};
use super::subgraph::{inverse, GraphEdge, GraphNode, Subgraph, RELATION_PAIRS};

/// A node's height.
const NODE_HEIGHT: f64 = 52.0;
/// The narrowest node.
const MIN_NODE_WIDTH: f64 = 120.0;
/// Room for the kind's icon, left of the text.
pub(super) const ICON_ROOM: f64 = 20.0;
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

/// How to draw a subgraph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DrawOptions {
    /// Which way the edges run.
    pub direction: Direction,
    /// Each relation pair as one edge.
    pub merge: bool,
    /// Each system with parts in the graph drawn as a box round its parts.
    pub boxes: bool,
}

/// An edge drawn: its ends (indexes into the nodes), relation and route.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnEdge {
    /// Its source.
    pub from: usize,
    /// Its target.
    pub to: usize,
    /// Its relation.
    pub relation: String,
    /// The points it passes, from source to target.
    pub route: Vec<(f64, f64)>,
}

/// A subgraph placed: each node's box (in `graph.nodes` order; a system drawn round its
/// parts has its big box), the edges drawn, and the drawing's size with its margin.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawing {
    /// Where each node is.
    pub places: Vec<Placed>,
    /// The nodes drawn as boxes round their parts (indexes, ascending).
    pub boxes: Vec<usize>,
    /// The edges drawn.
    pub edges: Vec<DrawnEdge>,
    /// Width and height, margin included.
    pub size: (f64, f64),
}

/// Where each node of a drawing is (its centre), by ref: what a drawing of the next
/// graph takes to keep the nodes it shares in their order.
pub type Earlier = HashMap<String, (f64, f64)>;

/// Places `graph`'s nodes as `options` say; nodes that were in the `earlier` drawing
/// keep their order across the ranks where the layout allows.
pub fn draw(graph: &Subgraph, options: DrawOptions, earlier: &Earlier) -> Drawing {
    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.entity_ref.as_str(), i))
        .collect();
    let ends = |e: &GraphEdge| {
        Some((
            *index.get(e.source.as_str())?,
            *index.get(e.target.as_str())?,
        ))
    };
    // The system each node is part of, when systems are boxes.
    let mut part_of: Vec<Option<usize>> = vec![None; graph.nodes.len()];
    if options.boxes {
        for edge in &graph.edges {
            let Some((a, b)) = ends(edge) else { continue };
            let (part, whole) = match edge.relation.as_str() {
                r if r.eq_ignore_ascii_case("partOf") => (a, b),
                r if r.eq_ignore_ascii_case("hasPart") => (b, a),
                _ => continue,
            };
            if graph.nodes[whole].kind.eq_ignore_ascii_case("system") && part != whole {
                part_of[part] = Some(part_of[part].map_or(whole, |w: usize| w.min(whole)));
            }
        }
    }
    let mut boxes: Vec<usize> = part_of.iter().flatten().copied().collect();
    boxes.sort_unstable();
    boxes.dedup();
    // A box's parts are not boxes themselves: the outer box wins.
    for &system in &boxes {
        part_of[system] = None;
    }
    let is_box = |v: usize| boxes.binary_search(&v).is_ok();
    let nodes: Vec<usize> = (0..graph.nodes.len()).filter(|&v| !is_box(v)).collect();
    let mut at = vec![usize::MAX; graph.nodes.len()];
    for (i, &v) in nodes.iter().enumerate() {
        at[v] = i;
    }
    let edges: Vec<(usize, usize, String)> = drawn_edges(&graph.edges, options.merge)
        .into_iter()
        .filter_map(|e| {
            let (a, b) = ends(&e)?;
            (!is_box(a) && !is_box(b)).then_some((a, b, e.relation))
        })
        .collect();
    let sizes: Vec<(f64, f64)> = nodes.iter().map(|&v| node_size(&graph.nodes[v])).collect();
    let pairs: Vec<(usize, usize)> = edges.iter().map(|&(a, b, _)| (at[a], at[b])).collect();
    let clusters: Vec<Option<usize>> = nodes
        .iter()
        .map(|&v| part_of[v].and_then(|w| boxes.binary_search(&w).ok()))
        .collect();
    let hints: Vec<Option<f64>> = if earlier.is_empty() {
        Vec::new()
    } else {
        nodes
            .iter()
            .map(|&v| {
                let &(x, y) = earlier.get(&graph.nodes[v].entity_ref)?;
                Some(match options.direction {
                    Direction::Down | Direction::Up => x,
                    Direction::Right | Direction::Left => y,
                })
            })
            .collect()
    };
    let laid = layout(
        &sizes,
        &pairs,
        &clusters,
        &hints,
        options.direction,
        RANK_GAP,
    );
    let shift = |p: Placed| Placed {
        x: p.x + MARGIN,
        y: p.y + MARGIN,
        ..p
    };
    let mut places = vec![Placed::default(); graph.nodes.len()];
    for (&v, &p) in nodes.iter().zip(&laid.places) {
        places[v] = shift(p);
    }
    for (&v, cluster) in boxes.iter().zip(&laid.clusters) {
        places[v] = cluster.map(shift).unwrap_or_default();
    }
    let edges = edges
        .into_iter()
        .zip(laid.routes)
        .map(|((from, to, relation), route)| DrawnEdge {
            from,
            to,
            relation,
            route: route
                .into_iter()
                .map(|(x, y)| (x + MARGIN, y + MARGIN))
                .collect(),
        })
        .collect();
    Drawing {
        places,
        boxes,
        edges,
        size: (laid.size.0 + 2.0 * MARGIN, laid.size.1 + 2.0 * MARGIN),
    }
}

impl Drawing {
    /// Where each node of `graph` is in this drawing, for the next one.
    pub fn places_by_ref(&self, graph: &Subgraph) -> Earlier {
        graph
            .nodes
            .iter()
            .zip(&self.places)
            .map(|(node, p)| (node.entity_ref.clone(), (p.x, p.y)))
            .collect()
    }
}

/// A node's box: wide enough for its title and its kind line.
fn node_size(node: &GraphNode) -> (f64, f64) {
    let widest = node.title.chars().count().max(node.kind.len() + 12);
    (
        (widest as f64 * CHAR_WIDTH + ICON_ROOM + 24.0).max(MIN_NODE_WIDTH),
        NODE_HEIGHT,
    )
}

#[cfg(test)]
pub(super) mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    pub(crate) fn node(entity_ref: &str, title: &str, missing: bool) -> GraphNode {
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

    pub(crate) fn edge(source: &str, relation: &str, target: &str) -> GraphEdge {
        GraphEdge {
            source: source.into(),
            target: target.into(),
            relation: relation.into(),
        }
    }

    pub(crate) const RIGHT: DrawOptions = DrawOptions {
        direction: Direction::Right,
        merge: true,
        boxes: false,
    };

    pub(crate) fn shop() -> Subgraph {
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
        let drawing = draw(&graph, RIGHT, &Earlier::new());
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
        for edge in &drawing.edges {
            assert!(drawing.places[edge.to].x > drawing.places[edge.from].x);
        }
        assert_eq!(
            draw(&graph, RIGHT, &Earlier::new()),
            drawing,
            "the same picture"
        );
    }

    #[test]
    fn systems_are_boxes_round_their_parts() {
        let mut graph = shop();
        graph.nodes.push(node("system:default/shop", "Shop", false));
        for part in ["component:default/checkout", "resource:default/orders-db"] {
            graph
                .edges
                .push(edge(part, "partOf", "system:default/shop"));
            graph
                .edges
                .push(edge("system:default/shop", "hasPart", part));
        }
        let boxed = DrawOptions {
            boxes: true,
            ..RIGHT
        };
        let drawing = draw(&graph, boxed, &Earlier::new());
        assert_eq!(drawing.boxes, [3]);
        let system = drawing.places[3];
        for part in [0, 1] {
            let p = drawing.places[part];
            assert!((p.x - system.x).abs() + p.width / 2.0 <= system.width / 2.0);
            assert!((p.y - system.y).abs() + p.height / 2.0 <= system.height / 2.0);
        }
        assert!(drawing
            .edges
            .iter()
            .all(|e| e.relation != "partOf" && e.relation != "hasPart"));
        // Without boxes the system is a node like any other.
        assert!(draw(&graph, RIGHT, &Earlier::new()).boxes.is_empty());
    }
}
