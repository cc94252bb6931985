//! The search page's and quick-open dialog's call.

use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::search::{SearchRequest, SearchResults};

/// A page of results for `request`, among what the person may read. (JSON: a request
/// does not fit a flat form.)
#[server(input = Json)]
pub async fn get_search(request: SearchRequest) -> Result<SearchResults, ServerFnError> {
    let services = super::Services::from_context()?;
    services
        .search(super::service::request_principal()?, request)
        .await
        .map_err(ServerFnError::new)
}
