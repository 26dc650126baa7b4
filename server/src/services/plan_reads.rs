//! What the console's plan pages read beside a plan itself: its amendments, who the agency's
//! users are (an entry's inspectors, an amendment's author) and the registry rows of the objects
//! an entry names. Every read asks the policy for `ReadPlanning`, as `plan_lifecycle::get` does,
//! so the plan pages need no other role's permission (an auditor reads plans without reading
//! users).

use std::collections::HashMap;

use knd_shared::UserId;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::model::planning::PlanAmendment;
use crate::model::{ControlObject, User};
use crate::services::policy::{self, Action};
use crate::state::AppState;

/// The most object keys one call reads (a page shows a bounded number of entries).
const MAX_KEYS: usize = 10_000;

async fn allowed(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    what: String,
) -> ApiResult<()> {
    policy::require(
        state,
        user,
        address,
        Action::ReadPlanning,
        "plan.read",
        || what,
    )
    .await
}

/// The amendments of a plan of the caller's agency, oldest first (another agency's plan: 404).
pub async fn amendments(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    plan: Uuid,
) -> ApiResult<Vec<PlanAmendment>> {
    allowed(state, user, address, format!("plan:{plan}")).await?;
    // The amendments are stored by plan id alone: the plan must be this agency's first.
    if !state
        .store
        .plans(user.agency)
        .await?
        .iter()
        .any(|p| p.id == plan)
    {
        return Err(ApiError::NotFound);
    }
    let mut list = state.store.amendments(plan).await?;
    list.sort_by_key(|a| a.version);
    Ok(list)
}

/// The logins of the agency's users by id (disabled users too: an old amendment names them).
pub async fn logins(
    state: &AppState,
    user: &User,
    address: Option<&str>,
) -> ApiResult<HashMap<UserId, String>> {
    allowed(state, user, address, format!("agency:{}", user.agency)).await?;
    Ok(state
        .store
        .list_users(user.agency)
        .await?
        .into_iter()
        .map(|u| (u.id, u.login))
        .collect())
}

/// The agency's objects with these keys (those that exist), by key.
pub async fn objects(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    keys: &[String],
) -> ApiResult<HashMap<String, ControlObject>> {
    allowed(state, user, address, format!("agency:{}", user.agency)).await?;
    if keys.len() > MAX_KEYS {
        return Err(ApiError::BadRequest(format!(
            "не более {MAX_KEYS} объектов за раз / at most {MAX_KEYS} objects at once"
        )));
    }
    Ok(state
        .store
        .objects_by_keys(user.agency, keys)
        .await?
        .into_iter()
        .map(|o| (o.object_key.clone(), o))
        .collect())
}
