//! One page per file; each is a route in [`crate::ui::App`].

mod home;
mod not_built;
mod not_found;

pub use home::HomePage;
pub use not_built::{CatalogPage, CreatePage, DocsPage, GraphPage, SearchPage};
pub use not_found::NotFoundPage;
