//! Scaffolder tasks: creating one from a template form's answers, a dry run, a task's
//! page, the list of tasks, cancelling.

use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{
    catalog::validation::FieldError,
    task::{DryRunView, TaskPage, TaskStatus, TaskSummary},
};

/// What creating a task from a form's answers led to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TaskCreation {
    /// The task was created and queued; its id.
    Created(String),
    /// The server found problems in the answers; nothing was created.
    Invalid(Vec<FieldError>),
}

/// Checks the answers to template `namespace/name` again on the server and, when they
/// hold, creates a task that runs the template's steps.
#[server(input = Json)]
pub async fn create_task(
    namespace: String,
    name: String,
    values: Value,
) -> Result<TaskCreation, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .create_task(
            super::service::request_principal()?,
            namespace,
            name,
            values,
        )
        .await
        .map_err(ServerFnError::new)
}

/// Runs template `namespace/name` with these answers against a temporary workspace,
/// without publishing or registering anything.
#[server(input = Json)]
pub async fn dry_run_template(
    namespace: String,
    name: String,
    values: Value,
) -> Result<DryRunView, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .dry_run_template(
            super::service::request_principal()?,
            namespace,
            name,
            values,
        )
        .await
        .map_err(ServerFnError::new)
}

/// A task's page; `None` when there is no such task.
#[server]
pub async fn get_task_page(id: String) -> Result<Option<TaskPage>, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .task_page(super::service::request_principal()?, id)
        .await
        .map_err(ServerFnError::new)
}

/// The most recent tasks, newest first.
#[server]
pub async fn get_tasks() -> Result<Vec<TaskSummary>, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .task_list(super::service::request_principal()?)
        .await
        .map_err(ServerFnError::new)
}

/// Asks for a task to be cancelled; its status after the request.
#[server]
pub async fn cancel_task(id: String) -> Result<Option<TaskStatus>, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .cancel_task(super::service::request_principal()?, id)
        .await
        .map_err(ServerFnError::new)
}
