//! What a location's read hands the store: entity rows in batches, then the rest of
//! what it found ([`LocationPart`]); and what applying them changed.

use crate::progress::Progress;

/// An entity ready to be stored: its identity, its JSON and its relations.
#[derive(Clone, Debug)]
pub struct EntityRow {
    /// `kind:namespace/name`, lower-case.
    pub entity_ref: String,
    /// The kind as written.
    pub kind: String,
    /// The namespace.
    pub namespace: String,
    /// The name as written.
    pub name: String,
    /// The entity as JSON, without `uid`, `etag` and `relations` (added when read).
    pub body: String,
    /// The file it was read from.
    pub source_file: String,
    /// Relations its spec implies: `(source_ref, type, target_ref)`.
    pub relations: Vec<(String, String, String)>,
    /// Its search entries: `(key, lower-case value, value as written)`.
    pub search: Vec<(String, String, String)>,
    /// Its keys without a searchable value (see [`app::model::catalog::search::Searchable`]).
    pub keys_only: Vec<String>,
}

/// A problem to record against a location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProblemRow {
    /// The entity it is about, when the document got as far as naming one.
    pub entity_ref: Option<String>,
    /// The file.
    pub file: String,
    /// The line, from 1.
    pub line: i64,
    /// The column, from 1.
    pub column: i64,
    /// What is wrong.
    pub message: String,
}

impl ProblemRow {
    /// A problem with the entity `row`, at the start of its file.
    pub fn about(row: &EntityRow, message: String) -> Self {
        Self {
            entity_ref: Some(row.entity_ref.clone()),
            file: row.source_file.clone(),
            line: 1,
            column: 1,
            message,
        }
    }
}

/// What a location's read hands [`super::Store::apply_location_parts`], in this order: its
/// entities, in batches, then the rest of what it found.
#[derive(Debug)]
pub enum LocationPart {
    /// Entities read, in reading order.
    Entities(Vec<EntityRow>),
    /// The read is complete.
    End(LocationEnd),
}

/// What a location's read found besides its entities, known once every file was read.
#[derive(Clone, Debug, Default)]
pub struct LocationEnd {
    /// Entities whose documents failed: their last good version stays.
    pub kept_refs: Vec<String>,
    /// Files that could not be read or parsed at all: their entities stay.
    pub kept_files: Vec<String>,
    /// Every problem found.
    pub problems: Vec<ProblemRow>,
    /// What the read depended on, as JSON, stored with the location so that a later
    /// refresh can tell nothing changed.
    pub inputs: Option<String>,
}

/// A location's newly read state, whole, with how to apply it.
#[derive(Clone, Debug, Default)]
pub struct LocationUpdate {
    /// The entities read, in order.
    pub entities: Vec<EntityRow>,
    /// The rest of what the read found.
    pub end: LocationEnd,
    /// What happens to entities the location no longer holds.
    pub orphans: OrphanStrategy,
    /// Counts the rows written, for a progress display.
    pub progress: Progress,
}

/// What happens to an orphan: an entity its location held before and no longer holds
/// (its file or document was deleted, or a Location stopped pointing at its file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrphanStrategy {
    /// Keep it, annotated `backstage.io/orphan: "true"`, as Backstage does by default,
    /// so that nobody loses an entity to a bad commit; it can be deleted by hand.
    /// The annotation goes when the location holds the entity again.
    #[default]
    Keep,
    /// Delete it with the refresh that finds it gone.
    Delete,
}

/// What applying an update changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// New entities.
    pub added: usize,
    /// Entities whose content changed.
    pub updated: usize,
    /// Entities identical to what was stored.
    pub unchanged: usize,
    /// Entities the location no longer holds, deleted.
    pub removed: usize,
    /// Entities the location no longer holds, newly annotated as orphans.
    pub orphaned: usize,
    /// Entities another location already holds: `(entity_ref, that location's target)`.
    pub conflicts: Vec<(String, String)>,
    /// Nothing was read or written: the location's files had not changed.
    pub skipped: bool,
}

impl ApplyReport {
    /// How many entities the apply wrote: added, updated, removed or newly orphaned.
    pub fn changed(&self) -> usize {
        self.added + self.updated + self.removed + self.orphaned
    }
}
