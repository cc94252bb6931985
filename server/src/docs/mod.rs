//! Building TechDocs: reading a doc set (`mkdocs.yml` and the Markdown under its
//! `docs_dir`) and turning its pages into HTML, natively, with no Python.
//!
//! - [`blocks`]: the block structure Python-Markdown's extensions add (admonitions,
//!   collapsible blocks, content tabs, GitHub alerts), written out as HTML around
//!   Markdown.
//! - [`inline`]: heading ids, attribute lists, marks, abbreviations.
//! - [`highlight`]: code highlighting with Pygments' class names.
//! - [`markdown`]: one page to HTML, its headings and its text.
//! - [`build`]: a whole doc set: pages, links checked, navigation, problems.
//! - [`sanitize`]: what of a page's HTML may be shown.
//! - [`source`]: a doc set's files, read without ever leaving its folder.

pub mod blocks;
pub mod build;
pub mod code;
pub mod highlight;
pub mod inline;
pub mod markdown;
pub mod mermaid;
pub mod origin;
pub mod sanitize;
pub mod source;
