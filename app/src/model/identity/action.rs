//! What a person or a token may be allowed to do: one name per action, as the policy in
//! the config file writes it, and the token scope each one needs.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Something the portal checks before doing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Action {
    /// See an entity (pages, lists, search, graph, widgets).
    EntityRead,
    /// Delete an entity (`DELETE /api/catalog/entities/by-uid/…`).
    EntityDelete,
    /// Ask for an entity's location to be read again.
    EntityRefresh,
    /// Register a location.
    LocationCreate,
    /// Unregister a location, and the entities it holds with it.
    LocationDelete,
    /// Run a template (a task, or a dry run).
    TemplateRun,
    /// See a task, its events and its output.
    TaskRead,
    /// Cancel a running task.
    TaskCancel,
    /// Read an entity's TechDocs.
    DocsRead,
    /// Sign an embed link for a private widget.
    EmbedSign,
    /// Read the audit log.
    AuditRead,
    /// Read the process's metrics (`/metrics`).
    MetricsRead,
}

/// Each action with its name, in the order the documentation lists them.
const NAMES: [(Action, &str); 12] = [
    (Action::EntityRead, "catalog.entity.read"),
    (Action::EntityDelete, "catalog.entity.delete"),
    (Action::EntityRefresh, "catalog.entity.refresh"),
    (Action::LocationCreate, "catalog.location.create"),
    (Action::LocationDelete, "catalog.location.delete"),
    (Action::TemplateRun, "scaffolder.template.run"),
    (Action::TaskRead, "scaffolder.task.read"),
    (Action::TaskCancel, "scaffolder.task.cancel"),
    (Action::DocsRead, "docs.read"),
    (Action::EmbedSign, "embed.sign"),
    (Action::AuditRead, "audit.read"),
    (Action::MetricsRead, "metrics.read"),
];

/// What an API token is allowed to be used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Scope {
    /// Every read action.
    Read,
    /// Changing the catalog: entities and locations.
    CatalogWrite,
    /// Running templates and cancelling tasks.
    TemplatesRun,
    /// Everything.
    Admin,
}

const SCOPES: [(Scope, &str); 4] = [
    (Scope::Read, "read"),
    (Scope::CatalogWrite, "catalog:write"),
    (Scope::TemplatesRun, "templates:run"),
    (Scope::Admin, "admin"),
];

impl Action {
    /// Every action.
    pub fn all() -> impl Iterator<Item = Action> {
        NAMES.iter().map(|(action, _)| *action)
    }

    /// The action's name in the policy: `catalog.entity.delete`.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(action, _)| *action == self)
            .map(|(_, name)| *name)
            .expect("every action has a name")
    }

    /// Whether the action only reads.
    pub fn is_read(self) -> bool {
        matches!(
            self,
            Action::EntityRead | Action::TaskRead | Action::DocsRead
        )
    }

    /// The token scope that allows it (besides `admin`, which allows everything).
    pub fn scope(self) -> Scope {
        match self {
            Action::EntityRead | Action::TaskRead | Action::DocsRead | Action::MetricsRead => {
                Scope::Read
            }
            Action::EntityDelete
            | Action::EntityRefresh
            | Action::LocationCreate
            | Action::LocationDelete => Scope::CatalogWrite,
            Action::TemplateRun | Action::TaskCancel => Scope::TemplatesRun,
            Action::EmbedSign | Action::AuditRead => Scope::Admin,
        }
    }

    /// How a refusal says it: "delete", "run", "read the audit log of".
    pub fn verb(self) -> &'static str {
        match self {
            Action::EntityRead | Action::TaskRead | Action::DocsRead => "read",
            Action::EntityDelete | Action::LocationDelete => "delete",
            Action::EntityRefresh => "refresh",
            Action::LocationCreate => "register",
            Action::TemplateRun => "run",
            Action::TaskCancel => "cancel",
            Action::EmbedSign => "sign embed links for",
            Action::AuditRead | Action::MetricsRead => "read",
        }
    }
}

impl Scope {
    /// Whether a token with this scope may be used for `action`.
    pub fn allows(self, action: Action) -> bool {
        self == Scope::Admin || action.scope() == self
    }

    /// The scope's name: `catalog:write`.
    pub fn name(self) -> &'static str {
        SCOPES
            .iter()
            .find(|(scope, _)| *scope == self)
            .map(|(_, name)| *name)
            .expect("every scope has a name")
    }
}

/// A name that is not an action or scope, with the names that are.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{name}', expected one of: {expected}")]
pub struct UnknownName {
    what: &'static str,
    name: String,
    expected: String,
}

fn lookup<T: Copy>(table: &[(T, &str)], what: &'static str, name: &str) -> Result<T, UnknownName> {
    table
        .iter()
        .find(|(_, known)| *known == name)
        .map(|(value, _)| *value)
        .ok_or_else(|| UnknownName {
            what,
            name: name.to_owned(),
            expected: table
                .iter()
                .map(|(_, known)| *known)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

impl std::str::FromStr for Action {
    type Err = UnknownName;
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        lookup(&NAMES, "action", name)
    }
}

impl std::str::FromStr for Scope {
    type Err = UnknownName;
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        lookup(&SCOPES, "scope", name)
    }
}

macro_rules! string_conversions {
    ($type:ty) => {
        impl TryFrom<String> for $type {
            type Error = UnknownName;
            fn try_from(name: String) -> Result<Self, Self::Error> {
                name.parse()
            }
        }
        impl From<$type> for String {
            fn from(value: $type) -> String {
                value.name().to_owned()
            }
        }
        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

string_conversions!(Action);
string_conversions!(Scope);
