//! The agency's devices as console users see and manage them (enrollment is `enrollment.rs`).

use knd_shared::DeviceId;
use time::OffsetDateTime;

use crate::error::{ApiError, ApiResult};
use crate::model::{Actor, Device, User};
use crate::services::accounts;
use crate::services::policy::{self, Action, Scope};
use crate::state::AppState;

/// The agency's devices; an inspector sees their own.
pub async fn list(state: &AppState, user: &User, address: Option<&str>) -> ApiResult<Vec<Device>> {
    policy::require(
        state,
        user,
        address,
        Action::ListDevices,
        "device.list",
        || format!("agency:{}", user.agency),
    )
    .await?;
    let devices = state.store.list_devices(user.agency).await?;
    Ok(match policy::scope(user, Action::ListDevices) {
        Scope::Agency => devices,
        Scope::Own(me) => devices.into_iter().filter(|d| d.user == Some(me)).collect(),
    })
}

/// One device of the agency: the user's own, or any by role.
pub async fn get(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: DeviceId,
) -> ApiResult<Device> {
    let Some(device) = state.store.get_device(Some(user.agency), id).await? else {
        return not_found(state, user, address, "device.read", id).await;
    };
    if !policy::may_read_device(user, &device) {
        policy::require(
            state,
            user,
            address,
            Action::ReadDevice,
            "device.read",
            || format!("device:{id}"),
        )
        .await?;
    }
    Ok(device)
}

/// Revokes a device: it can push nothing more.
pub async fn revoke(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: DeviceId,
) -> ApiResult<Device> {
    // Another agency's device does not exist for this caller, whatever the role.
    if state
        .store
        .get_device(Some(user.agency), id)
        .await?
        .is_none()
    {
        return not_found(state, user, address, "device.revoke", id).await;
    }
    policy::require(
        state,
        user,
        address,
        Action::RevokeDevice,
        "device.revoke",
        || format!("device:{id}"),
    )
    .await?;
    let mut a = accounts::audit(
        Actor::User(user.id),
        Some(user.agency),
        "device.revoke",
        address,
    );
    a.target = Some(format!("device:{id}"));
    state
        .store
        .revoke_device(user.agency, id, OffsetDateTime::now_utc(), &a)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Answers 404 for a device the user's agency does not have, and audits the attempt: asking for
/// another agency's device by id is worth an auditor's look.
async fn not_found<T>(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    action: &str,
    id: DeviceId,
) -> ApiResult<T> {
    accounts::audit_denied(state, user, action, format!("device:{id}"), address).await?;
    Err(ApiError::NotFound)
}

/// What a device says about itself on a sync call: records still unsent, and its clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SyncSaid {
    pub pending_records: Option<u64>,
    pub device_time: Option<OffsetDateTime>,
}

/// Stores what the device said, with the server's time of arrival: the clock skew is the
/// device's time minus the server's (positive: the device runs ahead).
pub async fn report_sync(state: &AppState, device: &Device, said: SyncSaid) -> ApiResult<()> {
    let now = OffsetDateTime::now_utc();
    let skew = said.device_time.map(|t| {
        let ms = (t - now).whole_milliseconds();
        i64::try_from(ms).unwrap_or(if ms < 0 { i64::MIN } else { i64::MAX })
    });
    let report = crate::model::SyncReport {
        synced_at: Some(now),
        pending_records: said.pending_records,
        clock_skew_ms: skew,
    };
    Ok(state.store.report_sync(device.id, &report).await?)
}
