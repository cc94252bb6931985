//! Who is using the portal: the viewer of the current request, for the header and the
//! home page.

use leptos::prelude::*;

use crate::model::identity::principal::Viewer;

/// The current request's principal and what the portal says about guests. Its URL,
/// `/api/viewer`, is open to everyone: the sign-in page asks it how to sign in.
#[server(endpoint = "viewer")]
pub async fn get_viewer() -> Result<Viewer, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .viewer(super::service::request_principal()?)
        .await
        .map_err(ServerFnError::new)
}

/// What the home page shows the person of their own: what they own, the tasks they
/// started, what they starred.
#[server]
pub async fn get_mine() -> Result<crate::model::identity::mine::Mine, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .mine(
            super::service::request_principal()?,
            super::service::request_starred(),
        )
        .await
        .map_err(ServerFnError::new)
}
