//! Inspections, their assignments and the change feed: the statements both backends share.
//! Reading an inspection back (with its objects, subjects and inspectors) stays per backend.

use knd_shared::registry::SizeClass;
use knd_shared::{Ground, InspectionKind, UserId};

use super::Sql;
use crate::model::{Change, Inspection, InspectionStatus, ProsecutorAgreement};
use crate::store::cols::Cols;
use crate::store::{StoreError, StoreResult};

/// The columns [`inspection`] reads.
macro_rules! inspection_columns {
    () => {
        "SELECT i.id, i.agency_id, i.kind, i.basis, i.status, i.subject_id, s.inn,
            i.control_type_id, t.code, i.checklist_id, c.code, i.starts_on, i.ends_on, i.note,
            i.created_by, i.created_at, i.updated_at, i.ground, i.prosecutor_reference,
            i.prosecutor_agreed_on, i.erknm, i.subject_size
         FROM inspections i JOIN subjects s ON s.id = i.subject_id
              JOIN control_types t ON t.id = i.control_type_id
              LEFT JOIN checklists c ON c.id = i.checklist_id"
    };
}

/// An inspection of an agency (of any, when the agency is NULL).
pub(crate) static INSPECTION: Sql = Sql::dialects(
    concat!(
        inspection_columns!(),
        " WHERE i.id = ?1 AND (?2 IS NULL OR i.agency_id = ?2)"
    ),
    concat!(
        inspection_columns!(),
        " WHERE i.id = $1 AND ($2::UUID IS NULL OR i.agency_id = $2)"
    ),
);

/// The agency's inspections by start date then id after a cursor, optionally of one status,
/// inspector, kind or ground, overlapping dates, starting or ending within dates, or past their
/// term on a date (`?15`). PostgreSQL compares the cursor as a row value; SQLite
/// gets an empty cursor (`''` sorts first) instead of NULL.
pub(crate) static INSPECTIONS: Sql = Sql::dialects(
    concat!(
        inspection_columns!(),
        " WHERE i.agency_id = ?1 AND (?2 IS NULL OR i.status = ?2)
           AND (?3 IS NULL OR EXISTS (SELECT 1 FROM inspection_assignments a
                WHERE a.inspection_id = i.id AND a.user_id = ?3 AND a.unassigned_at IS NULL))
           AND (?4 IS NULL OR i.ends_on >= ?4) AND (?5 IS NULL OR i.starts_on <= ?5)
           AND (?9 IS NULL OR i.kind = ?9) AND (?10 IS NULL OR i.ground = ?10)
           AND (?11 IS NULL OR i.starts_on >= ?11) AND (?12 IS NULL OR i.starts_on <= ?12)
           AND (?13 IS NULL OR i.ends_on >= ?13) AND (?14 IS NULL OR i.ends_on <= ?14)
           AND (?15 IS NULL OR (i.ends_on < ?15 AND i.status IN ('scheduled', 'in_progress')))
           AND (i.starts_on > ?6 OR (i.starts_on = ?6 AND i.id > ?7))
         ORDER BY i.starts_on, i.id LIMIT ?8"
    ),
    concat!(
        inspection_columns!(),
        " WHERE i.agency_id = $1 AND ($2::TEXT IS NULL OR i.status = $2)
           AND ($3::UUID IS NULL OR EXISTS (SELECT 1 FROM inspection_assignments a
                WHERE a.inspection_id = i.id AND a.user_id = $3 AND a.unassigned_at IS NULL))
           AND ($4::DATE IS NULL OR i.ends_on >= $4) AND ($5::DATE IS NULL OR i.starts_on <= $5)
           AND ($9::TEXT IS NULL OR i.kind = $9) AND ($10::TEXT IS NULL OR i.ground = $10)
           AND ($11::DATE IS NULL OR i.starts_on >= $11) AND ($12::DATE IS NULL OR i.starts_on <= $12)
           AND ($13::DATE IS NULL OR i.ends_on >= $13) AND ($14::DATE IS NULL OR i.ends_on <= $14)
           AND ($15::DATE IS NULL OR (i.ends_on < $15 AND i.status IN ('scheduled', 'in_progress')))
           AND ($6::DATE IS NULL OR (i.starts_on, i.id) > ($6, $7::UUID))
         ORDER BY i.starts_on, i.id LIMIT $8"
    ),
);

fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

/// A row of [`INSPECTION`] or [`INSPECTIONS`]; its objects, further subjects and inspectors
/// are read next ([`OBJECTS_OF`], [`OTHER_SUBJECTS`], [`INSPECTORS_OF`]).
pub(crate) fn inspection(r: &impl Cols) -> StoreResult<Inspection> {
    let (kind, status) = (r.text(2)?, r.text(4)?);
    let prosecutor_agreement = match (r.opt_text(18)?, r.opt_date(19)?) {
        (Some(reference), Some(date)) => Some(ProsecutorAgreement { reference, date }),
        _ => None,
    };
    Ok(Inspection {
        id: r.id(0)?,
        agency: r.id(1)?,
        kind: InspectionKind::parse(&kind).ok_or_else(|| corrupt(format!("kind {kind:?}")))?,
        // NULL only before the start-up step has read old notes: treat as unspecified.
        ground: match r.opt_text(17)?.as_deref() {
            None => Ground::Unspecified,
            Some(g) => Ground::parse(g).ok_or_else(|| corrupt(format!("ground {g:?}")))?,
        },
        prosecutor_agreement,
        erknm: r.opt_text(20)?,
        subject_size: r
            .opt_text(21)?
            .map(|s| SizeClass::parse(&s).ok_or_else(|| corrupt(format!("size class {s:?}"))))
            .transpose()?,
        other_subjects: Vec::new(),
        status: InspectionStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("status {status:?}")))?,
        subject_id: r.uuid(5)?,
        subject_inn: r.text(6)?,
        control_type_id: r.uuid(7)?,
        control_type_code: r.text(8)?,
        checklist_id: r.opt_uuid(9)?,
        checklist_code: r.opt_text(10)?,
        objects: Vec::new(),
        starts_on: r.date(11)?,
        ends_on: r.date(12)?,
        inspectors: Vec::new(),
        note: r.text(13)?,
        created_by: r.opt_id(14)?,
        created_at: r.ts(15)?,
        updated_at: r.ts(16)?,
    })
}

/// An inspection's objects by key (byte order on both).
pub(crate) static OBJECTS_OF: Sql = Sql::dialects(
    "SELECT o.id, o.object_key FROM inspection_objects io JOIN control_objects o ON o.id = io.object_id
     WHERE io.inspection_id = ?1 ORDER BY o.object_key",
    "SELECT o.id, o.object_key FROM inspection_objects io JOIN control_objects o ON o.id = io.object_id
     WHERE io.inspection_id = $1 ORDER BY o.object_key COLLATE \"C\"",
);

/// Its current inspectors.
pub(crate) static INSPECTORS_OF: Sql = Sql::new(
    "SELECT user_id FROM inspection_assignments WHERE inspection_id = ?1 AND unassigned_at IS NULL
     ORDER BY user_id",
);

/// An id with its key or INN, as [`OBJECTS_OF`] and [`OTHER_SUBJECTS`] read them.
pub(crate) fn id_and_key(r: &impl Cols) -> StoreResult<(uuid::Uuid, String)> {
    Ok((r.uuid(0)?, r.text(1)?))
}

/// A row of [`CHANGES_FOR`].
pub(crate) fn change(r: &impl Cols) -> StoreResult<Change> {
    Ok(Change {
        id: r.i64(0)?,
        inspection: r.opt_id(1)?,
        what: r.text(2)?,
        record: r.opt_id(3)?,
    })
}

/// A row of [`FEED_BOUNDS`]: (floor, newest).
pub(crate) fn bounds(r: &impl Cols) -> StoreResult<(i64, i64)> {
    Ok((r.i64(0)?, r.i64(1)?))
}

pub(crate) fn inspector(r: &impl Cols) -> StoreResult<UserId> {
    r.id(0)
}

pub(crate) static INSERT_INSPECTION: Sql = Sql::new("INSERT INTO inspections (id, agency_id, kind, basis, subject_id, control_type_id, checklist_id,
                     starts_on, ends_on, status, note, created_by, created_at, updated_at, ground,
                     prosecutor_reference, prosecutor_agreed_on, erknm, subject_size)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)");

pub(crate) static UPDATE_INSPECTION: Sql = Sql::new(
    "UPDATE inspections SET checklist_id = ?1, starts_on = ?2, ends_on = ?3, status = ?4,
                         note = ?5, updated_at = ?6, ground = ?9, basis = ?10,
                         prosecutor_reference = ?11, prosecutor_agreed_on = ?12, erknm = ?13
                     WHERE id = ?7 AND updated_at = ?8",
);

pub(crate) static DELETE_INSPECTION_OBJECTS: Sql =
    Sql::new("DELETE FROM inspection_objects WHERE inspection_id = ?1");

pub(crate) static DELETE_INSPECTION_SUBJECTS: Sql =
    Sql::new("DELETE FROM inspection_subjects WHERE inspection_id = ?1");

pub(crate) static INSERT_INSPECTION_SUBJECT: Sql =
    Sql::new("INSERT INTO inspection_subjects (inspection_id, subject_id) VALUES (?1, ?2)");

pub(crate) static INSERT_INSPECTION_OBJECT: Sql =
    Sql::new("INSERT INTO inspection_objects (inspection_id, object_id) VALUES (?1, ?2)");

pub(crate) static END_ASSIGNMENT: Sql = Sql::new(
    "UPDATE inspection_assignments SET unassigned_at = ?1
             WHERE inspection_id = ?2 AND user_id = ?3 AND unassigned_at IS NULL",
);

pub(crate) static INSERT_ASSIGNMENT: Sql = Sql::new(
    "INSERT INTO inspection_assignments (inspection_id, user_id, assigned_at) VALUES (?1, ?2, ?3)",
);

/// An inspection's status history, oldest first.
pub(crate) static STATUS_HISTORY: Sql =
    Sql::new("SELECT status, at FROM inspection_status_log WHERE inspection_id = ?1 ORDER BY id");

/// A row of [`STATUS_HISTORY`].
pub(crate) fn status_line(r: &impl Cols) -> StoreResult<(InspectionStatus, time::OffsetDateTime)> {
    let status = r.text(0)?;
    Ok((
        InspectionStatus::parse(&status).ok_or_else(|| corrupt(format!("status {status:?}")))?,
        r.ts(1)?,
    ))
}

pub(crate) static INSERT_STATUS: Sql =
    Sql::new("INSERT INTO inspection_status_log (inspection_id, status, at) VALUES (?1, ?2, ?3)");

pub(crate) static INSERT_CHANGE: Sql = Sql::new(
    "INSERT INTO changes (agency_id, user_id, inspection_id, what, at) VALUES (?1, ?2, ?3, ?4, ?5)",
);

/// A raid's further controlled persons, in INN order.
pub(crate) static OTHER_SUBJECTS: Sql = Sql::new(
    "SELECT s.id, s.inn FROM inspection_subjects x JOIN subjects s ON s.id = x.subject_id
         WHERE x.inspection_id = ?1 ORDER BY s.inn",
);

/// The inspector's feed after a cursor, oldest first, with the agency-wide entries.
pub(crate) static CHANGES_FOR: Sql = Sql::new(
    "SELECT id, inspection_id, what, record_id FROM changes
             WHERE id > ?1 AND (user_id = ?2 OR (user_id IS NULL AND agency_id = ?3))
             ORDER BY id LIMIT ?4",
);

/// The lowest cursor still complete (changes below it were pruned) and the newest change id.
pub(crate) static FEED_BOUNDS: Sql = Sql::new(
    "SELECT f.floor, COALESCE((SELECT MAX(id) FROM changes), f.floor) FROM change_feed f WHERE f.id = 1",
);

/// Pruning: the newest change to go, then everything up to it.
pub(crate) static NEWEST_CHANGE_BEFORE: Sql = Sql::new("SELECT MAX(id) FROM changes WHERE at < ?1");

pub(crate) static DELETE_CHANGES_UPTO: Sql = Sql::new("DELETE FROM changes WHERE id <= ?1");

/// Reference data of the agency changed (control types, requirements, checklists, object
/// risk): devices get a fresh snapshot of their assignments.
pub(crate) static INSERT_REFERENCE_CHANGE: Sql = Sql::new(
    "INSERT INTO changes (agency_id, user_id, inspection_id, what, at) VALUES (?1, NULL, NULL, 'reference', ?2)",
);

/// Cursors below the new floor get a snapshot (SQLite's two-argument `MAX` is `GREATEST`).
pub(crate) static RAISE_FLOOR: Sql = Sql::dialects(
    "UPDATE change_feed SET floor = MAX(floor, ?1) WHERE id = 1",
    "UPDATE change_feed SET floor = GREATEST(floor, $1) WHERE id = 1",
);

/// The inspections the user is assigned to now that devices carry, by id after a cursor
/// (SQLite gets `''` for none).
pub(crate) static ASSIGNED: Sql = Sql::dialects(
    "SELECT i.id FROM inspection_assignments a JOIN inspections i ON i.id = a.inspection_id
     WHERE a.user_id = ?1 AND a.unassigned_at IS NULL AND i.id > ?2
       AND i.status IN ('scheduled', 'in_progress', 'completed')
     ORDER BY i.id LIMIT ?3",
    "SELECT i.id FROM inspection_assignments a JOIN inspections i ON i.id = a.inspection_id
     WHERE a.user_id = $1 AND a.unassigned_at IS NULL AND ($2::UUID IS NULL OR i.id > $2)
       AND i.status IN ('scheduled', 'in_progress', 'completed')
     ORDER BY i.id LIMIT $3",
);
