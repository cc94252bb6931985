//! What identity reads and keeps: the groups a user belongs to, and API tokens.

use super::{Store, StoreError};

impl Store {
    /// The groups `user_ref` is a member of (`memberOf`), and their parents (`childOf`),
    /// transitively; a cycle of parents ends where it closes. Lower-case refs, sorted.
    pub async fn groups_of(&self, user_ref: &str) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "WITH RECURSIVE member(ref) AS ( \
                 SELECT target_ref FROM relations WHERE source_ref = $1 AND type = 'memberOf' \
                 UNION \
                 SELECT r.target_ref FROM relations r JOIN member m ON r.source_ref = m.ref \
                 WHERE r.type = 'childOf' \
             ) SELECT ref FROM member ORDER BY ref";
        let rows: Vec<(String,)> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(user_ref).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|(r,)| r).collect())
    }
}

/// A stored API token (its hash, never the token).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenRow {
    /// Its id, shown in lists and used to revoke it.
    pub id: String,
    /// SHA-256 of the token, hex.
    pub hash: String,
    /// The user it acts as.
    pub owner_ref: String,
    /// What its owner called it.
    pub name: String,
    /// Scope names separated by spaces.
    pub scopes: String,
    /// Who created it (the owner, or an admin for a service token).
    pub created_by: String,
    /// When it was created (ms since the epoch).
    pub created_at: i64,
    /// When it stops working, if ever.
    pub expires_at: Option<i64>,
    /// When it was last used, to the minute.
    pub last_used_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
}

const TOKEN_COLUMNS: &str = "id, hash, owner_ref, name, scopes, created_by, created_at, \
                             expires_at, last_used_at, revoked_at";

impl Store {
    /// Stores a new token.
    pub async fn create_token(&self, token: &TokenRow) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO api_tokens ({TOKEN_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        on_pool!(self, pool => {
            sqlx::query(&sql)
                .bind(&token.id)
                .bind(&token.hash)
                .bind(&token.owner_ref)
                .bind(&token.name)
                .bind(&token.scopes)
                .bind(&token.created_by)
                .bind(token.created_at)
                .bind(token.expires_at)
                .bind(token.last_used_at)
                .bind(token.revoked_at)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The token with this hash, revoked and expired ones included.
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRow>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE hash = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(hash).fetch_optional(pool).await?))
    }

    /// The token with this id.
    pub async fn token(&self, id: &str) -> Result<Option<TokenRow>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// The tokens acting as `owner_ref` (every token when `None`), newest first.
    pub async fn tokens(&self, owner_ref: Option<&str>) -> Result<Vec<TokenRow>, StoreError> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE $1 IS NULL OR owner_ref = $1 \
             ORDER BY created_at DESC, id"
        );
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(owner_ref).fetch_all(pool).await?))
    }

    /// Marks a token revoked at `now`; false when there is no such token or it was
    /// revoked already.
    pub async fn revoke_token(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        const SQL: &str =
            "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
        let done = on_pool!(self, pool => {
            sqlx::query(SQL).bind(id).bind(now).execute(pool).await?.rows_affected()
        });
        Ok(done > 0)
    }

    /// Records that a token was used at `now`, at most once a minute (a busy token does
    /// not write on every request).
    pub async fn touch_token(&self, id: &str, now: i64) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE api_tokens SET last_used_at = $2 \
                           WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2 - 60000)";
        on_pool!(self, pool => {
            sqlx::query(SQL).bind(id).bind(now).execute(pool).await?;
        });
        Ok(())
    }
}
