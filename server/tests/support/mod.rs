//! Test databases (a fresh SQLite file, or a fresh PostgreSQL database, per test) and the
//! application router over them.
//!
//! PostgreSQL: `DATABASE_URL` (a `postgres://` URL whose user may create databases) when
//! given; otherwise a throwaway cluster started once per test binary from Debian's
//! server binaries, stopped and deleted by a watchdog when the test process exits.

#![allow(dead_code)]

pub mod api;
pub mod process;

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::OnceLock,
    time::{SystemTime, UNIX_EPOCH},
};

use server::{
    config::{Config, DEFAULT_ADDR},
    http::{router, AppState},
    services::Portal,
    store::Store,
};

/// Runs each scenario (an async function taking a fresh [`TestDb`]) on a new SQLite
/// file and on a new PostgreSQL database, as `sqlite::name` and `postgres::name`.
#[allow(unused_macros)]
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(super::support::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(super::support::postgres().await).await;
                }
            )*
        }
    };
}

/// The whole HTTP application over `portal`, as `portico serve` builds it.
pub fn app(portal: Portal) -> axum::Router {
    let config = Config {
        addr: DEFAULT_ADDR.parse().unwrap(),
        database_url: String::new(),
        site_root: None,
        catalog: Vec::new(),
        allow_urls: Vec::new(),
        refresh_interval: std::time::Duration::from_secs(60),
        orphan_strategy: Default::default(),
        legacy_relation_target: true,
        allowed_iframe_hosts: Vec::new(),
        embed_origins: Vec::new(),
        embed_key: None,
        scaffolder: Default::default(),
        identity: Default::default(),
    };
    let site = server::http::site::Site::embedded().expect("the test build embeds the bundle");
    router(AppState::new(
        &config,
        std::sync::Arc::new(portal),
        std::sync::Arc::new(site),
    ))
}

/// A migrated store that lives as long as this value.
pub struct TestDb {
    /// The store under test.
    pub store: Store,
    /// Its URL.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// A migrated store on a new SQLite file.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("portico.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    TestDb {
        store,
        url,
        _dir: Some(dir),
    }
}

/// The URL of a new PostgreSQL database with nothing in it, not even Portico's tables.
pub async fn empty_postgres_database() -> String {
    let admin_url = postgres_admin_url();
    let name = unique_name();
    let admin = sqlx::PgPool::connect(admin_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    with_database(admin_url, &name)
}

/// A migrated store on a new, empty PostgreSQL database.
pub async fn postgres() -> TestDb {
    let url = empty_postgres_database().await;
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    TestDb {
        store,
        url,
        _dir: None,
    }
}

fn unique_name() -> String {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("portico_test_{}_{n}_{nanos}", std::process::id())
}

/// Replaces the database name (the path) of a PostgreSQL URL.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let (scheme, rest) = base.split_once("://").unwrap();
    let authority = rest.split_once('/').map_or(rest, |(a, _)| a);
    match query {
        Some(query) => format!("{scheme}://{authority}/{database}?{query}"),
        None => format!("{scheme}://{authority}/{database}"),
    }
}

/// The URL of a PostgreSQL server where tests may create databases.
fn postgres_admin_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => url,
        _ => start_throwaway_cluster(),
    })
}

fn postgres_bin(name: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin").join(name))
        .filter(|path| path.exists())
        .collect();
    versions.sort();
    versions.pop().unwrap_or_else(|| PathBuf::from(name))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

/// A command run as the `postgres` user when we are root (PostgreSQL refuses root).
fn as_postgres_user(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(mut command: Command, what: &str) -> String {
    let output = command.stdin(Stdio::null()).output().unwrap_or_else(|e| {
        panic!("{what}: {e}. PostgreSQL's server binaries are needed (Debian package postgresql), or set DATABASE_URL")
    });
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[expect(
    clippy::zombie_processes,
    reason = "the watchdog outlives this process by design; init reaps it"
)]
fn start_throwaway_cluster() -> String {
    let mut mktemp = as_postgres_user(Path::new("mktemp"));
    mktemp.args(["-d", "/tmp/portico-pg-XXXXXX"]);
    let dir = PathBuf::from(run(mktemp, "creating the cluster folder"));
    let data = dir.join("data");

    let mut initdb = as_postgres_user(&postgres_bin("initdb"));
    initdb
        .arg("-D")
        .arg(&data)
        .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
    run(initdb, "initdb");

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let pg_ctl = postgres_bin("pg_ctl");
    let mut start = as_postgres_user(&pg_ctl);
    start.arg("-D").arg(&data).arg("-l").arg(dir.join("log")).args([
        "-w",
        "-o",
        &format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            dir.display()
        ),
        "start",
    ]);
    run(start, "starting the throwaway PostgreSQL cluster");

    // Stop and delete the cluster once this test process has exited.
    let stop = if is_root() {
        "runuser -u postgres -- "
    } else {
        ""
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop}{pg_ctl} -D {data} stop -m immediate >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        pg_ctl = pg_ctl.display(),
        data = data.display(),
        dir = dir.display(),
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the cluster's watchdog");

    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

/// Runs plain SQL on `store`'s database, as a test that sets up rows directly needs.
pub async fn execute(store: &server::store::Store, sql: &str) {
    match store.engine() {
        server::store::Engine::Sqlite(pool) => {
            sqlx::raw_sql(sql).execute(pool).await.unwrap();
        }
        server::store::Engine::Postgres(pool) => {
            sqlx::raw_sql(sql).execute(pool).await.unwrap();
        }
    }
}
