//! What the console's risk pages read beside the risk services: an object's recent events, the
//! objects a page of triggered indicators names (their subject and control type, for the
//! unplanned inspection's form), and the login of whoever decided a proposal. All for the roles
//! that read planning, through the policy.

use knd_shared::{ObjectId, UserId};

use crate::error::ApiResult;
use crate::model::planning::RiskEvent;
use crate::model::{ControlObject, User};
use crate::services::policy::{self, Action};
use crate::state::AppState;

/// The most keys one call looks up (a page of triggers names at most this many objects).
const MAX_KEYS: usize = 200;

async fn allowed(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    target: impl FnOnce() -> String,
) -> ApiResult<()> {
    policy::require(
        state,
        user,
        address,
        Action::ReadPlanning,
        "risk.read",
        target,
    )
    .await
}

/// An object's latest `limit` events, newest first.
pub async fn recent_events(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    object: ObjectId,
    limit: usize,
) -> ApiResult<Vec<RiskEvent>> {
    allowed(state, user, address, || format!("object:{object}")).await?;
    // The store answers oldest first and only by object id: keep it to the agency's own.
    let mut events: Vec<RiskEvent> = state
        .store
        .object_events(object, None)
        .await?
        .into_iter()
        .filter(|e| e.agency == user.agency)
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse((e.occurred_on, e.recorded_at)));
    events.truncate(limit);
    Ok(events)
}

/// The agency's objects of these keys (at most [`MAX_KEYS`] are looked up).
pub async fn objects_by_keys(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    keys: &[String],
) -> ApiResult<Vec<ControlObject>> {
    allowed(state, user, address, || format!("agency:{}", user.agency)).await?;
    let keys = &keys[..keys.len().min(MAX_KEYS)];
    Ok(state.store.objects_by_keys(user.agency, keys).await?)
}

/// The login of a user of the agency (who decided a proposal); `None` when there is none.
pub async fn login_of(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: UserId,
) -> ApiResult<Option<String>> {
    allowed(state, user, address, || format!("user:{id}")).await?;
    Ok(state
        .store
        .get_user(user.agency, id)
        .await?
        .map(|u| u.login))
}
