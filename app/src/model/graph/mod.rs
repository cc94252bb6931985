//! The catalog as a graph, and graphs drawn as diagrams.
//!
//! - [`subgraph`]: which part of the catalog a graph shows (roots, depth, relation
//!   types, kinds, direction) and its nodes and edges.
//! - [`impact`]: what breaks when an entity is down, and what it needs to run.
//! - [`layout`]: boxes in ranks along the edges' direction, ordered to cross little
//!   (TechDocs' mermaid flowcharts are drawn with it on the server).

pub mod impact;
pub mod layout;
pub mod subgraph;
