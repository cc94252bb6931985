//! Backstage's scaffolder API under `/api/scaffolder/v2`: tasks (create, list, read,
//! events as JSON or a server-sent event stream, cancel), dry runs, the action list and
//! a template's parameter schema. Plus `GET /tasks/{id}/archive`, the workspace of an
//! ended task as a `.tar.gz`. Every handler is a thin adapter over
//! [`crate::services::Portal`].

use std::{convert::Infallible, time::Duration};

use app::{
    api::TaskCreation,
    model::{
        catalog::entity::Entity,
        catalog::entity_ref::{EntityRef, RefContext},
        catalog::validation::validate_entity,
        task::TaskStatus,
    },
};
use axum::{
    extract::{rejection::JsonRejection, Path, Query, State},
    http::{header, StatusCode},
    middleware,
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    routing::{get, post},
    Json, Router,
};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    error::{backstage_errors, ApiError},
    identity::Caller,
    AppState,
};
use crate::services::{DryRun, TaskError};

/// How often an event stream looks for new events.
const STREAM_POLL: Duration = Duration::from_millis(150);

/// The routes under `/api/scaffolder/v2`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(list).post(create))
        .route("/tasks/{id}", get(task))
        .route("/tasks/{id}/events", get(events))
        .route("/tasks/{id}/eventstream", get(event_stream))
        .route("/tasks/{id}/cancel", post(cancel))
        .route("/tasks/{id}/archive", get(archive))
        .route("/dry-run", post(dry_run))
        .route("/actions", get(actions))
        .route(
            "/templates/{namespace}/{kind}/{name}/parameter-schema",
            get(parameter_schema),
        )
        .layer(middleware::from_fn(backstage_errors))
}

impl From<TaskError> for ApiError {
    fn from(error: TaskError) -> Self {
        match error {
            TaskError::NotFound(message) => ApiError::not_found(message),
            TaskError::Invalid(message) => ApiError::bad_request(message),
            TaskError::Store(error) => error.into(),
            TaskError::Refused(refusal) => refusal.into(),
        }
    }
}

fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b).map_err(|e| {
        ApiError::bad_request(format!("the request body is not valid: {}", e.body_text()))
    })
}

/// `POST /tasks` body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTask {
    template_ref: String,
    #[serde(default)]
    values: Value,
}

/// `POST /tasks`: checks the answers and queues a task; `201 {id}`.
pub async fn create(
    State(state): State<AppState>,
    Caller(who): Caller,
    request: Result<Json<CreateTask>, JsonRejection>,
) -> Result<Response, ApiError> {
    let request = body(request)?;
    let reference = EntityRef::parse(&request.template_ref, RefContext::of_kind("template"))
        .map_err(|e| ApiError::bad_request(format!("templateRef: {e}")))?;
    if reference.kind() != "template" {
        return Err(ApiError::bad_request(format!(
            "templateRef {reference} is not a template"
        )));
    }
    match state
        .portal
        .create_task(
            &who,
            reference.namespace(),
            reference.name(),
            &request.values,
        )
        .await?
    {
        TaskCreation::Created(id) => {
            Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
        }
        TaskCreation::Invalid(problems) => {
            let list: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect();
            Err(ApiError::bad_request(format!(
                "the values have problems: {}",
                list.join("; ")
            )))
        }
    }
}

/// `GET /tasks` query.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    status: Option<String>,
    created_by: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /tasks`: `{tasks, totalTasks}`, newest first.
pub async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(TaskStatus::parse(text).ok_or_else(|| {
            ApiError::bad_request(format!(
                "status '{text}' is not one of open, processing, completed, failed, cancelled"
            ))
        })?),
    };
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let (tasks, total) = state
        .portal
        .serialized_tasks(
            &who,
            status,
            query.created_by.as_deref(),
            limit,
            query.offset.unwrap_or(0).max(0),
        )
        .await?;
    Ok(Json(json!({ "tasks": tasks, "totalTasks": total })))
}

/// `GET /tasks/{id}`.
pub async fn task(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state
        .portal
        .serialized_task(&who, &id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("Task with id {id} does not exist")))
}

/// `?after=N`: events after event N.
#[derive(Deserialize)]
pub struct After {
    after: Option<i64>,
}

/// `GET /tasks/{id}/events`: the events so far, as JSON.
pub async fn events(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Query(after): Query<After>,
) -> Result<Json<Value>, ApiError> {
    let (events, _) = state
        .portal
        .task_events(&who, &id, after.after.unwrap_or(0))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Task with id {id} does not exist")))?;
    Ok(Json(json!(events)))
}

/// `GET /tasks/{id}/eventstream`: the events as server-sent events (`event: log`,
/// `event: completion`), new ones as they happen; the stream ends after the task does.
pub async fn event_stream(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Query(after): Query<After>,
    headers: axum::http::HeaderMap,
) -> Result<Sse<impl futures_core::Stream<Item = Result<Event, Infallible>>>, ApiError> {
    if state
        .portal
        .task_events(&who, &id, i64::MAX)
        .await?
        .is_none()
    {
        return Err(ApiError::not_found(format!(
            "Task with id {id} does not exist"
        )));
    }
    let portal = state.portal.clone();
    // A browser reconnecting says where it got to.
    let resumed = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let start = resumed.or(after.after).unwrap_or(0);
    let stream = crate::http::stream::channel_stream(64, move |sender| async move {
        let mut last = start;
        loop {
            let Ok(Some((events, status))) = portal.task_events(&who, &id, last).await else {
                return;
            };
            for event in events {
                last = event.id;
                let name = serde_json::to_value(event.event_type).ok();
                let name = name
                    .as_ref()
                    .and_then(Value::as_str)
                    .unwrap_or("log")
                    .to_owned();
                let data = serde_json::to_string(&event).unwrap_or_default();
                if sender
                    .send(Ok(Event::default()
                        .event(name)
                        .id(last.to_string())
                        .data(data)))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            if status.is_final() {
                // The final event is written before the status; one more look catches it.
                if let Ok(Some((events, _))) = portal.task_events(&who, &id, last).await {
                    for event in events {
                        let data = serde_json::to_string(&event).unwrap_or_default();
                        let _ = sender
                            .send(Ok(Event::default()
                                .event("completion")
                                .id(event.id.to_string())
                                .data(data)))
                            .await;
                    }
                }
                return;
            }
            tokio::time::sleep(STREAM_POLL).await;
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// `POST /tasks/{id}/cancel`: `{status}`.
pub async fn cancel(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let status = state
        .portal
        .cancel_task(&who, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Task with id {id} does not exist")))?;
    Ok(Json(json!({ "status": status.as_str() })))
}

/// `GET /tasks/{id}/archive`: the workspace of an ended task, `.tar.gz`.
pub async fn archive(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let bytes = state.portal.task_archive(&who, &id).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "Task {id} has no archive (it has not ended, or does not exist)"
        ))
    })?;
    let disposition = format!("attachment; filename=\"task-{id}.tar.gz\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/gzip".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /dry-run` body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRunRequest {
    /// The template entity.
    template: Value,
    #[serde(default)]
    values: Value,
    /// The template folder's files, base64.
    #[serde(default)]
    directory_contents: Option<Vec<DirectoryFile>>,
}

/// One file of `directoryContents`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryFile {
    path: String,
    base64_content: String,
}

/// `POST /dry-run`: runs the template against a temporary workspace; the log, the
/// files it would produce, the output and the steps.
pub async fn dry_run(
    State(state): State<AppState>,
    Caller(who): Caller,
    request: Result<Json<DryRunRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let request = body(request)?;
    let entity: Entity = validate_entity(&request.template).map_err(|problems| {
        let list: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
        ApiError::bad_request(format!("template: {}", list.join("; ")))
    })?;
    let files = match request.directory_contents {
        None => None,
        Some(files) => Some(
            files
                .into_iter()
                .map(|f| {
                    base64::engine::general_purpose::STANDARD
                        .decode(f.base64_content.as_bytes())
                        .map(|bytes| (f.path.clone(), bytes))
                        .map_err(|e| {
                            ApiError::bad_request(format!(
                                "directoryContents {}: not base64: {e}",
                                f.path
                            ))
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let DryRun {
        events,
        files,
        output,
        steps,
        ..
    } = state
        .portal
        .dry_run(&who, &entity, &request.values, files)
        .await?;
    Ok(Json(json!({
        "log": events.iter().map(|e| json!({"body": e.body})).collect::<Vec<_>>(),
        "directoryContents": files.iter().map(|f| json!({
            "path": f.path,
            "base64Content": base64::engine::general_purpose::STANDARD.encode(&f.contents),
            "executable": f.executable,
        })).collect::<Vec<_>>(),
        "output": output,
        "steps": steps.iter().map(|s| json!({"id": s.id, "name": s.name, "action": s.action})).collect::<Vec<_>>(),
    })))
}

/// `GET /actions`: every action with its input and output schemas.
pub async fn actions() -> Json<Value> {
    Json(json!(crate::scaffolder::actions::ACTIONS
        .iter()
        .map(|a| {
            let schema = (a.schema)();
            json!({"id": a.id, "description": a.description, "schema": schema})
        })
        .collect::<Vec<_>>()))
}

/// `GET /templates/{namespace}/{kind}/{name}/parameter-schema`: the form's pages.
pub async fn parameter_schema(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((namespace, kind, name)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    if !kind.eq_ignore_ascii_case("template") {
        return Err(ApiError::bad_request(format!(
            "{kind}:{namespace}/{name} is not a template"
        )));
    }
    let template = match state.portal.template(&who, &namespace, &name).await? {
        None => {
            return Err(ApiError::not_found(format!(
                "the catalog has no template:{namespace}/{name}"
            )))
        }
        Some(Err(error)) => {
            return Err(ApiError::bad_request(format!(
                "template:{namespace}/{name}: {error}"
            )))
        }
        Some(Ok(template)) => template,
    };
    Ok(Json(json!({
        "title": template.title,
        "description": template.description,
        "steps": template.pages.iter().map(|page| {
            let mut schema = page.schema.clone();
            schema.remove("title");
            schema.remove("description");
            json!({"title": page.title, "description": page.description, "schema": schema})
        }).collect::<Vec<_>>(),
    })))
}
