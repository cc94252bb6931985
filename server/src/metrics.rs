//! What the process counts about itself, and Prometheus's text format for it
//! (`/metrics`): request counts and latencies by route, location reads and their
//! durations, task durations. Gauges read from the database at scrape time (catalog
//! size, refresh lag, task queue) are added by the service that renders the page.
//!
//! Plain counters behind one lock per family: a request takes the lock once, for well
//! under a microsecond, which is nothing beside the request itself.

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::Mutex,
    time::{Duration, SystemTime},
};

/// Upper bounds, in seconds, of the latency histograms' buckets (Prometheus's
/// `le`): from a page served from memory (below a millisecond) to a slow ingest.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0,
];

/// Counts of observations by bucket, their number and their sum.
#[derive(Clone, Debug, Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(bucket) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[bucket] += 1;
        }
        self.count += 1;
        self.sum += seconds;
    }

    /// Writes the family's `_bucket`, `_sum` and `_count` lines for one label set
    /// (`labels` is `name="value",…` without braces, or empty).
    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(self.buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = |labels: &str| match labels {
            "" => String::new(),
            labels => format!("{{{labels}}}"),
        };
        let _ = writeln!(out, "{name}_sum{} {}", braces(labels), self.sum);
        let _ = writeln!(out, "{name}_count{} {}", braces(labels), self.count);
    }
}

/// A request's labels: method, route (the matched pattern, never the raw path, so the
/// number of series stays bounded) and status.
type RequestKey = (String, String, u16);

/// The process's own counters; one per portal, shared by its clones.
#[derive(Debug)]
pub struct Metrics {
    started: SystemTime,
    requests: Mutex<BTreeMap<RequestKey, Histogram>>,
    /// Location reads by how they ended: `changed`, `unchanged`, `skipped`, `failed`.
    location_reads: Mutex<BTreeMap<&'static str, Histogram>>,
    /// Problems found by location reads (files that do not parse, invalid entities…).
    location_problems: Mutex<u64>,
    /// Tasks run here, by how they ended.
    tasks: Mutex<BTreeMap<String, Histogram>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            started: SystemTime::now(),
            requests: Mutex::default(),
            location_reads: Mutex::default(),
            location_problems: Mutex::default(),
            tasks: Mutex::default(),
        }
    }
}

/// Escapes a label value as the text format wants (`\`, `"` and newlines).
pub fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Counts a request answered with `status` after `took`.
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let mut requests = self.requests.lock().expect("metrics lock");
        requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default()
            .observe(took.as_secs_f64());
    }

    /// Counts a location read that ended as `outcome` after `took`, finding `problems`.
    pub fn location_read(&self, outcome: &'static str, took: Duration, problems: usize) {
        self.location_reads
            .lock()
            .expect("metrics lock")
            .entry(outcome)
            .or_default()
            .observe(took.as_secs_f64());
        *self.location_problems.lock().expect("metrics lock") += problems as u64;
    }

    /// Counts a task that ended with `status` after `took`.
    pub fn task_ended(&self, status: &str, took: Duration) {
        self.tasks
            .lock()
            .expect("metrics lock")
            .entry(status.to_owned())
            .or_default()
            .observe(took.as_secs_f64());
    }

    /// Writes every family this process counts, in the text format.
    pub fn write(&self, out: &mut String) {
        let started = self
            .started
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        family(
            out,
            "process_start_time_seconds",
            "gauge",
            "When the process started, in seconds since the epoch.",
        );
        let _ = writeln!(out, "process_start_time_seconds {}", started.as_secs());
        if let Some(bytes) = resident_memory() {
            family(
                out,
                "process_resident_memory_bytes",
                "gauge",
                "Resident memory size in bytes.",
            );
            let _ = writeln!(out, "process_resident_memory_bytes {bytes}");
        }

        let name = "portico_http_request_duration_seconds";
        family(
            out,
            name,
            "histogram",
            "HTTP requests by method, route and status, with their durations.",
        );
        for ((method, route, status), histogram) in
            self.requests.lock().expect("metrics lock").iter()
        {
            let labels = format!(
                "method=\"{}\",route=\"{}\",status=\"{status}\"",
                escape(method),
                escape(route)
            );
            histogram.write(out, name, &labels);
        }

        let name = "portico_location_read_duration_seconds";
        family(out, name, "histogram", "Catalog location reads (start-up loads and refreshes) by outcome, with their durations.");
        for (outcome, histogram) in self.location_reads.lock().expect("metrics lock").iter() {
            histogram.write(out, name, &format!("outcome=\"{outcome}\""));
        }
        let name = "portico_location_problems_total";
        family(out, name, "counter", "Problems found by location reads.");
        let problems = *self.location_problems.lock().expect("metrics lock");
        let _ = writeln!(out, "{name} {problems}");

        let name = "portico_task_duration_seconds";
        family(
            out,
            name,
            "histogram",
            "Template tasks run by this process, by final status, with their durations.",
        );
        for (status, histogram) in self.tasks.lock().expect("metrics lock").iter() {
            histogram.write(out, name, &format!("status=\"{}\"", escape(status)));
        }
    }
}

/// Writes a family's `# HELP` and `# TYPE` lines.
pub fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The process's resident memory, from `/proc/self/statm` (Linux).
fn resident_memory() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_is_written_cumulative_with_its_sum_and_count() {
        let metrics = Metrics::default();
        metrics.request(
            "GET",
            "/api/catalog/entities",
            200,
            Duration::from_micros(300),
        );
        metrics.request(
            "GET",
            "/api/catalog/entities",
            200,
            Duration::from_millis(30),
        );
        metrics.request("GET", "/a\"b", 404, Duration::from_secs(100));
        let mut out = String::new();
        metrics.write(&mut out);
        let series = "method=\"GET\",route=\"/api/catalog/entities\",status=\"200\"";
        for line in [
            format!("portico_http_request_duration_seconds_bucket{{{series},le=\"0.0005\"}} 1"),
            format!("portico_http_request_duration_seconds_bucket{{{series},le=\"0.025\"}} 1"),
            format!("portico_http_request_duration_seconds_bucket{{{series},le=\"0.05\"}} 2"),
            format!("portico_http_request_duration_seconds_bucket{{{series},le=\"+Inf\"}} 2"),
            format!("portico_http_request_duration_seconds_count{{{series}}} 2"),
            // Beyond the last bound: only in +Inf.
            "portico_http_request_duration_seconds_bucket{method=\"GET\",route=\"/a\\\"b\",status=\"404\",le=\"60\"} 0".to_owned(),
            "portico_http_request_duration_seconds_bucket{method=\"GET\",route=\"/a\\\"b\",status=\"404\",le=\"+Inf\"} 1".to_owned(),
            "# TYPE portico_http_request_duration_seconds histogram".to_owned(),
        ] {
            assert!(out.lines().any(|l| l == line), "no line {line} in\n{out}");
        }
    }
}
