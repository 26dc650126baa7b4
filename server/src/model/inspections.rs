//! Inspections (КНМ, контрольные (надзорные) мероприятия) and what pull sends to devices.

use knd_shared::registry::SizeClass;
use knd_shared::{AgencyId, Ground, InspectionId, InspectionKind, UserId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// The prosecutor's agreement to an unplanned measure (Приказ Генпрокуратуры № 294 of
/// 02.06.2021): the decision's reference and date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProsecutorAgreement {
    /// The decision's number or reference, e.g. `№ 7-12-2026 прокуратуры Ярославской области`.
    pub reference: String,
    #[serde(with = "knd_shared::calendar::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub date: Date,
}

/// Where an inspection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionStatus {
    /// Being prepared by the planner; devices do not see it.
    Draft,
    /// Decided and assigned; devices of the assigned inspectors get it.
    Scheduled,
    /// The inspector has started it.
    InProgress,
    /// Field work done; the act is drawn up.
    Completed,
    /// Reviewed and closed; nothing more is expected from the field.
    Closed,
    Cancelled,
}

impl InspectionStatus {
    pub const ALL: [InspectionStatus; 6] = [
        InspectionStatus::Draft,
        InspectionStatus::Scheduled,
        InspectionStatus::InProgress,
        InspectionStatus::Completed,
        InspectionStatus::Closed,
        InspectionStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InspectionStatus::Draft => "draft",
            InspectionStatus::Scheduled => "scheduled",
            InspectionStatus::InProgress => "in_progress",
            InspectionStatus::Completed => "completed",
            InspectionStatus::Closed => "closed",
            InspectionStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The status's name in Russian (for refusals; the console has both languages).
    pub fn name_ru(self) -> &'static str {
        match self {
            InspectionStatus::Draft => "черновик",
            InspectionStatus::Scheduled => "запланировано",
            InspectionStatus::InProgress => "проводится",
            InspectionStatus::Completed => "завершено",
            InspectionStatus::Closed => "закрыто",
            InspectionStatus::Cancelled => "отменено",
        }
    }

    /// The transitions the status machine allows: draft → scheduled → in progress → completed →
    /// closed, and cancelled from any state before closed.
    pub fn may_become(self, next: InspectionStatus) -> bool {
        use InspectionStatus::*;
        matches!(
            (self, next),
            (Draft, Scheduled)
                | (Scheduled, InProgress)
                | (InProgress, Completed)
                | (Completed, Closed)
                | (Draft | Scheduled | InProgress | Completed, Cancelled)
        )
    }

    /// Whether assigned inspectors' devices carry it offline.
    pub fn is_on_devices(self) -> bool {
        matches!(
            self,
            InspectionStatus::Scheduled
                | InspectionStatus::InProgress
                | InspectionStatus::Completed
        )
    }
}

/// An inspection as stored, with the codes and keys of what it references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub id: InspectionId,
    pub agency: AgencyId,
    pub kind: InspectionKind,
    /// Its ground (ч.1 ст.57); only `plan` is planned.
    pub ground: Ground,
    pub prosecutor_agreement: Option<ProsecutorAgreement>,
    /// The registration number in ЕРКНМ (ПП 604): required before the inspection starts.
    pub erknm: Option<String>,
    pub status: InspectionStatus,
    pub subject_id: uuid::Uuid,
    pub subject_inn: String,
    /// The subject's size class when the inspection was created (it bounds interaction time).
    pub subject_size: Option<SizeClass>,
    /// Further controlled persons of a raid (id, INN), in INN order.
    pub other_subjects: Vec<(uuid::Uuid, String)>,
    pub control_type_id: uuid::Uuid,
    pub control_type_code: String,
    pub checklist_id: Option<uuid::Uuid>,
    pub checklist_code: Option<String>,
    /// Object ids with their keys, in key order.
    pub objects: Vec<(uuid::Uuid, String)>,
    pub starts_on: Date,
    pub ends_on: Date,
    /// Currently assigned inspectors.
    pub inspectors: Vec<UserId>,
    pub note: String,
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Inspection {
    /// `planned` or `unplanned`, as devices before grounds read it.
    pub fn basis(&self) -> &'static str {
        if self.ground.is_planned() {
            "planned"
        } else {
            "unplanned"
        }
    }

    /// The most minutes of interaction the law allows (ст.73: a field check of a small
    /// enterprise 50 hours, of a micro enterprise 15); `None`: no such limit.
    pub fn interaction_limit_minutes(&self) -> Option<u32> {
        interaction_limit_minutes(self.kind, self.subject_size)
    }
}

/// See [`Inspection::interaction_limit_minutes`].
pub fn interaction_limit_minutes(kind: InspectionKind, size: Option<SizeClass>) -> Option<u32> {
    if kind != InspectionKind::FieldCheck {
        return None;
    }
    match size? {
        SizeClass::Small => Some(50 * 60),
        SizeClass::Micro => Some(15 * 60),
        SizeClass::Medium | SizeClass::Large => None,
    }
}

/// Filters of the inspection list (each `None` matches everything).
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub status: Option<InspectionStatus>,
    pub inspector: Option<UserId>,
    /// Overlapping the dates: not ended before `from`...
    pub from: Option<Date>,
    /// ...and not starting after `to`.
    pub to: Option<Date>,
    pub kind: Option<InspectionKind>,
    pub ground: Option<Ground>,
    /// Starting on or after / on or before these dates.
    pub starts_from: Option<Date>,
    pub starts_to: Option<Date>,
    /// Ending (the last day of the term) on or after / on or before these dates.
    pub ends_from: Option<Date>,
    pub ends_to: Option<Date>,
    /// Past its term on this date: scheduled or in progress, its last day before it.
    pub overdue_on: Option<Date>,
}

/// One entry of an inspector's change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: i64,
    /// `None`: a change for the whole agency (reference data, calendar), unless `record` is set.
    pub inspection: Option<InspectionId>,
    pub what: String,
    /// The warning an objection concerns (`what` = `warning_objection`), for its issuer.
    pub record: Option<knd_shared::RecordId>,
}

/// A violation found earlier at an object (from the projections), for the inspector's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PastViolation {
    #[schema(value_type = String)]
    pub inspection: InspectionId,
    #[schema(value_type = String)]
    pub record: knd_shared::RecordId,
    pub item: String,
    pub note: Option<String>,
    /// The device's time of the finding.
    pub at: String,
}

/// A version of a document (warning, act, order, interaction interval) as projected: the record
/// that holds it, with that record's body and time. A correction of a document is a row of its
/// own, of the corrected document's kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProjectedDocument {
    #[schema(value_type = String)]
    pub record: knd_shared::RecordId,
    pub kind: String,
    #[schema(value_type = Option<String>)]
    pub inspection: Option<InspectionId>,
    pub subject_inn: Option<String>,
    /// The record's body (a correction's: the corrected body), as signed.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    /// The device's time of the record.
    pub at: String,
    /// When the server received the record (its receipt's time): a device's clock can be wrong,
    /// so a business sees both. Joined from the record when read; the projector leaves it unset.
    #[serde(with = "time::serde::rfc3339::option")]
    pub received_at: Option<time::OffsetDateTime>,
    /// Addressed to an ИНН outside the agency's registry: kept from the business until a
    /// reviewer has looked (flag `document_unknown_subject`).
    #[serde(skip)]
    pub held_for_review: bool,
    #[serde(flatten)]
    pub version: Version,
}

/// Where a projected row stands among the versions of what it records: a correction is a record
/// of its own, so each version keeps its own id, time and content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Version {
    /// The record this one corrects (`null`: an original record).
    #[schema(value_type = Option<String>)]
    pub supersedes: Option<knd_shared::RecordId>,
    /// The correction's reason, as the inspector gave it (`null`: an original record).
    pub reason: Option<String>,
    /// The later correction that replaces this version (`null`: the current version).
    #[schema(value_type = Option<String>)]
    pub superseded_by: Option<knd_shared::RecordId>,
}

/// What projecting a record needs to know about its inspection, as of when the record arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionAt {
    pub agency: AgencyId,
    pub subject_inn: String,
    /// The status when the record arrived; `None` if the inspection did not exist yet.
    pub status: Option<InspectionStatus>,
    /// Whether the device's inspector was assigned when the record arrived.
    pub assigned: bool,
    /// The interaction limit of the inspection (fixed when it was created).
    pub interaction_limit_minutes: Option<u32>,
    /// Its dates. Only a draft or scheduled inspection can be rescheduled, so a record from the
    /// field sees the dates that held when it arrived (and a rebuild sees the same).
    pub starts_on: time::Date,
    pub ends_on: time::Date,
}

/// An answer to a checklist item as one record holds it (a row of `proj_findings`): a `finding`
/// record, or a `correction` of one with the corrected answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectedFinding {
    pub record: knd_shared::RecordId,
    pub inspection: InspectionId,
    pub item: String,
    /// compliant, violation or not_applicable.
    pub result: String,
    pub note: Option<String>,
    /// SHA-256 (hex) of the attached photos.
    pub photos: Vec<String>,
    pub device: knd_shared::DeviceId,
    /// The device's time of the record.
    pub at: String,
    pub version: Version,
}

/// A photo as projected (a version of it, like a finding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectedPhoto {
    pub record: knd_shared::RecordId,
    pub inspection: InspectionId,
    pub sha256: knd_shared::Sha256,
    pub agency: AgencyId,
    pub size: u64,
    pub mime: String,
    pub taken_at: Option<String>,
    pub lat_e7: Option<i64>,
    pub lon_e7: Option<i64>,
    /// What the device warned the inspector about when the photo was added, as signed (each an
    /// object with its `kind`: `damaged` with the decoder's `reason`, `taken_outside_dates`
    /// with `taken_at`, `from` and `to`, `far_from_object` with `distance_m` and the nearest
    /// `object`, or a kind a newer app added); each kind is also a review flag.
    pub warnings: Vec<serde_json::Value>,
    /// The device's time of the record.
    pub at: String,
    pub version: Version,
}

/// A record stored but in conflict with the server's state, for a reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFlag {
    pub record: knd_shared::RecordId,
    /// A stable code: inspection_cancelled, inspection_closed, inspection_not_scheduled,
    /// unknown_inspection, not_assigned, second_act, correction_unknown_target,
    /// correction_foreign, correction_unsupported, correction_invalid, correction_conflict (a
    /// second correction of the same version), interaction_invalid,
    /// interaction_limit_exceeded, photo_damaged, photo_outside_dates, photo_far_from_object,
    /// photo_warning (a warning of a kind this server does not know).
    pub reason: String,
    pub agency: Option<AgencyId>,
    pub inspection: Option<InspectionId>,
    /// What is wrong, in Russian then English.
    pub detail: String,
}

/// The projection table a row is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Finding,
    Photo,
    Document,
}

/// Where the projector stands in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectionPosition {
    /// The log index below which every record has been projected.
    pub upto: u64,
    /// Records below this index were projected before the projection was last reset: replaying
    /// them rebuilds rows but moves no inspection along again.
    pub replay_below: u64,
}

/// One write of the projector, applied in order in one transaction. Every finding, photo or
/// document record, and every correction of one, inserts its own row; a correction also marks
/// the row it replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjOp {
    Started {
        inspection: InspectionId,
        record: knd_shared::RecordId,
        at: String,
    },
    Finished {
        inspection: InspectionId,
        record: knd_shared::RecordId,
        at: String,
    },
    Finding(ProjectedFinding),
    Photo(ProjectedPhoto),
    Document(ProjectedDocument),
    /// `record`'s row is replaced by the correction `by` (unless another replaced it first).
    Supersede {
        table: RowKind,
        record: knd_shared::RecordId,
        by: knd_shared::RecordId,
    },
    Flag(ReviewFlag),
}

/// Everything projected for one inspection: every version of its findings, photos and documents
/// (each a row of its own), and its review flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldData {
    pub started_record: Option<knd_shared::RecordId>,
    pub started_at: Option<String>,
    pub finished_record: Option<knd_shared::RecordId>,
    pub finished_at: Option<String>,
    pub findings: Vec<ProjectedFinding>,
    pub photos: Vec<ProjectedPhoto>,
    pub documents: Vec<ProjectedDocument>,
    pub flags: Vec<ReviewFlag>,
}
