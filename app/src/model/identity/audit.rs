//! The audit log: every write and every refused attempt — who, what, on what, with what
//! result, when and from where — and the filter admins read it with, as the
//! `/admin/audit` page's URL and the REST export write it.

use serde::{Deserialize, Serialize};

/// How many entries a page of the log shows.
pub const PAGE_SIZE: usize = 50;

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Allowed and carried out.
    Done,
    /// Refused by the policy (or by who may manage tokens).
    Refused,
    /// Allowed, but it failed (bad input, storage).
    Failed,
}

const OUTCOMES: [(Outcome, &str); 3] = [
    (Outcome::Done, "done"),
    (Outcome::Refused, "refused"),
    (Outcome::Failed, "failed"),
];

impl Outcome {
    /// Every outcome, in the order the filter lists them.
    pub fn all() -> impl Iterator<Item = Outcome> {
        OUTCOMES.iter().map(|(outcome, _)| *outcome)
    }

    /// Its name: `refused`.
    pub fn name(self) -> &'static str {
        OUTCOMES
            .iter()
            .find(|(outcome, _)| *outcome == self)
            .map(|(_, name)| *name)
            .expect("every outcome has a name")
    }

    /// The outcome named `name`.
    pub fn parse(name: &str) -> Option<Outcome> {
        OUTCOMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(outcome, _)| *outcome)
    }
}

/// The audited actions that are not policy actions (those are named as the policy
/// names them: `catalog.entity.delete`).
pub mod actions {
    /// Creating an API token.
    pub const TOKEN_CREATE: &str = "identity.token.create";
    /// Revoking an API token.
    pub const TOKEN_REVOKE: &str = "identity.token.revoke";
    /// Signing in (done: a session started; failed: the provider's answer was refused).
    pub const SIGN_IN: &str = "identity.signin";
    /// Signing out.
    pub const SIGN_OUT: &str = "identity.signout";
    /// A write another site made a browser send, refused before anything ran.
    pub const CROSS_SITE: &str = "http.cross-site-write";

    /// Every action the log can hold but reads (which it holds only when refused), in
    /// the order the filter lists them.
    pub fn all() -> impl Iterator<Item = &'static str> {
        use super::super::action::Action;
        Action::all()
            .filter(|action| !action.is_read())
            .map(Action::name)
            .chain([TOKEN_CREATE, TOKEN_REVOKE, SIGN_IN, SIGN_OUT, CROSS_SITE])
    }
}

/// One entry of the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Its number: later entries have larger ones.
    pub id: i64,
    /// When, in ms since the epoch.
    pub at: i64,
    /// Who: a user ref (`user:default/guest` for people not signed in).
    pub actor: String,
    /// How they proved it: `session`, `guest`, `token 'name' (id)`.
    pub via: String,
    /// What: a policy action (`catalog.entity.delete`) or one of [`actions`].
    pub action: String,
    /// On what: an entity ref, `location url:…`, `task …`, `token …`.
    pub target: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Why it was refused or failed; what was done, when there is more to say.
    pub detail: String,
    /// From where: the client's address, or `task <id>` for a task's own writes.
    pub origin: String,
}

/// Which entries to show: every field narrows; `None` and empty text do not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Entries by this user ref.
    pub actor: Option<String>,
    /// Entries of this action.
    pub action: Option<String>,
    /// Entries that ended so.
    pub outcome: Option<Outcome>,
    /// Entries whose target contains this text (case-insensitive).
    pub target: Option<String>,
    /// From this day on (UTC), `YYYY-MM-DD`.
    pub since: Option<String>,
    /// Up to and including this day (UTC), `YYYY-MM-DD`.
    pub until: Option<String>,
    /// Entries older than entry `before` (the next page).
    pub before: Option<i64>,
}

/// A page of the log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    /// The `before` of the next (older) page, when there is one.
    pub older: Option<i64>,
}

/// A query parameter that is not right, with what it should be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct BadQuery {
    /// The parameter.
    pub field: &'static str,
    /// What is wrong with it.
    pub why: String,
}

impl AuditQuery {
    /// The query in a URL's parameters (`who`, `action`, `result`, `target`, `since`,
    /// `until`, `before`), as the page's form posts them. Empty values are left out.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, BadQuery> {
        let mut query = AuditQuery::default();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let text = Some(value.to_owned());
            match key {
                "who" => query.actor = text,
                "action" => query.action = text,
                "target" => query.target = text,
                "result" => {
                    query.outcome = Some(Outcome::parse(value).ok_or_else(|| BadQuery {
                        field: "result",
                        why: format!("'{value}' is not a result: write done, refused or failed"),
                    })?)
                }
                "since" | "until" => {
                    let field = if key == "since" { "since" } else { "until" };
                    day_start(value).ok_or_else(|| BadQuery {
                        field,
                        why: format!("'{value}' is not a date: write YYYY-MM-DD"),
                    })?;
                    match field {
                        "since" => query.since = text,
                        _ => query.until = text,
                    }
                }
                "before" => {
                    query.before = Some(value.parse().map_err(|_| BadQuery {
                        field: "before",
                        why: format!("'{value}' is not an entry number"),
                    })?)
                }
                _ => {}
            }
        }
        Ok(query)
    }

    /// The query in a URL's query string (`who=ada&result=refused`), as
    /// [`AuditQuery::from_pairs`] reads it.
    pub fn from_query_string(text: &str) -> Result<Self, BadQuery> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(text.as_bytes())
            .into_owned()
            .collect();
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The query string that gives this query back (`who=…&result=refused`), empty when
    /// it narrows nothing.
    pub fn to_query_string(&self) -> String {
        let before = self.before.map(|b| b.to_string());
        let pairs = [
            ("who", self.actor.as_deref()),
            ("action", self.action.as_deref()),
            ("result", self.outcome.map(Outcome::name)),
            ("target", self.target.as_deref()),
            ("since", self.since.as_deref()),
            ("until", self.until.as_deref()),
            ("before", before.as_deref()),
        ];
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (key, value) in pairs {
            if let Some(value) = value {
                out.append_pair(key, value);
            }
        }
        out.finish()
    }

    /// The first moment (ms since the epoch) of the range, when `since` is set.
    pub fn since_ms(&self) -> Option<i64> {
        self.since.as_deref().and_then(day_start)
    }

    /// The first moment after the range, when `until` is set (the day is included).
    pub fn until_ms(&self) -> Option<i64> {
        self.until
            .as_deref()
            .and_then(day_start)
            .map(|start| start + DAY_MS)
    }

    /// The same query, from its first page.
    pub fn first_page(&self) -> Self {
        Self {
            before: None,
            ..self.clone()
        }
    }
}

const DAY_MS: i64 = 86_400_000;

/// The first moment of day `YYYY-MM-DD` (UTC), in ms since the epoch.
pub fn day_start(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let (year, month, day): (i64, i64, i64) =
        (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&day) {
        return None;
    }
    // Howard Hinnant's days-from-civil.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * DAY_MS)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::model::task::rfc3339;

    #[test]
    fn days_start_at_midnight_utc() {
        assert_eq!(day_start("1970-01-01"), Some(0));
        for ms in [951_782_400_000, 1_795_478_400_000, 4_107_542_400_000] {
            assert_eq!(day_start(&rfc3339(ms)[..10]), Some(ms));
        }
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-01-32",
            "x",
        ] {
            assert_eq!(day_start(bad), None, "{bad}");
        }
        assert_eq!(day_start("2024-02-29"), Some(1_709_164_800_000));
    }

    #[test]
    fn a_query_reads_back_from_its_url() {
        let query = AuditQuery::from_pairs([
            ("who", "user:default/ada"),
            ("result", "refused"),
            ("since", "2026-12-01"),
            ("until", "2026-12-01"),
            ("target", " "),
            ("page", "ignored"),
        ])
        .unwrap();
        assert_eq!(query.outcome, Some(Outcome::Refused));
        assert_eq!(query.target, None);
        assert_eq!(
            query.until_ms().unwrap() - query.since_ms().unwrap(),
            DAY_MS
        );
        let text = query.to_query_string();
        assert_eq!(
            text,
            "who=user%3Adefault%2Fada&result=refused&since=2026-12-01&until=2026-12-01"
        );
        assert_eq!(AuditQuery::from_query_string(&text).unwrap(), query);
    }

    #[test]
    fn bad_parameters_are_named() {
        let error = AuditQuery::from_pairs([("result", "maybe")]).unwrap_err();
        assert_eq!(error.field, "result");
        let error = AuditQuery::from_pairs([("since", "yesterday")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "since: 'yesterday' is not a date: write YYYY-MM-DD"
        );
        assert_eq!(
            AuditQuery::from_pairs([("before", "x")]).unwrap_err().field,
            "before"
        );
    }
}
