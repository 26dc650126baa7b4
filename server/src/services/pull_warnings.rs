//! Objections to warnings in pull (ст.49 248-ФЗ): the inspector whose device signed a warning
//! hears when the business objects to it and how the objection was decided (the warning
//! withdrawn, or the objection rejected with reasons), so the tablet shows the warning's
//! standing. The store writes a change naming the warning for that inspector in the
//! transaction of each filing and decision (`store::sql::filings::WARNING_CHANGE`).

use std::collections::HashSet;

use knd_shared::calendar::iso_date;
use knd_shared::{RecordId, UserId};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::model::filings::Filing;
use crate::services::objections;
use crate::state::AppState;

/// How many objections a snapshot carries: the newest, one per warning.
const SNAPSHOT_LIMIT: u32 = 500;

/// An objection to a warning this inspector issued, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WarningObjection {
    /// The warning's record id.
    #[schema(value_type = String)]
    pub warning: RecordId,
    pub objection: Uuid,
    /// `filed` (under consideration), `warning_withdrawn` or `rejected`.
    pub status: String,
    pub status_ru: &'static str,
    pub status_en: &'static str,
    /// The agency's local date the objection was received.
    #[schema(value_type = String, format = Date)]
    pub filed_on: String,
    /// The day the reviewer decided it.
    #[schema(value_type = Option<String>, format = Date)]
    pub decided_on: Option<String>,
    /// Why the objection was rejected.
    pub reasons: Option<String>,
}

async fn view(state: &AppState, f: Filing) -> ApiResult<WarningObjection> {
    let warning = f.target_record.ok_or_else(|| {
        crate::error::ApiError::Internal(format!("objection {}: no warning", f.id))
    })?;
    // An objection has at most one step: the reviewer's decision.
    let steps = state.store.filing_steps(f.id).await?;
    let decision = steps.last().map(|s| &s.step);
    let text = |key: &str| {
        decision
            .and_then(|d| d.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (status_ru, status_en) = objections::status_names_of(&f.status);
    Ok(WarningObjection {
        warning,
        objection: f.id,
        status_ru,
        status_en,
        filed_on: iso_date::format(f.received_on),
        decided_on: text("on"),
        reasons: text("reasons"),
        status: f.status,
    })
}

/// The newest objection to each of `warnings` (those named by a page's changes).
pub async fn of_warnings(
    state: &AppState,
    warnings: &[RecordId],
) -> ApiResult<Vec<WarningObjection>> {
    let mut out = Vec::new();
    for w in warnings {
        if let Some(newest) = state.store.objections_to(*w).await?.into_iter().next() {
            out.push(view(state, newest).await?);
        }
    }
    Ok(out)
}

/// For a snapshot: the newest objection to each warning `user`'s devices signed.
pub async fn of_inspector(state: &AppState, user: UserId) -> ApiResult<Vec<WarningObjection>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for f in state
        .store
        .objections_to_warnings_of(user, SNAPSHOT_LIMIT)
        .await?
    {
        if f.target_record.is_some_and(|w| seen.insert(w)) {
            out.push(view(state, f).await?);
        }
    }
    Ok(out)
}
