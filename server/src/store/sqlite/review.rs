//! Review flags with their resolutions (statements in `store/sql/review.rs`).

use knd_shared::{AgencyId, RecordId};
use rusqlite::{Connection, Transaction, params};
use time::OffsetDateTime;

use super::SqliteStore;
use super::cols::{execute, query_all, query_opt};
use super::{insert_audit, ts};
use crate::model::{AuditEntry, ReviewItem, ReviewState};
use crate::store::sql::review as sql;
use crate::store::{NewResolution, ReviewStore, StoreError, StoreResult};

fn items(
    c: &Connection,
    agency: AgencyId,
    state: ReviewState,
    after: Option<(RecordId, String)>,
    limit: u32,
) -> StoreResult<Vec<ReviewItem>> {
    let (record, reason) =
        after.map_or((String::new(), String::new()), |(r, s)| (r.to_string(), s));
    query_all(
        c,
        &sql::ITEMS,
        params![agency.to_string(), record, reason, state.as_str(), limit],
        |r| sql::item(r),
    )
}

fn resolve(
    tx: &Transaction<'_>,
    agency: AgencyId,
    n: &NewResolution,
    audit: &AuditEntry,
) -> StoreResult<bool> {
    let changed = execute(
        tx,
        &sql::RESOLVE,
        params![
            n.record.to_string(),
            n.reason,
            agency.to_string(),
            n.decision.as_str(),
            n.note,
            n.by.to_string(),
            ts(OffsetDateTime::now_utc())
        ],
    )?;
    if changed > 0 {
        insert_audit(tx, audit)?;
        if n.releases_document() {
            execute(
                tx,
                &crate::store::sql::filings::RELEASED_DOCUMENT_EVENT,
                params![n.record.to_string(), ts(OffsetDateTime::now_utc())],
            )?;
        }
    }
    Ok(changed > 0)
}

#[async_trait::async_trait]
impl ReviewStore for SqliteStore {
    async fn review_items(
        &self,
        agency: AgencyId,
        state: ReviewState,
        after: Option<(RecordId, String)>,
        limit: u32,
    ) -> StoreResult<Vec<ReviewItem>> {
        self.read(move |c| items(c, agency, state, after, limit))
            .await
    }

    async fn review_item(
        &self,
        agency: AgencyId,
        record: RecordId,
        reason: &str,
    ) -> StoreResult<Option<ReviewItem>> {
        let reason = reason.to_owned();
        self.read(move |c| {
            query_opt(
                c,
                &sql::ITEM,
                params![agency.to_string(), record.to_string(), reason],
                |r| sql::item(r),
            )
        })
        .await
    }

    async fn waiting_flags(&self, agency: AgencyId, cap: u32) -> StoreResult<u64> {
        self.read(move |c| {
            let n: i64 = query_opt(c, &sql::WAITING, params![agency.to_string(), cap], |r| {
                r.get(0).map_err(super::db_err)
            })?
            .unwrap_or(0);
            u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("count {n}")))
        })
        .await
    }

    async fn resolve_flag(
        &self,
        agency: AgencyId,
        resolution: &NewResolution,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        let (n, audit) = (resolution.clone(), audit.clone());
        self.transact(move |tx| resolve(tx, agency, &n, &audit))
            .await
    }
}
