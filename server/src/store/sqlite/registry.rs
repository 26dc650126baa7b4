//! Control types, subjects and control objects.

use knd_shared::registry::ControlTypeRules;
use knd_shared::{AgencyId, RiskCategory};
use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use time::OffsetDateTime;

use super::SqliteStore;
use super::cols::{execute, query_all, query_opt};
use super::{db_err, insert_audit, ts};
use crate::model::{
    AuditEntry, ControlObject, ControlType, ImportCounts, NewObject, NewSubject, Subject,
};
use crate::store::RegistryStore;
use crate::store::sql::Sql;
use crate::store::sql::registry as sql;
use crate::store::{StoreError, StoreResult, Violation};
use time::Date;

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

pub(super) fn put_control_type(
    tx: &Transaction<'_>,
    agency: AgencyId,
    code: &str,
    name: &str,
    rules: &ControlTypeRules,
    audit: &AuditEntry,
) -> StoreResult<ControlType> {
    let now = OffsetDateTime::now_utc();
    let rules_json = serde_json::to_string(rules).map_err(|e| corrupt(&e.to_string()))?;
    let stored = query_opt(
        tx,
        &sql::PUT_CONTROL_TYPE,
        params![
            uuid::Uuid::now_v7().to_string(),
            agency.to_string(),
            code,
            name,
            rules_json,
            ts(now)
        ],
        |r| sql::control_type(r),
    )?
    .ok_or_else(|| corrupt("the control type just written is missing"))?;
    execute(
        tx,
        &sql::RULES_VERSION,
        params![
            stored.id.to_string(),
            audit.actor.label(),
            ts(now),
            sql::audit_reason(audit)
        ],
    )?;
    super::inspections::reference_changed(tx, agency)?;
    insert_audit(tx, audit)?;
    Ok(stored)
}

pub(super) fn list_control_types(
    c: &Connection,
    agency: AgencyId,
) -> StoreResult<Vec<ControlType>> {
    query_all(c, &sql::CONTROL_TYPES, [agency.to_string()], |r| {
        sql::control_type(r)
    })
}

pub(super) fn import_subjects(
    tx: &Transaction<'_>,
    agency: AgencyId,
    rows: &[NewSubject],
    audit: &AuditEntry,
) -> StoreResult<ImportCounts> {
    let now = ts(OffsetDateTime::now_utc());
    let mut counts = ImportCounts::default();
    let mut find = tx
        .prepare_cached("SELECT id FROM subjects WHERE agency_id = ?1 AND inn = ?2")
        .map_err(db_err)?;
    for s in rows {
        let existing: Option<String> = find
            .query_row(params![agency.to_string(), s.inn.as_str()], |r| r.get(0))
            .optional()
            .map_err(db_err)?;
        let ogrn = s.ogrn.as_ref().map(|o| o.as_str().to_owned());
        match existing {
            Some(id) => {
                tx.prepare_cached("UPDATE subjects SET ogrn = ?1, name = ?2, size_class = ?3, updated_at = ?4 WHERE id = ?5")
                    .map_err(db_err)?
                    .execute(params![ogrn, s.name, s.size_class.as_str(), now, id])
                    .map_err(db_err)?;
                counts.updated += 1;
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO subjects (id, agency_id, inn, ogrn, name, size_class, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(db_err)?
                .execute(params![
                    uuid::Uuid::now_v7().to_string(),
                    agency.to_string(),
                    s.inn.as_str(),
                    ogrn,
                    s.name,
                    s.size_class.as_str(),
                    now
                ])
                .map_err(db_err)?;
                counts.inserted += 1;
            }
        }
    }
    let mut audit = audit.clone();
    audit.detail =
        Some(serde_json::json!({ "inserted": counts.inserted, "updated": counts.updated }));
    if counts.updated > 0 {
        super::inspections::reference_changed(tx, agency)?;
    }
    // Documents held while their addressee was unknown to the registry are announced now.
    execute(
        tx,
        &crate::store::sql::filings::REGISTRY_RELEASED_EVENTS,
        params![agency.to_string(), ts(OffsetDateTime::now_utc())],
    )?;
    insert_audit(tx, &audit)?;
    Ok(counts)
}

pub(super) fn import_objects(
    tx: &Transaction<'_>,
    agency: AgencyId,
    rows: &[NewObject],
    audit: &AuditEntry,
) -> StoreResult<ImportCounts> {
    let now = ts(OffsetDateTime::now_utc());
    let mut counts = ImportCounts::default();
    for o in rows {
        let refs: Option<(String, String)> = tx
            .prepare_cached(
                "SELECT s.id, t.id FROM subjects s, control_types t
                 WHERE s.agency_id = ?1 AND s.inn = ?2 AND t.agency_id = ?1 AND t.code = ?3",
            )
            .map_err(db_err)?
            .query_row(
                params![agency.to_string(), o.subject_inn, o.control_type_code],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db_err)?;
        let Some((subject, control_type)) = refs else {
            // The caller checked; a row deleted meanwhile is a missing reference on both backends.
            return Err(StoreError::Constraint(Violation::MissingReference));
        };
        let (lat, lon) = o.position.unzip();
        let risk = o.risk_category.map(RiskCategory::as_str);
        let (decided, reason) = o
            .risk_decision
            .as_ref()
            .map(|(d, r)| (knd_shared::calendar::iso_date::format(*d), r.as_str()))
            .unzip();
        let attributes = o.attributes.as_ref().map(serde_json::Value::to_string);
        let updated = tx
            .prepare_cached(
                "UPDATE control_objects SET subject_id = ?1, control_type_id = ?2, address = ?3, district = ?4,
                        lat_e7 = ?5, lon_e7 = ?6,
                        risk_decided_on = CASE WHEN ?11 IS NOT NULL THEN ?11
                            WHEN risk_category IS ?7 THEN risk_decided_on END,
                        risk_reason = CASE WHEN ?11 IS NOT NULL THEN ?12
                            WHEN risk_category IS ?7 THEN risk_reason END,
                        risk_category = ?7, updated_at = ?8, attributes = COALESCE(?13, attributes)
                 WHERE agency_id = ?9 AND object_key = ?10",
            )
            .map_err(db_err)?
            .execute(params![subject, control_type, o.address, o.district, lat, lon, risk, now, agency.to_string(), o.object_key, decided, reason, attributes])
            .map_err(db_err)?;
        if updated > 0 {
            counts.updated += 1;
        } else {
            tx.prepare_cached(
                "INSERT INTO control_objects (id, agency_id, object_key, subject_id, control_type_id, address, district,
                                              lat_e7, lon_e7, risk_category, updated_at, risk_decided_on, risk_reason,
                                              attributes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, COALESCE(?14, '{}'))",
            )
            .map_err(db_err)?
            .execute(params![
                uuid::Uuid::now_v7().to_string(),
                agency.to_string(),
                o.object_key,
                subject,
                control_type,
                o.address,
                o.district,
                lat,
                lon,
                risk,
                now,
                decided,
                reason,
                attributes
            ])
            .map_err(db_err)?;
            counts.inserted += 1;
        }
    }
    let mut audit = audit.clone();
    audit.detail =
        Some(serde_json::json!({ "inserted": counts.inserted, "updated": counts.updated }));
    if counts.updated > 0 {
        super::inspections::reference_changed(tx, agency)?;
    }
    insert_audit(tx, &audit)?;
    Ok(counts)
}

pub(super) fn known_inns(
    c: &Connection,
    agency: AgencyId,
    inns: &[String],
) -> StoreResult<Vec<String>> {
    let mut stmt = c
        .prepare_cached("SELECT inn FROM subjects WHERE agency_id = ?1 AND inn = ?2")
        .map_err(db_err)?;
    let mut known = Vec::new();
    for inn in inns {
        if let Some(found) = stmt
            .query_row(params![agency.to_string(), inn], |r| r.get::<_, String>(0))
            .optional()
            .map_err(db_err)?
        {
            known.push(found);
        }
    }
    Ok(known)
}

pub(super) fn list_subjects(
    c: &Connection,
    agency: AgencyId,
    after: Option<&str>,
    limit: u32,
) -> StoreResult<Vec<Subject>> {
    query_all(
        c,
        &sql::SUBJECTS,
        params![agency.to_string(), after.unwrap_or(""), limit],
        |r| sql::subject(r),
    )
}

pub(super) fn list_objects(
    c: &Connection,
    agency: AgencyId,
    district: Option<&str>,
    after: Option<&str>,
    limit: u32,
) -> StoreResult<Vec<ControlObject>> {
    query_all(
        c,
        &sql::OBJECTS,
        params![agency.to_string(), district, after.unwrap_or(""), limit],
        |r| sql::object(r),
    )
}

/// The agency's objects with these keys (those that exist), in key order.
pub(super) fn objects_by_keys(
    c: &Connection,
    agency: AgencyId,
    keys: &[String],
) -> StoreResult<Vec<ControlObject>> {
    let mut out = Vec::new();
    for key in keys {
        out.extend(query_opt(
            c,
            &OBJECT_BY_KEY,
            params![agency.to_string(), key],
            |r| sql::object(r),
        )?);
    }
    out.sort_by(|a, b| a.object_key.cmp(&b.object_key));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}

/// One key at a time: SQLite has no arrays (PostgreSQL asks for all with `ANY`).
static OBJECT_BY_KEY: Sql = Sql::only(concat!(
    sql::object_columns!(),
    " WHERE o.agency_id = ?1 AND o.object_key = ?2"
));

/// Records a risk-category decision (ч.1 ст.23: a decision with its date and reasons).
#[allow(clippy::too_many_arguments)]
pub(super) fn decide_risk(
    tx: &Transaction<'_>,
    agency: AgencyId,
    key: &str,
    category: RiskCategory,
    decided_on: time::Date,
    reason: &str,
    attributes: Option<&serde_json::Value>,
    audit: &AuditEntry,
) -> StoreResult<bool> {
    let n = execute(
        tx,
        &sql::DECIDE_RISK,
        params![
            category.as_str(),
            knd_shared::calendar::iso_date::format(decided_on),
            reason,
            attributes.map(|a| a.to_string()),
            ts(OffsetDateTime::now_utc()),
            agency.to_string(),
            key
        ],
    )?;
    if n > 0 {
        super::inspections::reference_changed(tx, agency)?;
        insert_audit(tx, audit)?;
    }
    Ok(n > 0)
}

/// The agency's subject with this INN.
pub(super) fn subject_by_inn(
    c: &Connection,
    agency: AgencyId,
    inn: &str,
) -> StoreResult<Option<Subject>> {
    query_opt(
        c,
        &sql::SUBJECT_BY_INN,
        params![agency.to_string(), inn],
        |r| sql::subject(r),
    )
}

#[async_trait::async_trait]
impl RegistryStore for SqliteStore {
    async fn put_control_type(
        &self,
        agency: AgencyId,
        code: &str,
        name: &str,
        rules: &ControlTypeRules,
        audit: &AuditEntry,
    ) -> StoreResult<ControlType> {
        let (code, name, rules, audit) = (
            code.to_owned(),
            name.to_owned(),
            rules.clone(),
            audit.clone(),
        );
        self.transact(move |tx| put_control_type(tx, agency, &code, &name, &rules, &audit))
            .await
    }

    async fn list_control_types(&self, agency: AgencyId) -> StoreResult<Vec<ControlType>> {
        self.read(move |c| list_control_types(c, agency)).await
    }

    async fn import_subjects(
        &self,
        agency: AgencyId,
        rows: &[NewSubject],
        audit: &AuditEntry,
    ) -> StoreResult<ImportCounts> {
        let (rows, audit) = (rows.to_vec(), audit.clone());
        self.transact(move |tx| import_subjects(tx, agency, &rows, &audit))
            .await
    }

    async fn import_objects(
        &self,
        agency: AgencyId,
        rows: &[NewObject],
        audit: &AuditEntry,
    ) -> StoreResult<ImportCounts> {
        let (rows, audit) = (rows.to_vec(), audit.clone());
        self.transact(move |tx| import_objects(tx, agency, &rows, &audit))
            .await
    }

    async fn known_inns(&self, agency: AgencyId, inns: &[String]) -> StoreResult<Vec<String>> {
        let inns = inns.to_vec();
        self.read(move |c| known_inns(c, agency, &inns)).await
    }

    async fn list_subjects(
        &self,
        agency: AgencyId,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Subject>> {
        let after = after.map(str::to_owned);
        self.read(move |c| list_subjects(c, agency, after.as_deref(), limit))
            .await
    }

    async fn list_objects(
        &self,
        agency: AgencyId,
        district: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ControlObject>> {
        let (district, after) = (district.map(str::to_owned), after.map(str::to_owned));
        self.read(move |c| list_objects(c, agency, district.as_deref(), after.as_deref(), limit))
            .await
    }

    async fn subject_by_inn(&self, agency: AgencyId, inn: &str) -> StoreResult<Option<Subject>> {
        let inn = inn.to_owned();
        self.read(move |c| subject_by_inn(c, agency, &inn)).await
    }

    async fn objects_by_keys(
        &self,
        agency: AgencyId,
        keys: &[String],
    ) -> StoreResult<Vec<ControlObject>> {
        let keys = keys.to_vec();
        self.read(move |c| objects_by_keys(c, agency, &keys)).await
    }

    async fn decide_risk(
        &self,
        agency: AgencyId,
        object_key: &str,
        category: RiskCategory,
        decided_on: Date,
        reason: &str,
        attributes: Option<&serde_json::Value>,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        let (key, reason, attributes, audit) = (
            object_key.to_owned(),
            reason.to_owned(),
            attributes.cloned(),
            audit.clone(),
        );
        self.transact(move |tx| {
            decide_risk(
                tx,
                agency,
                &key,
                category,
                decided_on,
                &reason,
                attributes.as_ref(),
                &audit,
            )
        })
        .await
    }
}
