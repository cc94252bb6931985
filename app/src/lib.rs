//! Portico's application: everything the server and the browser share.
//!
//! This crate is compiled twice. With the `ssr` feature it is linked into the `portico`
//! server binary, which renders pages to HTML and answers server functions; with the
//! `hydrate` feature it is compiled to WebAssembly (through the `frontend` crate), where it
//! takes over the server-rendered page and makes it interactive.
//!
//! - [`model`]: the domain in plain Rust (no Leptos, no storage), shared by both builds.
//! - [`api`]: server functions, the typed calls from the UI to the server. Their server
//!   bodies reach Portico's services through [`api::PortalService`], a trait this crate
//!   declares and the `server` crate implements.
//! - [`ui`]: components and pages, named after what the user sees.

// Leptos views are deeply nested types; the catalog page goes past the default limit.
#![recursion_limit = "256"]

pub mod api;
pub mod model;
pub mod ui;
