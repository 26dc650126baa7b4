//! The answers about filings (objections, appeals): one filing in full with its receipt, steps
//! and what the agency owes by when; a list row; a business event.

use knd_shared::RecordId;
use knd_shared::calendar::iso_date;
use serde::Serialize;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::filings::{BusinessEvent, Filing, FilingStep};
use crate::services::appeals;
use crate::services::filings::{FilingState, Owed};

/// Where the server's record of a filing or step stands in the transparency log: with the
/// record's bundle (`/api/v1/records/{record}/bundle`) it proves what was filed and when.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ReceiptView {
    #[schema(value_type = String)]
    record: RecordId,
    /// The record's leaf index in the log.
    log_index: Option<u64>,
    /// Who signed the record: `filer` (the business, with its filing key) or `server` (its
    /// record attesting the content's hash).
    signed_by: &'static str,
    /// When the server registered the filing.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    received_at: OffsetDateTime,
    /// SHA-256 of the filing's content as RFC 8785 canonical JSON, as the record attests.
    content_sha256: String,
    bundle: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct OwedView {
    /// `registration`, `suspension_decision`, `decision`.
    what: &'static str,
    name_ru: &'static str,
    name_en: &'static str,
    #[schema(value_type = String, format = Date)]
    due: String,
    /// The day has passed.
    overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct StepView {
    seq: u32,
    /// The step as stored: its name (`step`), its date (`on`) and its own fields.
    #[schema(value_type = Object)]
    step: serde_json::Value,
    /// Who took it: a user's login, or absent for the filer.
    by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    at: OffsetDateTime,
    #[schema(value_type = String)]
    record: RecordId,
}

impl From<FilingStep> for StepView {
    fn from(s: FilingStep) -> Self {
        Self {
            seq: s.seq,
            step: s.step,
            by: s.by.map(|_| s.by_login.unwrap_or_default()),
            at: s.at,
            record: s.record,
        }
    }
}

/// A filing in full.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FilingView {
    id: Uuid,
    /// `objection` or `appeal`.
    kind: &'static str,
    /// The status's wire name, e.g. `registered`.
    status: String,
    status_ru: &'static str,
    status_en: &'static str,
    subject_inn: String,
    #[schema(value_type = String, format = Date)]
    received_on: String,
    /// The last day it could be filed.
    #[schema(value_type = String, format = Date)]
    filing_due: String,
    /// Filed after that day, with a request to restore the period.
    late: bool,
    /// The filing as registered (the content the receipt's hash covers).
    #[schema(value_type = Object)]
    content: serde_json::Value,
    receipt: ReceiptView,
    /// What the agency owes next, soonest first.
    owed: Vec<OwedView>,
    steps: Vec<StepView>,
}

impl FilingView {
    pub(super) fn of(
        s: FilingState,
        (log_index, by_filer): (Option<u64>, bool),
        today: Date,
    ) -> Self {
        let f = s.filing;
        Self {
            id: f.id,
            kind: f.kind.as_str(),
            status: f.status,
            status_ru: s.status_ru,
            status_en: s.status_en,
            subject_inn: f.subject_inn,
            received_on: iso_date::format(f.received_on),
            filing_due: iso_date::format(s.filing_due),
            late: s.late,
            content: f.body,
            receipt: ReceiptView {
                record: f.record,
                log_index,
                signed_by: if by_filer { "filer" } else { "server" },
                received_at: f.received_at,
                content_sha256: f.content_sha256.to_hex(),
                bundle: format!("/api/v1/records/{}/bundle", f.record),
            },
            owed: s.owed.into_iter().map(|o| owed(o, today)).collect(),
            steps: s.steps.into_iter().map(Into::into).collect(),
        }
    }
}

fn owed(o: Owed, today: Date) -> OwedView {
    OwedView {
        what: o.what,
        name_ru: o.name_ru,
        name_en: o.name_en,
        due: iso_date::format(o.due),
        overdue: o.due < today,
    }
}

/// A filing in a list: no replay, the stored status and first due day.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FilingRow {
    id: Uuid,
    kind: &'static str,
    status: String,
    status_ru: &'static str,
    status_en: &'static str,
    subject_inn: String,
    #[schema(value_type = String, format = Date)]
    received_on: String,
    /// The first day something is owed; absent when nothing is.
    #[schema(value_type = Option<String>, format = Date)]
    due_on: Option<String>,
    overdue: bool,
}

impl FilingRow {
    pub(super) fn of(f: Filing, today: Date) -> Self {
        let (status_ru, status_en) = match f.kind {
            crate::model::filings::FilingKind::Appeal => appeals::status_names(&f.status),
            crate::model::filings::FilingKind::Objection => {
                crate::services::objections::status_names_of(&f.status)
            }
            crate::model::filings::FilingKind::Declaration
            | crate::model::filings::FilingKind::SelfAssessment => {
                crate::services::declarations::status_names(&f.status)
            }
        };
        Self {
            id: f.id,
            kind: f.kind.as_str(),
            overdue: f.due_on.is_some_and(|d| d < today),
            due_on: f.due_on.map(iso_date::format),
            status: f.status,
            status_ru,
            status_en,
            subject_inn: f.subject_inn,
            received_on: iso_date::format(f.received_on),
        }
    }
}

/// One event of the business's feed.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct EventView {
    /// The cursor after this event.
    cursor: String,
    /// `filing.received` or `filing.updated`.
    kind: String,
    filing: Option<Uuid>,
    /// The server's record of the change.
    #[schema(value_type = Option<String>)]
    record: Option<RecordId>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    at: OffsetDateTime,
    /// The filing's kind and status after the change, and the step's name.
    #[schema(value_type = Object)]
    data: serde_json::Value,
}

impl From<BusinessEvent> for EventView {
    fn from(e: BusinessEvent) -> Self {
        Self {
            cursor: e.id.to_string(),
            kind: e.kind,
            filing: e.filing,
            record: e.record,
            at: e.at,
            data: e.data,
        }
    }
}
