//! Running the portal: the metrics page (`/metrics`) — the process's own counters
//! ([`crate::metrics`]) and what the database says at scrape time: the catalog's size,
//! how late refreshes are, the task queue and the connection pool.

use std::{fmt::Write, time::Duration};

use app::model::identity::{
    action::Action,
    policy::{Refusal, Target},
    principal::Principal,
};

use super::{epoch_ms, Portal};
use crate::{
    metrics::{escape, family},
    store::StoreError,
};

/// Why the metrics could not be given.
#[derive(Debug, thiserror::Error)]
pub enum OperationsError {
    /// The policy does not let the person asking read them (`metrics.read`).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Portal {
    /// The metrics in Prometheus's text format, for someone who may read them.
    pub async fn metrics_text(&self, who: &Principal) -> Result<String, OperationsError> {
        let metrics = Target {
            label: "the metrics".into(),
            ..Target::default()
        };
        self.authorize(who, Action::MetricsRead, &metrics).await?;
        let mut out = String::new();
        self.metrics.write(&mut out);

        let name = "portico_catalog_entities";
        family(&mut out, name, "gauge", "Entities in the catalog, by kind.");
        for (kind, count) in self.store.entity_counts_by_kind().await? {
            let kind = escape(&kind.to_lowercase());
            let _ = writeln!(out, "{name}{{kind=\"{kind}\"}} {count}");
        }

        let now = epoch_ms(Duration::ZERO);
        let schedule = self.store.refresh_schedule(now).await?;
        let name = "portico_catalog_locations";
        family(&mut out, name, "gauge", "Registered catalog locations.");
        let _ = writeln!(out, "{name} {}", schedule.locations);
        let name = "portico_refresh_lag_seconds";
        family(
            &mut out,
            name,
            "gauge",
            "How long the location most overdue for a refresh has waited (0: none is due).",
        );
        let lag = schedule.oldest_due.map_or(0, |due| (now - due).max(0));
        let _ = writeln!(out, "{name} {}", lag as f64 / 1000.0);

        let name = "portico_tasks";
        family(
            &mut out,
            name,
            "gauge",
            "Template tasks by status (open: waiting for a worker).",
        );
        for (status, count) in self.store.task_counts().await? {
            let _ = writeln!(out, "{name}{{status=\"{}\"}} {count}", escape(&status));
        }

        let pool = self.store.pool_use();
        let name = "portico_database_connections";
        family(
            &mut out,
            name,
            "gauge",
            "This process's database connections, by state.",
        );
        let _ = writeln!(out, "{name}{{state=\"idle\"}} {}", pool.idle);
        let _ = writeln!(out, "{name}{{state=\"in_use\"}} {}", pool.open - pool.idle);
        let name = "portico_database_connections_max";
        family(
            &mut out,
            name,
            "gauge",
            "The most connections this process opens.",
        );
        let _ = writeln!(out, "{name} {}", pool.max);
        Ok(out)
    }
}
