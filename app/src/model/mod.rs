//! The domain in plain Rust: what Portico's pages and services talk about, one folder
//! per capability.
//!
//! **Invariant:** nothing here depends on Leptos, axum, sqlx or the browser. The same code
//! runs on the server and in WebAssembly, which is what lets the browser validate exactly
//! as the server does.
//!
//! - [`catalog`]: the Software Catalog: entities, refs, relations, validation, queries,
//!   and what the catalog's pages show.
//! - [`docs`]: TechDocs: doc sets, their settings and navigation.
//! - [`embed`]: what other pages embed: badges.
//! - [`graph`]: graphs drawn as diagrams (their layered layout).
//! - [`identity`]: principals, actions and the permission policy.
//! - [`search`]: search over the whole portal: requests, results, facets.
//! - [`template`]: Software Templates: form pages, the form validator, expressions;
//!   [`task`]: the tasks that run them, their events and output.
//! - [`theme`] (with [`cookie`]): the theme switch.

pub mod catalog;
pub mod cookie;
pub mod docs;
pub mod embed;
pub mod graph;
pub mod identity;
pub mod search;
pub mod task;
pub mod template;
pub mod theme;
