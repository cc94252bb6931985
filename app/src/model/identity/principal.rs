//! Who is asking: a signed-in user, a token acting for its owner, or the guest.

use serde::{Deserialize, Serialize};

use super::action::Scope;
use crate::model::catalog::entity_ref::EntityRef;

/// The guest's user ref: who uses a portal nobody signed in to.
pub const GUEST: &str = "user:default/guest";

/// How a request proved who it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Credential {
    /// Nothing: the guest.
    Guest,
    /// A session cookie from signing in.
    Session,
    /// An API token, with what it may be used for.
    Token {
        /// The token's id.
        id: String,
        /// What its owner called it.
        name: String,
        /// The token's scopes.
        scopes: Vec<Scope>,
    },
    /// A signed embed link: its signer, for reading one widget.
    EmbedLink {
        /// Until when it works, in seconds since the Unix epoch.
        expires: i64,
    },
}

/// The identity a request acts as, with everything the policy asks about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The User entity: `user:default/alice`.
    pub user: EntityRef,
    /// The user and every group it is a member of, directly or through parent groups:
    /// what "owner" means for it. Sorted.
    pub ownership: Vec<EntityRef>,
    /// Whether it is a member of an admin group (or the guest of a local portal).
    pub admin: bool,
    /// How the request proved it.
    pub credential: Credential,
    /// Where the request came from, for the audit log: the client's address, or
    /// `task <id>` for a task's own writes; `None` when nobody said.
    #[serde(default)]
    pub origin: Option<String>,
}

impl Principal {
    /// The guest: `user:default/guest`, owning nothing, not even what guests created
    /// (everyone who is not signed in is the guest). `admin` for a local portal, where
    /// the one person using it may do everything.
    pub fn guest(admin: bool) -> Self {
        Self {
            ownership: Vec::new(),
            user: EntityRef::parse_full(GUEST).expect("the guest ref is valid"),
            admin,
            credential: Credential::Guest,
            origin: None,
        }
    }

    /// A signed-in user who is a member of `groups` (directly or through parents).
    pub fn new(
        user: EntityRef,
        groups: Vec<EntityRef>,
        admin: bool,
        credential: Credential,
    ) -> Self {
        let mut ownership = groups;
        ownership.push(user.clone());
        ownership.sort();
        ownership.dedup();
        Self {
            user,
            ownership,
            admin,
            credential,
            origin: None,
        }
    }

    /// The same principal, recorded as coming from `origin`.
    pub fn coming_from(self, origin: Option<String>) -> Self {
        Self { origin, ..self }
    }

    /// How the request proved who it comes from, as the audit log writes it:
    /// `session`, `guest`, `token 'CI publishing' (3f2…)`.
    pub fn via(&self) -> String {
        match &self.credential {
            Credential::Guest => "guest".into(),
            Credential::Session => "session".into(),
            Credential::Token { id, name, .. } => format!("token '{name}' ({id})"),
            Credential::EmbedLink { .. } => "embed link".into(),
        }
    }

    /// Whether the request is signed in (a session or a token), not the guest.
    pub fn signed_in(&self) -> bool {
        self.credential != Credential::Guest
    }

    /// Whether the principal is `owner` or a member of it.
    pub fn owns_as(&self, owner: &EntityRef) -> bool {
        self.ownership.binary_search(owner).is_ok()
    }

    /// Whether the request came with a signed embed link, which only reads.
    pub fn by_link(&self) -> bool {
        matches!(self.credential, Credential::EmbedLink { .. })
    }

    /// The token's scopes, when the request came with a token.
    pub fn scopes(&self) -> Option<&[Scope]> {
        match &self.credential {
            Credential::Token { scopes, .. } => Some(scopes),
            _ => None,
        }
    }
}

/// The person using the portal, as its pages show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// Who they are.
    pub principal: Principal,
    /// What to call them: their profile's display name, else their user name.
    pub name: String,
    /// What the portal says about guests, when they may do less than everything.
    pub guest_notice: Option<String>,
    /// The providers people may sign in with (none: the portal has no sign-in).
    pub sign_in: Vec<super::signin::SignInOption>,
}
