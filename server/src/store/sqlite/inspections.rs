//! Inspections, their assignment and status history, and the change feed pull reads.

use knd_shared::{AgencyId, Ground, InspectionId, InspectionKind, UserId};
use rusqlite::{Connection, Transaction, params};
use time::OffsetDateTime;

use super::SqliteStore;
use super::cols::{execute, query_all, query_opt};
use super::{db_err, insert_audit, parse_uuid, ts};
use crate::model::{AuditEntry, Change, Inspection, InspectionFilter, InspectionStatus};
use crate::store::InspectionStore;
use crate::store::cols::Cols as _;
use crate::store::inspections::consequences;
use crate::store::sql::inspections as sql;
use crate::store::{StoreError, StoreResult};
use knd_shared::calendar::iso_date;
use knd_shared::registry::SizeClass;
use time::Date;

/// Writes `insp` (new when `prev` is `None`), refusing with a conflict when the stored row is no
/// longer `prev`; the change feed gets an entry for every inspector the change concerns.
pub(super) fn save_inspection(
    tx: &Transaction<'_>,
    insp: &Inspection,
    prev: Option<&Inspection>,
    what: &str,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let now = insp.updated_at;
    let id = insp.id.to_string();
    match prev {
        None => {
            tx.execute(
                sql::INSERT_INSPECTION.sqlite(),
                params![
                    id,
                    insp.agency.to_string(),
                    insp.kind.as_str(),
                    insp.basis(),
                    insp.subject_id.to_string(),
                    insp.control_type_id.to_string(),
                    insp.checklist_id.map(|c| c.to_string()),
                    iso_date::format(insp.starts_on),
                    iso_date::format(insp.ends_on),
                    insp.status.as_str(),
                    insp.note,
                    insp.created_by.map(|u| u.to_string()),
                    ts(insp.created_at),
                    ts(now),
                    insp.ground.as_str(),
                    insp.prosecutor_agreement.as_ref().map(|p| &p.reference),
                    insp.prosecutor_agreement
                        .as_ref()
                        .map(|p| iso_date::format(p.date)),
                    insp.erknm,
                    insp.subject_size.map(SizeClass::as_str),
                ],
            )
            .map_err(db_err)?;
        }
        Some(p) => {
            let n = tx
                .execute(
                    sql::UPDATE_INSPECTION.sqlite(),
                    params![
                        insp.checklist_id.map(|c| c.to_string()),
                        iso_date::format(insp.starts_on),
                        iso_date::format(insp.ends_on),
                        insp.status.as_str(),
                        insp.note,
                        ts(now),
                        id,
                        ts(p.updated_at),
                        insp.ground.as_str(),
                        insp.basis(),
                        insp.prosecutor_agreement.as_ref().map(|p| &p.reference),
                        insp.prosecutor_agreement
                            .as_ref()
                            .map(|p| iso_date::format(p.date)),
                        insp.erknm,
                    ],
                )
                .map_err(db_err)?;
            if n == 0 {
                return Err(StoreError::Stale);
            }
            tx.execute(sql::DELETE_INSPECTION_OBJECTS.sqlite(), [&id])
                .map_err(db_err)?;
            tx.execute(sql::DELETE_INSPECTION_SUBJECTS.sqlite(), [&id])
                .map_err(db_err)?;
        }
    }
    for (subject, _) in &insp.other_subjects {
        tx.execute(
            sql::INSERT_INSPECTION_SUBJECT.sqlite(),
            params![id, subject.to_string()],
        )
        .map_err(db_err)?;
    }
    for (object, _) in &insp.objects {
        tx.execute(
            sql::INSERT_INSPECTION_OBJECT.sqlite(),
            params![id, object.to_string()],
        )
        .map_err(db_err)?;
    }
    let consequences = consequences(insp, prev);
    for gone in &consequences.unassigned {
        tx.execute(
            sql::END_ASSIGNMENT.sqlite(),
            params![ts(now), id, gone.to_string()],
        )
        .map_err(db_err)?;
    }
    for new in &consequences.assigned {
        tx.execute(
            sql::INSERT_ASSIGNMENT.sqlite(),
            params![id, new.to_string(), ts(now)],
        )
        .map_err(db_err)?;
    }
    if consequences.status_logged {
        tx.execute(
            sql::INSERT_STATUS.sqlite(),
            params![id, insp.status.as_str(), ts(now)],
        )
        .map_err(db_err)?;
    }
    // Devices hear of it when it is (or was) on them (see `consequences`).
    for user in &consequences.notified {
        tx.execute(
            sql::INSERT_CHANGE.sqlite(),
            params![insp.agency.to_string(), user.to_string(), id, what, ts(now)],
        )
        .map_err(db_err)?;
    }
    insert_audit(tx, audit)
}

/// Reads the inspection's lists after its row.
fn with_lists(c: &Connection, mut insp: Inspection) -> StoreResult<Inspection> {
    let id = insp.id.to_string();
    insp.objects = query_all(c, &sql::OBJECTS_OF, [&id], |r| sql::id_and_key(r))?;
    insp.other_subjects = query_all(c, &sql::OTHER_SUBJECTS, [&id], |r| sql::id_and_key(r))?;
    insp.inspectors = query_all(c, &sql::INSPECTORS_OF, [&id], |r| sql::inspector(r))?;
    Ok(insp)
}

pub(super) fn get_inspection(
    c: &Connection,
    agency: Option<AgencyId>,
    id: InspectionId,
) -> StoreResult<Option<Inspection>> {
    query_opt(
        c,
        &sql::INSPECTION,
        params![id.to_string(), agency.map(|a| a.to_string())],
        |r| sql::inspection(r),
    )?
    .map(|insp| with_lists(c, insp))
    .transpose()
}

/// The agency's inspections by start date then id, after `after` (keyset pagination).
pub(super) fn list_inspections(
    c: &Connection,
    agency: AgencyId,
    f: &InspectionFilter,
    after: Option<(time::Date, InspectionId)>,
    limit: u32,
) -> StoreResult<Vec<Inspection>> {
    let (after_date, after_id) = after.map_or((String::new(), String::new()), |(d, i)| {
        (iso_date::format(d), i.to_string())
    });
    let found = query_all(
        c,
        &sql::INSPECTIONS,
        params![
            agency.to_string(),
            f.status.map(InspectionStatus::as_str),
            f.inspector.map(|u| u.to_string()),
            f.from.map(iso_date::format),
            f.to.map(iso_date::format),
            after_date,
            after_id,
            limit,
            f.kind.map(InspectionKind::as_str),
            f.ground.map(Ground::as_str),
            f.starts_from.map(iso_date::format),
            f.starts_to.map(iso_date::format),
            f.ends_from.map(iso_date::format),
            f.ends_to.map(iso_date::format),
            f.overdue_on.map(iso_date::format),
        ],
        |r| sql::inspection(r),
    )?;
    let ids: Vec<InspectionId> = found.iter().map(|i| i.id).collect();
    super::pull::with_lists_of(c, &ids, found)
}

/// The inspector's feed after `after`, oldest first.
pub(super) fn changes_for(
    c: &Connection,
    agency: AgencyId,
    user: UserId,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<Change>> {
    query_all(
        c,
        &sql::CHANGES_FOR,
        params![after, user.to_string(), agency.to_string(), limit],
        |r| sql::change(r),
    )
}

pub(super) fn feed_bounds(c: &Connection) -> StoreResult<(i64, i64)> {
    query_opt(c, &sql::FEED_BOUNDS, [], |r| sql::bounds(r))?
        .ok_or_else(|| StoreError::Corrupt("no change feed state".into()))
}

/// Deletes changes older than `before`; cursors below the new floor get a snapshot.
pub(super) fn prune_changes(tx: &Transaction<'_>, before: OffsetDateTime) -> StoreResult<u64> {
    let floor = query_opt(tx, &sql::NEWEST_CHANGE_BEFORE, [ts(before)], |r| {
        r.opt_i64(0)
    })?;
    let Some(floor) = floor.flatten() else {
        return Ok(0);
    };
    let n = execute(tx, &sql::DELETE_CHANGES_UPTO, [floor])?;
    execute(tx, &sql::RAISE_FLOOR, [floor])?;
    Ok(n as u64)
}

/// The inspections the user is assigned to now and that devices carry, by id after `after`.
pub(super) fn assigned_inspections(
    c: &Connection,
    user: UserId,
    after: Option<InspectionId>,
    limit: u32,
) -> StoreResult<Vec<InspectionId>> {
    let rows = c
        .prepare_cached(sql::ASSIGNED.sqlite())
        .map_err(db_err)?
        .query_map(
            params![
                user.to_string(),
                after.map(|a| a.to_string()).unwrap_or_default(),
                limit
            ],
            |r| r.get::<_, String>(0),
        )
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    rows.iter()
        .map(|s| parse_uuid(s).map(InspectionId::from))
        .collect()
}

/// Notes in the feed that reference data of the agency changed (control types, requirements,
/// checklists, object risk): devices get a fresh snapshot of their assignments.
pub(super) fn reference_changed(tx: &Transaction<'_>, agency: AgencyId) -> StoreResult<()> {
    tx.execute(
        sql::INSERT_REFERENCE_CHANGE.sqlite(),
        params![agency.to_string(), ts(OffsetDateTime::now_utc())],
    )
    .map_err(db_err)?;
    Ok(())
}

#[async_trait::async_trait]
impl InspectionStore for SqliteStore {
    async fn save_inspection(
        &self,
        inspection: &Inspection,
        prev: Option<&Inspection>,
        what: &str,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        let (i, p, w, a) = (
            inspection.clone(),
            prev.cloned(),
            what.to_owned(),
            audit.clone(),
        );
        self.transact(move |tx| save_inspection(tx, &i, p.as_ref(), &w, &a))
            .await
    }

    async fn get_inspection(
        &self,
        agency: Option<AgencyId>,
        id: InspectionId,
    ) -> StoreResult<Option<Inspection>> {
        self.read(move |c| get_inspection(c, agency, id)).await
    }

    async fn list_inspections(
        &self,
        agency: AgencyId,
        filter: &InspectionFilter,
        after: Option<(Date, InspectionId)>,
        limit: u32,
    ) -> StoreResult<Vec<Inspection>> {
        let f = filter.clone();
        self.read(move |c| list_inspections(c, agency, &f, after, limit))
            .await
    }

    async fn status_history(
        &self,
        inspection: InspectionId,
    ) -> StoreResult<Vec<(InspectionStatus, OffsetDateTime)>> {
        self.read(move |c| {
            query_all(c, &sql::STATUS_HISTORY, [inspection.to_string()], |r| {
                sql::status_line(r)
            })
        })
        .await
    }

    async fn changes_for(
        &self,
        agency: AgencyId,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Change>> {
        self.read(move |c| changes_for(c, agency, user, after, limit))
            .await
    }

    async fn feed_bounds(&self) -> StoreResult<(i64, i64)> {
        self.read(feed_bounds).await
    }

    async fn prune_changes(&self, before: OffsetDateTime) -> StoreResult<u64> {
        self.transact(move |tx| prune_changes(tx, before)).await
    }

    async fn assigned_inspections(
        &self,
        user: UserId,
        after: Option<InspectionId>,
        limit: u32,
    ) -> StoreResult<Vec<InspectionId>> {
        self.read(move |c| assigned_inspections(c, user, after, limit))
            .await
    }
}
