//! Scaffolder tasks as the portal serves them: creating one from a template and its
//! answers (checked again here, whatever the browser said), listing and reading tasks
//! and their events, cancelling, dry runs, and the archive of a task's workspace.
//!
//! - `read.rs`: a task's page, lists, events and archive, for those who may read it.

mod read;

use read::steps_of;

use std::sync::{atomic::AtomicBool, Arc, Mutex};

use app::{
    api::TaskCreation,
    model::{
        catalog::entity::{annotations, Entity},
        catalog::entity_ref::EntityRef,
        identity::{
            action::Action,
            audit::Outcome,
            policy::{Refusal, Target},
            principal::Principal,
        },
        task::{
            output_parts, DryRunFileView, DryRunView, TaskEvent, TaskEventBody, TaskStatus,
            TaskStep,
        },
        template::Template,
    },
};
use serde_json::{json, Value};

use super::{identity::entity_target, Portal};
use crate::{
    scaffolder::{
        actions::{self, TemplateOrigin},
        now_ms,
        run::{run, EventSink, TaskSpec, TemplateInfo},
        workspace::{files_under, inside},
    },
    store::{StoreError, TaskRow},
};

/// Why a task cannot be created or read.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// No such template or task.
    #[error("{0}")]
    NotFound(String),
    /// The template or the request cannot be used.
    #[error("{0}")]
    Invalid(String),
    /// The policy does not let the person asking do it.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A file a dry run produced.
#[derive(Clone, Debug)]
pub struct DryRunFile {
    /// Its path in the workspace.
    pub path: String,
    /// Its contents.
    pub contents: Vec<u8>,
    /// Whether it is executable.
    pub executable: bool,
}

/// What a dry run did.
#[derive(Clone, Debug)]
pub struct DryRun {
    /// How it ended.
    pub status: TaskStatus,
    /// Its log.
    pub events: Vec<TaskEvent>,
    /// The files it would produce.
    pub files: Vec<DryRunFile>,
    /// The template's output, filled in.
    pub output: Value,
    /// The template's steps.
    pub steps: Vec<TaskStep>,
}

/// Steps whose action Portico does not have, as `steps[2] (Publish): publish:github`.
pub fn unknown_actions(template: &Template) -> Vec<String> {
    template
        .steps
        .iter()
        .enumerate()
        .filter(|(_, step)| actions::info(&step.action).is_none())
        .map(|(i, step)| format!("steps[{i}] ({}): {}", step.name, step.action))
        .collect()
}

impl Portal {
    /// Checks the answers to template `namespace/name` and, when they hold, stores a
    /// task that a worker will run. A template with an action Portico does not have is
    /// refused here, before anything runs.
    pub async fn create_task(
        &self,
        who: &Principal,
        namespace: &str,
        name: &str,
        values: &Value,
    ) -> Result<TaskCreation, TaskError> {
        let reference = EntityRef::new("template", namespace, name);
        let entity = self
            .entity(who, &reference)
            .await?
            .ok_or_else(|| TaskError::NotFound(format!("the catalog has no {reference}")))?;
        self.authorize(who, Action::TemplateRun, &entity_target(&entity))
            .await?;
        let created = self.create_allowed(who, &reference, &entity, values).await;
        let (outcome, detail) = match &created {
            Ok(TaskCreation::Created(id)) => (Outcome::Done, format!("task {id}")),
            Ok(TaskCreation::Invalid(problems)) => (
                Outcome::Failed,
                format!("{} answers are not valid", problems.len()),
            ),
            Err(error) => (Outcome::Failed, error.to_string()),
        };
        let target = reference.to_string();
        self.record(who, Action::TemplateRun.name(), &target, outcome, detail)
            .await;
        created
    }

    /// [`Portal::create_task`], once allowed.
    async fn create_allowed(
        &self,
        who: &Principal,
        reference: &EntityRef,
        entity: &Entity,
        values: &Value,
    ) -> Result<TaskCreation, TaskError> {
        let created_by = who.user.to_string();
        let created_by = Some(created_by.as_str());
        let template = Template::from_entity(entity)
            .map_err(|e| TaskError::Invalid(format!("{reference}: {e}")))?;
        let unknown = unknown_actions(&template);
        if !unknown.is_empty() {
            return Err(TaskError::Invalid(format!(
                "{reference} uses actions Portico does not have: {}. Portico's actions: {}",
                unknown.join("; "),
                actions::ACTIONS
                    .iter()
                    .map(|a| a.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let values = template.submitted_values(values);
        let problems = self.check_template_values(who, &template, &values).await?;
        if !problems.is_empty() {
            return Ok(TaskCreation::Invalid(problems));
        }
        // Secret fields' answers are kept apart from the spec, and forgotten at the end.
        let (parameters, secrets) = template.split_secrets(&values);
        let spec = task_spec(entity, &template, parameters, self.task_user(who).await?);
        let id = uuid::Uuid::new_v4().to_string();
        let spec_text =
            serde_json::to_string(&spec).map_err(|e| TaskError::Invalid(e.to_string()))?;
        let secrets_text = (!secrets.is_empty()).then(|| Value::Object(secrets).to_string());
        self.store()
            .create_task(
                &id,
                &reference.to_string(),
                &spec_text,
                secrets_text.as_deref(),
                created_by,
                now_ms(),
            )
            .await?;
        self.task_wakeup().notify_one();
        tracing::info!(task = %id, template = %reference, "task created");
        Ok(TaskCreation::Created(id))
    }

    /// Who a task runs for, as templates read it (`${{ user.ref }}`,
    /// `${{ user.entity.spec.profile.email }}`): the ref, and the User entity when the
    /// catalog has it (not the guest's).
    async fn task_user(&self, who: &Principal) -> Result<Value, StoreError> {
        Ok(match self.own_entity(who).await? {
            Some(entity) => json!({"ref": who.user.to_string(), "entity": entity}),
            None => json!({"ref": who.user.to_string()}),
        })
    }

    /// Asks for a task to be cancelled: an open task ends at once, a running one after
    /// its current step. `None` when there is no such task.
    pub async fn cancel_task(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<Option<TaskStatus>, TaskError> {
        let Some(task) = self.readable_task(who, id).await? else {
            return Ok(None);
        };
        let target = task_target(&task);
        self.authorize(who, Action::TaskCancel, &target).await?;
        let cancelled = self.cancel_allowed(id).await;
        self.recorded(who, Action::TaskCancel, &target.label, cancelled)
            .await
    }

    /// [`Portal::cancel_task`], once allowed.
    async fn cancel_allowed(&self, id: &str) -> Result<Option<TaskStatus>, TaskError> {
        let Some(status) = self.store().request_cancel(id, now_ms()).await? else {
            return Ok(None);
        };
        let status = TaskStatus::parse(&status).unwrap_or(TaskStatus::Cancelled);
        let sink = EventSink::Store {
            store: self.store().clone(),
            task_id: id.to_owned(),
        };
        if status == TaskStatus::Cancelled {
            sink.log(None, "Cancelled before it started".into(), None)
                .await;
            let body = TaskEventBody {
                message: "Run cancelled with status: cancelled".into(),
                task_status: Some(TaskStatus::Cancelled),
                ..Default::default()
            };
            let text = serde_json::to_string(&body).unwrap_or_default();
            self.store()
                .add_task_event(id, "cancelled", &text, now_ms())
                .await?;
        } else if !status.is_final() {
            sink.log(
                None,
                "Cancellation requested: the task stops after its current step".into(),
                None,
            )
            .await;
        }
        Ok(Some(status))
    }

    /// Runs a template against a temporary workspace: every step that only writes the
    /// workspace runs, the others (publishing, registering) are skipped and say so.
    /// Nothing is stored. The template's files are read where it was read from, or from
    /// `files` (its folder's contents, as Backstage's template editor sends them).
    pub async fn dry_run(
        &self,
        who: &Principal,
        entity: &Entity,
        values: &Value,
        files: Option<Vec<(String, Vec<u8>)>>,
    ) -> Result<DryRun, TaskError> {
        self.authorize(who, Action::TemplateRun, &entity_target(entity))
            .await?;
        let template =
            Template::from_entity(entity).map_err(|e| TaskError::Invalid(e.to_string()))?;
        let unknown = unknown_actions(&template);
        if !unknown.is_empty() {
            return Err(TaskError::Invalid(format!(
                "the template uses actions Portico does not have: {}",
                unknown.join("; ")
            )));
        }
        let values = template.submitted_values(values);
        let problems = template.validate(&values);
        if !problems.is_empty() {
            let list: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect();
            return Err(TaskError::Invalid(format!(
                "the answers have problems: {}",
                list.join("; ")
            )));
        }
        let (parameters, secrets) = template.split_secrets(&values);
        let spec = task_spec(entity, &template, parameters, self.task_user(who).await?);
        let workspace = self
            .scaffolder()
            .new_workspace()
            .map_err(|e| TaskError::Invalid(format!("cannot make a workspace: {e}")))?;
        let folder;
        let origin = match files {
            None => spec.origin(),
            Some(files) => {
                folder = self.scaffolder().new_workspace().map_err(|e| {
                    TaskError::Invalid(format!(
                        "cannot make a folder for the template's files: {e}"
                    ))
                })?;
                for (path, contents) in files {
                    let target = inside(folder.path(), &path)
                        .map_err(|e| TaskError::Invalid(format!("directoryContents: {e}")))?;
                    if let Some(parent) = target.parent() {
                        std::fs::create_dir_all(parent)
                            .map_err(|e| TaskError::Invalid(e.to_string()))?;
                    }
                    std::fs::write(&target, contents)
                        .map_err(|e| TaskError::Invalid(e.to_string()))?;
                }
                TemplateOrigin::Folder {
                    dir: folder.path().to_owned(),
                    confine: folder.path().to_owned(),
                }
            }
        };
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = EventSink::Memory(events.clone());
        let result = run(
            self,
            &spec,
            secrets,
            &origin,
            workspace.path(),
            &sink,
            &AtomicBool::new(false),
            true,
        )
        .await;
        let root = workspace.path().to_owned();
        let files = tokio::task::spawn_blocking(move || -> Vec<DryRunFile> {
            files_under(&root)
                .unwrap_or_default()
                .into_iter()
                .map(|path| {
                    let full = root.join(&path);
                    #[cfg(unix)]
                    let executable = {
                        use std::os::unix::fs::PermissionsExt;
                        std::fs::metadata(&full).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
                    };
                    #[cfg(not(unix))]
                    let executable = false;
                    DryRunFile {
                        contents: std::fs::read(&full).unwrap_or_default(),
                        path,
                        executable,
                    }
                })
                .collect()
        })
        .await
        .unwrap_or_default();
        let events = events.lock().expect("the run is over").clone();
        Ok(DryRun {
            status: result.status,
            events,
            files,
            output: result.output.unwrap_or(Value::Null),
            steps: steps_of(&spec),
        })
    }
}

impl Portal {
    /// A dry run of template `namespace/name` from the catalog, as the form's review
    /// step shows it.
    pub async fn dry_run_view(
        &self,
        who: &Principal,
        namespace: &str,
        name: &str,
        values: &Value,
    ) -> Result<DryRunView, TaskError> {
        let reference = EntityRef::new("template", namespace, name);
        let entity = self
            .entity(who, &reference)
            .await?
            .ok_or_else(|| TaskError::NotFound(format!("the catalog has no {reference}")))?;
        let run = self.dry_run(who, &entity, values, None).await?;
        let (links, texts) = output_parts(&run.output);
        Ok(DryRunView {
            status: run.status,
            steps: run.steps,
            events: run.events,
            files: run
                .files
                .into_iter()
                .map(|file| DryRunFileView {
                    size: file.contents.len() as u64,
                    text: (file.contents.len() <= DRY_RUN_TEXT_SHOWN)
                        .then(|| String::from_utf8(file.contents).ok())
                        .flatten(),
                    path: file.path,
                })
                .collect(),
            links,
            texts,
        })
    }
}

/// The largest file whose text a dry run shows.
const DRY_RUN_TEXT_SHOWN: usize = 64 * 1024;

/// The spec a task of `template` runs with these (already checked) answers.
fn task_spec(entity: &Entity, template: &Template, values: Value, user: Value) -> TaskSpec {
    let location = entity
        .metadata
        .annotations
        .get(annotations::MANAGED_BY_LOCATION);
    let base_url = location
        .and_then(|l| l.split_once(':'))
        .map(|(kind, target)| match kind {
            "file" => format!(
                "file://{}/",
                std::path::Path::new(target)
                    .parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
            _ => target
                .rsplit_once('/')
                .map_or_else(String::new, |(base, _)| format!("{base}/")),
        })
        .unwrap_or_default();
    TaskSpec {
        api_version: entity.api_version.clone(),
        steps: template.steps.clone(),
        output: template.output.clone(),
        parameters: values,
        user: Some(user),
        template_info: TemplateInfo {
            entity_ref: entity.entity_ref().to_string(),
            base_url,
            entity: json!({"metadata": {
                "name": entity.metadata.name,
                "namespace": entity.metadata.namespace,
                "title": template.title,
                "annotations": entity.metadata.annotations,
            }}),
        },
    }
}

/// A task as the policy sees it: its template (and the template's tags), owned by the
/// user who created it.
fn task_target(task: &TaskRow) -> Target {
    let spec: Option<TaskSpec> = serde_json::from_str(&task.spec).ok();
    let tags = spec
        .and_then(|spec| {
            serde_json::from_value(spec.template_info.entity["metadata"]["tags"].clone()).ok()
        })
        .unwrap_or_default();
    Target {
        label: format!("task {}", task.id),
        entity: EntityRef::parse_full(&task.template_ref).ok(),
        owners: task
            .created_by
            .iter()
            .filter_map(|user| EntityRef::parse_full(user).ok())
            .collect(),
        tags,
    }
}
