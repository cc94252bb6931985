//! One page per file; each is a route in [`crate::ui::App`].

mod catalog;
mod create;
mod entity;
mod home;
mod not_built;
mod not_found;
mod task;
mod template;

pub use catalog::CatalogPage;
pub use create::CreatePage;
pub use entity::EntityPage;
pub use home::HomePage;
pub use not_built::{DocsPage, GraphPage, SearchPage};
pub use not_found::NotFoundPage;
pub use task::{TaskPage, TasksPage};
pub use template::TemplatePage;
