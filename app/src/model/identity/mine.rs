//! What the home page shows a person of their own: the entities they own (through their
//! groups too), the tasks they started and the entities they starred.

use serde::{Deserialize, Serialize};

use crate::model::{catalog::catalog_view::CatalogRow, task::TaskSummary};

/// How many of each list the home page shows; the rest is a link away.
pub const SHOWN: usize = 8;

/// A person's own corner of the portal.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mine {
    /// Entities they own, by name (the first [`SHOWN`]).
    pub owned: Vec<CatalogRow>,
    /// How many they own in all.
    pub owned_total: u64,
    /// Tasks they started, newest first (the first [`SHOWN`]).
    pub tasks: Vec<TaskSummary>,
    /// Entities they starred that they may read, by name (the first [`SHOWN`]).
    pub starred: Vec<CatalogRow>,
    /// How many of their stars they may read.
    pub starred_total: u64,
}

impl Mine {
    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.owned.is_empty() && self.tasks.is_empty() && self.starred.is_empty()
    }
}
