//! Reading the projection: field data, review flags, past violations and documents.

use super::SqliteStore;
use super::db_err;
use super::projections::{id_of, opt_id};
use crate::model::{
    FieldData, PastViolation, ProjectedDocument, ProjectedFinding, ProjectedPhoto, ReviewFlag,
};
use crate::store::StoreResult;
use knd_shared::{AgencyId, InspectionId, RecordId};
use rusqlite::{Connection, OptionalExtension as _, Row, params};

use crate::store::FieldStore;
use crate::store::sql::field as sql;

// The shared row mappings, in the shape `collect` takes.
fn finding_of(r: &Row<'_>) -> rusqlite::Result<StoreResult<ProjectedFinding>> {
    Ok(sql::finding(r))
}

fn photo_of(r: &Row<'_>) -> rusqlite::Result<StoreResult<ProjectedPhoto>> {
    Ok(sql::photo(r))
}

fn document_of(r: &Row<'_>) -> rusqlite::Result<StoreResult<ProjectedDocument>> {
    Ok(sql::document(r))
}

fn flag_of(r: &Row<'_>) -> rusqlite::Result<StoreResult<ReviewFlag>> {
    Ok(sql::flag(r))
}

fn collect<T>(
    c: &Connection,
    sql: &str,
    p: impl rusqlite::Params,
    f: fn(&Row<'_>) -> rusqlite::Result<StoreResult<T>>,
) -> StoreResult<Vec<T>> {
    c.prepare_cached(sql)
        .map_err(db_err)?
        .query_map(p, f)
        .map_err(db_err)?
        .map(|r| r.map_err(db_err).and_then(|x| x))
        .collect()
}

pub(super) fn field_data(c: &Connection, inspection: InspectionId) -> StoreResult<FieldData> {
    let id = inspection.to_string();
    type Progress = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let progress: Option<Progress> = c
        .query_row(sql::PROJECTED_INSPECTION.sqlite(), [&id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()
        .map_err(db_err)?;
    let (sr, sa, fr, fa) = progress.unwrap_or_default();
    Ok(FieldData {
        started_record: opt_id(sr)?,
        started_at: sa,
        finished_record: opt_id(fr)?,
        finished_at: fa,
        findings: collect(c, sql::FINDINGS_OF.sqlite(), [&id], finding_of)?,
        photos: collect(c, sql::PHOTOS_OF.sqlite(), [&id], photo_of)?,
        documents: collect(c, sql::DOCUMENTS_OF.sqlite(), [&id], document_of)?,
        flags: collect(c, sql::FLAGS_OF.sqlite(), [&id], flag_of)?,
    })
}

pub(super) fn review_flags(
    c: &Connection,
    agency: AgencyId,
    after: Option<RecordId>,
    limit: u32,
) -> StoreResult<Vec<ReviewFlag>> {
    collect(
        c,
        sql::AGENCY_FLAGS.sqlite(),
        params![
            agency.to_string(),
            after.map(|a| a.to_string()).unwrap_or_default(),
            limit
        ],
        flag_of,
    )
}

pub(super) fn past_violations(
    c: &Connection,
    agency: AgencyId,
    objects: &[uuid::Uuid],
    exclude: InspectionId,
    limit: u32,
) -> StoreResult<Vec<PastViolation>> {
    let mut out: Vec<PastViolation> = Vec::new();
    for object in objects {
        let rows = c
            .prepare_cached(
                "SELECT f.inspection_id, f.record_id, f.item, f.note, f.at
                 FROM inspection_objects io JOIN inspections i ON i.id = io.inspection_id
                      JOIN proj_findings f ON f.inspection_id = io.inspection_id
                 WHERE io.object_id = ?1 AND i.agency_id = ?2 AND f.inspection_id <> ?3
                   AND f.result = 'violation' AND f.superseded_by IS NULL
                 ORDER BY f.at DESC LIMIT ?4",
            )
            .map_err(db_err)?
            .query_map(
                params![
                    object.to_string(),
                    agency.to_string(),
                    exclude.to_string(),
                    limit
                ],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                    ))
                },
            )
            .map_err(db_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err)?;
        for (insp, record, item, note, at) in rows {
            let record: RecordId = id_of(&record)?;
            if out.iter().all(|v| v.record != record) {
                out.push(PastViolation {
                    inspection: id_of(&insp)?,
                    record,
                    item,
                    note,
                    at,
                });
            }
        }
    }
    out.sort_by(|a, b| b.at.cmp(&a.at));
    out.truncate(limit as usize);
    Ok(out)
}

pub(super) fn documents_for_subject(
    c: &Connection,
    inn: &str,
    after: Option<RecordId>,
    limit: u32,
) -> StoreResult<Vec<ProjectedDocument>> {
    collect(
        c,
        sql::SUBJECT_DOCUMENTS_AFTER.sqlite(),
        params![inn, after.map(|a| a.to_string()).unwrap_or_default(), limit],
        document_of,
    )
}

pub(super) fn projected_document(
    c: &Connection,
    record: RecordId,
) -> StoreResult<Option<ProjectedDocument>> {
    Ok(collect(c, sql::DOCUMENT.sqlite(), [record.to_string()], document_of)?.pop())
}

pub(super) fn subject_documents(
    c: &Connection,
    agency: AgencyId,
    inn: &str,
    kind: &str,
    limit: u32,
) -> StoreResult<Vec<ProjectedDocument>> {
    collect(
        c,
        sql::AGENCY_SUBJECT_DOCUMENTS.sqlite(),
        params![agency.to_string(), inn, kind, limit],
        document_of,
    )
}

#[async_trait::async_trait]
impl FieldStore for SqliteStore {
    async fn field_data(&self, inspection: InspectionId) -> StoreResult<FieldData> {
        // One snapshot for all its parts (WAL gives each statement its own otherwise): a flag is
        // never read without the row it is about.
        self.read(move |c| {
            let tx = c.unchecked_transaction().map_err(db_err)?;
            let data = field_data(&tx, inspection)?;
            tx.commit().map_err(db_err)?;
            Ok(data)
        })
        .await
    }

    async fn review_flags(
        &self,
        agency: AgencyId,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<ReviewFlag>> {
        self.read(move |c| review_flags(c, agency, after, limit))
            .await
    }

    async fn past_violations(
        &self,
        agency: AgencyId,
        objects: &[uuid::Uuid],
        exclude: InspectionId,
        limit: u32,
    ) -> StoreResult<Vec<PastViolation>> {
        let objects = objects.to_vec();
        self.read(move |c| past_violations(c, agency, &objects, exclude, limit))
            .await
    }

    async fn subject_documents(
        &self,
        agency: AgencyId,
        inn: &str,
        kind: &str,
        limit: u32,
    ) -> StoreResult<Vec<ProjectedDocument>> {
        let (inn, kind) = (inn.to_owned(), kind.to_owned());
        self.read(move |c| subject_documents(c, agency, &inn, &kind, limit))
            .await
    }

    async fn documents_for_subject(
        &self,
        inn: &str,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<ProjectedDocument>> {
        let inn = inn.to_owned();
        self.read(move |c| documents_for_subject(c, &inn, after, limit))
            .await
    }

    async fn projected_document(&self, record: RecordId) -> StoreResult<Option<ProjectedDocument>> {
        self.read(move |c| projected_document(c, record)).await
    }
}
