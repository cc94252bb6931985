//! The catalog benchmark: the figures of BENCHMARKS.md's catalog table.
//!
//! It drives the real release binary (`portico serve`) the way a user runs it:
//! - start to first 200 with an empty catalog (median of five starts);
//! - ingest: start on a new database with the synthetic catalog of
//!   `../shared/tools/gen-catalog.py` until every entity is queryable;
//! - the server's resident memory when the catalog is queryable and 5 s later (the
//!   allocator returns freed memory with a delay), and the same after the queries;
//! - p50/p95/p99 latency of the catalog queries the issue names, over HTTP/1.1 keep-alive
//!   on loopback, one request at a time; and of the graph API's subgraph (depth 3) and
//!   impact of the resource the most entities depend on.
//!
//! ```sh
//! cargo bench -p server --bench catalog -- [--n 10000] [--catalog DIR] [--postgres] [--requests 1000]
//! cargo bench -p server --bench catalog -- --server NAME=http://HOST:PORT/HEALTH_PATH… [--requests 300] [--gzip]
//! ```
//! `--catalog DIR` reuses a folder made by gen-catalog.py; otherwise one is generated in a
//! temporary folder (`PORTICO_SHARED_DIR` names the shared folder, `../shared` by default).
//! `--postgres` runs against PostgreSQL: `DATABASE_URL` when given, otherwise a throwaway
//! cluster, as the tests do.
//!
//! With `--server` (given twice or more) it starts nothing: it drives the servers named,
//! which must hold the same catalog behind Backstage's catalog API at `/api/catalog` —
//! Portico and Backstage's own catalog backend side by side (`.ci/bench-backstage`). Each
//! request goes to every server in turn, so drift on a shared machine hits all alike. A
//! server's own time is a request's p50 minus the p50 of its trivial `HEALTH_PATH` in the
//! same run (what the client and the loopback cost); the ratios compare those. With
//! `--gzip` the timed requests accept gzip, as browsers and Node's `fetch` do (the
//! bodies are read, not decompressed).
//!
//! This is a measuring tool, not a test: it asserts nothing about timings.

mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use std::{
    net::TcpStream,
    path::PathBuf,
    time::{Duration, Instant},
};

use common::{catalog_folder, compared_requests, expected_entities, ms, quantile, Client, Server};

/// What to measure, from the command line.
struct Options {
    n: usize,
    catalog: Option<PathBuf>,
    postgres: bool,
    requests: usize,
    /// Servers to compare: a name, `host:port` and the path of a trivial request.
    servers: Vec<(String, String, String)>,
    /// Whether the compared requests accept gzip.
    gzip: bool,
}

fn options() -> Options {
    let mut options = Options {
        n: 10_000,
        catalog: None,
        postgres: false,
        requests: 1000,
        servers: Vec::new(),
        gzip: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| panic!("{name} needs a value"))
        };
        match arg.as_str() {
            "--n" => options.n = value("--n").parse().expect("--n takes a number"),
            "--catalog" => options.catalog = Some(value("--catalog").into()),
            "--requests" => {
                options.requests = value("--requests")
                    .parse()
                    .expect("--requests takes a number")
            }
            "--postgres" => options.postgres = true,
            "--gzip" => options.gzip = true,
            "--server" => {
                let value = value("--server");
                let (name, url) = value
                    .split_once("=http://")
                    .expect("--server takes NAME=http://HOST:PORT/HEALTH_PATH");
                let (address, health) = url.split_once('/').unwrap_or((url, ""));
                options
                    .servers
                    .push((name.into(), address.into(), format!("/{health}")));
            }
            // `cargo bench` passes `--bench` to every bench target.
            "--bench" => {}
            other => panic!("unknown argument {other}; see the module documentation"),
        }
    }
    options
}

fn main() {
    let options = options();
    if !options.servers.is_empty() {
        return compare(&options);
    }
    let work = tempfile::tempdir().expect("a temporary folder");
    let catalog = catalog_folder(options.catalog.clone(), options.n, work.path());
    let expected = expected_entities(&catalog);
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let database = |name: &str| -> String {
        if options.postgres {
            runtime.block_on(support::postgres()).url
        } else {
            format!(
                "sqlite://{}",
                work.path().join(format!("{name}.db")).display()
            )
        }
    };
    let backend = if options.postgres {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "Portico catalog benchmark: {backend}, {expected} entities from {}",
        catalog.display()
    );

    let empty = work.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("catalog-info.yaml"), "").unwrap();
    let mut starts: Vec<Duration> = (0..5)
        .map(|i| {
            let mut server = Server::start(&database(&format!("empty{i}")), &empty);
            // An empty location still has its generated Location entity.
            let started = server.wait_until(|body| body.contains("\"totalItems\":1"));
            server.stop();
            started
        })
        .collect();
    starts.sort();
    println!(
        "start to first 200, empty catalog (median of 5): {}",
        ms(starts[2])
    );

    let mut server = Server::start(&database("catalog"), &catalog.join("location.yaml"));
    let total = format!("\"totalItems\":{expected}");
    let ingested = server.wait_until(|body| body.contains(&total));
    println!(
        "ingest, start to all {expected} entities queryable: {}",
        ms(ingested)
    );
    println!("server RSS when all are queryable: {}", server.rss());
    std::thread::sleep(Duration::from_secs(5));
    println!("server RSS 5 s later: {}", server.rss());

    let mut client = Client::connect(server.port);
    let (kind, namespace, name) = client.first_component();
    let queries = [
        ("by-query kind=component limit 20", "/api/catalog/entities/by-query?filter=kind=component&limit=20".to_owned()),
        ("entity-facets spec.type", "/api/catalog/entity-facets?facet=spec.type".into()),
        ("entity-facets spec.owner", "/api/catalog/entity-facets?facet=spec.owner".into()),
        (
            "by-query fullText name,title ordered by name",
            "/api/catalog/entities/by-query?fullTextFilterTerm=payments&fullTextFilterFields=metadata.name,metadata.title&orderField=metadata.name,asc&limit=20".into(),
        ),
        ("by-name", format!("/api/catalog/entities/by-name/{kind}/{namespace}/{name}")),
    ];
    let resource = client.most_depended_on_resource();
    let (_, resource_path) = resource.split_once(':').expect("a full ref");
    let (resource_namespace, resource_name) = resource_path.split_once('/').expect("a full ref");
    let impact = format!("/api/graph/impact/resource/{resource_namespace}/{resource_name}");
    let dependents: serde_json::Value =
        serde_json::from_str(&client.get(&impact)).expect("impact answers JSON");
    println!(
        "most depended-on resource: {resource} ({} entities in its impact)",
        dependents["dependents"].as_array().map_or(0, Vec::len)
    );
    let queries = queries.into_iter().chain([
        (
            "graph: subgraph depth 3 of that resource",
            format!("/api/graph/subgraph?root={resource}&depth=3"),
        ),
        ("graph: impact of that resource", impact),
    ]);
    println!(
        "latency over HTTP on loopback, {} requests each after {} to warm up:",
        options.requests,
        options.requests.min(100)
    );
    println!(
        "{:<46} {:>9} {:>9} {:>9} {:>9}",
        "request", "p50", "p95", "p99", "max"
    );
    for (label, path) in queries {
        for _ in 0..options.requests.min(100) {
            client.get(&path);
        }
        let mut times: Vec<Duration> = (0..options.requests)
            .map(|_| {
                let started = Instant::now();
                client.fetch(&path);
                started.elapsed()
            })
            .collect();
        times.sort();
        let at = |q: f64| quantile(&times, q);
        println!(
            "{label:<46} {:>9} {:>9} {:>9} {:>9}",
            ms(at(0.50)),
            ms(at(0.95)),
            ms(at(0.99)),
            ms(at(1.0))
        );
    }
    println!("server RSS after the queries: {}", server.rss());
    std::thread::sleep(Duration::from_secs(5));
    println!("server RSS 5 s later: {}", server.rss());
    server.stop();
}

/// Drives the `--server`s side by side (see the module documentation).
fn compare(options: &Options) {
    let mut clients: Vec<Client> = options
        .servers
        .iter()
        .map(|(name, address, _)| {
            let stream = TcpStream::connect(address.as_str())
                .unwrap_or_else(|e| panic!("connecting to {name} at {address}: {e}"));
            Client::over(stream)
        })
        .collect();
    let (_, _, component) = clients[0].first_component();
    let requests = compared_requests(&component);
    if options.gzip {
        clients = clients.into_iter().map(Client::accepting_gzip).collect();
    }
    println!(
        "side by side, {} requests each (after {} to warm up), alternating between servers, each timed request right after an untimed health request to the same server{}; ms",
        options.requests,
        options.requests.min(100),
        if options.gzip { ", accepting gzip" } else { "" }
    );
    let p95 = |times: &[Duration]| times[(times.len() * 95).div_ceil(100).max(1) - 1];
    let healths: Vec<&str> = options.servers.iter().map(|(_, _, h)| h.as_str()).collect();
    let timed = |clients: &mut [Client], path_of: &dyn Fn(usize) -> String| {
        measure(clients, &healths, options.requests, path_of)
    };
    let health = timed(&mut clients, &|at| options.servers[at].2.clone());
    print!("{:<42}", "request");
    for (name, _, _) in &options.servers {
        print!(" {:>10} {:>10} {:>10}", format!("{name} p50"), "p95", "own");
    }
    println!(" {:>12} {:>12}", "own ratio", "p95 ratio");
    let floor: Vec<Duration> = health.iter().map(|t| p50(t)).collect();
    let row = |label: &str, times: &[Vec<Duration>]| {
        print!("{label:<42}");
        let own: Vec<f64> = times
            .iter()
            .zip(&floor)
            .map(|(t, floor)| p50(t).saturating_sub(*floor).as_secs_f64() * 1000.0)
            .collect();
        for (t, own) in times.iter().zip(&own) {
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            print!(" {:>10.3} {:>10.3} {:>10.3}", ms(p50(t)), ms(p95(t)), own);
        }
        // The others' times over the first server's.
        let p95s: Vec<f64> = times.iter().map(|t| p95(t).as_secs_f64()).collect();
        for at in 1..times.len() {
            print!(
                " {:>11.1}x {:>11.1}x",
                own[at] / own[0].max(0.001),
                p95s[at] / p95s[0]
            );
        }
        println!();
    };
    row("health (the floor)", &health);
    let mut largest = (0, "");
    for (label, path) in &requests {
        let times = timed(&mut clients, &|_| path.clone());
        row(label, &times);
        let size = clients.iter().map(Client::body_len).max().unwrap_or(0);
        largest = largest.max((size, label));
    }
    bytes_floor(largest.0, largest.1, options.requests);
}

/// Times `requests` requests to each of `clients` (after as many as 100 not timed),
/// alternating between them, each right after an untimed request to its server's
/// trivial path (`healths[at]`); returns each client's times, sorted.
fn measure(
    clients: &mut [Client],
    healths: &[&str],
    requests: usize,
    path_of: &dyn Fn(usize) -> String,
) -> Vec<Vec<Duration>> {
    let mut times = vec![Vec::new(); clients.len()];
    for round in 0..requests + requests.min(100) {
        for (at, client) in clients.iter_mut().enumerate() {
            // Wakes the server first: after the other one's long requests, its
            // threads (and this VM's idle core) would be timed waking up.
            client.fetch(healths[at]);
            let started = Instant::now();
            client.fetch(&path_of(at));
            if round >= requests.min(100) {
                times[at].push(started.elapsed());
            }
        }
    }
    times.iter_mut().for_each(|t| t.sort());
    times
}

/// The median of sorted `times`.
fn p50(times: &[Duration]) -> Duration {
    times[times.len() / 2]
}

/// Times a bare loopback server sending `size` bytes from memory with the same client and
/// rule, and prints its own time: the part of `label`'s own time that moving its bytes
/// costs any server.
fn bytes_floor(size: usize, label: &str, requests: usize) {
    let client = Client::over(TcpStream::connect(common::bare_server(size)).unwrap());
    let clients = &mut [client];
    let mut time = |path: &str| p50(&measure(clients, &["/empty"], requests, &|_| path.into())[0]);
    let (empty, full) = (time("/empty"), time("/body"));
    println!(
        "the bytes alone: a bare loopback server sending {size} bytes (as {label}) from memory: p50 {:.3}, own {:.3}",
        full.as_secs_f64() * 1000.0,
        full.saturating_sub(empty).as_secs_f64() * 1000.0
    );
}
