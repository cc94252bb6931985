//! `POST /api/embed/links`: a signed link to one entity's widget, for people the policy
//! lets share it (`embed.sign`).

use axum::{
    extract::{rejection::JsonRejection, State},
    http::StatusCode,
    Json,
};

use app::model::{
    catalog::entity_ref::EntityRef,
    embed::{
        signed::{LinkRequest, SignedLink, LIFETIMES},
        widget::Widget,
    },
};

use super::super::{error::ApiError, identity::Caller, AppState};
use crate::services::embed::LinkError;

impl From<LinkError> for ApiError {
    fn from(error: LinkError) -> Self {
        match error {
            LinkError::NoKey => ApiError::not_implemented(error.to_string()),
            LinkError::Invalid(why) => ApiError::bad_request(why),
            LinkError::NotFound(_) => ApiError::not_found(error.to_string()),
            LinkError::Refused(refusal) => refusal.into(),
            LinkError::Forged | LinkError::Expired(_) => {
                ApiError::unauthenticated(error.to_string())
            }
            LinkError::Store(error) => error.into(),
        }
    }
}

/// `{widget, entity, expiresInDays?}` → 201 `{signed, path, url, expiresAt}`.
pub async fn sign(
    State(state): State<AppState>,
    Caller(who): Caller,
    body: Result<Json<LinkRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<SignedLink>), ApiError> {
    let Json(request) = body?;
    let widget = Widget::named(&request.widget)
        .map_err(|why| ApiError::bad_request(format!("widget: {why}")))?;
    let entity = EntityRef::parse_full(&request.entity)
        .map_err(|e| ApiError::bad_request(format!("entity: {e}")))?;
    let days = request.expires_in_days.unwrap_or(LIFETIMES[0].0);
    let link = state.portal.sign_link(&who, widget, &entity, days).await?;
    Ok((StatusCode::CREATED, Json(link)))
}
