//! Software Templates as the portal serves them: the gallery's cards, a template's form,
//! the server's checks of a form's answers (the shared validator, then what needs the
//! catalog), and the entities a picker suggests.

use app::{
    api::TemplateForm,
    model::{
        catalog::entity_ref::{EntityRef, RefContext},
        catalog::filter::{
            Condition, EntityQuery, FilterGroup, FullText, Order, OrderField,
            DEFAULT_FULL_TEXT_FIELDS,
        },
        catalog::validation::FieldError,
        identity::principal::Principal,
        template::{
            form::{leaf_fields, page_fields, EntityChoice, Mine, Widget},
            gallery::TemplateCard,
            wizard::Wizard,
            Template, TemplateError,
        },
    },
};
use serde_json::Value;

use super::Portal;
use crate::store::StoreError;

/// The most templates the gallery lists.
const MAX_TEMPLATES: usize = 1000;
/// How many suggestions a picker gets.
const CHOICES: usize = 20;

fn condition(key: &str, values: &[&str]) -> Condition {
    Condition {
        key: key.to_owned(),
        values: values.iter().map(|v| v.to_lowercase()).collect(),
    }
}

impl Portal {
    /// Every Template in the catalog `who` may read, as a gallery card, by name.
    pub async fn template_cards(&self, who: &Principal) -> Result<Vec<TemplateCard>, StoreError> {
        let query = EntityQuery {
            filter: vec![FilterGroup {
                conditions: vec![condition("kind", &["template"])],
            }],
            predicate: None,
            order: vec![OrderField {
                key: "metadata.name".into(),
                order: Order::Asc,
            }],
            limit: MAX_TEMPLATES,
            ..Default::default()
        };
        let (entities, _) = self.query_entities(who, &query).await?;
        Ok(entities.iter().map(TemplateCard::of).collect())
    }

    /// Template `namespace/name`: `None` when the catalog has none, an error when its
    /// spec cannot be used.
    pub async fn template(
        &self,
        who: &Principal,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Result<Template, TemplateError>>, StoreError> {
        let reference = EntityRef::new("template", namespace, name);
        Ok(self
            .entity(who, &reference)
            .await?
            .map(|e| Template::from_entity(&e)))
    }

    /// Template `namespace/name` with the state its form starts in: `posted` (kept on a
    /// page that still shows) or a fresh form.
    pub async fn template_form(
        &self,
        who: &Principal,
        namespace: &str,
        name: &str,
        posted: Option<Wizard>,
    ) -> Result<TemplateForm, StoreError> {
        Ok(match self.template(who, namespace, name).await? {
            None => TemplateForm::Missing,
            Some(Err(error)) => TemplateForm::Unusable(error.to_string()),
            Some(Ok(template)) => {
                let wizard = match posted {
                    Some(posted) => posted,
                    None => Wizard::start(&template),
                };
                TemplateForm::Ready {
                    template: Box::new(template),
                    wizard,
                }
            }
        })
    }

    /// The problems of these answers: the form's validator over every visible page (the
    /// same code the browser runs), then the catalog's checks — a new entity's name must
    /// be free, and a picker that allows no arbitrary value must name an entity that
    /// exists.
    pub async fn check_template_values(
        &self,
        who: &Principal,
        template: &Template,
        values: &Value,
    ) -> Result<Vec<FieldError>, StoreError> {
        let mut errors = template.validate(values);
        for page in template.visible_pages(values) {
            let fields = page_fields(&template.pages[page].schema, values);
            for field in leaf_fields(&fields) {
                if errors.iter().any(|e| e.path == field.path) {
                    continue;
                }
                let Some(Value::String(text)) =
                    app::model::template::form::get_value(values, &field.path)
                else {
                    continue;
                };
                let problem = match &field.widget {
                    Widget::EntityName => self.name_taken(text).await?,
                    Widget::EntityPicker(picker) if !picker.arbitrary && !picker.multiple => {
                        let context = RefContext {
                            default_kind: picker.default_kind.as_deref(),
                            default_namespace: None,
                        };
                        match EntityRef::parse(text, context) {
                            Ok(reference) if self.entity(who, &reference).await?.is_none() => {
                                Some(format!(
                                    "The catalog has no {reference}; choose one of its entities."
                                ))
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                };
                if let Some(message) = problem {
                    errors.push(FieldError {
                        path: field.path.clone(),
                        message,
                    });
                }
            }
        }
        Ok(errors)
    }

    /// "Already taken" when an entity in the default namespace has this name.
    async fn name_taken(&self, name: &str) -> Result<Option<String>, StoreError> {
        let query = EntityQuery {
            filter: vec![FilterGroup {
                conditions: vec![
                    condition("metadata.name", &[name]),
                    condition("metadata.namespace", &["default"]),
                ],
            }],
            limit: 1,
            ..Default::default()
        };
        let (refs, _) = self.store().query_entities(&query).await?;
        Ok(refs
            .first()
            .map(|existing| format!("The catalog already has {existing}; choose another name.")))
    }

    /// Up to [`CHOICES`] entities that `filter` selects (the whole catalog when empty)
    /// whose name, title, description or tags contain `text`, by name; with `mine`, only
    /// what `who` owns (through their groups too), or the groups `who` is a member of.
    pub async fn entity_choices(
        &self,
        who: &Principal,
        filter: Vec<FilterGroup>,
        text: &str,
        mine: Option<Mine>,
    ) -> Result<Vec<EntityChoice>, StoreError> {
        let filter = match mine {
            None => filter,
            // The guest owns nothing and belongs nowhere.
            Some(_) if !who.signed_in() => return Ok(Vec::new()),
            Some(mine) => only_mine(filter, who, mine),
        };
        let term = text.trim().to_lowercase();
        let query = EntityQuery {
            filter,
            predicate: None,
            order: vec![OrderField {
                key: "metadata.name".into(),
                order: Order::Asc,
            }],
            full_text: (!term.is_empty()).then(|| FullText {
                term,
                fields: DEFAULT_FULL_TEXT_FIELDS
                    .iter()
                    .map(|f| (*f).to_owned())
                    .collect(),
            }),
            limit: CHOICES,
            ..Default::default()
        };
        let (entities, _) = self.query_entities(who, &query).await?;
        Ok(entities
            .iter()
            .map(|entity| EntityChoice {
                reference: entity.entity_ref().to_string(),
                title: entity
                    .metadata
                    .title
                    .clone()
                    .unwrap_or_else(|| entity.metadata.name.clone()),
            })
            .collect())
    }
}

/// `filter` (every entity when empty), limited to what `who` owns, or to the groups
/// `who` is a member of (only groups have members).
fn only_mine(filter: Vec<FilterGroup>, who: &Principal, mine: Mine) -> Vec<FilterGroup> {
    let extra = match mine {
        Mine::Owned => Condition::owned_by(&who.ownership),
        Mine::Groups => Condition {
            key: "relations.hasmember".into(),
            values: vec![who.user.to_string().to_lowercase()],
        },
    };
    let mut groups = match filter.is_empty() {
        true => vec![FilterGroup::default()],
        false => filter,
    };
    for group in &mut groups {
        group.conditions.push(extra.clone());
    }
    groups
}
