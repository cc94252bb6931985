//! Search over the whole portal, in memory: documents made from entities, their API
//! definitions and their doc pages (`documents`), an inverted index of their words
//! (`index`), and a search over it — ranked, prefix and typo-tolerant, with phrases,
//! snippets and facets (`rank`). The service keeps the index in step with the database.
//!
//! **Architecture Invariant:** `search` never touches the database: documents come in,
//! results go out.

mod documents;
mod index;
mod rank;
mod stored;
mod typo;

pub use documents::{doc_page_documents, entity_document, DocSection};
pub use index::{IndexBytes, SearchIndex, Source};
pub use rank::Visible;
pub use stored::Stored;

use app::model::{identity::policy::Target, search::About};

/// Something search can find: an entity, or one page of its docs.
#[derive(Clone, Debug)]
pub struct Document {
    /// What it is and is about (as its results show).
    pub about: About,
    /// The entity as the policy sees it.
    pub target: Target,
    /// The texts searched, each with its weight.
    pub fields: Vec<Field>,
}

/// A text of a document.
#[derive(Clone, Debug)]
pub struct Field {
    /// How much a match in it counts.
    pub weight: Weight,
    /// The text, as written.
    pub text: String,
    /// The part of the document it is (a docs section, an API operation): a result
    /// matching here names it.
    pub part: Option<Part>,
}

/// A named part of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// Its name: a heading, `GET /pets/{petId}`.
    pub label: String,
    /// Its anchor on the document's page, if it has one.
    pub anchor: Option<String>,
}

/// How much a match in a field counts: a name match beats a body match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Weight {
    /// Words of the text of a page, of an annotation's value.
    Body = 1,
    /// A description; a part of an API's definition.
    Description = 2,
    /// Kind, type, lifecycle, owner.
    Facts = 3,
    /// A docs page's headings.
    Heading = 4,
    /// Tags.
    Tags = 5,
    /// A title.
    Title = 8,
    /// A name.
    Name = 10,
}

impl Weight {
    /// Whether the field is what a result shows as its title anyway.
    fn is_title(self) -> bool {
        matches!(self, Weight::Title | Weight::Name)
    }
}

#[cfg(test)]
mod tests;
