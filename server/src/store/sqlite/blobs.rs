//! Blobs (photos): which exist, who uploaded them, and who may read them.

use knd_shared::{AgencyId, Sha256};
use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use time::OffsetDateTime;

use super::SqliteStore;
use super::{db_err, insert_audit, ts};
use crate::model::{AuditEntry, Blob, BlobUploader};
use crate::store::BlobStore;
use crate::store::{StoreError, StoreResult};

pub(super) fn blob(c: &Connection, sha256: &Sha256) -> StoreResult<Option<Blob>> {
    let row: Option<(i64, String)> = c
        .query_row(
            "SELECT size, mime FROM blobs WHERE sha256 = ?1",
            [sha256.as_bytes().as_slice()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(db_err)?;
    row.map(|(size, mime)| {
        Ok(Blob {
            sha256: *sha256,
            size: u64::try_from(size)
                .map_err(|_| StoreError::Corrupt(format!("blob size {size}")))?,
            mime,
        })
    })
    .transpose()
}

fn insert_upload(
    tx: &Transaction<'_>,
    sha256: &Sha256,
    by: BlobUploader,
    at: OffsetDateTime,
) -> StoreResult<()> {
    // The first upload of an agency is the one kept: later ones add nothing it may read.
    tx.execute(
        "INSERT INTO blob_uploads (sha256, agency_id, device_id, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (sha256, agency_id) DO NOTHING",
        params![
            sha256.as_bytes().as_slice(),
            by.agency.to_string(),
            by.device.to_string(),
            ts(at)
        ],
    )
    .map_err(db_err)?;
    Ok(())
}

pub(super) fn record_blob(
    tx: &Transaction<'_>,
    blob: &Blob,
    by: BlobUploader,
    at: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let size = i64::try_from(blob.size)
        .map_err(|_| StoreError::Corrupt(format!("blob size {}", blob.size)))?;
    // Two devices finishing the same photo at once both get here: the bytes are the same.
    tx.execute(
        "INSERT INTO blobs (sha256, size, mime, stored_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (sha256) DO NOTHING",
        params![blob.sha256.as_bytes().as_slice(), size, blob.mime, ts(at)],
    )
    .map_err(db_err)?;
    insert_upload(tx, &blob.sha256, by, at)?;
    insert_audit(tx, audit)
}

pub(super) fn add_blob_upload(
    tx: &Transaction<'_>,
    sha256: &Sha256,
    by: BlobUploader,
    at: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<bool> {
    if blob(tx, sha256)?.is_none() {
        return Ok(false);
    }
    insert_upload(tx, sha256, by, at)?;
    insert_audit(tx, audit)?;
    Ok(true)
}

pub(super) fn blob_visible(c: &Connection, agency: AgencyId, sha256: &Sha256) -> StoreResult<bool> {
    c.query_row(
        "SELECT EXISTS (SELECT 1 FROM blob_uploads WHERE sha256 = ?1 AND agency_id = ?2)",
        params![sha256.as_bytes().as_slice(), agency.to_string()],
        |r| r.get(0),
    )
    .map_err(db_err)
}

#[async_trait::async_trait]
impl BlobStore for SqliteStore {
    async fn blob(&self, sha256: &Sha256) -> StoreResult<Option<Blob>> {
        let sha256 = *sha256;
        self.read(move |c| blob(c, &sha256)).await
    }

    async fn record_blob(
        &self,
        blob: &Blob,
        by: BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        let (blob, audit) = (blob.clone(), audit.clone());
        self.transact(move |tx| record_blob(tx, &blob, by, at, &audit))
            .await
    }

    async fn add_blob_upload(
        &self,
        sha256: &Sha256,
        by: BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        let (sha256, audit) = (*sha256, audit.clone());
        self.transact(move |tx| add_blob_upload(tx, &sha256, by, at, &audit))
            .await
    }

    async fn blob_visible(&self, agency: AgencyId, sha256: &Sha256) -> StoreResult<bool> {
        let sha256 = *sha256;
        self.read(move |c| blob_visible(c, agency, &sha256)).await
    }
}
