//! What controlled persons file (objections to warnings, pre-trial appeals) and the steps taken
//! on them, as the store keeps them. The legal rules are in `knd_shared::filings`; a filing's
//! state is its body replayed through its steps, `status` and `due_on` are kept beside for lists.

use knd_shared::{AgencyId, InspectionId, RecordId, Sha256, UserId};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::store::{Candidate, Rejection, ServerRecord};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilingKind {
    /// An objection to a warning (ст.49).
    Objection,
    /// A pre-trial appeal (гл.9).
    Appeal,
    /// A self-assessment (ст.51).
    SelfAssessment,
    /// A declaration of compliance (ст.51).
    Declaration,
}

impl FilingKind {
    pub const ALL: [FilingKind; 4] = [
        FilingKind::Appeal,
        FilingKind::Objection,
        FilingKind::Declaration,
        FilingKind::SelfAssessment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FilingKind::Objection => "objection",
            FilingKind::Appeal => "appeal",
            FilingKind::SelfAssessment => "self_assessment",
            FilingKind::Declaration => "declaration",
        }
    }

    pub fn parse(s: &str) -> Option<FilingKind> {
        FilingKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A filing as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Filing {
    /// A UUIDv7: ids grow with time, so lists by id are lists by filing time.
    pub id: Uuid,
    pub agency: AgencyId,
    pub subject_inn: String,
    /// The API key it was filed with.
    pub api_key: Uuid,
    pub kind: FilingKind,
    /// The warning, act or order it concerns.
    pub target_record: Option<RecordId>,
    /// The inspection whose decision or officials' actions are appealed.
    pub target_inspection: Option<InspectionId>,
    /// The earlier appeal whose decision is appealed.
    pub target_filing: Option<Uuid>,
    /// The filing as received (its canonical JSON hashes to `content_sha256`).
    pub body: serde_json::Value,
    pub content_sha256: Sha256,
    /// The server's `filing_received` record.
    pub record: RecordId,
    pub received_at: OffsetDateTime,
    /// The agency's local date of receipt: periods count from it.
    pub received_on: Date,
    pub status: String,
    /// The first day something is owed by the agency; `None` when nothing is.
    pub due_on: Option<Date>,
    /// How many steps it has had (the optimistic version of a step).
    pub steps: u32,
    pub updated_at: OffsetDateTime,
}

/// One step taken on a filing, by a user of the agency or (`by` `None`) by the filer.
#[derive(Debug, Clone, PartialEq)]
pub struct FilingStep {
    pub filing: Uuid,
    /// 1, 2, ...
    pub seq: u32,
    /// The step as JSON (`knd_shared::filings::appeal::Step`, or an objection's decision).
    pub step: serde_json::Value,
    pub by: Option<UserId>,
    pub by_login: Option<String>,
    pub at: OffsetDateTime,
    /// The server's record of it.
    pub record: RecordId,
}

/// A business's `Idempotency-Key` with the hash of the request that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    pub key: String,
    pub request: Sha256,
}

/// What a new filing writes in one transaction: the server's record of it (whose id the store
/// puts in `filing.record`), the filing, its event and its idempotency key.
#[derive(Debug, Clone)]
pub struct NewFiling {
    pub filing: Filing,
    pub record: FilingRecord,
    pub idempotency: Option<Idempotency>,
    /// The business event's data.
    pub event: serde_json::Value,
    /// The files it carries (each uploaded by the business): the agency may then read them.
    pub attachments: Vec<Sha256>,
    /// What the risk model learns from it (a self-assessment's result).
    pub risk: Option<RiskNote>,
}

/// What a step writes in one transaction, if the filing still has `expected_steps` steps.
#[derive(Debug, Clone)]
pub struct NewStep {
    pub filing: Uuid,
    pub expected_steps: u32,
    pub step: serde_json::Value,
    pub by: Option<UserId>,
    pub at: OffsetDateTime,
    pub record: FilingRecord,
    /// The filing's status and first due day after the step.
    pub status: String,
    pub due_on: Option<Date>,
    pub idempotency: Option<Idempotency>,
    pub event: serde_json::Value,
    pub audit: Option<super::AuditEntry>,
    /// The files a filer's step carries, as for a filing.
    pub attachments: Vec<Sha256>,
    /// What the risk model learns from it (a declaration registered or annulled).
    pub risk: Option<RiskNote>,
    /// Steps on other filings taken in the same transaction (the declarations a registration
    /// replaces): if any of them finds its filing changed, nothing is stored.
    pub then: Vec<NewStep>,
}

/// A risk event (ст.23: the subject's conscientiousness) a filing or step writes, in its
/// transaction, for each of the business's objects of a control type in the agency: a
/// declaration in force (`declaration`, its last day as `due_on`), its annulment or replacement
/// (its event cut short), a self-assessment's result (`self_assessment`, `passed`).
#[derive(Debug, Clone, PartialEq)]
pub struct RiskNote {
    /// The control type's code.
    pub control_type: String,
    pub kind: &'static str,
    /// Names the filing: the same note twice adds nothing.
    pub source: String,
    pub change: RiskChange,
}

/// What a [`RiskNote`] does to the objects' events of its kind and source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskChange {
    /// A new event.
    Add {
        occurred_on: Date,
        due_on: Option<Date>,
        passed: Option<bool>,
    },
    /// The existing event ends on this day (a declaration annulled or replaced stops counting
    /// from the next).
    EndOn(Date),
}

impl RiskNote {
    /// The events an `Add` writes, one per object (none for an `EndOn`).
    pub fn events(
        &self,
        agency: AgencyId,
        objects: &[knd_shared::ObjectId],
        at: OffsetDateTime,
    ) -> Vec<super::planning::RiskEvent> {
        let RiskChange::Add {
            occurred_on,
            due_on,
            passed,
        } = self.change
        else {
            return Vec::new();
        };
        objects
            .iter()
            .map(|o| super::planning::RiskEvent {
                id: Uuid::now_v7(),
                agency,
                object: *o,
                kind: self.kind.into(),
                occurred_on,
                due_on,
                passed,
                source: self.source.clone(),
                note: String::new(),
                recorded_at: at,
            })
            .collect()
    }
}

/// What storing a filing or a step did.
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    /// Stored now: the filing as it is after.
    Done(Filing),
    /// The idempotency key was used before: by the same request (`same`), which created
    /// `filing` (and its step `step`).
    Replayed {
        filing: Filing,
        step: Option<u32>,
        same: bool,
    },
    /// Another step was taken meanwhile.
    Stale,
    /// The record the business signed does not fit its key's chain (or the key was revoked):
    /// nothing was stored.
    Refused(Rejection),
}

/// The record of a filing or a step: the server's (of the agency's decision, or attesting the
/// content's hash of what the business filed), or the one the business signed with its filing
/// key, stored in its own chain in the filing's transaction.
#[derive(Debug, Clone)]
pub enum FilingRecord {
    Server(ServerRecord),
    Signed(Box<Candidate>),
}

impl From<ServerRecord> for FilingRecord {
    fn from(r: ServerRecord) -> Self {
        Self::Server(r)
    }
}

/// One event of a business's feed.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessEvent {
    pub id: i64,
    pub kind: String,
    pub filing: Option<Uuid>,
    pub record: Option<RecordId>,
    pub at: OffsetDateTime,
    pub data: serde_json::Value,
}
