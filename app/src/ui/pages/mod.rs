//! One page per file; each is a route in [`crate::ui::App`].

mod catalog;
mod entity;
mod home;
mod not_built;
mod not_found;

pub use catalog::CatalogPage;
pub use entity::EntityPage;
pub use home::HomePage;
pub use not_built::{CreatePage, DocsPage, GraphPage, SearchPage};
pub use not_found::NotFoundPage;
