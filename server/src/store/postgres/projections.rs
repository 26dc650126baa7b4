//! Projections of accepted records (findings, photos, documents, progress, review flags).

use knd_shared::{InspectionId, RecordId, UserId};
use time::OffsetDateTime;
use tokio_postgres::{GenericClient, Row, Transaction};

use super::PgStore;
use super::cols::query_opt;
use super::{db_err, i64_of};
use crate::model::{InspectionAt, ProjOp, ProjectionPosition, RowKind};
use crate::store::ProjectionStore;
use crate::store::cols::Cols as _;
use crate::store::sql::projections as sql;
use crate::store::{StoreError, StoreResult};

pub(super) fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

pub(super) fn opt_id<T: From<uuid::Uuid>>(r: &Row, i: usize) -> Option<T> {
    r.get::<_, Option<uuid::Uuid>>(i).map(T::from)
}

pub(super) fn id<T: From<uuid::Uuid>>(r: &Row, i: usize) -> T {
    T::from(r.get::<_, uuid::Uuid>(i))
}

pub(super) async fn projection_position(c: &impl GenericClient) -> StoreResult<ProjectionPosition> {
    query_opt(c, &sql::PROJECTION_POSITION, &[], sql::position)
        .await?
        .ok_or_else(|| corrupt("no projection state".into()))
}

pub(super) async fn inspection_at(
    c: &impl GenericClient,
    inspection: InspectionId,
    at: OffsetDateTime,
    user: Option<UserId>,
) -> StoreResult<Option<InspectionAt>> {
    let iid = inspection.as_uuid();
    let Some(head) = query_opt(c, &sql::INSPECTION_HEAD, &[&iid], sql::inspection_head).await?
    else {
        return Ok(None);
    };
    let status = query_opt(c, &sql::STATUS_AT, &[&iid, &at], sql::status).await?;
    let assigned = match user {
        None => None,
        Some(u) => {
            query_opt(c, &sql::ASSIGNED_AT, &[&iid, &u.as_uuid(), &at], |r| {
                r.bool(0)
            })
            .await?
        }
    };
    Ok(Some(InspectionAt {
        agency: head.agency,
        subject_inn: head.subject_inn,
        status,
        assigned: assigned == Some(true),
        interaction_limit_minutes: head.interaction_limit_minutes,
        starts_on: head.starts_on,
        ends_on: head.ends_on,
    }))
}

pub(super) async fn other_act(
    c: &impl GenericClient,
    inspection: InspectionId,
    except: RecordId,
) -> StoreResult<bool> {
    let other = query_opt(
        c,
        &sql::OTHER_ACT,
        &[&inspection.as_uuid(), &except.as_uuid()],
        |r| r.bool(0),
    )
    .await?;
    Ok(other == Some(true))
}

pub(super) async fn superseded_by(
    c: &impl GenericClient,
    table: RowKind,
    record: RecordId,
) -> StoreResult<Option<RecordId>> {
    let by = query_opt(c, sql::superseded_by(table), &[&record.as_uuid()], |r| {
        r.opt_id(0)
    })
    .await?;
    Ok(by.flatten())
}

fn json_text<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| corrupt(e.to_string()))
}

pub(super) async fn apply_projection(
    tx: &Transaction<'_>,
    ops: &[ProjOp],
    upto: u64,
) -> StoreResult<()> {
    for op in ops {
        match op {
            ProjOp::Started {
                inspection,
                record,
                at,
            } => {
                tx.execute(
                    sql::STARTED.pg(),
                    &[&inspection.as_uuid(), &record.as_uuid(), at],
                )
                .await
                .map_err(db_err)?;
            }
            ProjOp::Finished {
                inspection,
                record,
                at,
            } => {
                tx.execute(
                    sql::FINISHED.pg(),
                    &[&inspection.as_uuid(), &record.as_uuid(), at],
                )
                .await
                .map_err(db_err)?;
            }
            ProjOp::Finding(f) => {
                tx.execute(
                    sql::INSERT_FINDING.pg(),
                    &[
                        &f.record.as_uuid(),
                        &f.inspection.as_uuid(),
                        &f.item,
                        &f.result,
                        &f.note,
                        &json_text(&f.photos)?,
                        &f.device.as_uuid(),
                        &f.at,
                        &f.version.supersedes.map(|c| c.as_uuid()),
                        &f.version.reason,
                        &f.version.superseded_by.map(|c| c.as_uuid()),
                    ],
                )
                .await
                .map_err(db_err)?;
            }
            ProjOp::Photo(p) => {
                tx.execute(
                    sql::INSERT_PHOTO.pg(),
                    &[
                        &p.record.as_uuid(),
                        &p.inspection.as_uuid(),
                        &p.sha256.as_bytes().as_slice(),
                        &p.agency.as_uuid(),
                        &i64_of(p.size)?,
                        &p.mime,
                        &p.taken_at,
                        &p.lat_e7,
                        &p.lon_e7,
                        &json_text(&p.warnings)?,
                        &p.at,
                        &p.version.supersedes.map(|c| c.as_uuid()),
                        &p.version.reason,
                        &p.version.superseded_by.map(|c| c.as_uuid()),
                    ],
                )
                .await
                .map_err(db_err)?;
            }
            ProjOp::Document(d) => {
                tx.execute(
                    sql::INSERT_DOCUMENT.pg(),
                    &[
                        &d.record.as_uuid(),
                        &d.kind,
                        &d.inspection.map(|i| i.as_uuid()),
                        &d.subject_inn,
                        &d.body.to_string(),
                        &d.at,
                        &d.version.supersedes.map(|c| c.as_uuid()),
                        &d.version.reason,
                        &d.version.superseded_by.map(|c| c.as_uuid()),
                    ],
                )
                .await
                .map_err(db_err)?;
            }
            ProjOp::Supersede { table, record, by } => {
                // The first correction of a version wins; a second is flagged by the projector.
                tx.execute(
                    sql::supersede(*table).pg(),
                    &[&by.as_uuid(), &record.as_uuid()],
                )
                .await
                .map_err(db_err)?;
            }
            ProjOp::Flag(f) => {
                tx.execute(
                    sql::INSERT_FLAG.pg(),
                    &[
                        &f.record.as_uuid(),
                        &f.reason,
                        &f.agency.map(|a| a.as_uuid()),
                        &f.inspection.map(|i| i.as_uuid()),
                        &f.detail,
                    ],
                )
                .await
                .map_err(db_err)?;
            }
        }
    }
    let issued = crate::store::sql::filings::issued_documents(ops);
    if !issued.is_empty() {
        // Business events are numbered in commit order: every writer of them holds the log's
        // state row first (see `postgres/filings.rs`).
        tx.execute("SELECT size FROM log_state WHERE id = 1 FOR UPDATE", &[])
            .await
            .map_err(db_err)?;
    }
    let now = time::OffsetDateTime::now_utc();
    for (d, data) in issued {
        tx.execute(
            crate::store::sql::filings::DOCUMENT_EVENT.pg(),
            &[&d.subject_inn, &d.record.as_uuid(), &now, &data.to_string()],
        )
        .await
        .map_err(db_err)?;
    }
    tx.execute(sql::MOVE_PROJECTION.pg(), &[&i64_of(upto)?])
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The projection tables, in the order the dump lists them, with their sort keys.
const TABLES: &[(&str, &str)] = &[
    ("proj_inspections", "inspection_id"),
    ("proj_findings", "record_id"),
    ("proj_photos", "record_id"),
    ("proj_documents", "record_id"),
    ("review_flags", "record_id, reason"),
];

pub(super) async fn reset_projections(tx: &Transaction<'_>) -> StoreResult<()> {
    for (table, _) in TABLES {
        tx.execute(&format!("DELETE FROM {table}"), &[])
            .await
            .map_err(db_err)?;
    }
    tx.execute(
        "UPDATE projection_state SET replay_below = GREATEST(replay_below, upto), upto = 0
         WHERE id = 1",
        &[],
    )
    .await
    .map_err(db_err)?;
    Ok(())
}

pub(super) async fn projection_dump(c: &impl GenericClient) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    for (table, order) in TABLES {
        for r in c
            .query(
                &format!("SELECT t::text FROM {table} t ORDER BY {order}"),
                &[],
            )
            .await
            .map_err(db_err)?
        {
            out.push(format!("{table}|{}", r.get::<_, String>(0)));
        }
    }
    Ok(out)
}

/// The version columns (`supersedes, reason, superseded_by`) from `first` on.
#[async_trait::async_trait]
impl ProjectionStore for PgStore {
    async fn projection_position(&self) -> StoreResult<ProjectionPosition> {
        projection_position(&**self.client().await?).await
    }

    async fn inspection_at(
        &self,
        id: InspectionId,
        at: OffsetDateTime,
        user: Option<UserId>,
    ) -> StoreResult<Option<InspectionAt>> {
        inspection_at(&**self.client().await?, id, at, user).await
    }

    async fn other_act(&self, inspection: InspectionId, except: RecordId) -> StoreResult<bool> {
        other_act(&**self.client().await?, inspection, except).await
    }

    async fn superseded_by(
        &self,
        table: RowKind,
        record: RecordId,
    ) -> StoreResult<Option<RecordId>> {
        superseded_by(&**self.client().await?, table, record).await
    }

    async fn apply_projection(&self, ops: &[ProjOp], upto: u64) -> StoreResult<()> {
        transact!(self, |tx| apply_projection(&tx, ops, upto).await?)
    }

    async fn reset_projections(&self) -> StoreResult<()> {
        transact!(self, |tx| reset_projections(&tx).await?)
    }

    async fn projection_dump(&self) -> StoreResult<Vec<String>> {
        projection_dump(&**self.client().await?).await
    }
}
