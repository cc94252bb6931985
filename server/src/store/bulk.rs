//! A bulk load: the first read of a location that adds at least as many entities as the
//! rest of the catalog holds (the first import above all). Its rows go into tables
//! without secondary indexes and the indexes are built at the end, from sorted data,
//! instead of each row being inserted at a random place of indexes of gigabytes (at a
//! million entities, 21 million search rows: no page cache holds the pages they touch).
//! Decided by [`Store::apply_location_parts`] once enough entities were added to matter.

use super::{Engine, Store};

/// Entities a first read must add, at the least, to count as a bulk load.
pub(super) const BULK_LOAD_ENTITIES: usize = 5_000;

/// Where an apply stands with a bulk load.
pub(super) enum BulkLoad {
    /// Not enough entities added yet to tell.
    Undecided,
    No,
    /// Started: rows go to [`BulkPlan::tables`] until [`BulkPlan::finish`].
    Loading(&'static BulkPlan),
}

/// How a bulk load runs on one engine, in the apply's transaction.
pub(super) struct BulkPlan {
    /// Statements that start it.
    pub(super) start: &'static [&'static str],
    /// The tables the rows of `search`, `search_keys` and `relations` are written to
    /// meanwhile.
    pub(super) tables: [&'static str; 3],
    /// Statements that end it: every row in its table, every index as the migrations
    /// define it (a test compares the schema before and after).
    pub(super) finish: &'static [&'static str],
}

/// The tables an apply writes rows of entities to, outside of a bulk load.
pub(super) const TABLES: [&str; 3] = ["search", "search_keys", "relations"];

/// SQLite: the secondary indexes of `entities`, `search`, `search_keys` and `relations`
/// are dropped; search rows wait in a temporary table, unordered, and go into `search`
/// (whose key is its order: `WITHOUT ROWID`) at the end, sorted. Readers keep reading
/// the catalog as it was, with its indexes: SQLite's readers see the last commit.
/// Sorting takes memory: SQLite's sorter holds four times the page cache with two
/// helper threads, so the cache shrinks to half first.
static SQLITE: BulkPlan = BulkPlan {
    start: &[
        "DROP INDEX entities_location",
        "DROP INDEX search_entity",
        "DROP INDEX search_keys_entity",
        "DROP INDEX relations_source",
        "DROP INDEX relations_originating",
        "CREATE TEMP TABLE search_staged \
         (key TEXT NOT NULL, value TEXT NOT NULL, entity_ref TEXT NOT NULL, original_value TEXT)",
    ],
    tables: ["temp.search_staged", "search_keys", "relations"],
    finish: &[
        "PRAGMA cache_size = -32768",
        "INSERT INTO search (key, value, entity_ref, original_value) \
         SELECT key, value, entity_ref, original_value FROM temp.search_staged \
         ORDER BY key, value, entity_ref",
        "DROP TABLE temp.search_staged",
        "CREATE INDEX entities_location ON entities (location_id, entity_ref)",
        "CREATE INDEX search_entity ON search (entity_ref, key, value)",
        "CREATE INDEX search_keys_entity ON search_keys (entity_ref)",
        "CREATE INDEX relations_source ON relations (source_ref)",
        "CREATE INDEX relations_originating ON relations (originating_ref)",
    ],
};

/// PostgreSQL: dropping an index would block every reader until the load commits, so
/// the rows of `search`, `search_keys` and `relations` go into new tables without keys,
/// which take the old ones' rows, their keys and then their place at the end (readers
/// wait only for the renames). Meanwhile nobody else writes to the old tables (a
/// `SHARE` lock; readers go on), and bulk loads run one at a time (the new tables' names).
/// The tables' privileges are their owner's: a grant to another role on the old tables
/// must be made again.
static POSTGRES: BulkPlan = BulkPlan {
    start: &[
        "SELECT pg_advisory_xact_lock(hashtextextended('portico bulk load', 0))",
        "LOCK TABLE search, search_keys, relations IN SHARE MODE",
        "CREATE TABLE search_loading (LIKE search INCLUDING DEFAULTS)",
        "CREATE TABLE search_keys_loading (LIKE search_keys INCLUDING DEFAULTS)",
        "CREATE TABLE relations_loading (LIKE relations INCLUDING DEFAULTS)",
    ],
    tables: ["search_loading", "search_keys_loading", "relations_loading"],
    finish: &[
        // Sorting the index entries in memory rather than in files (for this
        // transaction only: the default is 64 MB).
        "SET LOCAL maintenance_work_mem = '256MB'",
        "INSERT INTO search_loading SELECT * FROM search",
        "INSERT INTO search_keys_loading SELECT * FROM search_keys",
        "INSERT INTO relations_loading SELECT * FROM relations",
        "ALTER TABLE search_loading ADD CONSTRAINT search_pkey_loading \
         PRIMARY KEY (key, value, entity_ref)",
        "CREATE INDEX search_entity_loading ON search_loading (entity_ref, key, value)",
        "ALTER TABLE search_keys_loading ADD CONSTRAINT search_keys_pkey_loading \
         PRIMARY KEY (key, entity_ref)",
        "CREATE INDEX search_keys_entity_loading ON search_keys_loading (entity_ref)",
        "CREATE INDEX relations_source_loading ON relations_loading (source_ref)",
        "CREATE INDEX relations_originating_loading ON relations_loading (originating_ref)",
        "DROP TABLE search, search_keys, relations",
        "ALTER TABLE search_loading RENAME TO search",
        "ALTER TABLE search_keys_loading RENAME TO search_keys",
        "ALTER TABLE relations_loading RENAME TO relations",
        "ALTER INDEX search_pkey_loading RENAME TO search_pkey",
        "ALTER INDEX search_entity_loading RENAME TO search_entity",
        "ALTER INDEX search_keys_pkey_loading RENAME TO search_keys_pkey",
        "ALTER INDEX search_keys_entity_loading RENAME TO search_keys_entity",
        "ALTER INDEX relations_source_loading RENAME TO relations_source",
        "ALTER INDEX relations_originating_loading RENAME TO relations_originating",
    ],
};

impl Store {
    /// How a bulk load runs on this store's engine.
    pub(super) fn bulk_plan(&self) -> &'static BulkPlan {
        match self.engine {
            Engine::Sqlite(_) => &SQLITE,
            Engine::Postgres(_) => &POSTGRES,
        }
    }
}
