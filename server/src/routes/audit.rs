use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiResult, Json, Problem, Query};
use crate::model::Outcome;
use crate::services::accounts;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct AuditQuery {
    /// Continue below this entry id (from `next` of the previous page).
    before: Option<i64>,
    /// Page size, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct AuditView {
    id: i64,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    actor: String,
    action: String,
    target: Option<String>,
    outcome: Outcome,
    #[schema(value_type = Option<Object>)]
    detail: Option<serde_json::Value>,
    address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct AuditPage {
    entries: Vec<AuditView>,
    /// Pass as `before` for the next page; absent on the last page.
    next: Option<i64>,
}

/// The agency's audit log, newest first (admins and auditors).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("session" = [])), params(AuditQuery), responses(
    (status = 200, body = AuditPage), (status = 403, body = Problem),
))]
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(crate::error::ApiError::BadRequest(
            "limit is 1 to 500".into(),
        ));
    }
    let rows = accounts::read_audit(
        &state,
        &caller.user,
        caller.address.as_deref(),
        q.before,
        limit,
    )
    .await?;
    let next = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok(Json(AuditPage {
        entries: rows
            .into_iter()
            .map(|r| AuditView {
                id: r.id,
                at: r.at,
                actor: r.actor,
                action: r.action,
                target: r.target,
                outcome: r.outcome,
                detail: r.detail,
                address: r.address,
            })
            .collect(),
        next,
    }))
}
