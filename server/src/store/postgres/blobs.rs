//! Blobs (photos): which exist, who uploaded them, and who may read them.

use knd_shared::{AgencyId, Sha256};
use time::OffsetDateTime;
use tokio_postgres::{GenericClient, Transaction};

use super::PgStore;
use super::{db_err, i64_of, insert_audit, u64_of};
use crate::model::{AuditEntry, Blob, BlobUploader};
use crate::store::BlobStore;
use crate::store::StoreResult;

pub(super) async fn blob(c: &impl GenericClient, sha256: &Sha256) -> StoreResult<Option<Blob>> {
    let row = c
        .query_opt(
            "SELECT size, mime FROM blobs WHERE sha256 = $1",
            &[&sha256.as_bytes().as_slice()],
        )
        .await
        .map_err(db_err)?;
    row.map(|r| {
        Ok(Blob {
            sha256: *sha256,
            size: u64_of(r.get(0))?,
            mime: r.get(1),
        })
    })
    .transpose()
}

async fn insert_upload(
    tx: &Transaction<'_>,
    sha256: &Sha256,
    by: BlobUploader,
    at: OffsetDateTime,
) -> StoreResult<()> {
    // The first upload of an agency is the one kept: later ones add nothing it may read.
    tx.execute(
        "INSERT INTO blob_uploads (sha256, agency_id, device_id, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sha256, agency_id) DO NOTHING",
        &[
            &sha256.as_bytes().as_slice(),
            &by.agency.as_uuid(),
            &by.device.as_uuid(),
            &at,
        ],
    )
    .await
    .map_err(db_err)?;
    Ok(())
}

pub(super) async fn record_blob(
    tx: &Transaction<'_>,
    blob: &Blob,
    by: BlobUploader,
    at: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<()> {
    // Two devices finishing the same photo at once both get here: the bytes are the same.
    tx.execute(
        "INSERT INTO blobs (sha256, size, mime, stored_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sha256) DO NOTHING",
        &[
            &blob.sha256.as_bytes().as_slice(),
            &i64_of(blob.size)?,
            &blob.mime,
            &at,
        ],
    )
    .await
    .map_err(db_err)?;
    insert_upload(tx, &blob.sha256, by, at).await?;
    insert_audit(tx, audit).await
}

pub(super) async fn add_blob_upload(
    tx: &Transaction<'_>,
    sha256: &Sha256,
    by: BlobUploader,
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
    let row = c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM blob_uploads WHERE sha256 = $1 AND agency_id = $2)",
            &[&sha256.as_bytes().as_slice(), &agency.as_uuid()],
        )
        .await
        .map_err(db_err)?;
    Ok(row.get(0))
}

#[async_trait::async_trait]
impl BlobStore for PgStore {
    async fn blob(&self, sha256: &Sha256) -> StoreResult<Option<Blob>> {
        blob(&**self.client().await?, sha256).await
    }

    async fn record_blob(
        &self,
        blob: &Blob,
        by: BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        transact!(self, |tx| record_blob(&tx, blob, by, at, audit).await?)
    }

    async fn add_blob_upload(
        &self,
        sha256: &Sha256,
        by: BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        transact!(self, |tx| add_blob_upload(&tx, sha256, by, at, audit)
            .await?)
    }

    async fn blob_visible(&self, agency: AgencyId, sha256: &Sha256) -> StoreResult<bool> {
        blob_visible(&**self.client().await?, agency, sha256).await
    }
}
