//! The relations table walked as a graph: the entities reached from some roots, what the
//! graph shows of each, the relations between them, and impact analyses.
//!
//! Walks run over the relations held in memory ([`RelationGraph`], read once per catalog
//! version), not a recursive query: a walk from a well-used entity reaches most of a
//! large catalog, and SQL reads every relation of every entity reached (59 ms for a
//! 6,000-entity closure at 10k in SQLite; microseconds per entity in memory). Walks
//! follow relations from source to target only: relations are stored in pairs, so a
//! walk against the edges is a walk along their inverses (`app::model::graph::subgraph`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use app::model::graph::impact::{self, Impact, ImpactWay};

use super::{Engine, Store, StoreError};

/// What a graph shows of a stored entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphNodeRow {
    /// Its ref (lower-case).
    pub entity_ref: String,
    /// Its kind as written.
    pub kind: String,
    /// Its name as written.
    pub name: String,
    /// `metadata.title`.
    pub title: Option<String>,
    /// `spec.lifecycle`.
    pub lifecycle: Option<String>,
    /// The target of its `ownedBy` relation.
    pub owner: Option<String>,
}

/// What a graph shows of a stored entity besides its ref and owner, kept per catalog
/// version for [`Store::graph_nodes`] (`None`: the catalog does not hold it).
#[derive(Debug)]
pub(super) struct NodeFacts {
    kind: Box<str>,
    name: Box<str>,
    title: Option<Box<str>>,
    lifecycle: Option<Box<str>>,
}

/// At most this many entities' [`NodeFacts`] are kept (about 15 MB at 200 bytes each):
/// the graphs people look at again and again, not the whole of a large catalog.
pub(super) const MAX_KEPT_NODES: usize = 75_000;

/// At most this many impact entries are kept, over all analyses of one catalog version
/// (about 40 MB at 200 bytes each): an analysis larger than what is left is computed
/// again each time it is asked for.
const MAX_KEPT_IMPACT_ENTRIES: usize = 200_000;

/// A stored relation: `(source, type, target)`.
pub type RelationRow = (String, String, String);

/// The relations table in memory, for walks: every ref numbered, and each one's
/// relations (type, target) side by side in one array (compressed sparse rows). Built
/// once per catalog version; a walk touches only the entities it reaches.
#[derive(Debug, Default)]
pub(super) struct RelationGraph {
    /// Refs by number.
    refs: Vec<Box<str>>,
    /// Numbers by ref.
    ids: HashMap<Box<str>, u32>,
    /// Relation types by number, numbered in name order.
    types: Vec<Box<str>>,
    /// Where each ref's relations start in `edges` (one more entry than refs).
    starts: Vec<usize>,
    /// (type, target) of every relation, grouped by source.
    edges: Vec<(u16, u32)>,
    /// The target of each ref's `ownedBy` relation (the first, by ref).
    owners: Vec<Option<u32>>,
    /// The relations each way of an impact analysis steps along, made on first use.
    impact_steps: [OnceLock<StepRows>; 2],
    /// The analyses made for readers who may read every entity, by way and root, and
    /// how many entries they hold in all: during an incident many people ask what the
    /// same failing entity takes down.
    impacts: Mutex<KeptImpacts>,
}

/// Impact analyses by way and root, and how many entries they hold in all.
type KeptImpacts = (HashMap<(ImpactWay, u32), Arc<Impact>>, usize);

/// The relations one way of an impact analysis steps along, grouped by source, each as
/// (target, step): compressed sparse rows as in [`RelationGraph`].
#[derive(Debug)]
struct StepRows {
    starts: Vec<usize>,
    edges: Vec<(u32, &'static str)>,
}

impl RelationGraph {
    /// The graph of the stored relations `rows` (`(source, type, target)`): refs
    /// numbered in their own order, each one's relations by target then type.
    fn new(rows: Vec<(Box<str>, Box<str>, Box<str>)>) -> Self {
        let mut refs: Vec<&str> = rows
            .iter()
            .flat_map(|(source, _, target)| [&**source, &**target])
            .collect();
        refs.sort_unstable();
        refs.dedup();
        let ids: HashMap<Box<str>, u32> = refs
            .iter()
            .enumerate()
            .map(|(id, r)| (Box::from(*r), id as u32))
            .collect();
        let mut graph = Self {
            refs: refs.into_iter().map(Box::from).collect(),
            ids,
            ..Self::default()
        };
        // Types numbered in name order, so relations sorted by numbers are sorted by name.
        let mut types: Vec<&str> = rows.iter().map(|(_, t, _)| &**t).collect();
        types.sort_unstable();
        types.dedup();
        let type_ids: HashMap<&str, u16> = types
            .iter()
            .enumerate()
            .map(|(id, t)| (*t, id as u16))
            .collect();
        let mut triples: Vec<(u32, u32, u16)> = rows
            .iter()
            .map(|(source, relation, target)| {
                let relation = type_ids[&**relation];
                (graph.ids[source], graph.ids[target], relation)
            })
            .collect();
        let owned_by = type_ids.get("ownedBy").copied();
        graph.types = types.into_iter().map(Box::from).collect();
        triples.sort_unstable();
        triples.dedup();
        graph.starts = vec![0; graph.refs.len() + 1];
        for &(source, _, _) in &triples {
            graph.starts[source as usize + 1] += 1;
        }
        for at in 1..graph.starts.len() {
            graph.starts[at] += graph.starts[at - 1];
        }
        graph.owners = vec![None; graph.refs.len()];
        for &(source, target, t) in triples.iter().rev() {
            if Some(t) == owned_by {
                graph.owners[source as usize] = Some(target);
            }
        }
        graph.edges = triples
            .into_iter()
            .map(|(_, target, t)| (t, target))
            .collect();
        graph
    }

    /// Which relation types (by number) are among `names`.
    fn type_mask(&self, names: &[&str]) -> Vec<bool> {
        self.types
            .iter()
            .map(|t| names.iter().any(|n| n == &&**t))
            .collect()
    }

    /// `(type, target)` of the relations of `id` whose type `mask` holds.
    fn next<'a>(&'a self, id: u32, mask: &'a [bool]) -> impl Iterator<Item = (u16, u32)> + 'a {
        self.relations(id as usize)
            .iter()
            .copied()
            .filter(move |&(t, _)| mask[t as usize])
    }

    /// Breadth first from `roots` along `types`, entering refs `enter` accepts, at most
    /// `depth` steps: the refs reached with their steps from the nearest root, nearest
    /// first, at most `limit`. Roots the graph does not hold (entities without
    /// relations) are reached all the same.
    fn walk(
        &self,
        roots: &[String],
        types: &[&str],
        enter: impl Fn(&str) -> bool,
        depth: Option<u32>,
        limit: usize,
    ) -> Vec<(String, u32)> {
        let mask = self.type_mask(types);
        let mut found: Vec<(String, u32)> = Vec::new();
        let mut seen: HashSet<u32> = HashSet::new();
        let mut queue: VecDeque<(u32, u32)> = VecDeque::new();
        for root in roots {
            if found.len() < limit && !found.iter().any(|(r, _)| r == root) {
                found.push((root.clone(), 0));
                if let Some(&id) = self.ids.get(root.as_str()) {
                    seen.insert(id);
                    queue.push_back((id, 0));
                }
            }
        }
        while let Some((at, steps)) = queue.pop_front() {
            if depth.is_some_and(|depth| steps >= depth) {
                continue;
            }
            for (_, target) in self.next(at, &mask) {
                if found.len() >= limit {
                    return found;
                }
                let name = &self.refs[target as usize];
                if enter(name) && seen.insert(target) {
                    found.push((name.to_string(), steps + 1));
                    queue.push_back((target, steps + 1));
                }
            }
        }
        found
    }

    /// The relations of `types` between refs of `refs`, sorted. Sorted as numbers: refs
    /// and types are numbered in order, and strings are made for the result only.
    fn among(&self, refs: &[String], types: &[&str]) -> Vec<RelationRow> {
        let mask = self.type_mask(types);
        let mut inside: Vec<u32> = refs
            .iter()
            .filter_map(|r| self.ids.get(r.as_str()).copied())
            .collect();
        inside.sort_unstable();
        inside.dedup();
        let mut rows: Vec<(u32, u16, u32)> = Vec::new();
        for &source in &inside {
            rows.extend(
                self.next(source, &mask)
                    .filter(|(_, target)| inside.binary_search(target).is_ok())
                    .map(|(t, target)| (source, t, target)),
            );
        }
        rows.sort_unstable();
        rows.into_iter()
            .map(|(source, t, target)| self.row(source, t, target))
            .collect()
    }

    /// The impact analysis of `entity_ref` walking `way` (no entries when no relation
    /// names it); kept when no ref is `hidden`.
    fn impact(&self, entity_ref: &str, way: ImpactWay, hidden: &HashSet<String>) -> Arc<Impact> {
        let Some(&root) = self.ids.get(entity_ref) else {
            return Arc::new(Impact {
                entity: entity_ref.to_owned(),
                way,
                entries: Vec::new(),
                cycles: Vec::new(),
            });
        };
        if !hidden.is_empty() {
            return Arc::new(self.analyse(root, way, hidden));
        }
        if let Some(impact) = self.lock_impacts().0.get(&(way, root)) {
            return impact.clone();
        }
        let impact = Arc::new(self.analyse(root, way, hidden));
        let mut impacts = self.lock_impacts();
        if let Some(first) = impacts.0.get(&(way, root)) {
            return first.clone();
        }
        if impacts.1 + impact.entries.len() <= MAX_KEPT_IMPACT_ENTRIES {
            impacts.1 += impact.entries.len();
            impacts.0.insert((way, root), impact.clone());
        }
        impact
    }

    /// The analyses kept, also after a thread panicked holding them (every change
    /// leaves them whole).
    fn lock_impacts(&self) -> std::sync::MutexGuard<'_, KeptImpacts> {
        self.impacts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The impact analysis of ref `root` walking `way`, never stepping on `hidden`.
    fn analyse(&self, root: u32, way: ImpactWay, hidden: &HashSet<String>) -> Impact {
        let steps = self.impact_steps[way as usize].get_or_init(|| {
            let step_of: Vec<Option<&'static str>> =
                self.types.iter().map(|t| impact::step(way, t)).collect();
            let mut starts = Vec::with_capacity(self.starts.len());
            let mut edges = Vec::new();
            starts.push(0);
            for id in 0..self.refs.len() {
                edges.extend(
                    self.relations(id)
                        .iter()
                        .filter_map(|&(t, target)| Some((target, step_of[t as usize]?))),
                );
                starts.push(edges.len());
            }
            StepRows { starts, edges }
        });
        let hidden = hidden
            .iter()
            .filter_map(|r| self.ids.get(r.as_str()).copied())
            .collect();
        let view = ImpactView {
            graph: self,
            steps,
            hidden,
        };
        impact::analyse(&view, root as usize, way)
    }

    /// The target of `entity_ref`'s `ownedBy` relation (the first, by ref).
    fn owner(&self, entity_ref: &str) -> Option<String> {
        self.owner_of(*self.ids.get(entity_ref)? as usize)
            .map(str::to_owned)
    }

    /// The target of ref `id`'s `ownedBy` relation (the first, by ref).
    fn owner_of(&self, id: usize) -> Option<&str> {
        self.owners[id].map(|target| &*self.refs[target as usize])
    }

    /// `(type, target)` of every relation of ref `id`.
    fn relations(&self, id: usize) -> &[(u16, u32)] {
        &self.edges[self.starts[id]..self.starts[id + 1]]
    }

    fn row(&self, source: u32, relation: u16, target: u32) -> RelationRow {
        (
            self.refs[source as usize].to_string(),
            self.types[relation as usize].to_string(),
            self.refs[target as usize].to_string(),
        )
    }
}

/// The relations graph as an impact analysis walks it one way.
struct ImpactView<'a> {
    graph: &'a RelationGraph,
    steps: &'a StepRows,
    /// Refs the reader may not see: never stepped on.
    hidden: HashSet<u32>,
}

impl impact::Steps for ImpactView<'_> {
    fn count(&self) -> usize {
        self.graph.refs.len()
    }

    fn name(&self, id: usize) -> &str {
        &self.graph.refs[id]
    }

    fn owner(&self, id: usize) -> Option<&str> {
        self.graph.owner_of(id)
    }

    fn next(&self, id: usize) -> impl Iterator<Item = (usize, &'static str)> + '_ {
        self.steps.edges[self.steps.starts[id]..self.steps.starts[id + 1]]
            .iter()
            .filter(|(target, _)| !self.hidden.contains(target))
            .map(|&(target, step)| (target as usize, step))
    }
}

impl Store {
    /// The refs reached from `roots` along relations of `types`, entering only entities
    /// of `kinds` (any when empty; roots always count), at most `depth` steps away (no
    /// limit when `None`): each with its steps from the nearest root, nearest first, at
    /// most `limit`. `hidden` refs are never entered.
    pub async fn walk_relations(
        &self,
        roots: &[String],
        types: &[&str],
        kinds: &[String],
        depth: Option<u32>,
        limit: usize,
        hidden: &HashSet<String>,
    ) -> Result<Vec<(String, u32)>, StoreError> {
        let graph = self.relation_graph().await?;
        let enter = |entity_ref: &str| {
            (kinds.is_empty()
                || entity_ref
                    .split_once(':')
                    .is_some_and(|(kind, _)| kinds.iter().any(|k| k == kind)))
                && !hidden.contains(entity_ref)
        };
        Ok(graph.walk(roots, types, enter, depth, limit))
    }

    /// What a graph shows of each stored entity of `refs`, in their order (those not
    /// stored are left out): title and lifecycle as [`NodeFacts`] kept per catalog
    /// version, the owner from the relations in memory. A graph of 1,000 nodes read its
    /// nodes' facts out of their stored bodies in about a third of its time (SQLite's
    /// `json_extract` parses each whole body); kept, the next graph over the same
    /// entities reads them from memory.
    pub async fn graph_nodes(&self, refs: &[String]) -> Result<Vec<GraphNodeRow>, StoreError> {
        if refs.is_empty() {
            return Ok(Vec::new());
        }
        let version = self.catalog_version().await?;
        let mut facts = self
            .node_facts
            .get_each(version, refs.iter().map(String::as_str));
        // Each ref not kept read once, even when `refs` names it twice.
        let mut unknown: Vec<&str> = refs
            .iter()
            .zip(&facts)
            .filter(|(_, kept)| kept.is_none())
            .map(|(r, _)| r.as_str())
            .collect();
        unknown.sort_unstable();
        unknown.dedup();
        if !unknown.is_empty() {
            let mut stored = self.read_node_facts(&unknown).await?;
            let read: HashMap<&str, Arc<Option<NodeFacts>>> = unknown
                .into_iter()
                .map(|r| (r, Arc::new(stored.remove(r))))
                .collect();
            let kept = read.iter().map(|(r, facts)| (*r, facts.clone()));
            self.node_facts.put_each(version, kept);
            for (entity_ref, kept) in refs.iter().zip(&mut facts) {
                if kept.is_none() {
                    *kept = read.get(entity_ref.as_str()).cloned();
                }
            }
        }
        let graph = self.relation_graph_at(version).await?;
        Ok(refs
            .iter()
            .zip(facts)
            .filter_map(|(entity_ref, facts)| {
                let facts = facts?;
                let facts = facts.as_ref().as_ref()?;
                Some(GraphNodeRow {
                    entity_ref: entity_ref.clone(),
                    kind: facts.kind.to_string(),
                    name: facts.name.to_string(),
                    title: facts.title.as_deref().map(str::to_owned),
                    lifecycle: facts.lifecycle.as_deref().map(str::to_owned),
                    owner: graph.owner(entity_ref),
                })
            })
            .collect())
    }

    /// [`NodeFacts`] of the stored entities of `refs`, read out of their bodies by the
    /// database. The refs go in as one JSON parameter and the rows come back as one JSON
    /// row: at 1,500 nodes, a parameter and a row each (sqlx hands SQLite's rows over one
    /// by one) took 25–50 ms, mostly in the hand-over and in parsing whole bodies.
    async fn read_node_facts(
        &self,
        refs: &[&str],
    ) -> Result<HashMap<String, NodeFacts>, StoreError> {
        let (title, lifecycle) = match &self.engine {
            Engine::Sqlite(_) => (
                "json_extract(body, '$.metadata.title')",
                "json_extract(body, '$.spec.lifecycle')",
            ),
            Engine::Postgres(_) => (
                "body::jsonb #> '{metadata,title}'",
                "body::jsonb #> '{spec,lifecycle}'",
            ),
        };
        let columns = self.json_rows(&["entity_ref", "kind", "name", title, lifecycle]);
        let sql = format!(
            "SELECT {columns} FROM entities WHERE entity_ref IN ({})",
            self.engine.json_texts("$1")
        );
        let listed = serde_json::Value::from(refs).to_string();
        type Row = (
            String,
            Box<str>,
            Box<str>,
            serde_json::Value,
            serde_json::Value,
        );
        let rows: Vec<Row> = self
            .fetch_json_rows(&sql, &[&listed], "the graph's nodes")
            .await?;
        let text = |value: serde_json::Value| match value {
            serde_json::Value::String(text) => Some(text.into_boxed_str()),
            _ => None,
        };
        Ok(rows
            .into_iter()
            .map(|(entity_ref, kind, name, title, lifecycle)| {
                let facts = NodeFacts {
                    kind,
                    name,
                    title: text(title),
                    lifecycle: text(lifecycle),
                };
                (entity_ref, facts)
            })
            .collect())
    }

    /// The relations of `types` between entities of `refs`, sorted.
    pub async fn relations_among(
        &self,
        refs: &[String],
        types: &[&str],
    ) -> Result<Vec<RelationRow>, StoreError> {
        Ok(self.relation_graph().await?.among(refs, types))
    }

    /// The impact analysis of `entity_ref` walking `way` over the relations in memory
    /// (no entries when no relation names it), never stepping on `hidden` refs; shared
    /// with other requests of the catalog version when none is hidden.
    pub async fn impact(
        &self,
        entity_ref: &str,
        way: ImpactWay,
        hidden: &HashSet<String>,
    ) -> Result<Arc<Impact>, StoreError> {
        Ok(self.relation_graph().await?.impact(entity_ref, way, hidden))
    }

    /// The relations of the current catalog version, in memory: the whole table read as
    /// one row of JSON (sqlx hands SQLite's rows over one by one) when the version moved.
    async fn relation_graph(&self) -> Result<Arc<RelationGraph>, StoreError> {
        self.relation_graph_at(self.catalog_version().await?).await
    }

    /// [`Store::relation_graph`] of catalog `version`, read by the caller.
    pub(super) async fn relation_graph_at(
        &self,
        version: i64,
    ) -> Result<Arc<RelationGraph>, StoreError> {
        self.relations
            .get_or_load(version, "", async {
                let triples = self.json_rows(&["source_ref", "type", "target_ref"]);
                let sql = format!("SELECT {triples} FROM relations");
                let rows = self.fetch_json_rows(&sql, &[], "the relations").await?;
                Ok(RelationGraph::new(rows))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph() -> RelationGraph {
        let row = |source: &str, relation: &str, target: &str| {
            (Box::from(source), Box::from(relation), Box::from(target))
        };
        RelationGraph::new(vec![
            row("resource:default/db", "dependencyOf", "component:default/a"),
            row("component:default/a", "dependsOn", "resource:default/db"),
            row("component:default/a", "dependencyOf", "component:default/b"),
            row("component:default/b", "dependsOn", "component:default/a"),
        ])
    }

    #[test]
    fn an_analysis_for_readers_of_everything_is_made_once_per_version() {
        let graph = graph();
        let none = HashSet::new();
        let first = graph.impact("resource:default/db", ImpactWay::Dependents, &none);
        assert_eq!(first.entries.len(), 2);
        let again = graph.impact("resource:default/db", ImpactWay::Dependents, &none);
        assert!(
            Arc::ptr_eq(&first, &again),
            "the second request shares the first's"
        );
        let needs = graph.impact("resource:default/db", ImpactWay::Needs, &none);
        assert!(needs.entries.is_empty(), "kept by way: {needs:?}");

        let hidden = HashSet::from(["component:default/a".to_owned()]);
        let narrowed = graph.impact("resource:default/db", ImpactWay::Dependents, &hidden);
        assert!(narrowed.entries.is_empty(), "{narrowed:?}");
        let again = graph.impact("resource:default/db", ImpactWay::Dependents, &none);
        assert!(
            Arc::ptr_eq(&first, &again),
            "a narrowed analysis is not kept"
        );
    }
}
