//! The catalog as a graph, and graphs drawn as diagrams.
//!
//! - [`subgraph`]: which part of the catalog a graph shows (roots, depth, relation
//!   types, kinds, direction) and its nodes and edges.
//! - [`draw`]: a subgraph's pairs merged, systems made boxes, nodes placed.
//! - [`svg`]: the picture as SVG, styled and escaped.
//! - [`impact`]: what breaks when an entity is down, and what it needs to run.
//! - [`layout`]: boxes in ranks along the edges' direction, ordered to cross little,
//!   edges routed, clusters boxed (TechDocs' mermaid flowcharts are drawn with it too).

pub mod draw;
pub mod impact;
pub mod layout;
pub mod subgraph;
pub mod svg;
