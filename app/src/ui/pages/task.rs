//! `/create/tasks/{id}`: one task — its status, each step with its live log (streamed
//! from the task API's event stream), cancel while it runs, and the template's output
//! and the workspace archive once it ends. `/create/tasks`: the tasks so far.
//!
//! The server renders the events so far; in the browser an `EventSource` adds the rest
//! as they happen and the page fetches the output when the task ends.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use crate::{
    api::{cancel_task, get_task_page, get_tasks},
    model::{
        catalog::entity_ref::EntityRef,
        task::{rfc3339, step_statuses, StepStatus, TaskEvent, TaskPage, TaskStatus},
        template::gallery::form_href,
    },
    ui::status::{FailedStatus, NotFoundStatus},
};

/// The task page.
#[component]
pub fn TaskPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let page = Resource::new(id, get_task_page);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the task…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(Some(task)) => view! { <TaskView task on_end=move || page.refetch() /> }.into_any(),
                    Ok(None) => view! {
                        <NotFoundStatus />
                        <Title text="No such task" />
                        <div class="notice" data-testid="task-missing">
                            <h1>"No such task"</h1>
                            <p>{format!("There is no task {}. ", id())}<A href="/create/tasks">"See every task"</A></p>
                        </div>
                    }
                    .into_any(),
                    Err(error) => view! {
                        <FailedStatus />
                        <p class="notice notice--error" role="alert">
                            {format!("The task could not be read: {error}. Reload the page to try again.")}
                        </p>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

pub(crate) fn status_label(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Open => "Waiting to start",
        TaskStatus::Processing => "Running",
        TaskStatus::Completed => "Completed",
        TaskStatus::Failed => "Failed",
        TaskStatus::Cancelled => "Cancelled",
    }
}

fn step_label(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Open => "Not started",
        StepStatus::Processing => "Running",
        StepStatus::Completed => "Done",
        StepStatus::Skipped => "Skipped",
        StepStatus::Failed => "Failed",
        StepStatus::Cancelled => "Cancelled",
    }
}

/// `ms` as "12.3 s" or "2 min 5 s".
fn duration(ms: i64) -> String {
    if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} min {} s", ms / 60_000, ms / 1000 % 60)
    }
}

#[component]
fn TaskView(task: TaskPage, on_end: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let summary = task.summary.clone();
    let id = summary.id.clone();
    let events = RwSignal::new(task.events.clone());
    let status = RwSignal::new(summary.status);
    // Follow the task while it runs.
    if !summary.status.is_final() {
        follow(id.clone(), events, status, on_end);
    }
    let steps = StoredValue::new(task.steps.clone());
    let statuses = move || events.with(|e| steps.with_value(|s| step_statuses(s, e)));
    let template = EntityRef::parse_full(&summary.template_ref).ok();
    let again = template
        .as_ref()
        .map(|t| form_href(t.namespace(), t.name()));
    let cancelling = RwSignal::new(false);
    let refused = RwSignal::new(None::<String>);
    let cancel = {
        let id = id.clone();
        move |_| {
            cancelling.set(true);
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match cancel_task(id).await {
                    Ok(Some(now)) if now.is_final() => {
                        status.try_set(now);
                    }
                    Ok(_) => {}
                    Err(error) => {
                        refused.try_set(Some(format!(
                            "The task was not cancelled: {}",
                            crate::api::reason(&error)
                        )));
                        cancelling.try_set(false);
                    }
                }
            });
        }
    };
    let took = summary
        .finished_at
        .map(|end| duration(end - summary.created_at));
    let task_lines = move || {
        events.with(|events| {
            events
                .iter()
                .filter(|e| e.body.step_id.is_none())
                .map(|e| view! { <li>{e.body.message.clone()}</li> })
                .collect_view()
        })
    };
    view! {
        <Title text=format!("Task: {}", summary.template_title) />
        <div class="task" data-testid="task">
            <header class="task__header">
                <p class="muted"><A href="/create">"Create"</A>" › "<A href="/create/tasks">"Tasks"</A></p>
                <h1>{summary.template_title.clone()}</h1>
                <p class="task__facts">
                    <span class=move || format!("badge task-status task-status--{}", status.get().as_str()) data-testid="task-status">
                        {move || status_label(status.get())}
                    </span>
                    <span class="muted">{format!(" Started {}", rfc3339(summary.created_at).replace('T', " ").trim_end_matches('Z').to_owned() + " UTC")}</span>
                    {took.map(|t| view! { <span class="muted" data-testid="task-duration">{format!(" · took {t}")}</span> })}
                </p>
                <div class="task__tools">
                    {move || (!status.get().is_final()).then(|| view! {
                        <button class="button button--quiet" type="button" on:click=cancel.clone() disabled=move || cancelling.get()>
                            {move || if cancelling.get() { "Cancelling…" } else { "Cancel" }}
                        </button>
                    })}
                    {task.has_archive.then(|| view! {
                        <a class="button button--quiet" href=format!("/api/scaffolder/v2/tasks/{id}/archive") download="">"Download the files"</a>
                    })}
                    {again.map(|href| view! { <A href=href attr:class="button button--quiet">"Run the template again"</A> })}
                </div>
                {move || refused.get().map(|message| view! {
                    <p class="notice notice--error" role="alert">{message}</p>
                })}
            </header>
            <ul class="task__log task__log--general">{task_lines}</ul>
            <ol class="task__steps">
                {task
                    .steps
                    .iter()
                    .enumerate()
                    .map(|(i, step)| {
                        let step_id = step.id.clone();
                        let step_status = move || statuses().get(i).copied().unwrap_or(StepStatus::Open);
                        let lines = move || {
                            events.with(|events| {
                                events
                                    .iter()
                                    .filter(|e| e.body.step_id.as_deref() == Some(step_id.as_str()))
                                    .map(|e| format!("{}  {}\n", &e.created_at[11..19], e.body.message))
                                    .collect::<String>()
                            })
                        };
                        view! {
                            <li class=move || format!("task-step task-step--{}", serde_json::to_value(step_status()).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())>
                                <details open=true>
                                    <summary>
                                        <span class="task-step__name">{step.name.clone()}</span>
                                        <code class="task-step__action">{step.action.clone()}</code>
                                        <span class="task-step__status" data-testid="step-status">{move || step_label(step_status())}</span>
                                    </summary>
                                    <pre class="task-step__log" data-testid="step-log">{lines}</pre>
                                </details>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            {(!task.links.is_empty() || !task.texts.is_empty()).then(|| view! {
                <section class="task__output" aria-labelledby="task-output" data-testid="task-output">
                    <h2 id="task-output">"Result"</h2>
                    <ul class="task__links">
                        {task.links.iter().map(|link| match &link.href {
                            Some(href) => view! { <li><a class="button" href=href.clone()>{link.title.clone()}</a></li> }.into_any(),
                            None => view! { <li class="task__link-text">{format!("{}: ", link.title)}<code>{link.target.clone()}</code></li> }.into_any(),
                        }).collect_view()}
                    </ul>
                    {task.texts.iter().map(|text| view! {
                        <h3>{text.title.clone()}</h3>
                        <pre class="task__text">{text.content.clone()}</pre>
                    }).collect_view()}
                </section>
            })}
        </div>
    }
}

/// Streams the task's new events into `events` (browser only); calls `on_end` once the
/// task has ended.
#[allow(unused_variables)]
fn follow(
    id: String,
    events: RwSignal<Vec<TaskEvent>>,
    status: RwSignal<TaskStatus>,
    on_end: impl Fn() + Clone + Send + Sync + 'static,
) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |started: Option<()>| {
        if started.is_some() {
            return;
        }
        use futures::StreamExt;
        let after = events.with_untracked(|e| e.last().map_or(0, |e| e.id));
        let url = format!("/api/scaffolder/v2/tasks/{id}/eventstream?after={after}");
        let Ok(mut source) = gloo_net::eventsource::futures::EventSource::new(&url) else {
            return;
        };
        let (Ok(log), Ok(completion), Ok(cancelled)) = (
            source.subscribe("log"),
            source.subscribe("completion"),
            source.subscribe("cancelled"),
        ) else {
            return;
        };
        let on_end = on_end.clone();
        leptos::task::spawn_local(async move {
            let mut stream = futures::stream::select_all([log, completion, cancelled]);
            while let Some(Ok((_, message))) = stream.next().await {
                let Some(data) = message.data().as_string() else {
                    continue;
                };
                let Ok(event) = serde_json::from_str::<TaskEvent>(&data) else {
                    continue;
                };
                let ended = event.event_type != crate::model::task::TaskEventType::Log;
                // The person may have left the page: `try_` everywhere.
                if let Some(final_status) = event.body.task_status {
                    status.try_set(final_status);
                }
                events.try_update(|list| {
                    if list.last().is_none_or(|last| last.id < event.id) {
                        list.push(event);
                    }
                });
                if ended {
                    break;
                }
            }
            source.close();
            on_end();
        });
    });
}

/// The task list.
#[component]
pub fn TasksPage() -> impl IntoView {
    let tasks = Resource::new(|| (), |_| get_tasks());
    view! {
        <Title text="Tasks" />
        <h1>"Tasks"</h1>
        <p class="muted">"Every run of a template, newest first. "<A href="/create">"Create something new"</A></p>
        <Transition fallback=|| view! { <p class="muted">"Loading tasks…"</p> }>
            {move || Suspend::new(async move {
                match tasks.await {
                    Ok(tasks) if tasks.is_empty() => view! {
                        <div class="notice" data-testid="tasks-empty">
                            <p>"No template has run yet. "<A href="/create">"Choose a template"</A>" to start one."</p>
                        </div>
                    }
                    .into_any(),
                    Ok(tasks) => view! {
                        <div class="table-scroll">
                            <table class="catalog-table" data-testid="tasks">
                                <thead><tr><th>"Template"</th><th>"Status"</th><th>"Started (UTC)"</th><th>"Took"</th></tr></thead>
                                <tbody>
                                    {tasks.into_iter().map(|task| view! {
                                        <tr>
                                            <td><A href=format!("/create/tasks/{}", task.id)>{task.template_title.clone()}</A></td>
                                            <td><span class=format!("badge task-status task-status--{}", task.status.as_str())>{status_label(task.status)}</span></td>
                                            <td>{rfc3339(task.created_at)[..19].replace('T', " ")}</td>
                                            <td>{task.finished_at.map(|end| duration(end - task.created_at)).unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                    .into_any(),
                    Err(error) => view! {
                        <FailedStatus />
                        <p class="notice notice--error" role="alert">{format!("The tasks could not be read: {error}.")}</p>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}
