//! Review flags with the resolutions people made of them.

use async_trait::async_trait;
use knd_shared::{AgencyId, RecordId};

use super::StoreResult;
use crate::model::{AuditEntry, Decision, ReviewItem, ReviewState};

/// A resolution to store.
#[derive(Debug, Clone)]
pub struct NewResolution {
    pub record: RecordId,
    pub reason: String,
    pub decision: Decision,
    pub note: Option<String>,
    pub by: knd_shared::UserId,
}

impl NewResolution {
    /// Whether it releases a held document to its addressee, who then hears of it.
    pub fn releases_document(&self) -> bool {
        self.reason == "document_unknown_subject" && self.decision == Decision::Accepted
    }
}

/// Review flags with the resolutions people made of them.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// The agency's flags in `state`, by (record, reason) after `after`.
    async fn review_items(
        &self,
        agency: AgencyId,
        state: ReviewState,
        after: Option<(RecordId, String)>,
        limit: u32,
    ) -> StoreResult<Vec<ReviewItem>>;

    /// One flag of the agency with its resolution.
    async fn review_item(
        &self,
        agency: AgencyId,
        record: RecordId,
        reason: &str,
    ) -> StoreResult<Option<ReviewItem>>;

    /// How many of the agency's flags wait for a resolution, counting at most `cap`.
    async fn waiting_flags(&self, agency: AgencyId, cap: u32) -> StoreResult<u64>;

    /// Stores the resolution with its audit entry in one transaction; false (and nothing
    /// written) when the agency has no such flag or it is resolved already.
    async fn resolve_flag(
        &self,
        agency: AgencyId,
        resolution: &NewResolution,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;
}
