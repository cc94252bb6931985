//! Impact analysis: what breaks or degrades when an entity is down (its dependents), and
//! the reverse, what it needs to run, each entry with the chain of relations that
//! explains it, and the cycles met on the way.
//!
//! An entity X being down takes down: whatever depends on it (`dependencyOf`), the APIs
//! it provides (`providesApi`), when it is an API whoever consumes it (`apiConsumedBy`),
//! and what it is part of (`partOf`: its system, parent component, domain). What X
//! needs is the same walk over the inverse relations.

use std::collections::{BTreeMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

/// Which way an impact analysis walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImpactWay {
    /// What breaks when the entity is down.
    Dependents,
    /// What the entity needs to run.
    Needs,
}

impl ImpactWay {
    /// The relation types (stored rows, source to target) one step follows.
    pub fn steps(self) -> &'static [&'static str] {
        match self {
            Self::Dependents => &["dependencyOf", "providesApi", "apiConsumedBy", "partOf"],
            Self::Needs => &["dependsOn", "apiProvidedBy", "consumesApi", "hasPart"],
        }
    }
}

/// One entity the analysis reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactEntry {
    /// Its ref.
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// Its owner's ref.
    pub owner: Option<String>,
    /// Steps from the entity analysed.
    pub depth: u32,
    /// The entry it was reached from (an index into [`Impact::entries`], always an
    /// earlier one); `None` when reached from the entity analysed itself.
    pub via: Option<usize>,
    /// The relation of that last step.
    pub relation: String,
}

/// An impact analysis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    /// The entity analysed.
    pub entity: String,
    /// Which way.
    pub way: ImpactWay,
    /// Every entity reached, nearest first, then by ref.
    pub entries: Vec<ImpactEntry>,
    /// The cycles among them, each as its refs in order (the last leads back to the
    /// first), starting at its smallest ref.
    pub cycles: Vec<Vec<String>>,
}

/// How many entries the graph page lists: the nearest ones. The REST API answers with
/// all of them.
pub const LISTED: usize = 500;

/// An analysis as the graph page shows it: its nearest entries, how many it reached in
/// all and per owner, and which of the entities drawn it reaches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactShown {
    /// The analysis with only its first entries (nearest first, so every `via` of those
    /// kept points to one kept).
    pub impact: Impact,
    /// How many entries the whole analysis has.
    pub total: usize,
    /// How many entries of the whole analysis each owner has (`None`: no owner), owners
    /// by ref.
    pub owners: Vec<(Option<String>, usize)>,
    /// The refs among those asked about that the analysis reaches.
    pub reached: Vec<String>,
}

impl Impact {
    /// The entries grouped by owner (`None`: no owner), owners by ref; each entry with
    /// its index.
    pub fn by_owner(&self) -> BTreeMap<Option<&str>, Vec<(usize, &ImpactEntry)>> {
        let mut groups: BTreeMap<Option<&str>, Vec<(usize, &ImpactEntry)>> = BTreeMap::new();
        for (index, entry) in self.entries.iter().enumerate() {
            groups
                .entry(entry.owner.as_deref())
                .or_default()
                .push((index, entry));
        }
        groups
    }

    /// The chain that explains entry `index`: each step from the entity analysed as its
    /// relation and the ref it leads to, the entry's own ref last.
    pub fn chain(&self, index: usize) -> Vec<(&str, &str)> {
        let mut steps = Vec::new();
        let mut at = Some(index);
        while let Some(entry) = at.map(|i| &self.entries[i]) {
            steps.push((entry.relation.as_str(), entry.entity_ref.as_str()));
            at = entry.via;
        }
        steps.reverse();
        steps
    }

    /// This analysis cut to its `limit` nearest entries, with its counts and the refs of
    /// `among` it reaches.
    pub fn shown(&self, limit: usize, among: &[String]) -> ImpactShown {
        let owners = self
            .by_owner()
            .into_iter()
            .map(|(owner, entries)| (owner.map(str::to_owned), entries.len()))
            .collect();
        let all: HashSet<&str> = self.entries.iter().map(|e| e.entity_ref.as_str()).collect();
        let reached = among
            .iter()
            .filter(|r| all.contains(r.as_str()))
            .cloned()
            .collect();
        let total = self.entries.len();
        let impact = Impact {
            entity: self.entity.clone(),
            way: self.way,
            entries: self.entries[..limit.min(total)].to_vec(),
            cycles: self.cycles.clone(),
        };
        ImpactShown {
            impact,
            total,
            owners,
            reached,
        }
    }
}

/// The relations an analysis walks, one way: refs numbered `0..count()` in the order of
/// the refs themselves (so that ties between numbers break as between refs).
pub trait Steps {
    /// How many refs.
    fn count(&self) -> usize;
    /// Ref `id`.
    fn name(&self, id: usize) -> &str;
    /// The owner of ref `id`.
    fn owner(&self, id: usize) -> Option<&str>;
    /// The steps from ref `id` as (target, relation), by target.
    fn next(&self, id: usize) -> impl Iterator<Item = (usize, &'static str)> + '_;
}

/// The step a stored relation type is for `way` (its name as [`ImpactWay::steps`] spells
/// it), if any.
pub fn step(way: ImpactWay, relation: &str) -> Option<&'static str> {
    way.steps()
        .iter()
        .find(|s| s.eq_ignore_ascii_case(relation))
        .copied()
}

/// The analysis of ref `root` of `graph`, walking `way`.
pub fn analyse(graph: &impl Steps, root: usize, way: ImpactWay) -> Impact {
    // Breadth first, so each entity gets its shortest chain, ties broken by ref. The
    // list of refs reached is the queue: (ref, the index of the one before, step).
    let mut inside = vec![false; graph.count()];
    inside[root] = true;
    let mut reached: Vec<(usize, Option<usize>, &'static str)> = Vec::new();
    let (mut from, mut via) = (root, None);
    loop {
        for (target, step) in graph.next(from) {
            if !inside[target] {
                inside[target] = true;
                reached.push((target, via, step));
            }
        }
        let next = via.map_or(0, |i| i + 1);
        let Some(&(target, _, _)) = reached.get(next) else {
            break;
        };
        (from, via) = (target, Some(next));
    }
    let mut entries: Vec<ImpactEntry> = Vec::with_capacity(reached.len());
    for &(target, via, step) in &reached {
        entries.push(ImpactEntry {
            entity_ref: graph.name(target).to_owned(),
            owner: graph.owner(target).map(str::to_owned),
            depth: via.map_or(1, |via| entries[via].depth + 1),
            via,
            relation: step.to_owned(),
        });
    }
    Impact {
        entity: graph.name(root).to_owned(),
        way,
        entries,
        cycles: cycles(graph, &inside),
    }
}

/// One cycle per strongly connected part of the refs `inside` that has one: the
/// shortest way from its smallest ref back to itself.
fn cycles(graph: &impl Steps, inside: &[bool]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    // Marks for one part at a time, cleared after it: a catalog may hold many small
    // cycles, and these are as long as the whole graph.
    let mut member = vec![false; graph.count()];
    let mut from: Vec<Option<usize>> = vec![None; graph.count()];
    for part in strongly_connected(graph, inside) {
        let start = *part.iter().min().expect("a part is never empty");
        for &n in &part {
            member[n] = true;
        }
        // Breadth first from `start` inside the part, until an edge leads back to it.
        let mut queue = VecDeque::from([start]);
        let mut last = None;
        'walk: while let Some(at) = queue.pop_front() {
            for (target, _) in graph.next(at) {
                if target == start {
                    last = Some(at);
                    break 'walk;
                }
                if member[target] && from[target].is_none() {
                    from[target] = Some(at);
                    queue.push_back(target);
                }
            }
        }
        let cycle = last.map(|mut at| {
            let mut cycle = vec![graph.name(at).to_owned()];
            while at != start {
                at = from[at].expect("every ref on the way was reached from another");
                cycle.push(graph.name(at).to_owned());
            }
            cycle.reverse();
            cycle
        });
        for &n in &part {
            member[n] = false;
            from[n] = None;
        }
        found.extend(cycle);
    }
    found.sort();
    found
}

/// The strongly connected parts of the refs `inside` that hold a cycle (two refs or
/// more, or one with an edge to itself), by Tarjan's algorithm without recursion.
fn strongly_connected(graph: &impl Steps, inside: &[bool]) -> Vec<Vec<usize>> {
    let n = graph.count();
    let mut index: Vec<Option<usize>> = vec![None; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut parts = Vec::new();
    let mut counter = 0;
    for root in (0..n).filter(|&r| inside[r]) {
        if index[root].is_some() {
            continue;
        }
        // (node, its targets still to visit)
        let mut work = vec![(root, graph.next(root))];
        index[root] = Some(counter);
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some((node, targets)) = work.last_mut() {
            let node = *node;
            if let Some((child, _)) = targets.next() {
                if !inside[child] {
                    continue;
                }
                match index[child] {
                    None => {
                        index[child] = Some(counter);
                        low[child] = counter;
                        counter += 1;
                        stack.push(child);
                        on_stack[child] = true;
                        work.push((child, graph.next(child)));
                    }
                    Some(at) if on_stack[child] => low[node] = low[node].min(at),
                    Some(_) => {}
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if Some(low[node]) == index[node] {
                let mut part = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    part.push(member);
                    if member == node {
                        break;
                    }
                }
                let looped = graph.next(node).any(|(t, _)| t == node);
                if part.len() > 1 || looped {
                    parts.push(part);
                }
            }
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use std::collections::HashMap;

    use super::*;

    /// A graph of string rows, as a test writes them.
    struct Rows {
        names: Vec<String>,
        next: Vec<Vec<(usize, &'static str)>>,
        owners: Vec<Option<String>>,
    }

    impl Steps for Rows {
        fn count(&self) -> usize {
            self.names.len()
        }
        fn name(&self, id: usize) -> &str {
            &self.names[id]
        }
        fn owner(&self, id: usize) -> Option<&str> {
            self.owners[id].as_deref()
        }
        fn next(&self, id: usize) -> impl Iterator<Item = (usize, &'static str)> + '_ {
            self.next[id].iter().copied()
        }
    }

    /// The analysis of `entity` over `edges` (`(source, type, target)`).
    fn analyse(
        entity: &str,
        way: ImpactWay,
        edges: &[(String, String, String)],
        owners: &HashMap<String, String>,
    ) -> Impact {
        let mut names: Vec<String> = edges
            .iter()
            .flat_map(|(s, _, t)| [s.clone(), t.clone()])
            .chain([entity.to_owned()])
            .collect();
        names.sort();
        names.dedup();
        let id = |name: &str| names.binary_search_by(|n| n.as_str().cmp(name)).unwrap();
        let mut next = vec![Vec::new(); names.len()];
        for (source, relation, target) in edges {
            if let Some(step) = step(way, relation) {
                next[id(source)].push((id(target), step));
            }
        }
        for targets in &mut next {
            targets.sort_unstable();
        }
        let owners = names.iter().map(|n| owners.get(n).cloned()).collect();
        let root = id(entity);
        super::analyse(
            &Rows {
                names,
                next,
                owners,
            },
            root,
            way,
        )
    }

    /// Both rows of each pair, as the catalog stores them.
    fn stored(pairs: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
        let mut rows = Vec::new();
        for &(source, relation, target) in pairs {
            rows.push((source.into(), relation.into(), target.into()));
            let inverse = crate::model::graph::subgraph::inverse(relation).unwrap();
            rows.push((target.into(), inverse.into(), source.into()));
        }
        rows
    }

    fn shop() -> Vec<(String, String, String)> {
        stored(&[
            (
                "component:default/payment-gateway",
                "providesApi",
                "api:default/payments",
            ),
            (
                "component:default/checkout",
                "consumesApi",
                "api:default/payments",
            ),
            (
                "component:default/payment-gateway",
                "dependsOn",
                "resource:default/payments-db",
            ),
            (
                "component:default/ledger",
                "dependsOn",
                "resource:default/payments-db",
            ),
            (
                "component:default/checkout",
                "partOf",
                "system:default/shop",
            ),
            (
                "component:default/payment-gateway",
                "ownedBy",
                "group:default/payments",
            ),
        ])
    }

    fn owners() -> HashMap<String, String> {
        HashMap::from([(
            "component:default/checkout".to_owned(),
            "group:default/web".to_owned(),
        )])
    }

    #[test]
    fn dependents_are_found_with_the_chain_that_explains_them() {
        let impact = analyse(
            "resource:default/payments-db",
            ImpactWay::Dependents,
            &shop(),
            &owners(),
        );
        let lines: Vec<String> = impact
            .entries
            .iter()
            .enumerate()
            .map(|(index, e)| {
                let mut chain = impact.entity.clone();
                for (step, to) in impact.chain(index) {
                    chain.push_str(&format!(" -{step}-> {to}"));
                }
                format!("{} {chain}", e.depth)
            })
            .collect();
        assert_eq!(
            lines,
            [
                "1 resource:default/payments-db -dependencyOf-> component:default/ledger",
                "1 resource:default/payments-db -dependencyOf-> component:default/payment-gateway",
                "2 resource:default/payments-db -dependencyOf-> component:default/payment-gateway -providesApi-> api:default/payments",
                "3 resource:default/payments-db -dependencyOf-> component:default/payment-gateway -providesApi-> api:default/payments -apiConsumedBy-> component:default/checkout",
                "4 resource:default/payments-db -dependencyOf-> component:default/payment-gateway -providesApi-> api:default/payments -apiConsumedBy-> component:default/checkout -partOf-> system:default/shop",
            ]
        );
        assert!(impact.cycles.is_empty());
        let groups = impact.by_owner();
        assert_eq!(groups[&Some("group:default/web")].len(), 1);
        assert_eq!(groups[&None].len(), 4);
    }

    #[test]
    fn needs_walk_the_other_way() {
        let impact = analyse("system:default/shop", ImpactWay::Needs, &shop(), &owners());
        let refs: Vec<&str> = impact
            .entries
            .iter()
            .map(|e| e.entity_ref.as_str())
            .collect();
        assert_eq!(
            refs,
            [
                "component:default/checkout",
                "api:default/payments",
                "component:default/payment-gateway",
                "resource:default/payments-db",
            ]
        );
    }

    #[test]
    fn cycles_are_reported_once_each() {
        let mut edges = shop();
        edges.extend(stored(&[
            (
                "component:default/checkout",
                "dependsOn",
                "component:default/b",
            ),
            (
                "component:default/b",
                "dependsOn",
                "component:default/checkout",
            ),
            ("component:default/c", "dependsOn", "component:default/c"),
            (
                "component:default/c",
                "dependsOn",
                "resource:default/payments-db",
            ),
        ]));
        let impact = analyse(
            "resource:default/payments-db",
            ImpactWay::Dependents,
            &edges,
            &HashMap::new(),
        );
        assert_eq!(
            impact.cycles,
            [
                vec!["component:default/b", "component:default/checkout"],
                vec!["component:default/c"],
            ]
        );
        // Every entity once, however many ways lead to it.
        let mut refs: Vec<&str> = impact
            .entries
            .iter()
            .map(|e| e.entity_ref.as_str())
            .collect();
        let count = refs.len();
        refs.sort_unstable();
        refs.dedup();
        assert_eq!(refs.len(), count);
    }

    #[test]
    fn shown_keeps_the_nearest_entries_and_counts_them_all() {
        let impact = analyse(
            "resource:default/payments-db",
            ImpactWay::Dependents,
            &shop(),
            &owners(),
        );
        let among = [
            "system:default/shop".to_owned(),
            "group:default/payments".to_owned(),
            "component:default/ledger".to_owned(),
        ];
        let shown = impact.shown(3, &among);
        assert_eq!(shown.total, 5);
        assert_eq!(shown.impact.entries.len(), 3);
        // The entries kept still explain themselves.
        assert_eq!(
            shown.impact.chain(2),
            [
                ("dependencyOf", "component:default/payment-gateway"),
                ("providesApi", "api:default/payments"),
            ]
        );
        assert_eq!(
            shown.owners,
            [(None, 4), (Some("group:default/web".to_owned()), 1)]
        );
        // Reached beyond the entries kept, and not reached at all.
        assert_eq!(
            shown.reached,
            ["system:default/shop", "component:default/ledger"]
        );
    }

    #[test]
    fn an_entity_nothing_reaches_has_no_entries() {
        let impact = analyse(
            "resource:default/alone",
            ImpactWay::Dependents,
            &shop(),
            &owners(),
        );
        assert!(impact.entries.is_empty() && impact.cycles.is_empty());
    }
}
