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
//! cargo bench -p server --bench catalog -- --server NAME=http://HOST:PORT/HEALTH_PATH… [--requests 300]
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
//! same run (what the client and the loopback cost); the ratios compare those.
//!
//! This is a measuring tool, not a test: it asserts nothing about timings.

#[path = "../tests/support/mod.rs"]
mod support;

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// What to measure, from the command line.
struct Options {
    n: usize,
    catalog: Option<PathBuf>,
    postgres: bool,
    requests: usize,
    /// Servers to compare: a name, `host:port` and the path of a trivial request.
    servers: Vec<(String, String, String)>,
}

fn options() -> Options {
    let mut options = Options {
        n: 10_000,
        catalog: None,
        postgres: false,
        requests: 1000,
        servers: Vec::new(),
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
    let catalog = options.catalog.clone().unwrap_or_else(|| {
        let out = work.path().join("catalog");
        generate(options.n, &out);
        out
    });
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
        let at =
            |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
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

/// The catalog API requests of the side-by-side comparison, for the component `name`.
fn compared_requests(name: &str) -> Vec<(&'static str, String)> {
    let api = "/api/catalog";
    vec![
        ("by-name", format!("{api}/entities/by-name/component/default/{name}")),
        ("by-query kind=component limit 20", format!("{api}/entities/by-query?filter=kind=component&limit=20")),
        (
            "full text name,title by name, limit 20",
            format!("{api}/entities/by-query?fullTextFilterTerm=pay&fullTextFilterFields=metadata.name,metadata.title&orderField=metadata.name,asc&limit=20"),
        ),
        ("entity-facets spec.type + spec.owner", format!("{api}/entity-facets?facet=spec.type&facet=spec.owner")),
        ("legacy /entities kind=component limit 20", format!("{api}/entities?filter=kind=component&limit=20")),
    ]
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
    println!(
        "side by side, {} requests each (after {} to warm up), alternating between servers, each timed request right after an untimed health request to the same server; ms",
        options.requests,
        options.requests.min(100)
    );
    let p50 = |times: &[Duration]| times[times.len() / 2];
    let p95 = |times: &[Duration]| times[(times.len() * 95).div_ceil(100).max(1) - 1];
    let measure = |clients: &mut [Client], path_of: &dyn Fn(usize) -> String| {
        let mut times = vec![Vec::new(); clients.len()];
        for round in 0..options.requests + options.requests.min(100) {
            for (at, client) in clients.iter_mut().enumerate() {
                // Wakes the server first: after the other one's long requests, its
                // threads (and this VM's idle core) would be timed waking up.
                client.fetch(&options.servers[at].2);
                let started = Instant::now();
                client.fetch(&path_of(at));
                if round >= options.requests.min(100) {
                    times[at].push(started.elapsed());
                }
            }
        }
        times.iter_mut().for_each(|t| t.sort());
        times
    };
    let health = measure(&mut clients, &|at| options.servers[at].2.clone());
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
    for (label, path) in &requests {
        let times = measure(&mut clients, &|_| path.clone());
        row(label, &times);
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// The repository's root folder.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Writes the standard synthetic catalog of `n` entities to `out`.
fn generate(n: usize, out: &Path) {
    let shared = std::env::var_os("PORTICO_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared"));
    let script = shared.join("tools/gen-catalog.py");
    let status = Command::new("python3")
        .arg(&script)
        .args(["--n", &n.to_string(), "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    assert!(status.success(), "{} failed", script.display());
}

/// How many entities Portico holds once the generated catalog is in: the generated ones
/// plus the Location entity of `location.yaml` (gen-catalog's manifest counts one more,
/// for the static location entity Backstage adds).
fn expected_entities(catalog: &Path) -> usize {
    let manifest = std::fs::read_to_string(catalog.join("manifest.json"))
        .unwrap_or_else(|e| panic!("{}/manifest.json: {e}", catalog.display()));
    let manifest: serde_json::Value =
        serde_json::from_str(&manifest).expect("manifest.json is JSON");
    // The generated entities, the file's own Location entity and the one Portico makes
    // for the registered location (`generated-<SHA-1>`).
    manifest["expected_total_in_catalog"]
        .as_u64()
        .expect("manifest.json has expected_total_in_catalog") as usize
}

/// A `portico serve` process on a free loopback port.
struct Server {
    child: Child,
    port: u16,
    started: Instant,
}

impl Server {
    fn start(database_url: &str, catalog: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let started = Instant::now();
        let child = Command::new(env!("CARGO_BIN_EXE_portico"))
            .arg("serve")
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(["--database-url", database_url])
            .arg("--catalog")
            .arg(catalog)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("starting target/release/portico");
        Self {
            child,
            port,
            started,
        }
    }

    /// Time from start until `/api/catalog/entities/by-query?limit=1` answers 200 with a
    /// body that satisfies `done`; polls every millisecond.
    fn wait_until(&mut self, done: impl Fn(&str) -> bool) -> Duration {
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("portico exited early: {status}");
            }
            if let Ok(stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let mut client = Client::over(stream);
                let (status, body) = client.request("/api/catalog/entities/by-query?limit=1");
                if status == 200 && done(&body) {
                    return self.started.elapsed();
                }
            }
            assert!(
                self.started.elapsed() < Duration::from_secs(600),
                "portico never became ready"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Resident memory of the server process, from /proc.
    fn rss(&self) -> String {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .map(|kb| {
                let kb: f64 = kb
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse()
                    .unwrap_or(0.0);
                format!("{:.1} MiB", kb / 1024.0)
            })
            .unwrap_or_else(|| "unknown".into())
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 client over one keep-alive connection: enough for GET requests to
/// Portico, with no client library between the measurement and the server.
struct Client {
    reader: BufReader<TcpStream>,
    /// The last response's body; kept, so that timing a large body does not also time
    /// fresh memory for it at each request.
    body: Vec<u8>,
}

impl Client {
    fn connect(port: u16) -> Self {
        Self::over(TcpStream::connect(("127.0.0.1", port)).expect("connecting to portico"))
    }

    fn over(stream: TcpStream) -> Self {
        stream.set_nodelay(true).unwrap();
        Self {
            reader: BufReader::new(stream),
            body: Vec::new(),
        }
    }

    /// GETs `path`, which must answer 200; returns the body.
    fn get(&mut self, path: &str) -> String {
        let (status, body) = self.request(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// GETs `path`, which must answer 200, and reads the body without decoding it
    /// (what the timed loops do).
    fn fetch(&mut self, path: &str) {
        let status = self.send(path);
        assert_eq!(
            status,
            200,
            "GET {path}: {}",
            String::from_utf8_lossy(&self.body)
        );
    }

    /// GETs `path`; returns the status and the body.
    fn request(&mut self, path: &str) -> (u16, String) {
        let status = self.send(path);
        (status, String::from_utf8_lossy(&self.body).into_owned())
    }

    /// GETs `path` and reads the response, its body into `self.body`; returns the status.
    fn send(&mut self, path: &str) -> u16 {
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n");
        self.reader
            .get_mut()
            .write_all(request.as_bytes())
            .expect("sending a request");
        let mut line = String::new();
        self.reader
            .read_line(&mut line)
            .expect("reading the status line");
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let (mut length, mut chunked) = (0, false);
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("reading a header");
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "transfer-encoding" => chunked = value.contains("chunked"),
                _ => {}
            }
        }
        let body = &mut self.body;
        body.clear();
        if chunked {
            loop {
                line.clear();
                self.reader
                    .read_line(&mut line)
                    .expect("reading a chunk size");
                let size = usize::from_str_radix(line.trim(), 16).expect("a chunk size");
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk).expect("reading a chunk");
                body.extend_from_slice(&chunk[..size]);
                if size == 0 {
                    break;
                }
            }
        } else {
            body.resize(length, 0);
            self.reader.read_exact(body).expect("reading the body");
        }
        status
    }

    /// The kind, namespace and name of the first component in the catalog.
    /// The ref of the resource the most entities depend on (`relations.dependsOn` facet).
    fn most_depended_on_resource(&mut self) -> String {
        let body = self.get("/api/catalog/entity-facets?facet=relations.dependsOn");
        let facets: serde_json::Value = serde_json::from_str(&body).expect("facets answer JSON");
        facets["facets"]["relations.dependsOn"]
            .as_array()
            .expect("a facet list")
            .iter()
            .filter(|f| {
                f["value"]
                    .as_str()
                    .is_some_and(|v| v.starts_with("resource:"))
            })
            .max_by_key(|f| f["count"].as_u64())
            .and_then(|f| f["value"].as_str())
            .expect("a resource something depends on")
            .to_owned()
    }

    fn first_component(&mut self) -> (String, String, String) {
        let body = self.get("/api/catalog/entities/by-query?filter=kind=component&limit=1");
        let page: serde_json::Value = serde_json::from_str(&body).expect("by-query answers JSON");
        let metadata = &page["items"][0]["metadata"];
        (
            "component".into(),
            metadata["namespace"]
                .as_str()
                .unwrap_or("default")
                .to_owned(),
            metadata["name"]
                .as_str()
                .expect("a component has a name")
                .to_owned(),
        )
    }
}
