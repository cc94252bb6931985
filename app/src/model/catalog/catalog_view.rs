//! What the catalog page shows: its state as the URL holds it
//! (`/catalog?kind=component&type=service&q=pay&sort=name&page=2`), the [`EntityQuery`]
//! that state asks the server for, and the rows and facet counts that come back.
//!
//! The whole state lives in the URL, so a copied link reproduces the view and the server
//! renders the same page the browser would. This module parses and writes that URL and
//! decides which columns fit which kind; it fetches nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    entity::Entity,
    entity_ref::EntityRef,
    filter::{
        Condition, EntityQuery, FilterGroup, FullText, Order, OrderField, DEFAULT_FULL_TEXT_FIELDS,
    },
};

/// Rows per page.
pub const PAGE_SIZE: usize = 25;

/// The facets a person can filter by, in the order the page shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Facet {
    /// `kind`.
    Kind,
    /// `spec.type`.
    Type,
    /// `spec.owner`.
    Owner,
    /// `spec.lifecycle`.
    Lifecycle,
    /// `metadata.namespace`.
    Namespace,
    /// `metadata.tags`.
    Tag,
}

impl Facet {
    /// Every facet, in display order.
    pub const ALL: [Facet; 6] = [
        Self::Kind,
        Self::Type,
        Self::Owner,
        Self::Lifecycle,
        Self::Namespace,
        Self::Tag,
    ];

    /// The URL parameter holding the selected values.
    pub fn param(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Type => "type",
            Self::Owner => "owner",
            Self::Lifecycle => "lifecycle",
            Self::Namespace => "namespace",
            Self::Tag => "tag",
        }
    }

    /// The search key the facet filters and counts.
    pub fn key(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Type => "spec.type",
            Self::Owner => "spec.owner",
            Self::Lifecycle => "spec.lifecycle",
            Self::Namespace => "metadata.namespace",
            Self::Tag => "metadata.tags",
        }
    }

    /// The heading shown above its values.
    pub fn label(self) -> &'static str {
        match self {
            Self::Kind => "Kind",
            Self::Type => "Type",
            Self::Owner => "Owner",
            Self::Lifecycle => "Lifecycle",
            Self::Namespace => "Namespace",
            Self::Tag => "Tag",
        }
    }
}

/// A column of the catalog table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Column {
    /// Title (or name), linking to the entity page.
    Name,
    /// `kind`.
    Kind,
    /// `spec.system`.
    System,
    /// `spec.domain`.
    Domain,
    /// `spec.owner`.
    Owner,
    /// `spec.type`.
    Type,
    /// `spec.lifecycle`.
    Lifecycle,
    /// `spec.profile.email`.
    Email,
    /// `metadata.description`.
    Description,
    /// `metadata.tags`.
    Tags,
}

impl Column {
    /// Every column, for parsing.
    const ALL: [Column; 10] = [
        Self::Name,
        Self::Kind,
        Self::System,
        Self::Domain,
        Self::Owner,
        Self::Type,
        Self::Lifecycle,
        Self::Email,
        Self::Description,
        Self::Tags,
    ];

    /// The value of the `sort` URL parameter.
    pub fn param(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Kind => "kind",
            Self::System => "system",
            Self::Domain => "domain",
            Self::Owner => "owner",
            Self::Type => "type",
            Self::Lifecycle => "lifecycle",
            Self::Email => "email",
            Self::Description => "description",
            Self::Tags => "tags",
        }
    }

    /// The column heading.
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Kind => "Kind",
            Self::System => "System",
            Self::Domain => "Domain",
            Self::Owner => "Owner",
            Self::Type => "Type",
            Self::Lifecycle => "Lifecycle",
            Self::Email => "Email",
            Self::Description => "Description",
            Self::Tags => "Tags",
        }
    }

    /// The search key rows are sorted by; `None` for columns that cannot be sorted.
    pub fn sort_key(self) -> Option<&'static str> {
        match self {
            Self::Name => Some("metadata.name"),
            Self::Kind => Some("kind"),
            Self::System => Some("spec.system"),
            Self::Domain => Some("spec.domain"),
            Self::Owner => Some("spec.owner"),
            Self::Type => Some("spec.type"),
            Self::Lifecycle => Some("spec.lifecycle"),
            Self::Email => Some("spec.profile.email"),
            Self::Description | Self::Tags => None,
        }
    }

    /// The text of this column's cell for `row`.
    pub fn cell(self, row: &CatalogRow) -> String {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        match self {
            Self::Name => row.display_name().to_owned(),
            Self::Kind => row.kind.clone(),
            Self::System => text(&row.system),
            Self::Domain => text(&row.domain),
            Self::Owner => text(&row.owner),
            Self::Type => text(&row.entity_type),
            Self::Lifecycle => text(&row.lifecycle),
            Self::Email => text(&row.email),
            Self::Description => text(&row.description),
            Self::Tags => row.tags.join(", "),
        }
    }
}

/// One row of the catalog table: what the columns show of an entity, and no more.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogRow {
    /// The entity, for its link.
    pub entity_ref: EntityRef,
    /// `kind`, as written.
    pub kind: String,
    /// `metadata.name`, as written.
    pub name: String,
    /// `metadata.title`.
    pub title: Option<String>,
    /// `metadata.description`.
    pub description: Option<String>,
    /// `spec.owner`.
    pub owner: Option<String>,
    /// `spec.system`.
    pub system: Option<String>,
    /// `spec.domain`.
    pub domain: Option<String>,
    /// `spec.type`.
    pub entity_type: Option<String>,
    /// `spec.lifecycle`.
    pub lifecycle: Option<String>,
    /// `spec.profile.email`.
    pub email: Option<String>,
    /// `metadata.tags`.
    pub tags: Vec<String>,
}

impl CatalogRow {
    /// The row for `entity`.
    pub fn of(entity: &Entity) -> Self {
        let spec = |name: &str| entity.spec_str(name).map(str::to_owned);
        Self {
            entity_ref: entity.entity_ref(),
            kind: entity.kind.clone(),
            name: entity.metadata.name.clone(),
            title: entity.metadata.title.clone(),
            description: entity.metadata.description.clone(),
            owner: spec("owner"),
            system: spec("system"),
            domain: spec("domain"),
            entity_type: spec("type"),
            lifecycle: spec("lifecycle"),
            email: entity
                .spec_field("profile")
                .and_then(|profile| profile.get("email"))
                .and_then(|email| email.as_str())
                .map(str::to_owned),
            tags: entity.metadata.tags.clone(),
        }
    }

    /// The title, or the name when there is none.
    pub fn display_name(&self) -> &str {
        self.title
            .as_deref()
            .filter(|title| !title.trim().is_empty())
            .unwrap_or(&self.name)
    }
}

/// One page of the catalog table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPage {
    /// The rows, in the view's order.
    pub rows: Vec<CatalogRow>,
    /// How many entities the view selects in all.
    pub total: u64,
}

/// The values of one facet among the entities a view selects (the facet's own selection
/// aside, so that its other values stay visible), most common first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCounts {
    /// Which facet.
    pub facet: Facet,
    /// `(value, entities with it)`.
    pub values: Vec<(String, u64)>,
}

/// The state of the catalog page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogView {
    /// Selected values per facet (lower-case); within a facet any value matches, across
    /// facets all must.
    pub selected: BTreeMap<Facet, Vec<String>>,
    /// The search box's text.
    pub text: String,
    /// The column sorted by and whether descending; by entity ref when `None`.
    pub sort: Option<(Column, Order)>,
    /// The page, from 0.
    pub page: usize,
    /// Every entity, or only the person's own or starred ones.
    pub show: Show,
}

/// Which entities the catalog page shows, before facets and search.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Show {
    /// Every entity.
    #[default]
    All,
    /// What the person owns, directly or through their groups (`owned=true`).
    Owned,
    /// What the person starred (`starred=true`).
    Starred,
}

impl CatalogView {
    /// The view a URL query string describes (`kind=component&q=pay`); unknown
    /// parameters and values that make no sense are ignored.
    pub fn from_query(query: &str) -> Self {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
                .into_owned()
                .collect();
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The view that URL parameters describe, as `(name, value)` pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut view = Self::default();
        for (name, value) in pairs {
            let value = value.trim();
            if let Some(facet) = Facet::ALL.into_iter().find(|f| f.param() == name) {
                for value in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                    let values = view.selected.entry(facet).or_default();
                    let value = value.to_lowercase();
                    if !values.contains(&value) {
                        values.push(value);
                    }
                }
                continue;
            }
            match name {
                "q" => view.text = value.to_owned(),
                "sort" => {
                    let (column, order) = match value.strip_prefix('-') {
                        Some(column) => (column, Order::Desc),
                        None => (value, Order::Asc),
                    };
                    view.sort = Column::ALL
                        .into_iter()
                        .find(|c| c.param() == column && c.sort_key().is_some())
                        .map(|c| (c, order));
                }
                "page" => {
                    view.page = value
                        .parse::<usize>()
                        .ok()
                        .and_then(|p| p.checked_sub(1))
                        .unwrap_or(0);
                }
                "starred" if value == "true" || value == "1" => view.show = Show::Starred,
                "owned" if value == "true" || value == "1" => view.show = Show::Owned,
                _ => {}
            }
        }
        view
    }

    /// The URL query string for this view (without `?`), parameters in a fixed order and
    /// defaults left out, so that equal views have equal URLs.
    pub fn to_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (facet, values) in &self.selected {
            if !values.is_empty() {
                query.append_pair(facet.param(), &values.join(","));
            }
        }
        if !self.text.trim().is_empty() {
            query.append_pair("q", self.text.trim());
        }
        if let Some((column, order)) = self.sort {
            let sign = if order == Order::Desc { "-" } else { "" };
            query.append_pair("sort", &format!("{sign}{}", column.param()));
        }
        match self.show {
            Show::All => {}
            Show::Owned => _ = query.append_pair("owned", "true"),
            Show::Starred => _ = query.append_pair("starred", "true"),
        }
        if self.page > 0 {
            query.append_pair("page", &(self.page + 1).to_string());
        }
        query.finish()
    }

    /// The page's address for this view.
    pub fn href(&self) -> String {
        match self.to_query() {
            query if query.is_empty() => "/catalog".to_owned(),
            query => format!("/catalog?{query}"),
        }
    }

    /// Whether `value` of `facet` is selected.
    pub fn is_selected(&self, facet: Facet, value: &str) -> bool {
        self.selected
            .get(&facet)
            .is_some_and(|values| values.iter().any(|v| v.eq_ignore_ascii_case(value)))
    }

    /// This view with `value` of `facet` selected or unselected, from the first page.
    pub fn toggled(&self, facet: Facet, value: &str) -> Self {
        let mut view = self.clone();
        let value = value.to_lowercase();
        let values = view.selected.entry(facet).or_default();
        match values.iter().position(|v| *v == value) {
            Some(at) => {
                values.remove(at);
            }
            None => values.push(value),
        }
        if values.is_empty() {
            view.selected.remove(&facet);
        }
        view.page = 0;
        view
    }

    /// This view searching for `text`, from the first page.
    pub fn searching(&self, text: &str) -> Self {
        Self {
            text: text.to_owned(),
            page: 0,
            ..self.clone()
        }
    }

    /// This view sorted by `column`: ascending first, descending when it already was
    /// ascending, back to the default order after that.
    pub fn sorted_by(&self, column: Column) -> Self {
        let sort = match self.sort {
            Some((c, Order::Asc)) if c == column => Some((column, Order::Desc)),
            Some((c, Order::Desc)) if c == column => None,
            _ => Some((column, Order::Asc)),
        };
        Self {
            sort,
            page: 0,
            ..self.clone()
        }
    }

    /// This view on page `page` (from 0).
    pub fn on_page(&self, page: usize) -> Self {
        Self {
            page,
            ..self.clone()
        }
    }

    /// This view showing `show`.
    pub fn showing(&self, show: Show) -> Self {
        Self {
            show,
            page: 0,
            ..self.clone()
        }
    }

    /// How many pages `total` entities fill (at least one).
    pub fn pages(total: u64) -> usize {
        (total as usize).div_ceil(PAGE_SIZE).max(1)
    }

    /// The single kind selected, if exactly one is.
    pub fn kind(&self) -> Option<&str> {
        match self.selected.get(&Facet::Kind).map(Vec::as_slice) {
            Some([kind]) => Some(kind),
            _ => None,
        }
    }

    /// The columns that fit the selected kind.
    pub fn columns(&self) -> &'static [Column] {
        use Column::*;
        match self.kind() {
            Some("component" | "api") => &[Name, System, Owner, Type, Lifecycle, Description, Tags],
            Some("resource") => &[Name, System, Owner, Type, Description, Tags],
            Some("system") => &[Name, Domain, Owner, Description, Tags],
            Some("domain") => &[Name, Owner, Description, Tags],
            Some("group") => &[Name, Type, Description, Tags],
            Some("user") => &[Name, Email, Description],
            Some(_) => &[Name, Type, Owner, Description, Tags],
            None => &[Name, Kind, Owner, Type, Lifecycle, Description, Tags],
        }
    }

    /// The query for this view's page. `starred` are the person's starred entities and
    /// `ownership` the person and their groups (used when the view shows only those);
    /// `except` leaves one facet's selection out, which is how that facet's own counts
    /// are taken. `None` when the view can select nothing (only starred entities, and
    /// none is starred; only owned ones, and the person is the guest).
    pub fn entity_query(
        &self,
        starred: &[EntityRef],
        ownership: &[EntityRef],
        except: Option<Facet>,
    ) -> Option<EntityQuery> {
        let mut conditions: Vec<Condition> = self
            .selected
            .iter()
            .filter(|(facet, values)| Some(**facet) != except && !values.is_empty())
            .map(|(facet, values)| Condition {
                key: facet.key().to_owned(),
                values: values.clone(),
            })
            .collect();
        if self.show == Show::Owned {
            if ownership.is_empty() {
                return None;
            }
            conditions.push(Condition::owned_by(ownership));
        }
        let filter = if self.show == Show::Starred {
            if starred.is_empty() {
                return None;
            }
            // One group per starred entity: each must also meet every facet condition.
            starred
                .iter()
                .map(|entity_ref| {
                    let mut conditions = conditions.clone();
                    for (key, value) in [
                        ("kind", entity_ref.kind()),
                        ("metadata.namespace", entity_ref.namespace()),
                        ("metadata.name", entity_ref.name()),
                    ] {
                        conditions.push(Condition {
                            key: key.to_owned(),
                            values: vec![value.to_lowercase()],
                        });
                    }
                    FilterGroup { conditions }
                })
                .collect()
        } else if conditions.is_empty() {
            Vec::new()
        } else {
            vec![FilterGroup { conditions }]
        };
        let text = self.text.trim().to_lowercase();
        Some(EntityQuery {
            filter,
            predicate: None,
            order: self
                .sort
                .and_then(|(column, order)| {
                    Some(OrderField {
                        key: column.sort_key()?.to_owned(),
                        order,
                    })
                })
                .into_iter()
                .collect(),
            full_text: (!text.is_empty()).then(|| FullText {
                term: text,
                fields: DEFAULT_FULL_TEXT_FIELDS.map(str::to_owned).to_vec(),
            }),
            offset: self.page * PAGE_SIZE,
            limit: PAGE_SIZE,
        })
    }
}

#[cfg(test)]
mod tests;
