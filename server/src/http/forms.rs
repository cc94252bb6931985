//! Template forms posted without JavaScript: `POST /create/templates/{namespace}/{name}`.
//!
//! The browser posts the page's fields, the answers so far (`__values`), the step shown
//! (`__step`) and the button pressed (`__intent`). The server moves the wizard exactly
//! as the browser would (the same `Wizard`, the same validator) and renders the page
//! again — or, on Create with valid answers, creates the task and redirects to it.

use app::{
    api::{PostedWizard, Services, TaskCreation},
    model::{
        catalog::validation::FieldError,
        template::{
            form::{get_value, list_item_schema, parse_path, read_posted_page, set_value},
            schema::with_defaults,
            wizard::{Wizard, WizardStep},
            Template,
        },
    },
};
use axum::{
    body::Body,
    extract::{Path, State},
    http::Request,
    response::{IntoResponse, Redirect, Response},
};
use leptos::prelude::*;
use serde_json::Value;

use super::{identity::Caller, AppState};
use app::model::identity::principal::Principal;

/// The largest form accepted.
const MAX_FORM: usize = 4 * 1024 * 1024;

/// Handles a posted template form.
pub async fn post_template_form(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((namespace, name)): Path<(String, String)>,
    request: Request<Body>,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM).await else {
        return (
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "the form is larger than 4 MiB",
        )
            .into_response();
    };
    let posted: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
    let field = |key: &str| {
        posted
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let wizard = match state.portal.template(&who, &namespace, &name).await {
        Ok(Some(Ok(template))) => {
            let values = field("__values")
                .and_then(|v| serde_json::from_str(v).ok())
                .unwrap_or(Value::Null);
            let step = match field("__step") {
                Some("review") => WizardStep::Review,
                Some(page) => WizardStep::Page(page.parse().unwrap_or(0)),
                None => WizardStep::Page(0),
            };
            let mut wizard = Wizard::at(&template, values, step);
            if let WizardStep::Page(page) = wizard.step {
                read_posted_page(&template.pages[page].schema, &mut wizard.values, &posted);
            }
            let intent = field("__intent").unwrap_or("next").to_owned();
            match act(&state, &who, &template, &mut wizard, &intent).await {
                Some(task) => {
                    return Redirect::to(&format!("/create/tasks/{task}")).into_response()
                }
                None => Some(wizard),
            }
        }
        // No such template (or an unusable one): the page says so.
        _ => None,
    };
    parts.method = axum::http::Method::GET;
    let request = Request::from_parts(parts, Body::empty());
    let services = Services(state.portal.clone());
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(services.clone());
            if let Some(wizard) = &wizard {
                provide_context(PostedWizard(wizard.clone()));
            }
        },
        move || app::ui::shell(options.clone()),
    );
    handler(request).await
}

/// Carries out the button pressed; returns the task's id when one was created.
async fn act(
    state: &AppState,
    who: &Principal,
    template: &Template,
    wizard: &mut Wizard,
    intent: &str,
) -> Option<String> {
    match intent {
        "back" => wizard.back(template),
        "next" => {
            let server = page_server_errors(state, who, template, wizard).await;
            if server.is_empty() {
                wizard.next(template);
            } else {
                wizard.server_errors = server;
                wizard.attempted = true;
            }
        }
        "create" => {
            match state
                .portal
                .create_task(who, &template.namespace, &template.name, &wizard.values)
                .await
            {
                Ok(TaskCreation::Created(id)) => return Some(id),
                Ok(TaskCreation::Invalid(problems)) => wizard.server_errors = problems,
                Err(error) => {
                    wizard.server_errors = vec![FieldError {
                        path: Default::default(),
                        message: format!("The task could not be created: {error}"),
                    }]
                }
            }
            wizard.step = WizardStep::Review;
            wizard.attempted = true;
        }
        goto if goto.starts_with("goto:") => {
            let target = match &goto[5..] {
                "review" => Some(WizardStep::Review),
                page => page.parse().ok().map(WizardStep::Page),
            };
            if let Some(target) = target {
                wizard.go_to(template, target);
            }
        }
        add if add.starts_with("add:") => {
            if let (Some(path), WizardStep::Page(page)) = (parse_path(&add[4..]), wizard.step) {
                let count = get_value(&wizard.values, &path)
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                let fresh = list_item_schema(&template.pages[page].schema, &path, &wizard.values)
                    .map(|schema| with_defaults(&schema, &Value::Object(Default::default())))
                    .unwrap_or_else(|| Value::Object(Default::default()));
                set_value(&mut wizard.values, &path.index(count), Some(fresh));
            }
        }
        remove if remove.starts_with("remove:") => {
            if let Some(path) = parse_path(&remove[7..]) {
                set_value(&mut wizard.values, &path, None);
            }
        }
        _ => {}
    }
    None
}

/// The catalog's checks for the fields of the page shown.
async fn page_server_errors(
    state: &AppState,
    who: &Principal,
    template: &Template,
    wizard: &Wizard,
) -> Vec<FieldError> {
    let WizardStep::Page(page) = wizard.step else {
        return Vec::new();
    };
    let local = template.page_errors(page, &wizard.values);
    let fields =
        app::model::template::form::page_fields(&template.pages[page].schema, &wizard.values);
    let on_page: Vec<String> = app::model::template::form::leaf_fields(&fields)
        .iter()
        .map(|f| f.path.to_string())
        .collect();
    match state
        .portal
        .check_template_values(who, template, &wizard.values)
        .await
    {
        Ok(found) => found
            .into_iter()
            .filter(|e| on_page.contains(&e.path.to_string()) && !local.contains(e))
            .collect(),
        Err(error) => vec![FieldError {
            path: Default::default(),
            message: format!("The answers could not be checked: {error}"),
        }],
    }
}
