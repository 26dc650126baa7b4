use axum::extract::State;
use axum::http::StatusCode;
use knd_shared::{DeviceId, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::auth::{Caller, ClientAddr};
use crate::error::{ApiResult, Json, Path, Problem};
use crate::model::Device;
use crate::services::{accounts, devices, enrollment};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CodeRequest {
    /// The inspector the device will belong to.
    user_id: uuid::Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CodeResponse {
    /// One-time code to type into the app, e.g. `K7QM-2XRT-HP9D`.
    code: String,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

/// Creates a one-time enrollment code: admins for any inspector of the agency, inspectors for
/// themselves.
#[utoipa::path(post, path = "/api/v1/enrollment-codes", tag = "devices", security(("session" = [])), request_body = CodeRequest, responses(
    (status = 201, body = CodeResponse), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub(super) async fn create_enrollment_code(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CodeRequest>,
) -> ApiResult<(StatusCode, Json<CodeResponse>)> {
    let (code, expires_at) = accounts::create_enrollment_code(
        &state,
        Some(&caller.user),
        UserId::from(req.user_id),
        caller.user.agency,
        caller.address.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CodeResponse { code, expires_at })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct EnrollRequest {
    /// The one-time code, e.g. `K7QM-2XRT-HP9D` (case, spaces and dashes do not matter).
    #[schema(min_length = 1, max_length = 64)]
    code: String,
    /// The device's Ed25519 public key, 64 lowercase hex characters.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    public_key: String,
    /// What the agency will call the device, e.g. `Планшет инспектора Петрова`.
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct EnrollResponse {
    device_id: uuid::Uuid,
    /// The device's bearer token for sync; shown once.
    token: String,
    /// The C2SP verifier key of the server's log key: checks receipts, checkpoints and the
    /// server's records.
    server_key: String,
    log_origin: String,
}

/// Enrolls a device with a one-time code.
#[utoipa::path(post, path = "/api/v1/devices/enroll", tag = "devices", request_body = EnrollRequest, responses(
    (status = 201, body = EnrollResponse), (status = 403, body = Problem, description = "unknown, used or expired code"),
    (status = 422, body = Problem, description = "bad or small-order key"),
))]
pub(super) async fn enroll(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Json(req): Json<EnrollRequest>,
) -> ApiResult<(StatusCode, Json<EnrollResponse>)> {
    let e = enrollment::enroll(
        &state,
        &req.code,
        &req.public_key,
        &req.name,
        addr.as_deref(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(EnrollResponse {
            device_id: e.device.id.as_uuid(),
            token: e.token,
            server_key: e.server_key,
            log_origin: e.log_origin,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct DeviceView {
    id: uuid::Uuid,
    user_id: Option<uuid::Uuid>,
    name: String,
    public_key: String,
    #[serde(with = "time::serde::rfc3339")]
    enrolled_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    revoked_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    last_seen_at: Option<OffsetDateTime>,
    /// Records accepted so far (the chain's last seq).
    records: u64,
    enrollment_record: Option<uuid::Uuid>,
    /// When the device last called a sync endpoint.
    #[serde(with = "time::serde::rfc3339::option")]
    synced_at: Option<OffsetDateTime>,
    /// Records signed on the device and not yet sent, as it last reported (`X-Knd-Pending`).
    pending_records: Option<u64>,
    /// The device's clock minus the server's at its last sync, in milliseconds
    /// (`X-Knd-Device-Time`).
    clock_skew_ms: Option<i64>,
}

impl From<Device> for DeviceView {
    fn from(d: Device) -> Self {
        Self {
            id: d.id.as_uuid(),
            user_id: d.user.map(|u| u.as_uuid()),
            name: d.name,
            public_key: d.public_key.to_hex(),
            enrolled_at: d.enrolled_at,
            revoked_at: d.revoked_at,
            last_seen_at: d.last_seen_at,
            records: d.head.seq,
            enrollment_record: d.enrollment_record.map(|r| r.as_uuid()),
            synced_at: d.sync.synced_at,
            pending_records: d.sync.pending_records,
            clock_skew_ms: d.sync.clock_skew_ms,
        }
    }
}

/// The agency's devices (inspectors see their own).
#[utoipa::path(get, path = "/api/v1/devices", tag = "devices", security(("session" = [])), responses(
    (status = 200, body = Vec<DeviceView>), (status = 401, body = Problem), (status = 403, body = Problem),
))]
pub(super) async fn list_devices(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<DeviceView>>> {
    let devices = devices::list(&state, &caller.user, caller.address.as_deref()).await?;
    Ok(Json(devices.into_iter().map(Into::into).collect()))
}

/// One device of the agency.
#[utoipa::path(get, path = "/api/v1/devices/{id}", tag = "devices", security(("session" = [])), params(("id" = uuid::Uuid, Path)), responses(
    (status = 200, body = DeviceView), (status = 404, body = Problem),
))]
pub(super) async fn get_device(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<DeviceId>,
) -> ApiResult<Json<DeviceView>> {
    let device = devices::get(&state, &caller.user, caller.address.as_deref(), id).await?;
    Ok(Json(device.into()))
}

/// Revokes a device: it can push nothing more (admins only).
#[utoipa::path(post, path = "/api/v1/devices/{id}/revoke", tag = "devices", security(("session" = [])), params(("id" = uuid::Uuid, Path)), responses(
    (status = 200, body = DeviceView), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub(super) async fn revoke_device(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<DeviceId>,
) -> ApiResult<Json<DeviceView>> {
    let device = devices::revoke(&state, &caller.user, caller.address.as_deref(), id).await?;
    Ok(Json(device.into()))
}
