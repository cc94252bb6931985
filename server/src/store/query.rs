//! Entity queries ([`EntityQuery`]) as SQL over the `entities`, `search` and `relations`
//! tables, the same text for SQLite and PostgreSQL.

use app::model::filter::{Condition, EntityQuery, Order};

use super::{Store, StoreError};

/// A stored entity as a query returns it: `(uid, etag, body, entity_ref)`.
pub type EntityRecord = (String, String, String, String);

/// SQL text with its string parameters, numbered `$1…` in order.
#[derive(Default)]
struct Sql {
    text: String,
    params: Vec<String>,
}

impl Sql {
    fn param(&mut self, value: &str) -> String {
        self.params.push(value.to_owned());
        format!("${}", self.params.len())
    }

    fn list(&mut self, values: &[String]) -> String {
        values
            .iter()
            .map(|v| self.param(v))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn condition(sql: &mut Sql, condition: &Condition) -> String {
    let values = &condition.values;
    if let Some(relation) = condition.key.strip_prefix("relations.") {
        let relation = sql.param(relation);
        let mut text = format!(
            "e.entity_ref IN (SELECT r.source_ref FROM relations r WHERE LOWER(r.type) = {relation}"
        );
        if !values.is_empty() {
            text.push_str(&format!(" AND r.target_ref IN ({})", sql.list(values)));
        }
        text.push(')');
        return text;
    }
    if condition.key == "metadata.uid" {
        return if values.is_empty() {
            "1 = 1".into()
        } else {
            format!("LOWER(e.uid) IN ({})", sql.list(values))
        };
    }
    let key = sql.param(&condition.key);
    let mut text =
        format!("e.entity_ref IN (SELECT s.entity_ref FROM search s WHERE s.key = {key}");
    if !values.is_empty() {
        text.push_str(&format!(" AND s.value IN ({})", sql.list(values)));
    }
    text.push(')');
    text
}

/// The `WHERE` clause of a query (without the keyword), or `1 = 1`.
fn where_clause(sql: &mut Sql, query: &EntityQuery) -> String {
    let mut parts = Vec::new();
    if !query.filter.is_empty() {
        let groups: Vec<String> = query
            .filter
            .iter()
            .map(|group| {
                if group.conditions.is_empty() {
                    return "1 = 1".to_owned();
                }
                let conditions: Vec<String> =
                    group.conditions.iter().map(|c| condition(sql, c)).collect();
                format!("({})", conditions.join(" AND "))
            })
            .collect();
        parts.push(format!("({})", groups.join(" OR ")));
    }
    if let Some(full_text) = &query.full_text {
        let escaped = full_text
            .term
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let term = sql.param(&format!("%{escaped}%"));
        let fields = sql.list(&full_text.fields);
        parts.push(format!(
            "e.entity_ref IN (SELECT s.entity_ref FROM search s WHERE s.key IN ({fields}) \
             AND s.value LIKE {term} ESCAPE '\\')"
        ));
    }
    if parts.is_empty() {
        "1 = 1".into()
    } else {
        parts.join(" AND ")
    }
}

impl Store {
    /// The entities a query selects, in its order, one page; and how many it selects in all.
    pub async fn query_entities(
        &self,
        query: &EntityQuery,
    ) -> Result<(Vec<EntityRecord>, u64), StoreError> {
        let mut sql = Sql::default();
        let condition = where_clause(&mut sql, query);
        let mut order = Vec::new();
        for field in &query.order {
            let key = sql.param(&field.key);
            let direction = match field.order {
                Order::Asc => "ASC",
                Order::Desc => "DESC",
            };
            order.push(format!(
                "(SELECT MIN(s.value) FROM search s WHERE s.entity_ref = e.entity_ref AND s.key = {key}) \
                 {direction} NULLS LAST"
            ));
        }
        order.push("e.entity_ref ASC".into());
        let count_sql = format!("SELECT COUNT(*) FROM entities e WHERE {condition}");
        let count_params = sql.params.clone();
        sql.text = format!(
            "SELECT e.uid, e.etag, e.body, e.entity_ref FROM entities e WHERE {condition} ORDER BY {} LIMIT {} OFFSET {}",
            order.join(", "),
            query.limit,
            query.offset
        );

        macro_rules! run {
            ($pool:expr) => {{
                let mut rows = sqlx::query_as::<_, EntityRecord>(&sql.text);
                for param in &sql.params {
                    rows = rows.bind(param);
                }
                let rows = rows.fetch_all($pool).await?;
                let mut count = sqlx::query_as::<_, (i64,)>(&count_sql);
                for param in &count_params {
                    count = count.bind(param);
                }
                let (total,) = count.fetch_one($pool).await?;
                Ok((rows, total.max(0) as u64))
            }};
        }
        match self {
            Store::Sqlite(pool) => run!(pool),
            Store::Postgres(pool) => run!(pool),
        }
    }
}

impl Store {
    /// For each value of the search key `key` among the entities `query` selects (its
    /// paging ignored): the value as written and how many entities have it, most
    /// common first.
    pub async fn facet(
        &self,
        key: &str,
        query: &EntityQuery,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let mut sql = Sql::default();
        let condition = where_clause(&mut sql, query);
        let key = sql.param(&key.to_lowercase());
        sql.text = format!(
            "SELECT MIN(s.original_value), COUNT(DISTINCT s.entity_ref) FROM search s \
             WHERE s.key = {key} AND s.entity_ref IN (SELECT e.entity_ref FROM entities e WHERE {condition}) \
             GROUP BY s.value ORDER BY 2 DESC, 1 ASC"
        );
        macro_rules! run {
            ($pool:expr) => {{
                let mut rows = sqlx::query_as::<_, (String, i64)>(&sql.text);
                for param in &sql.params {
                    rows = rows.bind(param);
                }
                Ok(rows.fetch_all($pool).await?)
            }};
        }
        match self {
            Store::Sqlite(pool) => run!(pool),
            Store::Postgres(pool) => run!(pool),
        }
    }
}
