//! An admin's changes to users: role, disable and enable, a new password.

use axum::extract::State;
use knd_shared::UserId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::accounts::UserView;
use crate::auth::Caller;
use crate::error::{ApiResult, Json, Path, Problem};
use crate::model::Role;
use crate::services::users::{self, Change};
use crate::state::AppState;

async fn apply(
    state: &AppState,
    caller: &Caller,
    id: UserId,
    c: Change,
) -> ApiResult<Json<UserView>> {
    let user = users::change(state, &caller.user, caller.address.as_deref(), id, c).await?;
    Ok(Json(user.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RoleRequest {
    role: Role,
}

/// Changes a user's role (admins; not one's own admin role).
#[utoipa::path(post, path = "/api/v1/users/{id}/role", tag = "accounts", security(("session" = [])),
    params(("id" = uuid::Uuid, Path)), request_body = RoleRequest, responses(
    (status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 422, body = Problem),
))]
pub(super) async fn set_role(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<UserId>,
    Json(req): Json<RoleRequest>,
) -> ApiResult<Json<UserView>> {
    apply(&state, &caller, id, Change::Role(req.role)).await
}

/// Disables a user: it cannot sign in and its sessions end at once; its devices keep their
/// records (admins; not oneself).
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "accounts", security(("session" = [])),
    params(("id" = uuid::Uuid, Path)), responses(
    (status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 422, body = Problem),
))]
pub(super) async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<UserId>,
) -> ApiResult<Json<UserView>> {
    apply(&state, &caller, id, Change::Disable).await
}

/// Lets a disabled user sign in again (admins).
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "accounts", security(("session" = [])),
    params(("id" = uuid::Uuid, Path)), responses(
    (status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem),
))]
pub(super) async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<UserId>,
) -> ApiResult<Json<UserView>> {
    apply(&state, &caller, id, Change::Enable).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PasswordRequest {
    #[schema(min_length = 10)]
    password: String,
}

/// Sets a user's password (admins); the user's sessions end.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "accounts", security(("session" = [])),
    params(("id" = uuid::Uuid, Path)), request_body = PasswordRequest, responses(
    (status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 422, body = Problem),
))]
pub(super) async fn set_password(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<UserId>,
    Json(req): Json<PasswordRequest>,
) -> ApiResult<Json<UserView>> {
    apply(&state, &caller, id, Change::Password(req.password)).await
}
