//! A Template entity read for use: its form pages, its steps and its output, from the
//! `spec` of a `scaffolder.backstage.io/v1beta3` Template as written.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    expression::{self, Context},
    schema::{self, Schema},
    validate,
};
use crate::model::{catalog::entity::Entity, catalog::validation::FieldError};

/// A template, ready to render its form and run its steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// `metadata.title`, else the name.
    pub title: String,
    /// `metadata.description`.
    pub description: Option<String>,
    /// `spec.type` (`service`, `website`, `documentation`…).
    pub template_type: String,
    /// `spec.owner`, as written.
    pub owner: Option<String>,
    /// `metadata.tags`.
    pub tags: Vec<String>,
    /// The form, one page per entry of `spec.parameters`.
    pub pages: Vec<FormPage>,
    /// `spec.steps`, in order.
    pub steps: Vec<TemplateStep>,
    /// `spec.output` as written (`links`, `text`), filled in when the task ends.
    pub output: Value,
}

/// One page of a template's form: a JSON Schema object over the template's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormPage {
    /// The page's heading.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// The schema as written (title and description included).
    pub schema: Schema,
    /// `when`: the page is shown only when this condition holds.
    pub when: Option<Value>,
}

/// One of `spec.steps`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateStep {
    /// `id`, which later steps use to read its output.
    pub id: Option<String>,
    /// `name`, else the action.
    pub name: String,
    /// `action` (`fetch:template`, `publish:git`…).
    pub action: String,
    /// `input`, with its `${{ }}` expressions unevaluated.
    pub input: Value,
    /// `if`: the step runs only when this condition holds.
    #[serde(rename = "if")]
    pub condition: Option<Value>,
    /// `each`: the step runs once per item of this list (or entry of this object).
    pub each: Option<Value>,
}

/// Why an entity cannot be used as a template.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// Not a Template.
    #[error("{0} is a {1}, not a Template")]
    NotATemplate(String, String),
    /// A part of the spec has the wrong shape.
    #[error("spec.{field} {problem}")]
    Malformed {
        /// The field's path under `spec`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl Template {
    /// Reads a Template entity.
    pub fn from_entity(entity: &Entity) -> Result<Self, TemplateError> {
        if !entity.kind.eq_ignore_ascii_case("Template") {
            return Err(TemplateError::NotATemplate(
                entity.metadata.name.clone(),
                entity.kind.clone(),
            ));
        }
        let empty = Map::new();
        let spec = entity.spec.as_ref().unwrap_or(&empty);
        let malformed = |field: String, problem: &str| TemplateError::Malformed {
            field,
            problem: problem.into(),
        };
        let pages = match spec.get("parameters") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(page)) => vec![page.clone()],
            Some(Value::Array(pages)) => pages
                .iter()
                .enumerate()
                .map(|(i, page)| {
                    page.as_object()
                        .cloned()
                        .ok_or_else(|| malformed(format!("parameters[{i}]"), "must be a mapping"))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(malformed(
                    "parameters".into(),
                    "must be a mapping or a list of mappings",
                ))
            }
        };
        let pages = pages
            .into_iter()
            .enumerate()
            .map(|(i, mut schema)| {
                let when = schema.remove("when");
                FormPage {
                    title: schema::text(&schema, "title")
                        .map_or_else(|| format!("Step {}", i + 1), str::to_owned),
                    description: schema::text(&schema, "description").map(str::to_owned),
                    schema,
                    when,
                }
            })
            .collect();
        let steps = match spec.get("steps") {
            Some(Value::Array(steps)) => steps
                .iter()
                .enumerate()
                .map(|(i, step)| {
                    let step = step
                        .as_object()
                        .ok_or_else(|| malformed(format!("steps[{i}]"), "must be a mapping"))?;
                    let action = step
                        .get("action")
                        .and_then(Value::as_str)
                        .ok_or_else(|| malformed(format!("steps[{i}].action"), "is required"))?;
                    let text = |key: &str| step.get(key).and_then(Value::as_str).map(str::to_owned);
                    Ok(TemplateStep {
                        id: text("id"),
                        name: text("name").unwrap_or_else(|| action.to_owned()),
                        action: action.to_owned(),
                        input: step
                            .get("input")
                            .cloned()
                            .unwrap_or(Value::Object(Map::new())),
                        condition: step.get("if").cloned(),
                        each: step.get("each").cloned(),
                    })
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(malformed("steps".into(), "must be a list of steps")),
        };
        Ok(Template {
            namespace: entity.metadata.namespace.clone(),
            name: entity.metadata.name.clone(),
            title: entity
                .metadata
                .title
                .clone()
                .unwrap_or_else(|| entity.metadata.name.clone()),
            description: entity.metadata.description.clone(),
            template_type: spec
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            owner: spec.get("owner").and_then(Value::as_str).map(str::to_owned),
            tags: entity.metadata.tags.clone(),
            pages,
            steps,
            output: spec.get("output").cloned().unwrap_or(Value::Null),
        })
    }

    /// The indexes of the pages shown for these values: those without `when`, and those
    /// whose `when` holds. A `when` that cannot be evaluated shows its page.
    pub fn visible_pages(&self, values: &Value) -> Vec<usize> {
        let context = parameters_context(values);
        self.pages
            .iter()
            .enumerate()
            .filter(|(_, page)| {
                page.when
                    .as_ref()
                    .is_none_or(|when| expression::is_true(when, &context).unwrap_or(true))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The values the form starts with: every page's defaults.
    pub fn initial_values(&self) -> Value {
        let mut values = Value::Object(Map::new());
        for page in &self.pages {
            values = schema::with_defaults(&page.schema, &values);
        }
        values
    }

    /// The problems of one page's fields.
    pub fn page_errors(&self, page: usize, values: &Value) -> Vec<FieldError> {
        self.pages
            .get(page)
            .map(|p| validate::validate(&p.schema, values))
            .unwrap_or_default()
    }

    /// The problems of the values over every visible page: what the server checks before
    /// it creates a task.
    pub fn validate(&self, values: &Value) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for page in self.visible_pages(values) {
            for error in self.page_errors(page, values) {
                if !errors.contains(&error) {
                    errors.push(error);
                }
            }
        }
        errors
    }

    /// The values a task receives: only the fields of visible pages (answers on a page
    /// that a later choice hid are dropped), with defaults filled in.
    pub fn submitted_values(&self, values: &Value) -> Value {
        let visible = self.visible_pages(values);
        let mut out = Map::new();
        for page in visible {
            let page = &self.pages[page];
            let filled = schema::with_defaults(&page.schema, values);
            let resolved = schema::resolve(&page.schema, &filled);
            if let (Some(Value::Object(properties)), Value::Object(filled)) =
                (resolved.get("properties"), &filled)
            {
                for name in properties.keys() {
                    if let Some(value) = filled.get(name).filter(|v| !schema::is_blank(Some(v))) {
                        out.insert(name.clone(), value.clone());
                    }
                }
            }
        }
        Value::Object(out)
    }
}

impl Template {
    /// Splits the answers to `ui:field: Secret` fields from the others: the task keeps
    /// them apart from its spec (expressions read them as `secrets.<name>`) and forgets
    /// them when it ends.
    pub fn split_secrets(&self, values: &Value) -> (Value, Map<String, Value>) {
        let mut parameters = values.as_object().cloned().unwrap_or_default();
        let mut secrets = Map::new();
        for page in &self.pages {
            let resolved = schema::resolve(&page.schema, values);
            let Some(Value::Object(properties)) = resolved.get("properties") else {
                continue;
            };
            for (name, property) in properties {
                if property.get("ui:field").and_then(Value::as_str) == Some("Secret") {
                    if let Some(secret) = parameters.shift_remove(name) {
                        secrets.insert(name.clone(), secret);
                    }
                }
            }
        }
        (Value::Object(parameters), secrets)
    }
}

/// The context expressions in a form see: `{parameters: values}`.
pub fn parameters_context(values: &Value) -> Context {
    Context::from_iter([("parameters".to_owned(), values.clone())])
}
