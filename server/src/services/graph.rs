//! Dependency graphs: the part of the catalog around some entities, and impact analysis
//! (what breaks when an entity is down, what it needs to run).

use std::collections::{HashMap, VecDeque};

use app::model::catalog::entity_ref::EntityRef;
use app::model::graph::impact::{self, Impact, ImpactWay};
use app::model::graph::subgraph::{GraphEdge, GraphNode, GraphQuery, Subgraph, MAX_NODES};

use super::{CatalogError, Portal};
use crate::store::{GraphNodeRow, StoreError};

impl Portal {
    /// The part of the catalog `query` asks for, nodes nearest first (then by ref), cut
    /// at [`MAX_NODES`] entities (nearest kept). A root the catalog does not hold is an error naming it.
    pub async fn subgraph(&self, query: &GraphQuery) -> Result<Subgraph, CatalogError> {
        let stored = self.store.graph_nodes(&query.roots).await?;
        if let Some(unknown) = query
            .roots
            .iter()
            .find(|root| !stored.iter().any(|row| &row.entity_ref == *root))
        {
            return Err(CatalogError::NotFound(format!("No entity {unknown}")));
        }
        let types = query.walked_types();
        let mut refs = self
            .store
            .walk_relations(
                &query.roots,
                &types,
                &query.kinds,
                query.depth,
                MAX_NODES + 1,
            )
            .await?;
        let truncated = refs.len() > MAX_NODES;
        refs.truncate(MAX_NODES);
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
        let depths = depths(&query.roots, &edges);
        let mut rows: HashMap<String, GraphNodeRow> = rows
            .into_iter()
            .map(|row| (row.entity_ref.clone(), row))
            .collect();
        let mut nodes: Vec<GraphNode> = refs
            .into_iter()
            .map(|entity_ref| {
                let depth = depths.get(&entity_ref).copied().unwrap_or(u32::MAX);
                match rows.remove(&entity_ref) {
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
                }
            })
            .collect();
        nodes.sort_by(|a, b| (a.depth, &a.entity_ref).cmp(&(b.depth, &b.entity_ref)));
        Ok(Subgraph {
            nodes,
            edges,
            truncated,
        })
    }

    /// The impact analysis of `entity_ref` walking `way`; `None` when the catalog does
    /// not hold it.
    pub async fn impact(
        &self,
        entity_ref: &EntityRef,
        way: ImpactWay,
    ) -> Result<Option<Impact>, StoreError> {
        let entity_ref = entity_ref.to_string();
        if self
            .store
            .graph_nodes(std::slice::from_ref(&entity_ref))
            .await?
            .is_empty()
        {
            return Ok(None);
        }
        let relations = self
            .store
            .reachable_relations(&entity_ref, way.steps())
            .await?;
        let owners: HashMap<String, String> = relations
            .iter()
            .filter(|(_, relation, _)| relation == "ownedBy")
            .map(|(source, _, target)| (source.clone(), target.clone()))
            .collect();
        Ok(Some(impact::analyse(&entity_ref, way, &relations, &owners)))
    }
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

/// Each ref's steps from the nearest of `roots` along `edges`.
fn depths(roots: &[String], edges: &[GraphEdge]) -> HashMap<String, u32> {
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for edge in edges {
        next.entry(&edge.source).or_default().push(&edge.target);
    }
    let mut depth: HashMap<String, u32> = roots.iter().map(|r| (r.clone(), 0)).collect();
    let mut queue: VecDeque<&str> = roots.iter().map(String::as_str).collect();
    while let Some(at) = queue.pop_front() {
        let here = depth[at];
        for &target in next.get(at).map(Vec::as_slice).unwrap_or_default() {
            if !depth.contains_key(target) {
                depth.insert(target.to_owned(), here + 1);
                queue.push_back(target);
            }
        }
    }
    depth
}
