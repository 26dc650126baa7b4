//! Blobs (photos): which exist, who uploaded them, and who may read them (statements in
//! `store/sql/blobs.rs`).

use knd_shared::{AgencyId, Sha256};
use rusqlite::{Connection, Transaction, params};
use time::OffsetDateTime;

use super::SqliteStore;
use super::cols::{execute, query_opt};
use super::{insert_audit, ts};
use crate::model::{AuditEntry, Blob, BlobUploader};
use crate::store::BlobStore;
use crate::store::cols::Cols as _;
use crate::store::sql::blobs as sql;
use crate::store::{StoreError, StoreResult};

pub(super) fn blob(c: &Connection, sha256: &Sha256) -> StoreResult<Option<Blob>> {
    query_opt(c, &sql::BLOB, [sha256.as_bytes().as_slice()], |r| {
        sql::blob(sha256, r)
    })
}

fn insert_upload(
    tx: &Transaction<'_>,
    sha256: &Sha256,
    by: &BlobUploader,
    at: OffsetDateTime,
) -> StoreResult<()> {
    let sha = sha256.as_bytes().as_slice();
    match by {
        BlobUploader::Device { agency, device } => execute(
            tx,
            &sql::INSERT_UPLOAD,
            params![sha, agency.to_string(), device.to_string(), ts(at)],
        )?,
        BlobUploader::Business {
            api_key,
            subject_inn,
        } => execute(
            tx,
            &sql::INSERT_BUSINESS_UPLOAD,
            params![sha, subject_inn, api_key.to_string(), ts(at)],
        )?,
    };
    Ok(())
}

/// Names the files a filing (or one of its steps) carries, so the agency may read them.
pub(super) fn insert_attachments(
    tx: &Transaction<'_>,
    filing: uuid::Uuid,
    files: &[Sha256],
) -> StoreResult<()> {
    for sha in files {
        execute(
            tx,
            &sql::INSERT_ATTACHMENT,
            params![filing.to_string(), sha.as_bytes().as_slice()],
        )?;
    }
    Ok(())
}

pub(super) fn record_blob(
    tx: &Transaction<'_>,
    blob: &Blob,
    by: &BlobUploader,
    at: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let size = i64::try_from(blob.size)
        .map_err(|_| StoreError::Corrupt(format!("blob size {}", blob.size)))?;
    execute(
        tx,
        &sql::INSERT_BLOB,
        params![blob.sha256.as_bytes().as_slice(), size, blob.mime, ts(at)],
    )?;
    insert_upload(tx, &blob.sha256, by, at)?;
    insert_audit(tx, audit)
}

pub(super) fn add_blob_upload(
    tx: &Transaction<'_>,
    sha256: &Sha256,
    by: &BlobUploader,
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
    let visible = query_opt(
        c,
        &sql::VISIBLE,
        params![sha256.as_bytes().as_slice(), agency.to_string()],
        |r| r.bool(0),
    )?;
    Ok(visible == Some(true))
}

fn business_blob_visible(c: &Connection, inn: &str, sha256: &Sha256) -> StoreResult<bool> {
    let visible = query_opt(
        c,
        &sql::BUSINESS_VISIBLE,
        params![sha256.as_bytes().as_slice(), inn],
        |r| r.bool(0),
    )?;
    Ok(visible == Some(true))
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
        by: &BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        let (blob, by, audit) = (blob.clone(), by.clone(), audit.clone());
        self.transact(move |tx| record_blob(tx, &blob, &by, at, &audit))
            .await
    }

    async fn add_blob_upload(
        &self,
        sha256: &Sha256,
        by: &BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        let (sha256, by, audit) = (*sha256, by.clone(), audit.clone());
        self.transact(move |tx| add_blob_upload(tx, &sha256, &by, at, &audit))
            .await
    }

    async fn blob_visible(&self, agency: AgencyId, sha256: &Sha256) -> StoreResult<bool> {
        let sha256 = *sha256;
        self.read(move |c| blob_visible(c, agency, &sha256)).await
    }

    async fn business_blob_visible(&self, inn: &str, sha256: &Sha256) -> StoreResult<bool> {
        let (inn, sha256) = (inn.to_owned(), *sha256);
        self.read(move |c| business_blob_visible(c, &inn, &sha256))
            .await
    }
}
