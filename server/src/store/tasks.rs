//! Scaffolder tasks and their events: creating, claiming (one worker per task, across
//! replicas), heartbeats, cancellation, events in order, the final state.

use super::{Engine, Store, StoreError};

/// A stored task.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TaskRow {
    /// Its id.
    pub id: String,
    /// `template:namespace/name`.
    pub template_ref: String,
    /// The spec as JSON.
    pub spec: String,
    /// `open`, `processing`, `completed`, `failed` or `cancelled`.
    pub status: String,
    /// Who created it, if known.
    pub created_by: Option<String>,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    /// The running worker's last sign of life.
    pub heartbeat_at: i64,
    /// 1 once someone asked to cancel it.
    pub cancel_requested: i64,
    /// When it ended.
    pub finished_at: Option<i64>,
    /// Its output as JSON, once completed.
    pub output: Option<String>,
    /// Whether a workspace archive is stored.
    pub has_archive: bool,
    /// The answers to Secret fields (JSON), until the task ends.
    pub secrets: Option<String>,
}

/// A stored event.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TaskEventRow {
    /// Increasing.
    pub id: i64,
    /// The task.
    pub task_id: String,
    /// `log`, `completion` or `cancelled`.
    pub event_type: String,
    /// The body as JSON.
    pub body: String,
    /// Milliseconds since the epoch.
    pub created_at: i64,
}

const TASK_COLUMNS: &str = "id, template_ref, spec, status, created_by, created_at, heartbeat_at, \
     cancel_requested, finished_at, output, (archive IS NOT NULL) AS has_archive, secrets";

impl Store {
    /// Stores a new, open task (with the answers to its Secret fields, if any).
    pub async fn create_task(
        &self,
        id: &str,
        template_ref: &str,
        spec: &str,
        secrets: Option<&str>,
        created_by: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO tasks (id, template_ref, spec, status, created_by, created_at, secrets) \
                 VALUES ($1, $2, $3, 'open', $4, $5, $6)",
            )
            .bind(id)
            .bind(template_ref)
            .bind(spec)
            .bind(created_by)
            .bind(now)
            .bind(secrets)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The task with this id.
    pub async fn task(&self, id: &str) -> Result<Option<TaskRow>, StoreError> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1");
        Ok(on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        }))
    }

    /// Tasks, newest first: those with `status` if given; at most `limit` from
    /// `offset`; and how many there are in all.
    pub async fn tasks(
        &self,
        status: Option<&str>,
        created_by: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<TaskRow>, i64), StoreError> {
        let filter = "($1 IS NULL OR status = $1) AND ($2 IS NULL OR created_by = $2)";
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE {filter} \
             ORDER BY created_at DESC, id LIMIT $3 OFFSET $4"
        );
        let count = format!("SELECT COUNT(*) FROM tasks WHERE {filter}");
        Ok(on_pool!(self, pool => {
            let rows = sqlx::query_as(&sql)
                .bind(status)
                .bind(created_by)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?;
            let (total,): (i64,) = sqlx::query_as(&count)
                .bind(status)
                .bind(created_by)
                .fetch_one(pool)
                .await?;
            (rows, total)
        }))
    }

    /// Takes the oldest open task for `worker`: it becomes `processing`. Two workers
    /// (in this process or another replica) never take the same task.
    pub async fn claim_task(&self, worker: &str, now: i64) -> Result<Option<TaskRow>, StoreError> {
        let lock = match &self.engine {
            Engine::Sqlite(_) => "",
            Engine::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE tasks SET status = 'processing', worker = $1, heartbeat_at = $2 \
             WHERE id = (SELECT id FROM tasks WHERE status = 'open' \
             ORDER BY created_at, id LIMIT 1{lock}) AND status = 'open' \
             RETURNING {TASK_COLUMNS}"
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(worker).bind(now).fetch_optional(pool).await?
        }))
    }

    /// Renews a running task's heartbeat; returns whether someone asked to cancel it.
    pub async fn task_heartbeat(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let row: Option<(i64,)> = on_pool!(self, pool => {
            sqlx::query_as(
                "UPDATE tasks SET heartbeat_at = $1 WHERE id = $2 RETURNING cancel_requested",
            )
            .bind(now)
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.is_some_and(|(cancel,)| cancel != 0))
    }

    /// Asks for a task to be cancelled. An open task is cancelled at once (returns its
    /// new status); a running one when its worker next looks. `None`: no such task.
    pub async fn request_cancel(&self, id: &str, now: i64) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_pool!(self, pool => {
            sqlx::query_as(
                "UPDATE tasks SET cancel_requested = 1, \
                 status = CASE WHEN status = 'open' THEN 'cancelled' ELSE status END, \
                 finished_at = CASE WHEN status = 'open' THEN $2 ELSE finished_at END, \
                 secrets = CASE WHEN status = 'open' THEN NULL ELSE secrets END \
                 WHERE id = $1 RETURNING status",
            )
            .bind(id)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(status,)| status))
    }

    /// Records how a task ended, with its output and workspace archive; its secrets are
    /// forgotten.
    pub async fn finish_task(
        &self,
        id: &str,
        status: &str,
        output: Option<&str>,
        archive: Option<&[u8]>,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE tasks SET status = $1, output = $2, archive = $3, finished_at = $4, \
                 secrets = NULL WHERE id = $5",
            )
            .bind(status)
            .bind(output)
            .bind(archive)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Fails the tasks whose worker has been silent since `stale_before` (its portal
    /// stopped mid-task); returns their ids.
    pub async fn fail_abandoned_tasks(
        &self,
        stale_before: i64,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_pool!(self, pool => {
            sqlx::query_as(
                "UPDATE tasks SET status = 'failed', finished_at = $2, secrets = NULL \
                 WHERE status = 'processing' AND heartbeat_at < $1 RETURNING id",
            )
            .bind(stale_before)
            .bind(now)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// How many tasks there are in each status.
    pub async fn task_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT status, COUNT(*) FROM tasks GROUP BY status ORDER BY status")
                .fetch_all(pool)
                .await?
        }))
    }

    /// Marks failed the tasks `worker` is running (its portal is stopping); returns
    /// their ids.
    pub async fn fail_worker_tasks(
        &self,
        worker: &str,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_pool!(self, pool => {
            sqlx::query_as(
                "UPDATE tasks SET status = 'failed', finished_at = $2, secrets = NULL \
                 WHERE status = 'processing' AND worker = $1 RETURNING id",
            )
            .bind(worker)
            .bind(now)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// The workspace archive of a task, if stored.
    pub async fn task_archive(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(Option<Vec<u8>>,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT archive FROM tasks WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.and_then(|(archive,)| archive))
    }

    /// Appends an event to a task's log.
    pub async fn add_task_event(
        &self,
        task_id: &str,
        event_type: &str,
        body: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        let (id,): (i64,) = on_pool!(self, pool => {
            sqlx::query_as(
                "INSERT INTO task_events (task_id, event_type, body, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(task_id)
            .bind(event_type)
            .bind(body)
            .bind(now)
            .fetch_one(pool)
            .await?
        });
        Ok(id)
    }

    /// A task's events after event `after` (0: all), in order.
    pub async fn task_events(
        &self,
        task_id: &str,
        after: i64,
    ) -> Result<Vec<TaskEventRow>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, task_id, event_type, body, created_at FROM task_events \
                 WHERE task_id = $1 AND id > $2 ORDER BY id",
            )
            .bind(task_id)
            .bind(after)
            .fetch_all(pool)
            .await?
        }))
    }
}
