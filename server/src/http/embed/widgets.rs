//! The widgets under `/embed/…`: small HTML documents for other sites' iframes, framed
//! only by the configured origins (`--embed-origin`) and the portal itself.
//!
//! Whatever goes wrong answers with a widget too, so that the embedding page shows it
//! in place: "not found" (404) for an unknown widget, an entity that does not exist or
//! that the person asking may not read; "wrong option" (400) naming the parameter.

use app::model::catalog::entity_ref::EntityRef;
use app::model::docs::page::docs_base;
use app::model::embed::{
    signed::{sign_sources, PARAM},
    widget::{Widget, WidgetOptions},
};
use app::model::graph::{impact::ImpactWay, subgraph::GraphQuery};
use app::model::identity::principal::Principal;
use app::ui::pages::embed::{self, WidgetFrame};
use axum::{
    extract::{FromRequestParts, Path, State},
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use leptos::prelude::{AnyView, IntoAny, IntoView};
use std::collections::HashMap;

use super::super::AppState;
use crate::services::{embed::LinkError, CatalogError};

/// A request's query as pairs, decoded.
pub struct Params(Vec<(String, String)>);

impl Params {
    fn of(query: Option<&str>) -> Self {
        Self(
            form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.pairs().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

/// A widget to show: its title, where its relative links lead, its body.
struct Answer<V> {
    title: String,
    base: String,
    body: V,
}

impl<V: IntoView + 'static> Answer<V> {
    fn ok(title: String, body: V) -> Self {
        Self {
            title,
            base: "/".to_owned(),
            body,
        }
    }
}

/// Why a widget shows a problem page instead: its status, heading and sentence.
struct Problem {
    status: StatusCode,
    heading: &'static str,
    detail: String,
}

impl Problem {
    /// What the address names does not exist, or the reader may not see it.
    fn not_found(detail: String) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            heading: "Not found",
            detail,
        }
    }

    /// An option has a wrong value; `detail` names it.
    fn wrong_option(detail: String) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            heading: "Wrong option",
            detail,
        }
    }

    /// Storage failed: said briefly to the reader, in full to the log.
    fn failed(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "a widget could not be read");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            heading: "Unavailable",
            detail: "The portal could not read this just now; reload to try again.".to_owned(),
        }
    }
}

/// The widget document, or its problem page, with the headers every widget carries:
/// its content security policy (framed by the configured origins only) and how long
/// it may be kept.
fn render<V: IntoView + 'static>(
    state: &AppState,
    options: WidgetOptions,
    answer: Result<Answer<V>, Problem>,
) -> Response {
    let (status, title, base, body) = match answer {
        Ok(answer) => (
            StatusCode::OK,
            answer.title,
            answer.base,
            answer.body.into_any(),
        ),
        Err(problem) => (
            problem.status,
            problem.heading.to_owned(),
            "/".to_owned(),
            embed::problem(problem.heading, problem.detail).into_any(),
        ),
    };
    let origins = state.portal.embed_origins().to_vec();
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: https:; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'self'{}",
        origins.iter().map(|o| format!(" {o}")).collect::<String>()
    );
    let html = embed::document(
        WidgetFrame {
            title,
            options,
            base,
            origins,
        },
        body,
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=60"),
    );
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Authorization"),
    );
    response
}

/// What every widget request brings: who asks, the options and the whole query. A
/// request that cannot be answered (a wrong option; no one signed in where guests may
/// not read) is turned away with its problem page.
pub struct Asked {
    who: Principal,
    options: WidgetOptions,
    params: Params,
}

impl FromRequestParts<AppState> for Asked {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let params = Params::of(parts.uri.query());
        let options = WidgetOptions::from_params(params.pairs()).map_err(|why| {
            render::<AnyView>(
                state,
                WidgetOptions::default(),
                Err(Problem::wrong_option(why)),
            )
        })?;
        let who = match params.get(PARAM) {
            Some(signed) => signer(parts, state, signed).await,
            None => parts.extensions.get::<Principal>().cloned().ok_or(Problem {
                status: StatusCode::UNAUTHORIZED,
                heading: "Sign-in required",
                detail: "This portal shows its widgets to people signed in to it, or by \
                         a link someone signed for this widget."
                    .to_owned(),
            }),
        };
        let who = who.map_err(|problem| render::<AnyView>(state, options, Err(problem)))?;
        Ok(Self {
            who,
            options,
            params,
        })
    }
}

/// Who a signed link (`signed=…`) reads as: its signer, when it was signed for this
/// widget of this entity, has not expired, and the signer may still share it.
async fn signer(parts: &mut Parts, state: &AppState, signed: &str) -> Result<Principal, Problem> {
    // The route's names: `widget` (none on a docs page's route), the entity's parts.
    let names = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map(|Path(names)| names)
        .unwrap_or_default();
    let part = |key: &str| names.get(key).map(String::as_str);
    let widget = Widget::parse(part("widget").unwrap_or("docs"));
    let entity = match (part("namespace"), part("kind"), part("name")) {
        (Some(namespace), Some(kind), Some(name)) => Some(EntityRef::new(kind, namespace, name)),
        _ => None,
    };
    let (Some(widget), Some(entity)) = (widget, entity) else {
        return Err(Problem::wrong_option(format!(
            "{PARAM}: links are signed for one entity's widget, as \
             /embed/card/{{namespace}}/{{kind}}/{{name}}"
        )));
    };
    let refused = |heading: &'static str, status: StatusCode, detail: String| Problem {
        status,
        heading,
        detail,
    };
    // Said to whoever views the page holding the link: no more than they need.
    state
        .portal
        .link_principal(widget, &entity, signed)
        .await
        .map_err(|error| match error {
            LinkError::NotFound(_) => no_entity(&entity),
            LinkError::Store(e) => Problem::failed(e),
            LinkError::Invalid(why) => Problem::wrong_option(why),
            LinkError::Expired(on) => refused(
                "Link expired",
                StatusCode::UNAUTHORIZED,
                format!("This link expired on {on}; ask whoever shared it for a new one."),
            ),
            LinkError::Refused(_) => refused(
                "Link withdrawn",
                StatusCode::FORBIDDEN,
                "Whoever signed this link may no longer share this widget.".to_owned(),
            ),
            LinkError::NoKey | LinkError::Forged => refused(
                "Link not valid",
                StatusCode::UNAUTHORIZED,
                "This link was changed after it was signed, is for another widget, or the \
                 portal no longer accepts it."
                    .to_owned(),
            ),
        })
}

/// `GET /embed/{widget}/{namespace}/{kind}/{name}`: the card, owner, graph, impact, API
/// or docs (start page) widget of an entity.
pub async fn entity_widget(
    State(state): State<AppState>,
    Path((widget, namespace, kind, name)): Path<(String, String, String, String)>,
    asked: Asked,
) -> Response {
    let Asked {
        who,
        options,
        params,
    } = asked;
    let entity_ref = EntityRef::new(&kind, &namespace, &name);
    let answer = match Widget::parse(&widget).filter(|w| w.about_entity()) {
        None => Err(Problem::not_found(format!(
            "There is no widget '{widget}'; there are {}.",
            Widget::ALL.map(Widget::name).join(", ")
        ))),
        Some(Widget::Card) => card(&state, &who, &entity_ref, options).await,
        Some(Widget::Owner) => owner(&state, &who, &entity_ref).await,
        Some(Widget::Graph) => graph(&state, &who, &entity_ref, &params).await,
        Some(Widget::Impact) => impact(&state, &who, &entity_ref, &params).await,
        Some(Widget::Api) => api(&state, &who, &entity_ref).await,
        Some(Widget::Docs) => docs(&state, &who, &entity_ref, "", params.get(PARAM)).await,
        Some(Widget::Search) => unreachable!("the search widget names no entity"),
    };
    render(&state, options, answer)
}

/// What a widget answers: the widget, or why not.
type Answered = Result<Answer<AnyView>, Problem>;

/// The entity the catalog does not hold, or the reader may not see.
fn no_entity(entity_ref: &EntityRef) -> Problem {
    Problem::not_found(format!("The catalog has no entity {entity_ref}."))
}

async fn card(
    state: &AppState,
    who: &Principal,
    entity_ref: &EntityRef,
    options: WidgetOptions,
) -> Answered {
    match state.portal.entity_card(who, entity_ref).await {
        Ok(Some(card)) => Ok(Answer::ok(
            card.entity.display_name().to_owned(),
            embed::card(card, options).into_any(),
        )),
        Ok(None) => Err(no_entity(entity_ref)),
        Err(e) => Err(Problem::failed(e)),
    }
}

async fn owner(state: &AppState, who: &Principal, entity_ref: &EntityRef) -> Answered {
    match state.portal.owner_card(who, entity_ref).await {
        Ok(Some(owner)) => Ok(Answer::ok(
            owner.team.display_name().to_owned(),
            embed::owner(owner).into_any(),
        )),
        Ok(None) => Err(Problem::not_found(format!(
            "The catalog has no entity {entity_ref}, or no owner of it."
        ))),
        Err(e) => Err(Problem::failed(e)),
    }
}

/// The graph widget: `depth`, `relation`, `kind` and `direction` as `/graph` takes them.
async fn graph(
    state: &AppState,
    who: &Principal,
    entity_ref: &EntityRef,
    params: &Params,
) -> Answered {
    let root = entity_ref.to_string();
    let pairs = params
        .pairs()
        .filter(|(k, _)| *k != "root")
        .chain([("root", root.as_str())]);
    let query = GraphQuery::from_params(pairs).map_err(Problem::wrong_option)?;
    let picture = match state.portal.graph_picture(who, &query).await {
        Ok(picture) => picture,
        Err(CatalogError::Store(e)) => return Err(Problem::failed(e)),
        Err(_) => return Err(no_entity(entity_ref)),
    };
    let depth = query
        .depth
        .map_or("unlimited".to_owned(), |d| d.to_string());
    let href = format!("/graph?root={root}&depth={depth}");
    Ok(Answer::ok(
        format!("Graph of {}", entity_ref.name()),
        embed::graph(picture.svg, picture.nodes, picture.truncated, href).into_any(),
    ))
}

/// The impact widget: `way=dependents` (what breaks, the default) or `needs`.
async fn impact(
    state: &AppState,
    who: &Principal,
    entity_ref: &EntityRef,
    params: &Params,
) -> Answered {
    let way = match params.get("way") {
        None | Some("dependents") => ImpactWay::Dependents,
        Some("needs") => ImpactWay::Needs,
        Some(other) => {
            return Err(Problem::wrong_option(format!(
                "way '{other}' is not one of dependents, needs"
            )))
        }
    };
    match state.portal.impact(who, entity_ref, way).await {
        Ok(Some(impact)) => Ok(Answer::ok(
            format!("If {} is down", entity_ref.name()),
            embed::impact(&impact).into_any(),
        )),
        Ok(None) => Err(no_entity(entity_ref)),
        Err(e) => Err(Problem::failed(e)),
    }
}

async fn api(state: &AppState, who: &Principal, entity_ref: &EntityRef) -> Answered {
    match state.portal.api_summary(who, entity_ref).await {
        Ok(Some((entity, definition))) => Ok(Answer::ok(
            entity_ref.name().to_owned(),
            embed::api(entity, definition).into_any(),
        )),
        Ok(None) => Err(Problem::not_found(format!(
            "The catalog has no API {entity_ref}."
        ))),
        Err(e) => Err(Problem::failed(e)),
    }
}

/// The docs widget of `page` (the start page when empty); links and images in it lead
/// to the docs reader's page.
async fn docs(
    state: &AppState,
    who: &Principal,
    entity_ref: &EntityRef,
    page: &str,
    signed: Option<&str>,
) -> Answered {
    match state.portal.docs_page(who, entity_ref, page).await {
        Ok(Some(mut page)) => {
            let base = docs_base(entity_ref.kind(), entity_ref.namespace(), entity_ref.name());
            // A signed link's readers get the page's images through the same link.
            if let Some(signed) = signed {
                page.html = sign_sources(&page.html, &base, signed);
            }
            let href = format!("{base}{}", page.url);
            Ok(Answer {
                title: page.title.clone(),
                base: href.clone(),
                body: embed::docs(page, href).into_any(),
            })
        }
        Ok(None) => Err(Problem::not_found(format!(
            "{entity_ref} has no docs page '{page}'."
        ))),
        Err(e) => Err(Problem::failed(e)),
    }
}

/// `GET /embed/docs/{namespace}/{kind}/{name}/{*page}`: one docs page.
pub async fn docs_widget(
    State(state): State<AppState>,
    Path((namespace, kind, name, page)): Path<(String, String, String, String)>,
    asked: Asked,
) -> Response {
    let Asked {
        who,
        options,
        params,
    } = asked;
    let entity_ref = EntityRef::new(&kind, &namespace, &name);
    let answer = docs(&state, &who, &entity_ref, &page, params.get(PARAM)).await;
    render(&state, options, answer)
}

/// `GET /embed/search?q=`: the search box, and what `q` finds.
pub async fn search_widget(State(state): State<AppState>, asked: Asked) -> Response {
    let Asked {
        who,
        options,
        params,
    } = asked;
    let q = params.get("q").unwrap_or_default().to_owned();
    let answer = match state.portal.widget_search(&who, &q).await {
        Ok((rows, total)) => Ok(Answer::ok(
            "Search the catalog".to_owned(),
            embed::search(q, rows, total, options),
        )),
        Err(e) => Err(Problem::failed(e)),
    };
    render(&state, options, answer)
}

/// Anything else under `/embed/`: not found.
pub async fn no_widget(State(state): State<AppState>) -> Response {
    let problem = Problem::not_found(format!(
        "Widgets are at /embed/{{widget}}/{{namespace}}/{{kind}}/{{name}}, widget one of {}.",
        Widget::ALL.map(Widget::name).join(", ")
    ));
    render::<AnyView>(&state, WidgetOptions::default(), Err(problem))
}
