//! What signing in keeps: sessions (by the hash of their cookie's secret) and the
//! sign-ins under way.

use super::{Store, StoreError};

/// A signed-in session.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    /// SHA-256 of the cookie's secret, hex.
    pub hash: String,
    /// The User entity signed in.
    pub user_ref: String,
    /// The provider signed in with.
    pub provider: String,
    /// The subject the provider named.
    pub subject: String,
    /// When it started (ms since the epoch).
    pub created_at: i64,
    /// When it was last used, to the minute.
    pub last_seen_at: i64,
    /// When it ends, however active.
    pub expires_at: i64,
}

/// A sign-in under way.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SignInRequestRow {
    /// The `state` sent to the provider, also in the browser's cookie.
    pub state: String,
    /// The provider asked.
    pub provider: String,
    /// The PKCE code verifier.
    pub verifier: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// Where the person goes once signed in (a path of the portal).
    pub return_to: String,
    /// When it started (ms since the epoch).
    pub created_at: i64,
}

const SESSION_COLUMNS: &str =
    "hash, user_ref, provider, subject, created_at, last_seen_at, expires_at";

impl Store {
    /// Stores a new session.
    pub async fn create_session(&self, session: &SessionRow) -> Result<(), StoreError> {
        let sql =
            format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        on_pool!(self, pool => {
            sqlx::query(&sql)
                .bind(&session.hash)
                .bind(&session.user_ref)
                .bind(&session.provider)
                .bind(&session.subject)
                .bind(session.created_at)
                .bind(session.last_seen_at)
                .bind(session.expires_at)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The session with this hash, expired or not.
    pub async fn session(&self, hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE hash = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(hash).fetch_optional(pool).await?))
    }

    /// Records that a session was used at `now`, at most once a minute.
    pub async fn touch_session(&self, hash: &str, now: i64) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE sessions SET last_seen_at = $2 \
                           WHERE hash = $1 AND last_seen_at < $2 - 60000";
        on_pool!(self, pool => {
            sqlx::query(SQL).bind(hash).bind(now).execute(pool).await?;
        });
        Ok(())
    }

    /// Ends a session (signing out); false when there was none.
    pub async fn delete_session(&self, hash: &str) -> Result<bool, StoreError> {
        let done = on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE hash = $1")
                .bind(hash)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }

    /// Deletes the sessions that ended before `now`, or were idle since `idle_since`.
    pub async fn delete_stale_sessions(
        &self,
        now: i64,
        idle_since: i64,
    ) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2";
        Ok(on_pool!(self, pool => {
            sqlx::query(SQL).bind(now).bind(idle_since).execute(pool).await?.rows_affected()
        }))
    }

    /// Stores a sign-in under way, and forgets those started before `started_since`.
    pub async fn create_sign_in_request(
        &self,
        request: &SignInRequestRow,
        started_since: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sign_in_requests WHERE created_at < $1")
                .bind(started_since)
                .execute(pool)
                .await?;
            sqlx::query(
                "INSERT INTO sign_in_requests \
                 (state, provider, verifier, nonce, return_to, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&request.state)
            .bind(&request.provider)
            .bind(&request.verifier)
            .bind(&request.nonce)
            .bind(&request.return_to)
            .bind(request.created_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Takes the sign-in under way with this state: it is answered once at most.
    pub async fn take_sign_in_request(
        &self,
        state: &str,
    ) -> Result<Option<SignInRequestRow>, StoreError> {
        const SQL: &str = "DELETE FROM sign_in_requests WHERE state = $1 \
                           RETURNING state, provider, verifier, nonce, return_to, created_at";
        Ok(on_pool!(self, pool => sqlx::query_as(SQL).bind(state).fetch_optional(pool).await?))
    }
}
