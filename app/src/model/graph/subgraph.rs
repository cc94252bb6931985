//! What part of the catalog a graph shows: the question (roots, depth, relation types,
//! kinds, direction) as a URL query states it, and the answer (nodes and edges).
//!
//! Relations are stored in pairs (`A dependsOn B` with `B dependencyOf A`), so walking
//! edges *into* a node over a type is walking *out of* it over the type's inverse:
//! every walk follows stored rows from source to target ([`GraphQuery::walked_types`]).

use serde::{Deserialize, Serialize};

use crate::model::catalog::entity_ref::EntityRef;

/// The most nodes one graph holds; a larger walk is cut, nearest nodes kept.
pub const MAX_NODES: usize = 1500;
/// The depth a walk goes to when the query names none.
pub const DEFAULT_DEPTH: u32 = 1;

/// Backstage's relation types, each with its inverse.
pub const RELATION_PAIRS: [(&str, &str); 7] = [
    ("ownedBy", "ownerOf"),
    ("providesApi", "apiProvidedBy"),
    ("consumesApi", "apiConsumedBy"),
    ("dependsOn", "dependencyOf"),
    ("partOf", "hasPart"),
    ("parentOf", "childOf"),
    ("memberOf", "hasMember"),
];

/// The inverse of the relation type `relation` (`dependsOn` → `dependencyOf`), matched
/// without regard to case; `None` for a type Backstage does not define.
pub fn inverse(relation: &str) -> Option<&'static str> {
    RELATION_PAIRS.iter().find_map(|&(a, b)| {
        if a.eq_ignore_ascii_case(relation) {
            Some(b)
        } else if b.eq_ignore_ascii_case(relation) {
            Some(a)
        } else {
            None
        }
    })
}

/// Which edges a walk follows from a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Walk {
    /// Edges leaving it.
    Out,
    /// Edges arriving at it.
    In,
    /// Both.
    #[default]
    Both,
}

/// The part of the catalog to show: from `roots`, `depth` steps (or without limit)
/// along relations of `relations` (every type when empty), through entities of `kinds`
/// (every kind when empty), in the direction `walk`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphQuery {
    /// Where the walk starts (full refs, lower-case).
    pub roots: Vec<String>,
    /// How many steps; `None` for no limit.
    pub depth: Option<u32>,
    /// The relation types followed, as written (`dependsOn`).
    pub relations: Vec<String>,
    /// The kinds walked through, lower-case.
    pub kinds: Vec<String>,
    /// Which way.
    pub walk: Walk,
}

impl GraphQuery {
    /// The diagram of a system's or a domain's parts: a system's components, APIs and
    /// resources and what they depend on, provide and consume (two steps); a domain's
    /// systems, their parts and theirs (three). `None` for other kinds.
    pub fn parts_of(root: &EntityRef) -> Option<Self> {
        let (depth, mut kinds) = match root.kind() {
            k if k.eq_ignore_ascii_case("system") => (2, vec!["system"]),
            k if k.eq_ignore_ascii_case("domain") => (3, vec!["domain", "system"]),
            _ => return None,
        };
        kinds.extend(["component", "api", "resource"]);
        Some(GraphQuery {
            roots: vec![root.to_string()],
            depth: Some(depth),
            relations: ["partOf", "dependsOn", "providesApi", "consumesApi"]
                .map(str::to_owned)
                .to_vec(),
            kinds: kinds.into_iter().map(str::to_owned).collect(),
            walk: Walk::Both,
        })
    }

    /// Reads the query from URL parameters: `root` (repeated or comma-separated; a ref, `kind:` required,
    /// namespace `default` when left out), `depth` (a number from 1, or `unlimited`),
    /// `relation` and `kind` (repeated or comma-separated), `direction` (`out`, `in` or
    /// `both`). What is wrong is said in a sentence naming the parameter.
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, String> {
        let mut query = GraphQuery {
            roots: Vec::new(),
            depth: Some(DEFAULT_DEPTH),
            relations: Vec::new(),
            kinds: Vec::new(),
            walk: Walk::default(),
        };
        let list = |value: &'a str| value.split(',').map(str::trim).filter(|v| !v.is_empty());
        for (key, value) in params {
            match key {
                "root" => {
                    for value in list(value) {
                        let root = EntityRef::parse_full(value)
                            .map_err(|e| format!("root '{value}' is not an entity ref: {e}"))?;
                        query.roots.push(root.to_string());
                    }
                }
                "depth" => query.depth = parse_depth(value)?,
                "relation" => {
                    for relation in list(value) {
                        let known = RELATION_PAIRS
                            .iter()
                            .flat_map(|&(a, b)| [a, b])
                            .find(|known| known.eq_ignore_ascii_case(relation))
                            .ok_or_else(|| {
                                format!("relation '{relation}' is not a relation type")
                            })?;
                        query.relations.push(known.to_owned());
                    }
                }
                "kind" => query.kinds.extend(list(value).map(str::to_lowercase)),
                "direction" => {
                    query.walk = match value {
                        "out" => Walk::Out,
                        "in" => Walk::In,
                        "both" => Walk::Both,
                        other => {
                            return Err(format!("direction '{other}' is not one of out, in, both"))
                        }
                    }
                }
                _ => {}
            }
        }
        if query.roots.is_empty() {
            return Err("root: name at least one entity to start from".into());
        }
        let mut seen = std::collections::HashSet::new();
        query.roots.retain(|root| seen.insert(root.clone()));
        Ok(query)
    }

    /// Reads the query from a URL's query string (`root=…&depth=2`, percent-encoded or
    /// not), as [`GraphQuery::from_params`] does.
    pub fn from_query(query: &str) -> Result<Self, String> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        Self::from_params(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The relation types whose stored rows the walk follows from source to target.
    pub fn walked_types(&self) -> Vec<&'static str> {
        let chosen: Vec<&'static str> = if self.relations.is_empty() {
            RELATION_PAIRS.iter().flat_map(|&(a, b)| [a, b]).collect()
        } else {
            RELATION_PAIRS
                .iter()
                .flat_map(|&(a, b)| [a, b])
                .filter(|known| self.relations.iter().any(|r| r == known))
                .collect()
        };
        let mut types: Vec<&'static str> = match self.walk {
            Walk::Out => chosen,
            Walk::In => chosen.iter().filter_map(|t| inverse(t)).collect(),
            Walk::Both => chosen
                .iter()
                .flat_map(|&t| [Some(t), inverse(t)])
                .flatten()
                .collect(),
        };
        types.sort_unstable();
        types.dedup();
        types
    }
}

fn parse_depth(value: &str) -> Result<Option<u32>, String> {
    if value.eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    match value.parse::<u32>() {
        Ok(depth) if depth >= 1 => Ok(Some(depth)),
        _ => Err(format!(
            "depth '{value}' is neither a number from 1 nor 'unlimited'"
        )),
    }
}

/// An entity in a graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphNode {
    /// Its ref.
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// Its kind, as written (`Component`); from the ref for a missing entity.
    pub kind: String,
    /// Its title, else its name.
    pub title: String,
    /// Its owner's ref.
    pub owner: Option<String>,
    /// Its `spec.lifecycle`.
    pub lifecycle: Option<String>,
    /// Whether a relation names it but the catalog does not hold it.
    pub missing: bool,
    /// Steps from the nearest root.
    pub depth: u32,
}

/// A relation between two nodes, as stored (one per direction of a pair).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GraphEdge {
    /// The ref it leaves.
    pub source: String,
    /// The ref it reaches.
    pub target: String,
    /// The relation type.
    #[serde(rename = "type")]
    pub relation: String,
}

/// A walk's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subgraph {
    /// The entities, nearest first.
    pub nodes: Vec<GraphNode>,
    /// The relations between them that the walk follows.
    pub edges: Vec<GraphEdge>,
    /// Whether the walk reached more than [`MAX_NODES`] entities and was cut.
    pub truncated: bool,
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn query(text: &str) -> Result<GraphQuery, String> {
        GraphQuery::from_query(text)
    }

    #[test]
    fn a_query_reads_its_parameters() {
        let q = query("root=component:default/Checkout&root=resource:orders-db&depth=3&relation=dependsOn,PARTOF&kind=Component&direction=out").unwrap();
        assert_eq!(
            q.roots,
            ["component:default/checkout", "resource:default/orders-db"]
        );
        assert_eq!(q.depth, Some(3));
        assert_eq!(q.relations, ["dependsOn", "partOf"]);
        assert_eq!(q.kinds, ["component"]);
        assert_eq!(q.walk, Walk::Out);
        let several = query("root=component:a,%20system:b&root=component:a").unwrap();
        assert_eq!(several.roots, ["component:default/a", "system:default/b"]);
        assert_eq!(q.walked_types(), ["dependsOn", "partOf"]);
        assert_eq!(query("root=a:b&depth=unlimited").unwrap().depth, None);
        assert_eq!(query("root=a:b").unwrap().depth, Some(1));
    }

    #[test]
    fn walking_in_follows_the_inverse_rows() {
        let walked = |direction: &str| {
            query(&format!(
                "root=a:b&relation=dependsOn&direction={direction}"
            ))
            .unwrap()
            .walked_types()
        };
        assert_eq!(walked("in"), ["dependencyOf"]);
        assert_eq!(walked("both"), ["dependencyOf", "dependsOn"]);
        assert_eq!(query("root=a:b").unwrap().walked_types().len(), 14);
    }

    #[test]
    fn bad_parameters_are_named() {
        for (text, says) in [
            ("depth=2", "root: name at least one"),
            ("root=nokind", "root 'nokind' is not an entity ref"),
            ("root=a:b&depth=0", "depth '0'"),
            ("root=a:b&depth=many", "depth 'many'"),
            ("root=a:b&relation=likes", "relation 'likes'"),
            ("root=a:b&direction=up", "direction 'up'"),
        ] {
            let error = query(text).unwrap_err();
            assert!(error.starts_with(says), "{text}: {error}");
        }
    }

    #[test]
    fn every_relation_has_its_inverse() {
        for (a, b) in RELATION_PAIRS {
            assert_eq!(inverse(a), Some(b));
            assert_eq!(inverse(b), Some(a));
        }
        assert_eq!(inverse("DEPENDSON"), Some("dependencyOf"));
        assert_eq!(inverse("likes"), None);
    }
}
