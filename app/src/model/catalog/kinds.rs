//! The kinds Portico knows and the shape of their `spec`, as one table: which fields
//! exist, which are required, and which name other entities (and so make relations).
//!
//! Validation ([`super::validation`]) and relation derivation ([`super::relations`]) both
//! read this table, so a field's rules are written once. Kinds not in the table (for
//! example `AiResource`) are kept with envelope validation only.

/// The JSON shape a spec field must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A non-empty string.
    Text,
    /// A list of non-empty strings.
    TextList,
    /// An object.
    Object,
    /// A list of objects.
    ObjectList,
    /// An object or a list of objects (a template's `parameters`).
    ObjectOrObjectList,
}

/// A relation that a spec field creates, in both directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelationRule {
    /// The kind of a target written without one; `None` means the ref must name its kind.
    pub default_kind: Option<&'static str>,
    /// The relation from the entity to the target (`ownedBy`).
    pub forward: &'static str,
    /// The relation from the target back to the entity (`ownerOf`).
    pub reverse: &'static str,
}

/// When a spec field must be present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Required {
    /// Always.
    Yes,
    /// Never.
    No,
    /// Unless `spec.type` is the given value (an API's `definition`, which an
    /// `mcp-server` API replaces by `remotes`).
    UnlessType(&'static str),
    /// Only when `spec.type` is the given value.
    ForType(&'static str),
}

impl Required {
    /// Whether the field is required in a spec whose `type` is `spec_type`.
    pub fn applies(self, spec_type: Option<&str>) -> bool {
        match self {
            Self::Yes => true,
            Self::No => false,
            Self::UnlessType(t) => spec_type != Some(t),
            Self::ForType(t) => spec_type == Some(t),
        }
    }
}

/// One field of a kind's `spec`.
#[derive(Clone, Copy, Debug)]
pub struct SpecField {
    /// The key under `spec`.
    pub name: &'static str,
    /// The shape its value must have.
    pub shape: Shape,
    /// When the entity is invalid without it.
    pub required: Required,
    /// The relation each ref in it creates, for fields that name entities.
    pub relation: Option<RelationRule>,
}

/// A kind Portico knows.
#[derive(Clone, Copy, Debug)]
pub struct KindRules {
    /// The kind as written in descriptors.
    pub kind: &'static str,
    /// The `apiVersion` values it may be written in.
    pub api_versions: &'static [&'static str],
    /// Its spec fields. Fields not listed are kept unchecked.
    pub fields: &'static [SpecField],
}

const fn field(name: &'static str, shape: Shape, required: bool) -> SpecField {
    SpecField {
        name,
        shape,
        required: if required {
            Required::Yes
        } else {
            Required::No
        },
        relation: None,
    }
}

const fn refs(
    name: &'static str,
    shape: Shape,
    required: bool,
    default_kind: Option<&'static str>,
    forward: &'static str,
    reverse: &'static str,
) -> SpecField {
    SpecField {
        name,
        shape,
        required: if required {
            Required::Yes
        } else {
            Required::No
        },
        relation: Some(RelationRule {
            default_kind,
            forward,
            reverse,
        }),
    }
}

const BACKSTAGE: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];
const GROUP: Option<&str> = Some("Group");

use Shape::*;

const OWNER: SpecField = refs("owner", Text, true, GROUP, "ownedBy", "ownerOf");
const SYSTEM: SpecField = refs("system", Text, false, Some("System"), "partOf", "hasPart");

/// Every kind Portico validates beyond the envelope.
pub const KINDS: &[KindRules] = &[
    KindRules {
        kind: "Component",
        api_versions: BACKSTAGE,
        fields: &[
            field("type", Text, true),
            field("lifecycle", Text, true),
            OWNER,
            SYSTEM,
            refs(
                "subcomponentOf",
                Text,
                false,
                Some("Component"),
                "partOf",
                "hasPart",
            ),
            refs(
                "providesApis",
                TextList,
                false,
                Some("API"),
                "providesApi",
                "apiProvidedBy",
            ),
            refs(
                "consumesApis",
                TextList,
                false,
                Some("API"),
                "consumesApi",
                "apiConsumedBy",
            ),
            refs(
                "dependsOn",
                TextList,
                false,
                None,
                "dependsOn",
                "dependencyOf",
            ),
            refs(
                "dependencyOf",
                TextList,
                false,
                None,
                "dependencyOf",
                "dependsOn",
            ),
        ],
    },
    KindRules {
        kind: "API",
        api_versions: BACKSTAGE,
        fields: &[
            field("type", Text, true),
            field("lifecycle", Text, true),
            OWNER,
            SYSTEM,
            SpecField {
                name: "definition",
                shape: Text,
                required: Required::UnlessType("mcp-server"),
                relation: None,
            },
            SpecField {
                name: "remotes",
                shape: ObjectList,
                required: Required::ForType("mcp-server"),
                relation: None,
            },
        ],
    },
    KindRules {
        kind: "Resource",
        api_versions: BACKSTAGE,
        fields: &[
            field("type", Text, true),
            OWNER,
            SYSTEM,
            refs(
                "dependsOn",
                TextList,
                false,
                None,
                "dependsOn",
                "dependencyOf",
            ),
            refs(
                "dependencyOf",
                TextList,
                false,
                None,
                "dependencyOf",
                "dependsOn",
            ),
        ],
    },
    KindRules {
        kind: "System",
        api_versions: BACKSTAGE,
        fields: &[
            OWNER,
            refs("domain", Text, false, Some("Domain"), "partOf", "hasPart"),
            field("type", Text, false),
        ],
    },
    KindRules {
        kind: "Domain",
        api_versions: BACKSTAGE,
        fields: &[
            OWNER,
            refs(
                "subdomainOf",
                Text,
                false,
                Some("Domain"),
                "partOf",
                "hasPart",
            ),
            field("type", Text, false),
        ],
    },
    KindRules {
        kind: "Group",
        api_versions: BACKSTAGE,
        fields: &[
            field("type", Text, true),
            field("profile", Object, false),
            refs("parent", Text, false, GROUP, "childOf", "parentOf"),
            refs("children", TextList, true, GROUP, "parentOf", "childOf"),
            refs(
                "members",
                TextList,
                false,
                Some("User"),
                "hasMember",
                "memberOf",
            ),
        ],
    },
    KindRules {
        kind: "User",
        api_versions: BACKSTAGE,
        fields: &[
            field("profile", Object, false),
            refs("memberOf", TextList, true, GROUP, "memberOf", "hasMember"),
        ],
    },
    KindRules {
        kind: "Location",
        api_versions: BACKSTAGE,
        fields: &[
            field("type", Text, false),
            field("target", Text, false),
            field("targets", TextList, false),
            field("presence", Text, false),
        ],
    },
    KindRules {
        kind: "Template",
        api_versions: &["scaffolder.backstage.io/v1beta3"],
        fields: &[
            field("type", Text, true),
            refs("owner", Text, false, GROUP, "ownedBy", "ownerOf"),
            field("lifecycle", Text, false),
            field("parameters", ObjectOrObjectList, false),
            field("steps", ObjectList, true),
            field("output", Object, false),
        ],
    },
];

/// The rules of `kind` (compared without case), or `None` for a kind Portico does not know.
pub fn rules_for(kind: &str) -> Option<&'static KindRules> {
    KINDS
        .iter()
        .find(|rules| rules.kind.eq_ignore_ascii_case(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_kinds_without_case() {
        assert_eq!(rules_for("component").unwrap().kind, "Component");
        assert_eq!(rules_for("API").unwrap().kind, "API");
        assert!(rules_for("AiResource").is_none());
    }
}
