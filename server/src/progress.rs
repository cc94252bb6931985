//! How far an ingest has got, for `portico import`'s progress bar.
//!
//! Ingestion advances a [`Progress`] handle as it reads files and writes rows; nothing
//! happens when nobody watches (the default). [`show_on_terminal`] draws the bar.

use std::{
    io::Write,
    sync::{
        atomic::{AtomicUsize, Ordering::Relaxed},
        Arc,
    },
    time::Duration,
};

#[derive(Debug, Default)]
struct Counters {
    files: AtomicUsize,
    entities: AtomicUsize,
    rows_planned: AtomicUsize,
    rows_written: AtomicUsize,
}

/// A handle on an ingest's counters; clones share them. `Progress::default()` counts
/// nothing.
#[derive(Clone, Debug, Default)]
pub struct Progress(Option<Arc<Counters>>);

impl Progress {
    /// A handle whose counters can be watched.
    pub fn watched() -> Self {
        Self(Some(Arc::default()))
    }

    /// A descriptor file was read, with this many entities.
    pub fn file_read(&self, entities: usize) {
        if let Some(counters) = &self.0 {
            counters.files.fetch_add(1, Relaxed);
            counters.entities.fetch_add(entities, Relaxed);
        }
    }

    /// This many more rows are to be written.
    pub fn rows_planned(&self, rows: usize) {
        if let Some(counters) = &self.0 {
            counters.rows_planned.fetch_add(rows, Relaxed);
        }
    }

    /// This many rows were written.
    pub fn rows_written(&self, rows: usize) {
        if let Some(counters) = &self.0 {
            counters.rows_written.fetch_add(rows, Relaxed);
        }
    }

    /// One line saying where the ingest is: reading files, or writing rows with a bar.
    pub fn line(&self) -> String {
        let Some(counters) = &self.0 else {
            return String::new();
        };
        let (files, entities) = (
            counters.files.load(Relaxed),
            counters.entities.load(Relaxed),
        );
        let planned = counters.rows_planned.load(Relaxed);
        if planned == 0 {
            return format!("reading: {files} files, {entities} entities");
        }
        let written = counters.rows_written.load(Relaxed).min(planned);
        const WIDTH: usize = 30;
        let filled = written * WIDTH / planned;
        format!(
            "writing: [{}{}] {:>3}% {written}/{planned} rows ({entities} entities from {files} files)",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            written * 100 / planned,
        )
    }
}

/// Redraws `progress` on one line of the terminal (stderr) every 100 ms until the task
/// is dropped or aborted.
pub async fn show_on_terminal(progress: Progress) {
    let mut ticks = tokio::time::interval(Duration::from_millis(100));
    loop {
        ticks.tick().await;
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K{}", progress.line());
        let _ = stderr.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::Progress;

    #[test]
    fn says_what_is_read_then_what_is_written() {
        let progress = Progress::watched();
        progress.file_read(3);
        progress.file_read(2);
        assert_eq!(progress.line(), "reading: 2 files, 5 entities");
        progress.rows_planned(200);
        progress.rows_written(50);
        assert_eq!(
            progress.line(),
            "writing: [#######-----------------------]  25% 50/200 rows (5 entities from 2 files)"
        );
        assert_eq!(Progress::default().line(), "");
    }
}
