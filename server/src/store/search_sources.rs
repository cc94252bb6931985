//! What the search index is made from, read so that it can follow every change: the
//! catalog's and doc sets' versions (raised by every write, by any replica), every
//! entity's etag and every doc set's build time (to tell what changed since the index
//! last looked), and a doc set's sections.

use super::{DocSectionRow, Store, StoreError};

impl Store {
    /// The catalog's version and the doc sets' version.
    pub async fn search_versions(&self) -> Result<(i64, i64), StoreError> {
        const SQL: &str = "SELECT (SELECT version FROM catalog_version), \
                           (SELECT version FROM docs_version)";
        Ok(on_pool!(self, pool => sqlx::query_as(SQL).fetch_one(pool).await?))
    }

    /// Every entity's ref with its etag, which changes whenever the entity does.
    pub async fn entity_etags(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.json_pairs("entities", "entity_ref", "etag").await
    }

    /// Every doc set's entity with when it was built (a new build, a new time).
    pub async fn doc_set_builds(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.json_pairs("doc_sets", "entity_ref", "built_at").await
    }

    /// Two columns of every row of `table`, as one row of JSON (sqlx hands SQLite's rows
    /// over one by one, about 5 µs each: a third of a second at 100,000 entities).
    async fn json_pairs<T: serde::de::DeserializeOwned>(
        &self,
        table: &str,
        key: &str,
        value: &str,
    ) -> Result<Vec<(String, T)>, StoreError> {
        let pairs = self.json_rows(&[key, value]);
        let sql = format!("SELECT {pairs} FROM {table}");
        self.fetch_json_rows(&sql, &[], &format!("reading {table} for search"))
            .await
    }

    /// Every section of `entity_ref`'s doc set, in reading order.
    pub async fn doc_set_sections(
        &self,
        entity_ref: &str,
    ) -> Result<Vec<DocSectionRow>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT url, page_title, anchor, title, text FROM doc_sections \
                 WHERE entity_ref = $1 ORDER BY position",
            )
            .bind(entity_ref)
            .fetch_all(pool)
            .await?
        }))
    }
}
