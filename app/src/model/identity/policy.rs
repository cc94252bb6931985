//! The permission policy: ordered allow and deny rules, as the config file writes them
//! (`[[policy]]` tables), and the one function that decides.
//!
//! The first rule whose actions and conditions all match decides; when none does, the
//! answer is no. A refusal says why in a sentence ("only owners of
//! component:default/x may delete it").

use serde::Deserialize;

use super::{
    action::{Action, Scope},
    principal::Principal,
};
use crate::model::catalog::entity_ref::{EntityRef, RefContext};

/// Whether a rule allows or denies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// The action may be done.
    Allow,
    /// The action may not be done.
    Deny,
}

/// The actions a rule covers: names, `prefix.*` or `*`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct ActionPattern(String);

impl TryFrom<String> for ActionPattern {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let pattern = Self(text);
        if Action::all().any(|action| pattern.matches(action)) {
            return Ok(pattern);
        }
        // It names no action: say so as for a name, with the names there are.
        let unknown = pattern.0.parse::<Action>();
        Err(unknown
            .expect_err("a known action matches itself")
            .to_string())
    }
}

impl ActionPattern {
    fn matches(&self, action: Action) -> bool {
        match self.0.strip_suffix('*') {
            Some(prefix) => {
                (prefix.is_empty() || prefix.ends_with('.')) && action.name().starts_with(prefix)
            }
            None => self.0 == action.name(),
        }
    }
}

/// A list of entity refs in a rule, read with a default kind (`user`, `group`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refs(Vec<EntityRef>);

fn refs<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    kind: &'static str,
) -> Result<Refs, D::Error> {
    let texts = Vec::<String>::deserialize(deserializer)?;
    texts
        .iter()
        .map(|text| {
            EntityRef::parse(text, RefContext::of_kind(kind)).map_err(serde::de::Error::custom)
        })
        .collect::<Result<_, _>>()
        .map(Refs)
}

fn user_refs<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Refs, D::Error> {
    refs(d, "user")
}

fn group_refs<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Refs, D::Error> {
    refs(d, "group")
}

/// What must hold for a rule to apply. Every condition given must hold; a list holds
/// when any of its items does. Comparisons ignore case, as refs do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// The principal is (true) or is not (false) an admin.
    pub admin: Option<bool>,
    /// The request is (true) or is not (false) signed in.
    pub signed_in: Option<bool>,
    /// The principal owns the target: it is its owner or a member of the owning group.
    pub owner: Option<bool>,
    /// The principal is one of these users.
    #[serde(default, deserialize_with = "user_refs")]
    pub users: Refs,
    /// The principal is a member of one of these groups.
    #[serde(default, deserialize_with = "group_refs")]
    pub groups: Refs,
    /// The request came with a token that has one of these scopes.
    #[serde(default)]
    pub scopes: Vec<Scope>,
    /// The target is of one of these kinds.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// The target is in one of these namespaces.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// The target has one of these tags (for `scaffolder.template.run` and tasks, the
    /// template's tags).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// One rule of the policy.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Allow or deny.
    pub effect: Effect,
    /// The actions it covers.
    pub actions: Vec<ActionPattern>,
    /// When it applies (always when empty).
    #[serde(default)]
    pub when: Conditions,
    /// What a refusal by this rule says.
    pub reason: Option<String>,
}

/// What an action is done to: an entity (for a task, its template) with its owners and
/// tags, or nothing in particular (registering a location).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    /// The entity, when there is one.
    pub entity: Option<EntityRef>,
    /// Its owners (`ownedBy`); for a task, the user who created it.
    pub owners: Vec<EntityRef>,
    /// Its tags.
    pub tags: Vec<String>,
    /// How a refusal names it: `component:default/x`, "locations".
    pub label: String,
}

/// Why an action was refused, in a sentence, and whether signing in could change it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// The sentence.
    pub message: String,
    /// True when the request was not signed in (401 rather than 403).
    pub unauthenticated: bool,
}

/// The ordered rules.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Policy {
    /// The rules, first match wins.
    pub rules: Vec<Rule>,
}

impl Default for Policy {
    /// Everyone reads; signed-in people register locations, run templates and refresh;
    /// owners delete and cancel what they own, and sign embed links to it; admins do
    /// everything.
    fn default() -> Self {
        let rule = |actions: &[&str], when: Conditions| Rule {
            effect: Effect::Allow,
            actions: actions
                .iter()
                .map(|a| ActionPattern((*a).to_owned()))
                .collect(),
            when,
            reason: None,
        };
        let anyone = Conditions::default();
        Self {
            rules: vec![
                rule(
                    &["*"],
                    Conditions {
                        admin: Some(true),
                        ..Conditions::default()
                    },
                ),
                rule(
                    &["catalog.entity.read", "scaffolder.task.read", "docs.read"],
                    anyone,
                ),
                rule(
                    &[
                        "catalog.location.create",
                        "scaffolder.template.run",
                        "catalog.entity.refresh",
                    ],
                    Conditions {
                        signed_in: Some(true),
                        ..Conditions::default()
                    },
                ),
                rule(
                    &[
                        "catalog.entity.delete",
                        "scaffolder.task.cancel",
                        "embed.sign",
                    ],
                    Conditions {
                        owner: Some(true),
                        ..Conditions::default()
                    },
                ),
            ],
        }
    }
}

impl Conditions {
    /// Whether every condition about the principal holds.
    pub(super) fn hold_for(&self, who: &Principal) -> bool {
        self.admin.is_none_or(|admin| admin == who.admin)
            && self.signed_in.is_none_or(|on| on == who.signed_in())
            && (self.users.0.is_empty() || self.users.0.contains(&who.user))
            && (self.groups.0.is_empty() || self.groups.0.iter().any(|g| who.owns_as(g)))
            && (self.scopes.is_empty()
                || who
                    .scopes()
                    .is_some_and(|have| self.scopes.iter().any(|s| have.contains(s))))
    }

    /// Whether every condition about the target (and ownership of it) holds.
    fn hold_on(&self, who: &Principal, target: &Target) -> bool {
        let entity = target.entity.as_ref();
        let any_of = |list: &[String], value: Option<&str>| {
            list.is_empty() || value.is_some_and(|v| list.iter().any(|l| l.eq_ignore_ascii_case(v)))
        };
        self.owner
            .is_none_or(|owner| owner == target.owners.iter().any(|o| who.owns_as(o)))
            && any_of(&self.kinds, entity.map(EntityRef::kind))
            && any_of(&self.namespaces, entity.map(EntityRef::namespace))
            && (self.tags.is_empty()
                || target
                    .tags
                    .iter()
                    .any(|tag| self.tags.iter().any(|t| t.eq_ignore_ascii_case(tag))))
    }

    /// Whether any condition is about the target rather than the principal.
    fn about_target(&self) -> bool {
        self.owner.is_some()
            || !self.kinds.is_empty()
            || !self.namespaces.is_empty()
            || !self.tags.is_empty()
    }

    /// Who the conditions let in, for a refusal: "owners of component:default/x".
    fn describe(&self, target: &Target) -> String {
        let mut who = Vec::new();
        let list = |refs: &Refs| {
            refs.0
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" or ")
        };
        if self.admin == Some(true) {
            who.push("admins".to_owned());
        }
        if self.owner == Some(true) {
            who.push(format!("owners of {}", target.label));
        }
        if !self.groups.0.is_empty() {
            who.push(format!("members of {}", list(&self.groups)));
        }
        if !self.users.0.is_empty() {
            who.push(list(&self.users));
        }
        if self.signed_in == Some(true) && who.is_empty() {
            who.push("signed-in users".to_owned());
        }
        if !self.scopes.is_empty() {
            let scopes: Vec<_> = self.scopes.iter().map(|s| s.name()).collect();
            who.push(format!("tokens with scope {}", scopes.join(" or ")));
        }
        match who.is_empty() {
            true => "some".to_owned(),
            false => who.join(" who are "),
        }
    }
}

impl Policy {
    /// The rules that cover `action`, in order.
    pub(super) fn rules_for(&self, action: Action) -> impl Iterator<Item = &Rule> {
        self.rules
            .iter()
            .filter(move |rule| rule.actions.iter().any(|p| p.matches(action)))
    }

    /// Decides whether `who` may do `action` to `target`.
    pub fn decide(&self, who: &Principal, action: Action, target: &Target) -> Result<(), Refusal> {
        let refuse = |message| refusal(who, message);
        if let Some(message) = credential_refusal(who, action, target) {
            return Err(refuse(message));
        }
        let covering = || self.rules_for(action);
        let decided =
            covering().find(|rule| rule.when.hold_for(who) && rule.when.hold_on(who, target));
        match decided {
            Some(rule) if rule.effect == Effect::Allow => Ok(()),
            Some(rule) => Err(refuse(denial(rule, who, action, target))),
            None => Err(refuse(refusal_without_rule(
                who,
                action,
                target,
                covering().filter(|rule| rule.effect == Effect::Allow),
            ))),
        }
    }

    /// Decides whether `who` may do `action` to some target, for a request about one
    /// that does not exist (or that they may not read), only named by `target.label`:
    /// refused when no target at all could be allowed — the answer then does not depend
    /// on whether it exists.
    pub fn decide_for_some(
        &self,
        who: &Principal,
        action: Action,
        target: &Target,
    ) -> Result<(), Refusal> {
        let refuse = |message| refusal(who, message);
        if let Some(message) = credential_refusal(who, action, target) {
            return Err(refuse(message));
        }
        for rule in self
            .rules_for(action)
            .filter(|rule| rule.when.hold_for(who))
        {
            let applies_to_all = !rule.when.about_target();
            match rule.effect {
                Effect::Deny if applies_to_all => {
                    return Err(refuse(denial(rule, who, action, target)))
                }
                // An owners' rule lets in nobody who owns nothing (the guest).
                Effect::Allow if rule.when.owner != Some(true) || !who.ownership.is_empty() => {
                    return Ok(())
                }
                _ => {}
            }
        }
        let allowing = self
            .rules_for(action)
            .filter(|rule| rule.effect == Effect::Allow);
        Err(refuse(refusal_without_rule(who, action, target, allowing)))
    }
}

/// A refusal of `message` to `who`.
fn refusal(who: &Principal, message: String) -> Refusal {
    Refusal {
        message,
        unauthenticated: !who.signed_in(),
    }
}

/// Why the way `who` came refuses `action` whatever the rules say: an embed link only
/// reads; a token only does what its scopes allow.
fn credential_refusal(who: &Principal, action: Action, target: &Target) -> Option<String> {
    if who.by_link() && !action.is_read() {
        return Some(format!(
            "an embed link only shows a widget: it may not {} {}",
            action.verb(),
            target.label
        ));
    }
    let scopes = who.scopes()?;
    (!scopes.iter().any(|scope| scope.allows(action))).then(|| {
        format!(
            "this token may not {} {}: its scopes do not include {}",
            action.verb(),
            target.label,
            action.scope()
        )
    })
}

/// What a refusal by the deny rule `rule` says.
fn denial(rule: &Rule, who: &Principal, action: Action, target: &Target) -> String {
    rule.reason.clone().unwrap_or_else(|| {
        format!(
            "the policy does not let {} {} {}",
            who.user,
            action.verb(),
            target.label
        )
    })
}

/// What a refusal says when no rule matched: who the allow rules for the action would
/// have let in ("only admins or owners of component:default/x may delete it"), or that
/// signing in would help.
fn refusal_without_rule<'a>(
    who: &Principal,
    action: Action,
    target: &Target,
    allowing: impl Iterator<Item = &'a Rule>,
) -> String {
    let allowing: Vec<&Rule> = allowing.collect();
    if allowing.is_empty() {
        return format!("no rule of the policy allows {action}");
    }
    if !who.signed_in()
        && allowing
            .iter()
            .any(|rule| rule.when.signed_in == Some(true) && !rule.when.about_target())
    {
        return format!("sign in to {} {}", action.verb(), target.label);
    }
    let mut subjects: Vec<String> = allowing
        .iter()
        .map(|rule| rule.when.describe(target))
        .collect();
    subjects.dedup();
    let object = match allowing.iter().any(|rule| rule.when.owner == Some(true)) {
        true => "it",
        false => target.label.as_str(),
    };
    format!(
        "only {} may {} {object}",
        subjects.join(" or "),
        action.verb()
    )
}
