//! Filings of controlled persons and the steps on them, with the business event feed and
//! idempotency keys (statements in `sql/filings.rs`).

use async_trait::async_trait;
use knd_shared::{AgencyId, RecordId, UserId};
use time::Date;
use uuid::Uuid;

use super::{ServerChain, StoreResult};
use crate::model::filings::{
    BusinessEvent, Filing, FilingKind, FilingStep, Idempotency, NewFiling, NewStep, Stored,
};

/// Which of an agency's filings a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilingList {
    /// Something is owed: by the first due day, then id; after (due day, id).
    Open { after: Option<(Date, Uuid)> },
    /// In one status, newest first; before the id.
    Status {
        status: String,
        before: Option<Uuid>,
    },
}

/// Where a filing's or step's record went (both backends decide it in the transaction).
pub(super) enum Recorded {
    Now(RecordId),
    /// The business's signed record was stored before: a replay of what it created.
    Before(Box<Filing>),
    Refused(super::Rejection),
}

impl Recorded {
    /// The new record's id, or what the filing or step answers with nothing stored.
    pub(super) fn id(self) -> Result<RecordId, Box<Stored>> {
        match self {
            Recorded::Now(id) => Ok(id),
            Recorded::Before(filing) => Err(Box::new(Stored::Replayed {
                filing: *filing,
                step: None,
                same: true,
            })),
            Recorded::Refused(r) => Err(Box::new(Stored::Refused(r))),
        }
    }
}

#[async_trait]
pub trait FilingStore: Send + Sync {
    /// Stores a filing with the server's record of it and its event, in one transaction; a used
    /// idempotency key stores nothing and names what it created.
    async fn add_filing(&self, new: &NewFiling, server: &ServerChain) -> StoreResult<Stored>;

    /// Stores a step with the server's record of it, the filing's new status and its event (and
    /// the audit entry), if the filing has had exactly `expected_steps` steps; else `Stale`.
    async fn add_filing_step(&self, new: &NewStep, server: &ServerChain) -> StoreResult<Stored>;

    /// What an idempotency key of an API key created, if it was used.
    async fn idempotent(&self, api_key: Uuid, key: &Idempotency) -> StoreResult<Option<Stored>>;

    async fn filing(&self, id: Uuid) -> StoreResult<Option<Filing>>;

    /// The filing a record is of: its own record, or a step's.
    async fn filing_of_record(&self, record: RecordId) -> StoreResult<Option<Filing>>;

    async fn filing_steps(&self, id: Uuid) -> StoreResult<Vec<FilingStep>>;

    /// A subject's filings, newest first, before the id.
    async fn subject_filings(
        &self,
        inn: &str,
        before: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Filing>>;

    /// An agency's filings of a kind.
    async fn agency_filings(
        &self,
        agency: AgencyId,
        kind: FilingKind,
        list: &FilingList,
        limit: u32,
    ) -> StoreResult<Vec<Filing>>;

    /// How many of an agency's filings are owed something by `day` or earlier, counting at most
    /// `cap`.
    async fn filings_due_by(&self, agency: AgencyId, day: Date, cap: u32) -> StoreResult<u64>;

    /// The subject a record of a filing or of a step on one concerns.
    async fn filing_record_subject(&self, record: RecordId) -> StoreResult<Option<String>>;

    /// A subject's events after `after`, oldest first.
    async fn business_events(
        &self,
        inn: &str,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<BusinessEvent>>;

    /// The objections to a warning, newest first.
    async fn objections_to(&self, warning: RecordId) -> StoreResult<Vec<Filing>>;

    /// The objections to the warnings signed by `user`'s devices, newest first, at most `limit`.
    async fn objections_to_warnings_of(&self, user: UserId, limit: u32)
    -> StoreResult<Vec<Filing>>;
}
