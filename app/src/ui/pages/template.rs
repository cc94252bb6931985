//! `/create/templates/{namespace}/{name}`: a template's form as a wizard — a progress
//! indicator, one page of fields at a time with live validation, and a review of every
//! answer (secrets masked) before Create.
//!
//! Every keystroke runs the shared validator ([`crate::model::template::validate`]) in
//! the browser; the server runs it again (with the catalog's own checks) a moment after
//! typing stops and when the task is created. The same form works without JavaScript:
//! it posts to the server, which moves the wizard and renders the page again.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};

use crate::{
    api::{
        check_template_values, create_task, dry_run_template, get_template_form, TaskCreation,
        TemplateForm,
    },
    model::{
        catalog::validation::FieldError,
        task::DryRunView,
        template::{
            form::{leaf_fields, page_fields, review},
            gallery::form_href,
            wizard::{Wizard, WizardStep},
            Template,
        },
    },
    ui::{
        form_fields::{field_id, Fields, FormState},
        status::{FailedStatus, NotFoundStatus},
    },
};

/// How long after the last change the server checks the answers (names taken, entities
/// that must exist).
const SERVER_CHECK_DEBOUNCE_MS: u64 = 300;

/// The template form page.
#[component]
pub fn TemplatePage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        params.with(|p| {
            (
                p.get("namespace").unwrap_or_default(),
                p.get("name").unwrap_or_default(),
            )
        })
    };
    let form = Resource::new(key, |(namespace, name)| get_template_form(namespace, name));
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the template…"</p> }>
            {move || Suspend::new(async move {
                let (namespace, name) = key();
                match form.await {
                    Ok(TemplateForm::Ready { template, wizard }) => view! { <TemplateWizard template=*template wizard /> }.into_any(),
                    Ok(TemplateForm::Unusable(problem)) => view! {
                        <Title text="Template cannot be used" />
                        <div class="notice notice--error" role="alert" data-testid="template-unusable">
                            <h1>"This template cannot be used"</h1>
                            <p>{format!("template:{namespace}/{name}: {problem}. Its owner needs to fix the template's YAML.")}</p>
                            <p><A href=format!("/catalog/{namespace}/template/{name}")>"See the template in the catalog"</A></p>
                        </div>
                    }
                    .into_any(),
                    Ok(TemplateForm::Missing) => view! {
                        <NotFoundStatus />
                        <Title text="No such template" />
                        <div class="notice" data-testid="template-missing">
                            <h1>"No such template"</h1>
                            <p>
                                {format!("The catalog has no template {namespace}/{name}. ")}
                                <A href="/create">"Choose one from the gallery"</A>
                                "."
                            </p>
                        </div>
                    }
                    .into_any(),
                    Err(error) => view! {
                        <FailedStatus />
                        <p class="notice notice--error" role="alert">
                            {format!("The template could not be read: {error}. Reload the page to try again.")}
                        </p>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TemplateWizard(template: Template, wizard: Wizard) -> impl IntoView {
    let server_errors = RwSignal::new(wizard.server_errors.clone());
    let wizard = RwSignal::new(wizard);
    let template = StoredValue::new(template);
    let touched = RwSignal::new(HashSet::<String>::new());
    // Set once the page is interactive: before that (and without JavaScript) the buttons
    // stay enabled and the server does the checking.
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));

    // What depends only on the step shown is redrawn only when the step changes, not on
    // every keystroke (inputs keep their focus).
    let step = Memo::new(move |_| wizard.with(|w| w.step));
    let fields = Memo::new(move |_| {
        wizard.with(|w| match w.step {
            WizardStep::Page(page) => {
                template.with_value(|t| page_fields(&t.pages[page].schema, &w.values))
            }
            WizardStep::Review => Vec::new(),
        })
    });
    let errors = Memo::new(move |_| {
        let mut errors = wizard.with(|w| template.with_value(|t| w.errors(t)));
        let on_page: HashSet<String> = match wizard.with(|w| w.step) {
            WizardStep::Review => HashSet::new(),
            WizardStep::Page(_) => {
                fields.with(|f| leaf_fields(f).iter().map(|f| f.path.to_string()).collect())
            }
        };
        let review = wizard.with(|w| w.step == WizardStep::Review);
        for error in server_errors.get() {
            let here = review || on_page.contains(&error.path.to_string());
            if here && !errors.contains(&error) {
                errors.push(error);
            }
        }
        errors
    });
    let state = FormState {
        template,
        wizard,
        touched,
        errors,
    };
    provide_context(state);

    let (namespace, name) = template.with_value(|t| (t.namespace.clone(), t.name.clone()));
    // The server's checks, a moment after the answers stop changing; an answer that
    // changed since is not judged by an older check.
    let checks = StoredValue::new(0u64);
    Effect::new({
        let (namespace, name) = (namespace.clone(), name.clone());
        move |previous: Option<()>| {
            let values = wizard.with(|w| w.values.clone());
            if previous.is_none() {
                return;
            }
            checks.update_value(|n| *n += 1);
            let ticket = checks.get_value();
            let (namespace, name) = (namespace.clone(), name.clone());
            let check = move || {
                leptos::task::spawn_local(async move {
                    // The page may be gone by the time the answer comes: `try_` everywhere.
                    if let Ok(found) = check_template_values(namespace, name, values).await {
                        if checks.try_get_value() == Some(ticket) {
                            server_errors.try_set(found);
                        }
                    }
                })
            };
            let _ = set_timeout_with_handle(
                check,
                std::time::Duration::from_millis(SERVER_CHECK_DEBOUNCE_MS),
            );
        }
    });

    let navigate = use_navigate();
    let creating = RwSignal::new(false);
    let create = {
        let (namespace, name) = (namespace.clone(), name.clone());
        move || {
            if creating.get_untracked() {
                return;
            }
            creating.set(true);
            let values =
                template.with_value(|t| wizard.with_untracked(|w| t.submitted_values(&w.values)));
            let (namespace, name) = (namespace.clone(), name.clone());
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match create_task(namespace, name, values).await {
                    // The page goes away: nothing of it may be touched after this.
                    Ok(TaskCreation::Created(id)) => {
                        navigate(&format!("/create/tasks/{id}"), Default::default());
                        return;
                    }
                    Ok(TaskCreation::Invalid(found)) => {
                        server_errors.try_set(found);
                        wizard.try_update(|w| w.attempted = true);
                    }
                    Err(error) => {
                        server_errors.try_set(vec![FieldError {
                            path: Default::default(),
                            message: format!(
                                "The task could not be created: {}",
                                crate::api::reason(&error)
                            ),
                        }]);
                    }
                }
                creating.try_set(false);
            });
        }
    };

    let title = template.with_value(|t| t.title.clone());
    let description = template.with_value(|t| t.description.clone());
    let action = form_href(&namespace, &name);
    let values_json = move || wizard.with(|w| w.values.to_string());
    let step_text = move || match step.get() {
        WizardStep::Page(page) => page.to_string(),
        WizardStep::Review => "review".to_owned(),
    };

    view! {
        <Title text=title.clone() />
        <div class="wizard">
            <header class="wizard__header">
                <p class="muted"><A href="/create">"Create"</A>" › Template"</p>
                <h1>{title}</h1>
                {description.map(|d| view! { <p class="muted">{d}</p> })}
            </header>
            <form class="wizard__form" method="post" action=action novalidate=true on:submit=|ev| ev.prevent_default()>
                <input type="hidden" name="__values" value=values_json />
                <input type="hidden" name="__step" value=step_text />
                <Progress step />
                {move || match step.get() {
                    WizardStep::Page(page) => {
                        let (page_title, page_description) = template
                            .with_value(|t| (t.pages[page].title.clone(), t.pages[page].description.clone()));
                        view! {
                            <section class="wizard__page" aria-labelledby="wizard-page-title">
                                <h2 id="wizard-page-title">{page_title}</h2>
                                {page_description.map(|d| view! { <p class="muted">{d}</p> })}
                                <Fields fields />
                            </section>
                        }
                        .into_any()
                    }
                    WizardStep::Review => view! { <Review /> }.into_any(),
                }}
                <Buttons step interactive creating create=create.clone() />
            </form>
        </div>
    }
}

/// The wizard's steps, the current one marked; earlier steps can be revisited.
#[component]
fn Progress(step: Memo<WizardStep>) -> impl IntoView {
    let state = expect_context::<FormState>();
    // Answers can show or hide pages (`when`), so the steps follow them; the list is
    // redrawn only when it changes.
    let steps = Memo::new(move |_| {
        step.track();
        state
            .wizard
            .with(|w| state.template.with_value(|t| (w.steps(t), w.position(t))))
    });
    let steps = move || steps.get();
    view! {
        <ol class="wizard__steps" aria-label="Progress">
            {move || {
                let (steps, position) = steps();
                let count = steps.len();
                steps
                    .into_iter()
                    .enumerate()
                    .map(|(i, (title, step))| {
                        let value = match step {
                            WizardStep::Page(page) => format!("goto:{page}"),
                            WizardStep::Review => "goto:review".to_owned(),
                        };
                        let status = if i < position { "done" } else if i == position { "current" } else { "todo" };
                        view! {
                            <li class=format!("wizard__step wizard__step--{status}")>
                                <button
                                    type="submit"
                                    name="__intent"
                                    value=value
                                    aria-current=(i == position).then_some("step")
                                    disabled={i > position}
                                    on:click=move |ev| {
                                        ev.prevent_default();
                                        state.wizard.update(|w| state.template.with_value(|t| w.go_to(t, step)));
                                    }
                                >
                                    <span class="wizard__step-number">{format!("{} of {count}", i + 1)}</span>
                                    <span>{title}</span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
    }
}

/// Every answer, secrets masked, grouped by page; and a dry run on request.
#[component]
fn Review() -> impl IntoView {
    let state = expect_context::<FormState>();
    let rows = move || {
        state.wizard.with(|w| {
            state
                .template
                .with_value(|t| review(t, &t.submitted_values(&w.values)))
        })
    };
    let dry_run = RwSignal::new(None::<Result<DryRunView, String>>);
    let running = RwSignal::new(false);
    let start_dry_run = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        running.set(true);
        let (namespace, name) = state
            .template
            .with_value(|t| (t.namespace.clone(), t.name.clone()));
        let values = state.wizard.with_untracked(|w| w.values.clone());
        leptos::task::spawn_local(async move {
            let result = dry_run_template(namespace, name, values)
                .await
                .map_err(|e| e.to_string());
            dry_run.set(Some(result));
            running.set(false);
        });
    };
    view! {
        <section class="wizard__page" aria-labelledby="wizard-page-title">
            <h2 id="wizard-page-title">"Review"</h2>
            <p class="muted">"Check your answers. Go back to any step to change one."</p>
            <table class="definition-table review" data-testid="review">
                <tbody>
                    {move || {
                        rows()
                            .into_iter()
                            .map(|row| view! {
                                <tr>
                                    <th scope="row">{row.title}<span class="muted review__page">{row.page}</span></th>
                                    <td>{row.value}</td>
                                </tr>
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
            <p>
                <button class="button button--quiet" type="button" on:click=start_dry_run disabled=move || running.get()>
                    {move || if running.get() { "Running…" } else { "Dry run: show the files it would create" }}
                </button>
            </p>
            {move || dry_run.get().map(|result| match result {
                Ok(run) => view! { <DryRunResult run /> }.into_any(),
                Err(error) => view! { <p class="notice notice--error" role="alert">{format!("The dry run failed: {error}")}</p> }.into_any(),
            })}
        </section>
    }
}

/// What a dry run did: its log, and every file it would create.
#[component]
fn DryRunResult(run: DryRunView) -> impl IntoView {
    let log: String = run
        .events
        .iter()
        .map(|e| match &e.body.step_id {
            Some(step) => format!("[{step}] {}\n", e.body.message),
            None => format!("{}\n", e.body.message),
        })
        .collect();
    view! {
        <section class="dry-run" data-testid="dry-run" aria-label="Dry run">
            <h3>{format!("Dry run: {} — {} {}", run.status.as_str(), run.files.len(), if run.files.len() == 1 { "file" } else { "files" })}</h3>
            <p class="muted">"Nothing was published or registered."</p>
            <ul class="dry-run__files">
                {run.files.into_iter().map(|file| view! {
                    <li>
                        <details>
                            <summary><code>{file.path.clone()}</code><span class="muted">{format!(" {} bytes", file.size)}</span></summary>
                            <pre>{file.text.unwrap_or_else(|| "(not shown: binary or large)".into())}</pre>
                        </details>
                    </li>
                }).collect_view()}
            </ul>
            <details>
                <summary>"Log"</summary>
                <pre class="task-step__log">{log}</pre>
            </details>
        </section>
    }
}

/// Back, and Next or Create — with the reasons when they cannot be used yet.
#[component]
fn Buttons(
    step: Memo<WizardStep>,
    interactive: RwSignal<bool>,
    creating: RwSignal<bool>,
    create: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let on_review = move || step.get() == WizardStep::Review;
    let first = Memo::new(move |_| {
        step.track();
        state
            .wizard
            .with(|w| state.template.with_value(|t| w.position(t) == 0))
    });
    let problems = move || {
        let fields = state.wizard.with(|w| {
            state.template.with_value(|t| {
                t.visible_pages(&w.values)
                    .into_iter()
                    .flat_map(|page| {
                        leaf_fields(&page_fields(&t.pages[page].schema, &w.values))
                            .into_iter()
                            .map(|f| (f.path.to_string(), f.title.clone()))
                            .collect::<Vec<_>>()
                    })
                    .collect::<Vec<_>>()
            })
        });
        state.errors.with(|errors| {
            errors
                .iter()
                .map(|e| {
                    let path = e.path.to_string();
                    let title = fields
                        .iter()
                        .find(|(p, _)| *p == path)
                        .map_or(path.clone(), |(_, t)| t.clone());
                    (path, title, e.message.clone())
                })
                .collect::<Vec<_>>()
        })
    };
    let blocked = move || interactive.get() && !state.errors.with(Vec::is_empty);
    let next = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let moved = state
            .wizard
            .try_update(|w| state.template.with_value(|t| w.next(t)))
            .unwrap_or(false);
        if moved {
            state.touched.set(HashSet::new());
        }
    };
    view! {
        <div class="wizard__actions">
            {move || {
                if on_review() {
                    let create = create.clone();
                    view! {
                        <button
                            class="button"
                            type="submit"
                            name="__intent"
                            value="create"
                            disabled=move || blocked() || creating.get()
                            aria-describedby="wizard-why"
                            on:click=move |ev| {
                                ev.prevent_default();
                                create();
                            }
                        >
                            {move || if creating.get() { "Creating…" } else { "Create" }}
                        </button>
                    }
                    .into_any()
                } else {
                    view! {
                        <button class="button" type="submit" name="__intent" value="next" disabled=blocked aria-describedby="wizard-why" on:click=next>
                            "Next"
                        </button>
                    }
                    .into_any()
                }
            }}
            <button
                class="button button--quiet"
                type="submit"
                name="__intent"
                value="back"
                formnovalidate=true
                disabled=first
                on:click=move |ev| {
                    ev.prevent_default();
                    state.wizard.update(|w| state.template.with_value(|t| w.back(t)));
                }
            >
                "Back"
            </button>
        </div>
        <div id="wizard-why" class="wizard__why" aria-live="polite" data-testid="wizard-why">
            {move || {
                let problems = problems();
                (!problems.is_empty()).then(|| {
                    let verb = if on_review() { "create" } else { "continue" };
                    view! {
                        <p>{format!("To {verb}, fix {}:", if problems.len() == 1 { "this".to_owned() } else { format!("these {}", problems.len()) })}</p>
                        <ul>
                            {problems
                                .into_iter()
                                .map(|(path, title, message)| {
                                    let href = if path.is_empty() { String::new() } else { format!("#{}", field_id(&crate::model::template::form::parse_path(&path).unwrap_or_default())) };
                                    view! { <li><a href=href>{title}</a>": "{message}</li> }
                                })
                                .collect_view()}
                        </ul>
                    }
                })
            }}
        </div>
    }
}
