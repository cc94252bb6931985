//! A template form's fields, one component per widget of [`Widget`]. Each input is named
//! by its field's path, so the same markup posts correctly without JavaScript; with it,
//! every keystroke updates the answers and the shared validator's messages.
//!
//! Text inputs own their text while the person types (a half-typed number such as `1.`
//! must stay as typed); they start from the answers whenever they are drawn.

use std::collections::HashSet;

use leptos::prelude::*;
use serde_json::Value;

use super::typing::Debounce;
use crate::{
    api::search_entity_choices,
    model::{
        catalog::validation::{FieldError, FieldPath},
        template::{
            form::{
                choice_key, get_value, input_text, input_value, list_item_schema, set_value,
                Choice, EntityChoice, EntityPicker, FormField, Widget,
            },
            repo_url::RepoUrl,
            schema::with_defaults,
            wizard::Wizard,
            Template,
        },
    },
};

/// How long a picker waits after the last keystroke before it searches the catalog.
const PICKER_DEBOUNCE_MS: u64 = 150;

/// What every field of one form shares, as context.
#[derive(Clone, Copy)]
pub struct FormState {
    /// The template whose form this is.
    pub template: StoredValue<Template>,
    /// The answers and the step shown.
    pub wizard: RwSignal<Wizard>,
    /// Paths of the fields the person has typed in or left: their problems show.
    pub touched: RwSignal<HashSet<String>>,
    /// Every problem of the step shown, the browser's and the server's.
    pub errors: Memo<Vec<FieldError>>,
}

impl FormState {
    fn answer(&self, path: &FieldPath) -> Value {
        self.wizard
            .with_untracked(|w| get_value(&w.values, path).cloned().unwrap_or(Value::Null))
    }

    fn set(&self, path: &FieldPath, value: Option<Value>) {
        self.wizard
            .update(|w| set_value(&mut w.values, path, value));
        self.touch(path);
    }

    fn touch(&self, path: &FieldPath) {
        let key = path.to_string();
        if !self.touched.with_untracked(|t| t.contains(&key)) {
            self.touched.update(|t| {
                t.insert(key);
            });
        }
    }
}

/// The element id of a field's input.
pub fn field_id(path: &FieldPath) -> String {
    let text: String = path
        .to_string()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("field-{text}")
}

/// A list of fields, each redrawn only when what it shows changes.
#[component]
pub fn Fields(#[prop(into)] fields: Signal<Vec<FormField>>) -> impl IntoView {
    view! {
        <For each=move || fields.get() key=|field| format!("{field:?}") let:field>
            <FieldView field />
        </For>
    }
}

/// One field: label, description, input, help and problems.
#[component]
pub fn FieldView(field: FormField) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field_id(&field.path);
    let key = field.path.to_string();
    let own_path = field.path.clone();
    let messages = Memo::new(move |_| {
        let visible =
            state.wizard.with(|w| w.attempted) || state.touched.with(|t| t.contains(&key));
        if !visible {
            return Vec::new();
        }
        state.errors.with(|errors| {
            errors
                .iter()
                .filter(|e| e.path == own_path)
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
        })
    });
    let invalid = move || !messages.with(Vec::is_empty);
    let errors_id = format!("{id}-errors");
    let described = [
        field
            .description
            .as_ref()
            .map(|_| format!("{id}-description")),
        Some(errors_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");

    let title = view! {
        {field.title.clone()}
        {field.required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
    };
    let description = field.description.clone().map(
        |text| view! { <p class="field__description" id=format!("{id}-description")>{text}</p> },
    );
    let help = field
        .help
        .clone()
        .map(|text| view! { <p class="field__help">{text}</p> });
    let errors = move || {
        messages
            .get()
            .into_iter()
            .map(|message| view! { <li>{message}</li> })
            .collect_view()
    };
    let errors = view! { <ul class="field__errors" id=errors_id aria-live="polite">{errors}</ul> };

    match field.widget.clone() {
        Widget::Hidden => {
            let value = input_text(&field.widget, &state.answer(&field.path));
            view! { <input type="hidden" name=field.path.to_string() value=value /> }.into_any()
        }
        Widget::Group(inner) => view! {
            <fieldset class="field field--group" id=id>
                <legend>{title}</legend>
                {description}
                <Fields fields=Signal::derive(move || inner.clone()) />
                {help}
                {errors}
            </fieldset>
        }
        .into_any(),
        Widget::Repeat { items, max } => view! {
            <fieldset class="field field--group" id=id.clone() class:field--invalid=invalid>
                <legend>{title}</legend>
                {description}
                <RepeatItems field=field.clone() items max />
                {help}
                {errors}
            </fieldset>
        }
        .into_any(),
        Widget::Checkbox => {
            let path = field.path.clone();
            let checked = state.answer(&path) == Value::Bool(true);
            view! {
                <div class="field field--checkbox" class:field--invalid=invalid>
                    <label>
                        <input
                            type="checkbox"
                            id=id
                            name=field.path.to_string()
                            value="true"
                            checked=checked
                            disabled=field.readonly
                            aria-describedby=described
                            on:change=move |ev| state.set(&path, Some(Value::Bool(event_target_checked(&ev))))
                        />
                        " "
                        {title}
                    </label>
                    {description}
                    {help}
                    {errors}
                </div>
            }
            .into_any()
        }
        Widget::Radio(choices) | Widget::Checkboxes(choices) => {
            let many = matches!(field.widget, Widget::Checkboxes(_));
            view! {
                <fieldset class="field field--choices" id=id class:field--invalid=invalid aria-describedby=described>
                    <legend>{title}</legend>
                    {description}
                    <Choices field=field.clone() choices many />
                    {help}
                    {errors}
                </fieldset>
            }
            .into_any()
        }
        widget => view! {
            <div class="field" class:field--invalid=invalid>
                <label for=id.clone()>{title}</label>
                {description}
                <Input field=field.clone() widget id described />
                {help}
                {errors}
            </div>
        }
        .into_any(),
    }
}

/// Radio buttons (one choice) or check boxes (any of them).
#[component]
fn Choices(field: FormField, choices: Vec<Choice>, many: bool) -> impl IntoView {
    let state = expect_context::<FormState>();
    let name = field.path.to_string();
    let current = state.answer(&field.path);
    let all = StoredValue::new(choices.clone());
    choices
        .into_iter()
        .map(|choice| {
            let checked = match &current {
                Value::Array(picked) => picked.contains(&choice.value),
                value => *value == choice.value,
            };
            let path = field.path.clone();
            let value = choice.value.clone();
            let on_change = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                if many {
                    let mut picked: Vec<Value> = match state.answer(&path) {
                        Value::Array(items) => items,
                        _ => Vec::new(),
                    };
                    picked.retain(|v| *v != value);
                    if on {
                        picked.push(value.clone());
                    }
                    // Keep the order the template lists the choices in.
                    let ordered: Vec<Value> = all.with_value(|all| {
                        all.iter()
                            .filter(|c| picked.contains(&c.value))
                            .map(|c| c.value.clone())
                            .collect()
                    });
                    state.set(
                        &path,
                        (!ordered.is_empty()).then_some(Value::Array(ordered)),
                    );
                } else if on {
                    state.set(&path, Some(value.clone()));
                }
            };
            view! {
                <label class="choice">
                    <input
                        type=if many { "checkbox" } else { "radio" }
                        name=name.clone()
                        value=choice_key(&choice.value)
                        checked=checked
                        disabled=field.readonly
                        on:change=on_change
                    />
                    " "
                    {choice.label.clone()}
                </label>
            }
        })
        .collect_view()
}

/// The input of every other widget.
#[component]
fn Input(field: FormField, widget: Widget, id: String, described: String) -> impl IntoView {
    let state = expect_context::<FormState>();
    let path = field.path.clone();
    let name = path.to_string();
    let initial = input_text(&widget, &state.answer(&path));
    let on_input = {
        let path = path.clone();
        let widget = widget.clone();
        move |ev: leptos::ev::Event| {
            state.set(&path, input_value(&widget, &event_target_value(&ev)))
        }
    };
    let on_blur = {
        let path = path.clone();
        move |_| state.touch(&path)
    };
    let placeholder = field.placeholder.clone();
    let readonly = field.readonly;
    match widget {
        Widget::TextArea { .. } | Widget::TextList => {
            let (rows, placeholder) = match widget {
                Widget::TextArea { rows } => (rows, placeholder),
                _ => (3, placeholder.or_else(|| Some("One per line".into()))),
            };
            view! {
                <textarea
                    id=id
                    name=name
                    rows=rows
                    placeholder=placeholder
                    readonly=readonly
                    autofocus=field.autofocus
                    aria-describedby=described
                    on:input=on_input
                    on:blur=on_blur
                >
                    {initial}
                </textarea>
            }
            .into_any()
        }
        Widget::Select(choices) | Widget::MultiSelect(choices) => {
            let multiple = matches!(field.widget, Widget::MultiSelect(_));
            let current = state.answer(&path);
            let all = choices.clone();
            let on_change = move |ev: leptos::ev::Event| {
                let picked: Vec<Value> = selected_keys(&ev)
                    .into_iter()
                    .filter_map(|key| {
                        all.iter()
                            .find(|c| choice_key(&c.value) == key)
                            .map(|c| c.value.clone())
                    })
                    .collect();
                let value = if multiple {
                    (!picked.is_empty()).then_some(Value::Array(picked))
                } else {
                    picked.into_iter().next()
                };
                state.set(&path, value);
            };
            let chosen = |value: &Value| match &current {
                Value::Array(items) => items.contains(value),
                other => other == value,
            };
            view! {
                <select
                    id=id
                    name=name
                    multiple=multiple
                    disabled=readonly
                    aria-describedby=described
                    on:change=on_change
                    on:blur=on_blur
                >
                    {(!multiple).then(|| view! { <option value="" selected=current.is_null()>"Choose…"</option> })}
                    {choices
                        .iter()
                        .map(|c| view! { <option value=choice_key(&c.value) selected=chosen(&c.value)>{c.label.clone()}</option> })
                        .collect_view()}
                </select>
            }
            .into_any()
        }
        Widget::Number {
            integer,
            min,
            max,
            range,
        } => view! {
            <input
                id=id
                name=name
                type=if range { "range" } else { "number" }
                inputmode=if integer { "numeric" } else { "decimal" }
                step=if integer { "1" } else { "any" }
                min=min
                max=max
                value=initial
                placeholder=placeholder
                readonly=readonly
                autofocus=field.autofocus
                aria-describedby=described
                on:input=on_input
                on:blur=on_blur
            />
        }
        .into_any(),
        Widget::EntityPicker(picker) => view! {
            <PickerInput field=field.clone() picker id described initial />
        }
        .into_any(),
        Widget::RepoUrl { hosts, owners } => view! {
            <RepoUrlInput field=field.clone() hosts owners id />
        }
        .into_any(),
        Widget::File => view! {
            <FileInput field=field.clone() id described />
        }
        .into_any(),
        widget => {
            let input_type = match widget {
                Widget::Text(kind) => kind,
                Widget::Password => "password",
                _ => "text",
            };
            let placeholder = placeholder.or_else(|| {
                matches!(widget, Widget::Tags)
                    .then(|| "Comma-separated, like rust, payments".to_owned())
            });
            view! {
                <input
                    id=id
                    name=name
                    type=input_type
                    value=initial
                    placeholder=placeholder
                    readonly=readonly
                    autofocus=field.autofocus
                    autocomplete=if input_type == "password" { "new-password" } else { "off" }
                    aria-describedby=described
                    on:input=on_input
                    on:blur=on_blur
                />
            }
            .into_any()
        }
    }
}

/// An entity picker: free text with the catalog's matching entities suggested as the
/// person types (a `datalist`, so the browser's own completion is used). A multi-picker
/// takes refs separated by commas; suggestions complete the last one.
#[component]
fn PickerInput(
    field: FormField,
    picker: EntityPicker,
    id: String,
    described: String,
    initial: String,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let path = field.path.clone();
    let list_id = format!("{id}-choices");
    let choices = RwSignal::new(Vec::<EntityChoice>::new());
    let typed = RwSignal::new(initial.clone());
    let debounce = Debounce::new(PICKER_DEBOUNCE_MS);
    let filter = picker.filter.clone();
    let mine = picker.mine;
    let multiple = picker.multiple;
    let search = move |text: String| {
        let filter = filter.clone();
        let term = if multiple {
            text.rsplit(',')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        } else {
            text
        };
        // A full ref was chosen or typed: search by its name.
        let term = term
            .rsplit(['/', ':'])
            .next()
            .unwrap_or_default()
            .to_owned();
        let run = move || {
            leptos::task::spawn_local(async move {
                if let Ok(found) = search_entity_choices(filter, term, mine).await {
                    choices.try_set(found);
                }
            })
        };
        debounce.call(run);
    };
    let widget = field.widget.clone();
    let on_input = {
        let search = search.clone();
        let path = path.clone();
        move |ev: leptos::ev::Event| {
            let text = event_target_value(&ev);
            typed.set(text.clone());
            state.set(&path, input_value(&widget, &text));
            search(text);
        }
    };
    let on_focus = move |_| search(typed.get_untracked());
    let kinds_hint = (!picker.kinds.is_empty())
        .then(|| format!("A {} from the catalog", picker.kinds.join(" or ")));
    let option_value = move |choice: &EntityChoice| {
        if multiple {
            let typed = typed.get();
            let before: Vec<&str> = typed
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            let keep = if typed.trim_end().ends_with(',') {
                before.len()
            } else {
                before.len().saturating_sub(1)
            };
            let mut refs: Vec<String> = before[..keep].iter().map(|s| (*s).to_owned()).collect();
            refs.push(choice.reference.clone());
            refs.join(", ")
        } else {
            choice.reference.clone()
        }
    };
    view! {
        <input
            id=id
            name=path.to_string()
            type="text"
            list=list_id.clone()
            value=initial
            placeholder=field.placeholder.clone().or(kinds_hint)
            readonly=field.readonly
            autofocus=field.autofocus
            autocomplete="off"
            aria-describedby=described
            on:input=on_input
            on:focus=on_focus
            on:blur=move |_| state.touch(&path)
        />
        <datalist id=list_id>
            {move || {
                choices
                    .get()
                    .iter()
                    .map(|choice| view! { <option value=option_value(choice)>{choice.title.clone()}</option> })
                    .collect_view()
            }}
        </datalist>
    }
}

/// A repository location as three inputs — host, owner, repository — combined into
/// `host?owner=…&repo=…`. Allowed hosts and owners are drop-downs.
#[component]
fn RepoUrlInput(
    field: FormField,
    hosts: Vec<String>,
    owners: Vec<String>,
    id: String,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let path = field.path.clone();
    let current = match state.answer(&path) {
        Value::String(text) => RepoUrl::parts(&text),
        _ => RepoUrl::default(),
    };
    let host = RwSignal::new(if current.host.is_empty() {
        hosts.first().cloned().unwrap_or_default()
    } else {
        current.host.clone()
    });
    let owner = RwSignal::new(current.owner.clone().unwrap_or_default());
    let repo = RwSignal::new(current.repo.clone());
    let update = {
        let path = path.clone();
        move || {
            let url = RepoUrl {
                host: host.get_untracked(),
                owner: Some(owner.get_untracked()).filter(|o| !o.is_empty()),
                repo: repo.get_untracked(),
                ..Default::default()
            };
            let empty = url.owner.is_none() && url.repo.is_empty();
            state.set(&path, (!empty).then(|| Value::String(url.to_text())));
        }
    };
    let base = path.to_string();
    let part = move |name: &str| format!("{base}:{name}");
    let choice_or_text = |label: &'static str,
                          name: String,
                          part_id: String,
                          signal: RwSignal<String>,
                          allowed: Vec<String>,
                          update: Box<dyn Fn() + Send + Sync>| {
        let update = std::sync::Arc::new(update);
        let input = if allowed.is_empty() {
            let update = update.clone();
            view! {
                <input
                    id=part_id.clone()
                    name=name
                    type="text"
                    value=signal.get_untracked()
                    autocomplete="off"
                    readonly=field.readonly
                    on:input=move |ev| {
                        signal.set(event_target_value(&ev));
                        update();
                    }
                />
            }
            .into_any()
        } else {
            let current = signal.get_untracked();
            let update = update.clone();
            view! {
                <select
                    id=part_id.clone()
                    name=name
                    disabled=field.readonly
                    on:change=move |ev| {
                        signal.set(event_target_value(&ev));
                        update();
                    }
                >
                    <option value="" selected=current.is_empty()>"Choose…"</option>
                    {allowed
                        .into_iter()
                        .map(|value| view! { <option value=value.clone() selected=value == current>{value.clone()}</option> })
                        .collect_view()}
                </select>
            }
            .into_any()
        };
        view! {
            <span class="repo-url__part">
                <label for=part_id>{label}</label>
                {input}
            </span>
        }
    };
    view! {
        <div class="repo-url" id=id>
            {choice_or_text("Host", part("host"), format!("{}-host", field_id(&path)), host, hosts, Box::new(update.clone()))}
            {choice_or_text("Owner", part("owner"), format!("{}-owner", field_id(&path)), owner, owners, Box::new(update.clone()))}
            {choice_or_text("Name", part("repo"), format!("{}-repo", field_id(&path)), repo, Vec::new(), Box::new(update))}
        </div>
    }
}

/// A file, read in the browser into a `data:` URL.
#[component]
fn FileInput(field: FormField, id: String, described: String) -> impl IntoView {
    let state = expect_context::<FormState>();
    let path = field.path.clone();
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::{closure::Closure, JsCast};
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                state.set(&path, None);
                return;
            };
            let Ok(reader) = web_sys::FileReader::new() else {
                return;
            };
            let path = path.clone();
            let done_reader = reader.clone();
            let on_load = Closure::once_into_js(move || {
                let text = done_reader.result().ok().and_then(|r| r.as_string());
                state.set(&path, text.map(Value::String));
            });
            reader.set_onload(Some(on_load.unchecked_ref()));
            let _ = reader.read_as_data_url(&file);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, &path, &state);
    };
    view! {
        <input id=id type="file" disabled=field.readonly aria-describedby=described on:change=on_change />
    }
}

/// The items of a list of groups, each with its fields and a Remove button, and an Add
/// button. Without JavaScript the buttons post the form (`__intent=add:…`/`remove:…`).
#[component]
fn RepeatItems(field: FormField, items: Vec<Vec<FormField>>, max: Option<u64>) -> impl IntoView {
    let state = expect_context::<FormState>();
    let path = field.path.clone();
    let count = items.len();
    let full = max.is_some_and(|max| count as u64 >= max);
    let item_schema = {
        let path = path.clone();
        move || {
            state.template.with_value(|t| {
                state.wizard.with_untracked(|w| match w.step {
                    crate::model::template::wizard::WizardStep::Page(page) => {
                        list_item_schema(&t.pages[page].schema, &path, &w.values)
                    }
                    _ => None,
                })
            })
        }
    };
    let add = {
        let path = path.clone();
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            let fresh = item_schema()
                .map(|schema| with_defaults(&schema, &Value::Object(Default::default())))
                .unwrap_or_else(|| Value::Object(Default::default()));
            state.set(&path.index(count), Some(fresh));
        }
    };
    view! {
        <ol class="repeat">
            {items
                .into_iter()
                .enumerate()
                .map(|(i, fields)| {
                    let item_path = path.index(i);
                    let remove_path = item_path.clone();
                    view! {
                        <li class="repeat__item">
                            <Fields fields=Signal::derive(move || fields.clone()) />
                            <button
                                class="button button--quiet"
                                type="submit"
                                name="__intent"
                                value=format!("remove:{item_path}")
                                on:click=move |ev| {
                                    ev.prevent_default();
                                    state.set(&remove_path, None);
                                }
                            >
                                {format!("Remove item {}", i + 1)}
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <button
            class="button button--quiet"
            type="submit"
            name="__intent"
            value=format!("add:{path}")
            disabled=full || field.readonly
            on:click=add
        >
            {format!("Add to {}", field.title)}
        </button>
    }
}

/// The values of a `<select>`'s chosen options.
fn selected_keys(ev: &leptos::ev::Event) -> Vec<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(select) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        else {
            return Vec::new();
        };
        let options = select.selected_options();
        (0..options.length())
            .filter_map(|i| options.item(i))
            .filter_map(|o| o.get_attribute("value"))
            .collect()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        vec![event_target_value(ev)]
    }
}
