//! What console users read of the registry: every role of the agency, through the policy (so a
//! narrower rule, when one comes, is made in one place).

use crate::error::{ApiError, ApiResult};
use crate::model::{Checklist, ControlObject, ControlType, Requirement, Subject, User};
use crate::services::policy::{self, Action};
use crate::state::AppState;

async fn allowed(state: &AppState, user: &User, address: Option<&str>) -> ApiResult<()> {
    policy::require(
        state,
        user,
        address,
        Action::ReadRegistry,
        "registry.read",
        || format!("agency:{}", user.agency),
    )
    .await
}

/// The agency's control types.
pub async fn control_types(
    state: &AppState,
    user: &User,
    address: Option<&str>,
) -> ApiResult<Vec<ControlType>> {
    allowed(state, user, address).await?;
    Ok(state.store.list_control_types(user.agency).await?)
}

/// The agency's subjects in INN order after `after`.
pub async fn subjects(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    after: Option<&str>,
    limit: u32,
) -> ApiResult<Vec<Subject>> {
    allowed(state, user, address).await?;
    Ok(state.store.list_subjects(user.agency, after, limit).await?)
}

/// Which objects a page lists: of one district or all, in key order after `after`.
#[derive(Debug, Clone, Copy)]
pub struct ObjectQuery<'a> {
    pub district: Option<&'a str>,
    pub after: Option<&'a str>,
    pub limit: u32,
}

/// The agency's control objects.
pub async fn objects(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    q: ObjectQuery<'_>,
) -> ApiResult<Vec<ControlObject>> {
    allowed(state, user, address).await?;
    Ok(state
        .store
        .list_objects(user.agency, q.district, q.after, q.limit)
        .await?)
}

/// The requirements of a control type of the agency; 404 without one.
pub async fn requirements(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    type_code: &str,
) -> ApiResult<Vec<Requirement>> {
    allowed(state, user, address).await?;
    state
        .store
        .list_requirements(user.agency, type_code)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A checklist of a control type of the agency; 404 without one.
pub async fn checklist(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    type_code: &str,
    code: &str,
) -> ApiResult<Checklist> {
    allowed(state, user, address).await?;
    state
        .store
        .get_checklist(user.agency, type_code, code)
        .await?
        .ok_or(ApiError::NotFound)
}
