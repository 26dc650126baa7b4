//! Reading the projection: the statements both backends share; the queries built around the
//! column lists stay per backend where their conditions differ (`ANY` on PostgreSQL).

use super::Sql;

/// The columns of a projected finding (a fragment: each query adds its conditions).
pub(crate) const FINDING_COLUMNS: &str =
    "SELECT record_id, inspection_id, item, result, note, photos, device_id, at,
    supersedes, reason, superseded_by FROM proj_findings";

/// The columns of a projected photo.
pub(crate) const PHOTO_COLUMNS: &str =
    "SELECT record_id, inspection_id, sha256, agency_id, size, mime, taken_at, lat_e7, lon_e7,
        warnings, at, supersedes, reason, superseded_by FROM proj_photos";

/// The columns of a projected document, from `proj_documents d`.
pub(crate) const DOCUMENT_COLUMNS: &str =
    "SELECT d.record_id, d.kind, d.inspection_id, d.subject_inn, d.body, d.at,
    d.supersedes, d.reason, d.superseded_by FROM proj_documents d";

/// The columns of a review flag.
pub(crate) const FLAG_COLUMNS: &str =
    "SELECT record_id, reason, agency_id, inspection_id, detail FROM review_flags";

/// Where the inspection's projection stands: started and finished, by which records.
pub(crate) static PROJECTED_INSPECTION: Sql = Sql::new(
    "SELECT started_record, started_at, finished_record, finished_at FROM proj_inspections
             WHERE inspection_id = ?1",
);
