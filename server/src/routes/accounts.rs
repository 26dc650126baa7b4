use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use knd_shared::UserId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::paging::{NoFilter, Paged};
use super::projected::DocumentView;
use crate::auth::{Business, Caller, ClientAddr, OverTls, session_cookie};
use crate::error::{ApiResult, Json, Path, Problem};
use crate::model::{Role, User};
use crate::services::{accounts, records};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginRequest {
    login: String,
    password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct UserView {
    id: uuid::Uuid,
    agency_id: uuid::Uuid,
    login: String,
    role: Role,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// Since when the user may not sign in; absent for an active user.
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    disabled_at: Option<OffsetDateTime>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id.as_uuid(),
            agency_id: u.agency.as_uuid(),
            login: u.login,
            role: u.role,
            created_at: u.created_at,
            disabled_at: u.disabled_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct LoginResponse {
    /// A bearer token for scripts; the console uses the HttpOnly cookie set alongside.
    token: String,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    user: UserView,
}

/// Signs in; failed attempts are throttled per login and per address.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = LoginResponse),
    (status = 401, body = Problem), (status = 429, body = Problem),
))]
pub(super) async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    tls: OverTls,
    Json(req): Json<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let (token, user, expires_at) =
        accounts::login(&state, &req.login, req.password, addr.as_deref()).await?;
    let max_age = (expires_at - OffsetDateTime::now_utc()).whole_seconds();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        session_cookie(&state, tls, &token, max_age),
    );
    Ok((
        headers,
        Json(LoginResponse {
            token,
            expires_at,
            user: user.into(),
        }),
    ))
}

/// Ends the session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("session" = [])), responses(
    (status = 204), (status = 401, body = Problem),
))]
pub(super) async fn logout(
    State(state): State<AppState>,
    tls: OverTls,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    accounts::logout(
        &state,
        &caller.token,
        &caller.user,
        caller.address.as_deref(),
    )
    .await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, session_cookie(&state, tls, "", 0));
    Ok((StatusCode::NO_CONTENT, headers))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("session" = [])), responses(
    (status = 200, body = UserView), (status = 401, body = Problem),
))]
pub(super) async fn me(caller: Caller) -> Json<UserView> {
    Json(caller.user.into())
}

/// The agency's users.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", security(("session" = [])), responses(
    (status = 200, body = Vec<UserView>), (status = 401, body = Problem), (status = 403, body = Problem),
))]
pub(super) async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<UserView>>> {
    let users = accounts::list_users(&state, &caller.user, caller.address.as_deref()).await?;
    Ok(Json(users.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateUser {
    #[schema(pattern = "^[\\p{L}\\p{N}._@-]{3,64}$")]
    login: String,
    #[schema(min_length = 10)]
    password: String,
    role: Role,
}

/// Creates a user in the caller's agency (admins only).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", security(("session" = [])), request_body = CreateUser, responses(
    (status = 201, body = UserView), (status = 403, body = Problem), (status = 409, body = Problem),
    (status = 422, body = Problem),
))]
pub(super) async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let form = accounts::UserForm {
        login: req.login,
        password: req.password,
        role: req.role,
    };
    let user =
        accounts::create_user_as(&state, &caller.user, caller.address.as_deref(), form).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// One user of the caller's agency (admins and auditors, or the user themself).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "accounts", security(("session" = [])), params(("id" = uuid::Uuid, Path)), responses(
    (status = 200, body = UserView), (status = 404, body = Problem),
))]
pub(super) async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<UserId>,
) -> ApiResult<Json<UserView>> {
    let user = accounts::get_user(&state, &caller.user, caller.address.as_deref(), id).await?;
    Ok(Json(user.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct BusinessView {
    /// The ИНН the key speaks for.
    subject_inn: String,
    api_key_id: uuid::Uuid,
}

/// The business an API key belongs to.
#[utoipa::path(get, path = "/api/v1/business/me", tag = "business", security(("api_key" = [])), responses(
    (status = 200, body = BusinessView), (status = 401, body = Problem),
))]
pub(super) async fn business_me(Business(key): Business) -> Json<BusinessView> {
    Json(BusinessView {
        subject_inn: key.subject_inn,
        api_key_id: key.id,
    })
}

/// The warnings, acts and orders addressed to the business, from every agency (as projected from
/// the signed records; each record and its evidence bundle are under `/api/v1/records/{id}`).
/// A corrected document is listed in every version: the correction with the record it
/// `supersedes` and its `reason`, the version it replaced with `superseded_by`.
#[utoipa::path(get, path = "/api/v1/business/documents", tag = "business", security(("api_key" = [])),
    params(Paged<NoFilter, 500>), responses((status = 200, body = Vec<DocumentView>)))]
pub(super) async fn business_documents(
    State(state): State<AppState>,
    Business(key): Business,
    page: Paged<NoFilter, 500>,
) -> ApiResult<Json<Vec<DocumentView>>> {
    let after = page.cursor("a record id", |a| knd_shared::RecordId::parse(a).ok())?;
    let documents = records::documents_for(&state, &key, after, page.limit).await?;
    Ok(Json(documents.into_iter().map(Into::into).collect()))
}
