//! Entity queries ([`EntityQuery`]) and facets as SQL over the `search`, `relations` and
//! `entities` tables, the same text for SQLite and PostgreSQL.
//!
//! A query first becomes the set of refs it selects, written as a compound `SELECT` of
//! one column `entity_ref`: each condition reads one range of the `search` primary key
//! `(key, value, entity_ref)`, conditions of a filter are `INTERSECT`ed, filters are
//! `UNION`ed. A single condition (the common case: `kind=component`) is then a range
//! already sorted by ref, so both the count and a page cost no sort. A full-text term is
//! matched by the in-memory index (`text.rs`) and joins the selection as a JSON list of
//! refs. An order by one key over a large selection walks that key's range instead of
//! sorting ([`Store::walk_in_order`]). Bodies, relations and problems of the page are
//! read afterwards, for the page only ([`Store::stored_entities`]).

use app::model::catalog::{
    filter::{Condition, EntityQuery, Order, OrderField},
    predicate::{FieldTest, Predicate},
};

use super::{Engine, Store, StoreError};

/// The string parameters of a statement, numbered `$1…` in order.
#[derive(Default)]
struct Sql {
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

    /// Runs `text` (with these parameters) and returns every row.
    async fn fetch_all<T>(&self, store: &Store, text: &str) -> Result<Vec<T>, StoreError>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        macro_rules! run {
            ($pool:expr) => {{
                let mut rows = sqlx::query_as::<_, T>(text);
                for param in &self.params {
                    rows = rows.bind(param);
                }
                Ok(rows.fetch_all($pool).await?)
            }};
        }
        match &store.engine {
            Engine::Sqlite(pool) => run!(pool),
            Engine::Postgres(pool) => run!(pool),
        }
    }
}

/// Every entity.
const ALL: &str = "SELECT entity_ref FROM entities";

/// No entity.
const NONE: &str = "SELECT entity_ref FROM entities WHERE 1 = 0";

/// What a field's value must be, for [`field`].
enum ValueTest<'a> {
    /// Any value: the field exists.
    Any,
    /// One of these lower-case values.
    In(&'a [String]),
    /// Starting with this lower-case text.
    Prefix(&'a str),
}

/// The refs one condition selects, with no duplicates.
fn condition(sql: &mut Sql, condition: &Condition) -> String {
    let test = match condition.values.as_slice() {
        [] => ValueTest::Any,
        values => ValueTest::In(values),
    };
    field(sql, &condition.key, test)
}

/// The refs of entities whose field `key` passes `test`, with no duplicates.
fn field(sql: &mut Sql, key: &str, test: ValueTest) -> String {
    // `column` holds the value in the table the key is read from.
    let (mut text, column) = if let Some(relation) = key.strip_prefix("relations.") {
        // A relation's source may be a ref to a missing entity: only entities count.
        let relation = sql.param(relation);
        (
            format!(
                "SELECT DISTINCT r.source_ref AS entity_ref FROM relations r \
                 JOIN entities e ON e.entity_ref = r.source_ref WHERE LOWER(r.type) = {relation}"
            ),
            "r.target_ref",
        )
    } else if key == "metadata.uid" {
        (format!("{ALL} WHERE 1 = 1"), "LOWER(uid)")
    } else {
        let key = sql.param(key);
        match test {
            // One value: the primary key makes the refs unique already.
            ValueTest::In([value]) => {
                let value = sql.param(value);
                return format!(
                    "SELECT entity_ref FROM search WHERE key = {key} AND value = {value}"
                );
            }
            // The key with any value, or with one that cannot be searched.
            ValueTest::Any => {
                return union(vec![
                    format!("SELECT entity_ref FROM search WHERE key = {key}"),
                    format!("SELECT entity_ref FROM search_keys WHERE key = {key}"),
                ])
            }
            _ => (
                format!("SELECT DISTINCT entity_ref FROM search WHERE key = {key}"),
                "value",
            ),
        }
    };
    match test {
        ValueTest::Any => {}
        ValueTest::In(values) => text.push_str(&format!(" AND {column} IN ({})", sql.list(values))),
        ValueTest::Prefix(prefix) => {
            let escaped = prefix
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = sql.param(&format!("{escaped}%"));
            text.push_str(&format!(" AND {column} LIKE {pattern} ESCAPE '\\'"));
        }
    }
    text
}

/// The refs a predicate selects, with no duplicates.
fn predicate(sql: &mut Sql, predicate: &Predicate) -> String {
    match predicate {
        Predicate::All(items) if items.is_empty() => ALL.to_owned(),
        Predicate::All(items) => {
            let parts: Vec<String> = items.iter().map(|p| self::predicate(sql, p)).collect();
            intersect(parts)
        }
        Predicate::Any(items) if items.is_empty() => NONE.to_owned(),
        Predicate::Any(items) => union(items.iter().map(|p| self::predicate(sql, p)).collect()),
        Predicate::Not(inner) => except_from_all(self::predicate(sql, inner)),
        Predicate::Field { key, test } => match test {
            FieldTest::In(values) if values.is_empty() => NONE.to_owned(),
            FieldTest::In(values) => field(sql, key, ValueTest::In(values)),
            FieldTest::Exists(true) => field(sql, key, ValueTest::Any),
            FieldTest::Exists(false) => except_from_all(field(sql, key, ValueTest::Any)),
            FieldTest::HasPrefix(prefix) => field(sql, key, ValueTest::Prefix(prefix)),
        },
    }
}

/// Every entity but the refs `selection` selects.
fn except_from_all(selection: String) -> String {
    format!("{ALL} EXCEPT SELECT entity_ref FROM ({selection}) n")
}

/// The refs `query` selects (its order and paging aside), as a `SELECT` of one column
/// `entity_ref` with no duplicates. `full_text_matches` are the refs its full-text term
/// matches, if it has one ([`Store::full_text_matches`]).
fn selection(
    sql: &mut Sql,
    engine: &Engine,
    query: &EntityQuery,
    full_text_matches: Option<&[String]>,
) -> String {
    let mut parts = Vec::new();
    if !query.filter.is_empty() {
        let groups: Vec<String> = query
            .filter
            .iter()
            .map(|group| {
                let conditions: Vec<String> =
                    group.conditions.iter().map(|c| condition(sql, c)).collect();
                match conditions.len() {
                    0 => ALL.to_owned(),
                    _ => conditions.join(" INTERSECT "),
                }
            })
            .collect();
        parts.push(union(groups));
    }
    if let Some(predicate) = &query.predicate {
        parts.push(self::predicate(sql, predicate));
    }
    if let Some(matches) = full_text_matches {
        // Refs the full-text index found; an entity deleted since is left out.
        let refs = sql.param(&serde_json::Value::from(matches).to_string());
        let refs = engine.json_texts(&refs);
        parts.push(format!(
            "SELECT entity_ref FROM entities WHERE entity_ref IN ({refs})"
        ));
    }
    match parts.len() {
        0 => ALL.to_owned(),
        _ => intersect(parts),
    }
}

/// `parts` joined by `INTERSECT`. SQLite gives compound operators equal precedence, left
/// to right: each part is wrapped so that it is intersected whole.
fn intersect(mut parts: Vec<String>) -> String {
    if parts.len() == 1 {
        return parts.remove(0);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| format!("SELECT entity_ref FROM ({part}) p{i}"))
        .collect::<Vec<_>>()
        .join(" INTERSECT ")
}

/// `groups` joined by `UNION`, each wrapped so that its own `INTERSECT`s bind first.
fn union(groups: Vec<String>) -> String {
    if groups.len() == 1 {
        return groups.into_iter().next().unwrap_or_default();
    }
    groups
        .iter()
        .enumerate()
        .map(|(i, group)| format!("SELECT entity_ref FROM ({group}) g{i}"))
        .collect::<Vec<_>>()
        .join(" UNION ")
}

/// A facet's `(value as written, entities)`, most common first.
type FacetCounts = Vec<(String, i64)>;

impl Store {
    /// The refs the full-text term of `query` matches, if it has one.
    async fn full_text_matches_of(
        &self,
        query: &EntityQuery,
    ) -> Result<Option<Vec<String>>, StoreError> {
        match &query.full_text {
            Some(full_text) => Ok(Some(self.full_text_matches(full_text).await?.refs())),
            None => Ok(None),
        }
    }

    /// The refs of the entities a query selects, in its order, one page; and how many it
    /// selects in all.
    pub async fn query_entities(
        &self,
        query: &EntityQuery,
    ) -> Result<(Vec<String>, u64), StoreError> {
        if let (Some(full_text), true) = (
            &query.full_text,
            query.is_unfiltered() && query.order.is_empty(),
        ) {
            // A term alone, in ref order: the index's matches are that list already.
            let matches = self.full_text_matches(full_text).await?;
            return Ok((
                matches.page(query.offset, query.limit),
                matches.len() as u64,
            ));
        }
        let matches = self.full_text_matches_of(query).await?;
        if let [field] = query.order.as_slice() {
            if let Some(found) = self.walk_in_order(query, field, matches.as_deref()).await? {
                return Ok(found);
            }
        }
        let mut sql = Sql::default();
        let selection = selection(&mut sql, &self.engine, query, matches.as_deref());
        let count_sql = Sql {
            params: sql.params.clone(),
        };
        let mut order = Vec::new();
        for field in &query.order {
            let key = sql.param(&field.key);
            let direction = match field.order {
                Order::Asc => "ASC",
                Order::Desc => "DESC",
            };
            order.push(format!(
                "(SELECT MIN(s.value) FROM search s WHERE s.entity_ref = m.entity_ref AND s.key = {key}) \
                 {direction} NULLS LAST"
            ));
        }
        order.push("m.entity_ref ASC".into());
        // The count comes with the page. A query that sorts every match anyway (another
        // order, or full text, whose matches are not one sorted range) counts them in
        // the same pass; a plain filter counts its range in a subquery that runs once,
        // which costs less than materialising the range or a second round trip.
        let sorts_everything = !query.order.is_empty() || query.full_text.is_some();
        let count_column = if sorts_everything {
            "COUNT(*) OVER ()".to_owned()
        } else {
            format!("(SELECT COUNT(*) FROM ({selection}) c)")
        };
        let page = format!(
            "SELECT m.entity_ref, {count_column} FROM ({selection}) m ORDER BY {} LIMIT {} OFFSET {}",
            order.join(", "),
            query.limit,
            query.offset
        );
        let rows: Vec<(String, i64)> = sql.fetch_all(self, &page).await?;
        let total = match rows.first() {
            Some((_, total)) => *total,
            None if query.offset == 0 && query.limit > 0 => 0,
            // An empty page past the end, or of no rows at all: counted on its own.
            None => {
                let count = format!("SELECT COUNT(*) FROM ({selection}) m");
                let (total,): (i64,) = count_sql
                    .fetch_all(self, &count)
                    .await?
                    .pop()
                    .unwrap_or((0,));
                total
            }
        };
        let refs: Vec<String> = rows.into_iter().map(|(r, _)| r).collect();
        let total = total.max(0) as u64;
        Ok((refs, total))
    }

    /// A page of a large selection in the order of one key, without sorting the whole
    /// selection: the key's range of the `search` primary key is already in value order,
    /// so walking it and keeping the selected entities (each at its smallest value, as
    /// the sorting plan orders them) stops after one page. Entities without the key come
    /// last, in ref order, as `NULLS LAST` puts them. `None` when the selection is small
    /// enough ([`Store::sort_walk_from`]) that sorting it costs less.
    async fn walk_in_order(
        &self,
        query: &EntityQuery,
        field: &OrderField,
        matches: Option<&[String]>,
    ) -> Result<Option<(Vec<String>, u64)>, StoreError> {
        if matches.is_some_and(|m| (m.len() as u64) < self.sort_walk_from) {
            // A full-text term bounds the selection: small enough to sort, no count needed.
            return Ok(None);
        }
        let everything = query.is_unfiltered() && matches.is_none();
        // Each statement numbers its own parameters: the selection's, then the key's.
        let statement = |text: &dyn Fn(&mut Sql, &str) -> String| {
            let mut sql = Sql::default();
            let selection = selection(&mut sql, &self.engine, query, matches);
            let text = text(&mut sql, &selection);
            (sql, text)
        };
        let (sql, count) =
            statement(&|_, selection| format!("SELECT COUNT(*) FROM ({selection}) m"));
        let (total,): (i64,) = sql.fetch_all(self, &count).await?.pop().unwrap_or((0,));
        let total = total.max(0) as u64;
        if total < self.sort_walk_from {
            return Ok(None);
        }
        let selected = |sql: &mut Sql, selection: &str| -> (String, String) {
            let membership = if everything {
                String::new()
            } else {
                format!(" AND s.entity_ref IN ({selection})")
            };
            (sql.param(&field.key), membership)
        };
        let direction = match field.order {
            Order::Asc => "ASC",
            Order::Desc => "DESC",
        };
        let (sql, page) = statement(&|sql, selection| {
            let (key, membership) = selected(sql, selection);
            format!(
                "SELECT s.entity_ref FROM search s WHERE s.key = {key}{membership} \
                 AND s.value = (SELECT MIN(x.value) FROM search x WHERE x.entity_ref = s.entity_ref AND x.key = {key}) \
                 ORDER BY s.value {direction}, s.entity_ref ASC LIMIT {} OFFSET {}",
                query.limit, query.offset
            )
        });
        let mut refs: Vec<String> = sql
            .fetch_all::<(String,)>(self, &page)
            .await?
            .into_iter()
            .map(|(r,)| r)
            .collect();
        if refs.len() < query.limit && (query.offset as u64) + (refs.len() as u64) < total {
            // Past the key's range: the selected entities that lack the key.
            let (sql, with_key) = statement(&|sql, selection| {
                let (key, membership) = selected(sql, selection);
                format!("SELECT COUNT(DISTINCT s.entity_ref) FROM search s WHERE s.key = {key}{membership}")
            });
            let (with_key,): (i64,) = sql.fetch_all(self, &with_key).await?.pop().unwrap_or((0,));
            let offset = (query.offset as u64).saturating_sub(with_key.max(0) as u64);
            let limit = query.limit - refs.len();
            let (sql, rest) = statement(&|sql, selection| {
                let key = sql.param(&field.key);
                format!(
                    "SELECT m.entity_ref FROM ({selection}) m WHERE NOT EXISTS \
                     (SELECT 1 FROM search x WHERE x.entity_ref = m.entity_ref AND x.key = {key}) \
                     ORDER BY m.entity_ref ASC LIMIT {limit} OFFSET {offset}"
                )
            });
            refs.extend(
                sql.fetch_all::<(String,)>(self, &rest)
                    .await?
                    .into_iter()
                    .map(|(r,)| r),
            );
        }
        Ok(Some((refs, total)))
    }

    /// For each value of the search key `key` among the entities `query` selects (its
    /// paging ignored): the value as written and how many entities have it, most
    /// common first.
    pub async fn facet(
        &self,
        key: &str,
        query: &EntityQuery,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(self
            .facets(&[key.to_owned()], query)
            .await?
            .pop()
            .unwrap_or_default())
    }

    /// Which of `refs` (lower-case) the filter and predicate of `query` select (its
    /// full-text term, order and paging aside), in no particular order.
    pub async fn refs_selected_among(
        &self,
        query: &EntityQuery,
        refs: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut sql = Sql::default();
        let query = EntityQuery {
            full_text: None,
            ..query.clone()
        };
        let text = selection(&mut sql, &self.engine, &query, Some(refs));
        let found: Vec<(String,)> = sql.fetch_all(self, &text).await?;
        Ok(found.into_iter().map(|(r,)| r).collect())
    }

    /// [`Store::facet`] for several keys at once, in the order of `keys`: one statement,
    /// which reads the selection once for all of them. Counts over the whole catalog (no
    /// filter, no term: the catalog page's first view) are kept for the catalog version.
    pub async fn facets(
        &self,
        keys: &[String],
        query: &EntityQuery,
    ) -> Result<Vec<Vec<(String, i64)>>, StoreError> {
        let keys: Vec<String> = keys.iter().map(|k| k.to_lowercase()).collect();
        // The in-memory counts know the search keys' values, not relations.
        let relations = keys.iter().any(|k| k.starts_with("relations."));
        match (&query.full_text, query.is_unfiltered()) {
            // A term alone: its matches are counted in memory (see `facets.rs`).
            (Some(full_text), true) if !relations => {
                let matches = self.full_text_matches(full_text).await?;
                return self.count_facets_of_matches(&keys, &matches).await;
            }
            (Some(_), true) | (_, false) => return self.count_facets(&keys, query).await,
            (None, true) => {}
        }
        let version = self.catalog_version().await?;
        let cached: Vec<Option<std::sync::Arc<FacetCounts>>> = keys
            .iter()
            .map(|key| self.facets.get(version, key))
            .collect();
        let missing: Vec<String> = keys
            .iter()
            .zip(&cached)
            .filter(|(_, cached)| cached.is_none())
            .map(|(key, _)| key.clone())
            .collect();
        let counted = if missing.is_empty() {
            Vec::new()
        } else {
            self.count_facets(&missing, query).await?
        };
        for (key, counts) in missing.iter().zip(&counted) {
            self.facets
                .put(version, key, std::sync::Arc::new(counts.clone()));
        }
        let mut counted = counted.into_iter();
        Ok(cached
            .into_iter()
            .map(|cached| match cached {
                Some(counts) => counts.as_ref().clone(),
                None => counted.next().unwrap_or_default(),
            })
            .collect())
    }

    /// Counts the values of each of `keys` (lower-case) among the entities `query`
    /// selects. A `relations.<type>` key counts the targets of that relation.
    async fn count_facets(
        &self,
        keys: &[String],
        query: &EntityQuery,
    ) -> Result<Vec<Vec<(String, i64)>>, StoreError> {
        let mut sql = Sql::default();
        let key_list = sql.list(keys);
        let selected = if query.is_unfiltered() && query.full_text.is_none() {
            None
        } else {
            let matches = self.full_text_matches_of(query).await?;
            Some(selection(&mut sql, &self.engine, query, matches.as_deref()))
        };
        let within = |column: &str| {
            selected
                .as_ref()
                .map_or_else(String::new, |s| format!(" AND {column} IN ({s})"))
        };
        // The primary key makes (key, value, entity_ref) unique: COUNT(*) counts entities.
        let mut counted = format!(
            "SELECT key, MIN(COALESCE(original_value, value)) AS value, COUNT(*) AS count \
             FROM search WHERE key IN ({key_list}){} GROUP BY key, value",
            within("entity_ref")
        );
        let relations: Vec<String> = keys
            .iter()
            .filter_map(|k| k.strip_prefix("relations.").map(str::to_owned))
            .collect();
        if !relations.is_empty() {
            // Relations are rows of their own; a source that is not an entity is no entity.
            let types = sql.list(&relations);
            counted.push_str(&format!(
                " UNION ALL SELECT 'relations.' || LOWER(r.type) AS key, r.target_ref AS value, \
                 COUNT(DISTINCT r.source_ref) AS count FROM relations r \
                 JOIN entities e ON e.entity_ref = r.source_ref \
                 WHERE LOWER(r.type) IN ({types}){} GROUP BY LOWER(r.type), r.target_ref",
                within("r.source_ref")
            ));
        }
        // One row of JSON rather than a row per value: sqlx hands SQLite's rows over from
        // a worker thread one by one, and a facet such as spec.owner has hundreds.
        let rows = self.json_rows(&["f.key", "f.value", "f.count"]);
        let text = format!("SELECT {rows} FROM ({counted}) f");
        let found: Vec<(String,)> = sql.fetch_all(self, &text).await?;
        let json = found.first().map_or("[]", |(json,)| json.as_str());
        let counts: Vec<(String, String, i64)> = serde_json::from_str(json)
            .map_err(|e| StoreError::Io(format!("the facet counts: {e}")))?;
        let mut facets: Vec<Vec<(String, i64)>> = vec![Vec::new(); keys.len()];
        for (key, value, count) in counts {
            for (at, _) in keys.iter().enumerate().filter(|(_, k)| **k == key) {
                facets[at].push((value.clone(), count));
            }
        }
        for counts in &mut facets {
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
        Ok(facets)
    }
}
