//! The catalog's tables: locations, entities, relations and the problems of each location.
//!
//! A location's changes are applied by [`Store::apply_location_parts`].

use super::{update::ProblemRow, Engine, Store, StoreError};

/// Marks a change of the catalog's entities as the API serves them (bodies, relations,
/// their location's and docs' problems), in the transaction that makes it: what is kept
/// in memory of the catalog (the keys' indexes, entity texts, the search index) compares
/// this version with its own.
pub(super) const RAISE_VERSION: &str = "UPDATE catalog_version SET version = version + 1";

/// The tables (and their column naming the entity) that hold rows of an entity, which
/// whatever deletes or replaces the entity deletes itself: PostgreSQL has no foreign key
/// from them to `entities` (migration 0020), and on SQLite an apply runs with foreign
/// keys off. A foreign key looked the entity up for each row written, half the time of
/// writing it (29 million rows at a million entities).
pub(super) const ENTITY_ROWS: [&str; 3] = [
    "search WHERE entity_ref",
    "search_keys WHERE entity_ref",
    "relations WHERE originating_ref",
];

/// A stored entity with what the API adds to its descriptor.
#[derive(Clone, Debug)]
pub struct StoredEntity {
    /// `kind:namespace/name`, lower-case.
    pub entity_ref: String,
    /// Its uid.
    pub uid: String,
    /// Its etag.
    pub etag: String,
    /// The descriptor as JSON (see [`super::EntityRow::body`]).
    pub body: String,
    /// Relations whose source it is: `(type, target_ref)`, sorted.
    pub relations: Vec<(String, String)>,
    /// Its problems, in file and line order.
    pub problems: Vec<ProblemRow>,
    /// Its docs' problems: why their last build failed (`error`), then what the last
    /// good build found (`warning`), as `(level, message)`.
    pub doc_problems: Vec<(String, String)>,
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

/// Rows per batched statement: 4 parameters a row stays far below SQLite's 32,766 and
/// PostgreSQL's 65,535 parameters.
///
/// Statements whose text depends on a number of rows are not kept prepared
/// (`persistent(false)`): each length would be a statement of its own in every
/// connection's cache, and a prepared 4,000-parameter insert is large. An apply's full
/// batches are the exception: one statement per table, prepared once instead of for
/// each of the 21,000 batches of a million entities.
pub(super) const BATCH_ROWS: usize = 1000;

/// How a batched statement writes its parameters: PostgreSQL needs `$1, $2…`; SQLite
/// takes `?`, and resolves each `$N` by a linear search over the names seen so far,
/// which makes a statement with thousands of them slow to prepare.
#[derive(Clone, Copy)]
pub(super) enum Params {
    Numbered,
    Positional,
}

/// `($1, $2), ($3, $4)…` (or `(?, ?), (?, ?)…`) for `rows` rows of `columns`
/// parameters; `($1, $2, $3)` for an `IN` list when `columns` is 1.
pub(super) fn placeholders(style: Params, rows: usize, columns: usize) -> String {
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
    format!("{:016x}", fingerprint_value(text))
}

/// The number [`fingerprint`] writes in hex.
pub(super) fn fingerprint_value(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Where the catalog's refreshes stand ([`Store::refresh_schedule`]).
#[derive(Clone, Copy, Debug)]
pub struct RefreshSchedule {
    /// Registered locations.
    pub locations: i64,
    /// When the most overdue location that no replica holds became due (ms since the
    /// epoch); none when none is due.
    pub oldest_due: Option<i64>,
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

    /// Claims the location `location_id`, due or not, if no replica holds it (its lease
    /// ran out by `now`), and holds it until `until`; false when another replica holds
    /// it. Times are milliseconds since the epoch.
    pub async fn claim_location(
        &self,
        location_id: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, StoreError> {
        let claimed: Option<(String,)> = on_pool!(self, pool => {
            sqlx::query_as(
                "UPDATE locations SET leased_until = $1 WHERE id = $2 AND leased_until <= $3 \
                 RETURNING id",
            )
            .bind(until)
            .bind(location_id)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(claimed.is_some())
    }

    /// How many locations are registered, and since when the most overdue one that
    /// no replica holds has been due (`now` and the answer in ms since the epoch).
    pub async fn refresh_schedule(&self, now: i64) -> Result<RefreshSchedule, StoreError> {
        let (locations, oldest_due): (i64, Option<i64>) = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT COUNT(*), MIN(CASE WHEN next_refresh_at <= $1 AND leased_until <= $1 \
                 AND type IN ('file', 'git', 'url') THEN next_refresh_at END) FROM locations",
            )
            .bind(now)
            .fetch_one(pool)
            .await?
        });
        Ok(RefreshSchedule {
            locations,
            oldest_due,
        })
    }

    /// Extends this replica's lease on a location it refreshes until `until` (ms since
    /// the epoch).
    pub async fn renew_location_lease(
        &self,
        location_id: &str,
        until: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE locations SET leased_until = $1 WHERE id = $2 AND leased_until > 0")
                .bind(until)
                .bind(location_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Gives up this replica's lease on a location without reading it: still due,
    /// any replica may claim it at once.
    pub async fn release_location(&self, location_id: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE locations SET leased_until = 0 WHERE id = $1")
                .bind(location_id)
                .execute(pool)
                .await?;
        });
        Ok(())
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
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // The location's only writer from here: an apply of it finishes first.
            let locked = sqlx::query(self.lock_location())
                .bind(location_id)
                .fetch_optional(&mut *tx)
                .await?;
            if locked.is_none() {
                return Ok(false);
            }
            for table_and_column in ENTITY_ROWS {
                sqlx::query(&format!(
                    "DELETE FROM {table_and_column} IN \
                     (SELECT entity_ref FROM entities WHERE location_id = $1)"
                ))
                .bind(location_id)
                .execute(&mut *tx)
                .await?;
            }
            // Its entities go with it (a foreign key that cascades).
            sqlx::query("DELETE FROM locations WHERE id = $1")
                .bind(location_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(RAISE_VERSION).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(true)
        })
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
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // The entity first: an apply writing it is waited for, and the rows it
            // wrote are deleted below with the others.
            let deleted: Option<(String,)> =
                sqlx::query_as("DELETE FROM entities WHERE uid = $1 RETURNING entity_ref")
                    .bind(uid)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some((entity_ref,)) = &deleted {
                for table_and_column in ENTITY_ROWS {
                    sqlx::query(&format!("DELETE FROM {table_and_column} = $1"))
                        .bind(entity_ref)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(RAISE_VERSION).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(deleted.is_some())
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
        let doc_problems = self.json_rows(&["d.position", "d.level", "d.message"]);
        for chunk in refs.chunks(BATCH_ROWS) {
            let sql = format!(
                "SELECT e.entity_ref, e.uid, e.etag, e.body, \
                 (SELECT {relations} FROM relations r WHERE r.source_ref = e.entity_ref), \
                 (SELECT {problems} FROM location_problems p WHERE p.entity_ref = e.entity_ref), \
                 (SELECT {doc_problems} FROM (\
                   SELECT -1 AS position, 'error' AS level, f.message FROM doc_failures f \
                   WHERE f.entity_ref = e.entity_ref \
                   UNION ALL SELECT p.position, 'warning', p.message FROM doc_problems p \
                   WHERE p.entity_ref = e.entity_ref) d) \
                 FROM entities e WHERE e.entity_ref IN {}",
                placeholders(self.params(), chunk.len(), 1)
            );
            type Row = (String, String, String, String, String, String, String);
            let rows: Vec<Row> = on_pool!(self, pool => {
                let mut query = sqlx::query_as(&sql).persistent(false);
                for entity_ref in chunk {
                    query = query.bind(entity_ref);
                }
                query.fetch_all(pool).await?
            });
            for (entity_ref, uid, etag, body, relations, problems, doc_problems) in rows {
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
                let mut doc_problems: Vec<(i64, String, String)> =
                    serde_json::from_str(&doc_problems)
                        .map_err(|e| json_error("docs problems", e))?;
                doc_problems.sort();
                let entity = StoredEntity {
                    doc_problems: doc_problems
                        .into_iter()
                        .map(|(_, level, message)| (level, message))
                        .collect(),
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

    /// Runs `sql` — one row of one column, the JSON array [`Store::json_rows`] aggregates
    /// — with its parameters `$1…` bound to `params`, and reads the array as `T`; `what`
    /// names the rows in the error when it is not what `T` expects.
    pub(super) async fn fetch_json_rows<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        params: &[&str],
        what: &str,
    ) -> Result<T, StoreError> {
        let (json,): (String,) = on_pool!(self, pool => {
            let mut query = sqlx::query_as(sql);
            for param in params {
                query = query.bind(*param);
            }
            query.fetch_one(pool).await?
        });
        serde_json::from_str(&json).map_err(|e| StoreError::Io(format!("{what}: {e}")))
    }

    /// Copies SQLite's write-ahead log into the database and empties it, for a command
    /// that exits after writing; retried while a background checkpoint is under way (at
    /// a million entities the log holds gigabytes: copying it takes minutes).
    /// Nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        const PATIENCE: std::time::Duration = std::time::Duration::from_secs(1800);
        if let Engine::Sqlite(pool) = &self.engine {
            let started = std::time::Instant::now();
            loop {
                let (busy, _, _): (i64, i64, i64) =
                    sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                        .fetch_one(pool)
                        .await?;
                if busy == 0 {
                    break;
                }
                if started.elapsed() > PATIENCE {
                    return Err(StoreError::Io(
                        "the write-ahead log could not be copied into the database file: \
                         another checkpoint did not finish; the next start will finish it"
                            .to_owned(),
                    ));
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
        Ok(())
    }

    /// How this store's engine wants batched statements' parameters written.
    pub(super) fn params(&self) -> Params {
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
