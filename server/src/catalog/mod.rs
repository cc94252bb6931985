//! The catalog's ingestion side: reading descriptor files and checking them.
//!
//! - [`yaml`]: YAML to JSON with the position of every field.
//! - [`placeholder`]: `$text`, `$json` and `$yaml` substitutions.
//! - [`descriptor`]: descriptor files to validated entities, or problems with file, line
//!   and column.
//!
//! **Invariant:** nothing here writes to the database; storage is `crate::store`'s job.

pub mod descriptor;
pub mod placeholder;
pub mod yaml;
