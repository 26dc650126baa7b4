//! Signed records: ingest (chain and log), reading them back, and the log.

use async_trait::async_trait;
use knd_shared::{DeviceId, DeviceKey, RecordId, Sha256};
use time::OffsetDateTime;

use super::{Candidate, IngestResult, StoreResult};
use crate::model::StoredRecord;

/// Signed records: ingest (chain and log), reading them back, and the log.
#[async_trait]
pub trait RecordStore: Send + Sync {
    /// In one transaction: for each candidate in order, decide duplicate / conflict / chain fit,
    /// store the accepted ones, append them to the log and sign their receipts with `server_key`.
    async fn ingest(
        &self,
        device: DeviceId,
        batch: Vec<Candidate>,
        server_key: &DeviceKey,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<IngestResult>>;

    async fn get_record(&self, id: RecordId) -> StoreResult<Option<StoredRecord>>;

    async fn log_size(&self) -> StoreResult<u64>;

    /// Stored hashes of the log by stored-hash index (see `knd_shared::log`).
    async fn log_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Sha256>>;

    /// The log index of a record hash.
    async fn leaf_index(&self, record_hash: &Sha256) -> StoreResult<Option<u64>>;

    /// Stored records from log index `from` on, in log order.
    async fn records_from(&self, from: u64, limit: u32) -> StoreResult<Vec<StoredRecord>>;
}
