//! `debug:log` (a message in the task's log, and optionally the workspace's files) and
//! `debug:wait` (a pause, which a cancellation cuts short).

use super::{Output, StepIo};
use crate::scaffolder::workspace::files_under;

pub async fn log(io: StepIo<'_>) -> Result<Output, String> {
    if let Some(message) = io.text("message") {
        for line in message.lines() {
            io.log.line(line);
        }
    }
    if io.flag("listWorkspace") {
        let files = files_under(io.workspace)?;
        io.log
            .line(format!("The workspace holds {} files:", files.len()));
        for file in files {
            io.log.line(format!("  {file}"));
        }
    }
    Ok(Output::new())
}

/// The longest pause `debug:wait` takes.
const MAX_WAIT_MS: u64 = 10 * 60 * 1000;

pub async fn wait(io: StepIo<'_>) -> Result<Output, String> {
    let number = |key: &str| {
        io.input
            .get(key)
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0)
            .max(0.0)
    };
    let total =
        (number("milliseconds") + number("seconds") * 1000.0 + number("minutes") * 60_000.0) as u64;
    if total > MAX_WAIT_MS {
        return Err(format!(
            "debug:wait waits at most {} minutes",
            MAX_WAIT_MS / 60_000
        ));
    }
    io.log
        .line(format!("Waiting {:.1} s", total as f64 / 1000.0));
    let until = std::time::Instant::now() + std::time::Duration::from_millis(total);
    while std::time::Instant::now() < until {
        if io.cancelled.load(std::sync::atomic::Ordering::Relaxed) {
            return Err("cancelled while waiting".into());
        }
        let left = until.saturating_duration_since(std::time::Instant::now());
        tokio::time::sleep(left.min(std::time::Duration::from_millis(100))).await;
    }
    Ok(Output::new())
}
