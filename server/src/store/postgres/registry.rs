//! Control types, subjects and control objects.

use knd_shared::registry::ControlTypeRules;
use knd_shared::{AgencyId, RiskCategory};
use time::OffsetDateTime;
use tokio_postgres::{Client, GenericClient, Transaction};

use super::PgStore;
use super::cols::{execute, query_all, query_opt};
use super::{db_err, insert_audit};
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

pub(super) async fn put_control_type(
    tx: &Transaction<'_>,
    agency: AgencyId,
    code: &str,
    name: &str,
    rules: &ControlTypeRules,
    audit: &AuditEntry,
) -> StoreResult<ControlType> {
    let rules_json = serde_json::to_string(rules).map_err(|e| corrupt(&e.to_string()))?;
    let stored = query_opt(
        tx,
        &sql::PUT_CONTROL_TYPE,
        &[
            &uuid::Uuid::now_v7(),
            &agency.as_uuid(),
            &code,
            &name,
            &rules_json,
            &OffsetDateTime::now_utc(),
        ],
        sql::control_type,
    )
    .await?
    .ok_or_else(|| corrupt("the control type just written is missing"))?;
    execute(
        tx,
        &sql::RULES_VERSION,
        &[
            &stored.id,
            &audit.actor.label(),
            &OffsetDateTime::now_utc(),
            &sql::audit_reason(audit),
        ],
    )
    .await?;
    super::inspections::reference_changed(tx, agency).await?;
    insert_audit(tx, audit).await?;
    Ok(stored)
}

pub(super) async fn list_control_types(
    c: &Client,
    agency: AgencyId,
) -> StoreResult<Vec<ControlType>> {
    query_all(
        c,
        &sql::CONTROL_TYPES,
        &[&agency.as_uuid()],
        sql::control_type,
    )
    .await
}

/// Rows per statement in imports: one round trip per chunk instead of one per row.
const IMPORT_CHUNK: usize = 5_000;

/// Counts `RETURNING (xmax = 0)` rows: true for an inserted row, false for an updated one.
fn count(rows: &[tokio_postgres::Row], counts: &mut ImportCounts) {
    for r in rows {
        if r.get::<_, bool>(0) {
            counts.inserted += 1;
        } else {
            counts.updated += 1;
        }
    }
}

pub(super) async fn import_subjects(
    tx: &Transaction<'_>,
    agency: AgencyId,
    rows: &[NewSubject],
    audit: &AuditEntry,
) -> StoreResult<ImportCounts> {
    let now = OffsetDateTime::now_utc();
    let mut counts = ImportCounts::default();
    for chunk in rows.chunks(IMPORT_CHUNK) {
        let ids: Vec<uuid::Uuid> = chunk.iter().map(|_| uuid::Uuid::now_v7()).collect();
        let inns: Vec<&str> = chunk.iter().map(|s| s.inn.as_str()).collect();
        let ogrns: Vec<Option<&str>> = chunk
            .iter()
            .map(|s| s.ogrn.as_ref().map(|o| o.as_str()))
            .collect();
        let names: Vec<&str> = chunk.iter().map(|s| s.name.as_str()).collect();
        let sizes: Vec<&str> = chunk.iter().map(|s| s.size_class.as_str()).collect();
        // xmax = 0 tells an inserted row from an updated one.
        let done = tx
            .query(
                "INSERT INTO subjects (id, agency_id, inn, ogrn, name, size_class, updated_at)
                 SELECT u.id, $1, u.inn, u.ogrn, u.name, u.size_class, $2
                 FROM UNNEST($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])
                      AS u(id, inn, ogrn, name, size_class)
                 ON CONFLICT (agency_id, inn) DO UPDATE SET ogrn = excluded.ogrn, name = excluded.name,
                     size_class = excluded.size_class, updated_at = excluded.updated_at
                 RETURNING (xmax = 0)",
                &[&agency.as_uuid(), &now, &ids, &inns, &ogrns, &names, &sizes],
            )
            .await
            .map_err(db_err)?;
        count(&done, &mut counts);
    }
    let mut audit = audit.clone();
    audit.detail =
        Some(serde_json::json!({ "inserted": counts.inserted, "updated": counts.updated }));
    // Documents held while their addressee was unknown to the registry are announced now;
    // business events are numbered in commit order (see `postgres/filings.rs`).
    tx.execute("SELECT size FROM log_state WHERE id = 1 FOR UPDATE", &[])
        .await
        .map_err(db_err)?;
    execute(
        tx,
        &crate::store::sql::filings::REGISTRY_RELEASED_EVENTS,
        &[&agency.as_uuid(), &now],
    )
    .await?;
    // Last, after every other lock (see `inspections::lock_feed`).
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
    for chunk in rows.chunks(IMPORT_CHUNK) {
        let ids: Vec<uuid::Uuid> = chunk.iter().map(|_| uuid::Uuid::now_v7()).collect();
        let keys: Vec<&str> = chunk.iter().map(|o| o.object_key.as_str()).collect();
        let inns: Vec<&str> = chunk.iter().map(|o| o.subject_inn.as_str()).collect();
        let codes: Vec<&str> = chunk.iter().map(|o| o.control_type_code.as_str()).collect();
        let addresses: Vec<&str> = chunk.iter().map(|o| o.address.as_str()).collect();
        let districts: Vec<&str> = chunk.iter().map(|o| o.district.as_str()).collect();
        let lats: Vec<Option<i64>> = chunk.iter().map(|o| o.position.map(|p| p.0)).collect();
        let lons: Vec<Option<i64>> = chunk.iter().map(|o| o.position.map(|p| p.1)).collect();
        let risks: Vec<Option<&str>> = chunk
            .iter()
            .map(|o| o.risk_category.map(RiskCategory::as_str))
            .collect();
        let decided: Vec<Option<time::Date>> = chunk
            .iter()
            .map(|o| o.risk_decision.as_ref().map(|d| d.0))
            .collect();
        let reasons: Vec<Option<&str>> = chunk
            .iter()
            .map(|o| o.risk_decision.as_ref().map(|d| d.1.as_str()))
            .collect();
        let attributes: Vec<Option<String>> = chunk
            .iter()
            .map(|o| o.attributes.as_ref().map(serde_json::Value::to_string))
            .collect();
        let done = tx
            .query(
                "INSERT INTO control_objects (id, agency_id, object_key, subject_id, control_type_id, address,
                                              district, lat_e7, lon_e7, risk_category, updated_at,
                                              risk_decided_on, risk_reason, attributes)
                 SELECT u.id, $1, u.key, s.id, t.id, u.address, u.district, u.lat, u.lon, u.risk, $2,
                        u.decided, u.reason, COALESCE(u.attributes, '{}')
                 FROM UNNEST($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                             $9::int8[], $10::int8[], $11::text[], $12::date[], $13::text[],
                             $14::text[])
                      AS u(id, key, inn, code, address, district, lat, lon, risk, decided, reason,
                           attributes)
                 JOIN subjects s ON s.agency_id = $1 AND s.inn = u.inn
                 JOIN control_types t ON t.agency_id = $1 AND t.code = u.code
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
                 RETURNING (xmax = 0), object_key",
                &[
                    &agency.as_uuid(),
                    &now,
                    &ids,
                    &keys,
                    &inns,
                    &codes,
                    &addresses,
                    &districts,
                    &lats,
                    &lons,
                    &risks,
                    &decided,
                    &reasons,
                    &attributes,
                ],
            )
            .await
            .map_err(db_err)?;
        if done.len() != chunk.len() {
            // The caller checked; a row deleted meanwhile is a missing reference on both backends.
            return Err(StoreError::Constraint(Violation::MissingReference));
        }
        count(&done, &mut counts);
        // An object already stored takes the attributes the file gives (an empty cell keeps
        // its own): the upsert cannot tell an empty cell from `{}`, so these few go after it.
        let updated: std::collections::HashSet<String> = done
            .iter()
            .filter(|r| !r.get::<_, bool>(0))
            .map(|r| r.get::<_, String>(1))
            .collect();
        let (given_keys, given): (Vec<&str>, Vec<&str>) = chunk
            .iter()
            .zip(&attributes)
            .filter(|(o, _)| updated.contains(&o.object_key))
            .filter_map(|(o, a)| a.as_deref().map(|a| (o.object_key.as_str(), a)))
            .unzip();
        if !given.is_empty() {
            tx.execute(
                "UPDATE control_objects o SET attributes = u.attributes
                 FROM UNNEST($2::text[], $3::text[]) AS u(key, attributes)
                 WHERE o.agency_id = $1 AND o.object_key = u.key",
                &[&agency.as_uuid(), &given_keys, &given],
            )
            .await
            .map_err(db_err)?;
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
    query_all(
        c,
        &sql::SUBJECTS,
        &[&agency.as_uuid(), &after.unwrap_or(""), &i64::from(limit)],
        sql::subject,
    )
    .await
}

/// The agency's subject with this INN.
pub(super) async fn subject_by_inn(
    c: &impl GenericClient,
    agency: AgencyId,
    inn: &str,
) -> StoreResult<Option<Subject>> {
    query_opt(
        c,
        &sql::SUBJECT_BY_INN,
        &[&agency.as_uuid(), &inn],
        sql::subject,
    )
    .await
}

pub(super) async fn list_objects(
    c: &Client,
    agency: AgencyId,
    district: Option<&str>,
    after: Option<&str>,
    limit: u32,
) -> StoreResult<Vec<ControlObject>> {
    query_all(
        c,
        &sql::OBJECTS,
        &[
            &agency.as_uuid(),
            &district,
            &after.unwrap_or(""),
            &i64::from(limit),
        ],
        sql::object,
    )
    .await
}

/// All the keys in one query (SQLite asks one key at a time).
static OBJECTS_BY_KEYS: Sql = Sql::only(concat!(
    sql::object_columns!(),
    " WHERE o.agency_id = $1 AND o.object_key = ANY($2)"
));

/// The agency's objects with these keys (those that exist), in key order.
pub(super) async fn objects_by_keys(
    c: &impl GenericClient,
    agency: AgencyId,
    keys: &[String],
) -> StoreResult<Vec<ControlObject>> {
    let mut out = query_all(
        c,
        &OBJECTS_BY_KEYS,
        &[&agency.as_uuid(), &keys],
        sql::object,
    )
    .await?;
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
    let n = execute(
        tx,
        &sql::DECIDE_RISK,
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
    .await?;
    if n > 0 {
        super::inspections::reference_changed(tx, agency).await?;
        insert_audit(tx, audit).await?;
    }
    Ok(n > 0)
}

impl PgStore {
    /// After a bulk import, the planner's statistics of `table` are refreshed at once (autovacuum
    /// would get to it later): the first pulls after a planner imports a registry are planned
    /// on the table as it now is. Cheap next to the import; small imports skip it.
    async fn refresh_statistics(
        &self,
        table: &'static str,
        counts: ImportCounts,
    ) -> StoreResult<ImportCounts> {
        if counts.inserted + counts.updated >= 10_000 {
            self.client()
                .await?
                .batch_execute(&format!("ANALYZE {table}"))
                .await
                .map_err(db_err)?;
        }
        Ok(counts)
    }
}

#[async_trait::async_trait]
impl RegistryStore for PgStore {
    async fn put_control_type(
        &self,
        agency: AgencyId,
        code: &str,
        name: &str,
        rules: &ControlTypeRules,
        audit: &AuditEntry,
    ) -> StoreResult<ControlType> {
        transact!(self, |tx| put_control_type(
            &tx, agency, code, name, rules, audit
        )
        .await?)
    }

    async fn list_control_types(&self, agency: AgencyId) -> StoreResult<Vec<ControlType>> {
        list_control_types(&**self.client().await?, agency).await
    }

    async fn import_subjects(
        &self,
        agency: AgencyId,
        rows: &[NewSubject],
        audit: &AuditEntry,
    ) -> StoreResult<ImportCounts> {
        let counts: StoreResult<ImportCounts> =
            transact!(self, |tx| import_subjects(&tx, agency, rows, audit).await?);
        self.refresh_statistics("subjects", counts?).await
    }

    async fn import_objects(
        &self,
        agency: AgencyId,
        rows: &[NewObject],
        audit: &AuditEntry,
    ) -> StoreResult<ImportCounts> {
        let counts: StoreResult<ImportCounts> =
            transact!(self, |tx| import_objects(&tx, agency, rows, audit).await?);
        self.refresh_statistics("control_objects", counts?).await
    }

    async fn known_inns(&self, agency: AgencyId, inns: &[String]) -> StoreResult<Vec<String>> {
        known_inns(&**self.client().await?, agency, inns).await
    }

    async fn list_subjects(
        &self,
        agency: AgencyId,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Subject>> {
        list_subjects(&**self.client().await?, agency, after, limit).await
    }

    async fn list_objects(
        &self,
        agency: AgencyId,
        district: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ControlObject>> {
        list_objects(&**self.client().await?, agency, district, after, limit).await
    }

    async fn subject_by_inn(&self, agency: AgencyId, inn: &str) -> StoreResult<Option<Subject>> {
        subject_by_inn(&**self.client().await?, agency, inn).await
    }

    async fn objects_by_keys(
        &self,
        agency: AgencyId,
        keys: &[String],
    ) -> StoreResult<Vec<ControlObject>> {
        objects_by_keys(&**self.client().await?, agency, keys).await
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
        transact!(self, |tx| decide_risk(
            &tx, agency, object_key, category, decided_on, reason, attributes, audit
        )
        .await?)
    }
}
