//! TechDocs' built doc sets: a set's site, pages and assets, replaced whole in one
//! transaction, so a reader never sees half of a build.

use super::{
    catalog::{placeholders, BATCH_ROWS, RAISE_VERSION},
    Store, StoreError,
};

/// A built doc set, ready to be stored.
#[derive(Debug, Default)]
pub struct DocSetRow {
    /// The entity whose docs these are (lower-case ref).
    pub entity_ref: String,
    /// Where the files were read from.
    pub source: String,
    /// The files' fingerprint.
    pub fingerprint: String,
    /// The site (JSON).
    pub site: String,
    /// When it was built (ms since the epoch).
    pub built_at: i64,
    /// The pages.
    pub pages: Vec<DocPageRow>,
    /// The other files: `(path, bytes)`.
    pub assets: Vec<(String, Vec<u8>)>,
    /// What the build found wrong, each as `file:line: message`.
    pub problems: Vec<String>,
}

/// A stored page.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct DocPageRow {
    /// Its URL in the doc set.
    pub url: String,
    /// Its file under `docs_dir`.
    pub source: String,
    /// Its title.
    pub title: String,
    /// Its HTML.
    pub html: String,
    /// Its headings (JSON).
    pub toc: String,
    /// Its text by heading, for search (not read back with the page).
    #[sqlx(skip)]
    pub sections: Vec<DocSectionRow>,
}

/// A page's text under one heading.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct DocSectionRow {
    /// The page's URL.
    pub url: String,
    /// The page's title.
    pub page_title: String,
    /// The heading's id (empty: the text before the first heading).
    pub anchor: String,
    /// The heading's text.
    pub title: String,
    /// The text under it.
    pub text: String,
}

/// Raises the doc sets' version, which the search index follows (as `catalog_version`).
const RAISE_DOCS_VERSION: &str = "UPDATE docs_version SET version = version + 1";

/// At most this many sections answer one search; the service ranks them.
const SECTIONS_SEARCHED: i64 = 200;

/// A stored doc set's summary.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DocSetSummary {
    /// The entity.
    pub entity_ref: String,
    /// Where the files were read from.
    pub source: String,
    /// The files' fingerprint.
    pub fingerprint: String,
    /// The site (JSON).
    pub site: String,
    /// When it was built.
    pub built_at: i64,
}

/// An entity that names docs: its ref, its stored body, its stored build's fingerprint
/// and why its last build failed.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DocumentedEntity {
    /// Its ref.
    pub entity_ref: String,
    /// Its descriptor as JSON.
    pub body: String,
    /// The fingerprint of its stored build, if any.
    pub fingerprint: Option<String>,
    /// Why its last build failed, if it did.
    pub message: Option<String>,
}

impl Store {
    /// Replaces the doc set of `set.entity_ref` with `set`, in one transaction.
    pub async fn save_doc_set(&self, set: &DocSetRow) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for table in ["doc_sets", "doc_failures"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE entity_ref = $1"))
                    .bind(&set.entity_ref)
                    .execute(&mut *tx)
                    .await?;
            }
            // What the build found is part of the entity's `status.items`.
            sqlx::query(RAISE_VERSION).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO doc_sets (entity_ref, source, fingerprint, site, built_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&set.entity_ref)
            .bind(&set.source)
            .bind(&set.fingerprint)
            .bind(&set.site)
            .bind(set.built_at)
            .execute(&mut *tx)
            .await?;
            for page in &set.pages {
                sqlx::query(
                    "INSERT INTO doc_pages (entity_ref, url, source, title, html, toc) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&set.entity_ref)
                .bind(&page.url)
                .bind(&page.source)
                .bind(&page.title)
                .bind(&page.html)
                .bind(&page.toc)
                .execute(&mut *tx)
                .await?;
            }
            let sections = set.pages.iter().flat_map(|page| &page.sections);
            for (position, section) in sections.enumerate() {
                sqlx::query(
                    "INSERT INTO doc_sections \
                     (entity_ref, position, url, page_title, anchor, title, text, haystack) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&set.entity_ref)
                .bind(position as i64)
                .bind(&section.url)
                .bind(&section.page_title)
                .bind(&section.anchor)
                .bind(&section.title)
                .bind(&section.text)
                .bind(format!("{}\n{}", section.title, section.text).to_lowercase())
                .execute(&mut *tx)
                .await?;
            }
            for (position, message) in set.problems.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO doc_problems (entity_ref, position, message) VALUES ($1, $2, $3)",
                )
                .bind(&set.entity_ref)
                .bind(position as i64)
                .bind(message)
                .execute(&mut *tx)
                .await?;
            }
            for (path, bytes) in &set.assets {
                sqlx::query("INSERT INTO doc_assets (entity_ref, path, bytes) VALUES ($1, $2, $3)")
                    .bind(&set.entity_ref)
                    .bind(path)
                    .bind(bytes)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(RAISE_DOCS_VERSION).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The stored doc set of `entity_ref`, without its pages.
    pub async fn doc_set(&self, entity_ref: &str) -> Result<Option<DocSetSummary>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT entity_ref, source, fingerprint, site, built_at FROM doc_sets WHERE entity_ref = $1",
            )
            .bind(entity_ref)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Every stored doc set, by entity ref.
    pub async fn doc_sets(&self) -> Result<Vec<DocSetSummary>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT entity_ref, source, fingerprint, site, built_at FROM doc_sets ORDER BY entity_ref",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// The page at `url` of `entity_ref`'s doc set.
    pub async fn doc_page(
        &self,
        entity_ref: &str,
        url: &str,
    ) -> Result<Option<DocPageRow>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT url, source, title, html, toc FROM doc_pages \
                 WHERE entity_ref = $1 AND url = $2",
            )
            .bind(entity_ref)
            .bind(url)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The file at `path` of `entity_ref`'s doc set.
    pub async fn doc_asset(
        &self,
        entity_ref: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(Vec<u8>,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT bytes FROM doc_assets WHERE entity_ref = $1 AND path = $2")
                .bind(entity_ref)
                .bind(path)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(bytes,)| bytes))
    }

    /// The sections of `entity_ref`'s doc set holding every one of `terms` (lower case),
    /// in reading order; at most [`SECTIONS_SEARCHED`].
    pub async fn search_doc_sections(
        &self,
        entity_ref: &str,
        terms: &[String],
    ) -> Result<Vec<DocSectionRow>, StoreError> {
        let mut sql = String::from(
            "SELECT url, page_title, anchor, title, text FROM doc_sections WHERE entity_ref = $1",
        );
        for n in 0..terms.len() {
            sql.push_str(&format!(" AND haystack LIKE ${} ESCAPE '\\'", n + 2));
        }
        sql.push_str(&format!(" ORDER BY position LIMIT {SECTIONS_SEARCHED}"));
        let patterns: Vec<String> = terms
            .iter()
            .map(|term| {
                let escaped = term
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%{escaped}%")
            })
            .collect();
        Ok(on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql).bind(entity_ref);
            for pattern in &patterns {
                query = query.bind(pattern);
            }
            query.fetch_all(pool).await?
        }))
    }

    /// Records why each entity's docs could not be built (`Some`: its last good build
    /// stays) or forgets it (`None`: they are fine again), in one transaction.
    pub async fn set_doc_failures(
        &self,
        failures: &[(String, Option<String>)],
    ) -> Result<(), StoreError> {
        if failures.is_empty() {
            return Ok(());
        }
        // A failure is part of the entity's `status.items`: a change raises the version.
        // Written in batches: a refresh can record 500,000 at once.
        let failed: Vec<(&str, &str)> = failures
            .iter()
            .filter_map(|(entity_ref, message)| Some((entity_ref.as_str(), message.as_deref()?)))
            .collect();
        let built: Vec<&str> = failures
            .iter()
            .filter(|(_, message)| message.is_none())
            .map(|(entity_ref, _)| entity_ref.as_str())
            .collect();
        let style = self.params();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut changed = 0;
            for chunk in failed.chunks(BATCH_ROWS) {
                let sql = format!(
                    "INSERT INTO doc_failures (entity_ref, message) VALUES {} \
                     ON CONFLICT (entity_ref) DO UPDATE SET message = excluded.message \
                     WHERE doc_failures.message <> excluded.message",
                    placeholders(style, chunk.len(), 2)
                );
                let mut upsert = sqlx::query(&sql).persistent(false);
                for (entity_ref, message) in chunk {
                    upsert = upsert.bind(*entity_ref).bind(*message);
                }
                changed += upsert.execute(&mut *tx).await?.rows_affected();
            }
            changed += delete_rows!(tx, style, ["doc_failures WHERE entity_ref"], built);
            if changed > 0 {
                sqlx::query(RAISE_VERSION).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Why `entity_ref`'s docs could not be built, if the last check failed.
    pub async fn doc_failure(&self, entity_ref: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT message FROM doc_failures WHERE entity_ref = $1")
                .bind(entity_ref)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(message,)| message))
    }

    /// Removes the doc set of `entity_ref`.
    pub async fn delete_doc_set(&self, entity_ref: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for table in ["doc_sets", "doc_failures"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE entity_ref = $1"))
                    .bind(entity_ref)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(RAISE_DOCS_VERSION).execute(&mut *tx).await?;
            sqlx::query(RAISE_VERSION).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The entities of location `location_id` that name docs
    /// (`backstage.io/techdocs-ref`), each with its stored build's fingerprint and why
    /// its last build failed: at most `limit` of them, in ref order after `after` (a
    /// refresh checks every one of them, a page at a time: at a million entities, the
    /// bodies of all would be half a gigabyte). The stored build and failure are looked
    /// up per entity: PostgreSQL merged a join with all failures from the first one on,
    /// for every page (39 s of a million entities' refresh, 10 s this way).
    pub async fn documented_entities(
        &self,
        location_id: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<DocumentedEntity>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT e.entity_ref, e.body, \
                 (SELECT d.fingerprint FROM doc_sets d WHERE d.entity_ref = e.entity_ref) AS fingerprint, \
                 (SELECT f.message FROM doc_failures f WHERE f.entity_ref = e.entity_ref) AS message \
                 FROM entities e WHERE e.location_id = $1 AND e.entity_ref > $2 AND EXISTS \
                 (SELECT 1 FROM search s WHERE s.entity_ref = e.entity_ref \
                  AND s.key = 'metadata.annotations.backstage.io/techdocs-ref') \
                 ORDER BY e.entity_ref LIMIT $3",
            )
            .bind(location_id)
            .bind(after)
            .bind(limit as i64)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Doc sets whose entity is no longer in the catalog: their refs.
    pub async fn orphaned_doc_sets(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT d.entity_ref FROM doc_sets d WHERE NOT EXISTS \
                 (SELECT 1 FROM entities e WHERE e.entity_ref = d.entity_ref) \
                 UNION SELECT f.entity_ref FROM doc_failures f WHERE NOT EXISTS \
                 (SELECT 1 FROM entities e WHERE e.entity_ref = f.entity_ref)",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(r,)| r).collect())
    }
}
