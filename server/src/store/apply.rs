//! Applying a location's newly read state to the catalog's tables, in one transaction,
//! batch by batch as the read goes on ([`Store::apply_location_parts`]): readers see the
//! catalog before or after, never half of it, and a failure leaves it as it was.

use std::collections::{HashMap, HashSet};

use tokio::sync::mpsc::Receiver;

use super::{
    bulk::{BulkLoad, BULK_LOAD_ENTITIES, TABLES},
    catalog::{fingerprint_value, placeholders, BATCH_ROWS, ENTITY_ROWS, RAISE_VERSION},
    update::{ApplyReport, EntityRow, LocationPart, LocationUpdate, OrphanStrategy, ProblemRow},
    Engine, Store, StoreError, ORPHAN_ANNOTATION,
};
use crate::progress::Progress;

/// Inserts `$rows` (a slice of arrays of values) with `$insert` ("INSERT INTO t (a, b, c, d)
/// VALUES") in batches of [`BATCH_ROWS`], inside the transaction `$tx`, counting them in
/// the [`Progress`] `$progress`.
macro_rules! insert_rows {
    ($tx:ident, $style:expr, $insert:expr, $rows:expr, $progress:expr) => {
        for chunk in $rows.chunks(BATCH_ROWS) {
            let columns = chunk.first().map_or(1, |row| row.len());
            let sql = format!("{} {}", $insert, placeholders($style, chunk.len(), columns));
            // A full batch's statement is kept prepared (one per table); the last,
            // shorter one is not.
            let mut insert = sqlx::query(&sql).persistent(chunk.len() == BATCH_ROWS);
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

/// Rows of what a location holds read at once, when an apply starts.
const CURRENT_PAGE: i64 = 10_000;

/// What an apply needs of an entity the location holds, small enough for millions.
struct Stored {
    /// Its etag, when it is a plain content fingerprint (an orphan's is not: it never
    /// matches newly read content).
    etag: Option<u64>,
    /// The file it was read from, in [`Files`].
    file: Option<u32>,
}

/// The numeric value of a content fingerprint ([`super::fingerprint`]), or `None` for
/// any other etag.
fn etag_fingerprint(etag: &str) -> Option<u64> {
    (etag.len() == 16)
        .then(|| u64::from_str_radix(etag, 16).ok())
        .flatten()
}

/// File names, each kept once: a location's entities name a few files many times.
#[derive(Default)]
struct Files {
    names: Vec<String>,
    numbers: HashMap<String, u32>,
}

impl Files {
    /// The number of the file `name`, given one when it is new.
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(number) = self.numbers.get(name) {
            return *number;
        }
        let number = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.numbers.insert(name.to_owned(), number);
        number
    }

    /// The file numbered `number`.
    fn name(&self, number: u32) -> &str {
        &self.names[number as usize]
    }
}

impl Store {
    /// Applies a location's newly read state, held whole in memory, as
    /// [`Store::apply_location_parts`] does.
    pub async fn apply_location(
        &self,
        location_id: &str,
        update: &LocationUpdate,
    ) -> Result<ApplyReport, StoreError> {
        let (parts, mut received) = tokio::sync::mpsc::channel(2);
        for part in [
            LocationPart::Entities(update.entities.clone()),
            LocationPart::End(update.end.clone()),
        ] {
            parts
                .try_send(part)
                .expect("the channel has room for both parts");
        }
        drop(parts);
        self.apply_location_parts(location_id, update.orphans, &update.progress, &mut received)
            .await
    }

    /// Applies a location's newly read state in one transaction, as its read hands it
    /// over (`parts`): adds and updates its entities, removes those it no longer holds
    /// (as `orphans` says), replaces its problems. Rows are written batch by batch while
    /// the read goes on, so that memory holds a batch, not the location; readers see
    /// the catalog before or after, never half of it.
    ///
    /// An entity that another location holds is not touched, nor the second of two
    /// entities with one ref: a problem is recorded instead. When `parts` ends before
    /// [`LocationPart::End`] (the read failed), nothing is changed and this fails.
    pub async fn apply_location_parts(
        &self,
        location_id: &str,
        orphans: OrphanStrategy,
        progress: &Progress,
        parts: &mut Receiver<LocationPart>,
    ) -> Result<ApplyReport, StoreError> {
        let style = self.params();
        let report = on_pool!(self, pool => {
            let mut connection = pool.acquire().await?;
            for pragma in self.applying_pragmas(true) {
                if let Err(error) = sqlx::query(pragma).execute(&mut *connection).await {
                    let _ = sqlx::Connection::close(connection.detach()).await;
                    return Err(error.into());
                }
            }
            let applied = async {
                let mut tx = sqlx::Connection::begin(&mut *connection).await?;
                // One writer per location, locked before anything is read: a second
                // replica applying the same location waits for the first and then finds
                // its entities stored, instead of inserting them twice.
                let locked = sqlx::query(self.lock_location())
                    .bind(location_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if locked.is_none() {
                    return Err(StoreError::Io(format!(
                        "the location {location_id} was deleted while it was read; nothing was changed"
                    )));
                }
                let mut report = ApplyReport::default();
                // Problems found here: entities defined twice, or by another location.
                let mut found = Vec::new();

                // What the location holds now, read a page at a time: at a million
                // entities, rows of owned strings would cost several times the map.
                let mut files = Files::default();
                let mut current: HashMap<Box<str>, Stored> = HashMap::new();
                let mut after = String::new();
                loop {
                    let page: Vec<(String, String, Option<String>)> = sqlx::query_as(
                        "SELECT entity_ref, etag, source_file FROM entities \
                         WHERE location_id = $1 AND entity_ref > $2 ORDER BY entity_ref LIMIT $3",
                    )
                    .bind(location_id)
                    .bind(&after)
                    .bind(CURRENT_PAGE)
                    .fetch_all(&mut *tx)
                    .await?;
                    let Some((last, _, _)) = page.last() else { break };
                    after = last.clone();
                    for (entity_ref, etag, file) in page {
                        let stored = Stored {
                            etag: etag_fingerprint(&etag),
                            file: file.map(|name| files.intern(&name)),
                        };
                        current.insert(entity_ref.into(), stored);
                    }
                }
                // Every entity read so far, with the file it was first read from.
                let mut read: HashMap<Box<str>, u32> = HashMap::new();
                let mut bulk = BulkLoad::Undecided;

                let end = loop {
                    let rows = match parts.recv().await {
                        Some(LocationPart::Entities(rows)) => rows,
                        Some(LocationPart::End(end)) => break end,
                        None => {
                            return Err(StoreError::Io(
                                "the location's read stopped before its end; nothing was changed"
                                    .to_owned(),
                            ))
                        }
                    };

                    // Entities no location of ours holds yet may belong to another location.
                    let new_refs: Vec<&str> = rows
                        .iter()
                        .map(|row| row.entity_ref.as_str())
                        .filter(|entity_ref| !current.contains_key(*entity_ref))
                        .collect();
                    let mut holders = HashMap::new();
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

                    let added_before = report.added;
                    let mut changed: Vec<(&EntityRow, u64)> = Vec::new();
                    for row in &rows {
                        if let Some(file) = read.get(row.entity_ref.as_str()) {
                            found.push(ProblemRow::about(
                                row,
                                format!(
                                    "{} is already defined in {}; the first one is kept",
                                    row.entity_ref,
                                    files.name(*file)
                                ),
                            ));
                            continue;
                        }
                        read.insert(row.entity_ref.as_str().into(), files.intern(&row.source_file));
                        let etag = fingerprint_value(&row.body);
                        match current.get(row.entity_ref.as_str()) {
                            Some(stored) if stored.etag == Some(etag) => {
                                report.unchanged += 1;
                                continue;
                            }
                            Some(_) => report.updated += 1,
                            None => {
                                if let Some(target) = holders.get(&row.entity_ref) {
                                    found.push(ProblemRow::about(
                                        row,
                                        format!(
                                            "{} is already defined by the location {target}; the first location keeps it",
                                            row.entity_ref
                                        ),
                                    ));
                                    report.conflicts.push((row.entity_ref.clone(), target.clone()));
                                    continue;
                                }
                                report.added += 1;
                            }
                        }
                        changed.push((row, etag));
                    }

                    // A first read of a location that adds at least as many entities as
                    // the rest of the catalog holds (the first import above all) is a
                    // bulk load ([`super::bulk`]): 3× faster at 100,000 entities.
                    if let BulkLoad::Undecided = bulk {
                        if !current.is_empty() {
                            bulk = BulkLoad::No;
                        } else if report.added >= BULK_LOAD_ENTITIES {
                            let (stored,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM entities")
                                .fetch_one(&mut *tx)
                                .await?;
                            let others = stored as usize - added_before;
                            bulk = if report.added >= others {
                                let plan = self.bulk_plan();
                                for statement in plan.start {
                                    sqlx::query(statement).execute(&mut *tx).await?;
                                }
                                BulkLoad::Loading(plan)
                            } else {
                                BulkLoad::No
                            };
                        }
                    }
                    let [search_table, keys_table, relations_table] = match bulk {
                        BulkLoad::Loading(plan) => plan.tables,
                        BulkLoad::Undecided | BulkLoad::No => TABLES,
                    };

                    progress.rows_planned(
                        changed
                            .iter()
                            .map(|(row, _)| 1 + row.search.len() + row.keys_only.len() + row.relations.len())
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
                        let mut upsert = sqlx::query(&sql).persistent(chunk.len() == BATCH_ROWS / 2);
                        for (row, etag) in chunk {
                            upsert = upsert
                                .bind(&row.entity_ref)
                                .bind(uuid::Uuid::new_v4().to_string())
                                .bind(&row.kind)
                                .bind(&row.namespace)
                                .bind(&row.name)
                                .bind(location_id)
                                .bind(&row.body)
                                .bind(format!("{etag:016x}"))
                                .bind(&row.source_file);
                        }
                        upsert.execute(&mut *tx).await?;
                        progress.rows_written(chunk.len());
                    }
                    let changed: Vec<&EntityRow> = changed.into_iter().map(|(row, _)| row).collect();

                    // The search entries and relations of every updated entity, replaced
                    // in batches: a statement per row would dominate ingestion time.
                    // Added entities have none to replace.
                    let updated: Vec<&str> = changed
                        .iter()
                        .map(|row| row.entity_ref.as_str())
                        .filter(|entity_ref| current.contains_key(*entity_ref))
                        .collect();
                    delete_rows!(tx, style, ENTITY_ROWS, updated);
                    // In primary-key order, so that the rows are appended to the index
                    // rather than scattered through it.
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
                        format!("INSERT INTO {search_table} (key, value, entity_ref, original_value) VALUES"),
                        search,
                        progress
                    );
                    let keys_only: Vec<[&str; 2]> = changed
                        .iter()
                        .flat_map(|row| row.keys_only.iter().map(|key| [key.as_str(), row.entity_ref.as_str()]))
                        .collect();
                    insert_rows!(
                        tx,
                        style,
                        format!("INSERT INTO {keys_table} (key, entity_ref) VALUES"),
                        keys_only,
                        progress
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
                        format!("INSERT INTO {relations_table} (originating_ref, source_ref, type, target_ref) VALUES"),
                        relations,
                        progress
                    );
                };

                if let BulkLoad::Loading(plan) = bulk {
                    // What was read is let go before sorting: a bulk load has no stored
                    // entity to compare it with.
                    read = HashMap::new();
                    crate::memory::release_free_memory();
                    for statement in plan.finish {
                        sqlx::query(statement).execute(&mut *tx).await?;
                    }
                }

                let kept_refs: HashSet<&str> = end.kept_refs.iter().map(String::as_str).collect();
                let kept_files: HashSet<&str> = end.kept_files.iter().map(String::as_str).collect();
                let mut removed: Vec<&str> = Vec::new();
                for (entity_ref, stored) in &current {
                    let kept = read.contains_key(entity_ref)
                        || kept_refs.contains(&**entity_ref)
                        || stored.file.is_some_and(|f| kept_files.contains(files.name(f)));
                    if kept {
                        continue;
                    }
                    match orphans {
                        OrphanStrategy::Delete => {
                            removed.push(entity_ref);
                            report.removed += 1;
                        }
                        OrphanStrategy::Keep => {
                            // The etag changes with the annotation; when the entity comes
                            // back, its content differs from the stored one and replaces it.
                            let flagged = sqlx::query(self.orphan_annotation())
                                .bind(&**entity_ref)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected();
                            if flagged > 0 {
                                sqlx::query(
                                    "INSERT INTO search (key, value, entity_ref, original_value) \
                                     VALUES ($1, 'true', $2, NULL) ON CONFLICT DO NOTHING",
                                )
                                .bind(format!("metadata.annotations.{ORPHAN_ANNOTATION}"))
                                .bind(&**entity_ref)
                                .execute(&mut *tx)
                                .await?;
                                report.orphaned += 1;
                            }
                        }
                    }
                }

                // Their rows first: no foreign key cascades ([`ENTITY_ROWS`]).
                delete_rows!(tx, style, ENTITY_ROWS, removed);
                delete_rows!(tx, style, ["entities WHERE entity_ref"], removed);

                // Problems are part of the entities the API serves (`status.items`):
                // new ones change the catalog as much as a new body does.
                type Found = (Option<String>, String, i64, i64, String);
                let mut before: Vec<Found> = sqlx::query_as(
                    "SELECT entity_ref, file, line, col, message FROM location_problems \
                     WHERE location_id = $1",
                )
                .bind(location_id)
                .fetch_all(&mut *tx)
                .await?;
                let mut after: Vec<Found> = end
                    .problems
                    .iter()
                    .chain(&found)
                    .map(|p| (p.entity_ref.clone(), p.file.clone(), p.line, p.column, p.message.clone()))
                    .collect();
                before.sort();
                after.sort();
                let problems_changed = before != after;
                sqlx::query("DELETE FROM location_problems WHERE location_id = $1")
                    .bind(location_id)
                    .execute(&mut *tx)
                    .await?;
                for problem in end.problems.iter().chain(&found) {
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
                if let Some(inputs) = &end.inputs {
                    sqlx::query("UPDATE locations SET inputs = $1 WHERE id = $2")
                        .bind(inputs)
                        .bind(location_id)
                        .execute(&mut *tx)
                        .await?;
                }
                if report.changed() > 0 || problems_changed {
                    sqlx::query(RAISE_VERSION).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(report)
            }
            .await;
            // Back to the defaults whether the apply succeeded or not: the connection
            // returns to the pool, unless that failed (never with foreign keys off).
            for pragma in self.applying_pragmas(false) {
                if let Err(error) = sqlx::query(pragma).execute(&mut *connection).await {
                    let _ = sqlx::Connection::close(connection.detach()).await;
                    return Err(error.into());
                }
            }
            applied
        })?;
        self.upkeep(report.changed()).await;
        Ok(report)
    }

    /// The statement that makes a transaction the only writer of the location `$1`
    /// until it ends, returning a row if the location exists. PostgreSQL: a
    /// transaction-scoped advisory lock on the location's id (not the row's lock, which
    /// would hold up the refresh lease's renewals); SQLite: a write, which takes the
    /// database's write lock.
    pub(super) fn lock_location(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite(_) => {
                "UPDATE locations SET leased_until = leased_until WHERE id = $1 RETURNING 1"
            }
            Engine::Postgres(_) => {
                "SELECT 1 FROM locations, pg_advisory_xact_lock(hashtextextended($1, 0)) WHERE id = $1"
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
    ///   ([`Store::upkeep`]);
    /// - helper threads for sorting: a bulk load's search rows and indexes are sorted
    ///   in parts, each on a thread, then merged;
    /// - no foreign keys: each row written to `search`, `search_keys` and `relations`
    ///   would look its entity up in `entities` (21 million lookups at a million
    ///   entities, three times the rest of sorting search rows into place). The apply
    ///   writes rows only with their entity, and deletes them itself ([`ENTITY_ROWS`]).
    fn applying_pragmas(&self, applying: bool) -> &'static [&'static str] {
        match (&self.engine, applying) {
            (Engine::Sqlite(_), true) => &[
                "PRAGMA cache_size = -65536",
                "PRAGMA wal_autocheckpoint = 0",
                "PRAGMA threads = 2",
                "PRAGMA foreign_keys = OFF",
            ],
            (Engine::Sqlite(_), false) => &[
                "PRAGMA cache_size = -2000",
                "PRAGMA shrink_memory",
                "PRAGMA wal_autocheckpoint = 1000",
                "PRAGMA threads = 0",
                "PRAGMA foreign_keys = ON",
            ],
            (Engine::Postgres(_), _) => &[],
        }
    }

    /// Upkeep after applying a location. SQLite: copy the write-ahead log into the
    /// database (without blocking readers or writers), on a task of its own so that
    /// the new entities are served at once. PostgreSQL, after a large change: refresh
    /// the planner's statistics before anything reads the new rows (the docs refresh
    /// that follows, above all), which autovacuum would only do minutes later. Until
    /// then a freshly loaded catalog gets plans made for empty tables, and after a load
    /// that was killed midway autovacuum leaves statistics that say "no live row in
    /// many pages": a docs refresh planned with those ran for minutes at 100,000
    /// entities. (`ANALYZE` reads a sample: about a second at 100,000 entities.)
    async fn upkeep(&self, changed: usize) {
        match &self.engine {
            Engine::Sqlite(_) => {
                let store = self.clone();
                tokio::spawn(async move {
                    let done = on_pool!(&store, pool => {
                        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(pool).await.map(|_| ())
                    });
                    if let Err(error) = done {
                        tracing::warn!(%error, "copying the write-ahead log after an apply failed");
                    }
                    crate::memory::release_free_memory();
                });
            }
            Engine::Postgres(pool) if changed >= 1000 => {
                let analyzed = sqlx::query("ANALYZE entities, search, search_keys, relations")
                    .execute(pool)
                    .await;
                if let Err(error) = analyzed {
                    tracing::warn!(%error, "refreshing the planner's statistics after an apply failed");
                }
            }
            Engine::Postgres(_) => {}
        }
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
}
