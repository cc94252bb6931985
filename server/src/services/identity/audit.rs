//! The audit log: [`Portal::record`] appends an entry for every write and every refused
//! attempt; admins read it (`audit.read`) a page at a time or all of it for export; and
//! entries older than the retention setting are deleted.

use std::{fmt::Display, time::Duration};

use app::model::{
    catalog::entity_ref::{EntityRef, RefContext},
    identity::{
        action::Action,
        audit::{AuditEntry, AuditPage, AuditQuery, Outcome, PAGE_SIZE},
        policy::{Refusal, Target},
        principal::Principal,
    },
};

use super::Portal;
use crate::{
    services::epoch_ms,
    store::{AuditFilter, AuditRow, StoreError},
};

/// Why the log cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The query is wrong.
    #[error("{0}")]
    Invalid(String),
    /// The person asking may not read it.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn entry(row: AuditRow) -> AuditEntry {
    AuditEntry {
        outcome: Outcome::parse(&row.outcome).unwrap_or(Outcome::Failed),
        id: row.id,
        at: row.at,
        actor: row.actor,
        via: row.via,
        action: row.action,
        target: row.target,
        detail: row.detail,
        origin: row.origin,
    }
}

impl Portal {
    /// Appends what `who` tried (`action` on `target`) and how it ended to the audit log.
    /// A log that cannot be written is reported, and never undoes or fails what was done.
    pub async fn record(
        &self,
        who: &Principal,
        action: &str,
        target: &str,
        outcome: Outcome,
        detail: impl Into<String>,
    ) {
        let row = AuditRow {
            id: 0,
            at: epoch_ms(Duration::ZERO),
            actor: who.user.to_string(),
            via: who.via(),
            action: action.to_owned(),
            target: target.to_owned(),
            outcome: outcome.name().to_owned(),
            detail: detail.into(),
            origin: who.origin.clone().unwrap_or_default(),
        };
        if let Err(error) = self.store.append_audit(&row).await {
            tracing::error!(%error, actor = %row.actor, action, target, "the audit log could not be written");
        }
    }

    /// Records how a write `who` was allowed to do ended, and hands its result back.
    pub(crate) async fn recorded<T, E: Display>(
        &self,
        who: &Principal,
        action: Action,
        target: &str,
        result: Result<T, E>,
    ) -> Result<T, E> {
        let (outcome, detail) = match &result {
            Ok(_) => (Outcome::Done, String::new()),
            Err(error) => (Outcome::Failed, error.to_string()),
        };
        self.record(who, action.name(), target, outcome, detail)
            .await;
        result
    }

    /// A page of the log, newest first, for someone who may read it.
    pub async fn audit_page(
        &self,
        who: &Principal,
        query: &AuditQuery,
    ) -> Result<AuditPage, AuditError> {
        let mut rows = self.audit_entries(who, query, PAGE_SIZE + 1).await?;
        let older = (rows.len() > PAGE_SIZE).then(|| {
            rows.truncate(PAGE_SIZE);
            rows.last().map(|last| last.id)
        });
        Ok(AuditPage {
            entries: rows,
            older: older.flatten(),
        })
    }

    /// Up to `limit` entries `query` selects, newest first, for someone who may read the
    /// log (`audit.read`).
    pub async fn audit_entries(
        &self,
        who: &Principal,
        query: &AuditQuery,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, AuditError> {
        let log = Target {
            label: "the audit log".into(),
            ..Target::default()
        };
        self.authorize(who, Action::AuditRead, &log).await?;
        let actor = query
            .actor
            .as_deref()
            .map(|text| EntityRef::parse(text, RefContext::of_kind("user")))
            .transpose()
            .map_err(|e| AuditError::Invalid(format!("who: {e}")))?;
        let filter = AuditFilter {
            actor: actor.map(|a| a.to_string()),
            action: query.action.clone(),
            outcome: query.outcome.map(|o| o.name().to_owned()),
            target: query.target.clone(),
            since: query.since_ms(),
            until: query.until_ms(),
            before: query.before,
        };
        let rows = self.store.audit_entries(&filter, limit).await?;
        Ok(rows.into_iter().map(entry).collect())
    }

    /// Deletes the entries older than the retention setting (none when it keeps
    /// everything); how many went.
    pub async fn prune_audit(&self) -> Result<u64, StoreError> {
        match self.identity.audit_retention {
            Some(keep) => {
                let since = epoch_ms(Duration::ZERO) - keep.as_millis() as i64;
                self.store.delete_audit_before(since).await
            }
            None => Ok(0),
        }
    }
}
