use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use knd_shared::Sha256;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, Json, Problem, Query};
use crate::services::transparency;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct LogInfo {
    origin: String,
    /// C2SP verifier key of the log (and of the server's own chain and receipts).
    verifier_key: String,
    size: u64,
}

/// The log's origin, key and size.
#[utoipa::path(get, path = "/api/v1/log", tag = "log", responses((status = 200, body = LogInfo)))]
pub(super) async fn info(State(state): State<AppState>) -> ApiResult<Json<LogInfo>> {
    Ok(Json(LogInfo {
        origin: state.config.log_origin.clone(),
        verifier_key: state.note_signer.verifier_key(),
        size: transparency::size(&state).await?,
    }))
}

/// The latest checkpoint as a C2SP signed note.
#[utoipa::path(get, path = "/api/v1/log/checkpoint", tag = "log", responses(
    (status = 200, content_type = "text/plain", body = String),
))]
pub(super) async fn checkpoint(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let (_, note) = transparency::checkpoint(&state).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct InclusionQuery {
    /// The record's hash, 64 lowercase hex characters.
    #[param(pattern = "^[0-9a-f]{64}$")]
    hash: String,
    /// The tree size to prove against; the current size when absent.
    size: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct InclusionView {
    index: u64,
    size: u64,
    proof: Vec<String>,
}

/// The inclusion proof of a record hash.
#[utoipa::path(get, path = "/api/v1/log/proof/inclusion", tag = "log", params(InclusionQuery), responses(
    (status = 200, body = InclusionView), (status = 400, body = Problem), (status = 404, body = Problem),
))]
pub(super) async fn inclusion(
    State(state): State<AppState>,
    Query(q): Query<InclusionQuery>,
) -> ApiResult<Json<InclusionView>> {
    let hash = Sha256::parse(&q.hash).map_err(|e| ApiError::BadRequest(format!("hash: {e}")))?;
    let p = transparency::inclusion(&state, &hash, q.size).await?;
    Ok(Json(InclusionView {
        index: p.index,
        size: p.size,
        proof: p.proof.iter().map(Sha256::to_hex).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct ConsistencyQuery {
    from: u64,
    to: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ConsistencyView {
    proof: Vec<String>,
}

/// The consistency proof between two tree sizes.
#[utoipa::path(get, path = "/api/v1/log/proof/consistency", tag = "log", params(ConsistencyQuery), responses(
    (status = 200, body = ConsistencyView), (status = 400, body = Problem),
))]
pub(super) async fn consistency(
    State(state): State<AppState>,
    Query(q): Query<ConsistencyQuery>,
) -> ApiResult<Json<ConsistencyView>> {
    let proof = transparency::consistency(&state, q.from, q.to).await?;
    Ok(Json(ConsistencyView {
        proof: proof.iter().map(Sha256::to_hex).collect(),
    }))
}
