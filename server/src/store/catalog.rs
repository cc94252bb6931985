//! The catalog's tables: locations, entities, relations and the problems of each location.
//!
//! A location's changes are applied in one transaction ([`Store::apply_location`]):
//! readers see the catalog before or after, never half of it, and a failure leaves it as
//! it was.

use super::{Engine, Store, StoreError};
use crate::progress::Progress;

/// Marks a change of the catalog's entities, in the transaction that makes it: caches
/// of the catalog (the full-text index) compare this version with theirs.
const RAISE_VERSION: &str = "UPDATE catalog_version SET version = version + 1";

/// Inserts `$rows` (a slice of four-value arrays) with `$insert` ("INSERT INTO t (a, b, c, d)
/// VALUES") in batches of [`BATCH_ROWS`], inside the transaction `$tx`, counting them in
/// the [`Progress`] `$progress`.
macro_rules! insert_rows {
    ($tx:ident, $style:expr, $insert:expr, $rows:expr, $progress:expr) => {
        for chunk in $rows.chunks(BATCH_ROWS) {
            let sql = format!("{} {}", $insert, placeholders($style, chunk.len(), 4));
            let mut insert = sqlx::query(&sql).persistent(false);
            for values in chunk {
                for value in values {
                    insert = insert.bind(*value);
                }
            }
            insert.execute(&mut *$tx).await?;
            $progress.rows_written(chunk.len());
        }
    };
}

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

/// A location's newly read state.
#[derive(Clone, Debug, Default)]
pub struct LocationUpdate {
    /// The entities read, in order.
    pub entities: Vec<EntityRow>,
    /// Entities whose documents failed: their last good version stays.
    pub kept_refs: Vec<String>,
    /// Files that could not be read or parsed at all: their entities stay.
    pub kept_files: Vec<String>,
    /// Every problem found.
    pub problems: Vec<ProblemRow>,
    /// What happens to entities the location no longer holds.
    pub orphans: OrphanStrategy,
    /// Counts the rows written, for a progress display.
    pub progress: Progress,
    /// What the read depended on, as JSON, stored with the location so that a later
    /// refresh can tell nothing changed.
    pub inputs: Option<String>,
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

/// A stored entity with what the API adds to its descriptor.
#[derive(Clone, Debug)]
pub struct StoredEntity {
    /// `kind:namespace/name`, lower-case.
    pub entity_ref: String,
    /// Its uid.
    pub uid: String,
    /// Its etag.
    pub etag: String,
    /// The descriptor as JSON (see [`EntityRow::body`]).
    pub body: String,
    /// Relations whose source it is: `(type, target_ref)`, sorted.
    pub relations: Vec<(String, String)>,
    /// Its problems, in file and line order.
    pub problems: Vec<ProblemRow>,
}

/// The annotation Backstage gives orphaned entities.
pub const ORPHAN_ANNOTATION: &str = "backstage.io/orphan";

/// A registered location.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct LocationRow {
    /// Its id.
    pub id: String,
    /// `file` or `url`.
    #[sqlx(rename = "type")]
    pub location_type: String,
    /// The path or URL.
    pub target: String,
}

/// Entities an apply must add, at the least, to count as a bulk load (see
/// [`Store::apply_location`]).
const BULK_LOAD_ENTITIES: usize = 5_000;

/// Rows per batched statement: 4 parameters a row stays far below SQLite's 32,766 and
/// PostgreSQL's 65,535 parameters.
///
/// Statements whose text depends on a number of rows are not kept prepared
/// (`persistent(false)`): each length would be a statement of its own in every
/// connection's cache, and a prepared 4,000-parameter insert is large.
const BATCH_ROWS: usize = 1000;

/// How a batched statement writes its parameters: PostgreSQL needs `$1, $2…`; SQLite
/// takes `?`, and resolves each `$N` by a linear search over the names seen so far,
/// which makes a statement with thousands of them slow to prepare.
#[derive(Clone, Copy)]
enum Params {
    Numbered,
    Positional,
}

/// `($1, $2), ($3, $4)…` (or `(?, ?), (?, ?)…`) for `rows` rows of `columns`
/// parameters; `($1, $2, $3)` for an `IN` list when `columns` is 1.
fn placeholders(style: Params, rows: usize, columns: usize) -> String {
    let param = |i: usize| match style {
        Params::Numbered => format!("${i}"),
        Params::Positional => "?".to_owned(),
    };
    if columns == 1 {
        let list: Vec<String> = (1..=rows).map(param).collect();
        return format!("({})", list.join(", "));
    }
    let rows: Vec<String> = (0..rows)
        .map(|row| {
            let columns: Vec<String> = (1..=columns).map(|c| param(row * columns + c)).collect();
            format!("({})", columns.join(", "))
        })
        .collect();
    rows.join(", ")
}

/// FNV-1a, 64 bits: a stable fingerprint of an entity's content, for etags and for
/// skipping unchanged entities.
pub fn fingerprint(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

impl Store {
    /// Registers a location, or returns the one already registered for the same target.
    pub async fn ensure_location(
        &self,
        location_type: &str,
        target: &str,
    ) -> Result<LocationRow, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO locations (id, type, target) VALUES ($1, $2, $3) \
                 ON CONFLICT (type, target) DO NOTHING",
            )
            .bind(&id)
            .bind(location_type)
            .bind(target)
            .execute(pool)
            .await?;
        });
        self.location_by_target(location_type, target)
            .await?
            .ok_or_else(|| {
                StoreError::Io(format!(
                    "the location {location_type}:{target} was not stored"
                ))
            })
    }

    /// Points the location `id` at `location_type:target`, forgetting what its last read
    /// depended on; `None` when there is no such location.
    pub async fn update_location(
        &self,
        id: &str,
        location_type: &str,
        target: &str,
    ) -> Result<Option<LocationRow>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "UPDATE locations SET type = $1, target = $2, inputs = NULL, next_refresh_at = 0 \
                 WHERE id = $3 RETURNING id, type, target",
            )
            .bind(location_type)
            .bind(target)
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Claims the location most overdue for a refresh, if one is due (`next_refresh_at`
    /// ≤ `now`) and no replica holds it, and holds it until `until`. On PostgreSQL,
    /// replicas claiming at once skip each other's rows (`FOR UPDATE SKIP LOCKED`), so
    /// each location is refreshed by one replica; if that replica dies, the lease runs
    /// out and another takes the location over. Times are milliseconds since the epoch.
    pub async fn claim_due_location(
        &self,
        now: i64,
        until: i64,
    ) -> Result<Option<LocationRow>, StoreError> {
        let lock = match &self.engine {
            Engine::Sqlite(_) => "",
            Engine::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE locations SET leased_until = $1 WHERE id = (\
             SELECT id FROM locations WHERE type IN ('file', 'git', 'url') AND next_refresh_at <= $2 \
             AND leased_until <= $2 ORDER BY next_refresh_at, id LIMIT 1{lock}) \
             RETURNING id, type, target"
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(until).bind(now).fetch_optional(pool).await?
        }))
    }

    /// What the last read of a location depended on, as stored by
    /// [`Store::apply_location`].
    pub async fn location_inputs(&self, location_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT inputs FROM locations WHERE id = $1")
                .bind(location_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.and_then(|(inputs,)| inputs))
    }

    /// Records that a location was just read: next due at `next` (milliseconds since
    /// the epoch), its lease released.
    pub async fn schedule_refresh(&self, location_id: &str, next: i64) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE locations SET next_refresh_at = $1, leased_until = 0 WHERE id = $2")
                .bind(next)
                .bind(location_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Removes a location with its entities, their relations and its problems; false
    /// when there was no such location.
    pub async fn delete_location(&self, location_id: &str) -> Result<bool, StoreError> {
        self.delete_raising_version("DELETE FROM locations WHERE id = $1", location_id)
            .await
    }

    /// The location with this id.
    pub async fn location_by_id(
        &self,
        location_id: &str,
    ) -> Result<Option<LocationRow>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT id, type, target FROM locations WHERE id = $1")
                .bind(location_id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The location registered as `location_type:target`, if there is one.
    pub async fn location_by_target(
        &self,
        location_type: &str,
        target: &str,
    ) -> Result<Option<LocationRow>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT id, type, target FROM locations WHERE type = $1 AND target = $2")
                .bind(location_type)
                .bind(target)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The location that holds an entity.
    pub async fn location_of_entity(
        &self,
        entity_ref: &str,
    ) -> Result<Option<LocationRow>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT l.id, l.type, l.target FROM entities e JOIN locations l ON l.id = e.location_id \
                 WHERE e.entity_ref = $1",
            )
            .bind(entity_ref.to_lowercase())
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Every registered location, oldest first.
    pub async fn locations(&self) -> Result<Vec<LocationRow>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT id, type, target FROM locations ORDER BY created_at, id")
                .fetch_all(pool)
                .await?
        }))
    }

    /// Applies a location's newly read state in one transaction: adds and updates its
    /// entities, removes those it no longer holds, replaces its problems. An entity that
    /// another location holds is not touched; a conflict problem is recorded instead.
    pub async fn apply_location(
        &self,
        location_id: &str,
        update: &LocationUpdate,
    ) -> Result<ApplyReport, StoreError> {
        let style = self.params();
        on_pool!(self, pool => {
            let mut connection = pool.acquire().await?;
            for pragma in self.applying_pragmas(true) {
                sqlx::query(pragma).execute(&mut *connection).await?;
            }
            let mut tx = sqlx::Connection::begin(&mut *connection).await?;
            let mut report = ApplyReport::default();
            let mut problems = update.problems.clone();

            let current: Vec<(String, String, Option<String>)> = sqlx::query_as(
                "SELECT entity_ref, etag, source_file FROM entities WHERE location_id = $1",
            )
            .bind(location_id)
            .fetch_all(&mut *tx)
            .await?;
            let current: std::collections::HashMap<String, (String, Option<String>)> =
                current.into_iter().map(|(r, etag, file)| (r, (etag, file))).collect();

            // Entities no location of ours holds yet may belong to another location.
            let new_refs: Vec<&str> = update
                .entities
                .iter()
                .map(|row| row.entity_ref.as_str())
                .filter(|entity_ref| !current.contains_key(*entity_ref))
                .collect();
            let mut holders = std::collections::HashMap::new();
            for chunk in new_refs.chunks(BATCH_ROWS) {
                let sql = format!(
                    "SELECT e.entity_ref, l.target FROM entities e JOIN locations l ON l.id = e.location_id \
                     WHERE e.entity_ref IN {}",
                    placeholders(style, chunk.len(), 1)
                );
                let mut select = sqlx::query_as::<_, (String, String)>(&sql).persistent(false);
                for entity_ref in chunk {
                    select = select.bind(*entity_ref);
                }
                holders.extend(select.fetch_all(&mut *tx).await?);
            }

            let mut present = std::collections::HashSet::new();
            let mut changed: Vec<(&EntityRow, String)> = Vec::new();
            let mut first_file = std::collections::HashMap::new();
            for row in &update.entities {
                let etag = fingerprint(&row.body);
                present.insert(row.entity_ref.as_str());
                if let Some(file) = first_file.insert(row.entity_ref.as_str(), row.source_file.as_str()) {
                    first_file.insert(row.entity_ref.as_str(), file);
                    problems.push(ProblemRow {
                        entity_ref: Some(row.entity_ref.clone()),
                        file: row.source_file.clone(),
                        line: 1,
                        column: 1,
                        message: format!("{} is already defined in {file}; the first one is kept", row.entity_ref),
                    });
                    continue;
                }
                match current.get(&row.entity_ref) {
                    Some((stored, _)) if *stored == etag => {
                        report.unchanged += 1;
                        continue;
                    }
                    Some(_) => report.updated += 1,
                    None => {
                        if let Some(target) = holders.get(&row.entity_ref) {
                            problems.push(ProblemRow {
                                entity_ref: Some(row.entity_ref.clone()),
                                file: row.source_file.clone(),
                                line: 1,
                                column: 1,
                                message: format!(
                                    "{} is already defined by the location {target}; the first location keeps it",
                                    row.entity_ref
                                ),
                            });
                            report.conflicts.push((row.entity_ref.clone(), target.clone()));
                            continue;
                        }
                        report.added += 1;
                    }
                }
                changed.push((row, etag));
            }

            update.progress.rows_planned(
                changed
                    .iter()
                    .map(|(row, _)| 1 + row.search.len() + row.relations.len())
                    .sum(),
            );
            // Upserts in batches; an update keeps the entity's uid.
            for chunk in changed.chunks(BATCH_ROWS / 2) {
                let sql = format!(
                    "INSERT INTO entities (entity_ref, uid, kind, namespace, name, location_id, body, etag, source_file) \
                     VALUES {} ON CONFLICT (entity_ref) DO UPDATE SET kind = excluded.kind, \
                     namespace = excluded.namespace, name = excluded.name, body = excluded.body, \
                     etag = excluded.etag, source_file = excluded.source_file",
                    placeholders(style, chunk.len(), 9)
                );
                let mut upsert = sqlx::query(&sql).persistent(false);
                for (row, etag) in chunk {
                    upsert = upsert
                        .bind(&row.entity_ref)
                        .bind(uuid::Uuid::new_v4().to_string())
                        .bind(&row.kind)
                        .bind(&row.namespace)
                        .bind(&row.name)
                        .bind(location_id)
                        .bind(&row.body)
                        .bind(etag)
                        .bind(&row.source_file);
                }
                upsert.execute(&mut *tx).await?;
                update.progress.rows_written(chunk.len());
            }
            let changed: Vec<&EntityRow> = changed.into_iter().map(|(row, _)| row).collect();

            // The search entries and relations of every updated entity, replaced in
            // batches: a statement per row would dominate ingestion time. Added
            // entities have none to replace.
            let updated: Vec<&EntityRow> = changed
                .iter()
                .copied()
                .filter(|row| current.contains_key(&row.entity_ref))
                .collect();
            for chunk in updated.chunks(BATCH_ROWS) {
                let refs = placeholders(style, chunk.len(), 1);
                for table_and_column in ["search WHERE entity_ref", "relations WHERE originating_ref"] {
                    let sql = format!("DELETE FROM {table_and_column} IN {refs}");
                    let mut delete = sqlx::query(&sql).persistent(false);
                    for row in chunk {
                        delete = delete.bind(&row.entity_ref);
                    }
                    delete.execute(&mut *tx).await?;
                }
            }
            // A load that adds at least as many entities as the catalog held (the first
            // import above all)
            // builds the secondary indexes afterwards, from sorted data, instead of
            // inserting every row into them at random places: 3× faster at 100,000
            // entities. SQLite only: PostgreSQL's DROP INDEX would block readers.
            // The catalog is counted only when the load is large enough to matter.
            let mut rebuild = None;
            if let Some(indexes) = self.bulk_load_indexes() {
                if report.added >= BULK_LOAD_ENTITIES {
                    let (entities_now,): (i64,) =
                        sqlx::query_as("SELECT COUNT(*) FROM entities")
                            .fetch_one(&mut *tx)
                            .await?;
                    if report.added as i64 * 2 >= entities_now {
                        rebuild = Some(indexes);
                    }
                }
            }
            for (name, _) in rebuild.into_iter().flatten() {
                sqlx::query(&format!("DROP INDEX {name}")).execute(&mut *tx).await?;
            }
            // In primary-key order, so that the rows are appended to the index rather
            // than scattered through it.
            let mut search: Vec<[Option<&str>; 4]> = changed
                .iter()
                .flat_map(|row| {
                    row.search.iter().map(|(k, v, o)| {
                        let original = (o != v).then_some(o.as_str());
                        [Some(k.as_str()), Some(v), Some(row.entity_ref.as_str()), original]
                    })
                })
                .collect();
            search.sort_unstable();
            insert_rows!(
                tx,
                style,
                "INSERT INTO search (key, value, entity_ref, original_value) VALUES",
                search,
                update.progress
            );
            let relations: Vec<[&str; 4]> = changed
                .iter()
                .flat_map(|row| {
                    row.relations.iter().map(|(s, t, r)| [row.entity_ref.as_str(), s, t, r])
                })
                .collect();
            insert_rows!(
                tx,
                style,
                "INSERT INTO relations (originating_ref, source_ref, type, target_ref) VALUES",
                relations,
                update.progress
            );

            for (_, create) in rebuild.into_iter().flatten() {
                sqlx::query(create).execute(&mut *tx).await?;
            }

            for (entity_ref, (_, file)) in &current {
                let kept = present.contains(entity_ref.as_str())
                    || update.kept_refs.contains(entity_ref)
                    || file.as_ref().is_some_and(|f| update.kept_files.contains(f));
                if kept {
                    continue;
                }
                match update.orphans {
                    OrphanStrategy::Delete => {
                        sqlx::query("DELETE FROM entities WHERE entity_ref = $1")
                            .bind(entity_ref)
                            .execute(&mut *tx)
                            .await?;
                        report.removed += 1;
                    }
                    OrphanStrategy::Keep => {
                        // The etag changes with the annotation; when the entity comes
                        // back, its content differs from the stored one and replaces it.
                        let flagged = sqlx::query(self.orphan_annotation())
                            .bind(entity_ref)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                        if flagged > 0 {
                            sqlx::query(
                                "INSERT INTO search (key, value, entity_ref, original_value) \
                                 VALUES ($1, 'true', $2, NULL) ON CONFLICT DO NOTHING",
                            )
                            .bind(format!("metadata.annotations.{ORPHAN_ANNOTATION}"))
                            .bind(entity_ref)
                            .execute(&mut *tx)
                            .await?;
                            report.orphaned += 1;
                        }
                    }
                }
            }

            sqlx::query("DELETE FROM location_problems WHERE location_id = $1")
                .bind(location_id)
                .execute(&mut *tx)
                .await?;
            for problem in &problems {
                sqlx::query(
                    "INSERT INTO location_problems (location_id, entity_ref, file, line, col, message) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(location_id)
                .bind(&problem.entity_ref)
                .bind(&problem.file)
                .bind(problem.line)
                .bind(problem.column)
                .bind(&problem.message)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(inputs) = &update.inputs {
                sqlx::query("UPDATE locations SET inputs = $1 WHERE id = $2")
                    .bind(inputs)
                    .bind(location_id)
                    .execute(&mut *tx)
                    .await?;
            }
            if report.changed() > 0 {
                sqlx::query(RAISE_VERSION).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            for pragma in self.applying_pragmas(false) {
                sqlx::query(pragma).execute(&mut *connection).await?;
            }
            drop(connection);
            self.upkeep_in_background(report.changed());
            Ok(report)
        })
    }

    /// The stored JSON of an entity, with its uid and etag, if it exists.
    pub async fn entity_body(
        &self,
        entity_ref: &str,
    ) -> Result<Option<(String, String, String)>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT uid, etag, body FROM entities WHERE entity_ref = $1")
                .bind(entity_ref.to_lowercase())
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The ref of the entity with this uid.
    pub async fn entity_ref_by_uid(&self, uid: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT entity_ref FROM entities WHERE uid = $1")
                .bind(uid)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(entity_ref,)| entity_ref))
    }

    /// Deletes the entity with this uid (its relations and search entries go with it);
    /// false when there was none. Its location brings it back at the next refresh if
    /// it still holds it.
    pub async fn delete_entity_by_uid(&self, uid: &str) -> Result<bool, StoreError> {
        self.delete_raising_version("DELETE FROM entities WHERE uid = $1", uid)
            .await
    }

    /// Runs the `DELETE` statement `sql` with the parameter `id` and, when it deleted
    /// something, raises the catalog version in the same transaction; false when it
    /// deleted nothing.
    async fn delete_raising_version(&self, sql: &str, id: &str) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let deleted = sqlx::query(sql).bind(id).execute(&mut *tx).await?.rows_affected();
            if deleted > 0 {
                sqlx::query(RAISE_VERSION).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(deleted > 0)
        })
    }

    /// The stored entities `refs` names (lower-case refs), each with its relations and
    /// problems, in the order of `refs`; refs with no entity are left out. Three queries
    /// per [`BATCH_ROWS`] refs, however many there are.
    pub async fn stored_entities(&self, refs: &[String]) -> Result<Vec<StoredEntity>, StoreError> {
        let mut found = std::collections::HashMap::with_capacity(refs.len());
        // Relations and problems come aggregated, one row per entity: sqlx hands SQLite's
        // rows over from a worker thread one by one (a round trip each), and a page of 20
        // entities has hundreds of relations.
        let relations = self.json_rows(&["r.type", "r.target_ref"]);
        let problems = self.json_rows(&["p.file", "p.line", "p.col", "p.message"]);
        for chunk in refs.chunks(BATCH_ROWS) {
            let sql = format!(
                "SELECT e.entity_ref, e.uid, e.etag, e.body, \
                 (SELECT {relations} FROM relations r WHERE r.source_ref = e.entity_ref), \
                 (SELECT {problems} FROM location_problems p WHERE p.entity_ref = e.entity_ref) \
                 FROM entities e WHERE e.entity_ref IN {}",
                placeholders(self.params(), chunk.len(), 1)
            );
            let rows: Vec<(String, String, String, String, String, String)> = on_pool!(self, pool => {
                let mut query = sqlx::query_as(&sql).persistent(false);
                for entity_ref in chunk {
                    query = query.bind(entity_ref);
                }
                query.fetch_all(pool).await?
            });
            for (entity_ref, uid, etag, body, relations, problems) in rows {
                let json_error = |what: &str, e: serde_json::Error| {
                    StoreError::Io(format!("the {what} of {entity_ref}: {e}"))
                };
                let mut relations: Vec<(String, String)> =
                    serde_json::from_str(&relations).map_err(|e| json_error("relations", e))?;
                relations.sort();
                relations.dedup();
                let mut problems: Vec<(String, i64, i64, String)> =
                    serde_json::from_str(&problems).map_err(|e| json_error("problems", e))?;
                problems.sort();
                let problems = problems
                    .into_iter()
                    .map(|(file, line, column, message)| ProblemRow {
                        entity_ref: Some(entity_ref.clone()),
                        file,
                        line,
                        column,
                        message,
                    })
                    .collect();
                let entity = StoredEntity {
                    entity_ref: entity_ref.clone(),
                    uid,
                    etag,
                    body,
                    relations,
                    problems,
                };
                found.insert(entity_ref, entity);
            }
        }
        Ok(refs.iter().filter_map(|r| found.remove(r)).collect())
    }

    /// Every relation whose source is `entity_ref`: `(type, target_ref)`, sorted.
    pub async fn relations_of(
        &self,
        entity_ref: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT DISTINCT type, target_ref FROM relations WHERE source_ref = $1 \
                 ORDER BY type, target_ref",
            )
            .bind(entity_ref.to_lowercase())
            .fetch_all(pool)
            .await?
        }))
    }

    /// The problems recorded for a location, in file and line order.
    pub async fn location_problems(
        &self,
        location_id: &str,
    ) -> Result<Vec<ProblemRow>, StoreError> {
        let rows: Vec<(Option<String>, String, i64, i64, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT entity_ref, file, line, col, message FROM location_problems \
                 WHERE location_id = $1 ORDER BY file, line, col, message",
            )
            .bind(location_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(entity_ref, file, line, column, message)| ProblemRow {
                entity_ref,
                file,
                line,
                column,
                message,
            })
            .collect())
    }

    /// An aggregate of the given columns of a group of rows as JSON text, `[[a, b, …],
    /// …]` (`[]` for none), in the engine's own dialect.
    pub(super) fn json_rows(&self, columns: &[&str]) -> String {
        let columns = columns.join(", ");
        match &self.engine {
            Engine::Sqlite(_) => format!("json_group_array(json_array({columns}))"),
            Engine::Postgres(_) => {
                format!("COALESCE(json_agg(json_build_array({columns}))::text, '[]')")
            }
        }
    }

    /// Settings for the connection that applies a location (`applying`), and back to
    /// the defaults afterwards. SQLite only:
    /// - a larger page cache: with the default 2 MiB, a large first ingest spills pages
    ///   to the write-ahead log and reads them back many times over (the memory is
    ///   freed when the cache shrinks again);
    /// - no checkpoint on commit: copying the log into the database would hold the
    ///   newly applied entities back from readers for no reason; it runs afterwards
    ///   ([`Store::upkeep_in_background`]).
    fn applying_pragmas(&self, applying: bool) -> &'static [&'static str] {
        match (&self.engine, applying) {
            (Engine::Sqlite(_), true) => &[
                "PRAGMA cache_size = -65536",
                "PRAGMA wal_autocheckpoint = 0",
            ],
            (Engine::Sqlite(_), false) => &[
                "PRAGMA cache_size = -2000",
                "PRAGMA shrink_memory",
                "PRAGMA wal_autocheckpoint = 1000",
            ],
            (Engine::Postgres(_), _) => &[],
        }
    }

    /// Copies SQLite's write-ahead log into the database and empties it, for a command
    /// that exits after writing; retried while a background checkpoint is under way.
    /// Nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if let Engine::Sqlite(pool) = &self.engine {
            for _ in 0..100 {
                let (busy, _, _): (i64, i64, i64) =
                    sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                        .fetch_one(pool)
                        .await?;
                if busy == 0 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
        Ok(())
    }

    /// Upkeep after applying a location, on a task of its own so that the new entities
    /// are served at once. SQLite: copy the write-ahead log into the database (without
    /// blocking readers or writers). PostgreSQL, after a large change: refresh the
    /// planner's statistics, which autovacuum would only do minutes later (until then
    /// a freshly loaded catalog gets plans made for empty tables).
    fn upkeep_in_background(&self, changed: usize) {
        let statement = match &self.engine {
            Engine::Sqlite(_) => "PRAGMA wal_checkpoint(PASSIVE)",
            Engine::Postgres(_) if changed >= 1000 => "ANALYZE entities, search, relations",
            Engine::Postgres(_) => return,
        };
        let store = self.clone();
        tokio::spawn(async move {
            let done =
                on_pool!(&store, pool => sqlx::query(statement).execute(pool).await.map(|_| ()));
            if let Err(error) = done {
                tracing::warn!(%error, statement, "upkeep after applying a location failed");
            }
            crate::memory::release_free_memory();
        });
    }

    /// An `UPDATE` that annotates the entity `$1` as an orphan, unless it is already.
    fn orphan_annotation(&self) -> &'static str {
        match &self.engine {
            Engine::Sqlite(_) => {
                "UPDATE entities SET etag = etag || '-orphan', \
                 body = json_set(body, '$.metadata.annotations.\"backstage.io/orphan\"', 'true') \
                 WHERE entity_ref = $1 AND etag NOT LIKE '%-orphan'"
            }
            Engine::Postgres(_) => {
                "UPDATE entities SET etag = etag || '-orphan', \
                 body = jsonb_set(body::jsonb, '{metadata,annotations,backstage.io/orphan}', '\"true\"')::text \
                 WHERE entity_ref = $1 AND etag NOT LIKE '%-orphan'"
            }
        }
    }

    /// The secondary indexes of the `search` and `relations` tables, `(name, CREATE
    /// statement)`, which a bulk load drops and builds again (SQLite only). They must
    /// stay as the migrations define them.
    fn bulk_load_indexes(&self) -> Option<&'static [(&'static str, &'static str)]> {
        match &self.engine {
            Engine::Sqlite(_) => Some(&[
                (
                    "search_entity",
                    "CREATE INDEX search_entity ON search (entity_ref, key, value)",
                ),
                (
                    "relations_source",
                    "CREATE INDEX relations_source ON relations (source_ref)",
                ),
                (
                    "relations_target",
                    "CREATE INDEX relations_target ON relations (target_ref)",
                ),
                (
                    "relations_originating",
                    "CREATE INDEX relations_originating ON relations (originating_ref)",
                ),
            ]),
            Engine::Postgres(_) => None,
        }
    }

    /// How this store's engine wants batched statements' parameters written.
    fn params(&self) -> Params {
        match &self.engine {
            Engine::Sqlite(_) => Params::Positional,
            Engine::Postgres(_) => Params::Numbered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn placeholders_number_every_parameter() {
        use super::{placeholders, Params};
        assert_eq!(placeholders(Params::Numbered, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(placeholders(Params::Numbered, 3, 1), "($1, $2, $3)");
        assert_eq!(placeholders(Params::Positional, 2, 2), "(?, ?), (?, ?)");
    }

    #[test]
    fn fingerprints_are_stable_and_differ() {
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_ne!(fingerprint("a"), fingerprint("b"));
        assert_eq!(fingerprint("same"), fingerprint("same"));
    }
}
