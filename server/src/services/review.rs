//! Review flags as people resolve them: a list by state (waiting, resolved, all) and a
//! resolution (accept, or reject with a reason) that is stored once, with its audit entry in
//! the same transaction. Accepting a `document_unknown_subject` flag releases the held
//! document to its addressee (the store's `held!` condition reads the resolution).

use knd_shared::RecordId;

use crate::error::{ApiError, ApiResult};
use crate::model::{Actor, Decision, ReviewItem, ReviewState, User};
use crate::services::accounts;
use crate::services::policy::{self, Action};
use crate::state::AppState;
use crate::store::NewResolution;

/// The longest reason a rejection may give.
pub const MAX_NOTE_CHARS: usize = 2000;

/// The agency's review flags in `state`, by (record, reason) after `after`.
pub async fn list(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    which: ReviewState,
    after: Option<(RecordId, String)>,
    limit: u32,
) -> ApiResult<Vec<ReviewItem>> {
    policy::require(
        state,
        user,
        address,
        Action::ReadReviewFlags,
        "review_flags.list",
        || "review_flags".into(),
    )
    .await?;
    Ok(state
        .store
        .review_items(user.agency, which, after, limit)
        .await?)
}

/// How many flags wait for a resolution, up to `cap` (`None` for a role that does not read
/// them): the Today page's number.
pub async fn waiting(state: &AppState, user: &User, cap: u32) -> ApiResult<Option<u64>> {
    if !Action::ReadReviewFlags.allows(user.role) {
        return Ok(None);
    }
    Ok(Some(state.store.waiting_flags(user.agency, cap).await?))
}

/// What a person decided about one flag.
#[derive(Debug, Clone)]
pub struct Resolve {
    pub record: RecordId,
    pub reason: String,
    pub decision: Decision,
    /// Why it is rejected (required then; kept when given with an acceptance).
    pub note: Option<String>,
}

/// Resolves a flag of the user's agency: 403 for a role that may not, 404 for an unknown
/// flag, 409 when it is resolved already, 422 for a rejection without a reason.
pub async fn resolve(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    r: Resolve,
) -> ApiResult<ReviewItem> {
    let target = format!("record:{}", r.record);
    policy::require(
        state,
        user,
        address,
        Action::ResolveReviewFlags,
        "review_flag.resolve",
        || target.clone(),
    )
    .await?;
    let Some(item) = state
        .store
        .review_item(user.agency, r.record, &r.reason)
        .await?
    else {
        accounts::audit_denied(state, user, "review_flag.resolve", target, address).await?;
        return Err(ApiError::NotFound);
    };
    let note = match r.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => Some(note_text(n)?),
        None if r.decision == Decision::Rejected => {
            return Err(ApiError::Unprocessable(
                "укажите причину отклонения / a rejection needs a reason".into(),
            ));
        }
        None => None,
    };
    if item.resolution.is_some() {
        return Err(already());
    }
    let mut a = accounts::audit(
        Actor::User(user.id),
        Some(user.agency),
        "review_flag.resolve",
        address,
    );
    a.target = Some(target);
    a.detail = Some(serde_json::json!({
        "reason": r.reason,
        "decision": r.decision.as_str(),
        "note": note,
    }));
    let stored = state
        .store
        .resolve_flag(
            user.agency,
            &NewResolution {
                record: r.record,
                reason: r.reason.clone(),
                decision: r.decision,
                note,
                by: user.id,
            },
            &a,
        )
        .await?;
    if !stored {
        // Someone else resolved it between the read and the write.
        return Err(already());
    }
    state
        .store
        .review_item(user.agency, r.record, &r.reason)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A reason as typed in a text area: line breaks allowed, other control characters not (and
/// PostgreSQL refuses NUL in text).
fn note_text(n: &str) -> ApiResult<String> {
    let bad = n
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t');
    if bad || n.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::Unprocessable(format!(
            "причина — до {MAX_NOTE_CHARS} символов без управляющих / \
             a reason is up to {MAX_NOTE_CHARS} characters without control characters"
        )));
    }
    Ok(n.to_owned())
}

fn already() -> ApiError {
    ApiError::Conflict("этот флаг уже рассмотрен / this flag has been resolved already".into())
}
