//! The template gallery's and template forms' calls: the cards, one template with the
//! state its form starts in, the server's checks of the answers, and picker searches.

use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{
    catalog::filter::FilterGroup,
    catalog::validation::FieldError,
    template::{
        form::{EntityChoice, Mine},
        gallery::TemplateCard,
        wizard::Wizard,
        Template,
    },
};

/// A template's form as a page needs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TemplateForm {
    /// The template and the state its form starts in.
    Ready {
        /// The template.
        template: Box<Template>,
        /// A fresh form, or the one a person posted without JavaScript.
        wizard: Wizard,
    },
    /// The catalog has a Template by that name but its spec cannot be used.
    Unusable(String),
    /// The catalog has no such template.
    Missing,
}

/// Every template in the catalog, as gallery cards.
#[server]
pub async fn get_template_cards() -> Result<Vec<TemplateCard>, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .template_cards(super::service::request_principal()?)
        .await
        .map_err(ServerFnError::new)
}

/// Template `namespace/name` and the state its form starts in.
#[server]
pub async fn get_template_form(
    namespace: String,
    name: String,
) -> Result<TemplateForm, ServerFnError> {
    let services = super::Services::from_context()?;
    let posted = use_context::<super::PostedWizard>();
    services
        .template_form(
            super::service::request_principal()?,
            namespace,
            name,
            posted.map(|p| p.0),
        )
        .await
        .map_err(ServerFnError::new)
}

/// The problems the server finds in these answers: the form's own validator, then what
/// needs the catalog (an entity that must exist, a name already taken).
#[server(input = Json)]
pub async fn check_template_values(
    namespace: String,
    name: String,
    values: Value,
) -> Result<Vec<FieldError>, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .check_template_values(
            super::service::request_principal()?,
            namespace,
            name,
            values,
        )
        .await
        .map_err(ServerFnError::new)
}

/// Entities `filter` selects (the whole catalog when empty) whose name or title contains `text`, for a
/// picker's suggestions; only the person's own when `mine` says so.
#[server(input = Json)]
pub async fn search_entity_choices(
    filter: Vec<FilterGroup>,
    text: String,
    mine: Option<Mine>,
) -> Result<Vec<EntityChoice>, ServerFnError> {
    let services = super::Services::from_context()?;
    let who = super::service::request_principal()?;
    services
        .entity_choices(who, filter, text, mine)
        .await
        .map_err(ServerFnError::new)
}
