//! A controlled person's filing keys (statements in `sql/business_keys.rs`). A key's records
//! are stored by the filing store, in the transaction of the filing they are.

use async_trait::async_trait;
use knd_shared::DeviceId;
use time::OffsetDateTime;

use super::{ServerChain, StoreResult};
use crate::model::AuditEntry;
use crate::model::business_keys::{BusinessKey, NewBusinessKey};

#[async_trait]
pub trait BusinessKeyStore: Send + Sync {
    /// In one transaction: the key's chain, whose it is, the server's `device_enrolled` record
    /// naming the subject, and the audit entry; `None` (nothing stored) when the subject already
    /// holds `max` keys not revoked.
    async fn add_business_key(
        &self,
        key: &NewBusinessKey,
        max: u32,
        server: &ServerChain,
        audit: &AuditEntry,
    ) -> StoreResult<Option<BusinessKey>>;

    /// The subject's keys, revoked ones too, by id.
    async fn business_keys(&self, inn: &str) -> StoreResult<Vec<BusinessKey>>;

    async fn business_key(&self, device: DeviceId) -> StoreResult<Option<BusinessKey>>;

    /// Revokes a key of the subject (with the audit entry); false when it has no such key not
    /// revoked.
    async fn revoke_business_key(
        &self,
        inn: &str,
        device: DeviceId,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;
}
