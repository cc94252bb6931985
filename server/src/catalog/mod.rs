//! The catalog's ingestion side: reading descriptor files and checking them.
//!
//! - [`yaml`]: YAML to JSON with the position of every field.
//! - [`placeholder`]: `$text`, `$json` and `$yaml` substitutions.
//! - [`demo`]: the demo catalog embedded in the binary.
//! - [`ingest`]: what a location yielded, as the update the store applies.
//! - [`location`]: a file, folder, glob or URL location and the Location entities it
//!   leads to.
//! - [`remote`]: reading allowed URLs.
//! - [`descriptor`]: descriptor files to validated entities, or problems with file, line
//!   and column.
//!
//! **Invariant:** nothing here writes to the database; `crate::services` hands the
//! updates to `crate::store`.

pub mod demo;
pub mod descriptor;
pub mod ingest;
pub mod location;
pub mod placeholder;
pub mod remote;
pub mod yaml;
