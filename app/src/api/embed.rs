//! Embedding: signed links to a widget, for the "Embed" dialog.

use leptos::prelude::*;

use crate::model::embed::signed::SignedLink;

/// A link to `widget` (`card`, `graph`…) of `entity` that reads as the signed-in person
/// for `days` days, for people the policy lets share it (`embed.sign`).
#[server]
pub async fn sign_embed_link(
    widget: String,
    entity: String,
    days: u32,
) -> Result<SignedLink, ServerFnError> {
    use crate::model::{catalog::entity_ref::EntityRef, embed::widget::Widget};
    let widget = Widget::named(&widget).map_err(ServerFnError::new)?;
    let entity = EntityRef::parse_full(&entity).map_err(ServerFnError::new)?;
    let services = super::Services::from_context()?;
    services
        .sign_embed_link(super::service::request_principal()?, widget, entity, days)
        .await
        .map_err(ServerFnError::new)
}
