//! Blobs (photos, a business's attachments) and who uploaded them.

use async_trait::async_trait;
use knd_shared::{AgencyId, Sha256};
use time::OffsetDateTime;

use super::StoreResult;
use crate::model::{AuditEntry, Blob, BlobUploader};

/// Blobs (photos) and who uploaded them.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// A stored blob's size and media type.
    async fn blob(&self, sha256: &Sha256) -> StoreResult<Option<Blob>>;

    /// Records a blob whose bytes are now in the object store, and its uploader, with the audit
    /// entry. Idempotent: a blob or an agency's upload already recorded stays as it was.
    async fn record_blob(
        &self,
        blob: &Blob,
        by: &BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// Records another uploader of a stored blob; false (nothing written) when there is no such
    /// blob.
    async fn add_blob_upload(
        &self,
        sha256: &Sha256,
        by: &BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;

    /// Whether `agency` may read the blob: one of its devices uploaded it (sent every byte, or
    /// had sent it before), or a filing it received carries it. A photo record naming a hash is
    /// not enough: anyone can sign one.
    async fn blob_visible(&self, agency: AgencyId, sha256: &Sha256) -> StoreResult<bool>;

    /// Whether the business with ИНН `subject_inn` uploaded the blob (under any of its keys).
    async fn business_blob_visible(&self, subject_inn: &str, sha256: &Sha256) -> StoreResult<bool>;
}
