//! Blobs (photos): which exist, who uploaded them, and who may read them (statements in
//! `store/sql/blobs.rs`).

use knd_shared::{AgencyId, Sha256};
use time::OffsetDateTime;
use tokio_postgres::{GenericClient, Transaction};

use super::PgStore;
use super::cols::{execute, query_opt};
use super::{i64_of, insert_audit};
use crate::model::{AuditEntry, Blob, BlobUploader};
use crate::store::BlobStore;
use crate::store::StoreResult;
use crate::store::cols::Cols as _;
use crate::store::sql::blobs as sql;

pub(super) async fn blob(c: &impl GenericClient, sha256: &Sha256) -> StoreResult<Option<Blob>> {
    query_opt(c, &sql::BLOB, &[&sha256.as_bytes().as_slice()], |r| {
        sql::blob(sha256, r)
    })
    .await
}

async fn insert_upload(
    tx: &Transaction<'_>,
    sha256: &Sha256,
    by: &BlobUploader,
    at: OffsetDateTime,
) -> StoreResult<()> {
    let sha = sha256.as_bytes().as_slice();
    match by {
        BlobUploader::Device { agency, device } => {
            execute(
                tx,
                &sql::INSERT_UPLOAD,
                &[&sha, &agency.as_uuid(), &device.as_uuid(), &at],
            )
            .await?
        }
        BlobUploader::Business {
            api_key,
            subject_inn,
        } => {
            execute(
                tx,
                &sql::INSERT_BUSINESS_UPLOAD,
                &[&sha, subject_inn, api_key, &at],
            )
            .await?
        }
    };
    Ok(())
}

/// Names the files a filing (or one of its steps) carries, so the agency may read them.
pub(super) async fn insert_attachments(
    tx: &Transaction<'_>,
    filing: uuid::Uuid,
    files: &[Sha256],
) -> StoreResult<()> {
    for sha in files {
        execute(
            tx,
            &sql::INSERT_ATTACHMENT,
            &[&filing, &sha.as_bytes().as_slice()],
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn record_blob(
    tx: &Transaction<'_>,
    blob: &Blob,
    by: &BlobUploader,
    at: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<()> {
    execute(
        tx,
        &sql::INSERT_BLOB,
        &[
            &blob.sha256.as_bytes().as_slice(),
            &i64_of(blob.size)?,
            &blob.mime,
            &at,
        ],
    )
    .await?;
    insert_upload(tx, &blob.sha256, by, at).await?;
    insert_audit(tx, audit).await
}

pub(super) async fn add_blob_upload(
    tx: &Transaction<'_>,
    sha256: &Sha256,
    by: &BlobUploader,
    at: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<bool> {
    if blob(tx, sha256).await?.is_none() {
        return Ok(false);
    }
    insert_upload(tx, sha256, by, at).await?;
    insert_audit(tx, audit).await?;
    Ok(true)
}

pub(super) async fn blob_visible(
    c: &impl GenericClient,
    agency: AgencyId,
    sha256: &Sha256,
) -> StoreResult<bool> {
    let visible = query_opt(
        c,
        &sql::VISIBLE,
        &[&sha256.as_bytes().as_slice(), &agency.as_uuid()],
        |r| r.bool(0),
    )
    .await?;
    Ok(visible == Some(true))
}

async fn business_blob_visible(
    c: &impl GenericClient,
    inn: &str,
    sha256: &Sha256,
) -> StoreResult<bool> {
    let visible = query_opt(
        c,
        &sql::BUSINESS_VISIBLE,
        &[&sha256.as_bytes().as_slice(), &inn],
        |r| r.bool(0),
    )
    .await?;
    Ok(visible == Some(true))
}

#[async_trait::async_trait]
impl BlobStore for PgStore {
    async fn blob(&self, sha256: &Sha256) -> StoreResult<Option<Blob>> {
        blob(&**self.client().await?, sha256).await
    }

    async fn record_blob(
        &self,
        blob: &Blob,
        by: &BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        transact!(self, |tx| record_blob(&tx, blob, by, at, audit).await?)
    }

    async fn add_blob_upload(
        &self,
        sha256: &Sha256,
        by: &BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        transact!(self, |tx| add_blob_upload(&tx, sha256, by, at, audit)
            .await?)
    }

    async fn blob_visible(&self, agency: AgencyId, sha256: &Sha256) -> StoreResult<bool> {
        blob_visible(&**self.client().await?, agency, sha256).await
    }

    async fn business_blob_visible(&self, inn: &str, sha256: &Sha256) -> StoreResult<bool> {
        business_blob_visible(&**self.client().await?, inn, sha256).await
    }
}
