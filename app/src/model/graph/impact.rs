//! Impact analysis: what breaks or degrades when an entity is down (its dependents), and
//! the reverse, what it needs to run, each entry with the chain of relations that
//! explains it, and the cycles met on the way.
//!
//! An entity X being down takes down: whatever depends on it (`dependencyOf`), the APIs
//! it provides (`providesApi`), when it is an API whoever consumes it (`apiConsumedBy`),
//! and what it is part of (`partOf`: its system, parent component, domain). What X
//! needs is the same walk over the inverse relations.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::{Deserialize, Serialize};

/// Which way an impact analysis walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The refs from the entity analysed to this one, both included.
    pub path: Vec<String>,
    /// The relation of each step of `path` (one fewer than its refs).
    pub relations: Vec<String>,
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

impl Impact {
    /// The entries grouped by owner (`None`: no owner), owners by ref.
    pub fn by_owner(&self) -> BTreeMap<Option<&str>, Vec<&ImpactEntry>> {
        let mut groups: BTreeMap<Option<&str>, Vec<&ImpactEntry>> = BTreeMap::new();
        for entry in &self.entries {
            groups
                .entry(entry.owner.as_deref())
                .or_default()
                .push(entry);
        }
        groups
    }
}

/// The refs of an analysis, numbered so that walks index vectors instead of comparing
/// strings.
#[derive(Default)]
struct Numbered<'a> {
    index: HashMap<&'a str, usize>,
    names: Vec<&'a str>,
    /// Each ref's steps: (target, relation), by target's ref then relation.
    next: Vec<Vec<(usize, &'static str)>>,
}

impl<'a> Numbered<'a> {
    fn number(&mut self, name: &'a str) -> usize {
        *self.index.entry(name).or_insert_with(|| {
            self.names.push(name);
            self.next.push(Vec::new());
            self.names.len() - 1
        })
    }
}

/// The analysis of `entity` walking `way` over `edges` (`(source, type, target)`, any
/// superset of what the walk reaches; other types are ignored), owners from `owners`.
pub fn analyse(
    entity: &str,
    way: ImpactWay,
    edges: &[(String, String, String)],
    owners: &HashMap<String, String>,
) -> Impact {
    let steps = way.steps();
    let mut graph = Numbered::default();
    let root = graph.number(entity);
    for (source, relation, target) in edges {
        if let Some(step) = steps.iter().find(|s| s.eq_ignore_ascii_case(relation)) {
            let (source, target) = (graph.number(source), graph.number(target));
            graph.next[source].push((target, step));
        }
    }
    let names = &graph.names;
    for targets in &mut graph.next {
        targets.sort_unstable_by(|a, b| names[a.0].cmp(names[b.0]).then(a.1.cmp(b.1)));
        targets.dedup();
    }
    // Breadth first: each entity's shortest chain, ties broken by ref.
    let mut reached: Vec<Option<Reached>> = vec![None; names.len()];
    reached[root] = Some((0, None));
    let mut queue = VecDeque::from([root]);
    let mut order = Vec::new();
    while let Some(at) = queue.pop_front() {
        let depth = reached[at].map_or(0, |(depth, _)| depth);
        for &(target, step) in &graph.next[at] {
            if reached[target].is_none() {
                reached[target] = Some((depth + 1, Some((at, step))));
                queue.push_back(target);
                order.push(target);
            }
        }
    }
    let entries = order
        .iter()
        .map(|&target| {
            let (mut path, mut relations) = (vec![names[target].to_owned()], Vec::new());
            let mut at = target;
            while let Some((_, Some((from, step)))) = reached[at] {
                path.push(names[from].to_owned());
                relations.push(step.to_owned());
                at = from;
            }
            path.reverse();
            relations.reverse();
            ImpactEntry {
                entity_ref: names[target].to_owned(),
                owner: owners.get(names[target]).cloned(),
                depth: reached[target].map_or(0, |(depth, _)| depth),
                path,
                relations,
            }
        })
        .collect();
    let inside: Vec<bool> = reached.iter().map(Option::is_some).collect();
    Impact {
        entity: entity.to_owned(),
        way,
        entries,
        cycles: cycles(&graph, &inside),
    }
}

/// How a ref was first reached: its depth, and the ref and relation before it.
type Reached = (u32, Option<(usize, &'static str)>);

/// One cycle per strongly connected part of the refs `inside` that has one: the
/// shortest way from its smallest ref back to itself.
fn cycles(graph: &Numbered<'_>, inside: &[bool]) -> Vec<Vec<String>> {
    let names = &graph.names;
    let mut found = Vec::new();
    for part in strongly_connected(graph, inside) {
        let start = *part
            .iter()
            .min_by_key(|&&n| names[n])
            .expect("a part is never empty");
        let mut member = vec![false; names.len()];
        for &n in &part {
            member[n] = true;
        }
        // Breadth first from `start` inside the part, until an edge leads back to it.
        let mut from: Vec<Option<usize>> = vec![None; names.len()];
        let mut queue = VecDeque::from([start]);
        let mut last = None;
        'walk: while let Some(at) = queue.pop_front() {
            for &(target, _) in &graph.next[at] {
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
        let Some(mut at) = last else { continue };
        let mut cycle = vec![names[at].to_owned()];
        while at != start {
            at = from[at].expect("every ref on the way was reached from another");
            cycle.push(names[at].to_owned());
        }
        cycle.reverse();
        found.push(cycle);
    }
    found.sort();
    found
}

/// The strongly connected parts of the refs `inside` that hold a cycle (two refs or
/// more, or one with an edge to itself), by Tarjan's algorithm without recursion.
fn strongly_connected(graph: &Numbered<'_>, inside: &[bool]) -> Vec<Vec<usize>> {
    let n = graph.names.len();
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
        // (node, how many of its targets were visited)
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = Some(counter);
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut seen)) = work.last_mut() {
            if let Some(&(child, _)) = graph.next[node].get(*seen) {
                *seen += 1;
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
                        work.push((child, 0));
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
                let looped = graph.next[node].iter().any(|&(t, _)| t == node);
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

    use super::*;

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
            .map(|e| {
                let mut chain = e.path[0].clone();
                for (step, to) in e.relations.iter().zip(&e.path[1..]) {
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
