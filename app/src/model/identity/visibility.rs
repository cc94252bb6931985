//! What a principal may read, as one predicate over entities: the policy's rules for a
//! read action, with every condition about the principal decided and the conditions
//! about the target (owner, kinds, namespaces, tags) left as a catalog [`Predicate`].
//!
//! Lists, facets, counts, search and graphs add it to their query, so an entity a
//! person may not read is absent from all of them; a single entity is tested with the
//! same predicate ([`Visibility::sees`]), so both ways agree with [`Policy::decide`].

use super::{
    action::Action,
    policy::{Conditions, Effect, Policy, Refusal, Target},
    principal::Principal,
};
use crate::model::catalog::{
    filter::EntityQuery,
    predicate::{FieldTest, Predicate},
};

/// What of the catalog a principal may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// Every entity: nothing is added to queries.
    Everything,
    /// The entities this predicate selects.
    Only(Predicate),
    /// No entity, and why.
    Nothing(Refusal),
}

impl Visibility {
    /// `query`, narrowed to what may be read: its predicate and this one must both hold.
    pub fn restrict(&self, mut query: EntityQuery) -> EntityQuery {
        let seen = match self {
            Visibility::Everything => return query,
            Visibility::Only(predicate) => predicate.clone(),
            Visibility::Nothing(_) => Predicate::Any(Vec::new()),
        };
        // The person's visibility stays one conjunct, whole: the store keeps what a
        // conjunct selects for each catalog version (`server/src/store/query.rs`).
        query.predicate = Some(Predicate::All(match query.predicate.take() {
            Some(asked) => vec![asked, seen],
            None => vec![seen],
        }));
        query
    }

    /// Whether the entity (or the entity of a task or doc set) `target` may be read.
    pub fn sees(&self, target: &Target) -> bool {
        match self {
            Visibility::Everything => true,
            Visibility::Nothing(_) => false,
            Visibility::Only(predicate) => predicate.matches(&|key| target_values(target, key)),
        }
    }

    /// Why nothing may be read, when that is so.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Visibility::Nothing(refusal) => Some(refusal),
            _ => None,
        }
    }
}

/// The lower-case values of `target` at one of the keys [`target_predicate`] writes.
fn target_values(target: &Target, key: &str) -> Vec<String> {
    let entity = target.entity.as_ref();
    match key {
        "kind" => entity
            .map(|e| e.kind().to_lowercase())
            .into_iter()
            .collect(),
        "metadata.namespace" => entity
            .map(|e| e.namespace().to_lowercase())
            .into_iter()
            .collect(),
        "metadata.tags" => target.tags.iter().map(|t| t.to_lowercase()).collect(),
        "relations.ownedby" => target
            .owners
            .iter()
            .map(|o| o.to_string().to_lowercase())
            .collect(),
        _ => Vec::new(),
    }
}

fn field(key: &str, values: impl IntoIterator<Item = String>) -> Predicate {
    Predicate::Field {
        key: key.to_owned(),
        test: FieldTest::In(values.into_iter().map(|v| v.to_lowercase()).collect()),
    }
}

/// The conditions of a rule about its target, as a predicate; `None` when it has none
/// (the rule applies to every entity).
fn target_predicate(when: &Conditions, who: &Principal) -> Option<Predicate> {
    let mut parts = Vec::new();
    if let Some(owner) = when.owner {
        let owned = field(
            "relations.ownedby",
            who.ownership.iter().map(ToString::to_string),
        );
        parts.push(match owner {
            true => owned,
            false => Predicate::Not(Box::new(owned)),
        });
    }
    for (key, values) in [
        ("kind", &when.kinds),
        ("metadata.namespace", &when.namespaces),
        ("metadata.tags", &when.tags),
    ] {
        if !values.is_empty() {
            parts.push(field(key, values.iter().cloned()));
        }
    }
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Predicate::All(parts)),
    }
}

fn everything() -> Predicate {
    Predicate::All(Vec::new())
}

fn nothing() -> Predicate {
    Predicate::Any(Vec::new())
}

impl Policy {
    /// What `who` may read with `action` (`catalog.entity.read`, `docs.read`): the first
    /// rule that matches an entity decides, as in [`Policy::decide`].
    pub fn visibility(&self, who: &Principal, action: Action) -> Visibility {
        debug_assert!(action.is_read());
        let mut steps = Vec::new();
        if who
            .scopes()
            .is_none_or(|s| s.iter().any(|s| s.allows(action)))
        {
            for rule in self.rules_for(action).filter(|r| r.when.hold_for(who)) {
                let condition = target_predicate(&rule.when, who);
                let last = condition.is_none();
                steps.push((rule.effect, condition));
                if last {
                    break;
                }
            }
        }
        // From the last rule up: an allow adds what it matches, a deny takes it away.
        let mut seen = nothing();
        for (effect, condition) in steps.into_iter().rev() {
            seen = match (effect, condition) {
                (Effect::Allow, None) => everything(),
                (Effect::Deny, None) => nothing(),
                (Effect::Allow, Some(matched)) => match seen {
                    Predicate::Any(items) if items.is_empty() => matched,
                    Predicate::All(items) if items.is_empty() => everything(),
                    rest => Predicate::Any(vec![matched, rest]),
                },
                (Effect::Deny, Some(matched)) => match seen {
                    Predicate::Any(items) if items.is_empty() => nothing(),
                    Predicate::All(items) if items.is_empty() => Predicate::Not(Box::new(matched)),
                    rest => Predicate::All(vec![Predicate::Not(Box::new(matched)), rest]),
                },
            };
        }
        match seen {
            Predicate::All(items) if items.is_empty() => Visibility::Everything,
            Predicate::Any(items) if items.is_empty() => {
                let catalog = Target {
                    label: "the catalog".to_owned(),
                    ..Target::default()
                };
                Visibility::Nothing(self.decide(who, action, &catalog).err().unwrap_or_else(|| {
                    Refusal {
                        message: format!("no rule of the policy allows {action}"),
                        unauthenticated: !who.signed_in(),
                    }
                }))
            }
            predicate => Visibility::Only(predicate),
        }
    }
}
