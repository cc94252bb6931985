//! Sessions: what a browser that signed in presents (a cookie holding a random secret),
//! kept in the database as the secret's hash, so that every replica recognises it. A
//! session ends on sign-out, after a while unused (idle expiry), and at a fixed time
//! however active (absolute expiry).

use std::time::Duration;

use app::model::{
    catalog::entity_ref::EntityRef,
    identity::{
        audit::{actions, Outcome},
        principal::{Credential, Principal},
    },
};

use super::{random_text, secret_hash, Portal};
use crate::{
    services::epoch_ms,
    store::{SessionRow, StoreError},
};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "portico_session";

/// How long sessions last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionSettings {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after it started, however active.
    pub absolute: Duration,
}

impl Default for SessionSettings {
    /// A working day idle, a week at most.
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(8 * 3600),
            absolute: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// A session just started: the secret for the browser's cookie, shown only now.
#[derive(Debug)]
pub struct NewSession {
    /// The cookie's value.
    pub secret: String,
    /// How long the cookie may live (the absolute expiry).
    pub max_age: Duration,
}

impl Portal {
    /// Starts a session for `user`, who signed in with `provider` as `subject`.
    pub async fn start_session(
        &self,
        user: &EntityRef,
        provider: &str,
        subject: &str,
    ) -> Result<NewSession, StoreError> {
        let secret = random_text(32);
        let now = epoch_ms(Duration::ZERO);
        let limits = self.identity.sessions;
        self.store
            .create_session(&SessionRow {
                hash: secret_hash(&secret),
                user_ref: user.to_string(),
                provider: provider.to_owned(),
                subject: subject.to_owned(),
                created_at: now,
                last_seen_at: now,
                expires_at: epoch_ms(limits.absolute),
            })
            .await?;
        // Now and then, forget the sessions that ended.
        let idle_since = now - limits.idle.as_millis() as i64;
        if let Err(error) = self.store.delete_stale_sessions(now, idle_since).await {
            tracing::warn!(%error, "ended sessions could not be deleted");
        }
        Ok(NewSession {
            secret,
            max_age: limits.absolute,
        })
    }

    /// The principal of a browser presenting session cookie `secret`, with its groups
    /// as the catalog has them now; `None` for a session that is unknown or ended.
    pub async fn principal_for_session(
        &self,
        secret: &str,
    ) -> Result<Option<Principal>, StoreError> {
        let hash = secret_hash(secret);
        let Some(row) = self.store.session(&hash).await? else {
            return Ok(None);
        };
        let now = epoch_ms(Duration::ZERO);
        let idle_end = row.last_seen_at + self.identity.sessions.idle.as_millis() as i64;
        if row.expires_at <= now || idle_end <= now {
            self.store.delete_session(&hash).await?;
            return Ok(None);
        }
        let Ok(user) = EntityRef::parse_full(&row.user_ref) else {
            return Ok(None);
        };
        self.store.touch_session(&hash, now).await?;
        Ok(Some(self.principal_for(user, Credential::Session).await?))
    }

    /// Ends `who`'s session, of cookie `secret`; false when there was none.
    pub async fn end_session(&self, who: &Principal, secret: &str) -> Result<bool, StoreError> {
        let ended = self.store.delete_session(&secret_hash(secret)).await;
        if who.signed_in() {
            let target = "their session";
            let (outcome, detail) = match &ended {
                Ok(_) => (Outcome::Done, String::new()),
                Err(error) => (Outcome::Failed, error.to_string()),
            };
            self.record(who, actions::SIGN_OUT, target, outcome, detail)
                .await;
        }
        ended
    }
}
