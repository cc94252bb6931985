//! TechDocs: documentation kept next to the code, as Backstage's docs-like-code reads it
//! (`backstage.io/techdocs-ref`, `mkdocs.yml`, Markdown under `docs/`), as plain data
//! shared by the server, which builds doc sets, and the browser, which shows them.
//!
//! - [`html`]: text made safe in HTML written as strings.
//! - [`list`]: the list of every doc set and its filters.
//! - [`mkdocs`]: the settings of `mkdocs.yml` that matter to a reader.
//! - [`nav`]: page URLs, the navigation (from `nav` or the folder tree), reading order.
//! - [`page`]: a built doc set as stored and read: pages, headings, problems.
//! - [`search`]: searching inside a doc set: words, ranking, snippets.

pub mod html;
pub mod list;
pub mod mkdocs;
pub mod nav;
pub mod page;
pub mod search;
