//! Reading the projection: the statements both backends share; the queries built around the
//! column lists stay per backend where their conditions differ (`ANY` on PostgreSQL).

use super::Sql;
use crate::model::{ProjectedDocument, ProjectedFinding, ProjectedPhoto, ReviewFlag, Version};
use crate::store::cols::Cols;
use crate::store::{StoreError, StoreResult};

fn json<T: serde::de::DeserializeOwned>(r: &impl Cols, i: usize) -> StoreResult<T> {
    serde_json::from_str(&r.text(i)?).map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
}

/// Which version of a projected row this is (`supersedes`, `reason`, `superseded_by`).
fn version(r: &impl Cols, first: usize) -> StoreResult<Version> {
    Ok(Version {
        supersedes: r.opt_id(first)?,
        reason: r.opt_text(first + 1)?,
        superseded_by: r.opt_id(first + 2)?,
    })
}

/// A row of `finding_columns!`.
pub(crate) fn finding(r: &impl Cols) -> StoreResult<ProjectedFinding> {
    Ok(ProjectedFinding {
        record: r.id(0)?,
        inspection: r.id(1)?,
        item: r.text(2)?,
        result: r.text(3)?,
        note: r.opt_text(4)?,
        photos: json(r, 5)?,
        device: r.id(6)?,
        at: r.text(7)?,
        version: version(r, 8)?,
    })
}

/// A row of `photo_columns!`.
pub(crate) fn photo(r: &impl Cols) -> StoreResult<ProjectedPhoto> {
    Ok(ProjectedPhoto {
        record: r.id(0)?,
        inspection: r.id(1)?,
        sha256: r.hash(2)?,
        agency: r.id(3)?,
        size: r.u64(4)?,
        mime: r.text(5)?,
        taken_at: r.opt_text(6)?,
        lat_e7: r.opt_i64(7)?,
        lon_e7: r.opt_i64(8)?,
        warnings: json(r, 9)?,
        at: r.text(10)?,
        version: version(r, 11)?,
    })
}

/// A row of `document_columns!`.
pub(crate) fn document(r: &impl Cols) -> StoreResult<ProjectedDocument> {
    Ok(ProjectedDocument {
        record: r.id(0)?,
        kind: r.text(1)?,
        inspection: r.opt_id(2)?,
        subject_inn: r.opt_text(3)?,
        body: json(r, 4)?,
        at: r.text(5)?,
        version: version(r, 6)?,
        received_at: Some(r.ts(9)?),
        held_for_review: r.bool(10)?,
    })
}

/// A row of `flag_columns!`.
pub(crate) fn flag(r: &impl Cols) -> StoreResult<ReviewFlag> {
    Ok(ReviewFlag {
        record: r.id(0)?,
        reason: r.text(1)?,
        agency: r.opt_id(2)?,
        inspection: r.opt_id(3)?,
        detail: r.text(4)?,
    })
}

/// The columns of a projected finding (a fragment: each query adds its conditions).
macro_rules! finding_columns {
    () => {
        "SELECT record_id, inspection_id, item, result, note, photos, device_id, at,
    supersedes, reason, superseded_by FROM proj_findings"
    };
}

/// The columns of a projected photo.
macro_rules! photo_columns {
    () => {
        "SELECT record_id, inspection_id, sha256, agency_id, size, mime, taken_at, lat_e7, lon_e7,
        warnings, at, supersedes, reason, superseded_by FROM proj_photos"
    };
}

/// Whether the document `d` is held from its addressee: flagged `document_unknown_subject` (a
/// device addressed it to an ИНН outside its agency's registry) while that ИНН is still not in
/// the registry and no reviewer has accepted the flag. Importing the subject or a reviewer's
/// acceptance releases it; a rejection keeps it held.
macro_rules! held {
    () => {
        "EXISTS (SELECT 1 FROM review_flags hf WHERE hf.record_id = d.record_id
            AND hf.reason = 'document_unknown_subject'
            AND NOT EXISTS (SELECT 1 FROM subjects hs
                            WHERE hs.agency_id = hf.agency_id AND hs.inn = d.subject_inn)
            AND NOT EXISTS (SELECT 1 FROM review_resolutions hr
                            WHERE hr.record_id = hf.record_id AND hr.reason = hf.reason
                              AND hr.decision = 'accepted'))"
    };
}

/// The columns of a projected document, from `proj_documents d`.
macro_rules! document_columns {
    () => {
        concat!(
            "SELECT d.record_id, d.kind, d.inspection_id, d.subject_inn, d.body, d.at,
    d.supersedes, d.reason, d.superseded_by, rec.received_at, ",
            held!(),
            " FROM proj_documents d JOIN records rec ON rec.id = d.record_id"
        )
    };
}

/// A condition on `proj_documents d`: not held for review (see [`held`]).
macro_rules! not_held {
    () => {
        concat!("NOT ", held!())
    };
}

/// The columns of a review flag.
macro_rules! flag_columns {
    () => {
        "SELECT record_id, reason, agency_id, inspection_id, detail FROM review_flags"
    };
}

/// Where the inspection's projection stands: started and finished, by which records.
pub(crate) static PROJECTED_INSPECTION: Sql = Sql::new(
    "SELECT started_record, started_at, finished_record, finished_at FROM proj_inspections
             WHERE inspection_id = ?1",
);

pub(crate) static FINDINGS_OF: Sql = Sql::dialects(
    concat!(
        finding_columns!(),
        " WHERE inspection_id = ?1 ORDER BY item, at, record_id"
    ),
    concat!(
        finding_columns!(),
        " WHERE inspection_id = $1 ORDER BY item COLLATE \"C\", at COLLATE \"C\", record_id"
    ),
);
pub(crate) static PHOTOS_OF: Sql = Sql::new(concat!(
    photo_columns!(),
    " WHERE inspection_id = ?1 ORDER BY record_id"
));
pub(crate) static DOCUMENTS_OF: Sql = Sql::new(concat!(
    document_columns!(),
    " WHERE d.inspection_id = ?1 ORDER BY d.record_id"
));
pub(crate) static FLAGS_OF: Sql = Sql::dialects(
    concat!(
        flag_columns!(),
        " WHERE inspection_id = ?1 ORDER BY record_id, reason"
    ),
    concat!(
        flag_columns!(),
        " WHERE inspection_id = $1 ORDER BY record_id, reason COLLATE \"C\""
    ),
);

/// The agency's flags by record after a cursor (SQLite gets `''` for none).
pub(crate) static AGENCY_FLAGS: Sql = Sql::dialects(
    concat!(
        flag_columns!(),
        " WHERE agency_id = ?1 AND record_id > ?2 ORDER BY record_id, reason LIMIT ?3"
    ),
    concat!(
        flag_columns!(),
        " WHERE agency_id = $1 AND ($2::UUID IS NULL OR record_id > $2)
         ORDER BY record_id, reason COLLATE \"C\" LIMIT $3"
    ),
);

/// A subject's documents from every agency, every version, by record after a cursor (not those
/// held for review).
pub(crate) static SUBJECT_DOCUMENTS_AFTER: Sql = Sql::dialects(
    concat!(
        document_columns!(),
        " WHERE d.subject_inn = ?1 AND d.record_id > ?2 AND ",
        not_held!(),
        " ORDER BY d.record_id LIMIT ?3"
    ),
    concat!(
        document_columns!(),
        " WHERE d.subject_inn = $1 AND ($2::UUID IS NULL OR d.record_id > $2) AND ",
        not_held!(),
        " ORDER BY d.record_id LIMIT $3"
    ),
);
pub(crate) static DOCUMENT: Sql = Sql::new(concat!(document_columns!(), " WHERE d.record_id = ?1"));

/// The subject's current documents of a kind from the agency's inspections, newest first.
pub(crate) static AGENCY_SUBJECT_DOCUMENTS: Sql = Sql::new(concat!(
    document_columns!(),
    " JOIN inspections i ON i.id = d.inspection_id
     WHERE i.agency_id = ?1 AND d.subject_inn = ?2 AND d.kind = ?3
       AND d.superseded_by IS NULL
     ORDER BY d.at DESC LIMIT ?4"
));
