//! The database: SQLite (the default, embedded) or PostgreSQL, behind one [`Store`].
//!
//! This module owns the connection pools, the migrations (`server/migrations/{sqlite,
//! postgres}`, embedded in the binary and run at start-up) and every SQL statement.
//! Both back ends must behave the same; the storage tests run against each.
//!
//! **Invariant:** nothing outside `store` writes SQL or sees a sqlx type.

use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPool, PgPoolOptions},
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    },
};

/// Runs `$body` with `$pool` bound to whichever pool the store has. The SQL is written
/// once, in the dialect both engines accept (`$1` parameters).
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.engine {
            $crate::store::Engine::Sqlite($pool) => $body,
            $crate::store::Engine::Postgres($pool) => $body,
        }
    };
}

/// Deletes, from each of `$tables` ("table WHERE column"), the rows whose column is one
/// of `$refs` (a slice of `&str`), in batches of `catalog::BATCH_ROWS`, inside the
/// transaction `$tx`; evaluates to the number of rows deleted.
macro_rules! delete_rows {
    ($tx:ident, $style:expr, $tables:expr, $refs:expr) => {{
        let mut deleted: u64 = 0;
        for chunk in $refs.chunks($crate::store::catalog::BATCH_ROWS) {
            let refs = $crate::store::catalog::placeholders($style, chunk.len(), 1);
            for table_and_column in $tables {
                let sql = format!("DELETE FROM {table_and_column} IN {refs}");
                let mut delete = sqlx::query(&sql).persistent(false);
                for entity_ref in chunk {
                    delete = delete.bind(*entity_ref);
                }
                deleted += delete.execute(&mut *$tx).await?.rows_affected();
            }
        }
        deleted
    }};
}

mod apply;
mod audit;
mod bulk;
mod cache;
mod catalog;
mod docs;
mod graph;
mod identity;
mod keys;
mod query;
mod search_sources;
mod sessions;
mod tasks;
mod text;
mod update;
mod wal_watch;
mod warm;

pub use audit::{AuditFilter, AuditRow};
pub use catalog::{fingerprint, LocationRow, RefreshSchedule, StoredEntity, ORPHAN_ANNOTATION};
pub use docs::{DocPageRow, DocSectionRow, DocSetRow, DocSetSummary, DocumentedEntity};
pub use graph::{GraphNodeRow, RelationRow};
pub use identity::TokenRow;
pub use query::Most;
pub use sessions::{SessionRow, SignInRequestRow};
pub use tasks::{TaskEventRow, TaskRow};
pub use update::{
    ApplyReport, EntityRow, LocationEnd, LocationPart, LocationUpdate, OrphanStrategy, ProblemRow,
};
pub use warm::{Warmed, Warmth};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a PostgreSQL connection may sit in the pool before it is checked on its way
/// out ([`Store::connect`]).
const CHECKED_AFTER_IDLE: Duration = Duration::from_secs(10);

/// A storage failure, with what was being done.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no database Portico supports.
    #[error("unsupported database URL '{0}': use sqlite://FILE or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The database could not be opened.
    #[error("cannot connect: {0}")]
    Connect(#[source] sqlx::Error),
    /// A migration failed; the database is left at the last migration that succeeded.
    #[error("cannot migrate the schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("query failed: {0}")]
    Query(#[from] sqlx::Error),
    /// A file the store needed could not be written.
    #[error("{0}")]
    Io(String),
}

/// A [`Store`]'s connection pool, as `/metrics` reports it.
#[derive(Clone, Copy, Debug)]
pub struct PoolUse {
    /// Connections open now.
    pub open: u32,
    /// Of those, the ones no query uses.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// Which database engine a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A pool of connections to Portico's database, with the in-memory indexes and caches
/// kept beside it.
#[derive(Clone, Debug)]
pub struct Store {
    engine: Engine,
    text: Arc<text::TextIndex>,
    /// The last full-text terms' matches.
    recent_matches: Arc<text::RecentMatches>,
    /// The refs the in-memory indexes number their entities by.
    entity_refs: Arc<text::EntityRefsCache>,
    /// The search keys' values with their entities, for queries, orders and facets.
    keys: Arc<keys::KeyCache>,
    /// What predicates that combine conditions select (people's visibility).
    selections: Arc<query::SelectionCache>,
    /// The relations, for graph walks.
    relations: Arc<cache::VersionedCache<graph::RelationGraph>>,
    /// What graphs show of the entities they showed lately.
    node_facts: Arc<cache::VersionedCache<Option<graph::NodeFacts>>>,
    /// Selections of at least this many entities are ordered by walking the order
    /// key's index rather than sorted ([`DEFAULT_SORT_WALK_FROM`]).
    sort_walk_from: u64,
    /// SQLite's log header, which tells whether the catalog version can have moved.
    wal: Option<Arc<wal_watch::WalWatch>>,
}

/// From how many selected entities a single-key order walks the key's index instead of
/// sorting: below it, sorting the selection is cheaper than walking past the entities
/// it does not hold.
pub const DEFAULT_SORT_WALK_FROM: u64 = 2_000;

/// The connection pool of the engine a [`Store`] talks to.
#[derive(Clone, Debug)]
pub enum Engine {
    /// An embedded SQLite file (the default).
    Sqlite(SqlitePool),
    /// A PostgreSQL server, which several Portico replicas can share.
    Postgres(PgPool),
}

impl Engine {
    /// A subquery whose rows are the strings of the JSON array bound as `param` (a list
    /// of any length as one parameter), in the engine's own dialect.
    pub(super) fn json_texts(&self, param: &str) -> String {
        match self {
            Engine::Sqlite(_) => format!("SELECT value FROM json_each({param})"),
            Engine::Postgres(_) => format!("SELECT jsonb_array_elements_text({param}::jsonb)"),
        }
    }
}

/// Whether the SQLite URL `url` names a database in memory rather than a file.
fn is_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// How a SQLite database keeps a transaction's changes until it commits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Journal {
    /// A write-ahead log: readers read on while a transaction writes. What a portal
    /// serves with, and what [`Store::connect`] switches any file to.
    WriteAhead,
    /// A rollback journal, for the first load of a new file that nothing else has open
    /// (`portico import`): a page the transaction adds is written once, into the file,
    /// where the log would hold it and copy it into the file again at the end (at a
    /// million entities, 7 GB twice). A failed load still leaves the file as it was:
    /// the journal keeps the few pages that existed before.
    Rollback,
}

impl Store {
    /// Opens the database named by `url`, creating a SQLite file if it does not exist.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, Journal::WriteAhead).await
    }

    /// Whether `url` names a SQLite file that does not exist yet (or is empty): one that
    /// a first load may fill with [`Journal::Rollback`].
    pub fn is_new_sqlite_file(url: &str) -> bool {
        let Ok(options) = SqliteConnectOptions::from_str(url) else {
            return false;
        };
        url.starts_with("sqlite:")
            && !is_in_memory(url)
            && std::fs::metadata(options.get_filename()).map_or(true, |file| file.len() == 0)
    }

    /// Opens the database named by `url` as [`Store::connect`] does, a SQLite file
    /// with the `journal` given (PostgreSQL ignores it).
    pub async fn connect_with(url: &str, journal: Journal) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            let journal_mode = match journal {
                Journal::WriteAhead => SqliteJournalMode::Wal,
                Journal::Rollback => SqliteJournalMode::Delete,
            };
            let options = SqliteConnectOptions::from_str(url)
                .map_err(StoreError::Connect)?
                .create_if_missing(true)
                .journal_mode(journal_mode)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // After a large ingest, a checkpoint shrinks the log back to this size.
                .pragma("journal_size_limit", "16777216");
            // SQLite runs each connection on a thread of its own with its own page
            // cache; readers do not block each other, and four keep two cores busy.
            // An embedded connection cannot drop: no ping before each use (a round trip
            // to the connection's thread, as long as the query itself), and none is
            // closed for being idle or old, so that the log's shared header lives as
            // long as the pool (`wal_watch.rs`).
            let in_memory = is_in_memory(url);
            let wal = (!in_memory && journal == Journal::WriteAhead)
                .then(|| Arc::new(wal_watch::WalWatch::new(options.get_filename())));
            // The switch to WAL takes the file's exclusive lock, and SQLite refuses (no
            // busy wait) a second connection making the same switch at that moment, so
            // one connection makes it before the pool opens several at once.
            if !in_memory {
                use sqlx::{ConnectOptions, Connection};
                let first = options.connect().await.map_err(StoreError::Connect)?;
                first.close().await.map_err(StoreError::Connect)?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .test_before_acquire(false)
                .connect_with(options)
                .await
                .map_err(StoreError::Connect)?;
            let mut store = Self::new(Engine::Sqlite(pool));
            store.wal = wal;
            Ok(store)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut options: PgConnectOptions = url.parse().map_err(StoreError::Connect)?;
            if options.get_application_name().is_none() {
                // Which replica each connection belongs to, in `pg_stat_activity`.
                options = options.application_name(&format!("portico-{}", std::process::id()));
            }
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                // A connection idle for a while is checked before use (the server may
                // have restarted, or a firewall dropped it); one in use a moment ago is
                // not: the check is a round trip, as long as a by-name read's own.
                .test_before_acquire(false)
                .before_acquire(|connection, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= CHECKED_AFTER_IDLE {
                            sqlx::Connection::ping(connection).await?;
                        }
                        Ok(true)
                    })
                })
                .connect_with(options)
                .await
                .map_err(StoreError::Connect)?;
            Ok(Self::new(Engine::Postgres(pool)))
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    fn new(engine: Engine) -> Self {
        Self {
            engine,
            text: Arc::new(cache::VersionedCache::new(text::MAX_KEYS)),
            recent_matches: Arc::default(),
            entity_refs: Arc::new(cache::VersionedCache::new(1)),
            keys: Arc::new(cache::VersionedCache::new(keys::MAX_KEYS)),
            selections: Arc::new(cache::VersionedCache::evicting(query::MAX_KEPT_SELECTIONS)),
            relations: Arc::new(cache::VersionedCache::new(1)),
            node_facts: Arc::new(cache::VersionedCache::new(graph::MAX_KEPT_NODES)),
            sort_walk_from: DEFAULT_SORT_WALK_FROM,
            wal: None,
        }
    }

    /// Sets from how many selected entities an order walks the key's index (tests use
    /// 0 to compare both plans on a small catalog).
    pub fn set_sort_walk_from(&mut self, entities: u64) {
        self.sort_walk_from = entities;
    }

    /// The connection pool, for tests and tools that look at the tables themselves.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Brings the schema up to date. Safe to run on every start and from several replicas
    /// at once (sqlx takes a lock around the migrations).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.engine {
            Engine::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Engine::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Which engine this store talks to.
    pub fn backend(&self) -> Backend {
        match &self.engine {
            Engine::Sqlite(_) => Backend::Sqlite,
            Engine::Postgres(_) => Backend::Postgres,
        }
    }

    /// Checks that the database answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match &self.engine {
            Engine::Sqlite(pool) => {
                sqlx::query("SELECT 1").execute(pool).await?;
            }
            Engine::Postgres(pool) => {
                sqlx::query("SELECT 1").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// This process's connections: open, idle, and the most it opens.
    pub fn pool_use(&self) -> PoolUse {
        on_pool!(self, pool => PoolUse {
            open: pool.size(),
            idle: pool.num_idle() as u32,
            max: pool.options().get_max_connections(),
        })
    }

    /// How many entities of each kind are stored, as `(kind, count)`, the most common
    /// first. Kinds differing only in case count as one, as they do in entity refs,
    /// spelled as the smallest spelling. Counted from the in-memory index of `kind`
    /// (a scan of every entity took a few milliseconds of the home page at 10k).
    pub async fn entity_counts_by_kind(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.facet("kind", &app::model::catalog::filter::EntityQuery::default())
            .await
    }

    /// Closes every connection, waiting for queries under way.
    pub async fn close(&self) {
        match &self.engine {
            Engine::Sqlite(pool) => pool.close().await,
            Engine::Postgres(pool) => pool.close().await,
        }
    }
}

/// The URL with any password replaced by `***`, for logs and error messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, None), |(a, p)| (a, Some(p)));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    match path {
        Some(path) => format!("{scheme}://{authority}/{path}"),
        None => format!("{scheme}://{authority}"),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/portico"),
            "postgres://app:***@db:5432/portico"
        );
        assert_eq!(
            redact("postgres://app@db/portico"),
            "postgres://app@db/portico"
        );
        assert_eq!(redact("sqlite://portico.db"), "sqlite://portico.db");
        assert_eq!(redact("not a url"), "not a url");
    }
}
