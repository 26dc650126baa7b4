//! Projections of accepted records (findings, photos, documents, progress, review flags).

use knd_shared::{AgencyId, InspectionId, RecordId, UserId};
use time::OffsetDateTime;
use tokio_postgres::{GenericClient, Row, Transaction};

use super::{db_err, hash_col, i64_of, u64_of};
use crate::model::{
    FieldData, InspectionAt, InspectionStatus, PastViolation, ProjOp, ProjectedDocument,
    ProjectedFinding, ProjectedPhoto, ProjectionPosition, ReviewFlag, RowKind, Version,
};
use crate::store::{StoreError, StoreResult, table_of};

fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

fn opt_id<T: From<uuid::Uuid>>(r: &Row, i: usize) -> Option<T> {
    r.get::<_, Option<uuid::Uuid>>(i).map(T::from)
}

fn id<T: From<uuid::Uuid>>(r: &Row, i: usize) -> T {
    T::from(r.get::<_, uuid::Uuid>(i))
}

pub(super) async fn projection_position(c: &impl GenericClient) -> StoreResult<ProjectionPosition> {
    let r = c
        .query_one(
            "SELECT upto, replay_below FROM projection_state WHERE id = 1",
            &[],
        )
        .await
        .map_err(db_err)?;
    Ok(ProjectionPosition {
        upto: u64_of(r.get(0))?,
        replay_below: u64_of(r.get(1))?,
    })
}

pub(super) async fn inspection_at(
    c: &impl GenericClient,
    inspection: InspectionId,
    at: OffsetDateTime,
    user: Option<UserId>,
) -> StoreResult<Option<InspectionAt>> {
    let iid = inspection.as_uuid();
    let Some(head) = c
        .query_opt(
            "SELECT i.agency_id, s.inn, i.kind, i.subject_size FROM inspections i
             JOIN subjects s ON s.id = i.subject_id WHERE i.id = $1",
            &[&iid],
        )
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let interaction_limit_minutes = crate::store::limit_of(
        &head.get::<_, String>(2),
        head.get::<_, Option<String>>(3).as_deref(),
    )?;
    let status: Option<String> = c
        .query_opt(
            "SELECT status FROM inspection_status_log WHERE inspection_id = $1 AND at <= $2
             ORDER BY at DESC, id DESC LIMIT 1",
            &[&iid, &at],
        )
        .await
        .map_err(db_err)?
        .map(|r| r.get(0));
    let assigned = match user {
        None => false,
        Some(u) => c
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM inspection_assignments WHERE inspection_id = $1
                   AND user_id = $2 AND assigned_at <= $3 AND (unassigned_at IS NULL OR unassigned_at > $3))",
                &[&iid, &u.as_uuid(), &at],
            )
            .await
            .map_err(db_err)?
            .get(0),
    };
    Ok(Some(InspectionAt {
        agency: id(&head, 0),
        subject_inn: head.get(1),
        status: status
            .map(|s| InspectionStatus::parse(&s).ok_or_else(|| corrupt(format!("status {s:?}"))))
            .transpose()?,
        assigned,
        interaction_limit_minutes,
    }))
}

pub(super) async fn other_act(
    c: &impl GenericClient,
    inspection: InspectionId,
    except: RecordId,
) -> StoreResult<bool> {
    Ok(c.query_one(
        "SELECT EXISTS (SELECT 1 FROM proj_documents WHERE kind = 'act' AND inspection_id = $1
               AND record_id <> $2 AND supersedes IS NULL)",
        &[&inspection.as_uuid(), &except.as_uuid()],
    )
    .await
    .map_err(db_err)?
    .get(0))
}

pub(super) async fn superseded_by(
    c: &impl GenericClient,
    table: RowKind,
    record: RecordId,
) -> StoreResult<Option<RecordId>> {
    Ok(c.query_opt(
        &format!(
            "SELECT superseded_by FROM {} WHERE record_id = $1",
            table_of(table)
        ),
        &[&record.as_uuid()],
    )
    .await
    .map_err(db_err)?
    .and_then(|r| opt_id(&r, 0)))
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
                    "INSERT INTO proj_inspections (inspection_id, started_record, started_at) VALUES ($1, $2, $3)
                     ON CONFLICT (inspection_id) DO UPDATE SET
                         started_record = COALESCE(proj_inspections.started_record, excluded.started_record),
                         started_at = COALESCE(proj_inspections.started_at, excluded.started_at)",
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
                    "INSERT INTO proj_inspections (inspection_id, finished_record, finished_at) VALUES ($1, $2, $3)
                     ON CONFLICT (inspection_id) DO UPDATE SET
                         finished_record = COALESCE(proj_inspections.finished_record, excluded.finished_record),
                         finished_at = COALESCE(proj_inspections.finished_at, excluded.finished_at)",
                    &[&inspection.as_uuid(), &record.as_uuid(), at],
                )
                .await
                .map_err(db_err)?;
            }
            ProjOp::Finding(f) => {
                tx.execute(
                    "INSERT INTO proj_findings (record_id, inspection_id, item, result, note, photos, device_id, at,
                         supersedes, reason, superseded_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT (record_id) DO NOTHING",
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
                    "INSERT INTO proj_photos (record_id, inspection_id, sha256, agency_id, size, mime, taken_at,
                         lat_e7, lon_e7, warnings, at, supersedes, reason, superseded_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                     ON CONFLICT (record_id) DO NOTHING",
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
                    "INSERT INTO proj_documents (record_id, kind, inspection_id, subject_inn, body, at,
                         supersedes, reason, superseded_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (record_id) DO NOTHING",
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
                    &format!(
                        "UPDATE {} SET superseded_by = $1 WHERE record_id = $2 AND superseded_by IS NULL",
                        table_of(*table)
                    ),
                    &[&by.as_uuid(), &record.as_uuid()],
                )
                .await
                .map_err(db_err)?;
            }
            ProjOp::Flag(f) => {
                tx.execute(
                    "INSERT INTO review_flags (record_id, reason, agency_id, inspection_id, detail)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (record_id, reason) DO NOTHING",
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
    tx.execute(
        "UPDATE projection_state SET upto = $1 WHERE id = 1",
        &[&i64_of(upto)?],
    )
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
fn version_at(r: &Row, first: usize) -> Version {
    Version {
        supersedes: opt_id(r, first),
        reason: r.get(first + 1),
        superseded_by: opt_id(r, first + 2),
    }
}

const FINDING_COLUMNS: &str =
    "SELECT record_id, inspection_id, item, result, note, photos, device_id, at,
    supersedes, reason, superseded_by FROM proj_findings";

fn finding_of(r: &Row) -> StoreResult<ProjectedFinding> {
    let photos: String = r.get(5);
    Ok(ProjectedFinding {
        record: id(r, 0),
        inspection: id(r, 1),
        item: r.get(2),
        result: r.get(3),
        note: r.get(4),
        photos: serde_json::from_str(&photos).map_err(|e| corrupt(e.to_string()))?,
        device: id(r, 6),
        at: r.get(7),
        version: version_at(r, 8),
    })
}

const PHOTO_COLUMNS: &str =
    "SELECT record_id, inspection_id, sha256, agency_id, size, mime, taken_at, lat_e7, lon_e7,
        warnings, at, supersedes, reason, superseded_by FROM proj_photos";

fn photo_of(r: &Row) -> StoreResult<ProjectedPhoto> {
    let warnings: String = r.get(9);
    Ok(ProjectedPhoto {
        record: id(r, 0),
        inspection: id(r, 1),
        sha256: hash_col(r.get(2))?,
        agency: id(r, 3),
        size: u64_of(r.get(4))?,
        mime: r.get(5),
        taken_at: r.get(6),
        lat_e7: r.get(7),
        lon_e7: r.get(8),
        warnings: serde_json::from_str(&warnings).map_err(|e| corrupt(e.to_string()))?,
        at: r.get(10),
        version: version_at(r, 11),
    })
}

const DOCUMENT_COLUMNS: &str =
    "SELECT d.record_id, d.kind, d.inspection_id, d.subject_inn, d.body, d.at,
    d.supersedes, d.reason, d.superseded_by FROM proj_documents d";

fn document_of(r: &Row) -> StoreResult<ProjectedDocument> {
    let body: String = r.get(4);
    Ok(ProjectedDocument {
        record: id(r, 0),
        kind: r.get(1),
        inspection: opt_id(r, 2),
        subject_inn: r.get(3),
        body: serde_json::from_str(&body).map_err(|e| corrupt(e.to_string()))?,
        at: r.get(5),
        version: version_at(r, 6),
    })
}

const FLAG_COLUMNS: &str =
    "SELECT record_id, reason, agency_id, inspection_id, detail FROM review_flags";

fn flag_of(r: &Row) -> StoreResult<ReviewFlag> {
    Ok(ReviewFlag {
        record: id(r, 0),
        reason: r.get(1),
        agency: opt_id(r, 2),
        inspection: opt_id(r, 3),
        detail: r.get(4),
    })
}

async fn collect<T>(
    c: &impl GenericClient,
    sql: &str,
    p: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    f: fn(&Row) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    c.query(sql, p)
        .await
        .map_err(db_err)?
        .iter()
        .map(f)
        .collect()
}

pub(super) async fn field_data(
    c: &impl GenericClient,
    inspection: InspectionId,
) -> StoreResult<FieldData> {
    let iid = inspection.as_uuid();
    let progress = c
        .query_opt(
            "SELECT started_record, started_at, finished_record, finished_at FROM proj_inspections
             WHERE inspection_id = $1",
            &[&iid],
        )
        .await
        .map_err(db_err)?;
    let mut data = FieldData::default();
    if let Some(p) = progress {
        data.started_record = opt_id(&p, 0);
        data.started_at = p.get(1);
        data.finished_record = opt_id(&p, 2);
        data.finished_at = p.get(3);
    }
    data.findings = collect(
        c,
        &format!(
            "{FINDING_COLUMNS} WHERE inspection_id = $1 ORDER BY item COLLATE \"C\", at COLLATE \"C\", record_id"
        ),
        &[&iid],
        finding_of,
    )
    .await?;
    data.photos = collect(
        c,
        &format!("{PHOTO_COLUMNS} WHERE inspection_id = $1 ORDER BY record_id"),
        &[&iid],
        photo_of,
    )
    .await?;
    data.documents = collect(
        c,
        &format!("{DOCUMENT_COLUMNS} WHERE d.inspection_id = $1 ORDER BY d.record_id"),
        &[&iid],
        document_of,
    )
    .await?;
    data.flags = collect(
        c,
        &format!(
            "{FLAG_COLUMNS} WHERE inspection_id = $1 ORDER BY record_id, reason COLLATE \"C\""
        ),
        &[&iid],
        flag_of,
    )
    .await?;
    Ok(data)
}

pub(super) async fn review_flags(
    c: &impl GenericClient,
    agency: AgencyId,
    after: Option<RecordId>,
    limit: u32,
) -> StoreResult<Vec<ReviewFlag>> {
    collect(
        c,
        &format!(
            "{FLAG_COLUMNS} WHERE agency_id = $1 AND ($2::UUID IS NULL OR record_id > $2)
             ORDER BY record_id, reason COLLATE \"C\" LIMIT $3"
        ),
        &[
            &agency.as_uuid(),
            &after.map(|a| a.as_uuid()),
            &i64::from(limit),
        ],
        flag_of,
    )
    .await
}

pub(super) async fn past_violations(
    c: &impl GenericClient,
    agency: AgencyId,
    objects: &[uuid::Uuid],
    exclude: InspectionId,
    limit: u32,
) -> StoreResult<Vec<PastViolation>> {
    Ok(c.query(
        "SELECT DISTINCT f.inspection_id, f.record_id, f.item, f.note, f.at
             FROM inspection_objects io JOIN inspections i ON i.id = io.inspection_id
                  JOIN proj_findings f ON f.inspection_id = io.inspection_id
             WHERE io.object_id = ANY($1) AND i.agency_id = $2 AND f.inspection_id <> $3
               AND f.result = 'violation' AND f.superseded_by IS NULL
             ORDER BY f.at DESC LIMIT $4",
        &[
            &objects,
            &agency.as_uuid(),
            &exclude.as_uuid(),
            &i64::from(limit),
        ],
    )
    .await
    .map_err(db_err)?
    .iter()
    .map(|r| PastViolation {
        inspection: id(r, 0),
        record: id(r, 1),
        item: r.get(2),
        note: r.get(3),
        at: r.get(4),
    })
    .collect())
}

pub(super) async fn documents_for_subject(
    c: &impl GenericClient,
    inn: &str,
    after: Option<RecordId>,
    limit: u32,
) -> StoreResult<Vec<ProjectedDocument>> {
    collect(
        c,
        &format!(
            "{DOCUMENT_COLUMNS} WHERE d.subject_inn = $1 AND ($2::UUID IS NULL OR d.record_id > $2)
             ORDER BY d.record_id LIMIT $3"
        ),
        &[&inn, &after.map(|a| a.as_uuid()), &i64::from(limit)],
        document_of,
    )
    .await
}

pub(super) async fn projected_document(
    c: &impl GenericClient,
    record: RecordId,
) -> StoreResult<Option<ProjectedDocument>> {
    Ok(collect(
        c,
        &format!("{DOCUMENT_COLUMNS} WHERE d.record_id = $1"),
        &[&record.as_uuid()],
        document_of,
    )
    .await?
    .pop())
}

pub(super) async fn subject_documents(
    c: &impl GenericClient,
    agency: AgencyId,
    inn: &str,
    kind: &str,
    limit: u32,
) -> StoreResult<Vec<ProjectedDocument>> {
    collect(
        c,
        &format!(
            "{DOCUMENT_COLUMNS} JOIN inspections i ON i.id = d.inspection_id
             WHERE i.agency_id = $1 AND d.subject_inn = $2 AND d.kind = $3
               AND d.superseded_by IS NULL
             ORDER BY d.at DESC LIMIT $4"
        ),
        &[&agency.as_uuid(), &inn, &kind, &i64::from(limit)],
        document_of,
    )
    .await
}
