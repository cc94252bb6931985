//! The catalog as a graph, and graphs drawn as diagrams.
//!
//! - [`subgraph`]: which part of the catalog a graph shows (roots, depth, relation
//!   types, kinds, direction) and its nodes and edges.
//! - [`draw`]: a subgraph's pairs merged, nodes placed, the picture as SVG (escaped).
//! - [`impact`]: what breaks when an entity is down, and what it needs to run.
//! - [`layout`]: boxes in ranks along the edges' direction, ordered to cross little
//!   (TechDocs' mermaid flowcharts are drawn with it on the server).

pub mod draw;
pub mod impact;
pub mod layout;
pub mod subgraph;
