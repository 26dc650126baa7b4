//! The database's liveness, the server's identity, enrollment codes and devices.

use async_trait::async_trait;
use knd_shared::{AgencyId, DeviceId, Sha256, UserId};
use time::OffsetDateTime;

use super::{EnrollRefusal, ServerChain, StoreResult};
use crate::model::{AuditEntry, Device, NewDevice, ServerIdentity, SyncReport};

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

    /// Stores what a device said on a sync call (`report.synced_at` is the server's time).
    async fn report_sync(&self, id: DeviceId, report: &SyncReport) -> StoreResult<()>;

    /// Revokes a device of `agency`; `None` when it does not exist there.
    async fn revoke_device(
        &self,
        agency: AgencyId,
        id: DeviceId,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Device>>;
}

/// An enrollment code as stored, for [`code_refusal`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoredCode {
    pub agency: AgencyId,
    pub expires_at: OffsetDateTime,
    pub used: bool,
}

/// Why a stored code cannot enroll a device at `now`, if it cannot: used once already, or
/// expired (the moment it expires it is no longer usable). Both backends ask this.
pub(crate) fn code_refusal(code: &StoredCode, now: OffsetDateTime) -> Option<EnrollRefusal> {
    if code.used {
        Some(EnrollRefusal::CodeUsed(code.agency))
    } else if code.expires_at <= now {
        Some(EnrollRefusal::CodeExpired(code.agency))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::{EnrollRefusal, StoredCode, code_refusal};
    use knd_shared::AgencyId;

    #[test]
    fn a_code_is_usable_once_and_until_it_expires() {
        let agency = AgencyId::new();
        let now = datetime!(2026-12-01 10:00 UTC);
        let code = |expires_at, used| StoredCode {
            agency,
            expires_at,
            used,
        };
        let check = |c: StoredCode, expected| assert_eq!(code_refusal(&c, now), expected, "{c:?}");
        check(code(datetime!(2026-12-01 10:00:01 UTC), false), None);
        check(
            code(datetime!(2026-12-01 10:00 UTC), false),
            Some(EnrollRefusal::CodeExpired(agency)),
        );
        check(
            code(datetime!(2026-12-01 10:00:01 UTC), true),
            Some(EnrollRefusal::CodeUsed(agency)),
        );
        // A used code is reported as used even after it expired.
        check(
            code(datetime!(2026-11-30 10:00 UTC), true),
            Some(EnrollRefusal::CodeUsed(agency)),
        );
    }
}
