//! Reading tasks: a task's page, lists, Backstage's serialised tasks, events and the
//! workspace archive — each only for those who may read it (`scaffolder.task.read`).

use app::model::{
    identity::{action::Action, principal::Principal, visibility::Visibility},
    task::{
        output_parts, rfc3339, TaskEvent, TaskEventBody, TaskEventType, TaskPage, TaskStatus,
        TaskStep, TaskSummary,
    },
};
use serde_json::{json, Value};

use super::task_target;
use crate::{
    scaffolder::run::TaskSpec,
    services::Portal,
    store::{StoreError, TaskEventRow, TaskRow},
};

pub(super) fn steps_of(spec: &TaskSpec) -> Vec<TaskStep> {
    spec.steps
        .iter()
        .enumerate()
        .map(|(i, step)| TaskStep {
            id: TaskSpec::step_id(i, step),
            name: step.name.clone(),
            action: step.action.clone(),
        })
        .collect()
}

fn event_of(row: TaskEventRow) -> TaskEvent {
    TaskEvent {
        id: row.id,
        task_id: row.task_id,
        event_type: match row.event_type.as_str() {
            "completion" => TaskEventType::Completion,
            "cancelled" => TaskEventType::Cancelled,
            _ => TaskEventType::Log,
        },
        body: serde_json::from_str(&row.body).unwrap_or_else(|_| TaskEventBody {
            message: row.body,
            ..Default::default()
        }),
        created_at: rfc3339(row.created_at),
    }
}

fn summary_of(row: &TaskRow) -> TaskSummary {
    let spec: Option<TaskSpec> = serde_json::from_str(&row.spec).ok();
    let title = spec
        .as_ref()
        .and_then(|s| {
            s.template_info.entity["metadata"]["title"]
                .as_str()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| row.template_ref.clone());
    TaskSummary {
        id: row.id.clone(),
        template_ref: row.template_ref.clone(),
        template_title: title,
        status: TaskStatus::parse(&row.status).unwrap_or(TaskStatus::Failed),
        created_at: row.created_at,
        finished_at: row.finished_at,
    }
}

impl Portal {
    /// Task `id`, if there is one and `who` may read it (`scaffolder.task.read`).
    pub(super) async fn readable_task(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<Option<TaskRow>, StoreError> {
        let reads = self.identity.policy.visibility(who, Action::TaskRead);
        let row = self.store().task(id).await?;
        Ok(row.filter(|row| reads.sees(&task_target(row))))
    }

    /// Tasks `who` may read, newest first (optionally only those with `status` or by
    /// `created_by`), and how many in all.
    async fn readable_tasks(
        &self,
        who: &Principal,
        status: Option<TaskStatus>,
        created_by: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<TaskRow>, i64), StoreError> {
        let status = status.map(TaskStatus::as_str);
        let reads = self.identity.policy.visibility(who, Action::TaskRead);
        match reads {
            Visibility::Everything => self.store().tasks(status, created_by, limit, offset).await,
            Visibility::Nothing(_) => Ok((Vec::new(), 0)),
            // Rules about templates or creators: every task is read and tested.
            Visibility::Only(_) => {
                let (rows, _) = self.store().tasks(status, created_by, i64::MAX, 0).await?;
                let readable: Vec<TaskRow> = rows
                    .into_iter()
                    .filter(|row| reads.sees(&task_target(row)))
                    .collect();
                let total = readable.len() as i64;
                let page = readable
                    .into_iter()
                    .skip(offset.max(0) as usize)
                    .take(limit.max(0) as usize)
                    .collect();
                Ok((page, total))
            }
        }
    }

    /// A task's page: summary, steps, events so far, output once completed.
    pub async fn task_page(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<Option<TaskPage>, StoreError> {
        let Some(row) = self.readable_task(who, id).await? else {
            return Ok(None);
        };
        let spec: Option<TaskSpec> = serde_json::from_str(&row.spec).ok();
        let events = self
            .store()
            .task_events(id, 0)
            .await?
            .into_iter()
            .map(event_of)
            .collect();
        let output = row
            .output
            .as_deref()
            .and_then(|o| serde_json::from_str(o).ok())
            .unwrap_or(Value::Null);
        let (links, texts) = output_parts(&output);
        Ok(Some(TaskPage {
            summary: summary_of(&row),
            steps: spec.as_ref().map(steps_of).unwrap_or_default(),
            events,
            links,
            texts,
            has_archive: row.has_archive,
        }))
    }

    /// Tasks, newest first (optionally only those with `status`), and how many in all.
    pub async fn task_summaries(
        &self,
        who: &Principal,
        status: Option<TaskStatus>,
        created_by: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<TaskSummary>, i64), StoreError> {
        let (rows, total) = self
            .readable_tasks(who, status, created_by, limit, offset)
            .await?;
        Ok((rows.iter().map(summary_of).collect(), total))
    }

    /// A task as Backstage's API serialises it (`{id, spec, status, createdAt, …}`).
    pub async fn serialized_task(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<Option<Value>, StoreError> {
        Ok(self
            .readable_task(who, id)
            .await?
            .map(|row| serialize_task(&row)))
    }

    /// Tasks as Backstage's API lists them.
    pub async fn serialized_tasks(
        &self,
        who: &Principal,
        status: Option<TaskStatus>,
        created_by: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Value>, i64), StoreError> {
        let (rows, total) = self
            .readable_tasks(who, status, created_by, limit, offset)
            .await?;
        Ok((rows.iter().map(serialize_task).collect(), total))
    }

    /// A task's events after event `after`; `None` when there is no such task.
    pub async fn task_events(
        &self,
        who: &Principal,
        id: &str,
        after: i64,
    ) -> Result<Option<(Vec<TaskEvent>, TaskStatus)>, StoreError> {
        let Some(row) = self.readable_task(who, id).await? else {
            return Ok(None);
        };
        let events = self
            .store()
            .task_events(id, after)
            .await?
            .into_iter()
            .map(event_of)
            .collect();
        Ok(Some((
            events,
            TaskStatus::parse(&row.status).unwrap_or(TaskStatus::Failed),
        )))
    }

    /// The workspace archive (`.tar.gz`) of an ended task.
    pub async fn task_archive(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        if self.readable_task(who, id).await?.is_none() {
            return Ok(None);
        }
        self.store().task_archive(id).await
    }
}

fn serialize_task(row: &TaskRow) -> Value {
    let spec: Value = serde_json::from_str(&row.spec).unwrap_or(Value::Null);
    json!({
        "id": row.id,
        "spec": spec,
        "status": row.status,
        "createdAt": rfc3339(row.created_at),
        "lastHeartbeatAt": (row.heartbeat_at > 0).then(|| rfc3339(row.heartbeat_at)),
        "createdBy": row.created_by,
    })
}
