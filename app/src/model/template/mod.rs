//! Software Templates (`scaffolder.backstage.io/v1beta3`), as plain Rust shared by the
//! browser and the server.
//!
//! - [`spec`]: a Template entity read for use — form pages, steps, output.
//! - [`schema`]: JSON Schema as parameters write it; conditional parts resolved against
//!   the answers; defaults.
//! - [`validate`]: the form's validator, one plain sentence per problem at the field's
//!   path. The browser runs it as the user types, the server again on submit.
//! - [`form`]: which fields a page shows and with which widget, the review of answers,
//!   and input text ↔ value.
//! - [`wizard`]: the form as a wizard — pages, next/back, review.
//! - [`expression`]: `${{ }}` expressions and Backstage's filters, sandboxed.
//! - [`gallery`]: the template gallery's cards and filters (its URL).
//! - [`repo_url`]: `host?owner=…&repo=…`, the repository pickers' value.
//!
//! Nothing here runs a task or touches files; the server's scaffolder does.

pub mod expression;
pub mod form;
pub mod gallery;
pub mod repo_url;
pub mod schema;
pub mod spec;
pub mod validate;
pub mod wizard;

pub use spec::{FormPage, Template, TemplateError, TemplateStep};

#[cfg(test)]
mod tests;
