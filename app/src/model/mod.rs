//! The domain in plain Rust: what Portico's pages and services talk about.
//!
//! **Invariant:** nothing here depends on Leptos, axum, sqlx or the browser. The same code
//! runs on the server and in WebAssembly, which is what lets the browser validate exactly
//! as the server does.

pub mod catalog;
pub mod theme;
