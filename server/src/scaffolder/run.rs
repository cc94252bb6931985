//! Running one task: its steps in order in a fresh workspace, each step's input filled in
//! from `parameters`, earlier steps' `output`, `user` (and `each` in a loop), its log
//! lines and status changes recorded as events as they happen. A failing step stops the
//! task; the template's `output` is filled in when every step has run.

use std::{
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
};

use app::model::{
    task::{rfc3339, StepStatus, TaskEvent, TaskEventBody, TaskEventType, TaskStatus},
    template::{
        expression::{self, Context},
        TemplateStep,
    },
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    actions::{self, Logger, StepIo, TemplateOrigin},
    now_ms,
};
use crate::{services::Portal, store::Store};
use app::model::identity::principal::Principal;

/// A task's spec as stored and served (Backstage's `TaskSpecV1beta3`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskSpec {
    /// `scaffolder.backstage.io/v1beta3`.
    pub api_version: String,
    /// The template's steps.
    pub steps: Vec<TemplateStep>,
    /// The template's `output`, unevaluated.
    #[serde(default)]
    pub output: Value,
    /// The answers.
    pub parameters: Value,
    /// Who asked (`{ref}`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Value>,
    /// The template: its ref, title and where it was read from.
    pub template_info: TemplateInfo,
}

/// What a task records of its template.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInfo {
    /// `template:namespace/name`.
    pub entity_ref: String,
    /// The folder (or URL) of the template's file, ending in `/`.
    #[serde(default)]
    pub base_url: String,
    /// The template's metadata (name, title, annotations).
    pub entity: Value,
}

impl TaskSpec {
    /// The id a step goes by: its `id`, else `step-N`.
    pub fn step_id(index: usize, step: &TemplateStep) -> String {
        step.id
            .clone()
            .unwrap_or_else(|| format!("step-{}", index + 1))
    }

    /// Where the template's files are.
    pub fn origin(&self) -> TemplateOrigin {
        let annotation = |name: &str| {
            self.template_info.entity["metadata"]["annotations"][name]
                .as_str()
                .map(str::to_owned)
        };
        TemplateOrigin::of(
            annotation("backstage.io/managed-by-location").as_deref(),
            annotation("backstage.io/managed-by-origin-location").as_deref(),
        )
    }
}

/// Where a task's events go: the database, or (dry runs) a list kept in memory.
#[derive(Clone)]
pub enum EventSink {
    /// Stored as the task's events.
    Store {
        /// The database.
        store: Store,
        /// The task.
        task_id: String,
    },
    /// Kept for a dry run's answer.
    Memory(Arc<Mutex<Vec<TaskEvent>>>),
}

impl EventSink {
    async fn emit(&self, event_type: TaskEventType, body: TaskEventBody) {
        let now = now_ms();
        match self {
            EventSink::Store { store, task_id } => {
                let body_text = serde_json::to_string(&body).unwrap_or_default();
                let kind = serde_json::to_value(event_type).ok();
                let kind = kind.as_ref().and_then(Value::as_str).unwrap_or("log");
                if let Err(error) = store.add_task_event(task_id, kind, &body_text, now).await {
                    tracing::warn!(%task_id, %error, "cannot record a task event");
                }
            }
            EventSink::Memory(events) => {
                let mut events = events.lock().expect("no panics while holding it");
                let id = events.len() as i64 + 1;
                events.push(TaskEvent {
                    id,
                    task_id: String::new(),
                    event_type,
                    body,
                    created_at: rfc3339(now),
                });
            }
        }
    }

    /// A log line, for a step or the task.
    pub async fn log(&self, step_id: Option<&str>, message: String, status: Option<StepStatus>) {
        let body = TaskEventBody {
            message,
            step_id: step_id.map(str::to_owned),
            status,
            ..Default::default()
        };
        self.emit(TaskEventType::Log, body).await;
    }
}

/// How a run ended.
pub struct RunResult {
    /// Completed, failed or cancelled.
    pub status: TaskStatus,
    /// The template's output, filled in (completed runs only).
    pub output: Option<Value>,
}

/// Runs `spec`'s steps in `workspace`, reading the template's files from `origin`;
/// expressions read the answers to Secret fields as `secrets`. `cancelled` is checked
/// between steps; `dry_run` skips the actions that change anything outside the workspace.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    portal: &Portal,
    spec: &TaskSpec,
    secrets: Map<String, Value>,
    origin: &TemplateOrigin,
    workspace: &Path,
    sink: &EventSink,
    cancelled: &AtomicBool,
    dry_run: bool,
) -> RunResult {
    let mut context = Context::new();
    context.insert("parameters".into(), spec.parameters.clone());
    context.insert("steps".into(), Value::Object(Map::new()));
    context.insert(
        "user".into(),
        spec.user.clone().unwrap_or(Value::Object(Map::new())),
    );
    context.insert("secrets".into(), Value::Object(secrets));
    // Steps act as the user who created the task, with that user's rights today.
    let who = portal.task_principal(spec.user.as_ref()).await;
    let who = match sink {
        EventSink::Store { task_id, .. } => who.coming_from(Some(format!("task {task_id}"))),
        _ => who,
    };
    for (index, step) in spec.steps.iter().enumerate() {
        let step_id = TaskSpec::step_id(index, step);
        if cancelled.load(Ordering::Relaxed) {
            sink.log(
                Some(&step_id),
                "Cancelled before it started".into(),
                Some(StepStatus::Cancelled),
            )
            .await;
            return finish(sink, TaskStatus::Cancelled, None, "Run cancelled".into()).await;
        }
        match run_step(
            portal,
            &who,
            step,
            &step_id,
            &mut context,
            workspace,
            origin,
            sink,
            cancelled,
            dry_run,
        )
        .await
        {
            Ok(()) => {}
            Err(_) if cancelled.load(Ordering::Relaxed) => {
                sink.log(
                    Some(&step_id),
                    "Cancelled".into(),
                    Some(StepStatus::Cancelled),
                )
                .await;
                return finish(sink, TaskStatus::Cancelled, None, "Run cancelled".into()).await;
            }
            Err(error) => {
                sink.log(
                    Some(&step_id),
                    format!("Step failed: {error}"),
                    Some(StepStatus::Failed),
                )
                .await;
                let message = format!(
                    "Run failed at step {} ({}): {error}",
                    step.name, step.action
                );
                return finish(sink, TaskStatus::Failed, None, message).await;
            }
        }
    }
    let output = match render_output(&spec.output, &context) {
        Ok(output) => output,
        Err(error) => {
            let message = format!("Run failed: the template's output: {error}");
            return finish(sink, TaskStatus::Failed, None, message).await;
        }
    };
    finish(
        sink,
        TaskStatus::Completed,
        Some(output),
        "Run completed".into(),
    )
    .await
}

async fn finish(
    sink: &EventSink,
    status: TaskStatus,
    output: Option<Value>,
    message: String,
) -> RunResult {
    let body = TaskEventBody {
        message: format!("{message} with status: {}", status.as_str()),
        output: output.clone(),
        task_status: Some(status),
        ..Default::default()
    };
    let event_type = if status == TaskStatus::Cancelled {
        TaskEventType::Cancelled
    } else {
        TaskEventType::Completion
    };
    sink.emit(event_type, body).await;
    RunResult { status, output }
}

#[allow(clippy::too_many_arguments)]
async fn run_step(
    portal: &Portal,
    who: &Principal,
    step: &TemplateStep,
    step_id: &str,
    context: &mut Context,
    workspace: &Path,
    origin: &TemplateOrigin,
    sink: &EventSink,
    cancelled: &AtomicBool,
    dry_run: bool,
) -> Result<(), String> {
    if let Some(condition) = &step.condition {
        if !expression::is_true(condition, context).map_err(|e| format!("its `if`: {e}"))? {
            sink.log(
                Some(step_id),
                format!("Skipping step {}: its condition does not hold", step.name),
                Some(StepStatus::Skipped),
            )
            .await;
            return Ok(());
        }
    }
    let info =
        actions::info(&step.action).ok_or_else(|| format!("unknown action '{}'", step.action))?;
    sink.log(
        Some(step_id),
        format!("Beginning step {}", step.name),
        Some(StepStatus::Processing),
    )
    .await;
    if dry_run && !info.dry_run {
        sink.log(
            Some(step_id),
            format!("Skipped in a dry run: {} would run here", step.action),
            Some(StepStatus::Skipped),
        )
        .await;
        return Ok(());
    }
    // `each`: the action runs once per item, with `each.key` and `each.value`; outputs
    // are collected per output name, in order.
    let items: Option<Vec<(Value, Value)>> = match &step.each {
        None => None,
        Some(each) => {
            let value =
                expression::render_value(each, context).map_err(|e| format!("its `each`: {e}"))?;
            Some(expression::loop_items(value).map_err(|e| format!("its `each`: {e}"))?)
        }
    };
    let runs = items.map_or_else(|| vec![None], |items| items.into_iter().map(Some).collect());
    let mut collected = Map::new();
    let single = step.each.is_none();
    for item in runs {
        if let Some((key, value)) = &item {
            context.insert(
                "each".into(),
                serde_json::json!({"key": key, "value": value}),
            );
            sink.log(
                Some(step_id),
                format!("Running for {}", expression::to_text(value)),
                None,
            )
            .await;
        }
        let input = expression::render_value(&step.input, context)
            .map_err(|e| format!("its input: {e}"))?;
        let input = match input {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            _ => return Err("its input must be a mapping".into()),
        };
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<String>();
        let forward = {
            let sink = sink.clone();
            let step_id = step_id.to_owned();
            tokio::spawn(async move {
                while let Some(line) = receiver.recv().await {
                    sink.log(Some(&step_id), line, None).await;
                }
            })
        };
        let io = StepIo {
            input,
            workspace,
            origin,
            portal,
            who,
            log: Logger(sender),
            cancelled,
        };
        let result = actions::run(&step.action, io).await;
        // Every line the action logged is recorded before its status changes.
        let _ = forward.await;
        let output = result?;
        for (name, value) in output {
            if single {
                collected.insert(name, value);
            } else {
                match collected
                    .entry(name)
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(list) => list.push(value),
                    _ => unreachable!("made a list above"),
                }
            }
        }
    }
    context.remove("each");
    if let Some(Value::Object(steps)) = context.get_mut("steps") {
        steps.insert(step_id.to_owned(), serde_json::json!({"output": collected}));
    }
    sink.log(
        Some(step_id),
        format!("Finished step {}", step.name),
        Some(StepStatus::Completed),
    )
    .await;
    Ok(())
}

/// The template's output with its expressions filled in; `links` and `text` items whose
/// `if` does not hold are left out.
fn render_output(output: &Value, context: &Context) -> Result<Value, expression::ExpressionError> {
    let Value::Object(map) = output else {
        return Ok(Value::Object(Map::new()));
    };
    let mut out = Map::new();
    for (key, value) in map {
        let rendered = match (key.as_str(), value) {
            ("links" | "text", Value::Array(items)) => {
                let mut kept = Vec::new();
                for item in items {
                    let mut item = item.clone();
                    let condition = item.as_object_mut().and_then(|m| m.remove("if"));
                    if let Some(condition) = condition {
                        if !expression::is_true(&condition, context)? {
                            continue;
                        }
                    }
                    kept.push(expression::render_value(&item, context)?);
                }
                Value::Array(kept)
            }
            _ => expression::render_value(value, context)?,
        };
        out.insert(key.clone(), rendered);
    }
    Ok(Value::Object(out))
}
