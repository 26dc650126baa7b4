//! Projections of accepted records (findings, photos, documents, progress, review flags).

use knd_shared::{InspectionId, RecordId, UserId};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Transaction, params};
use time::OffsetDateTime;

use super::SqliteStore;
use super::cols::query_opt;
use super::{db_err, parse_uuid, ts};
use crate::model::{InspectionAt, ProjOp, ProjectionPosition, RowKind};
use crate::store::ProjectionStore;
use crate::store::cols::Cols as _;
use crate::store::sql::projections as sql;
use crate::store::{StoreError, StoreResult};

pub(super) fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

pub(super) fn id_of<T: From<uuid::Uuid>>(s: &str) -> StoreResult<T> {
    parse_uuid(s).map(T::from)
}

pub(super) fn opt_id<T: From<uuid::Uuid>>(s: Option<String>) -> StoreResult<Option<T>> {
    s.as_deref().map(id_of).transpose()
}

pub(super) fn projection_position(c: &Connection) -> StoreResult<ProjectionPosition> {
    query_opt(c, &sql::PROJECTION_POSITION, [], |r| sql::position(r))?
        .ok_or_else(|| corrupt("no projection state".into()))
}

pub(super) fn inspection_at(
    c: &Connection,
    id: InspectionId,
    at: OffsetDateTime,
    user: Option<UserId>,
) -> StoreResult<Option<InspectionAt>> {
    let id = id.to_string();
    let Some(head) = query_opt(c, &sql::INSPECTION_HEAD, [&id], |r| sql::inspection_head(r))?
    else {
        return Ok(None);
    };
    let at = ts(at);
    let status = query_opt(c, &sql::STATUS_AT, params![id, at], |r| sql::status(r))?;
    let assigned = match user {
        None => None,
        Some(u) => query_opt(c, &sql::ASSIGNED_AT, params![id, u.to_string(), at], |r| {
            r.bool(0)
        })?,
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

pub(super) fn other_act(
    c: &Connection,
    inspection: InspectionId,
    except: RecordId,
) -> StoreResult<bool> {
    let other = query_opt(
        c,
        &sql::OTHER_ACT,
        params![inspection.to_string(), except.to_string()],
        |r| r.bool(0),
    )?;
    Ok(other == Some(true))
}

pub(super) fn superseded_by(
    c: &Connection,
    table: RowKind,
    record: RecordId,
) -> StoreResult<Option<RecordId>> {
    let by = query_opt(c, sql::superseded_by(table), [record.to_string()], |r| {
        r.opt_id(0)
    })?;
    Ok(by.flatten())
}

fn json_text<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| corrupt(e.to_string()))
}

pub(super) fn apply_projection(tx: &Transaction<'_>, ops: &[ProjOp], upto: u64) -> StoreResult<()> {
    for op in ops {
        match op {
            ProjOp::Started {
                inspection,
                record,
                at,
            } => {
                tx.execute(
                    sql::STARTED.sqlite(),
                    params![inspection.to_string(), record.to_string(), at],
                )
                .map_err(db_err)?;
            }
            ProjOp::Finished {
                inspection,
                record,
                at,
            } => {
                tx.execute(
                    sql::FINISHED.sqlite(),
                    params![inspection.to_string(), record.to_string(), at],
                )
                .map_err(db_err)?;
            }
            ProjOp::Finding(f) => {
                tx.execute(
                    sql::INSERT_FINDING.sqlite(),
                    params![
                        f.record.to_string(),
                        f.inspection.to_string(),
                        f.item,
                        f.result,
                        f.note,
                        json_text(&f.photos)?,
                        f.device.to_string(),
                        f.at,
                        f.version.supersedes.map(|c| c.to_string()),
                        f.version.reason,
                        f.version.superseded_by.map(|c| c.to_string()),
                    ],
                )
                .map_err(db_err)?;
            }
            ProjOp::Photo(p) => {
                tx.execute(
                    sql::INSERT_PHOTO.sqlite(),
                    params![
                        p.record.to_string(),
                        p.inspection.to_string(),
                        p.sha256.as_bytes().as_slice(),
                        p.agency.to_string(),
                        p.size as i64,
                        p.mime,
                        p.taken_at,
                        p.lat_e7,
                        p.lon_e7,
                        json_text(&p.warnings)?,
                        p.at,
                        p.version.supersedes.map(|c| c.to_string()),
                        p.version.reason,
                        p.version.superseded_by.map(|c| c.to_string()),
                    ],
                )
                .map_err(db_err)?;
            }
            ProjOp::Document(d) => {
                tx.execute(
                    sql::INSERT_DOCUMENT.sqlite(),
                    params![
                        d.record.to_string(),
                        d.kind,
                        d.inspection.map(|i| i.to_string()),
                        d.subject_inn,
                        d.body.to_string(),
                        d.at,
                        d.version.supersedes.map(|c| c.to_string()),
                        d.version.reason,
                        d.version.superseded_by.map(|c| c.to_string()),
                    ],
                )
                .map_err(db_err)?;
            }
            ProjOp::Supersede { table, record, by } => {
                // The first correction of a version wins; a second is flagged by the projector.
                tx.execute(
                    sql::supersede(*table).sqlite(),
                    params![by.to_string(), record.to_string()],
                )
                .map_err(db_err)?;
            }
            ProjOp::Flag(f) => {
                tx.execute(
                    sql::INSERT_FLAG.sqlite(),
                    params![
                        f.record.to_string(),
                        f.reason,
                        f.agency.map(|a| a.to_string()),
                        f.inspection.map(|i| i.to_string()),
                        f.detail,
                    ],
                )
                .map_err(db_err)?;
            }
        }
    }
    let now = super::ts(time::OffsetDateTime::now_utc());
    for (d, data) in crate::store::sql::filings::issued_documents(ops) {
        tx.execute(
            crate::store::sql::filings::DOCUMENT_EVENT.sqlite(),
            params![d.subject_inn, d.record.to_string(), now, data.to_string()],
        )
        .map_err(db_err)?;
    }
    tx.execute(sql::MOVE_PROJECTION.sqlite(), [upto as i64])
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

pub(super) fn reset_projections(tx: &Transaction<'_>) -> StoreResult<()> {
    for (table, _) in TABLES {
        tx.execute(&format!("DELETE FROM {table}"), [])
            .map_err(db_err)?;
    }
    tx.execute(
        "UPDATE projection_state SET replay_below = MAX(replay_below, upto), upto = 0 WHERE id = 1",
        [],
    )
    .map_err(db_err)?;
    Ok(())
}

pub(super) fn projection_dump(c: &Connection) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    for (table, order) in TABLES {
        let mut stmt = c
            .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))
            .map_err(db_err)?;
        let n = stmt.column_count();
        let mut rows = stmt.query([]).map_err(db_err)?;
        while let Some(r) = rows.next().map_err(db_err)? {
            let cells = (0..n)
                .map(|i| {
                    Ok(match r.get_ref(i).map_err(db_err)? {
                        ValueRef::Null => "NULL".to_owned(),
                        ValueRef::Integer(v) => v.to_string(),
                        ValueRef::Real(v) => v.to_string(),
                        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                        ValueRef::Blob(b) => hex::encode(b),
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            out.push(format!("{table}|{}", cells.join("|")));
        }
    }
    Ok(out)
}

/// The version columns (`supersedes, reason, superseded_by`) from `first` on.
#[async_trait::async_trait]
impl ProjectionStore for SqliteStore {
    async fn projection_position(&self) -> StoreResult<ProjectionPosition> {
        self.read(projection_position).await
    }

    async fn inspection_at(
        &self,
        id: InspectionId,
        at: OffsetDateTime,
        user: Option<UserId>,
    ) -> StoreResult<Option<InspectionAt>> {
        self.read(move |c| inspection_at(c, id, at, user)).await
    }

    async fn other_act(&self, inspection: InspectionId, except: RecordId) -> StoreResult<bool> {
        self.read(move |c| other_act(c, inspection, except)).await
    }

    async fn superseded_by(
        &self,
        table: RowKind,
        record: RecordId,
    ) -> StoreResult<Option<RecordId>> {
        self.read(move |c| superseded_by(c, table, record)).await
    }

    async fn apply_projection(&self, ops: &[ProjOp], upto: u64) -> StoreResult<()> {
        let ops = ops.to_vec();
        self.transact(move |tx| apply_projection(tx, &ops, upto))
            .await
    }

    async fn reset_projections(&self) -> StoreResult<()> {
        self.transact(reset_projections).await
    }

    async fn projection_dump(&self) -> StoreResult<Vec<String>> {
        self.read(projection_dump).await
    }
}
