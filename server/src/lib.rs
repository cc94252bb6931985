//! The `portico` server: configuration, storage, Portico's services and the HTTP server.
//!
//! - [`catalog`]: reading descriptor files into validated entities, with the file, line
//!   and column of every problem.
//! - [`docs`]: building TechDocs doc sets from Markdown, natively.
//! - [`search`]: the in-memory search index over entities, API definitions and docs.
//! - [`validate`]: `portico validate`, the command-line check for CI pipelines.
//! - [`config`]: settings from the command line, `PORTICO_*` environment variables and a
//!   TOML file, resolved once at start-up into a [`config::Config`].
//! - [`store`]: the database (SQLite or PostgreSQL through sqlx): connections, migrations
//!   and queries. Nothing above it writes SQL.
//! - [`services`]: the behaviour. [`services::Portal`] implements `app`'s
//!   [`app::api::PortalService`]; server functions and REST handlers both call it.
//! - [`http`]: the axum router. Handlers are thin adapters over [`services`].
//! - [`memory`]: giving freed memory back to the operating system after ingesting.
//! - [`parallel`]: CPU-bound work spread over the cores.
//! - [`progress`]: how far an ingest has got, for `portico import`'s progress bar.
//!
//! **Invariant:** `app` never depends on this crate; this crate reaches the UI only through
//! `app::ui::shell` and the server functions `app` declares.

pub mod catalog;
pub mod config;
pub mod docs;
pub mod http;
pub mod memory;
pub mod metrics;
pub mod parallel;
pub mod progress;
pub mod scaffolder;
pub mod search;
pub mod services;
pub mod store;
pub mod validate;

use std::{path::PathBuf, sync::Arc};

use anyhow::Context;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

use crate::{
    catalog::location::Source,
    config::Config,
    services::Portal,
    store::{Journal, Store},
};

/// `portico import`: opens and migrates the database, ingests every configured catalog
/// location (counting in `progress`), and returns what each ingest did.
pub async fn import(
    config: Config,
    progress: progress::Progress,
) -> anyhow::Result<Vec<services::IngestReport>> {
    anyhow::ensure!(
        !config.catalog.is_empty(),
        "nothing to import: give a location with --catalog PATH (or `catalog` in the config file)"
    );
    // Nothing else has a new file open: its first load skips the write-ahead log.
    let journal = if Store::is_new_sqlite_file(&config.database_url) {
        Journal::Rollback
    } else {
        Journal::WriteAhead
    };
    let mut portal = open_portal(&config, journal).await?;
    portal.watch_progress(progress);
    let mut reports = Vec::new();
    for target in &config.catalog {
        let report = portal
            .ingest_location(target)
            .await
            .with_context(|| format!("importing the catalog location {}", target.target()))?;
        reports.push(report);
    }
    // The process ends here: the log is folded into the database file now, not by the
    // background checkpoint, which would not get to finish.
    portal
        .store()
        .checkpoint()
        .await
        .context("writing the database file")?;
    portal.store().close().await;
    Ok(reports)
}

/// `portico token`: creates, lists or revokes API tokens, as whoever runs the portal.
pub async fn token(config: Config, action: config::TokenAction) -> anyhow::Result<()> {
    use app::model::{
        catalog::entity_ref::{EntityRef, RefContext},
        identity::{principal::Principal, token::TokenRequest},
    };
    use config::TokenAction;
    let portal = open_portal(&config, Journal::WriteAhead).await?;
    // Whoever runs the portal's binary on its database may do everything.
    let operator = Principal::guest(true);
    let user_ref = |text: &str| {
        EntityRef::parse(text, RefContext::of_kind("user"))
            .with_context(|| format!("--user {text}"))
    };
    match action {
        TokenAction::Create {
            user,
            name,
            scopes,
            expires_in_days,
        } => {
            let request = TokenRequest {
                name,
                scopes,
                expires_in_days,
            };
            let created = portal
                .issue_token(&user_ref(&user)?, &request, "portico token create")
                .await?;
            eprintln!(
                "token {} acts as {}; it is shown only now:",
                created.info.id, created.info.owner
            );
            println!("{}", created.secret);
        }
        TokenAction::List { user } => {
            let owner = user.as_deref().map(user_ref).transpose()?;
            for token in portal.tokens(&operator, owner.as_ref()).await? {
                let scopes: Vec<&str> = token.scopes.iter().map(|s| s.name()).collect();
                let state = match (token.revoked_at, token.expires_at) {
                    (Some(_), _) => "revoked".to_owned(),
                    (None, Some(end)) => format!("expires {}", app::model::task::rfc3339(end)),
                    (None, None) => "never expires".to_owned(),
                };
                let used = token
                    .last_used_at
                    .map(app::model::task::rfc3339)
                    .unwrap_or_else(|| "never".into());
                println!(
                    "{}\t{}\t{}\t{}\t{state}\tlast used {used}",
                    token.id,
                    token.owner,
                    token.name,
                    scopes.join(",")
                );
            }
        }
        TokenAction::Revoke { id } => match portal.revoke_token(&operator, &id).await? {
            true => eprintln!("token {id} revoked"),
            false => eprintln!("token {id} was revoked already"),
        },
    }
    Ok(())
}

/// Opens and migrates the database (a SQLite file with `journal`), and sets up the
/// services over it as `config` says.
async fn open_portal(config: &Config, journal: Journal) -> anyhow::Result<Portal> {
    let store = Store::connect_with(&config.database_url, journal)
        .await
        .with_context(|| {
            format!(
                "opening the database {}",
                store::redact(&config.database_url)
            )
        })?;
    store.migrate().await.context("migrating the database")?;
    let mut portal = Portal::new(store);
    portal.set_orphan_strategy(config.orphan_strategy);
    portal.set_legacy_relation_target(config.legacy_relation_target);
    portal.set_refresh_interval(config.refresh_interval);
    portal.allow_urls(config.allow_urls.clone());
    portal.set_iframe_hosts(config.allowed_iframe_hosts.clone());
    portal.set_embed_origins(
        config
            .embed_origins
            .iter()
            .map(|origin| origin.to_string())
            .collect(),
    );
    portal.set_embed_key(
        config
            .embed_key
            .as_ref()
            .map(|secret| services::embed::EmbedKey::new(secret.as_bytes())),
    );
    portal.set_scaffolder(config.scaffolder.clone());
    portal.set_identity(config.identity.clone());
    Ok(portal)
}

/// Opens the database, migrates it, and serves the portal until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    // Before the database: a portal that cannot serve its pages does not start.
    let site = match &config.site_root {
        Some(root) => http::site::Site::from_folder(root),
        None => http::site::Site::embedded(),
    }?;
    tracing::info!(
        bundle = site.bundle_dir(),
        from = site.origin(),
        "browser bundle ready"
    );
    let mut portal = open_portal(&config, Journal::WriteAhead).await?;
    tracing::info!(database = %store::redact(&config.database_url), "database ready");
    if let Some(notice) = config.identity.startup_notice() {
        tracing::warn!("{notice}");
    }

    let folders: Vec<PathBuf> = config
        .catalog
        .iter()
        .filter_map(|source| match source {
            Source::File(path) => Some(path.clone()),
            Source::Url(_) | Source::Git(_) => None,
        })
        .collect();
    portal.allow_file_locations_under(&folders);
    let demo = config.catalog.is_empty();
    if demo && config.scaffolder.git_hosts.is_empty() {
        // The demo's templates publish to git.northwind.example: a folder here.
        let mut settings = config.scaffolder.clone();
        settings.git_hosts.push(scaffolder::demo_git_host());
        portal.set_scaffolder(settings);
    }
    if let Some(report) = portal
        .set_demo_catalog(demo)
        .await
        .context("loading the demo catalog")?
    {
        tracing::info!(
            "no catalog location is configured: showing the demo catalog (Northwind, a fictional \
             company); load your own with --catalog PATH"
        );
        log_ingest(&report);
    }
    let portal = Arc::new(portal);
    let stop = portal.stop_token().clone();
    let readiness = Arc::new(http::Readiness::starting());
    let mut state = http::AppState::new(&config, portal.clone(), Arc::new(site));
    state.readiness = readiness.clone();
    let router = http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    // Listening before the catalog is loaded: liveness probes answer during a long
    // first load, and `/readyz` says 503 until it is done.
    let listener = TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("listening on {}", config.addr))?;
    let addr = listener.local_addr()?;
    // An answer's last small piece is sent at once, not held back until the client
    // acknowledges the ones before (Nagle's algorithm against delayed
    // acknowledgements: 40 ms on a megabyte answer sent in pieces).
    let listener = listener.tap_io(|connection| {
        if let Err(error) = connection.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY could not be set on a connection");
        }
    });
    let serving = tokio::spawn({
        let stop = stop.clone();
        async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await
        }
    });
    tokio::spawn({
        let (stop, readiness) = (stop.clone(), readiness.clone());
        async move {
            shutdown_signal().await;
            tracing::info!(
                "stopping: no new requests or work; requests and tasks under way have {} s to end",
                DRAIN.as_secs()
            );
            readiness.set_stopping();
            stop.cancel();
        }
    });

    for target in &config.catalog {
        // Replicas starting together share the work: one reads the location, the
        // others wait for its first read, or serve what is stored.
        let report = portal
            .load_at_start(target)
            .await
            .with_context(|| format!("loading the catalog location {}", target.target()))?;
        if let Some(report) = report {
            log_ingest(&report);
        }
    }
    let refreshing = tokio::spawn(refresh_loop(portal.clone(), config.refresh_interval));
    tokio::spawn(audit_retention_loop(portal.clone()));
    tokio::spawn(search_index_loop(portal.clone()));
    tokio::spawn(warm_indexes_loop(portal.clone()));
    let workers = scaffolder::worker::start(Portal::clone(&portal));
    readiness.set_ready();
    if !stop.is_cancelled() {
        tracing::info!(
            "Portico is ready at http://{addr} (started in {} ms)",
            started.elapsed().as_millis()
        );
    }

    stop.cancelled().await;
    let deadline = tokio::time::Instant::now() + DRAIN;
    match tokio::time::timeout_at(deadline, serving).await {
        Ok(served) => served.context("serving HTTP")?.context("serving HTTP")?,
        Err(_) => tracing::warn!(
            "stopping: requests still open after {} s are closed",
            DRAIN.as_secs()
        ),
    }
    workers.stop(deadline).await;
    // The refresh under way, if any, gave its location back when the stop came.
    let _ = tokio::time::timeout_at(deadline, refreshing).await;
    tracing::info!("Portico stopped");
    Ok(())
}

/// How long a stopping portal waits for the requests and tasks under way to end
/// (Kubernetes gives a pod 30 s between SIGTERM and SIGKILL by default).
const DRAIN: std::time::Duration = std::time::Duration::from_secs(20);

fn log_ingest(report: &services::IngestReport) {
    let applied = &report.applied;
    tracing::info!(
        location = %report.location.target,
        added = applied.added,
        updated = applied.updated,
        unchanged = applied.unchanged,
        removed = applied.removed,
        orphaned = applied.orphaned,
        problems = report.problems,
        "catalog location read"
    );
}

/// Re-reads the locations that are due, for as long as the server runs. Checks every
/// `interval` or every 10 s, whichever is shorter: with several replicas, each location
/// is read by whichever replica claims it first once it is due.
async fn refresh_loop(portal: Arc<Portal>, interval: std::time::Duration) {
    let mut ticks = tokio::time::interval(interval.min(std::time::Duration::from_secs(10)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    let stop = portal.stop_token().clone();
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = stop.cancelled() => return,
        }
        match portal.refresh_due().await {
            Ok(reports) => reports
                .iter()
                .filter(|r| r.applied.changed() > 0)
                .for_each(log_ingest),
            Err(error) => tracing::warn!(%error, "refreshing the catalog failed"),
        }
    }
}

/// Builds the search index at start-up, then keeps it up with the database every
/// second, so that a search rarely waits for indexing (each search also catches up
/// first, so it never misses a stored change).
async fn search_index_loop(portal: Arc<Portal>) {
    let started = std::time::Instant::now();
    match portal.search_index_size().await {
        Ok(size) => tracing::info!(
            documents = size.documents,
            words = size.words,
            mib = size.bytes.total() >> 20,
            words_mib = size.bytes.words >> 20,
            postings_mib = size.bytes.postings >> 20,
            documents_mib = size.bytes.documents >> 20,
            sources_mib = size.bytes.sources >> 20,
            took_ms = started.elapsed().as_millis() as u64,
            "search index built"
        ),
        Err(error) => tracing::warn!(%error, "building the search index failed"),
    }
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(1));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = portal.follow_search_sources().await {
            tracing::warn!(%error, "bringing the search index up to date failed");
        }
    }
}

/// Builds the in-memory indexes the catalog page has used for each new catalog version,
/// within a second or two of the write (`store/warm.rs`).
async fn warm_indexes_loop(portal: Arc<Portal>) {
    let mut warmth = Portal::catalog_warmth();
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(1));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match portal.keep_catalog_warm(&mut warmth).await {
            Ok(Some(warmed)) => tracing::debug!(
                version = warmed.version,
                keys = warmed.keys,
                took_ms = warmed.took.as_millis() as u64,
                "indexes built for a new catalog version"
            ),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "building the indexes of a new catalog version failed")
            }
        }
    }
}

/// Deletes audit log entries older than the retention setting: at start-up, then hourly.
async fn audit_retention_loop(portal: Arc<Portal>) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        ticks.tick().await;
        match portal.prune_audit().await {
            Ok(0) => {}
            Ok(deleted) => {
                tracing::info!(deleted, "audit log entries past their retention deleted")
            }
            Err(error) => tracing::warn!(%error, "pruning the audit log failed"),
        }
    }
}

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
