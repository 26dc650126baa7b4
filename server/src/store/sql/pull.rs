//! Pull's batched reads: each statement takes a whole page's ids (or INNs) at once, and the row
//! mapping. The dialects differ only in how a statement receives a set: SQLite reads it from a
//! JSON array (`json_each`), PostgreSQL from an array parameter (`ANY`); so each statement is
//! written once as a macro of its set test, always parameter `?1`, and [`SetSql`] holds both
//! expansions.

use super::Sql;
use crate::model::PastViolation;
use crate::store::StoreResult;
use crate::store::cols::Cols;

/// A statement over a set passed as `?1`, in each dialect's form.
#[derive(Debug)]
pub(crate) struct SetSql {
    pub(crate) sqlite: Sql,
    pub(crate) pg: Sql,
}

/// Expands the statement macro `$text` with each dialect's test of membership in set `?1`, and
/// its prefix for the agency test (`$agency`). SQLite, without statistics, takes an equality on
/// an index's first column for a few rows, so it would walk the agency's index (every object of
/// the registry) instead of looking the page's ids up; its unary `+` keeps the agency test off
/// the index (PostgreSQL has statistics, and no unary `+` on uuids).
macro_rules! set_sql {
    ($text:ident) => {
        SetSql {
            sqlite: Sql::new($text!("IN (SELECT value FROM json_each(?1))", "+")),
            pg: Sql::new($text!("= ANY(?1)", "")),
        }
    };
}

macro_rules! inspections {
    ($in_set:literal, $agency:literal) => {
        concat!(
            inspection_columns!(),
            " WHERE ",
            $agency,
            "i.agency_id = ?2 AND i.id ",
            $in_set
        )
    };
}
/// The agency's (`?2`) inspections among the ids `?1`, without their lists: rows of
/// [`inspection`] (the columns every inspection read has); the caller fills the lists in from
/// [`INSPECTION_OBJECTS`], [`INSPECTORS`] and [`OTHER_SUBJECTS`].
pub(crate) static INSPECTIONS: SetSql = set_sql!(inspections);

pub(crate) use super::inspections::inspection;

macro_rules! inspection_objects {
    ($in_set:literal, $agency:literal) => {
        concat!(
            "SELECT io.inspection_id, o.id, o.object_key
             FROM inspection_objects io JOIN control_objects o ON o.id = io.object_id
             WHERE io.inspection_id ",
            $in_set
        )
    };
}
/// (inspection, object id, object key) of the inspections `?1`, in no order.
pub(crate) static INSPECTION_OBJECTS: SetSql = set_sql!(inspection_objects);

macro_rules! inspectors {
    ($in_set:literal, $agency:literal) => {
        concat!(
            "SELECT inspection_id, user_id FROM inspection_assignments
             WHERE unassigned_at IS NULL AND inspection_id ",
            $in_set
        )
    };
}
/// (inspection, inspector) now assigned, of the inspections `?1`, in no order.
pub(crate) static INSPECTORS: SetSql = set_sql!(inspectors);

macro_rules! other_subjects {
    ($in_set:literal, $agency:literal) => {
        concat!(
            "SELECT x.inspection_id, s.id, s.inn
             FROM inspection_subjects x JOIN subjects s ON s.id = x.subject_id
             WHERE x.inspection_id ",
            $in_set
        )
    };
}
/// (inspection, subject id, INN) of the further subjects of the inspections `?1`, in no order.
pub(crate) static OTHER_SUBJECTS: SetSql = set_sql!(other_subjects);

/// A row of a (inspection, uuid, text) list above.
pub(crate) fn listed(r: &impl Cols) -> StoreResult<(uuid::Uuid, uuid::Uuid, String)> {
    Ok((r.uuid(0)?, r.uuid(1)?, r.text(2)?))
}

/// A row of [`INSPECTORS`].
pub(crate) fn inspector(r: &impl Cols) -> StoreResult<(uuid::Uuid, uuid::Uuid)> {
    Ok((r.uuid(0)?, r.uuid(1)?))
}

macro_rules! objects {
    ($in_set:literal, $agency:literal) => {
        concat!(
            "SELECT o.id, o.object_key,
                    (SELECT s.inn FROM subjects s WHERE s.id = o.subject_id),
                    (SELECT t.code FROM control_types t WHERE t.id = o.control_type_id),
                    o.address, o.district, o.lat_e7, o.lon_e7, o.risk_category, o.updated_at,
                    o.attributes, o.risk_decided_on, o.risk_reason
             FROM control_objects o WHERE ",
            $agency,
            "o.agency_id = ?2 AND o.id ",
            $in_set
        )
    };
}
/// The agency's (`?2`) objects with the ids `?1`, in the columns of `registry::object`. The
/// subject's INN and the control type's code are looked up per object: joined, PostgreSQL
/// hashed the whole `subjects` table for a page's 150 objects (13 ms at 20,000 subjects,
/// growing with the registry) where 150 primary-key lookups take well under one.
pub(crate) static OBJECTS: SetSql = set_sql!(objects);

macro_rules! subjects {
    ($in_set:literal, $agency:literal) => {
        concat!(
            "SELECT id, inn, ogrn, name, size_class, updated_at FROM subjects
             WHERE agency_id = ?2 AND inn ",
            $in_set
        )
    };
}
/// The agency's (`?2`) subjects with the INNs `?1`, mapped by `registry::subject`.
pub(crate) static SUBJECTS: SetSql = set_sql!(subjects);

macro_rules! past_violations {
    ($in_set:literal, $agency:literal) => {
        concat!(
            "SELECT target, inspection_id, record_id, item, note, at FROM (
                 SELECT v.*, ROW_NUMBER() OVER (PARTITION BY v.target
                                                ORDER BY v.at DESC, v.record_id) AS n
                 FROM (SELECT DISTINCT mine.inspection_id AS target, f.inspection_id,
                              f.record_id, f.item, f.note, f.at
                       FROM inspection_objects mine
                            JOIN inspection_objects io ON io.object_id = mine.object_id
                            JOIN inspections i ON i.id = io.inspection_id
                            JOIN proj_findings f ON f.inspection_id = io.inspection_id
                       WHERE mine.inspection_id ",
            $in_set,
            " AND ",
            $agency,
            "i.agency_id = ?2 AND f.inspection_id <> mine.inspection_id
                         AND f.result = 'violation' AND f.superseded_by IS NULL) v
             ) ranked
             WHERE n <= ?3 ORDER BY target, n"
        )
    };
}
/// For each inspection of `?1`: the violations (current answers) found at any of its objects by
/// the agency's (`?2`) other inspections, each once, the `?3` newest (ties by record id).
pub(crate) static PAST_VIOLATIONS: SetSql = set_sql!(past_violations);

/// A row of [`PAST_VIOLATIONS`]: the inspection it is history for, and the violation.
pub(crate) fn past_violation(r: &impl Cols) -> StoreResult<(uuid::Uuid, PastViolation)> {
    Ok((
        r.uuid(0)?,
        PastViolation {
            inspection: r.id(1)?,
            record: r.id(2)?,
            item: r.text(3)?,
            note: r.opt_text(4)?,
            at: r.text(5)?,
        },
    ))
}

macro_rules! orders {
    ($in_set:literal, $agency:literal) => {
        concat!(
            "SELECT record_id, kind, inspection_id, subject_inn, body, at, supersedes, reason,
                    superseded_by, received_at, held FROM (
                 SELECT d.record_id, d.kind, d.inspection_id, d.subject_inn, d.body, d.at,
                        d.supersedes, d.reason, d.superseded_by, rec.received_at, ",
            held!(),
            " AS held,
                        ROW_NUMBER() OVER (PARTITION BY d.subject_inn
                                           ORDER BY d.at DESC, d.record_id) AS n
                 FROM proj_documents d JOIN records rec ON rec.id = d.record_id
                 JOIN inspections i ON i.id = d.inspection_id
                 WHERE d.subject_inn ",
            $in_set,
            " AND ",
            $agency,
            "i.agency_id = ?2 AND d.kind = 'order' AND d.superseded_by IS NULL
             ) ranked
             WHERE n <= ?3 ORDER BY subject_inn, n"
        )
    };
}
/// For each INN of `?1`: the current orders to that subject from the agency's (`?2`)
/// inspections, the `?3` newest (ties by record id).
pub(crate) static ORDERS: SetSql = set_sql!(orders);

/// A row of [`ORDERS`]: the columns of a projected document, in their order.
pub(crate) use super::field::document;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dialect_gets_its_set_test() {
        let sqlite = INSPECTIONS.sqlite.sqlite();
        assert!(
            sqlite.ends_with("i.id IN (SELECT value FROM json_each(?1))"),
            "{sqlite}"
        );
        let pg = PAST_VIOLATIONS.pg.pg();
        assert!(
            pg.contains("mine.inspection_id = ANY($1) AND i.agency_id = $2"),
            "{pg}"
        );
        assert!(pg.contains("n <= $3"), "{pg}");
        let sqlite = OBJECTS.sqlite.sqlite();
        assert!(
            sqlite.contains("WHERE +o.agency_id = ?2 AND o.id IN (SELECT"),
            "{sqlite}"
        );
        assert!(
            OBJECTS
                .pg
                .pg()
                .contains("WHERE o.agency_id = $2 AND o.id = ANY($1)")
        );
    }
}
