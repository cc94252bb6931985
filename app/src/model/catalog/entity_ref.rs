//! Entity references: `[kind:][namespace/]name`, as written in descriptors and printed by
//! the API (`component:default/petstore`).
//!
//! Refs compare case-insensitively and print lower-case, as Backstage's
//! `stringifyEntityRef` does. What a missing kind or namespace defaults to depends on the
//! field the ref is written in (`spec.owner` means a Group, `spec.system` a System…) and
//! on the namespace of the entity that writes it; see [`RefContext`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The namespace of an entity that names none.
pub const DEFAULT_NAMESPACE: &str = "default";

/// A reference to an entity, normalised to lower case.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityRef {
    kind: String,
    namespace: String,
    name: String,
}

/// What a ref's missing parts default to.
#[derive(Clone, Copy, Debug, Default)]
pub struct RefContext<'a> {
    /// The kind when the ref has none; `None` means a kind is required.
    pub default_kind: Option<&'a str>,
    /// The namespace when the ref has none; [`DEFAULT_NAMESPACE`] when `None`.
    pub default_namespace: Option<&'a str>,
}

impl<'a> RefContext<'a> {
    /// Refs without a kind are of `kind`; without a namespace, in the default one.
    pub fn of_kind(kind: &'a str) -> Self {
        Self {
            default_kind: Some(kind),
            default_namespace: None,
        }
    }
}

/// Why a string is not an entity ref.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    /// The ref is empty or a part of it is.
    #[error("'{0}' is not an entity reference: kind, namespace and name must not be empty")]
    EmptyPart(String),
    /// The ref has no kind and the field gives none.
    #[error("'{0}' needs a kind here, for example 'component:{0}'")]
    MissingKind(String),
    /// More than one `:` or `/`.
    #[error("'{0}' is not an entity reference: write [kind:][namespace/]name")]
    Malformed(String),
}

impl EntityRef {
    /// A ref to the entity `kind:namespace/name`.
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        Self {
            kind: kind.to_lowercase(),
            namespace: namespace.to_lowercase(),
            name: name.to_lowercase(),
        }
    }

    /// Parses `[kind:][namespace/]name`, filling missing parts from `context`.
    pub fn parse(text: &str, context: RefContext<'_>) -> Result<Self, RefError> {
        let text = text.trim();
        let (kind, rest) = match text.split_once(':') {
            Some((kind, rest)) => (Some(kind), rest),
            None => (None, text),
        };
        let (namespace, name) = match rest.split_once('/') {
            Some((namespace, name)) => (Some(namespace), name),
            None => (None, rest),
        };
        if name.contains(['/', ':']) {
            return Err(RefError::Malformed(text.to_owned()));
        }
        let kind = match kind.or(context.default_kind) {
            Some(kind) => kind,
            None => return Err(RefError::MissingKind(text.to_owned())),
        };
        let namespace = namespace
            .or(context.default_namespace)
            .unwrap_or(DEFAULT_NAMESPACE);
        if kind.is_empty() || namespace.is_empty() || name.is_empty() {
            return Err(RefError::EmptyPart(text.to_owned()));
        }
        Ok(Self::new(kind, namespace, name))
    }

    /// Parses a complete ref, `kind:namespace/name` or `kind:name` (default namespace).
    pub fn parse_full(text: &str) -> Result<Self, RefError> {
        Self::parse(text, RefContext::default())
    }

    /// The kind, lower-case.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The namespace, lower-case.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The name, lower-case.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

impl Serialize for EntityRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EntityRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse_full(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner_context(namespace: &str) -> RefContext<'_> {
        RefContext {
            default_kind: Some("Group"),
            default_namespace: Some(namespace),
        }
    }

    #[test]
    fn fills_missing_parts_from_the_field_and_the_writing_entity() {
        let r = EntityRef::parse("team-a", owner_context("default")).unwrap();
        assert_eq!(r.to_string(), "group:default/team-a");
        let r = EntityRef::parse("team-a", owner_context("ops")).unwrap();
        assert_eq!(r.to_string(), "group:ops/team-a");
        let r = EntityRef::parse("user:jdoe", owner_context("ops")).unwrap();
        assert_eq!(r.to_string(), "user:ops/jdoe");
        let r = EntityRef::parse("other/team-b", owner_context("ops")).unwrap();
        assert_eq!(r.to_string(), "group:other/team-b");
        let r = EntityRef::parse("User:Development/Guest", owner_context("ops")).unwrap();
        assert_eq!(r.to_string(), "user:development/guest");
    }

    #[test]
    fn compares_without_case() {
        let a = EntityRef::parse_full("Component:Default/PetStore").unwrap();
        let b = EntityRef::parse_full("component:default/petstore").unwrap();
        assert_eq!(a, b);
        assert_eq!(EntityRef::parse_full("component:petstore").unwrap(), b);
    }

    #[test]
    fn refuses_what_is_not_a_ref() {
        assert_eq!(
            EntityRef::parse_full("artists-db"),
            Err(RefError::MissingKind("artists-db".into()))
        );
        assert!(matches!(
            EntityRef::parse_full(""),
            Err(RefError::MissingKind(_))
        ));
        assert!(matches!(
            EntityRef::parse_full("component:"),
            Err(RefError::EmptyPart(_))
        ));
        assert!(matches!(
            EntityRef::parse_full(":default/x"),
            Err(RefError::EmptyPart(_))
        ));
        assert!(matches!(
            EntityRef::parse_full("component:a/b/c"),
            Err(RefError::Malformed(_))
        ));
        assert!(matches!(
            EntityRef::parse_full("a:b:c"),
            Err(RefError::Malformed(_))
        ));
    }

    #[test]
    fn serialises_as_its_string() {
        let r = EntityRef::new("API", "default", "Petstore");
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            "\"api:default/petstore\""
        );
        let back: EntityRef = serde_json::from_str("\"API:default/petstore\"").unwrap();
        assert_eq!(back, r);
    }
}
