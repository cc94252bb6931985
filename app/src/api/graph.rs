//! The graph page's calls: the part of the catalog a URL query asks for, and an
//! entity's impact analysis.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::graph::{
    impact::{ImpactShown, ImpactWay},
    subgraph::Subgraph,
};
#[cfg(feature = "ssr")]
use crate::model::{
    catalog::entity_ref::EntityRef,
    graph::{impact::LISTED, subgraph::GraphQuery},
};

/// What the graph page shows for a query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum GraphAnswer {
    /// The graph.
    Graph(Subgraph),
    /// The query is wrong, and why (naming the parameter).
    BadQuery(String),
    /// A root the catalog does not hold.
    NoEntity(String),
}

/// The subgraph the URL query `query` (`root=…&depth=…`, as `/api/graph/subgraph`
/// takes it) asks for.
#[server]
pub async fn get_subgraph(query: String) -> Result<GraphAnswer, ServerFnError> {
    let parsed = GraphQuery::from_query(&query);
    let query = match parsed {
        Ok(query) => query,
        Err(why) => return Ok(GraphAnswer::BadQuery(why)),
    };
    let services = super::Services::from_context()?;
    services
        .subgraph(super::service::request_principal()?, query)
        .await
        .map_err(ServerFnError::new)
}

/// The impact analysis of entity `entity_ref` (`kind:namespace/name`) walking `way`, as
/// the graph page shows it: its [`LISTED`] nearest entries, its counts, and which of
/// `among` (the refs drawn) it reaches. `None` when the catalog does not hold the entity.
#[server]
pub async fn get_impact(
    entity_ref: String,
    way: ImpactWay,
    among: Vec<String>,
) -> Result<Option<ImpactShown>, ServerFnError> {
    let Ok(entity_ref) = EntityRef::parse_full(&entity_ref) else {
        return Ok(None);
    };
    let services = super::Services::from_context()?;
    let impact = services
        .impact(super::service::request_principal()?, entity_ref, way)
        .await
        .map_err(ServerFnError::new)?;
    Ok(impact.map(|impact| impact.shown(LISTED, &among)))
}
