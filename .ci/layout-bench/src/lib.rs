//! Portico's graph layout, callable from JavaScript: `.ci/bench-graph` times it in
//! Chromium beside `@dagrejs/dagre` on the same generated graph.

use app::model::graph::layout::{layout, Direction};
use wasm_bindgen::prelude::wasm_bindgen;

/// Lays out nodes of `sizes` (width, height, …) joined by `edges` (source, target, …)
/// left to right, as the graph page does. Returns each node's centre (x, y, …), then
/// the drawing's width and height.
#[wasm_bindgen]
pub fn layout_graph(sizes: &[f64], edges: &[u32]) -> Vec<f64> {
    let sizes: Vec<(f64, f64)> = sizes.chunks_exact(2).map(|s| (s[0], s[1])).collect();
    let edges: Vec<(usize, usize)> = edges
        .chunks_exact(2)
        .map(|e| (e[0] as usize, e[1] as usize))
        .collect();
    let drawn = layout(&sizes, &edges, &[], &[], Direction::Right, 72.0);
    let mut out: Vec<f64> = drawn.places.iter().flat_map(|p| [p.x, p.y]).collect();
    out.extend([drawn.size.0, drawn.size.1]);
    out
}
