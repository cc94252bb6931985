//! The task worker every portal runs: it takes open tasks from the database one at a
//! time (two workers per process), runs them, and records how they ended. Replicas on
//! one PostgreSQL share the queue; a task whose worker went silent (its portal stopped)
//! is marked failed by whichever worker notices.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use app::model::task::{StepStatus, TaskStatus};
use serde_json::Value;

use super::{
    now_ms,
    run::{run, EventSink, TaskSpec},
    workspace,
};
use crate::{services::Portal, store::TaskRow};

/// How many tasks one portal runs at once.
const WORKERS: usize = 2;
/// How often a running task's heartbeat is renewed (and its cancellation looked for).
const HEARTBEAT: Duration = Duration::from_secs(2);
/// A task whose heartbeat is older than this has lost its worker.
const ABANDONED_AFTER_MS: i64 = 30_000;
/// How long an idle worker waits before looking for tasks again, unless woken.
const POLL: Duration = Duration::from_secs(1);
/// The largest workspace archive kept with a task.
const MAX_ARCHIVE: usize = 32 * 1024 * 1024;

/// This portal's running workers ([`start`]).
pub struct Workers {
    portal: Portal,
    names: Vec<String>,
    running: Vec<tokio::task::JoinHandle<()>>,
}

/// Starts this portal's workers. They stop taking tasks once the portal's stop token
/// is cancelled; [`Workers::stop`] waits for the tasks they run.
pub fn start(portal: Portal) -> Workers {
    let process = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let names: Vec<String> = (0..WORKERS).map(|n| format!("{process}-{n}")).collect();
    let running = names
        .iter()
        .map(|name| tokio::spawn(work(portal.clone(), name.clone())))
        .collect();
    Workers {
        portal,
        names,
        running,
    }
}

impl Workers {
    /// Waits until `deadline` for the tasks under way to end (the portal's stop token
    /// must be cancelled first, or the workers go on taking tasks). A task still
    /// running then is marked failed, saying why, rather than left for another
    /// replica to find abandoned.
    pub async fn stop(self, deadline: tokio::time::Instant) {
        let mut ended = true;
        for worker in self.running {
            ended &= tokio::time::timeout_at(deadline, worker).await.is_ok();
        }
        if ended {
            return;
        }
        let store = self.portal.store();
        for name in &self.names {
            match store.fail_worker_tasks(name, now_ms()).await {
                Ok(ids) => {
                    let message = "The portal running this task was stopped before the task ended; the task failed.";
                    log_failed(&self.portal, ids, message).await;
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot mark this portal's running tasks failed")
                }
            }
        }
    }
}

/// Records on each task of `ids`, just marked failed, why it failed.
async fn log_failed(portal: &Portal, ids: Vec<String>, message: &str) {
    for id in ids {
        let sink = EventSink::Store {
            store: portal.store().clone(),
            task_id: id.clone(),
        };
        sink.log(None, message.to_owned(), None).await;
        tracing::warn!(task = %id, "{message}");
    }
}

async fn work(portal: Portal, worker: String) {
    let stop = portal.stop_token().clone();
    while !stop.is_cancelled() {
        let now = now_ms();
        match portal
            .store()
            .fail_abandoned_tasks(now - ABANDONED_AFTER_MS, now)
            .await
        {
            Ok(ids) => {
                let message =
                    "The portal running this task stopped before it ended; the task failed.";
                log_failed(&portal, ids, message).await;
            }
            Err(error) => tracing::warn!(%error, "cannot look for abandoned tasks"),
        }
        match run_next(&portal, &worker).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "cannot claim a task"),
        }
        tokio::select! {
            () = portal.task_wakeup().notified() => {}
            () = tokio::time::sleep(POLL) => {}
            () = stop.cancelled() => {}
        }
    }
}

/// Claims the oldest open task as `worker` and runs it to its end; `false` when no task
/// was open.
pub async fn run_next(portal: &Portal, worker: &str) -> Result<bool, crate::store::StoreError> {
    match portal.store().claim_task(worker, now_ms()).await? {
        Some(task) => {
            execute(portal, task).await;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Ends a task that could not start, saying why.
async fn fail(sink: &EventSink, id: &str, message: String) {
    sink.log(None, message, Some(StepStatus::Failed)).await;
    let EventSink::Store { store, .. } = sink else {
        return;
    };
    if let Err(error) = store
        .finish_task(id, TaskStatus::Failed.as_str(), None, None, now_ms())
        .await
    {
        tracing::warn!(task = %id, %error, "cannot record how the task ended");
    }
}

/// Runs a claimed task and records how it ended.
async fn execute(portal: &Portal, task: TaskRow) {
    let store = portal.store().clone();
    let sink = EventSink::Store {
        store: store.clone(),
        task_id: task.id.clone(),
    };
    let started = std::time::Instant::now();
    tracing::info!(task = %task.id, template = %task.template_ref, "task started");
    let spec: TaskSpec = match serde_json::from_str(&task.spec) {
        Ok(spec) => spec,
        Err(error) => {
            return fail(
                &sink,
                &task.id,
                format!("The task's spec cannot be read: {error}"),
            )
            .await
        }
    };
    let workspace = match portal.scaffolder().new_workspace() {
        Ok(dir) => dir,
        Err(error) => {
            return fail(
                &sink,
                &task.id,
                format!("Cannot make the task's workspace: {error}"),
            )
            .await
        }
    };
    let cancelled = Arc::new(AtomicBool::new(task.cancel_requested != 0));
    let heartbeat = tokio::spawn({
        let (store, id, cancelled) = (store.clone(), task.id.clone(), cancelled.clone());
        async move {
            loop {
                tokio::time::sleep(HEARTBEAT).await;
                if let Ok(true) = store.task_heartbeat(&id, now_ms()).await {
                    cancelled.store(true, Ordering::Relaxed);
                }
            }
        }
    });
    let secrets = task
        .secrets
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let result = run(
        portal,
        &spec,
        secrets,
        &spec.origin(),
        workspace.path(),
        &sink,
        &cancelled,
        false,
    )
    .await;
    heartbeat.abort();
    let name = spec.template_info.entity["metadata"]["name"]
        .as_str()
        .unwrap_or("workspace")
        .to_owned();
    let path = workspace.path().to_owned();
    let archive = tokio::task::spawn_blocking(move || workspace::archive(&path, &name))
        .await
        .ok()
        .and_then(Result::ok)
        .filter(|bytes| bytes.len() <= MAX_ARCHIVE);
    let output = result.output.as_ref().map(Value::to_string);
    if let Err(error) = store
        .finish_task(
            &task.id,
            result.status.as_str(),
            output.as_deref(),
            archive.as_deref(),
            now_ms(),
        )
        .await
    {
        tracing::warn!(task = %task.id, %error, "cannot record how the task ended");
    }
    portal
        .metrics()
        .task_ended(result.status.as_str(), started.elapsed());
    tracing::info!(
        task = %task.id,
        status = result.status.as_str(),
        ms = started.elapsed().as_millis() as u64,
        "task ended"
    );
    drop(workspace);
}
