//! TechDocs' pages: the list of every doc set (`/docs`) and the reader
//! (`/docs/{namespace}/{kind}/{name}/{page…}`).

mod list;
mod nav;
mod reader;

pub use list::DocsListPage;
pub use reader::DocsReaderPage;
