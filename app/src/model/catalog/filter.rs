//! Entity queries in Backstage's grammar: `filter=kind=component,spec.type=service`
//! (conditions joined by AND; repeated `filter` parameters joined by OR; a bare key
//! means "has this key"; a key repeated within one filter matches any of its values;
//! everything compared without case), plus ordering, paging and a full-text term.

use serde::{Deserialize, Serialize};

use super::{entity_ref::EntityRef, predicate::Predicate};

/// One condition: `key` has one of `values`, or, when `values` is empty, has any value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// A lower-case search key (`spec.type`, `metadata.tags`, `relations.ownedby`).
    pub key: String,
    /// Lower-case values, any of which matches.
    pub values: Vec<String>,
}

/// One `filter` parameter: every condition must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterGroup {
    /// The conditions, one per distinct key.
    pub conditions: Vec<Condition>,
}

/// Why a query parameter cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

impl Condition {
    /// Owned by one of `owners` (a person and their groups: what "mine" means).
    pub fn owned_by(owners: &[EntityRef]) -> Self {
        Self {
            key: "relations.ownedby".to_owned(),
            values: owners
                .iter()
                .map(|r| r.to_string().to_lowercase())
                .collect(),
        }
    }
}

impl FilterGroup {
    /// Parses one `filter` parameter: `kind=component,spec.type=service,metadata.tags`.
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        let mut group = FilterGroup::default();
        for part in text.split(',') {
            let (key, value) = match part.split_once('=') {
                Some((key, value)) => (key.trim(), Some(value.trim())),
                None => (part.trim(), None),
            };
            if key.is_empty() {
                return Err(QueryError(format!(
                    "invalid filter '{text}': each condition needs a key, as in 'kind=component' or 'spec.owner'"
                )));
            }
            let key = key.to_lowercase();
            let position = group.conditions.iter().position(|c| c.key == key);
            let condition = match position {
                Some(i) => &mut group.conditions[i],
                None => {
                    group.conditions.push(Condition {
                        key,
                        values: Vec::new(),
                    });
                    group.conditions.last_mut().expect("just pushed")
                }
            };
            if let Some(value) = value {
                condition.values.push(value.to_lowercase());
            }
        }
        Ok(group)
    }
}

/// Sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Order {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

/// One `orderField`: a search key and a direction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderField {
    /// The lower-case search key to sort by.
    pub key: String,
    /// The direction.
    pub order: Order,
}

impl OrderField {
    /// Parses `metadata.name,asc` (the direction defaults to ascending).
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        let (key, order) = match text.split_once(',') {
            Some((key, order)) => (key.trim(), order.trim()),
            None => (text.trim(), "asc"),
        };
        if key.is_empty() {
            return Err(QueryError(format!(
                "invalid orderField '{text}': it needs a field, as in 'metadata.name,asc'"
            )));
        }
        let order = match order.to_lowercase().as_str() {
            "asc" => Order::Asc,
            "desc" => Order::Desc,
            other => {
                return Err(QueryError(format!(
                    "invalid orderField '{text}': the order must be 'asc' or 'desc', not '{other}'"
                )))
            }
        };
        Ok(Self {
            key: key.to_lowercase(),
            order,
        })
    }
}

/// A full-text term and the keys it is looked for in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FullText {
    /// Lower-case text that a value must contain.
    pub term: String,
    /// Lower-case keys to look in.
    pub fields: Vec<String>,
}

/// The keys a full-text term is looked for in when the query names none.
pub const DEFAULT_FULL_TEXT_FIELDS: [&str; 4] = [
    "metadata.name",
    "metadata.title",
    "metadata.description",
    "metadata.tags",
];

/// A query over entities: which, in what order, which page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityQuery {
    /// Any group may match; no group means every entity.
    pub filter: Vec<FilterGroup>,
    /// A predicate query that must hold as well (`POST /entities/by-query`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Predicate>,
    /// Sort keys, most significant first; ties are broken by entity ref.
    pub order: Vec<OrderField>,
    /// An optional full-text term.
    pub full_text: Option<FullText>,
    /// How many entities to skip.
    pub offset: usize,
    /// How many entities to return at most.
    pub limit: usize,
}

impl EntityQuery {
    /// Whether the query selects by neither `filter` nor a predicate.
    pub fn is_unfiltered(&self) -> bool {
        self.filter.is_empty() && self.predicate.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_filters_like_backstage() {
        let group =
            FilterGroup::parse("Kind=Component, spec.type=service,kind=API,metadata.tags").unwrap();
        assert_eq!(
            group.conditions,
            vec![
                Condition {
                    key: "kind".into(),
                    values: vec!["component".into(), "api".into()]
                },
                Condition {
                    key: "spec.type".into(),
                    values: vec!["service".into()]
                },
                Condition {
                    key: "metadata.tags".into(),
                    values: vec![]
                },
            ]
        );
        let group = FilterGroup::parse("relations.ownedBy=group:default/team-a").unwrap();
        assert_eq!(group.conditions[0].values, ["group:default/team-a"]);
        assert!(FilterGroup::parse("=x").is_err());
        assert!(FilterGroup::parse("kind=a,,x").is_err());
    }

    #[test]
    fn parses_order_fields() {
        assert_eq!(
            OrderField::parse("metadata.name,desc").unwrap(),
            OrderField {
                key: "metadata.name".into(),
                order: Order::Desc
            }
        );
        assert_eq!(
            OrderField::parse("metadata.name").unwrap().order,
            Order::Asc
        );
        assert!(OrderField::parse("metadata.name,sideways")
            .unwrap_err()
            .0
            .contains("'asc' or 'desc'"));
        assert!(OrderField::parse(",asc").is_err());
    }
}
