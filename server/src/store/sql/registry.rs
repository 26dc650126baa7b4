//! Control types, subjects and control objects: the statements both backends share and the row
//! mapping. Imports stay per backend (PostgreSQL writes chunks with `UNNEST`, SQLite row by row),
//! as do lookups of many keys at once (`ANY` on PostgreSQL).

use knd_shared::RiskCategory;
use knd_shared::registry::SizeClass;

use super::Sql;
use crate::model::{ControlObject, ControlType, Subject};
use crate::store::cols::Cols;
use crate::store::{StoreError, StoreResult};

fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

/// Creates or updates the agency's control type; the row as stored.
pub(crate) static PUT_CONTROL_TYPE: Sql = Sql::new(
    "INSERT INTO control_types (id, agency_id, code, name, rules, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (agency_id, code) DO UPDATE SET name = excluded.name, rules = excluded.rules,
                                                 updated_at = excluded.updated_at
     RETURNING id, code, name, rules, updated_at",
);
/// Keeps the rules just written as the control type's next version: who (`?2`, as the audit log
/// names them), when and why (`?4`).
pub(crate) static RULES_VERSION: Sql = Sql::new(
    "INSERT INTO control_type_versions (control_type_id, version, rules, changed_by, changed_at, reason)
     SELECT t.id, COALESCE((SELECT MAX(v.version) FROM control_type_versions v
                            WHERE v.control_type_id = t.id), 0) + 1, t.rules, ?2, ?3, ?4
     FROM control_types t WHERE t.id = ?1",
);

/// The reason an audit entry's detail gives (`reason`), for the version it describes.
pub(crate) fn audit_reason(audit: &crate::model::AuditEntry) -> String {
    audit
        .detail
        .as_ref()
        .and_then(|d| d.get("reason"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

pub(crate) static CONTROL_TYPES: Sql = Sql::new(
    "SELECT id, code, name, rules, updated_at FROM control_types WHERE agency_id = ?1
     ORDER BY code",
);

pub(crate) fn control_type(r: &impl Cols) -> StoreResult<ControlType> {
    Ok(ControlType {
        id: r.uuid(0)?,
        code: r.text(1)?,
        name: r.text(2)?,
        rules: serde_json::from_str(&r.text(3)?).map_err(|e| corrupt(format!("rules: {e}")))?,
        updated_at: r.ts(4)?,
    })
}

/// Keyset pages by INN in byte order on both (PostgreSQL's default collation is the locale's).
pub(crate) static SUBJECTS: Sql = Sql::dialects(
    "SELECT id, inn, ogrn, name, size_class, updated_at FROM subjects
     WHERE agency_id = ?1 AND inn > ?2 ORDER BY inn LIMIT ?3",
    "SELECT id, inn, ogrn, name, size_class, updated_at FROM subjects
     WHERE agency_id = $1 AND inn COLLATE \"C\" > $2 ORDER BY inn COLLATE \"C\" LIMIT $3",
);
pub(crate) static SUBJECT_BY_INN: Sql = Sql::new(
    "SELECT id, inn, ogrn, name, size_class, updated_at FROM subjects
     WHERE agency_id = ?1 AND inn = ?2",
);

pub(crate) fn subject(r: &impl Cols) -> StoreResult<Subject> {
    let size = r.text(4)?;
    Ok(Subject {
        id: r.uuid(0)?,
        inn: r.text(1)?,
        ogrn: r.opt_text(2)?,
        name: r.text(3)?,
        size_class: SizeClass::parse(&size)
            .ok_or_else(|| corrupt(format!("size class {size:?}")))?,
        updated_at: r.ts(5)?,
    })
}

/// The columns [`object`] reads.
macro_rules! object_columns {
    () => {
        "SELECT o.id, o.object_key, s.inn, t.code, o.address, o.district, o.lat_e7,
            o.lon_e7, o.risk_category, o.updated_at, o.attributes, o.risk_decided_on, o.risk_reason
         FROM control_objects o JOIN subjects s ON s.id = o.subject_id
              JOIN control_types t ON t.id = o.control_type_id"
    };
}
pub(crate) use object_columns;

/// Keyset pages by object key in byte order, optionally of one district.
pub(crate) static OBJECTS: Sql = Sql::dialects(
    concat!(
        object_columns!(),
        " WHERE o.agency_id = ?1 AND (?2 IS NULL OR o.district = ?2) AND o.object_key > ?3
         ORDER BY o.object_key LIMIT ?4"
    ),
    concat!(
        object_columns!(),
        " WHERE o.agency_id = $1 AND ($2::TEXT IS NULL OR o.district = $2)
           AND o.object_key COLLATE \"C\" > $3
         ORDER BY o.object_key COLLATE \"C\" LIMIT $4"
    ),
);

pub(crate) fn object(r: &impl Cols) -> StoreResult<ControlObject> {
    Ok(ControlObject {
        id: r.uuid(0)?,
        object_key: r.text(1)?,
        subject_inn: r.text(2)?,
        control_type_code: r.text(3)?,
        address: r.text(4)?,
        district: r.text(5)?,
        position: r.opt_i64(6)?.zip(r.opt_i64(7)?),
        risk_category: r
            .opt_text(8)?
            .map(|x| RiskCategory::parse(&x).ok_or_else(|| corrupt(format!("risk {x:?}"))))
            .transpose()?,
        risk_decided_on: r.opt_date(11)?,
        risk_reason: r.opt_text(12)?,
        attributes: serde_json::from_str(&r.text(10)?)
            .map_err(|e| corrupt(format!("attributes: {e}")))?,
        updated_at: r.ts(9)?,
    })
}

/// ч.1 ст.23: a risk category is a decision with its date and reasons.
pub(crate) static DECIDE_RISK: Sql = Sql::new(
    "UPDATE control_objects SET risk_category = ?1, risk_decided_on = ?2, risk_reason = ?3,
            attributes = COALESCE(?4, attributes), updated_at = ?5
     WHERE agency_id = ?6 AND object_key = ?7",
);
