//! Turns what a location yielded into what the store applies: entity rows with their
//! relations and search entries, the problems, and what must be kept because it failed.

use std::collections::BTreeSet;

use app::model::{catalog::relations::relations_of, catalog::search::search_entries};

use super::location::{LocatedEntity, LocationContents};
use crate::store::{EntityRow, LocationEnd, ProblemRow};

/// The store rows of `entities`, prepared on every core.
pub fn entity_rows(entities: &[LocatedEntity]) -> Vec<EntityRow> {
    crate::parallel::map(entities, |located| {
        let entity = &located.entity;
        let searchable = search_entries(entity);
        EntityRow {
            entity_ref: entity.entity_ref().to_string(),
            kind: entity.kind.clone(),
            namespace: entity.metadata.namespace.clone(),
            name: entity.metadata.name.clone(),
            body: serde_json::to_string(entity).expect("entities serialise"),
            source_file: located.file.display().to_string(),
            relations: relations_of(entity)
                .into_iter()
                .map(|edge| {
                    (
                        edge.source.to_string(),
                        edge.relation_type.to_owned(),
                        edge.target.to_string(),
                    )
                })
                .collect(),
            search: searchable
                .entries
                .into_iter()
                .map(|entry| (entry.key, entry.value, entry.original))
                .collect(),
            keys_only: searchable.keys_only,
        }
    })
}

/// What a location's read found besides its entities: its problems, its inputs, and
/// what they keep.
///
/// An entity whose document failed keeps its last good version (`kept_refs`); when a
/// problem cannot be tied to an entity (a YAML syntax error, an unreadable file), every
/// entity last read from that file is kept (`kept_files`).
pub fn location_end(contents: &LocationContents) -> LocationEnd {
    let kept_refs: BTreeSet<String> = contents
        .problems
        .iter()
        .filter_map(|p| p.entity_ref.clone())
        .collect();
    let kept_files: BTreeSet<String> = contents
        .problems
        .iter()
        .filter(|p| p.entity_ref.is_none())
        .map(|p| p.file.clone())
        .collect();
    LocationEnd {
        inputs: serde_json::to_string(&contents.inputs).ok(),
        kept_refs: kept_refs.into_iter().collect(),
        kept_files: kept_files.into_iter().collect(),
        problems: contents
            .problems
            .iter()
            .map(|p| ProblemRow {
                entity_ref: p.entity_ref.clone(),
                file: p.file.clone(),
                line: p.position.line as i64,
                column: p.position.column as i64,
                message: p.message.clone(),
            })
            .collect(),
    }
}
