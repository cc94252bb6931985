//! The audit log's entries: appended, read a page at a time newest first, and deleted
//! once older than the retention setting.

use super::{Store, StoreError};

/// One entry, as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    /// Its number (0 for an entry not stored yet).
    pub id: i64,
    /// When (ms since the epoch).
    pub at: i64,
    /// The user ref who asked.
    pub actor: String,
    /// How they proved it.
    pub via: String,
    /// The action's name.
    pub action: String,
    /// What it was done to.
    pub target: String,
    /// `done`, `refused` or `failed`.
    pub outcome: String,
    /// Why, or what was done.
    pub detail: String,
    /// The client's address, or what else the request came from.
    pub origin: String,
}

/// Which entries to read: each `Some` narrows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// By this user ref.
    pub actor: Option<String>,
    /// Of this action.
    pub action: Option<String>,
    /// Ending so.
    pub outcome: Option<String>,
    /// Whose target contains this text, any case.
    pub target: Option<String>,
    /// At or after this moment.
    pub since: Option<i64>,
    /// Before this moment.
    pub until: Option<i64>,
    /// With a number below this one.
    pub before: Option<i64>,
}

/// `text` as a `LIKE` pattern matching it anywhere, lower-case, `\` escaping.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl Store {
    /// Appends an entry.
    pub async fn append_audit(&self, entry: &AuditRow) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO audit_log \
                           (at, actor, via, action, target, outcome, detail, origin) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(entry.at)
                .bind(&entry.actor)
                .bind(&entry.via)
                .bind(&entry.action)
                .bind(&entry.target)
                .bind(&entry.outcome)
                .bind(&entry.detail)
                .bind(&entry.origin)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Up to `limit` entries matching `filter`, newest first.
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError> {
        const SQL: &str = "SELECT id, at, actor, via, action, target, outcome, detail, origin \
             FROM audit_log \
             WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR action = $2) \
             AND ($3 IS NULL OR outcome = $3) \
             AND ($4 IS NULL OR LOWER(target) LIKE $4 ESCAPE '\\') \
             AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6) \
             AND ($7 IS NULL OR id < $7) \
             ORDER BY id DESC LIMIT $8";
        let target = filter.target.as_deref().map(contains_pattern);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        Ok(on_pool!(self, pool => {
            sqlx::query_as(SQL)
                .bind(&filter.actor)
                .bind(&filter.action)
                .bind(&filter.outcome)
                .bind(&target)
                .bind(filter.since)
                .bind(filter.until)
                .bind(filter.before)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Deletes the entries from before `since`; how many there were.
    pub async fn delete_audit_before(&self, since: i64) -> Result<u64, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query("DELETE FROM audit_log WHERE at < $1")
                .bind(since)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn like_patterns_match_the_text_literally() {
        assert_eq!(contains_pattern("Web_Shop"), "%web\\_shop%");
        assert_eq!(contains_pattern("100%"), "%100\\%%");
    }
}
