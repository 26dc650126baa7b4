use axum::extract::State;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::paging::{NoFilter, Paged};
use crate::auth::Caller;
use crate::error::{ApiResult, Json, Problem};
use crate::model::Outcome;
use crate::services::accounts;
use crate::state::AppState;

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
    /// Pass as `after` (or `before`) for the next, older page; absent on the last page.
    next: Option<i64>,
}

/// The agency's audit log, newest first (admins and auditors).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("session" = [])), params(Paged<NoFilter, 500>), responses(
    (status = 200, body = AuditPage), (status = 403, body = Problem),
))]
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    page: Paged<NoFilter, 500>,
) -> ApiResult<Json<AuditPage>> {
    let before = page.cursor("an entry id", |a| a.parse::<i64>().ok())?;
    let rows = accounts::read_audit(
        &state,
        &caller.user,
        caller.address.as_deref(),
        before,
        page.limit,
    )
    .await?;
    let next = page.next(&rows, |r| r.id);
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
