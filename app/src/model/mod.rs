//! The domain in plain Rust: what Portico's pages and services talk about.
//!
//! **Invariant:** nothing here depends on Leptos, axum, sqlx or the browser. The same code
//! runs on the server and in WebAssembly, which is what lets the browser validate exactly
//! as the server does.
//!
//! - [`entity`], [`entity_ref`]: the catalog's entities and the refs between them.
//! - [`names`], [`kinds`], [`validation`]: Backstage's rules for descriptors, and the
//!   validator that reports each problem with its field path.
//! - [`relations`]: the relations each entity's spec implies, in both directions.
//! - [`search`], [`filter`]: the flattened key/value view of entities and the
//!   filters over it, in Backstage's grammar.
//! - [`catalog_view`]: the catalog page's state (as its URL holds it), rows and facets;
//!   [`entity_page`]: an entity with its related entities, grouped for reading;
//!   [`api_definition`]: an API's definition prepared for reading.
//! - [`catalog`], [`theme`], [`starred`] (with [`cookie`]): what the home page, the theme
//!   switch and stars need.
//! - [`template`]: Software Templates: form pages, the form validator, expressions;
//!   [`task`]: the tasks that run them, their events and output.

pub mod api_definition;
pub mod catalog;
pub mod catalog_view;
pub mod cookie;
pub mod entity;
pub mod entity_page;
pub mod entity_ref;
pub mod filter;
pub mod kinds;
pub mod names;
pub mod relations;
pub mod search;
pub mod starred;
pub mod task;
pub mod template;
pub mod theme;
pub mod validation;
