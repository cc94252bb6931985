//! Errors in Backstage's shape, so that `@backstage/catalog-client` and other Backstage
//! tooling read them: `{error: {name, message}, request: {method, url}, response:
//! {statusCode}}`.
//!
//! Handlers return [`ApiError`]; the [`backstage_errors`] middleware, which knows the
//! request, writes the body.

use app::model::{catalog::filter::QueryError, identity::policy::Refusal};
use axum::{
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

use crate::{services::CatalogError, store::StoreError};

/// An API error: the HTTP status, Backstage's error name and a message for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    name: &'static str,
    message: String,
}

impl ApiError {
    /// 404 `NotFoundError`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            name: "NotFoundError",
            message: message.into(),
        }
    }
}

impl ApiError {
    /// 401 `AuthenticationError`: the request brings no usable credentials.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            name: "AuthenticationError",
            message: message.into(),
        }
    }

    /// 501 `NotImplementedError`: a form of answer the portal does not give.
    pub fn not_implemented(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_IMPLEMENTED,
            name: "NotImplementedError",
            message: message.into(),
        }
    }

    /// 400 `InputError`: the request's parameters are wrong.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            name: "InputError",
            message: message.into(),
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    /// A body that is not the JSON the route takes: 400 with serde's words for why.
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        Self::bad_request(format!("invalid request body: {}", rejection.body_text()))
    }
}

impl From<QueryError> for ApiError {
    fn from(error: QueryError) -> Self {
        Self::bad_request(error.0)
    }
}

impl From<Refusal> for ApiError {
    /// 401 `AuthenticationError` when signing in could help, else 403 `NotAllowedError`;
    /// the message says why.
    fn from(refusal: Refusal) -> Self {
        match refusal.unauthenticated {
            true => Self::unauthenticated(refusal.message),
            false => Self {
                status: StatusCode::FORBIDDEN,
                name: "NotAllowedError",
                message: refusal.message,
            },
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        let (status, name) = match error {
            CatalogError::Store(store) => return store.into(),
            CatalogError::Refused(refusal) => return refusal.into(),
            CatalogError::InvalidInput(_) => (StatusCode::BAD_REQUEST, "InputError"),
            CatalogError::NotFound(_) => (StatusCode::NOT_FOUND, "NotFoundError"),
            CatalogError::Conflict(_) => (StatusCode::CONFLICT, "ConflictError"),
        };
        Self {
            status,
            name,
            message: error.to_string(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "catalog API: storage failed");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            name: "Error",
            message: "the catalog's database failed; see the server's log".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Writes the body of every [`ApiError`] response, with the request's method and URL.
pub async fn backstage_errors(request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let url = request.uri().to_string();
    let response = next.run(request).await;
    match response.extensions().get::<ApiError>() {
        Some(error) => error.response_to(&method, &url),
        None => response,
    }
}

impl ApiError {
    /// The response in Backstage's shape to a request `method url`.
    pub fn response_to(&self, method: &str, url: &str) -> Response {
        let body = json!({
            "error": { "name": self.name, "message": self.message },
            "request": { "method": method, "url": url },
            "response": { "statusCode": self.status.as_u16() },
        });
        (self.status, Json(body)).into_response()
    }
}
