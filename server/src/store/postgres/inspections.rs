//! Inspections, their assignment and status history, and the change feed pull reads.

use knd_shared::{AgencyId, Ground, InspectionId, InspectionKind, UserId};
use time::OffsetDateTime;
use tokio_postgres::{GenericClient, Transaction};

use super::PgStore;
use super::cols::{execute, query_all, query_opt};
use super::{db_err, insert_audit};
use crate::model::{AuditEntry, Change, Inspection, InspectionFilter, InspectionStatus};
use crate::store::InspectionStore;
use crate::store::cols::Cols as _;
use crate::store::inspections::consequences;
use crate::store::sql::inspections as sql;
use crate::store::{StoreError, StoreResult};
use knd_shared::registry::SizeClass;
use time::Date;

/// Writes `insp` (new when `prev` is `None`), refusing with a conflict when the stored row is no
/// longer `prev`; the change feed gets an entry for every inspector the change concerns.
pub(super) async fn save_inspection(
    tx: &Transaction<'_>,
    insp: &Inspection,
    prev: Option<&Inspection>,
    what: &str,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let now = insp.updated_at;
    let id = insp.id.as_uuid();
    let checklist = insp.checklist_id;
    match prev {
        None => {
            tx.execute(
                sql::INSERT_INSPECTION.pg(),
                &[
                    &id,
                    &insp.agency.as_uuid(),
                    &insp.kind.as_str(),
                    &insp.basis(),
                    &insp.subject_id,
                    &insp.control_type_id,
                    &checklist,
                    &insp.starts_on,
                    &insp.ends_on,
                    &insp.status.as_str(),
                    &insp.note,
                    &insp.created_by.map(|u| u.as_uuid()),
                    &insp.created_at,
                    &now,
                    &insp.ground.as_str(),
                    &insp
                        .prosecutor_agreement
                        .as_ref()
                        .map(|p| p.reference.as_str()),
                    &insp.prosecutor_agreement.as_ref().map(|p| p.date),
                    &insp.erknm,
                    &insp.subject_size.map(SizeClass::as_str),
                ],
            )
            .await
            .map_err(db_err)?;
        }
        Some(p) => {
            let n = tx
                .execute(
                    sql::UPDATE_INSPECTION.pg(),
                    &[
                        &checklist,
                        &insp.starts_on,
                        &insp.ends_on,
                        &insp.status.as_str(),
                        &insp.note,
                        &now,
                        &id,
                        &p.updated_at,
                        &insp.ground.as_str(),
                        &insp.basis(),
                        &insp
                            .prosecutor_agreement
                            .as_ref()
                            .map(|p| p.reference.as_str()),
                        &insp.prosecutor_agreement.as_ref().map(|p| p.date),
                        &insp.erknm,
                    ],
                )
                .await
                .map_err(db_err)?;
            if n == 0 {
                return Err(StoreError::Stale);
            }
            tx.execute(sql::DELETE_INSPECTION_OBJECTS.pg(), &[&id])
                .await
                .map_err(db_err)?;
            tx.execute(sql::DELETE_INSPECTION_SUBJECTS.pg(), &[&id])
                .await
                .map_err(db_err)?;
        }
    }
    for (subject, _) in &insp.other_subjects {
        tx.execute(sql::INSERT_INSPECTION_SUBJECT.pg(), &[&id, subject])
            .await
            .map_err(db_err)?;
    }
    for (object, _) in &insp.objects {
        tx.execute(sql::INSERT_INSPECTION_OBJECT.pg(), &[&id, object])
            .await
            .map_err(db_err)?;
    }
    let consequences = consequences(insp, prev);
    for gone in &consequences.unassigned {
        tx.execute(sql::END_ASSIGNMENT.pg(), &[&now, &id, &gone.as_uuid()])
            .await
            .map_err(db_err)?;
    }
    for new in &consequences.assigned {
        tx.execute(sql::INSERT_ASSIGNMENT.pg(), &[&id, &new.as_uuid(), &now])
            .await
            .map_err(db_err)?;
    }
    if consequences.status_logged {
        tx.execute(sql::INSERT_STATUS.pg(), &[&id, &insp.status.as_str(), &now])
            .await
            .map_err(db_err)?;
    }
    // Devices hear of it when it is (or was) on them (see `consequences`).
    if !consequences.notified.is_empty() {
        lock_feed(tx).await?;
    }
    for user in &consequences.notified {
        tx.execute(
            sql::INSERT_CHANGE.pg(),
            &[&insp.agency.as_uuid(), &user.as_uuid(), &id, &what, &now],
        )
        .await
        .map_err(db_err)?;
    }
    insert_audit(tx, audit).await
}

/// Reads the inspection's lists after its row.
async fn with_lists(c: &impl GenericClient, mut insp: Inspection) -> StoreResult<Inspection> {
    let id = insp.id.as_uuid();
    insp.objects = query_all(c, &sql::OBJECTS_OF, &[&id], sql::id_and_key).await?;
    insp.other_subjects = query_all(c, &sql::OTHER_SUBJECTS, &[&id], sql::id_and_key).await?;
    insp.inspectors = query_all(c, &sql::INSPECTORS_OF, &[&id], sql::inspector).await?;
    Ok(insp)
}

pub(super) async fn get_inspection(
    c: &impl GenericClient,
    agency: Option<AgencyId>,
    id: InspectionId,
) -> StoreResult<Option<Inspection>> {
    let row = query_opt(
        c,
        &sql::INSPECTION,
        &[&id.as_uuid(), &agency.map(|a| a.as_uuid())],
        sql::inspection,
    )
    .await?;
    match row {
        Some(insp) => Ok(Some(with_lists(c, insp).await?)),
        None => Ok(None),
    }
}

/// The agency's inspections by start date then id, after `after` (keyset pagination).
pub(super) async fn list_inspections(
    c: &impl GenericClient,
    agency: AgencyId,
    f: &InspectionFilter,
    after: Option<(time::Date, InspectionId)>,
    limit: u32,
) -> StoreResult<Vec<Inspection>> {
    let (after_date, after_id) = after.unzip();
    let rows = query_all(
        c,
        &sql::INSPECTIONS,
        &[
            &agency.as_uuid(),
            &f.status.map(InspectionStatus::as_str),
            &f.inspector.map(|u| u.as_uuid()),
            &f.from,
            &f.to,
            &after_date,
            &after_id.map(|i| i.as_uuid()),
            &i64::from(limit),
            &f.kind.map(InspectionKind::as_str),
            &f.ground.map(Ground::as_str),
            &f.starts_from,
            &f.starts_to,
            &f.ends_from,
            &f.ends_to,
            &f.overdue_on,
        ],
        sql::inspection,
    )
    .await?;
    let ids: Vec<InspectionId> = rows.iter().map(|i| i.id).collect();
    super::pull::with_lists_of(c, &ids, rows).await
}

/// The inspector's feed after `after`, oldest first.
pub(super) async fn changes_for(
    c: &impl GenericClient,
    agency: AgencyId,
    user: UserId,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<Change>> {
    query_all(
        c,
        &sql::CHANGES_FOR,
        &[
            &after,
            &user.as_uuid(),
            &agency.as_uuid(),
            &i64::from(limit),
        ],
        sql::change,
    )
    .await
}

pub(super) async fn feed_bounds(c: &impl GenericClient) -> StoreResult<(i64, i64)> {
    query_opt(c, &sql::FEED_BOUNDS, &[], sql::bounds)
        .await?
        .ok_or_else(|| StoreError::Corrupt("no change feed state".into()))
}

/// Deletes changes older than `before`; cursors below the new floor get a snapshot.
pub(super) async fn prune_changes(
    tx: &Transaction<'_>,
    before: OffsetDateTime,
) -> StoreResult<u64> {
    let floor = query_opt(tx, &sql::NEWEST_CHANGE_BEFORE, &[&before], |r| r.opt_i64(0)).await?;
    let Some(floor) = floor.flatten() else {
        return Ok(0);
    };
    let n = execute(tx, &sql::DELETE_CHANGES_UPTO, &[&floor]).await?;
    execute(tx, &sql::RAISE_FLOOR, &[&floor]).await?;
    Ok(n)
}

/// The inspections the user is assigned to now and that devices carry, by id after `after`.
pub(super) async fn assigned_inspections(
    c: &impl GenericClient,
    user: UserId,
    after: Option<InspectionId>,
    limit: u32,
) -> StoreResult<Vec<InspectionId>> {
    Ok(c.query(
        sql::ASSIGNED.pg(),
        &[
            &user.as_uuid(),
            &after.map(|a| a.as_uuid()),
            &i64::from(limit),
        ],
    )
    .await
    .map_err(db_err)?
    .iter()
    .map(|r| InspectionId::from(r.get::<_, uuid::Uuid>(0)))
    .collect())
}

/// Takes the change feed's lock, held to the end of the transaction: the next change's id is
/// drawn only after every transaction that drew one before has committed, so ids follow commit
/// order and a device's cursor never passes a change committed later (with a sequence alone, a
/// transaction that drew id 10 could commit after one that drew 11, and a pull between them
/// would move the cursor past 10 for good). A transaction takes it as its last lock, right
/// before its changes (only its audit entry follows), so the holder never waits on another
/// lock and no deadlock can form around it.
pub(super) async fn lock_feed(tx: &Transaction<'_>) -> StoreResult<()> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&super::FEED_LOCK])
        .await
        .map_err(db_err)
        .map(drop)
}

/// Notes in the feed that reference data of the agency changed (control types, requirements,
/// checklists, object risk): devices get a fresh snapshot of their assignments. Called last in
/// its transaction (see [`lock_feed`]).
pub(super) async fn reference_changed(tx: &Transaction<'_>, agency: AgencyId) -> StoreResult<()> {
    lock_feed(tx).await?;
    tx.execute(
        sql::INSERT_REFERENCE_CHANGE.pg(),
        &[&agency.as_uuid(), &OffsetDateTime::now_utc()],
    )
    .await
    .map_err(db_err)?;
    Ok(())
}

#[async_trait::async_trait]
impl InspectionStore for PgStore {
    async fn save_inspection(
        &self,
        inspection: &Inspection,
        prev: Option<&Inspection>,
        what: &str,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        transact!(self, |tx| save_inspection(
            &tx, inspection, prev, what, audit
        )
        .await?)
    }

    async fn get_inspection(
        &self,
        agency: Option<AgencyId>,
        id: InspectionId,
    ) -> StoreResult<Option<Inspection>> {
        get_inspection(&**self.client().await?, agency, id).await
    }

    async fn list_inspections(
        &self,
        agency: AgencyId,
        filter: &InspectionFilter,
        after: Option<(Date, InspectionId)>,
        limit: u32,
    ) -> StoreResult<Vec<Inspection>> {
        list_inspections(&**self.client().await?, agency, filter, after, limit).await
    }

    async fn status_history(
        &self,
        inspection: InspectionId,
    ) -> StoreResult<Vec<(InspectionStatus, OffsetDateTime)>> {
        let c = self.client().await?;
        query_all(
            &**c,
            &sql::STATUS_HISTORY,
            &[&inspection.as_uuid()],
            sql::status_line,
        )
        .await
    }

    async fn changes_for(
        &self,
        agency: AgencyId,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Change>> {
        changes_for(&**self.client().await?, agency, user, after, limit).await
    }

    async fn feed_bounds(&self) -> StoreResult<(i64, i64)> {
        feed_bounds(&**self.client().await?).await
    }

    async fn prune_changes(&self, before: OffsetDateTime) -> StoreResult<u64> {
        transact!(self, |tx| prune_changes(&tx, before).await?)
    }

    async fn assigned_inspections(
        &self,
        user: UserId,
        after: Option<InspectionId>,
        limit: u32,
    ) -> StoreResult<Vec<InspectionId>> {
        assigned_inspections(&**self.client().await?, user, after, limit).await
    }
}
