//! Reading the projection: field data, review flags, past violations and documents.

use super::PgStore;
use super::db_err;
use super::projections::{id, opt_id};
use crate::model::{FieldData, PastViolation, ProjectedDocument, ReviewFlag};
use crate::store::StoreResult;
use knd_shared::{AgencyId, InspectionId, RecordId};
use tokio_postgres::{GenericClient, Row};

use crate::store::FieldStore;
use crate::store::sql::field as sql;

use crate::store::sql::field::{document as document_of, finding as finding_of};
use crate::store::sql::field::{flag as flag_of, photo as photo_of};

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
        .query_opt(sql::PROJECTED_INSPECTION.pg(), &[&iid])
        .await
        .map_err(db_err)?;
    let mut data = FieldData::default();
    if let Some(p) = progress {
        data.started_record = opt_id(&p, 0);
        data.started_at = p.get(1);
        data.finished_record = opt_id(&p, 2);
        data.finished_at = p.get(3);
    }
    data.findings = collect(c, sql::FINDINGS_OF.pg(), &[&iid], finding_of).await?;
    data.photos = collect(c, sql::PHOTOS_OF.pg(), &[&iid], photo_of).await?;
    data.documents = collect(c, sql::DOCUMENTS_OF.pg(), &[&iid], document_of).await?;
    data.flags = collect(c, sql::FLAGS_OF.pg(), &[&iid], flag_of).await?;
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
        sql::AGENCY_FLAGS.pg(),
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
        sql::SUBJECT_DOCUMENTS_AFTER.pg(),
        &[&inn, &after.map(|a| a.as_uuid()), &i64::from(limit)],
        document_of,
    )
    .await
}

pub(super) async fn projected_document(
    c: &impl GenericClient,
    record: RecordId,
) -> StoreResult<Option<ProjectedDocument>> {
    Ok(
        collect(c, sql::DOCUMENT.pg(), &[&record.as_uuid()], document_of)
            .await?
            .pop(),
    )
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
        sql::AGENCY_SUBJECT_DOCUMENTS.pg(),
        &[&agency.as_uuid(), &inn, &kind, &i64::from(limit)],
        document_of,
    )
    .await
}

#[async_trait::async_trait]
impl FieldStore for PgStore {
    async fn field_data(&self, inspection: InspectionId) -> StoreResult<FieldData> {
        // One snapshot for all its parts: the projector commits while a reviewer reads, and a
        // flag must not be read without the row it is about.
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(db_err)?;
        let data = field_data(&*tx, inspection).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(data)
    }

    async fn review_flags(
        &self,
        agency: AgencyId,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<ReviewFlag>> {
        review_flags(&**self.client().await?, agency, after, limit).await
    }

    async fn past_violations(
        &self,
        agency: AgencyId,
        objects: &[uuid::Uuid],
        exclude: InspectionId,
        limit: u32,
    ) -> StoreResult<Vec<PastViolation>> {
        past_violations(&**self.client().await?, agency, objects, exclude, limit).await
    }

    async fn subject_documents(
        &self,
        agency: AgencyId,
        inn: &str,
        kind: &str,
        limit: u32,
    ) -> StoreResult<Vec<ProjectedDocument>> {
        subject_documents(&**self.client().await?, agency, inn, kind, limit).await
    }

    async fn documents_for_subject(
        &self,
        inn: &str,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<ProjectedDocument>> {
        documents_for_subject(&**self.client().await?, inn, after, limit).await
    }

    async fn projected_document(&self, record: RecordId) -> StoreResult<Option<ProjectedDocument>> {
        projected_document(&**self.client().await?, record).await
    }
}
