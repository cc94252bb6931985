//! The Software Catalog: entities, the refs and relations between them, Backstage's
//! rules for descriptors, queries, and what the catalog's pages show.
//!
//! - [`entity`], [`entity_ref`]: the catalog's entities and the refs between them.
//! - [`names`], [`kinds`], [`validation`]: Backstage's rules for descriptors, and the
//!   validator that reports each problem with its field path.
//! - [`relations`]: the relations each entity's spec implies, in both directions.
//! - [`search`], [`filter`], [`predicate`]: the flattened key/value view of entities and
//!   the queries over it: Backstage's `filter` grammar and its predicate queries.
//! - [`catalog_view`]: the catalog page's state (as its URL holds it), rows and facets;
//!   [`entity_page`]: an entity with its related entities, grouped for reading;
//!   [`api_definition`]: an API's definition prepared for reading.
//! - [`summary`]: what the home page counts; [`starred`]: the entities a person starred.

pub mod api_definition;
pub mod catalog_view;
pub mod entity;
pub mod entity_page;
pub mod entity_ref;
pub mod filter;
pub mod kinds;
pub mod names;
pub mod predicate;
pub mod relations;
pub mod search;
pub mod starred;
pub mod summary;
pub mod validation;
