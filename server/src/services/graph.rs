//! Dependency graphs: the part of the catalog around some entities, and impact analysis
//! (what breaks when an entity is down, what it needs to run).

use std::collections::HashMap;
use std::sync::Arc;

use app::model::catalog::entity_ref::EntityRef;
use app::model::graph::draw::{self, DrawOptions};
use app::model::graph::impact::{Impact, ImpactWay};
use app::model::graph::layout::Direction;
use app::model::graph::subgraph::{GraphEdge, GraphNode, GraphQuery, Subgraph, MAX_NODES};

use app::model::identity::principal::Principal;
use app::model::identity::visibility::Visibility;

use super::{CatalogError, Portal};
use crate::store::{GraphNodeRow, StoreError};

impl Portal {
    /// The part of the catalog `query` asks for, nodes nearest first (then by ref), cut
    /// at [`MAX_NODES`] entities (nearest kept), each with its steps from the nearest
    /// root as the walk found them. A root the catalog does not hold (or `who` may not
    /// read) is an error naming it. Entities `who` may not read are not walked through.
    pub async fn subgraph(
        &self,
        who: &Principal,
        query: &GraphQuery,
    ) -> Result<Subgraph, CatalogError> {
        let seen = self.catalog_reads(who);
        let stored = self.store.graph_nodes(&query.roots).await?;
        let mut hidden = self.hidden_among(&seen, &query.roots).await?;
        if let Some(unknown) = query.roots.iter().find(|root| {
            !stored.iter().any(|row| &row.entity_ref == *root) || hidden.contains(*root)
        }) {
            return Err(CatalogError::NotFound(format!("No entity {unknown}")));
        }
        let types = query.walked_types();
        // Walk, then walk again round what the walk found hidden, until it finds none.
        let mut reached = loop {
            let reached = self
                .store
                .walk_relations(
                    &query.roots,
                    &types,
                    &query.kinds,
                    query.depth,
                    MAX_NODES + 1,
                    &hidden,
                )
                .await?;
            let refs: Vec<String> = reached.iter().map(|(r, _)| r.clone()).collect();
            let found = self.hidden_among(&seen, &refs).await?;
            if found.is_empty() {
                break reached;
            }
            hidden.extend(found);
        };
        let truncated = reached.len() > MAX_NODES;
        reached.truncate(MAX_NODES);
        let refs: Vec<String> = reached.iter().map(|(r, _)| r.clone()).collect();
        let rows = self.store.graph_nodes(&refs).await?;
        let edges: Vec<GraphEdge> = self
            .store
            .relations_among(&refs, &types)
            .await?
            .into_iter()
            .map(|(source, relation, target)| GraphEdge {
                source,
                target,
                relation,
            })
            .collect();
        let mut rows: HashMap<String, GraphNodeRow> = rows
            .into_iter()
            .map(|row| (row.entity_ref.clone(), row))
            .collect();
        let mut nodes: Vec<GraphNode> = reached
            .into_iter()
            .map(|(entity_ref, depth)| match rows.remove(&entity_ref) {
                Some(row) => GraphNode {
                    title: row.title.unwrap_or_else(|| row.name.clone()),
                    kind: row.kind,
                    owner: row.owner,
                    lifecycle: row.lifecycle,
                    missing: false,
                    depth,
                    entity_ref,
                },
                None => missing_node(entity_ref, depth),
            })
            .collect();
        nodes.sort_by(|a, b| (a.depth, &a.entity_ref).cmp(&(b.depth, &b.entity_ref)));
        Ok(Subgraph {
            nodes,
            edges,
            truncated,
        })
    }

    /// A system's or a domain's parts drawn as SVG, each system a box round its parts (a
    /// domain's own node left out: its systems are the picture); `None` for other kinds
    /// or when there are no parts.
    pub async fn diagram(
        &self,
        who: &Principal,
        root: &EntityRef,
    ) -> Result<Option<String>, StoreError> {
        let Some(query) = GraphQuery::parts_of(root) else {
            return Ok(None);
        };
        let mut graph = match self.subgraph(who, &query).await {
            Ok(graph) => graph,
            Err(CatalogError::Store(e)) => return Err(e),
            Err(_) => return Ok(None),
        };
        if root.kind().eq_ignore_ascii_case("domain") {
            let own = root.to_string();
            graph.nodes.retain(|n| n.entity_ref != own);
            graph.edges.retain(|e| e.source != own && e.target != own);
        }
        if graph.nodes.len() < 2 {
            return Ok(None);
        }
        Ok(Some(picture(&graph, true)))
    }

    /// The graph `query` asks for, drawn left to right as SVG, each node linking to its
    /// entity page; with how many entities it holds and whether it was cut.
    pub async fn graph_picture(
        &self,
        who: &Principal,
        query: &GraphQuery,
    ) -> Result<GraphPicture, CatalogError> {
        let graph = self.subgraph(who, query).await?;
        Ok(GraphPicture {
            svg: picture(&graph, false),
            nodes: graph.nodes.len(),
            truncated: graph.truncated,
        })
    }

    /// The impact analysis of `entity_ref` walking `way`, through entities `who` may
    /// read; `None` when the catalog does not hold it or `who` may not read it.
    pub async fn impact(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
        way: ImpactWay,
    ) -> Result<Option<Arc<Impact>>, StoreError> {
        let seen = self.catalog_reads(who);
        let root = vec![entity_ref.to_string()];
        let mut hidden = self.hidden_among(&seen, &root).await?;
        if !hidden.is_empty() || self.store.graph_nodes(&root).await?.is_empty() {
            return Ok(None);
        }
        // Analyse, then again round what the analysis found hidden, until it finds none.
        loop {
            let impact = self.store.impact(&root[0], way, &hidden).await?;
            if seen == Visibility::Everything {
                return Ok(Some(impact));
            }
            let reached: Vec<String> = impact
                .entries
                .iter()
                .map(|e| e.entity_ref.clone())
                .collect();
            let found = self.hidden_among(&seen, &reached).await?;
            if found.is_empty() {
                return Ok(Some(impact));
            }
            hidden.extend(found);
        }
    }
}

/// A graph drawn for reading, not for exploring.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphPicture {
    /// The drawing, as SVG.
    pub svg: String,
    /// How many entities it holds.
    pub nodes: usize,
    /// Whether it was cut at [`MAX_NODES`].
    pub truncated: bool,
}

/// `graph` drawn left to right as SVG, relation pairs merged into one edge, with
/// `boxes` round each system's parts; nodes link to their entity pages.
fn picture(graph: &Subgraph, boxes: bool) -> String {
    let options = DrawOptions {
        direction: Direction::Right,
        merge: true,
        boxes,
    };
    let drawing = draw::draw(graph, options, &draw::Earlier::new());
    app::model::graph::svg::svg(graph, &drawing, None, &Default::default())
}

/// A node for a ref that relations name but the catalog does not hold: its kind and
/// name read from the ref.
fn missing_node(entity_ref: String, depth: u32) -> GraphNode {
    let parsed = EntityRef::parse_full(&entity_ref).ok();
    GraphNode {
        kind: parsed.as_ref().map_or("", |r| r.kind()).to_owned(),
        title: parsed
            .as_ref()
            .map_or(entity_ref.as_str(), |r| r.name())
            .to_owned(),
        owner: None,
        lifecycle: None,
        missing: true,
        depth,
        entity_ref,
    }
}
