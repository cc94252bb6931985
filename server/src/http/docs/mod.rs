//! `/docs/{namespace}/{kind}/{name}/{path…}` below the reader: the files of a doc set
//! (images, downloads) served from the database, and links to a page's Markdown source
//! (`guide.md`) redirected to the page. Everything else under `/docs` is the reader's
//! route, rendered by Leptos.

use std::sync::Arc;

use app::model::{
    catalog::entity_ref::EntityRef,
    docs::nav::page_url,
    docs::page::docs_base,
    embed::{signed::PARAM, widget::Widget},
    identity::principal::Principal,
};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use crate::services::{embed::LinkError, Portal};

/// What a doc set's file may do when opened on its own: nothing active. An SVG holding
/// a script, or an HTML file, is shown inert (sandboxed, without scripts).
const FILE_POLICY: &str =
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

/// Serves a doc set's file, or redirects a `.md` link, when the request names one;
/// passes every other request on.
pub async fn files(State(portal): State<Arc<Portal>>, request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let Some(file) = FileRequest::of(request.uri().path()) else {
        return next.run(request).await;
    };
    if file.path.ends_with(".md") {
        let page = page_url(&percent_decoded(&file.path));
        let base = docs_base(
            file.entity.kind(),
            file.entity.namespace(),
            file.entity.name(),
        );
        return Redirect::permanent(&format!("{base}{page}")).into_response();
    }
    // A signed docs widget's images come with its link, and are read as its signer
    // (`resolve_principal` leaves no principal for them where guests read nothing).
    let who = match signed_param(request.uri().query()) {
        Some(signed) => match portal
            .link_principal(Widget::Docs, &file.entity, &signed)
            .await
        {
            Ok(signer) => signer,
            Err(LinkError::Refused(_)) => {
                return (StatusCode::FORBIDDEN, "This link may no longer be used.\n")
                    .into_response()
            }
            Err(LinkError::Store(error)) => return file_unreadable(request.uri().path(), &error),
            Err(_) => {
                return (
                    StatusCode::UNAUTHORIZED,
                    "This link is not valid, or has expired.\n",
                )
                    .into_response()
            }
        },
        // `resolve_principal` runs first and leaves one otherwise.
        None => request
            .extensions()
            .get::<Principal>()
            .cloned()
            .unwrap_or_else(|| Principal::guest(false)),
    };
    match portal
        .docs_asset(&who, &file.entity, &percent_decoded(&file.path))
        .await
    {
        Ok(Some(bytes)) => {
            let mut response = Body::from(bytes).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(super::site::content_type(&file.path)),
            );
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(FILE_POLICY),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        Ok(None) => (StatusCode::NOT_FOUND, "These docs have no such file.\n").into_response(),
        Err(error) => file_unreadable(request.uri().path(), &error),
    }
}

/// 500 for a docs file storage could not read, logged.
fn file_unreadable(path: &str, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, path, "a docs file could not be read");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("The docs file could not be read: {error}\n"),
    )
        .into_response()
}

/// `/docs/{namespace}/{kind}/{name}` → the doc set's first page, whose URL ends in `/`.
pub async fn with_slash(request: Request) -> Redirect {
    let uri = request.uri();
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    Redirect::permanent(&format!("{}/{query}", uri.path()))
}

/// A request for a file of a doc set: a path under an entity's docs whose last segment
/// has an extension. (Page URLs end in `/` or have none.)
struct FileRequest {
    entity: EntityRef,
    path: String,
}

impl FileRequest {
    fn of(uri_path: &str) -> Option<Self> {
        let rest = uri_path.strip_prefix("/docs/")?;
        let mut parts = rest.splitn(4, '/');
        let (namespace, kind, name, path) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let last = path.rsplit('/').next().unwrap_or_default();
        if !last.contains('.') {
            return None;
        }
        Some(Self {
            entity: EntityRef::new(kind, namespace, name),
            path: path.to_owned(),
        })
    }
}

/// The `signed` parameter of a query, decoded.
fn signed_param(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == PARAM)
        .map(|(_, value)| value.into_owned())
}

/// Whether a request is for a doc set's file through a signed link: it needs no
/// principal, the link says whose it is.
pub fn signed_file(uri: &axum::http::Uri) -> bool {
    FileRequest::of(uri.path()).is_some() && signed_param(uri.query()).is_some()
}

/// `%XX` sequences decoded once (the service refuses what still climbs out).
fn percent_decoded(path: &str) -> String {
    form_urlencoded::parse(format!("p={}", path.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_from_pages_by_their_extension() {
        let file = FileRequest::of("/docs/default/component/x/img/a%20b.png").unwrap();
        assert_eq!(file.entity.to_string(), "component:default/x");
        assert_eq!(file.path, "img/a%20b.png");
        assert_eq!(percent_decoded(&file.path), "img/a b.png");
        assert_eq!(percent_decoded("c++.txt"), "c++.txt");
        for page in [
            "/docs/default/component/x/",
            "/docs/default/component/x/guide/",
            "/docs",
            "/docs/a/b",
        ] {
            assert!(FileRequest::of(page).is_none(), "{page}");
        }
    }
}
