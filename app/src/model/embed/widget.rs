//! The widgets other pages embed (`/embed/{widget}/…`): which there are, the options
//! every one takes, and what the entity ones show.

use serde::{Deserialize, Serialize};

use crate::model::catalog::{
    catalog_view::CatalogRow,
    entity::Entity,
    entity_page::{grouped, Related},
    entity_ref::EntityRef,
};
use crate::model::theme::ThemePreference;

/// A widget, named by the first part of its address after `/embed/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Widget {
    /// An entity's card: title, kind, owner, lifecycle, tags, description, links.
    Card,
    /// The team owning an entity: its members and what it owns.
    Owner,
    /// The dependency graph around an entity.
    Graph,
    /// What breaks when an entity is down.
    Impact,
    /// An API's summary and operations.
    Api,
    /// One page of an entity's docs.
    Docs,
    /// A catalog search box.
    Search,
}

impl Widget {
    /// Every widget, in the order the embed dialog lists them.
    pub const ALL: [Widget; 7] = [
        Self::Card,
        Self::Owner,
        Self::Graph,
        Self::Impact,
        Self::Api,
        Self::Docs,
        Self::Search,
    ];

    /// Its name in addresses and in the loader's `data-portico-widget`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::Owner => "owner",
            Self::Graph => "graph",
            Self::Impact => "impact",
            Self::Api => "api",
            Self::Docs => "docs",
            Self::Search => "search",
        }
    }

    /// The widget named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|widget| widget.name() == name)
    }

    /// The widget named `name`, or why there is none: "there is no widget 'x'; there
    /// are card, owner, …".
    pub fn named(name: &str) -> Result<Self, String> {
        Self::parse(name).ok_or_else(|| {
            format!(
                "there is no widget '{name}'; there are {}",
                Self::ALL.map(Self::name).join(", ")
            )
        })
    }

    /// Whether its address names an entity (`/embed/{widget}/{namespace}/{kind}/{name}`).
    pub fn about_entity(self) -> bool {
        self != Self::Search
    }
}

/// The options every widget takes in its query: `theme=light|dark|auto` (auto follows
/// the reader's setting) and `compact=1` for tight spaces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WidgetOptions {
    /// The colours; `System` is `auto`.
    pub theme: ThemePreference,
    /// Less space: no description or links, smaller type.
    pub compact: bool,
}

impl WidgetOptions {
    /// Reads the options from a query's pairs, ignoring the widget's own parameters;
    /// a wrong value is an error naming the parameter.
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, String> {
        let mut options = Self::default();
        for (key, value) in params {
            match key {
                "theme" => {
                    options.theme = match value {
                        "light" => ThemePreference::Light,
                        "dark" => ThemePreference::Dark,
                        "auto" | "" => ThemePreference::System,
                        other => {
                            return Err(format!("theme '{other}' is not one of light, dark, auto"))
                        }
                    }
                }
                "compact" => {
                    options.compact = match value {
                        "1" | "true" | "" => true,
                        "0" | "false" => false,
                        other => return Err(format!("compact '{other}' is not 1 or 0")),
                    }
                }
                _ => {}
            }
        }
        Ok(options)
    }
}

/// What a card shows: the entity, and its owner as the catalog holds it (`None` when it
/// names none; the row `None` when the catalog has no such owner).
#[derive(Clone, Debug, PartialEq)]
pub struct EntityCard {
    /// The entity, with its relations and status.
    pub entity: Entity,
    /// The `ownedBy` relation, with the owner's row.
    pub owner: Option<Related>,
}

impl EntityCard {
    /// How many relations of each kind the entity has, under an entity page's headings
    /// and in their order (the owner aside: the card names it).
    pub fn relation_counts(&self) -> Vec<(String, usize)> {
        let related: Vec<Related> = self
            .entity
            .relations
            .iter()
            .filter(|r| !r.relation_type.eq_ignore_ascii_case("ownedBy"))
            .map(|r| Related {
                relation_type: r.relation_type.clone(),
                target: r.target_ref.clone(),
                row: None,
            })
            .collect();
        grouped(&related)
            .into_iter()
            .map(|(heading, items)| (heading, items.len()))
            .collect()
    }
}

/// What the owner widget shows: a team, its members, and the first of what it owns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnerCard {
    /// The owning group (or user).
    pub team: CatalogRow,
    /// Its members the reader may see.
    pub members: Vec<CatalogRow>,
    /// The first [`OWNED_SHOWN`] of what it owns, by kind then name.
    pub owned: Vec<CatalogRow>,
    /// How many entities it owns in all.
    pub owned_total: usize,
}

/// How many owned entities the owner widget lists.
pub const OWNED_SHOWN: usize = 12;

/// The entity a widget's address names, `/embed/{widget}/{namespace}/{kind}/{name}`.
pub fn widget_entity(namespace: &str, kind: &str, name: &str) -> Result<EntityRef, String> {
    EntityRef::parse_full(&format!("{kind}:{namespace}/{name}"))
        .map_err(|e| format!("'{namespace}/{kind}/{name}' is not an entity: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widgets_are_named_as_their_addresses() {
        for widget in Widget::ALL {
            assert_eq!(Widget::parse(widget.name()), Some(widget));
        }
        assert_eq!(Widget::parse("Card"), None);
        assert!(!Widget::Search.about_entity());
    }

    #[test]
    fn options_are_read_and_wrong_ones_named() {
        let options =
            WidgetOptions::from_params([("theme", "dark"), ("compact", "1"), ("depth", "2")]);
        assert_eq!(
            options,
            Ok(WidgetOptions {
                theme: ThemePreference::Dark,
                compact: true
            })
        );
        assert_eq!(WidgetOptions::from_params([]), Ok(WidgetOptions::default()));
        let wrong = WidgetOptions::from_params([("theme", "blue")]).unwrap_err();
        assert!(wrong.contains("theme 'blue'"), "{wrong}");
        let wrong = WidgetOptions::from_params([("compact", "yes")]).unwrap_err();
        assert!(wrong.contains("compact 'yes'"), "{wrong}");
    }

    #[test]
    fn a_card_counts_relations_under_page_headings() {
        let entity: Entity = serde_json::from_value(serde_json::json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": "checkout"},
            "spec": {"owner": "team-a"},
            "relations": [
                {"type": "ownedBy", "targetRef": "group:default/team-a"},
                {"type": "dependsOn", "targetRef": "resource:default/db"},
                {"type": "dependsOn", "targetRef": "component:default/cart"},
                {"type": "providesApi", "targetRef": "api:default/checkout"}
            ]
        }))
        .unwrap();
        let card = EntityCard {
            entity,
            owner: None,
        };
        assert_eq!(
            card.relation_counts(),
            [
                ("Provides APIs".to_owned(), 1),
                ("Depends on".to_owned(), 2)
            ]
        );
    }
}
