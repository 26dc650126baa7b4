use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::auth::DeviceCaller;
use crate::error::{ApiError, ApiResult, Json, Problem};
use crate::services::devices::{self, SyncSaid};
use crate::services::ingest::{self, PushResult};
use crate::state::AppState;
use crate::store::IngestResult;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PushRequest {
    /// The device's signed records in seq order, each exactly as signed.
    #[schema(value_type = Vec<Object>)]
    records: Vec<Box<RawValue>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum Status {
    Accepted,
    Duplicate,
    Rejected,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ItemResult {
    /// The record's id, when it could be read.
    id: Option<String>,
    status: Status,
    /// Why it was rejected: bad_signature, chain_break, seq_gap, conflicting_duplicate,
    /// unknown_device, revoked_device, invalid_body, malformed, non_integer_number,
    /// number_out_of_range, too_large.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    /// The server's signed receipt (accepted and duplicate records).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    receipt: Option<Box<RawValue>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct PushResponse {
    results: Vec<ItemResult>,
}

fn receipt(bytes: Vec<u8>) -> ApiResult<Option<Box<RawValue>>> {
    let text = String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    RawValue::from_string(text)
        .map(Some)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

fn item(r: PushResult) -> ApiResult<ItemResult> {
    Ok(match r.result {
        IngestResult::Accepted { receipt: bytes } => ItemResult {
            id: r.id,
            status: Status::Accepted,
            reason: None,
            detail: None,
            receipt: receipt(bytes)?,
        },
        IngestResult::Duplicate { receipt: bytes } => ItemResult {
            id: r.id,
            status: Status::Duplicate,
            reason: None,
            detail: None,
            receipt: receipt(bytes)?,
        },
        IngestResult::Rejected(rej) => ItemResult {
            id: r.id,
            status: Status::Rejected,
            reason: Some(rej.reason),
            detail: Some(rej.detail),
            receipt: None,
        },
    })
}

/// Records signed on the device and not yet sent (a push counts the batch it carries).
pub(super) const PENDING_HEADER: &str = "x-knd-pending";
/// The device's clock at the call, RFC 3339.
pub(super) const DEVICE_TIME_HEADER: &str = "x-knd-device-time";

/// What the device says in the optional headers of a sync call; a value that does not read is
/// taken as not said (an old or odd app still syncs).
fn said(headers: &HeaderMap) -> SyncSaid {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    SyncSaid {
        pending_records: text(PENDING_HEADER).and_then(|v| v.parse().ok()),
        device_time: text(DEVICE_TIME_HEADER).and_then(|v| {
            time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).ok()
        }),
    }
}

/// Pushes a batch of signed records. Each gets its own answer; accepted records, their receipts
/// and their log leaves are committed together before the answer is sent. Re-sending is safe.
#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync", request_body = PushRequest,
    security(("device_token" = [])), params(
        ("X-Knd-Pending" = Option<u64>, Header, description = "records signed on the device and not yet sent, this batch included"),
        ("X-Knd-Device-Time" = Option<String>, Header, description = "the device's clock now, RFC 3339 (the console shows its skew)"),
    ), responses(
    (status = 200, body = PushResponse), (status = 401, body = Problem), (status = 413, body = Problem),
))]
pub(super) async fn push(
    State(state): State<AppState>,
    DeviceCaller(device): DeviceCaller,
    headers: HeaderMap,
    Json(req): Json<PushRequest>,
) -> ApiResult<Json<PushResponse>> {
    if req.records.len() > state.config.limits.max_push_records {
        return Err(ApiError::PayloadTooLarge);
    }
    let results = ingest::push(&state, &device, req.records).await?;
    // The device counted this batch among its unsent records: what was receipted now is sent.
    // A revoked device's report is not kept (it is not at work).
    if device.revoked_at.is_none() {
        let receipted = results
            .iter()
            .filter(|r| {
                matches!(
                    r.result,
                    IngestResult::Accepted { .. } | IngestResult::Duplicate { .. }
                )
            })
            .count() as u64;
        let mut report = said(&headers);
        report.pending_records = report.pending_records.map(|n| n.saturating_sub(receipted));
        devices::report_sync(&state, &device, report).await?;
    }
    Ok(Json(PushResponse {
        results: results.into_iter().map(item).collect::<ApiResult<_>>()?,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct PullQuery {
    /// The `cursor` of the previous page; absent for a first pull (a full snapshot).
    cursor: Option<String>,
    /// Most changes (or snapshot assignments) in the page.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// What the device's inspector needs offline (assignments with subject, objects, checklist,
/// requirements and history; the calendar), then the changes to it, paged by an opaque cursor.
#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync", security(("device_token" = [])),
    params(PullQuery,
        ("X-Knd-Pending" = Option<u64>, Header, description = "records signed on the device and not yet sent"),
        ("X-Knd-Device-Time" = Option<String>, Header, description = "the device's clock now, RFC 3339 (the console shows its skew)"),
    ), responses((status = 200, body = crate::services::pull::PullPage), (status = 400, body = Problem)))]
pub(super) async fn pull(
    State(state): State<AppState>,
    DeviceCaller(device): DeviceCaller,
    headers: HeaderMap,
    crate::error::Query(q): crate::error::Query<PullQuery>,
) -> ApiResult<Json<crate::services::pull::PullPage>> {
    let (agency, user) = crate::services::policy::working_device(&device)?;
    devices::report_sync(&state, &device, said(&headers)).await?;
    let page =
        crate::services::pull::pull(&state, agency, user, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(page))
}
