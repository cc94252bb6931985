//! The entity: Backstage's descriptor envelope (`apiVersion`, `kind`, `metadata`, `spec`)
//! plus what the catalog adds on output (`relations`, `status`).
//!
//! Fields Portico does not interpret are kept as they were written (`extra`, `spec`), so
//! an entity reads back as its descriptor said, with only Backstage's own additions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::entity_ref::{EntityRef, DEFAULT_NAMESPACE};

/// Annotations Portico reads or writes.
pub mod annotations {
    /// The location an entity was read from (`file:/…/catalog-info.yaml`).
    pub const MANAGED_BY_LOCATION: &str = "backstage.io/managed-by-location";
    /// The registered location that led to it.
    pub const MANAGED_BY_ORIGIN_LOCATION: &str = "backstage.io/managed-by-origin-location";
    /// Set when no location holds the entity any more.
    pub const ORPHAN: &str = "backstage.io/orphan";
    /// Where its TechDocs are (`dir:.`).
    pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";
    /// Its source code.
    pub const SOURCE_LOCATION: &str = "backstage.io/source-location";
    /// A page showing its descriptor.
    pub const VIEW_URL: &str = "backstage.io/view-url";
    /// A page editing its descriptor.
    pub const EDIT_URL: &str = "backstage.io/edit-url";
}

/// A catalog entity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entity {
    /// The version of the descriptor format (`backstage.io/v1alpha1`).
    pub api_version: String,
    /// What the entity is (`Component`, `API`, `Group`…), as written.
    pub kind: String,
    /// Name, namespace and descriptive data.
    pub metadata: EntityMeta,
    /// The kind-specific part, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<Map<String, Value>>,
    /// Relations to other entities, derived by the catalog; always written, `[]` when
    /// there are none, as Backstage serves entities.
    #[serde(default)]
    pub relations: Vec<Relation>,
    /// Processing results, such as errors in the descriptor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<EntityStatus>,
}

/// `metadata`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityMeta {
    /// Assigned by the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Changes whenever the stored entity changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Unique per kind and namespace.
    pub name: String,
    /// `default` when the descriptor names none.
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A one-line description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Identifying key/value pairs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Non-identifying key/value pairs (see [`annotations`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Classifying words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// External links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<EntityLink>,
    /// Any other metadata, kept as written.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn default_namespace() -> String {
    DEFAULT_NAMESPACE.to_owned()
}

/// An item of `metadata.links`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityLink {
    /// Where it points.
    pub url: String,
    /// What to call it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A hint for an icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// What kind of link it is.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub link_type: Option<String>,
}

/// A relation from this entity to another.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Relation {
    /// `ownedBy`, `partOf`, `dependsOn`…
    #[serde(rename = "type")]
    pub relation_type: String,
    /// The other entity, which may not exist.
    pub target_ref: EntityRef,
    /// Backstage's legacy form of `target_ref`, which older plugins read; the server
    /// adds it unless configured not to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<RelationTarget>,
}

/// A relation's target as Backstage's legacy `target` field writes it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RelationTarget {
    /// Lower-case kind.
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl RelationTarget {
    /// The legacy form of `target`.
    pub fn of(target: &EntityRef) -> Self {
        Self {
            kind: target.kind().to_owned(),
            namespace: target.namespace().to_owned(),
            name: target.name().to_owned(),
        }
    }
}

/// `status`: what the catalog found while processing the entity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityStatus {
    /// One item per finding.
    #[serde(default)]
    pub items: Vec<StatusItem>,
}

/// One finding about an entity, in Backstage's shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusItem {
    /// `backstage.io/catalog-processing` for processing errors.
    #[serde(rename = "type")]
    pub item_type: String,
    /// `error`, `warning` or `info`.
    pub level: String,
    /// What is wrong, with file and line.
    pub message: String,
    /// The error, as `{name, message}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
}

impl Entity {
    /// This entity's ref, `kind:namespace/name`.
    pub fn entity_ref(&self) -> EntityRef {
        EntityRef::new(&self.kind, &self.metadata.namespace, &self.metadata.name)
    }

    /// The title, or the name when there is none (or it is blank).
    pub fn display_name(&self) -> &str {
        self.metadata
            .title
            .as_deref()
            .filter(|title| !title.trim().is_empty())
            .unwrap_or(&self.metadata.name)
    }

    /// The owner its `ownedBy` relation names, if any.
    pub fn owner_ref(&self) -> Option<&EntityRef> {
        self.relations
            .iter()
            .find(|r| r.relation_type.eq_ignore_ascii_case("ownedBy"))
            .map(|r| &r.target_ref)
    }

    /// A spec field, if the entity has a spec and the field.
    pub fn spec_field(&self, name: &str) -> Option<&Value> {
        self.spec.as_ref()?.get(name)
    }

    /// A spec field that is a string.
    pub fn spec_str(&self, name: &str) -> Option<&str> {
        self.spec_field(name)?.as_str()
    }

    /// An API's `spec.definition` as text: as written, or, when a `$json`/`$yaml`
    /// placeholder left it parsed, as indented JSON.
    pub fn definition_text(&self) -> Option<String> {
        let definition = self.spec_field("definition")?;
        Some(match definition.as_str() {
            Some(text) => text.to_owned(),
            None => serde_json::to_string_pretty(definition).unwrap_or_default(),
        })
    }

    /// A Location's `spec.target` and `spec.targets`, in that order.
    pub fn location_targets(&self) -> Vec<String> {
        let mut targets: Vec<String> = self
            .spec_str("target")
            .map(str::to_owned)
            .into_iter()
            .collect();
        if let Some(list) = self.spec_field("targets").and_then(|v| v.as_array()) {
            targets.extend(list.iter().filter_map(|v| v.as_str()).map(str::to_owned));
        }
        targets
    }
}
