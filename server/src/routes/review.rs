//! Resolving review flags: accept, or reject with a reason (reviewers, planners, admins).

use axum::extract::State;
use knd_shared::RecordId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiResult, Json, Path, Problem};
use crate::model::{Decision, ReviewItem};
use crate::services::review::{self, Resolve};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum DecisionView {
    Accepted,
    Rejected,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ResolutionRequest {
    decision: DecisionView,
    /// Why it is rejected: required for a rejection.
    #[schema(max_length = 2000)]
    note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ResolutionView {
    #[schema(value_type = String)]
    record: RecordId,
    reason: String,
    decision: DecisionView,
    note: Option<String>,
    resolved_by: uuid::Uuid,
    resolved_by_login: String,
    #[serde(with = "time::serde::rfc3339")]
    resolved_at: OffsetDateTime,
}

impl ResolutionView {
    fn of(item: ReviewItem) -> Option<Self> {
        let r = item.resolution?;
        Some(Self {
            record: item.flag.record,
            reason: item.flag.reason,
            decision: match r.decision {
                Decision::Accepted => DecisionView::Accepted,
                Decision::Rejected => DecisionView::Rejected,
            },
            note: r.note,
            resolved_by: r.by.as_uuid(),
            resolved_by_login: r.by_login,
            resolved_at: r.at,
        })
    }
}

/// Resolves a review flag once: `accepted` (a held document is released to its addressee) or
/// `rejected` with a reason. The resolution is audited.
#[utoipa::path(post, path = "/api/v1/review-flags/{record}/{reason}/resolution", tag = "inspections",
    security(("session" = [])), params(("record" = uuid::Uuid, Path), ("reason" = String, Path)),
    request_body = ResolutionRequest, responses(
    (status = 200, body = ResolutionView), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 409, body = Problem, description = "resolved already"),
    (status = 422, body = Problem, description = "a rejection without a reason"),
))]
pub(super) async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    Path((record, reason)): Path<(RecordId, String)>,
    Json(req): Json<ResolutionRequest>,
) -> ApiResult<Json<ResolutionView>> {
    let decision = match req.decision {
        DecisionView::Accepted => Decision::Accepted,
        DecisionView::Rejected => Decision::Rejected,
    };
    let item = review::resolve(
        &state,
        &caller.user,
        caller.address.as_deref(),
        Resolve {
            record,
            reason,
            decision,
            note: req.note,
        },
    )
    .await?;
    ResolutionView::of(item)
        .map(Json)
        .ok_or(crate::error::ApiError::NotFound)
}
