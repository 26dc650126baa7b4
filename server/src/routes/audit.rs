use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::paging::Paged;
use crate::auth::Caller;
use crate::error::{ApiResult, Json, Problem};
use crate::model::{AuditFilter, Outcome};
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

/// The audit log's filters: every one given must hold.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct AuditQuery {
    /// Who acted: `user:<id>`, `device:<id>`, `api_key:<id>`, `operator` or `anonymous`.
    actor: Option<String>,
    /// What was done, e.g. `user.create`, `device.revoke`, `review_flag.resolve`.
    action: Option<String>,
    /// The object acted on, e.g. `device:<id>`, `user:<id>`, `record:<id>`.
    target: Option<String>,
    /// Entries at or after this instant (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>, format = DateTime)]
    from: Option<OffsetDateTime>,
    /// Entries before this instant (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>, format = DateTime)]
    until: Option<OffsetDateTime>,
}

/// The agency's audit log, newest first, filtered (admins and auditors).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("session" = [])), params(Paged<AuditQuery, 500>), responses(
    (status = 200, body = AuditPage), (status = 403, body = Problem),
))]
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    page: Paged<AuditQuery, 500>,
) -> ApiResult<Json<AuditPage>> {
    let before = page.cursor("an entry id", |a| a.parse::<i64>().ok().filter(|n| *n > 0))?;
    let q = &page.filter;
    let filter = AuditFilter {
        actor: q.actor.clone(),
        action: q.action.clone(),
        target: q.target.clone(),
        from: q.from,
        until: q.until,
    };
    let rows = accounts::read_audit(
        &state,
        &caller.user,
        caller.address.as_deref(),
        &filter,
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
