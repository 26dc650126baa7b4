//! Inspections, their assignments and the change feed: the statements both backends share.
//! Reading an inspection back (with its objects, subjects and inspectors) stays per backend.

use super::Sql;

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

pub(crate) static INSERT_STATUS: Sql =
    Sql::new("INSERT INTO inspection_status_log (inspection_id, status, at) VALUES (?1, ?2, ?3)");

pub(crate) static INSERT_CHANGE: Sql = Sql::new(
    "INSERT INTO changes (agency_id, user_id, inspection_id, what, at) VALUES (?1, ?2, ?3, ?4, ?5)",
);

/// The columns both backends read an inspection from (a fragment: each adds its conditions).
pub(crate) const INSPECTION_COLUMNS: &str = "SELECT i.id, i.agency_id, i.kind, i.basis, i.status, i.subject_id, s.inn,
        i.control_type_id, t.code, i.checklist_id, c.code, i.starts_on, i.ends_on, i.note, i.created_by,
        i.created_at, i.updated_at, i.ground, i.prosecutor_reference, i.prosecutor_agreed_on,
        i.erknm, i.subject_size
     FROM inspections i JOIN subjects s ON s.id = i.subject_id
          JOIN control_types t ON t.id = i.control_type_id
          LEFT JOIN checklists c ON c.id = i.checklist_id";

/// A raid's further controlled persons, in INN order.
pub(crate) static OTHER_SUBJECTS: Sql = Sql::new(
    "SELECT s.id, s.inn FROM inspection_subjects x JOIN subjects s ON s.id = x.subject_id
         WHERE x.inspection_id = ?1 ORDER BY s.inn",
);

/// The inspector's feed after a cursor, oldest first, with the agency-wide entries.
pub(crate) static CHANGES_FOR: Sql = Sql::new(
    "SELECT id, inspection_id, what FROM changes
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
