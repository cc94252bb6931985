//! Search over the whole portal: what is asked (a query, result types, facet filters,
//! a page) and what comes back (ranked results with highlighted snippets, facet counts).
//!
//! - [`query`]: a query read into terms and phrases; the words of a text.
//! - [`api`]: the parts of an API definition that search finds.
//! - [`recent`]: recent searches, as the browser keeps them.
//! - [`url`]: the search page's state in its URL.

pub mod api;
pub mod query;
pub mod recent;
pub mod url;

use serde::{Deserialize, Serialize};

pub use crate::model::docs::search::Snippet;

/// Results on one page, unless asked otherwise.
pub const DEFAULT_LIMIT: usize = 20;
/// At most this many results on one page.
pub const MAX_LIMIT: usize = 100;

/// What a result is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ResultType {
    /// A catalog entity (not an API or a template).
    Entity,
    /// An API entity, found by its metadata or its definition.
    Api,
    /// A template entity.
    Template,
    /// A page of an entity's TechDocs.
    Docs,
}

impl ResultType {
    /// Every type, in the order facets list them.
    pub const ALL: [ResultType; 4] = [Self::Entity, Self::Api, Self::Template, Self::Docs];

    /// Its name in URLs and the search API (Backstage's for entities and docs).
    pub fn name(self) -> &'static str {
        match self {
            Self::Entity => "software-catalog",
            Self::Api => "api-definition",
            Self::Template => "software-template",
            Self::Docs => "techdocs",
        }
    }

    /// The type named `name`.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// How a page calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Entity => "Entities",
            Self::Api => "APIs",
            Self::Template => "Templates",
            Self::Docs => "Docs",
        }
    }
}

/// A search as asked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// What was typed.
    pub term: String,
    /// Only results of these types (none: every type).
    pub types: Vec<ResultType>,
    /// Only results about entities of these kinds (lower case).
    pub kinds: Vec<String>,
    /// Only results about entities owned by these (refs, lower case).
    pub owners: Vec<String>,
    /// Only results about entities in these lifecycles.
    pub lifecycles: Vec<String>,
    /// Results skipped before this page.
    pub offset: usize,
    /// Results on this page (0: [`DEFAULT_LIMIT`]).
    pub limit: usize,
}

impl SearchRequest {
    /// The page's size, within bounds.
    pub fn page_size(&self) -> usize {
        match self.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        }
    }
}

/// What a result is and what it is about: what each result shows beside its title and
/// what the facets count. The server's index keeps one per document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct About {
    /// What it is.
    pub result_type: ResultType,
    /// Its title: the entity's title or name, the page's title.
    pub title: String,
    /// Where it is in the portal (`/catalog/…`, `/docs/…`; a result adds the `#anchor`
    /// of the part that matched).
    pub location: String,
    /// The entity it is about (lower-case ref).
    pub entity_ref: String,
    /// The entity's kind, as written.
    pub kind: String,
    /// The entity's owner (lower-case ref), when it has one.
    pub owner: Option<String>,
    /// The entity's lifecycle, when it has one.
    pub lifecycle: Option<String>,
}

/// One result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// What it is and is about.
    #[serde(flatten)]
    pub about: About,
    /// The part that matched best, when the result has parts: a docs page's section or
    /// an API's operation, schema or channel.
    pub section: Option<String>,
    /// A stretch of the matching text with the matches marked.
    pub snippet: Vec<Snippet>,
    /// Its relevance (higher is better).
    pub score: f32,
}

/// How many results a facet's value has.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The value (a type's name, a kind, an owner ref, a lifecycle).
    pub value: String,
    /// How many results have it, given the other facets' choices.
    pub count: usize,
}

/// The facets of a search: each counted over the results that the other facets'
/// choices leave, so choosing a value never hides its siblings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchFacets {
    /// By result type.
    pub types: Vec<FacetCount>,
    /// By entity kind.
    pub kinds: Vec<FacetCount>,
    /// By owner.
    pub owners: Vec<FacetCount>,
    /// By lifecycle.
    pub lifecycles: Vec<FacetCount>,
}

/// A page of results.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The results, best first.
    pub hits: Vec<SearchHit>,
    /// How many results there are in all.
    pub total: usize,
    /// Results skipped before this page.
    pub offset: usize,
    /// The facets.
    pub facets: SearchFacets,
}
