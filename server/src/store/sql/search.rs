//! Registry search and the object page's readers. Fragments differ per dialect (SQLite asks the
//! FTS5 trigram tables by rowid, PostgreSQL uses `ILIKE` on pg_trgm's GIN indexes); prefixes and
//! keyset pages compare bytes on both (`COLLATE "C"` on PostgreSQL, as the indexes of 0007).
//!
//! Object statements bind: 1 agency, 2 the lowest key of the page ([`crate::store::search::
//! lowest`]: after the cursor, and within a prefix's range), 3 control type code, 4 district,
//! 5 risk (`none`: unassigned), 6 and 7 the match, 8 the limit. One lower bound per statement:
//! given two, SQLite may start the index range at the wrong one and walk every key.

use knd_shared::RiskCategory;

use super::Sql;
use super::registry::object_columns;
use crate::store::cols::Cols;
use crate::store::search::RiskDecision;
use crate::store::{StoreError, StoreResult};

/// `$key` is `o.object_key`, or `+o.object_key` where no index of the agency's keys may lead
/// (SQLite has no statistics and would otherwise walk every key looking for a rare match; the
/// `+` keeps a column's indexes from being used).
macro_rules! objects_sqlite {
    ($matching:literal) => {
        objects_sqlite!("o.agency_id", "o.object_key", $matching)
    };
    (not_by_key, $matching:literal) => {
        objects_sqlite!("+o.agency_id", "+o.object_key", $matching)
    };
    ($agency:literal, $key:literal, $matching:literal) => {
        concat!(
            object_columns!(),
            " WHERE ",
            $agency,
            " = ?1 AND ",
            $key,
            " >= ?2
               AND (?3 IS NULL OR t.code = ?3) AND (?4 IS NULL OR o.district = ?4)
               AND (?5 IS NULL OR o.risk_category = ?5 OR (?5 = 'none' AND o.risk_category IS NULL))
               AND ",
            $matching,
            " ORDER BY ",
            $key,
            " LIMIT ?8"
        )
    };
}
pub(crate) use objects_sqlite;

macro_rules! objects_pg {
    ($matching:literal) => {
        concat!(
            object_columns!(),
            " WHERE o.agency_id = $1 AND o.object_key COLLATE \"C\" >= $2
               AND ($3::TEXT IS NULL OR t.code = $3) AND ($4::TEXT IS NULL OR o.district = $4)
               AND ($5::TEXT IS NULL OR o.risk_category = $5
                    OR ($5 = 'none' AND o.risk_category IS NULL))
               AND ",
            $matching,
            " ORDER BY o.object_key COLLATE \"C\" LIMIT $8"
        )
    };
}

pub(crate) static OBJECTS_ALL: Sql = Sql::dialects(
    objects_sqlite!("(?6 IS NULL AND ?7 IS NULL)"),
    objects_pg!("($6::TEXT IS NULL AND $7::TEXT IS NULL)"),
);
pub(crate) static OBJECTS_BY_KEY_PREFIX: Sql = Sql::dialects(
    objects_sqlite!("?6 IS NOT NULL AND o.object_key < ?7"),
    objects_pg!("$6::TEXT IS NOT NULL AND o.object_key COLLATE \"C\" < $7"),
);
/// ?6: an FTS5 phrase (SQLite) or an `ILIKE` pattern (PostgreSQL). On SQLite this is the form
/// for a fragment many addresses hold (the keys walked in order, each looked up in the set of
/// matches); `sqlite/search.rs` has the forms for rare and for dense fragments.
pub(crate) static OBJECTS_BY_ADDRESS: Sql = Sql::dialects(
    objects_sqlite!(
        "o.rowid IN (SELECT rowid FROM control_objects_fts WHERE control_objects_fts MATCH ?6)
         AND ?7 IS NULL"
    ),
    objects_pg!("o.address ILIKE $6 AND $7::TEXT IS NULL"),
);
/// By the subject's id, so that the subject's index leads (not a walk of every key).
pub(crate) static OBJECTS_OF_SUBJECT: Sql = Sql::dialects(
    objects_sqlite!(
        not_by_key,
        "o.subject_id = (SELECT id FROM subjects WHERE agency_id = ?1 AND inn = ?6)
         AND ?7 IS NULL"
    ),
    objects_pg!(
        "o.subject_id = (SELECT id FROM subjects WHERE agency_id = $1 AND inn = $6)
         AND $7::TEXT IS NULL"
    ),
);

/// Subject statements bind: 1 agency, 2 after, 3 and 4 the match, 5 the limit.
macro_rules! subjects_sqlite {
    ($matching:literal) => {
        subjects_sqlite!("agency_id", "inn", $matching)
    };
    (not_by_inn, $matching:literal) => {
        subjects_sqlite!("+agency_id", "+inn", $matching)
    };
    ($agency:literal, $inn:literal, $matching:literal) => {
        concat!(
            "SELECT id, inn, ogrn, name, size_class, updated_at FROM subjects
             WHERE ",
            $agency,
            " = ?1 AND ",
            $inn,
            " >= ?2 AND ",
            $matching,
            " ORDER BY ",
            $inn,
            " LIMIT ?5"
        )
    };
}
pub(crate) use subjects_sqlite;
macro_rules! subjects_pg {
    ($matching:literal) => {
        concat!(
            "SELECT id, inn, ogrn, name, size_class, updated_at FROM subjects
             WHERE agency_id = $1 AND inn COLLATE \"C\" >= $2 AND ",
            $matching,
            " ORDER BY inn COLLATE \"C\" LIMIT $5"
        )
    };
}

pub(crate) static SUBJECTS_ALL: Sql = Sql::dialects(
    subjects_sqlite!("(?3 IS NULL AND ?4 IS NULL)"),
    subjects_pg!("($3::TEXT IS NULL AND $4::TEXT IS NULL)"),
);
pub(crate) static SUBJECTS_BY_INN_PREFIX: Sql = Sql::dialects(
    subjects_sqlite!("?3 IS NOT NULL AND inn < ?4"),
    subjects_pg!("$3::TEXT IS NOT NULL AND inn COLLATE \"C\" < $4"),
);
pub(crate) static SUBJECTS_BY_OGRN_PREFIX: Sql = Sql::dialects(
    subjects_sqlite!(not_by_inn, "ogrn >= ?3 AND ogrn < ?4"),
    subjects_pg!("ogrn COLLATE \"C\" >= $3 AND ogrn COLLATE \"C\" < $4"),
);
/// The form for a fragment many names hold (see [`OBJECTS_BY_ADDRESS`]).
pub(crate) static SUBJECTS_BY_NAME: Sql = Sql::dialects(
    subjects_sqlite!(
        "rowid IN (SELECT rowid FROM subjects_fts WHERE subjects_fts MATCH ?3) AND ?4 IS NULL"
    ),
    subjects_pg!("name ILIKE $3 AND $4::TEXT IS NULL"),
);

pub(crate) static OBJECT_BY_ID: Sql = Sql::new(concat!(
    object_columns!(),
    " WHERE o.agency_id = ?1 AND o.id = ?2"
));

pub(crate) static OBJECTS_IN_BOX: Sql = Sql::new(concat!(
    object_columns!(),
    " WHERE o.agency_id = ?1 AND o.lat_e7 BETWEEN ?2 AND ?3 AND o.lon_e7 BETWEEN ?4 AND ?5
     LIMIT ?6"
));

pub(crate) static RISK_HISTORY: Sql = Sql::new(
    "SELECT r.category, r.decided_on, r.reason, r.recorded_at
     FROM risk_decisions r JOIN control_objects o ON o.id = r.object_id
     WHERE o.agency_id = ?1 AND r.object_id = ?2 ORDER BY r.id DESC LIMIT ?3",
);

pub(crate) fn risk_decision(r: &impl Cols) -> StoreResult<RiskDecision> {
    let category = r.text(0)?;
    Ok(RiskDecision {
        category: RiskCategory::parse(&category)
            .ok_or_else(|| StoreError::Corrupt(format!("risk {category:?}")))?,
        decided_on: r.date(1)?,
        reason: r.text(2)?,
        recorded_at: r.ts(3)?,
    })
}

pub(crate) static OBJECT_INSPECTIONS: Sql = Sql::new(
    "SELECT i.id FROM inspection_objects io JOIN inspections i ON i.id = io.inspection_id
     WHERE io.object_id = ?2 AND i.agency_id = ?1
     ORDER BY i.starts_on DESC, i.id DESC LIMIT ?3",
);

/// A loose index scan over `control_objects_by_district`: one probe per district, not one row
/// per object.
pub(crate) static DISTRICTS: Sql = Sql::new(
    "WITH RECURSIVE d (name) AS (
         SELECT MIN(district) FROM control_objects WHERE agency_id = ?1
         UNION ALL
         SELECT (SELECT MIN(district) FROM control_objects WHERE agency_id = ?1 AND district > d.name)
         FROM d WHERE d.name IS NOT NULL
     )
     SELECT name FROM d WHERE name IS NOT NULL LIMIT ?2",
);
