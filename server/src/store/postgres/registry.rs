//! Control types, subjects and control objects.

use knd_shared::registry::{ControlTypeRules, SizeClass};
use knd_shared::{AgencyId, RiskCategory};
use time::OffsetDateTime;
use tokio_postgres::{Client, GenericClient, Row, Transaction};

use super::{db_err, insert_audit};
use crate::model::{
    AuditEntry, ControlObject, ControlType, ImportCounts, NewObject, NewSubject, Subject,
};
use crate::store::{StoreError, StoreResult};

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn to_control_type(r: &Row) -> StoreResult<ControlType> {
    let rules: String = r.get(3);
    Ok(ControlType {
        id: r.get(0),
        code: r.get(1),
        name: r.get(2),
        rules: serde_json::from_str(&rules).map_err(|e| corrupt(&format!("rules: {e}")))?,
        updated_at: r.get(4),
    })
}

pub(super) async fn put_control_type(
    tx: &Transaction<'_>,
    agency: AgencyId,
    code: &str,
    name: &str,
    rules: &ControlTypeRules,
    audit: &AuditEntry,
) -> StoreResult<ControlType> {
    let rules_json = serde_json::to_string(rules).map_err(|e| corrupt(&e.to_string()))?;
    let row = tx
        .query_one(
            "INSERT INTO control_types (id, agency_id, code, name, rules, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (agency_id, code) DO UPDATE SET name = excluded.name, rules = excluded.rules,
                                                         updated_at = excluded.updated_at
             RETURNING id, code, name, rules, updated_at",
            &[&uuid::Uuid::now_v7(), &agency.as_uuid(), &code, &name, &rules_json, &OffsetDateTime::now_utc()],
        )
        .await
        .map_err(db_err)?;
    super::inspections::reference_changed(tx, agency).await?;
    insert_audit(tx, audit).await?;
    to_control_type(&row)
}

pub(super) async fn list_control_types(
    c: &Client,
    agency: AgencyId,
) -> StoreResult<Vec<ControlType>> {
    c.query(
        "SELECT id, code, name, rules, updated_at FROM control_types WHERE agency_id = $1 ORDER BY code",
        &[&agency.as_uuid()],
    )
    .await
    .map_err(db_err)?
    .iter()
    .map(to_control_type)
    .collect()
}

pub(super) async fn import_subjects(
    tx: &Transaction<'_>,
    agency: AgencyId,
    rows: &[NewSubject],
    audit: &AuditEntry,
) -> StoreResult<ImportCounts> {
    let now = OffsetDateTime::now_utc();
    let mut counts = ImportCounts::default();
    for s in rows {
        // xmax = 0 tells an inserted row from an updated one.
        let row = tx
            .query_one(
                "INSERT INTO subjects (id, agency_id, inn, ogrn, name, size_class, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (agency_id, inn) DO UPDATE SET ogrn = excluded.ogrn, name = excluded.name,
                     size_class = excluded.size_class, updated_at = excluded.updated_at
                 RETURNING (xmax = 0)",
                &[
                    &uuid::Uuid::now_v7(),
                    &agency.as_uuid(),
                    &s.inn.as_str(),
                    &s.ogrn.as_ref().map(|o| o.as_str()),
                    &s.name,
                    &s.size_class.as_str(),
                    &now,
                ],
            )
            .await
            .map_err(db_err)?;
        if row.get::<_, bool>(0) {
            counts.inserted += 1;
        } else {
            counts.updated += 1;
        }
    }
    let mut audit = audit.clone();
    audit.detail =
        Some(serde_json::json!({ "inserted": counts.inserted, "updated": counts.updated }));
    if counts.updated > 0 {
        super::inspections::reference_changed(tx, agency).await?;
    }
    insert_audit(tx, &audit).await?;
    Ok(counts)
}

pub(super) async fn import_objects(
    tx: &Transaction<'_>,
    agency: AgencyId,
    rows: &[NewObject],
    audit: &AuditEntry,
) -> StoreResult<ImportCounts> {
    let now = OffsetDateTime::now_utc();
    let mut counts = ImportCounts::default();
    for o in rows {
        let (lat, lon) = o.position.unzip();
        let (decided, reason) = o
            .risk_decision
            .as_ref()
            .map(|(d, r)| (*d, r.as_str()))
            .unzip();
        let row = tx
            .query_opt(
                "INSERT INTO control_objects (id, agency_id, object_key, subject_id, control_type_id, address,
                                              district, lat_e7, lon_e7, risk_category, updated_at,
                                              risk_decided_on, risk_reason)
                 SELECT $1, $2, $3, s.id, t.id, $6, $7, $8, $9, $10, $11, $12, $13
                 FROM subjects s, control_types t
                 WHERE s.agency_id = $2 AND s.inn = $4 AND t.agency_id = $2 AND t.code = $5
                 ON CONFLICT (agency_id, object_key) DO UPDATE SET subject_id = excluded.subject_id,
                     control_type_id = excluded.control_type_id, address = excluded.address,
                     district = excluded.district, lat_e7 = excluded.lat_e7, lon_e7 = excluded.lon_e7,
                     risk_decided_on = CASE WHEN excluded.risk_decided_on IS NOT NULL THEN excluded.risk_decided_on
                         WHEN control_objects.risk_category IS NOT DISTINCT FROM excluded.risk_category
                         THEN control_objects.risk_decided_on END,
                     risk_reason = CASE WHEN excluded.risk_decided_on IS NOT NULL THEN excluded.risk_reason
                         WHEN control_objects.risk_category IS NOT DISTINCT FROM excluded.risk_category
                         THEN control_objects.risk_reason END,
                     risk_category = excluded.risk_category, updated_at = excluded.updated_at
                 RETURNING (xmax = 0)",
                &[
                    &uuid::Uuid::now_v7(),
                    &agency.as_uuid(),
                    &o.object_key,
                    &o.subject_inn,
                    &o.control_type_code,
                    &o.address,
                    &o.district,
                    &lat,
                    &lon,
                    &o.risk_category.map(RiskCategory::as_str),
                    &now,
                    &decided,
                    &reason,
                ],
            )
            .await
            .map_err(db_err)?;
        match row {
            Some(r) if r.get::<_, bool>(0) => counts.inserted += 1,
            Some(_) => counts.updated += 1,
            None => {
                return Err(StoreError::Conflict(format!(
                    "object {}: unknown subject {} or control type {}",
                    o.object_key, o.subject_inn, o.control_type_code
                )));
            }
        }
    }
    let mut audit = audit.clone();
    audit.detail =
        Some(serde_json::json!({ "inserted": counts.inserted, "updated": counts.updated }));
    if counts.updated > 0 {
        super::inspections::reference_changed(tx, agency).await?;
    }
    insert_audit(tx, &audit).await?;
    Ok(counts)
}

pub(super) async fn known_inns(
    c: &impl GenericClient,
    agency: AgencyId,
    inns: &[String],
) -> StoreResult<Vec<String>> {
    Ok(c.query(
        "SELECT inn FROM subjects WHERE agency_id = $1 AND inn = ANY($2)",
        &[&agency.as_uuid(), &inns],
    )
    .await
    .map_err(db_err)?
    .iter()
    .map(|r| r.get(0))
    .collect())
}

pub(super) async fn list_subjects(
    c: &Client,
    agency: AgencyId,
    after: Option<&str>,
    limit: u32,
) -> StoreResult<Vec<Subject>> {
    let rows = c
        .query(
            "SELECT id, inn, ogrn, name, size_class, updated_at FROM subjects
             WHERE agency_id = $1 AND inn COLLATE \"C\" > $2 ORDER BY inn COLLATE \"C\" LIMIT $3",
            &[&agency.as_uuid(), &after.unwrap_or(""), &i64::from(limit)],
        )
        .await
        .map_err(db_err)?;
    rows.iter().map(subject_of).collect()
}

fn subject_of(r: &tokio_postgres::Row) -> StoreResult<Subject> {
    let size: String = r.get(4);
    Ok(Subject {
        id: r.get(0),
        inn: r.get(1),
        ogrn: r.get(2),
        name: r.get(3),
        size_class: SizeClass::parse(&size)
            .ok_or_else(|| corrupt(&format!("size class {size:?}")))?,
        updated_at: r.get(5),
    })
}

/// The agency's subject with this INN.
pub(super) async fn subject_by_inn(
    c: &impl GenericClient,
    agency: AgencyId,
    inn: &str,
) -> StoreResult<Option<Subject>> {
    c.query_opt(
        "SELECT id, inn, ogrn, name, size_class, updated_at FROM subjects
         WHERE agency_id = $1 AND inn = $2",
        &[&agency.as_uuid(), &inn],
    )
    .await
    .map_err(db_err)?
    .as_ref()
    .map(subject_of)
    .transpose()
}

/// The columns [`object_of`] reads.
const OBJECT_COLUMNS: &str =
    "SELECT o.id, o.object_key, s.inn, t.code, o.address, o.district, o.lat_e7,
        o.lon_e7, o.risk_category, o.updated_at, o.attributes, o.risk_decided_on, o.risk_reason
     FROM control_objects o JOIN subjects s ON s.id = o.subject_id
          JOIN control_types t ON t.id = o.control_type_id";

fn object_of(r: &tokio_postgres::Row) -> StoreResult<ControlObject> {
    let risk: Option<String> = r.get(8);
    let attributes: String = r.get(10);
    Ok(ControlObject {
        id: r.get(0),
        object_key: r.get(1),
        subject_inn: r.get(2),
        control_type_code: r.get(3),
        address: r.get(4),
        district: r.get(5),
        position: r.get::<_, Option<i64>>(6).zip(r.get::<_, Option<i64>>(7)),
        risk_category: risk
            .map(|x| RiskCategory::parse(&x).ok_or_else(|| corrupt(&format!("risk {x:?}"))))
            .transpose()?,
        risk_decided_on: r.get(11),
        risk_reason: r.get(12),
        attributes: serde_json::from_str(&attributes)
            .map_err(|e| corrupt(&format!("attributes: {e}")))?,
        updated_at: r.get(9),
    })
}

pub(super) async fn list_objects(
    c: &Client,
    agency: AgencyId,
    district: Option<&str>,
    after: Option<&str>,
    limit: u32,
) -> StoreResult<Vec<ControlObject>> {
    c.query(
        &format!(
            "{OBJECT_COLUMNS}
             WHERE o.agency_id = $1 AND ($2::TEXT IS NULL OR o.district = $2) AND o.object_key COLLATE \"C\" > $3
             ORDER BY o.object_key COLLATE \"C\" LIMIT $4"
        ),
        &[&agency.as_uuid(), &district, &after.unwrap_or(""), &i64::from(limit)],
    )
    .await
    .map_err(db_err)?
    .iter()
    .map(object_of)
    .collect()
}

/// The agency's objects with these keys (those that exist), in key order.
pub(super) async fn objects_by_keys(
    c: &impl GenericClient,
    agency: AgencyId,
    keys: &[String],
) -> StoreResult<Vec<ControlObject>> {
    let mut out = c
        .query(
            &format!("{OBJECT_COLUMNS} WHERE o.agency_id = $1 AND o.object_key = ANY($2)"),
            &[&agency.as_uuid(), &keys],
        )
        .await
        .map_err(db_err)?
        .iter()
        .map(object_of)
        .collect::<StoreResult<Vec<_>>>()?;
    out.sort_by(|a, b| a.object_key.cmp(&b.object_key));
    Ok(out)
}

/// Records a risk-category decision (ч.1 ст.23: a decision with its date and reasons).
#[allow(clippy::too_many_arguments)]
pub(super) async fn decide_risk(
    tx: &Transaction<'_>,
    agency: AgencyId,
    key: &str,
    category: RiskCategory,
    decided_on: time::Date,
    reason: &str,
    attributes: Option<&serde_json::Value>,
    audit: &AuditEntry,
) -> StoreResult<bool> {
    let n = tx
        .execute(
            "UPDATE control_objects SET risk_category = $1, risk_decided_on = $2, risk_reason = $3,
                    attributes = COALESCE($4, attributes), updated_at = $5
             WHERE agency_id = $6 AND object_key = $7",
            &[
                &category.as_str(),
                &decided_on,
                &reason,
                &attributes.map(|a| a.to_string()),
                &OffsetDateTime::now_utc(),
                &agency.as_uuid(),
                &key,
            ],
        )
        .await
        .map_err(db_err)?;
    if n > 0 {
        super::inspections::reference_changed(tx, agency).await?;
        insert_audit(tx, audit).await?;
    }
    Ok(n > 0)
}
