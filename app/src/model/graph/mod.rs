//! Graphs drawn as diagrams: the layered layout shared by TechDocs' mermaid flowcharts
//! (drawn on the server) and, later, the catalog's dependency graphs.
//!
//! - [`layout`]: boxes in ranks along the edges' direction, ordered to cross little.

pub mod layout;
