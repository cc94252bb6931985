//! The load benchmark: how each page and API call holds up under concurrent clients
//! (BENCHMARKS.md, "Under load").
//!
//! It starts the real release binary (`portico serve`) on the synthetic catalog and, for
//! each page and API call in turn:
//! - **alone**: the p50 of one request at a time over one keep-alive connection;
//! - **most**: the requests per second `--clients` connections get, each sending its
//!   next request as soon as the last one is answered (closed loop);
//! - **at rate**: `--rate` requests per second spread over `--clients` connections on a
//!   fixed schedule (open loop), and the p50/p95 of those requests. The schedule is
//!   kept whatever the answers' pace, so slow answers pile up as they would for users;
//!   `sent/s` says whether the clients kept up with it.
//!
//! A request passes when `most` ≥ `--rate` and the p50 at that rate is at most twice
//! the p50 alone, or at most the p50 alone plus what the rate adds to the floor (the
//! health route, always measured first, in the same run: see `WAKE_UP`). Pages are
//! asked for as a browser asks (HTML, gzip accepted); API calls as automation does
//! (JSON). Everything runs on loopback, for `--seconds` per phase.
//!
//! ```sh
//! cargo bench -p server --bench load -- [--n 10000] [--catalog DIR] [--postgres] \
//!     [--clients 32] [--rate 500] [--seconds 3] [--only TEXT]
//! ```
//! `--only` keeps the requests whose label contains TEXT. The client threads share the
//! machine with the server, as a load generator on one host does.
//!
//! This is a measuring tool, not a test: it asserts nothing about timings.

mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use std::{
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};

use common::{catalog_folder, compared_requests, expected_entities, quantile, Client, Server};

/// The trivial request every run measures first: what the client, the loopback and
/// waking the server cost without any work.
const FLOOR: &str = "/healthz";

/// What waking a sleeping server thread may add to a request at a fixed rate, at
/// least: under a fixed rate the server's threads sleep between requests, and waking
/// one costs more than the whole of the quickest requests. Each run measures it on the
/// floor (the health route at the rate, less alone), which moves from 0.08 to 0.17 ms
/// from day to day here.
const WAKE_UP: Duration = Duration::from_micros(100);

struct Options {
    n: usize,
    catalog: Option<PathBuf>,
    postgres: bool,
    clients: usize,
    rate: f64,
    seconds: f64,
    only: Option<String>,
}

fn options() -> Options {
    let mut options = Options {
        n: 10_000,
        catalog: None,
        postgres: false,
        clients: 32,
        rate: 500.0,
        seconds: 3.0,
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| panic!("{name} needs a value"))
        };
        let number = |name: &str, text: String| -> f64 {
            text.parse()
                .unwrap_or_else(|_| panic!("{name} takes a number, not {text}"))
        };
        match arg.as_str() {
            "--n" => options.n = number("--n", value("--n")) as usize,
            "--catalog" => options.catalog = Some(value("--catalog").into()),
            "--postgres" => options.postgres = true,
            "--clients" => options.clients = number("--clients", value("--clients")) as usize,
            "--rate" => options.rate = number("--rate", value("--rate")),
            "--seconds" => options.seconds = number("--seconds", value("--seconds")),
            "--only" => options.only = Some(value("--only")),
            // `cargo bench` passes `--bench` to every bench target.
            "--bench" => {}
            other => panic!("unknown argument {other}; see the module documentation"),
        }
    }
    assert!(options.clients > 0 && options.rate > 0.0 && options.seconds > 0.0);
    options
}

/// One request of the table: a page (asked for as a browser does) or an API call.
struct Target {
    label: String,
    path: String,
    page: bool,
}

/// The pages and API calls measured, about the catalog's first component and the
/// resource the most entities depend on.
fn targets(client: &mut Client) -> Vec<Target> {
    let (_, namespace, name) = client.first_component();
    let component = format!("{namespace}/component/{name}");
    let component_ref = format!("component:{namespace}/{name}");
    let resource = client.most_depended_on_resource();
    let (_, resource_path) = resource.split_once(':').expect("a full ref");
    let page = |label: &str, path: String| Target {
        label: format!("page {label}"),
        path,
        page: true,
    };
    let api = |label: &str, path: String| Target {
        label: format!("api {label}"),
        path,
        page: false,
    };
    let mut targets = vec![
        api("health (the floor)", FLOOR.into()),
        page("home", "/".into()),
        page("catalog", "/catalog".into()),
        page(
            "catalog kind=component q=pay",
            "/catalog?kind=component&q=pay".into(),
        ),
        page("entity (component)", format!("/catalog/{component}")),
        page(
            "graph of the component",
            format!("/graph?root={component_ref}"),
        ),
        page("search q=pay", "/search?q=pay".into()),
        page("docs list", "/docs".into()),
        page("templates", "/create".into()),
        page("widget card", format!("/embed/card/{component}")),
    ];
    targets.extend(
        compared_requests(&name)
            .into_iter()
            .map(|(label, path)| api(label, path)),
    );
    targets.extend([
        api("search term=pay", "/api/search/query?term=pay".into()),
        api(
            "graph subgraph depth 3",
            format!("/api/graph/subgraph?root={component_ref}&depth=3"),
        ),
        api(
            "graph impact of the most depended-on resource",
            format!("/api/graph/impact/resource/{resource_path}"),
        ),
        api(
            "badge lifecycle",
            format!("/api/badges/entity/{component}/badge/lifecycle"),
        ),
    ]);
    targets
}

fn main() {
    let options = options();
    let work = tempfile::tempdir().expect("a temporary folder");
    let catalog = catalog_folder(options.catalog.clone(), options.n, work.path());
    let expected = expected_entities(&catalog);
    let database = if options.postgres {
        let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
        runtime.block_on(support::postgres()).url
    } else {
        format!("sqlite://{}", work.path().join("load.db").display())
    };
    let mut server = Server::start(&database, &catalog.join("location.yaml"));
    let total = format!("\"totalItems\":{expected}");
    server.wait_until(|body| body.contains(&total));
    let port = server.port;
    let mut client = Client::connect(port);
    let targets: Vec<Target> = targets(&mut client)
        .into_iter()
        .filter(|t| {
            options
                .only
                .as_ref()
                .is_none_or(|only| t.label.contains(only) || t.path == FLOOR)
        })
        .collect();

    println!(
        "Portico load benchmark: {}, {expected} entities, {} clients, {} req/s, {} s per phase, {} CPUs",
        if options.postgres { "PostgreSQL" } else { "SQLite" },
        options.clients,
        options.rate,
        options.seconds,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    println!(
        "{:<48} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7}  verdict",
        "request", "alone p50", "most/s", "sent/s", "p50", "p95", "p50 ×"
    );
    let mut failed = Vec::new();
    let mut wake_up = WAKE_UP;
    for target in &targets {
        let connect = || {
            let client = Client::connect(port);
            if target.page {
                client.browser()
            } else {
                client
            }
        };
        let mut alone = connect();
        let warm_until = Instant::now() + Duration::from_millis(300);
        while Instant::now() < warm_until {
            alone.fetch(&target.path);
        }
        let until = Instant::now() + Duration::from_secs_f64(options.seconds / 3.0);
        let alone = p50(&mut sequential(&mut alone, &target.path, until));
        let phase = Duration::from_secs_f64(options.seconds);
        let (answered, _) = closed_loop(&connect, &target.path, options.clients, phase);
        let most = answered as f64 / options.seconds;
        let (sent, mut times) =
            open_loop(&connect, &target.path, options.clients, options.rate, phase);
        let loaded = p50(&mut times);
        let ratio = loaded.as_secs_f64() / alone.as_secs_f64();
        let sent = sent as f64 / options.seconds;
        if target.path == FLOOR {
            wake_up = wake_up.max(loaded.saturating_sub(alone));
        }
        let within = loaded <= (alone * 2).max(alone + wake_up);
        let passes = most >= options.rate && sent >= options.rate * 0.98 && within;
        if !passes {
            failed.push(target.label.clone());
        }
        println!(
            "{:<48} {:>9} {:>9.0} {:>9.0} {:>9} {:>9} {:>7.2}  {}",
            target.label,
            millis(alone),
            most,
            sent,
            millis(loaded),
            millis(quantile(&times, 0.95)),
            ratio,
            if passes { "ok" } else { "below" }
        );
    }
    println!(
        "what the rate adds to the floor (allowed on top of each p50 alone): {} ms",
        millis(wake_up)
    );
    if failed.is_empty() {
        println!(
            "every request holds {} req/s within 2× of its p50 alone",
            options.rate
        );
    } else {
        println!("below the mark: {}", failed.join(", "));
    }
    server.stop();
}

/// One request at a time until `until`; each request's time.
fn sequential(client: &mut Client, path: &str, until: Instant) -> Vec<Duration> {
    let mut times = Vec::new();
    while Instant::now() < until {
        let started = Instant::now();
        client.fetch(path);
        times.push(started.elapsed());
    }
    times
}

/// `clients` connections, each asking again as soon as it is answered, for `phase`:
/// how many answers came, and their times.
fn closed_loop(
    connect: &(dyn Fn() -> Client + Sync),
    path: &str,
    clients: usize,
    phase: Duration,
) -> (usize, Vec<Duration>) {
    let mut connections: Vec<Client> = (0..clients).map(|_| connect()).collect();
    let until = Instant::now() + phase;
    let times: Vec<Vec<Duration>> = std::thread::scope(|scope| {
        let running: Vec<_> = connections
            .iter_mut()
            .map(|client| scope.spawn(move || sequential(client, path, until)))
            .collect();
        running.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let times: Vec<Duration> = times.into_iter().flatten().collect();
    (times.len(), times)
}

/// `rate` requests a second on a fixed schedule for `phase`, over `clients` connections
/// (each takes the next request due): how many were sent, and their times from sending
/// to the whole answer read.
fn open_loop(
    connect: &(dyn Fn() -> Client + Sync),
    path: &str,
    clients: usize,
    rate: f64,
    phase: Duration,
) -> (usize, Vec<Duration>) {
    let mut connections: Vec<Client> = (0..clients).map(|_| connect()).collect();
    let due = (rate * phase.as_secs_f64()) as usize;
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let end = start + phase;
    let times: Vec<Vec<Duration>> = std::thread::scope(|scope| {
        let running: Vec<_> = connections
            .iter_mut()
            .map(|client| {
                let next = &next;
                scope.spawn(move || {
                    let mut times = Vec::new();
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= due {
                            break;
                        }
                        let at = start + Duration::from_secs_f64(n as f64 / rate);
                        if at >= end {
                            break;
                        }
                        if let Some(wait) = at.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        // Requests that a late start pushes past the phase are not sent.
                        if Instant::now() >= end {
                            break;
                        }
                        let started = Instant::now();
                        client.fetch(path);
                        times.push(started.elapsed());
                    }
                    times
                })
            })
            .collect();
        running.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let times: Vec<Duration> = times.into_iter().flatten().collect();
    (times.len(), times)
}

fn p50(times: &mut [Duration]) -> Duration {
    times.sort();
    quantile(times, 0.5)
}

fn millis(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}
