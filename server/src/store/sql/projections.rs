//! The projector: the statements both backends share. The dump and the reset list the tables
//! and stay per backend with what they read.

use knd_shared::AgencyId;

use super::Sql;
use crate::model::{InspectionStatus, ProjectionPosition, RowKind};
use crate::store::cols::Cols;
use crate::store::{StoreError, StoreResult};

pub(crate) fn position(r: &impl Cols) -> StoreResult<ProjectionPosition> {
    Ok(ProjectionPosition {
        upto: r.u64(0)?,
        replay_below: r.u64(1)?,
    })
}

/// A row of [`INSPECTION_HEAD`]: its agency, subject INN, interaction limit and dates.
pub(crate) struct InspectionHead {
    pub agency: AgencyId,
    pub subject_inn: String,
    pub interaction_limit_minutes: Option<u32>,
    pub starts_on: time::Date,
    pub ends_on: time::Date,
}

pub(crate) fn inspection_head(r: &impl Cols) -> StoreResult<InspectionHead> {
    Ok(InspectionHead {
        agency: r.id(0)?,
        subject_inn: r.text(1)?,
        interaction_limit_minutes: crate::store::limit_of(&r.text(2)?, r.opt_text(3)?.as_deref())?,
        starts_on: r.date(4)?,
        ends_on: r.date(5)?,
    })
}

/// A row of [`STATUS_AT`].
pub(crate) fn status(r: &impl Cols) -> StoreResult<InspectionStatus> {
    let s = r.text(0)?;
    InspectionStatus::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("status {s:?}")))
}

/// The correction that replaces a projected row, by table.
pub(crate) fn superseded_by(kind: RowKind) -> &'static Sql {
    static FINDING: Sql = Sql::new("SELECT superseded_by FROM proj_findings WHERE record_id = ?1");
    static PHOTO: Sql = Sql::new("SELECT superseded_by FROM proj_photos WHERE record_id = ?1");
    static DOCUMENT: Sql =
        Sql::new("SELECT superseded_by FROM proj_documents WHERE record_id = ?1");
    match kind {
        RowKind::Finding => &FINDING,
        RowKind::Photo => &PHOTO,
        RowKind::Document => &DOCUMENT,
    }
}

/// Where the projector stands in the log.
pub(crate) static PROJECTION_POSITION: Sql =
    Sql::new("SELECT upto, replay_below FROM projection_state WHERE id = 1");

/// What an inspection is, for judging a record against it.
pub(crate) static INSPECTION_HEAD: Sql = Sql::new(
    "SELECT i.agency_id, s.inn, i.kind, i.subject_size, i.starts_on, i.ends_on FROM inspections i
             JOIN subjects s ON s.id = i.subject_id WHERE i.id = ?1",
);

/// The inspection's status at a moment.
pub(crate) static STATUS_AT: Sql = Sql::new(
    "SELECT status FROM inspection_status_log WHERE inspection_id = ?1 AND at <= ?2
             ORDER BY at DESC, id DESC LIMIT 1",
);

/// Whether the user was assigned to the inspection at a moment.
pub(crate) static ASSIGNED_AT: Sql = Sql::new("SELECT EXISTS (SELECT 1 FROM inspection_assignments WHERE inspection_id = ?1
                   AND user_id = ?2 AND assigned_at <= ?3 AND (unassigned_at IS NULL OR unassigned_at > ?3))");

/// Another act (not a correction of this one) projected for the inspection.
pub(crate) static OTHER_ACT: Sql = Sql::new(
    "SELECT EXISTS (SELECT 1 FROM proj_documents WHERE kind = 'act' AND inspection_id = ?1
           AND record_id <> ?2 AND supersedes IS NULL)",
);

/// A projected row, once (replays of a record change nothing).
pub(crate) static INSERT_FINDING: Sql = Sql::new("INSERT INTO proj_findings (record_id, inspection_id, item, result, note, photos, device_id, at,
                         supersedes, reason, superseded_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                     ON CONFLICT (record_id) DO NOTHING");

/// A projected row, once (replays of a record change nothing).
pub(crate) static INSERT_PHOTO: Sql = Sql::new(
    "INSERT INTO proj_photos (record_id, inspection_id, sha256, agency_id, size, mime, taken_at,
                         lat_e7, lon_e7, warnings, at, supersedes, reason, superseded_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                     ON CONFLICT (record_id) DO NOTHING",
);

/// A projected row, once (replays of a record change nothing).
pub(crate) static INSERT_DOCUMENT: Sql = Sql::new(
    "INSERT INTO proj_documents (record_id, kind, inspection_id, subject_inn, body, at,
                         supersedes, reason, superseded_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (record_id) DO NOTHING",
);

/// A projected row, once (replays of a record change nothing).
pub(crate) static INSERT_FLAG: Sql = Sql::new(
    "INSERT INTO review_flags (record_id, reason, agency_id, inspection_id, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (record_id, reason) DO NOTHING",
);

/// The projector moves on in the log.
pub(crate) static MOVE_PROJECTION: Sql =
    Sql::new("UPDATE projection_state SET upto = ?1 WHERE id = 1");

/// The projection saw the inspection start; the first record to say so stays.
pub(crate) static STARTED: Sql = Sql::new(
    "INSERT INTO proj_inspections (inspection_id, started_record, started_at) VALUES (?1, ?2, ?3)
     ON CONFLICT (inspection_id) DO UPDATE SET
         started_record = COALESCE(proj_inspections.started_record, excluded.started_record),
         started_at = COALESCE(proj_inspections.started_at, excluded.started_at)",
);

/// The projection saw the inspection finish; the first record to say so stays.
pub(crate) static FINISHED: Sql = Sql::new(
    "INSERT INTO proj_inspections (inspection_id, finished_record, finished_at) VALUES (?1, ?2, ?3)
     ON CONFLICT (inspection_id) DO UPDATE SET
         finished_record = COALESCE(proj_inspections.finished_record, excluded.finished_record),
         finished_at = COALESCE(proj_inspections.finished_at, excluded.finished_at)",
);

/// Marks a projected row replaced by a correction: the first correction of a version wins (a
/// second is flagged by the projector).
pub(crate) fn supersede(kind: RowKind) -> &'static Sql {
    static FINDING: Sql = Sql::new(
        "UPDATE proj_findings SET superseded_by = ?1 WHERE record_id = ?2 AND superseded_by IS NULL",
    );
    static PHOTO: Sql = Sql::new(
        "UPDATE proj_photos SET superseded_by = ?1 WHERE record_id = ?2 AND superseded_by IS NULL",
    );
    static DOCUMENT: Sql = Sql::new(
        "UPDATE proj_documents SET superseded_by = ?1 WHERE record_id = ?2 AND superseded_by IS NULL",
    );
    match kind {
        RowKind::Finding => &FINDING,
        RowKind::Photo => &PHOTO,
        RowKind::Document => &DOCUMENT,
    }
}
