//! What the benchmarks share: the synthetic catalog, a `portico serve` process, and a
//! lean HTTP/1.1 client.

#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The catalog API requests of the side-by-side comparison, for the component `name`.
pub fn compared_requests(name: &str) -> Vec<(&'static str, String)> {
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

pub fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// The `q` quantile of sorted `times` (zero when there are none).
pub fn quantile(times: &[Duration], q: f64) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1]
}

/// The catalog folder a bench runs on: the one given, or the standard synthetic catalog
/// of `n` entities generated under `work`.
pub fn catalog_folder(given: Option<PathBuf>, n: usize, work: &Path) -> PathBuf {
    given.unwrap_or_else(|| {
        let out = work.join("catalog");
        generate(n, &out);
        out
    })
}

/// The repository's root folder.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Writes the standard synthetic catalog of `n` entities to `out`.
pub fn generate(n: usize, out: &Path) {
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
pub fn expected_entities(catalog: &Path) -> usize {
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
pub struct Server {
    child: Child,
    pub port: u16,
    started: Instant,
}

impl Server {
    pub fn start(database_url: &str, catalog: &Path) -> Self {
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
    pub fn wait_until(&mut self, done: impl Fn(&str) -> bool) -> Duration {
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
    pub fn rss(&self) -> String {
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

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 client over one keep-alive connection: enough for GET requests to
/// Portico, with no client library between the measurement and the server.
pub struct Client {
    reader: BufReader<TcpStream>,
    /// The request headers after `Host`, each ending with CRLF.
    headers: &'static str,
    /// The last response's body; kept, so that timing a large body does not also time
    /// fresh memory for it at each request.
    body: Vec<u8>,
}

impl Client {
    pub fn connect(port: u16) -> Self {
        Self::over(TcpStream::connect(("127.0.0.1", port)).expect("connecting to portico"))
    }

    pub fn over(stream: TcpStream) -> Self {
        stream.set_nodelay(true).unwrap();
        Self {
            reader: BufReader::new(stream),
            headers: "Accept: application/json\r\n",
            body: Vec::new(),
        }
    }

    /// Asks as a browser opening a page does: for HTML, compressed.
    pub fn browser(mut self) -> Self {
        self.headers = "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n";
        self
    }

    /// Asks for JSON, compressed when the server will (what browsers, Node's `fetch` and
    /// most HTTP libraries send); bodies are read, not decoded: only `fetch` then.
    pub fn accepting_gzip(mut self) -> Self {
        self.headers = "Accept: application/json\r\nAccept-Encoding: gzip\r\n";
        self
    }

    /// GETs `path`, which must answer 200; returns the body.
    pub fn get(&mut self, path: &str) -> String {
        let (status, body) = self.request(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// GETs `path`, which must answer 200, and reads the body without decoding it
    /// (what the timed loops do).
    pub fn fetch(&mut self, path: &str) {
        let status = self.send(path);
        assert_eq!(
            status,
            200,
            "GET {path}: {}",
            String::from_utf8_lossy(&self.body)
        );
    }

    /// The size of the last response's body as sent (compressed when it was).
    pub fn body_len(&self) -> usize {
        self.body.len()
    }

    /// GETs `path`; returns the status and the body.
    pub fn request(&mut self, path: &str) -> (u16, String) {
        let status = self.send(path);
        (status, String::from_utf8_lossy(&self.body).into_owned())
    }

    /// GETs `path` and reads the response, its body into `self.body`; returns the status.
    pub fn send(&mut self, path: &str) -> u16 {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{}\r\n",
            self.headers
        );
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

    /// The ref of the resource the most entities depend on (`relations.dependsOn` facet).
    pub fn most_depended_on_resource(&mut self) -> String {
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

    /// The kind, namespace and name of the first component in the catalog.
    pub fn first_component(&mut self) -> (String, String, String) {
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

/// A bare HTTP/1.1 server on loopback that answers `/empty` with no body and anything
/// else with `size` bytes from memory, on one keep-alive connection at a time: what
/// moving a body of that size costs any server, with no work behind it. Returns its
/// address; it serves until the process ends.
pub fn bare_server(size: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
    let address = listener.local_addr().unwrap().to_string();
    let full = [
        format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n").into_bytes(),
        vec![b' '; size],
    ]
    .concat();
    let empty = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            stream.set_nodelay(true).unwrap();
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            'requests: loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let answer = if line.contains(" /empty ") {
                    &empty
                } else {
                    &full
                };
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break 'requests;
                    }
                    if line.trim_end().is_empty() {
                        break;
                    }
                }
                if reader.get_mut().write_all(answer).is_err() {
                    break;
                }
            }
        }
    });
    address
}
