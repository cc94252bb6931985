//! What an entity page shows: the entity as the catalog serves it, each related entity
//! (or the fact that it is missing), and the raw descriptor. Relations are grouped under
//! headings in the portal's words, in an order that reads well for every kind.

use serde::{Deserialize, Serialize};

use super::{
    api_definition::ApiDefinition, catalog_view::CatalogRow, entity::Entity, entity_ref::EntityRef,
};

/// Everything an entity page needs, in one answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityPage {
    /// The entity, with relations and `status.items`.
    pub entity: Entity,
    /// One per relation, in the entity's relation order.
    pub related: Vec<Related>,
    /// The entity as YAML.
    pub yaml: String,
    /// The entity as indented JSON.
    pub json: String,
    /// An API's definition, prepared for reading.
    pub definition: Option<ApiDefinition>,
    /// A Location's entities (the first [`HELD_SHOWN`]) and how many it holds in all.
    pub held: Option<(Vec<CatalogRow>, u64)>,
    /// Its docs, when it names some.
    pub docs: Option<crate::model::docs::page::EntityDocs>,
    /// A system's or domain's parts drawn, each system a box round its parts (SVG).
    pub diagram: Option<String>,
}

/// How many of a Location's entities its page lists.
pub const HELD_SHOWN: usize = 100;

/// A relation and what is at its other end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    /// `ownedBy`, `providesApi`…
    pub relation_type: String,
    /// The other entity's ref.
    pub target: EntityRef,
    /// The other entity, or `None` when the catalog has no such entity.
    pub row: Option<CatalogRow>,
}

/// Relation types with the heading each gets, in the order an entity page shows them.
/// Types not listed come after, under their own name.
pub const RELATION_HEADINGS: [(&str, &str); 14] = [
    ("ownedBy", "Owner"),
    ("partOf", "Part of"),
    ("providesApi", "Provides APIs"),
    ("consumesApi", "Consumes APIs"),
    ("apiProvidedBy", "Provided by"),
    ("apiConsumedBy", "Consumed by"),
    ("dependsOn", "Depends on"),
    ("dependencyOf", "Dependency of"),
    ("hasPart", "Has parts"),
    ("childOf", "Parent group"),
    ("parentOf", "Child groups"),
    ("hasMember", "Members"),
    ("memberOf", "Member of"),
    ("ownerOf", "Owns"),
];

/// The page's relations grouped by type, as `(heading, relations)`, in
/// [`RELATION_HEADINGS`] order, then any other type by name.
pub fn grouped(related: &[Related]) -> Vec<(String, Vec<Related>)> {
    let mut groups: Vec<(String, Vec<Related>)> = Vec::new();
    let heading = |relation_type: &str| {
        RELATION_HEADINGS
            .iter()
            .position(|(t, _)| t.eq_ignore_ascii_case(relation_type))
            .map_or((RELATION_HEADINGS.len(), relation_type.to_owned()), |at| {
                (at, RELATION_HEADINGS[at].1.to_owned())
            })
    };
    let mut sorted: Vec<(usize, String, &Related)> = related
        .iter()
        .map(|r| {
            let (rank, title) = heading(&r.relation_type);
            (rank, title, r)
        })
        .collect();
    sorted.sort_by(|a, b| (a.0, &a.1, &a.2.target).cmp(&(b.0, &b.1, &b.2.target)));
    for (_, title, relation) in sorted {
        match groups.last_mut() {
            Some((last, items)) if *last == title => items.push(relation.clone()),
            _ => groups.push((title, vec![relation.clone()])),
        }
    }
    groups
}

/// The page of `entity_ref`: `/catalog/{namespace}/{kind}/{name}`, as Backstage shapes it.
pub fn entity_href(entity_ref: &EntityRef) -> String {
    format!(
        "/catalog/{}/{}/{}",
        entity_ref.namespace(),
        entity_ref.kind().to_lowercase(),
        entity_ref.name()
    )
}

/// `url` if it is safe to put in a link a person may click: http(s) or mailto only, so a
/// descriptor cannot smuggle in `javascript:`. Backstage's `url:` prefix (as in
/// `backstage.io/source-location`) is dropped.
pub fn safe_url(url: &str) -> Option<String> {
    let url = url.trim();
    let url = url.strip_prefix("url:").unwrap_or(url);
    let lower = url.to_ascii_lowercase();
    let allowed = ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme));
    (allowed && !url.chars().any(char::is_control)).then(|| url.to_owned())
}

/// The problems the catalog met processing `entity` (its docs' aside: they have their
/// own notice), as their messages.
pub fn processing_problems(entity: &Entity) -> Vec<String> {
    entity
        .status
        .iter()
        .flat_map(|status| &status.items)
        .filter(|item| item.item_type != crate::model::docs::page::DOCS_STATUS)
        .map(|item| item.message.clone())
        .collect()
}

/// The links an entity page shows: `metadata.links`, then the source, view and edit
/// annotations, as `(title, url)`; unsafe URLs are left out.
pub fn entity_links(entity: &Entity) -> Vec<(String, String)> {
    use super::entity::annotations;
    let mut links: Vec<(String, String)> = entity
        .metadata
        .links
        .iter()
        .filter_map(|link| {
            let url = safe_url(&link.url)?;
            Some((link.title.clone().unwrap_or_else(|| url.clone()), url))
        })
        .collect();
    for (annotation, title) in [
        (annotations::SOURCE_LOCATION, "Source"),
        (annotations::VIEW_URL, "View descriptor"),
        (annotations::EDIT_URL, "Edit descriptor"),
    ] {
        if let Some(url) = entity
            .metadata
            .annotations
            .get(annotation)
            .and_then(|u| safe_url(u))
        {
            links.push((title.to_owned(), url));
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_urls_become_links() {
        assert_eq!(
            safe_url("https://x.example/a").as_deref(),
            Some("https://x.example/a")
        );
        assert_eq!(
            safe_url("url:https://github.com/acme/repo/tree/main/").as_deref(),
            Some("https://github.com/acme/repo/tree/main/")
        );
        assert_eq!(
            safe_url("mailto:team@example.com").as_deref(),
            Some("mailto:team@example.com")
        );
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "/relative",
            "https://x\n.example",
        ] {
            assert_eq!(safe_url(bad), None, "{bad}");
        }
    }

    fn related(relation_type: &str, name: &str) -> Related {
        Related {
            relation_type: relation_type.into(),
            target: EntityRef::new("Component", "default", name),
            row: None,
        }
    }

    #[test]
    fn relations_are_grouped_in_reading_order() {
        let groups = grouped(&[
            related("ownerOf", "b"),
            related("dependsOn", "z"),
            related("customLink", "c"),
            related("dependsOn", "a"),
            related("ownedBy", "t"),
        ]);
        let titles: Vec<&str> = groups.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(titles, ["Owner", "Depends on", "Owns", "customLink"]);
        let depends: Vec<&str> = groups[1].1.iter().map(|r| r.target.name()).collect();
        assert_eq!(depends, ["a", "z"]);
    }

    #[test]
    fn entity_pages_have_backstages_url_shape() {
        let entity_ref = EntityRef::new("API", "payments", "orders");
        assert_eq!(entity_href(&entity_ref), "/catalog/payments/api/orders");
    }
}
