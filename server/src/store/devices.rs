//! The database's liveness, the server's identity, enrollment codes and devices.

use async_trait::async_trait;
use knd_shared::{AgencyId, DeviceId, Sha256, UserId};
use time::OffsetDateTime;

use super::{EnrollRefusal, ServerChain, StoreResult};
use crate::model::{AuditEntry, Device, NewDevice, ServerIdentity};

/// The database's liveness, the server's identity, enrollment codes and devices.
#[async_trait]
pub trait DeviceStore: Send + Sync {
    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// The server's identity, once initialised.
    async fn server_identity(&self) -> StoreResult<Option<ServerIdentity>>;

    /// Records the server's identity and its chain's device row (first start).
    async fn init_server_identity(
        &self,
        id: &ServerIdentity,
        now: OffsetDateTime,
    ) -> StoreResult<()>;

    async fn create_enrollment_code(
        &self,
        agency: AgencyId,
        user: UserId,
        code_hash: &Sha256,
        expires_at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// In one transaction: uses the code, creates the device, and appends the server's
    /// `device_enrolled` record (body from `enrolled_body`) to its chain and the log.
    async fn enroll_device(
        &self,
        code_hash: &Sha256,
        device: &NewDevice,
        server: &ServerChain,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<Result<Device, EnrollRefusal>>;

    async fn device_by_token(&self, token_hash: &Sha256) -> StoreResult<Option<Device>>;

    /// A device of `agency` (or any device when `agency` is `None`).
    async fn get_device(
        &self,
        agency: Option<AgencyId>,
        id: DeviceId,
    ) -> StoreResult<Option<Device>>;

    async fn list_devices(&self, agency: AgencyId) -> StoreResult<Vec<Device>>;

    /// Revokes a device of `agency`; `None` when it does not exist there.
    async fn revoke_device(
        &self,
        agency: AgencyId,
        id: DeviceId,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Device>>;
}
