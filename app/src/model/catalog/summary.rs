//! What the catalog holds, summarised for people who are new to it.

use serde::{Deserialize, Serialize};

/// How many entities of one kind the catalog holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCount {
    /// The entity kind as written in descriptors (`Component`, `API`, `Group`…).
    pub kind: String,
    /// How many entities of that kind are stored.
    pub count: u64,
}

/// An overview of the catalog, as the home page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogSummary {
    /// Entity counts per kind, largest first.
    pub kinds: Vec<KindCount>,
    /// True when the catalog is Portico's built-in demo, not the organisation's own.
    #[serde(default)]
    pub demo: bool,
}

impl CatalogSummary {
    /// Builds a summary from counts in any order, sorting largest first, then by kind.
    pub fn new(mut kinds: Vec<KindCount>) -> Self {
        kinds.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.kind.cmp(&b.kind)));
        Self { kinds, demo: false }
    }

    /// All entities of every kind.
    pub fn total(&self) -> u64 {
        self.kinds.iter().map(|k| k.count).sum()
    }

    /// True when the catalog holds nothing yet.
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(kind: &str, count: u64) -> KindCount {
        KindCount {
            kind: kind.into(),
            count,
        }
    }

    #[test]
    fn sorts_largest_first_then_by_name() {
        let summary = CatalogSummary::new(vec![
            count("API", 2),
            count("Component", 5),
            count("Group", 2),
        ]);
        let kinds: Vec<_> = summary.kinds.iter().map(|k| k.kind.as_str()).collect();
        assert_eq!(kinds, ["Component", "API", "Group"]);
        assert_eq!(summary.total(), 9);
        assert!(!summary.is_empty());
    }

    #[test]
    fn an_empty_catalog_says_so() {
        assert!(CatalogSummary::new(vec![]).is_empty());
        assert!(CatalogSummary::new(vec![count("Component", 0)]).is_empty());
    }
}
