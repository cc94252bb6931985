//! API tokens as people see them: what asking for one takes, and a token in a list.

use serde::{Deserialize, Serialize};

use super::action::Scope;

/// The longest a token may live, in days.
pub const MAX_DAYS: u32 = 366;

/// What creating a token asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRequest {
    /// What it is for: "CI publishing", "catalog sync".
    pub name: String,
    /// What it may be used for.
    pub scopes: Vec<Scope>,
    /// Days until it stops working; `None` for never.
    pub expires_in_days: Option<u32>,
}

/// The token page's choices of lifetime, in days (`None`: never expires), with labels.
pub const LIFETIMES: [(Option<u32>, &str); 4] = [
    (Some(30), "30 days"),
    (Some(90), "90 days"),
    (Some(MAX_DAYS), "A year"),
    (None, "Never"),
];

impl TokenRequest {
    /// The request the token page's form makes: a name, a lifetime (`"30"` days…, or
    /// `"never"`) and the scopes ticked.
    pub fn from_form(name: &str, lifetime: &str, scopes: Vec<Scope>) -> Result<Self, String> {
        let expires_in_days = match lifetime {
            "never" => None,
            days => Some(
                days.parse()
                    .map_err(|_| format!("'{days}' is not a number of days"))?,
            ),
        };
        Ok(Self {
            name: name.trim().to_owned(),
            scopes,
            expires_in_days,
        })
    }

    /// The first thing wrong with the request, in a sentence.
    pub fn problem(&self) -> Option<String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Some("a token needs a name that says what it is for".into());
        }
        if name.chars().count() > 100 {
            return Some("a token's name has at most 100 characters".into());
        }
        if self.scopes.is_empty() {
            return Some(
                "a token needs at least one scope: read, catalog:write, templates:run or admin"
                    .into(),
            );
        }
        match self.expires_in_days {
            Some(0) => Some("a token must live at least one day".into()),
            Some(days) if days > MAX_DAYS => Some(format!("a token lives at most {MAX_DAYS} days")),
            _ => None,
        }
    }
}

/// A token in a list (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// Its id.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// The user it acts as.
    pub owner: String,
    /// What it may be used for.
    pub scopes: Vec<Scope>,
    /// Who created it.
    pub created_by: String,
    /// When, in ms since the epoch.
    pub created_at: i64,
    /// When it stops working.
    pub expires_at: Option<i64>,
    /// When it was last used (to the minute).
    pub last_used_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
}

/// A token just created: its secret is shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewToken {
    /// The token as listed.
    pub info: TokenInfo,
    /// The token to send as `Authorization: Bearer …`.
    pub secret: String,
}
