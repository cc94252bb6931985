//! `portico` processes started by a test, as an operator starts them: the real binary,
//! its own port, HTTP over loopback.

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

/// A `portico serve` process, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An HTTP client that hands every status back instead of failing on it. (A minute
/// per request: a replica that just started builds its search index on the first
/// search, which takes seconds at 100,000 entities on a busy machine.)
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

impl Server {
    /// Starts `binary serve --addr 127.0.0.1:PORT ARGS…` in `dir`, without waiting.
    pub fn spawn(binary: &Path, dir: &Path, args: &[&str]) -> Self {
        let port = free_port();
        let child = Command::new(binary)
            .current_dir(dir)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .args(args)
            .env_remove("PORTICO_SITE_ROOT")
            .env_remove("DATABASE_URL")
            // `PORTICO_TEST_SERVER_LOG=info` shows more of what the servers do.
            .env(
                "RUST_LOG",
                std::env::var("PORTICO_TEST_SERVER_LOG").unwrap_or_else(|_| "warn".to_owned()),
            )
            .stdout(Stdio::null())
            .spawn()
            .expect("starting portico");
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Waits until `/readyz` answers 200; fails if the process exits or `within`
    /// passes first.
    pub fn wait_ready(&mut self, within: Duration) -> Result<(), String> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Err(format!("{} exited with {status}", self.base));
            }
            if self.is_ready() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("{} was not ready within {within:?}", self.base))
    }

    /// Whether `/readyz` answers 200 now.
    pub fn is_ready(&self) -> bool {
        agent()
            .get(format!("{}/readyz", self.base))
            .call()
            .is_ok_and(|response| response.status() == 200)
    }

    /// GETs `path` and returns the status and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let mut response = agent()
            .get(format!("{}{path}", self.base))
            .call()
            .unwrap_or_else(|error| panic!("GET {}{path}: {error}", self.base));
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .unwrap();
        (status, body)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process outright (SIGKILL), as a crashed node would, and reaps it.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// POSTs `body` as JSON to `path` and returns the status and body.
    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> (u16, String) {
        let mut response = agent()
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .send(body.to_string())
            .unwrap();
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap())
    }

    /// Sends SIGTERM, as Kubernetes does to stop a pod, and waits up to `within` for
    /// the process to exit.
    pub fn terminate(&mut self, within: Duration) -> Result<ExitStatus, String> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM failed");
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Ok(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!("{} still runs {within:?} after SIGTERM", self.base))
    }
}
