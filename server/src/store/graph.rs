//! The relations table walked as a graph: the entities reached from some roots (one
//! recursive query, whatever their number), what the graph shows of each, the relations
//! between them, and every relation an impact analysis can follow from an entity.
//!
//! Walks follow stored rows from `source_ref` to `target_ref` only (on the
//! `relations_source` index): relations are stored in pairs, so a walk against the
//! edges is a walk along their inverses (`app::model::graph::subgraph`).

use super::{Store, StoreError};

/// What a graph shows of a stored entity.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct GraphNodeRow {
    /// Its ref (lower-case).
    pub entity_ref: String,
    /// Its kind as written.
    pub kind: String,
    /// Its name as written.
    pub name: String,
    /// `metadata.title`.
    pub title: Option<String>,
    /// `spec.lifecycle`.
    pub lifecycle: Option<String>,
    /// The target of its `ownedBy` relation.
    pub owner: Option<String>,
}

/// A stored relation: `(source, type, target)`.
pub type RelationRow = (String, String, String);

/// `$first, $first+1, …` for `count` parameters.
fn params(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `LIKE` pattern matching refs of `kind` (`component:%`).
fn kind_pattern(kind: &str) -> String {
    let escaped = kind
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("{escaped}:%")
}

impl Store {
    /// The refs reached from `roots` along relations of `types`, entering only entities
    /// of `kinds` (any when empty; roots always count), at most `depth` steps away (no
    /// limit when `None`): nearest first, at most `limit`.
    pub async fn walk_relations(
        &self,
        roots: &[String],
        types: &[&str],
        kinds: &[String],
        depth: Option<u32>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let types_at = roots.len() + 1;
        let kinds_at = types_at + types.len();
        let kind_filter = if kinds.is_empty() {
            String::new()
        } else {
            let likes: Vec<String> = (kinds_at..kinds_at + kinds.len())
                .map(|n| format!("r.target_ref LIKE ${n} ESCAPE '\\'"))
                .collect();
            format!(" AND ({})", likes.join(" OR "))
        };
        let roots_values = (1..=roots.len())
            .map(|n| format!("(${n})"))
            .collect::<Vec<_>>()
            .join(", ");
        let step = format!(
            "FROM walk w JOIN relations r ON r.source_ref = w.ref \
             WHERE r.type IN ({}){kind_filter}",
            params(types_at, types.len())
        );
        // With a depth, a ref is a row per depth it is reached at (so few: the depth is
        // small) and the nearest wins; without, each ref is one row, which ends the walk
        // however the relations loop, in the order it was reached (breadth first).
        let sql = match depth {
            Some(depth) => format!(
                "WITH RECURSIVE walk(ref, depth) AS ( \
                   SELECT CAST(column1 AS TEXT), 0 FROM (VALUES {roots_values}) AS roots \
                   UNION SELECT r.target_ref, w.depth + 1 {step} AND w.depth < {depth}) \
                 SELECT ref FROM walk GROUP BY ref ORDER BY MIN(depth), ref LIMIT {limit}"
            ),
            None => format!(
                "WITH RECURSIVE walk(ref) AS ( \
                   SELECT CAST(column1 AS TEXT) FROM (VALUES {roots_values}) AS roots \
                   UNION SELECT r.target_ref {step}) \
                 SELECT ref FROM walk LIMIT {limit}"
            ),
        };
        let patterns: Vec<String> = kinds.iter().map(|k| kind_pattern(k)).collect();
        let rows: Vec<(String,)> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql);
            for root in roots {
                query = query.bind(root);
            }
            for relation in types {
                query = query.bind(*relation);
            }
            for pattern in &patterns {
                query = query.bind(pattern);
            }
            query.fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|(r,)| r).collect())
    }

    /// What a graph shows of each stored entity of `refs` (those not stored are left
    /// out).
    pub async fn graph_nodes(&self, refs: &[String]) -> Result<Vec<GraphNodeRow>, StoreError> {
        if refs.is_empty() {
            return Ok(Vec::new());
        }
        let field = |key: &str| {
            format!(
                "(SELECT COALESCE(s.original_value, s.value) FROM search s \
                  WHERE s.entity_ref = e.entity_ref AND s.key = '{key}' LIMIT 1)"
            )
        };
        let sql = format!(
            "SELECT e.entity_ref, e.kind, e.name, {} AS title, {} AS lifecycle, \
               (SELECT MIN(r.target_ref) FROM relations r \
                WHERE r.source_ref = e.entity_ref AND r.type = 'ownedBy') AS owner \
             FROM entities e WHERE e.entity_ref IN ({})",
            field("metadata.title"),
            field("spec.lifecycle"),
            params(1, refs.len())
        );
        Ok(on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql);
            for entity_ref in refs {
                query = query.bind(entity_ref);
            }
            query.fetch_all(pool).await?
        }))
    }

    /// The relations of `types` between entities of `refs`, sorted.
    pub async fn relations_among(
        &self,
        refs: &[String],
        types: &[&str],
    ) -> Result<Vec<RelationRow>, StoreError> {
        if refs.is_empty() || types.is_empty() {
            return Ok(Vec::new());
        }
        let nodes = (1..=refs.len())
            .map(|n| format!("(${n})"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "WITH nodes(ref) AS (VALUES {nodes}) \
             SELECT DISTINCT r.source_ref, r.type, r.target_ref FROM relations r \
             WHERE r.source_ref IN (SELECT ref FROM nodes) \
               AND r.target_ref IN (SELECT ref FROM nodes) AND r.type IN ({}) \
             ORDER BY 1, 2, 3",
            params(refs.len() + 1, types.len())
        );
        Ok(on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql);
            for entity_ref in refs {
                query = query.bind(entity_ref);
            }
            for relation in types {
                query = query.bind(*relation);
            }
            query.fetch_all(pool).await?
        }))
    }

    /// Every relation of `steps` reachable from `entity_ref` along relations of
    /// `steps`, and the `ownedBy` relation of each entity reached: one query.
    pub async fn reachable_relations(
        &self,
        entity_ref: &str,
        steps: &[&str],
    ) -> Result<Vec<RelationRow>, StoreError> {
        let steps_in = params(2, steps.len());
        let owned_by = steps.len() + 2;
        let sql = format!(
            "WITH RECURSIVE walk(ref) AS ( \
               SELECT CAST($1 AS TEXT) \
               UNION SELECT r.target_ref FROM walk w JOIN relations r ON r.source_ref = w.ref \
               WHERE r.type IN ({steps_in})) \
             SELECT DISTINCT r.source_ref, r.type, r.target_ref FROM relations r \
             WHERE r.source_ref IN (SELECT ref FROM walk) \
               AND (r.type IN ({steps_in}) OR r.type = ${owned_by}) \
             ORDER BY 1, 2, 3"
        );
        Ok(on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql).bind(entity_ref);
            for step in steps {
                query = query.bind(*step);
            }
            query.bind("ownedBy").fetch_all(pool).await?
        }))
    }
}
