//! An impact analysis as the API writes it: `{entity, dependents|needs: [{ref, owner,
//! depth, path, relations}], cycles}`.
//!
//! Written by hand rather than through serde: an entry's path and relations are those
//! of the entry it was reached from (its `via`) with one more step, so they are copied
//! from what was already written for that entry, not escaped again. The impact of a
//! resource 6,000 entities depend on is 3.6 MB of JSON made mostly of such repeated
//! chains; escaping every ref of every chain took half of its request's time.

use std::{io::Write, ops::Range, sync::Arc};

use app::model::graph::impact::{Impact, ImpactWay};
use axum::{
    body::Bytes,
    http::header,
    response::{IntoResponse, Response},
};

use crate::http::written::Written;

/// An analysis as the API writes it.
pub(super) struct Analysis(pub Arc<Impact>);

impl IntoResponse for Analysis {
    fn into_response(self) -> Response {
        (
            [(header::CONTENT_TYPE, "application/json")],
            written(self.0),
        )
            .into_response()
    }
}

/// The answers written for the analyses the store keeps (one per entity and way for each
/// catalog version, `Store::impact`): the impact of a resource 59,000 entities depend on
/// is 42 MB, written once.
static WRITTEN: Written<Impact> = Written::new(64 << 20);

/// `impact` as the API's JSON, written once while the store keeps it.
fn written(impact: Arc<Impact>) -> Bytes {
    // Held here and by the store: kept for the catalog's version. Held here alone: made
    // for this request (an analysis round what the reader may not see, or too large to
    // keep), gone after it.
    let kept_by_store = Arc::strong_count(&impact) > 1;
    WRITTEN.get_or_write(std::slice::from_ref(&impact), kept_by_store, || {
        json(&impact)
    })
}

/// Where an entry's path and relations were written: the text between their brackets.
struct Chain {
    path: Range<usize>,
    relations: Range<usize>,
}

/// `impact` as the API's JSON.
fn json(impact: &Impact) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"{\"entity\":");
    let root = string(&mut out, &impact.entity);
    out.extend_from_slice(match impact.way {
        ImpactWay::Dependents => b",\"dependents\":[",
        ImpactWay::Needs => b",\"needs\":[",
    });
    let mut chains: Vec<Chain> = Vec::with_capacity(impact.entries.len());
    for (index, entry) in impact.entries.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"ref\":");
        let entity_ref = string(&mut out, &entry.entity_ref);
        out.extend_from_slice(b",\"owner\":");
        match &entry.owner {
            Some(owner) => {
                string(&mut out, owner);
            }
            None => out.extend_from_slice(b"null"),
        }
        write!(out, ",\"depth\":{},\"path\":[", entry.depth).expect("writing to memory");
        // `via` is always an earlier entry, whose chain is written already.
        let before = entry.via.map(|via| &chains[via]);
        let path_start = out.len();
        out.extend_from_within(before.map_or(root.clone(), |b| b.path.clone()));
        out.push(b',');
        out.extend_from_within(entity_ref);
        let path = path_start..out.len();
        out.extend_from_slice(b"],\"relations\":[");
        let relations_start = out.len();
        if let Some(before) = before {
            out.extend_from_within(before.relations.clone());
            out.push(b',');
        }
        string(&mut out, &entry.relation);
        let relations = relations_start..out.len();
        out.extend_from_slice(b"]}");
        chains.push(Chain { path, relations });
    }
    out.extend_from_slice(b"],\"cycles\":");
    serde_json::to_writer(&mut out, &impact.cycles).expect("writing JSON to memory");
    out.push(b'}');
    out
}

/// Writes `text` as a JSON string; returns where.
fn string(out: &mut Vec<u8>, text: &str) -> Range<usize> {
    let start = out.len();
    serde_json::to_writer(&mut *out, text).expect("writing JSON to memory");
    start..out.len()
}

#[cfg(test)]
mod tests {
    use app::model::graph::impact::ImpactEntry;
    use serde_json::{json, Value};

    use super::*;

    fn entry(entity_ref: &str, owner: Option<&str>, depth: u32, via: Option<usize>) -> ImpactEntry {
        ImpactEntry {
            entity_ref: entity_ref.to_owned(),
            owner: owner.map(str::to_owned),
            depth,
            via,
            relation: format!("step-{depth}"),
        }
    }

    #[test]
    fn a_kept_analysis_is_written_once() {
        let kept = Arc::new(Impact {
            entity: "resource:default/kept".into(),
            way: ImpactWay::Dependents,
            entries: vec![entry("component:default/a", None, 1, None)],
            cycles: Vec::new(),
        });
        let by_the_store = kept.clone();
        let first = written(kept.clone());
        assert_eq!(
            first.as_ptr(),
            written(kept.clone()).as_ptr(),
            "the same bytes"
        );
        assert_eq!(first, json(&kept));
        let weak = Arc::downgrade(&kept);
        assert!(WRITTEN.holds(&[weak]));

        // Made for one request: not kept.
        drop(by_the_store);
        let alone = Arc::new(Impact {
            entity: "resource:default/alone".into(),
            ..(*kept).clone()
        });
        let weak = Arc::downgrade(&alone);
        written(alone);
        assert!(!WRITTEN.holds(&[weak]));
    }

    #[test]
    fn each_entry_spells_its_whole_chain() {
        let impact = Impact {
            entity: "resource:default/db".into(),
            way: ImpactWay::Dependents,
            entries: vec![
                entry("component:default/a", Some("group:default/x"), 1, None),
                entry("component:default/\"b\"", None, 1, None),
                entry("api:default/c", Some("group:default/y"), 2, Some(1)),
                entry("component:default/d", None, 3, Some(2)),
            ],
            cycles: vec![vec!["component:default/a".into(), "api:default/c".into()]],
        };
        let written: Value = serde_json::from_slice(&json(&impact)).unwrap();
        assert_eq!(
            written,
            json!({
                "entity": "resource:default/db",
                "dependents": [
                    {"ref": "component:default/a", "owner": "group:default/x", "depth": 1,
                     "path": ["resource:default/db", "component:default/a"],
                     "relations": ["step-1"]},
                    {"ref": "component:default/\"b\"", "owner": null, "depth": 1,
                     "path": ["resource:default/db", "component:default/\"b\""],
                     "relations": ["step-1"]},
                    {"ref": "api:default/c", "owner": "group:default/y", "depth": 2,
                     "path": ["resource:default/db", "component:default/\"b\"", "api:default/c"],
                     "relations": ["step-1", "step-2"]},
                    {"ref": "component:default/d", "owner": null, "depth": 3,
                     "path": ["resource:default/db", "component:default/\"b\"", "api:default/c",
                              "component:default/d"],
                     "relations": ["step-1", "step-2", "step-3"]},
                ],
                "cycles": [["component:default/a", "api:default/c"]],
            })
        );
        let needs = Impact {
            way: ImpactWay::Needs,
            entries: Vec::new(),
            cycles: Vec::new(),
            ..impact
        };
        assert_eq!(
            String::from_utf8(json(&needs)).unwrap(),
            r#"{"entity":"resource:default/db","needs":[],"cycles":[]}"#
        );
    }
}
