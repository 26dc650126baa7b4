//! Review flags with their resolutions (statements in `store/sql/review.rs`).

use knd_shared::{AgencyId, RecordId};
use time::OffsetDateTime;

use super::PgStore;
use super::cols::{execute, query_all, query_opt};
use super::insert_audit;
use crate::model::{AuditEntry, ReviewItem, ReviewState};
use crate::store::sql::review as sql;
use crate::store::{NewResolution, ReviewStore, StoreError, StoreResult};

#[async_trait::async_trait]
impl ReviewStore for PgStore {
    async fn review_items(
        &self,
        agency: AgencyId,
        state: ReviewState,
        after: Option<(RecordId, String)>,
        limit: u32,
    ) -> StoreResult<Vec<ReviewItem>> {
        let (record, reason) = match after {
            Some((r, s)) => (Some(r.as_uuid()), s),
            None => (None, String::new()),
        };
        query_all(
            &**self.client().await?,
            &sql::ITEMS,
            &[
                &agency.as_uuid(),
                &record,
                &reason,
                &state.as_str(),
                &i64::from(limit),
            ],
            sql::item,
        )
        .await
    }

    async fn review_item(
        &self,
        agency: AgencyId,
        record: RecordId,
        reason: &str,
    ) -> StoreResult<Option<ReviewItem>> {
        query_opt(
            &**self.client().await?,
            &sql::ITEM,
            &[&agency.as_uuid(), &record.as_uuid(), &reason],
            sql::item,
        )
        .await
    }

    async fn waiting_flags(&self, agency: AgencyId, cap: u32) -> StoreResult<u64> {
        let n: i64 = query_opt(
            &**self.client().await?,
            &sql::WAITING,
            &[&agency.as_uuid(), &i64::from(cap)],
            |r| Ok(r.get(0)),
        )
        .await?
        .unwrap_or(0);
        u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("count {n}")))
    }

    async fn resolve_flag(
        &self,
        agency: AgencyId,
        n: &NewResolution,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        transact!(self, |tx| {
            let changed = execute(
                &*tx,
                &sql::RESOLVE,
                &[
                    &n.record.as_uuid(),
                    &n.reason,
                    &agency.as_uuid(),
                    &n.decision.as_str(),
                    &n.note,
                    &n.by.as_uuid(),
                    &OffsetDateTime::now_utc(),
                ],
            )
            .await?;
            if changed > 0 {
                insert_audit(&tx, audit).await?;
                if n.releases_document() {
                    // Business events are numbered in commit order (see `postgres/filings.rs`).
                    tx.execute("SELECT size FROM log_state WHERE id = 1 FOR UPDATE", &[])
                        .await
                        .map_err(super::db_err)?;
                    execute(
                        &*tx,
                        &crate::store::sql::filings::RELEASED_DOCUMENT_EVENT,
                        &[&n.record.as_uuid(), &OffsetDateTime::now_utc()],
                    )
                    .await?;
                }
            }
            changed > 0
        })
    }
}
