//! The relations an entity's spec implies, in both directions.
//!
//! `spec.owner: team-a` on `component:default/petstore` gives
//! `component:default/petstore ownedBy group:default/team-a` and
//! `group:default/team-a ownerOf component:default/petstore`. The target need not exist:
//! a relation to a missing entity is kept, and shown as missing.

use serde_json::Value;

use super::{
    entity::Entity,
    entity_ref::{EntityRef, RefContext},
    kinds::rules_for,
};

/// One directed relation between two entities.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelationEdge {
    /// The entity the relation belongs to.
    pub source: EntityRef,
    /// The relation type, `ownedBy`, `hasPart`…
    pub relation_type: &'static str,
    /// The entity it points at.
    pub target: EntityRef,
}

/// Every relation `entity`'s spec implies: for each ref, the forward relation from the
/// entity and the reverse one from the target. Refs that do not parse are skipped
/// (validation reports them). Sorted, without duplicates.
pub fn relations_of(entity: &Entity) -> Vec<RelationEdge> {
    let Some(rules) = rules_for(&entity.kind) else {
        return Vec::new();
    };
    let me = entity.entity_ref();
    let mut edges = Vec::new();
    for field in rules.fields {
        let Some(rule) = field.relation else { continue };
        let context = RefContext {
            default_kind: rule.default_kind,
            default_namespace: Some(&entity.metadata.namespace),
        };
        let texts: Vec<&str> = match entity.spec_field(field.name) {
            Some(Value::String(text)) => vec![text],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => continue,
        };
        for text in texts {
            let Ok(target) = EntityRef::parse(text, context) else {
                continue;
            };
            edges.push(RelationEdge {
                source: me.clone(),
                relation_type: rule.forward,
                target: target.clone(),
            });
            edges.push(RelationEdge {
                source: target,
                relation_type: rule.reverse,
                target: me.clone(),
            });
        }
    }
    edges.sort();
    edges.dedup();
    edges
}

/// The spec fields listing refs that Backstage sorts when it reads a descriptor (its
/// builtin kinds processor, for stable hashes): the API serves them sorted.
const SORTED_REF_LISTS: [&str; 7] = [
    "providesApis",
    "consumesApis",
    "dependsOn",
    "dependencyOf",
    "memberOf",
    "children",
    "members",
];

/// Sorts the lists of refs in `entity`'s spec as Backstage does when it reads a
/// descriptor: only lists whose every item is a string, in code-unit order.
pub fn sort_ref_lists(entity: &mut Entity) {
    let Some(spec) = entity.spec.as_mut() else {
        return;
    };
    for field in SORTED_REF_LISTS {
        if let Some(Value::Array(items)) = spec.get_mut(field) {
            if items.iter().all(Value::is_string) {
                items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::catalog::validation::validate_entity;

    fn edges(value: serde_json::Value) -> Vec<String> {
        relations_of(&validate_entity(&value).unwrap())
            .into_iter()
            .map(|e| format!("{} {} {}", e.source, e.relation_type, e.target))
            .collect()
    }

    #[test]
    fn a_component_relates_to_owner_system_apis_and_dependencies() {
        let found = edges(json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "petstore", "namespace": "shop"},
            "spec": {"type": "service", "lifecycle": "production", "owner": "team-a",
                     "system": "default/pets", "providesApis": ["petstore"],
                     "consumesApis": ["api:payments/billing"], "dependsOn": ["resource:db"],
                     "subcomponentOf": "shop-platform"}
        }));
        let me = "component:shop/petstore";
        for edge in [
            format!("{me} ownedBy group:shop/team-a"),
            format!("group:shop/team-a ownerOf {me}"),
            format!("{me} partOf system:default/pets"),
            format!("system:default/pets hasPart {me}"),
            format!("{me} providesApi api:shop/petstore"),
            format!("api:shop/petstore apiProvidedBy {me}"),
            format!("{me} consumesApi api:payments/billing"),
            format!("api:payments/billing apiConsumedBy {me}"),
            format!("{me} dependsOn resource:shop/db"),
            format!("resource:shop/db dependencyOf {me}"),
            format!("{me} partOf component:shop/shop-platform"),
            format!("component:shop/shop-platform hasPart {me}"),
        ] {
            assert!(found.contains(&edge), "missing {edge} in {found:#?}");
        }
        assert_eq!(found.len(), 12);
    }

    #[test]
    fn groups_and_users_relate_through_membership_and_hierarchy() {
        let found = edges(json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Group",
            "metadata": {"name": "team-a"},
            "spec": {"type": "team", "parent": "backstage", "children": ["team-a1"], "members": ["breanna"]}
        }));
        assert_eq!(
            found,
            [
                "group:default/backstage parentOf group:default/team-a",
                "group:default/team-a childOf group:default/backstage",
                "group:default/team-a hasMember user:default/breanna",
                "group:default/team-a parentOf group:default/team-a1",
                "group:default/team-a1 childOf group:default/team-a",
                "user:default/breanna memberOf group:default/team-a",
            ]
        );
    }

    #[test]
    fn domains_and_unknown_kinds() {
        let found = edges(json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Domain",
            "metadata": {"name": "audio"}, "spec": {"owner": "user:frank", "subdomainOf": "media"}
        }));
        assert!(found.contains(&"domain:default/audio partOf domain:default/media".to_owned()));
        assert!(found.contains(&"domain:default/audio ownedBy user:default/frank".to_owned()));
        assert!(edges(json!({
            "apiVersion": "x.io/v1", "kind": "AiResource", "metadata": {"name": "a"}, "spec": {"owner": "g"}
        }))
        .is_empty());
    }

    #[test]
    fn ref_lists_are_sorted_as_backstage_reads_them() {
        let mut entity: Entity = serde_json::from_value(json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "a"},
            "spec": {"type": "service", "lifecycle": "production", "owner": "team-a",
                     "providesApis": ["petstore", "streetlights", "hello-world"],
                     "dependsOn": ["resource:db", {"not": "a string"}]}
        }))
        .unwrap();
        sort_ref_lists(&mut entity);
        let spec = entity.spec.unwrap();
        assert_eq!(
            spec["providesApis"],
            json!(["hello-world", "petstore", "streetlights"])
        );
        assert_eq!(
            spec["dependsOn"],
            json!(["resource:db", {"not": "a string"}]),
            "mixed lists stay"
        );
    }
}
