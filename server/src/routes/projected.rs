//! The projected rows (findings, photos, documents, review flags) as the API shows them. The
//! store's rows change with the projector; these are the wire.

use knd_shared::{AgencyId, DeviceId, InspectionId, RecordId, Sha256};
use serde::Serialize;
use utoipa::ToSchema;

use crate::model::{ProjectedDocument, ProjectedFinding, ProjectedPhoto, ReviewFlag, Version};

/// Where a row stands among the versions of what it records: a correction is a record of its
/// own, so each version keeps its own id, time and content.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct VersionView {
    /// The record this one corrects (`null`: an original record).
    #[schema(value_type = Option<String>)]
    supersedes: Option<RecordId>,
    /// The correction's reason, as the inspector gave it (`null`: an original record).
    reason: Option<String>,
    /// The later correction that replaces this version (`null`: the current version).
    #[schema(value_type = Option<String>)]
    superseded_by: Option<RecordId>,
}

impl From<Version> for VersionView {
    fn from(v: Version) -> Self {
        Self {
            supersedes: v.supersedes,
            reason: v.reason,
            superseded_by: v.superseded_by,
        }
    }
}

/// An answer to a checklist item as one record holds it: a `finding` record, or a `correction`
/// of one with the corrected answer.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FindingView {
    #[schema(value_type = String)]
    record: RecordId,
    #[schema(value_type = String)]
    inspection: InspectionId,
    item: String,
    /// compliant, violation or not_applicable.
    result: String,
    note: Option<String>,
    /// SHA-256 (hex) of the attached photos.
    photos: Vec<String>,
    #[schema(value_type = String)]
    device: DeviceId,
    /// The device's time of the record.
    at: String,
    #[serde(flatten)]
    version: VersionView,
}

impl From<ProjectedFinding> for FindingView {
    fn from(f: ProjectedFinding) -> Self {
        Self {
            record: f.record,
            inspection: f.inspection,
            item: f.item,
            result: f.result,
            note: f.note,
            photos: f.photos,
            device: f.device,
            at: f.at,
            version: f.version.into(),
        }
    }
}

/// A photo as projected (a version of it, like a finding).
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct PhotoView {
    #[schema(value_type = String)]
    record: RecordId,
    #[schema(value_type = String)]
    inspection: InspectionId,
    #[schema(value_type = String)]
    sha256: Sha256,
    #[schema(value_type = String)]
    agency: AgencyId,
    size: u64,
    mime: String,
    taken_at: Option<String>,
    lat_e7: Option<i64>,
    lon_e7: Option<i64>,
    /// What the device warned the inspector about when the photo was added, as signed (each an
    /// object with its `kind`: `damaged` with the decoder's `reason`, `taken_outside_dates`
    /// with `taken_at`, `from` and `to`, `far_from_object` with `distance_m` and the nearest
    /// `object`, or a kind a newer app added); each kind is also a review flag.
    #[schema(value_type = Vec<Object>)]
    warnings: Vec<serde_json::Value>,
    /// The device's time of the record.
    at: String,
    #[serde(flatten)]
    version: VersionView,
}

impl From<ProjectedPhoto> for PhotoView {
    fn from(p: ProjectedPhoto) -> Self {
        Self {
            record: p.record,
            inspection: p.inspection,
            sha256: p.sha256,
            agency: p.agency,
            size: p.size,
            mime: p.mime,
            taken_at: p.taken_at,
            lat_e7: p.lat_e7,
            lon_e7: p.lon_e7,
            warnings: p.warnings,
            at: p.at,
            version: p.version.into(),
        }
    }
}

/// A version of a document (warning, act, order, interaction interval): the record that holds
/// it, with that record's body and time. A correction of a document is a row of its own, of the
/// corrected document's kind.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct DocumentView {
    #[schema(value_type = String)]
    record: RecordId,
    kind: String,
    #[schema(value_type = Option<String>)]
    inspection: Option<InspectionId>,
    subject_inn: Option<String>,
    /// The record's body (a correction's: the corrected body), as signed.
    #[schema(value_type = Object)]
    body: serde_json::Value,
    /// The device's time of the record (its clock may be wrong).
    at: String,
    /// When the server received the record: the time of its receipt in the transparency log.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    received_at: Option<time::OffsetDateTime>,
    #[serde(flatten)]
    version: VersionView,
}

impl From<ProjectedDocument> for DocumentView {
    fn from(d: ProjectedDocument) -> Self {
        Self {
            record: d.record,
            kind: d.kind,
            inspection: d.inspection,
            subject_inn: d.subject_inn,
            body: d.body,
            at: d.at,
            received_at: d.received_at,
            version: d.version.into(),
        }
    }
}

/// A record stored but in conflict with the server's state, for a reviewer.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FlagView {
    #[schema(value_type = String)]
    record: RecordId,
    /// A stable code: inspection_cancelled, inspection_closed, inspection_not_scheduled,
    /// unknown_inspection, not_assigned, second_act, correction_unknown_target,
    /// correction_foreign, correction_unsupported, correction_invalid, correction_conflict (a
    /// second correction of the same version), interaction_invalid,
    /// interaction_limit_exceeded, photo_damaged, photo_outside_dates, photo_far_from_object,
    /// photo_warning (a warning of a kind this server does not know).
    reason: String,
    #[schema(value_type = Option<String>)]
    agency: Option<AgencyId>,
    #[schema(value_type = Option<String>)]
    inspection: Option<InspectionId>,
    /// What is wrong, in Russian then English.
    detail: String,
}

impl From<ReviewFlag> for FlagView {
    fn from(f: ReviewFlag) -> Self {
        Self {
            record: f.record,
            reason: f.reason,
            agency: f.agency,
            inspection: f.inspection,
            detail: f.detail,
        }
    }
}
