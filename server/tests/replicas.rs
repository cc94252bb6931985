//! Replicas as processes: several `portico serve` on one PostgreSQL database, started,
//! stopped and killed the way a Kubernetes Deployment does it.

mod support;

use std::{
    collections::BTreeSet,
    net::{TcpListener, TcpStream},
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use support::process::{agent, Server};

/// A catalog folder of `n` components in one file, with its location file.
fn write_catalog(dir: &Path, n: usize) -> String {
    let mut components = String::new();
    for i in 0..n {
        components.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: service-{i}\n  \
             description: Service number {i}\nspec:\n  type: service\n  lifecycle: production\n  \
             owner: team-{}\n",
            i % 20
        ));
    }
    std::fs::write(dir.join("components.yaml"), components).unwrap();
    let location = dir.join("location.yaml");
    std::fs::write(
        &location,
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: replicas\nspec:\n  \
         targets:\n    - ./components.yaml\n",
    )
    .unwrap();
    location.display().to_string()
}

/// How many entities `server` says the filter (`filter=…&`, or nothing) selects.
fn total(server: &Server, filter: &str) -> u64 {
    let (status, body) = server.get(&format!("/api/catalog/entities/by-query?{filter}limit=1"));
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    body["totalItems"].as_u64().unwrap()
}

/// How many components `server` says the catalog holds.
fn components(server: &Server) -> u64 {
    total(server, "filter=kind=component&")
}

/// What a Deployment with several replicas does on its first rollout: every replica
/// starts at the same moment on one empty database with the same catalog. Each must
/// become ready, and the catalog must be stored once.
#[tokio::test(flavor = "multi_thread")]
async fn replicas_started_together_on_an_empty_database_all_become_ready() {
    let folder = tempfile::tempdir().unwrap();
    let location = write_catalog(folder.path(), 3_000);
    for round in 0..3 {
        let url = support::empty_postgres_database().await;
        let args = ["--database-url", &url, "--catalog", &location];
        let binary = Path::new(env!("CARGO_BIN_EXE_portico"));
        let mut replicas: Vec<Server> = (0..3)
            .map(|_| Server::spawn(binary, folder.path(), &args))
            .collect();
        for replica in &mut replicas {
            replica
                .wait_ready(Duration::from_secs(120))
                .unwrap_or_else(|error| panic!("round {round}: {error}"));
        }
        for replica in &replicas {
            assert_eq!(
                components(replica),
                3_000,
                "round {round}: {}",
                replica.base
            );
        }
        // A rolling restart's stop: SIGTERM, and a clean exit within the drain time.
        for replica in &mut replicas {
            let status = replica.terminate(Duration::from_secs(30)).unwrap();
            assert!(status.success(), "round {round}: exited with {status}");
        }
    }
}

/// A round-robin TCP balancer on loopback in front of the replicas, sending each new
/// connection to the next replica whose `/readyz` said 200 at its last check (every
/// 100 ms), as a Service in front of a Deployment does.
struct Balancer {
    addr: String,
    backends: Arc<Mutex<Vec<(String, bool)>>>,
}

impl Balancer {
    fn start(backends: Vec<String>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let backends = Arc::new(Mutex::new(
            backends.into_iter().map(|b| (b, false)).collect::<Vec<_>>(),
        ));
        let checked = backends.clone();
        std::thread::spawn(move || loop {
            let list: Vec<String> = checked
                .lock()
                .unwrap()
                .iter()
                .map(|(b, _)| b.clone())
                .collect();
            for (i, base) in list.iter().enumerate() {
                let ready = agent()
                    .get(format!("{base}/readyz"))
                    .call()
                    .is_ok_and(|r| r.status() == 200);
                // Unless the backend was replaced meanwhile.
                let mut backends = checked.lock().unwrap();
                if backends[i].0 == *base {
                    backends[i].1 = ready;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        });
        let routed = backends.clone();
        std::thread::spawn(move || {
            let mut next = 0;
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                // The next ready backend that accepts the connection, as a load
                // balancer retries a refused connect; waiting a while when none can.
                let mut server = None;
                for _ in 0..100 {
                    let ready: Vec<String> = routed
                        .lock()
                        .unwrap()
                        .iter()
                        .filter(|(_, ready)| *ready)
                        .map(|(b, _)| b.trim_start_matches("http://").to_owned())
                        .collect();
                    for _ in 0..ready.len() {
                        next = (next + 1) % ready.len();
                        if let Ok(connected) = TcpStream::connect(&ready[next]) {
                            server = Some(connected);
                            break;
                        }
                    }
                    if server.is_some() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                let Some(server) = server else {
                    continue; // Dropped: no replica could serve for 2 s.
                };
                let (mut client_in, mut server_in) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (mut client_out, mut server_out) = (client, server);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut client_in, &mut server_out);
                    let _ = server_out.shutdown(std::net::Shutdown::Write);
                });
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut server_in, &mut client_out);
                    let _ = client_out.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        Self { addr, backends }
    }

    /// Points the balancer's `i`th backend at a new address (a restarted replica).
    fn replace(&self, i: usize, base: &str) {
        self.backends.lock().unwrap()[i] = (base.to_owned(), false);
    }
}

/// Moments at which a replica was killed, to excuse the requests they broke.
type Kills = Arc<Mutex<Vec<Instant>>>;

/// What the readers through the balancer saw: totals of components they were told, and
/// failures no kill explains.
#[derive(Default)]
struct Seen {
    requests: usize,
    totals: BTreeSet<u64>,
    failures: Vec<String>,
}

/// Reads a page of components through the balancer over and over, a new connection
/// each time, until `stop`.
fn read_through(balancer: String, kills: Kills, stop: Arc<AtomicBool>) -> Seen {
    let mut seen = Seen::default();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_idle_connections(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        let answer = agent
            .get(format!(
                "{balancer}/api/catalog/entities/by-query?filter=kind=component&limit=3"
            ))
            .call()
            .map_err(|e| e.to_string())
            .and_then(|mut r| {
                let status = r.status().as_u16();
                let body = r.body_mut().read_to_string().map_err(|e| e.to_string())?;
                match status {
                    200 => Ok(body),
                    _ => Err(format!("{status} {body}")),
                }
            });
        seen.requests += 1;
        match answer {
            Ok(body) => {
                let body: serde_json::Value = serde_json::from_str(&body).unwrap();
                seen.totals.insert(body["totalItems"].as_u64().unwrap());
            }
            Err(error) => {
                let ended = Instant::now();
                let excused = kills.lock().unwrap().iter().any(|killed| {
                    *killed <= ended + Duration::from_millis(500)
                        && *killed + Duration::from_secs(1) >= started
                });
                if !excused {
                    let kills: Vec<_> = kills
                        .lock()
                        .unwrap()
                        .iter()
                        .map(|k| format!("{:?}", k.elapsed()))
                        .collect();
                    seen.failures.push(format!(
                        "{error} (began {:?} ago, took {:?}; kills {kills:?} ago)",
                        started.elapsed(),
                        ended - started
                    ));
                }
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    seen
}

/// Waits until `check` holds, or fails saying `what`.
fn wait_for(what: &str, within: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check() {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What a replica answers for the questions every replica must answer alike.
fn answers(server: &Server, task: &str) -> Vec<String> {
    let mut out = Vec::new();
    for path in [
        "/api/catalog/entities/by-query?filter=kind=component&limit=5&orderField=metadata.name,asc",
        "/api/catalog/entities/by-query?filter=kind=api&limit=5&fullTextFilterTerm=payments",
        "/api/catalog/entity-facets?facet=kind&facet=spec.lifecycle",
        "/api/catalog/entities/by-name/component/default/chaos-added-3",
        "/api/catalog/entities/by-name/component/default/chaos-docs",
        "/api/search/query?term=runbook",
    ] {
        let (status, body) = server.get(path);
        out.push(format!("{path} {status} {body}"));
    }
    let (status, body) = server.get(&format!("/api/scaffolder/v2/tasks/{task}"));
    out.push(format!("task {status} {body}"));
    let (status, body) = server.get("/docs/default/component/chaos-docs/");
    // The page's nonces differ; what the doc set says must not.
    let said = body.contains("Restart the payments consumer") && body.contains("Chaos runbook");
    out.push(format!("docs {status} {said}"));
    out
}

const EXTRAS: &str = "\
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: chaos-docs
  annotations:
    backstage.io/techdocs-ref: dir:./chaos-docs
spec: {type: service, lifecycle: production, owner: team-chaos}
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: slow-chore, title: A slow chore}
spec:
  owner: team-chaos
  type: service
  parameters: []
  steps:
    - id: wait
      name: Wait a minute
      action: debug:wait
      input: {minutes: 1}
";

/// Adds a doc set, a template and the files they need to a generated catalog.
fn add_extras(folder: &Path) {
    std::fs::write(folder.join("extras.yaml"), EXTRAS).unwrap();
    let docs = folder.join("chaos-docs");
    std::fs::create_dir_all(docs.join("docs")).unwrap();
    std::fs::write(docs.join("mkdocs.yml"), "site_name: Chaos runbook\n").unwrap();
    std::fs::write(
        docs.join("docs/index.md"),
        "# Chaos runbook\n\nRestart the payments consumer when its lag grows.\n",
    )
    .unwrap();
    let location = folder.join("location.yaml");
    let text = std::fs::read_to_string(&location).unwrap();
    std::fs::write(
        &location,
        format!("{}\n    - ./extras.yaml\n", text.trim_end()),
    )
    .unwrap();
}

/// The scenario: three replicas on one PostgreSQL behind a round-robin
/// balancer load the synthetic catalog while one is killed mid-load and restarted; the
/// catalog's files change while another is killed; a task's worker is killed while the
/// task runs. Every entity is stored once, every replica answers alike, no reader
/// through the balancer sees an error a kill does not explain, nor half of an update.
///
/// `PORTICO_REPLICA_TEST_ENTITIES` sets the catalog's size (100,000 by default).
#[test]
fn replicas_share_a_catalog_through_kills_and_changes() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let n: usize = std::env::var("PORTICO_REPLICA_TEST_ENTITIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let folder = tempfile::tempdir().unwrap();
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/tools/gen-catalog.py");
    let generated = std::process::Command::new("python3")
        .arg(&generator)
        .args(["--n", &n.to_string(), "--out"])
        .arg(folder.path())
        .output()
        .expect("running ../shared/tools/gen-catalog.py");
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    add_extras(folder.path());
    let location = folder.path().join("location.yaml").display().to_string();
    let url = runtime.block_on(support::empty_postgres_database());
    let pool = runtime.block_on(sqlx::PgPool::connect(&url)).unwrap();
    let binary = Path::new(env!("CARGO_BIN_EXE_portico"));
    let args = [
        "--database-url",
        url.as_str(),
        "--catalog",
        location.as_str(),
        "--refresh-interval",
        "1",
    ];
    let start = || Server::spawn(binary, folder.path(), &args);

    {
        let mut replicas: Vec<Server> = (0..3).map(|_| start()).collect();
        let balancer = Balancer::start(replicas.iter().map(|r| r.base.clone()).collect());
        let kills: Kills = Arc::default();

        // Mid-load: no replica is ready yet. Kill the one loading (it holds the
        // location's lock; its connections name its process), start it again.
        std::thread::sleep(Duration::from_secs(3));
        for replica in &replicas {
            assert!(!replica.is_ready(), "{} is ready after 3 s", replica.base);
        }
        let mut loading = None;
        wait_for("a replica loading", Duration::from_secs(60), || {
            let holder: Option<String> = runtime
                .block_on(
                    sqlx::query_scalar(
                        "SELECT a.application_name FROM pg_locks l \
                         JOIN pg_stat_activity a ON a.pid = l.pid \
                         WHERE l.locktype = 'advisory' AND l.granted LIMIT 1",
                    )
                    .fetch_optional(&pool),
                )
                .unwrap();
            loading = holder
                .and_then(|name| name.strip_prefix("portico-")?.parse::<u32>().ok())
                .and_then(|pid| replicas.iter().position(|r| r.pid() == pid));
            loading.is_some()
        });
        let loading = loading.unwrap();
        kills.lock().unwrap().push(Instant::now());
        replicas[loading].kill();
        replicas[loading] = start();
        balancer.replace(loading, &replicas[loading].base);

        // Readers through the balancer from the first ready replica on.
        wait_for("a replica ready", Duration::from_secs(900), || {
            replicas.iter().any(Server::is_ready)
        });
        let stop = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let (balancer, kills, stop) = (balancer.addr.clone(), kills.clone(), stop.clone());
                std::thread::spawn(move || read_through(balancer, kills, stop))
            })
            .collect();
        for replica in &mut replicas {
            replica.wait_ready(Duration::from_secs(900)).unwrap();
        }
        let before = components(&replicas[0]);
        for replica in &replicas {
            assert_eq!(components(replica), before, "{}", replica.base);
        }

        // The files change; a replica dies meanwhile (perhaps the one refreshing).
        let mut added = String::new();
        for i in 0..10 {
            added.push_str(&format!(
                "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: chaos-added-{i}}}\n\
                 spec: {{type: service, lifecycle: production, owner: team-chaos}}\n"
            ));
        }
        let extras = folder.path().join("extras.yaml");
        std::fs::write(&extras, format!("{EXTRAS}{added}")).unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        kills.lock().unwrap().push(Instant::now());
        replicas[1].kill();
        replicas[1] = start();
        balancer.replace(1, &replicas[1].base);
        replicas[1].wait_ready(Duration::from_secs(900)).unwrap();
        for replica in &replicas {
            wait_for(
                "the change seen by every replica",
                Duration::from_secs(120),
                || components(replica) == before + 10,
            );
        }

        // A task whose worker dies: another replica fails it, once; it never runs twice.
        let (status, body) = replicas[2].post_json(
            "/api/scaffolder/v2/tasks",
            &serde_json::json!({"templateRef": "template:default/slow-chore", "values": {}}),
        );
        assert_eq!(status, 201, "{body}");
        let task: serde_json::Value = serde_json::from_str(&body).unwrap();
        let task = task["id"].as_str().unwrap().to_owned();
        let worker = || -> Option<String> {
            runtime
                .block_on(
                    sqlx::query_scalar::<_, Option<String>>(
                        "SELECT worker FROM tasks WHERE id = $1",
                    )
                    .bind(&task)
                    .fetch_one(&pool),
                )
                .unwrap()
        };
        // Killed once its step is under way (not between its claim and its first step).
        let step_started = |events: &str| -> usize {
            let events: serde_json::Value = serde_json::from_str(events).unwrap();
            events
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["body"]["stepId"] == "wait" && e["body"]["status"] == "processing")
                .count()
        };
        wait_for("the task's step under way", Duration::from_secs(30), || {
            let (_, events) = replicas[2].get(&format!("/api/scaffolder/v2/tasks/{task}/events"));
            step_started(&events) == 1
        });
        let pid: u32 = worker()
            .unwrap()
            .split('-')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let running = replicas
            .iter()
            .position(|r| r.pid() == pid)
            .expect("a replica runs it");
        kills.lock().unwrap().push(Instant::now());
        replicas[running].kill();
        replicas[running] = start();
        balancer.replace(running, &replicas[running].base);
        replicas[running]
            .wait_ready(Duration::from_secs(900))
            .unwrap();
        wait_for("the abandoned task failed", Duration::from_secs(90), || {
            let (_, body) = replicas[0].get(&format!("/api/scaffolder/v2/tasks/{task}"));
            body.contains("\"status\":\"failed\"")
        });
        let (_, events) = replicas[1].get(&format!("/api/scaffolder/v2/tasks/{task}/events"));
        assert!(events.contains("stopped before it ended"), "{events}");
        let started = step_started(&events);
        assert_eq!(started, 1, "the step started {started} times: {events}");

        // Every replica answers alike; every entity is stored once.
        let reference = answers(&replicas[0], &task);
        for replica in &replicas[1..] {
            assert_eq!(answers(replica, &task), reference, "{}", replica.base);
        }
        let (rows, distinct): (i64, i64) = runtime
            .block_on(
                sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT entity_ref) FROM entities")
                    .fetch_one(&pool),
            )
            .unwrap();
        assert_eq!(rows, distinct);
        // The generated entities, the two Location entities (location.yaml's and the
        // one Portico makes for each location), the doc set's component, the template
        // and the ten added.
        assert_eq!(rows as usize, n + 2 + 2 + 10);
        for replica in &replicas {
            assert_eq!(total(replica, ""), rows as u64, "{}", replica.base);
        }

        stop.store(true, Ordering::Relaxed);
        let mut seen = Seen::default();
        for reader in readers {
            let one = reader.join().unwrap();
            seen.requests += one.requests;
            seen.totals.extend(one.totals);
            seen.failures.extend(one.failures);
        }
        assert!(seen.requests > 100, "{} requests", seen.requests);
        assert!(
            seen.failures.is_empty(),
            "{} failures: {:?}",
            seen.failures.len(),
            seen.failures
        );
        // Before the change or after it, never half of it.
        assert!(
            seen.totals
                .iter()
                .all(|t| *t == before || *t == before + 10),
            "{:?}",
            seen.totals
        );
        for replica in &mut replicas {
            let status = replica.terminate(Duration::from_secs(30)).unwrap();
            assert!(status.success(), "exited with {status}");
        }
    }
}
