//! A business's Ed25519 filing keys (register, list, revoke) and the filings it signs with one
//! (`POST /api/v1/business/signed-filings`).

use axum::extract::State;
use axum::http::StatusCode;
use knd_shared::DeviceId;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::filing_views::FilingView;
use super::filings::answer;
use crate::auth::{Business, ClientAddr};
use crate::error::{ApiResult, Json, Path, Problem};
use crate::model::business_keys::BusinessKey;
use crate::services::{business_keys, signed_filings};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct KeyRequest {
    /// The Ed25519 public key, 64 lowercase hex characters.
    public_key: String,
    /// What the business calls it, e.g. «Юрист, ноутбук».
    name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct KeyView {
    /// The key's chain: the `device` of every record it signs.
    id: Uuid,
    name: String,
    public_key: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    registered_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    revoked_at: Option<OffsetDateTime>,
    /// The last record the server stored of this chain: the next one is `seq + 1` with `prev`
    /// this `hash` (0 and 64 zeros before the first).
    seq: u64,
    hash: String,
    /// The server's `device_enrolled` record naming the key and the subject
    /// (`/api/v1/records/{id}/bundle` checks it offline).
    #[schema(value_type = Option<String>)]
    enrollment_record: Option<knd_shared::RecordId>,
}

impl From<BusinessKey> for KeyView {
    fn from(k: BusinessKey) -> Self {
        let d = k.device;
        Self {
            id: d.id.as_uuid(),
            name: d.name,
            public_key: d.public_key.to_hex(),
            registered_at: d.enrolled_at,
            revoked_at: d.revoked_at,
            seq: d.head.seq,
            hash: d.head.hash.to_hex(),
            enrollment_record: d.enrollment_record,
        }
    }
}

/// Registers an Ed25519 filing key: from then each filing may be a record the business signs
/// in the key's own chain (`POST /api/v1/business/signed-filings`). The server logs a
/// `device_enrolled` record binding the key to the subject.
#[utoipa::path(post, path = "/api/v1/business/keys", tag = "business", security(("api_key" = [])),
    request_body = KeyRequest, responses(
    (status = 201, body = KeyView), (status = 401, body = Problem),
    (status = 409, body = Problem, description = "registered already, or as many keys as a subject may hold"),
    (status = 422, body = Problem, description = "not an Ed25519 public key, or a bad name"),
))]
pub(super) async fn register(
    State(state): State<AppState>,
    Business(key): Business,
    ClientAddr(address): ClientAddr,
    Json(req): Json<KeyRequest>,
) -> ApiResult<(StatusCode, Json<KeyView>)> {
    let k = business_keys::register(&state, &key, address.as_deref(), &req.public_key, &req.name)
        .await?;
    Ok((StatusCode::CREATED, Json(k.into())))
}

/// The subject's filing keys, revoked ones too, with each chain's head.
#[utoipa::path(get, path = "/api/v1/business/keys", tag = "business", security(("api_key" = [])),
    responses((status = 200, body = Vec<KeyView>), (status = 401, body = Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    Business(key): Business,
) -> ApiResult<Json<Vec<KeyView>>> {
    let keys = business_keys::list(&state, &key).await?;
    Ok(Json(keys.into_iter().map(Into::into).collect()))
}

/// One filing key with its chain's head (where to continue after a refused record).
#[utoipa::path(get, path = "/api/v1/business/keys/{id}", tag = "business", security(("api_key" = [])),
    params(("id" = Uuid, Path)), responses(
    (status = 200, body = KeyView), (status = 401, body = Problem), (status = 404, body = Problem),
))]
pub(super) async fn get(
    State(state): State<AppState>,
    Business(key): Business,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<KeyView>> {
    Ok(Json(
        business_keys::one(&state, &key, DeviceId::from(id))
            .await?
            .into(),
    ))
}

/// Revokes a filing key: it signs nothing more; what it filed stays valid and verifiable.
#[utoipa::path(delete, path = "/api/v1/business/keys/{id}", tag = "business", security(("api_key" = [])),
    params(("id" = Uuid, Path)), responses(
    (status = 200, body = KeyView), (status = 401, body = Problem),
    (status = 404, body = Problem, description = "no such key of the subject, or revoked already"),
))]
pub(super) async fn revoke(
    State(state): State<AppState>,
    Business(key): Business,
    ClientAddr(address): ClientAddr,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<KeyView>> {
    let k = business_keys::revoke(&state, &key, address.as_deref(), DeviceId::from(id)).await?;
    Ok(Json(k.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SignedFiling {
    /// A record (format v1) of kind `business_filing`, signed with a registered filing key, the
    /// next of its chain: body `{"filing": "objection" | "appeal" | "self_assessment" |
    /// "declaration" | "appeal_step", "subject": INN, "of": appeal id (a step), "request": the
    /// request as the unsigned call takes it}`. Kept byte for byte.
    #[schema(value_type = Object)]
    record: Box<RawValue>,
}

/// Files what a record signed with the business's filing key carries, by the same rules as the
/// unsigned calls; the business's record stands in the transparency log in place of the
/// server's, so its own signature proves what it filed and the receipt when. Sending the same
/// record again answers 200 with what it created.
#[utoipa::path(post, path = "/api/v1/business/signed-filings", tag = "business", security(("api_key" = [])),
    request_body = SignedFiling, responses(
    (status = 201, body = FilingView), (status = 200, body = FilingView, description = "the same record again"),
    (status = 401, body = Problem),
    (status = 409, body = Problem, description = "the record does not follow its chain's head"),
    (status = 422, body = Problem, description = "an unknown or revoked key, a bad signature or body, or a filing the rules refuse"),
))]
pub(super) async fn file(
    State(state): State<AppState>,
    Business(key): Business,
    Json(req): Json<SignedFiling>,
) -> ApiResult<(StatusCode, Json<FilingView>)> {
    let done = signed_filings::file(&state, &key, req.record.get().as_bytes()).await?;
    answer(&state, done).await
}
