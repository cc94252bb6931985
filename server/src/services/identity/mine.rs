//! The home page's lists of a person's own: the catalog page's "Owned by me" and
//! "Starred" views, cut short, and the tasks they started.

use app::model::{
    catalog::{
        catalog_view::{CatalogView, Show},
        starred::Starred,
    },
    identity::{
        mine::{Mine, SHOWN},
        principal::Principal,
    },
};

use super::Portal;
use crate::store::StoreError;

impl Portal {
    /// What `who` owns and starred (as the catalog page's views find them: only what they
    /// may read) and the tasks they started. The guest owns nothing and started nothing
    /// of their own (every guest is the same guest).
    pub async fn mine(&self, who: &Principal, starred: &Starred) -> Result<Mine, StoreError> {
        let view = |show| CatalogView {
            show,
            ..CatalogView::default()
        };
        let owned = self.catalog_page(who, &view(Show::Owned), starred).await?;
        let stars = self
            .catalog_page(who, &view(Show::Starred), starred)
            .await?;
        let tasks = match who.signed_in() {
            true => {
                let user = who.user.to_string();
                let (tasks, _) = self
                    .task_summaries(who, None, Some(&user), SHOWN as i64, 0)
                    .await?;
                tasks
            }
            false => Vec::new(),
        };
        Ok(Mine {
            owned: owned.rows.into_iter().take(SHOWN).collect(),
            owned_total: owned.total,
            tasks,
            starred: stars.rows.into_iter().take(SHOWN).collect(),
            starred_total: stars.total,
        })
    }
}
