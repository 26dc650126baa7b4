//! Operator commands (`knd-server admin ...`): bootstrap and script the system without the API.

use knd_shared::AgencyId;

use crate::error::ApiError;
use crate::model::{Actor, Role};
use crate::services::accounts;
use crate::state::AppState;

fn api(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub async fn create_agency(state: &AppState, name: &str) -> anyhow::Result<serde_json::Value> {
    let a = accounts::create_agency(state, name, Actor::Operator)
        .await
        .map_err(api)?;
    Ok(serde_json::json!({ "id": a.id, "name": a.name }))
}

pub async fn create_user(
    state: &AppState,
    agency: AgencyId,
    login: &str,
    role: Role,
    password: String,
) -> anyhow::Result<serde_json::Value> {
    let u = accounts::create_user(state, agency, login, password, role, Actor::Operator, None)
        .await
        .map_err(api)?;
    Ok(serde_json::json!({ "id": u.id, "agency_id": u.agency, "login": u.login, "role": u.role }))
}

pub async fn enrollment_code(state: &AppState, login: &str) -> anyhow::Result<serde_json::Value> {
    let (user, _) = state
        .store
        .user_for_login(login)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user with login {login:?}"))?;
    let (code, expires) = accounts::create_enrollment_code(state, None, user.id, user.agency, None)
        .await
        .map_err(api)?;
    Ok(serde_json::json!({
        "code": code,
        "user": user.login,
        "expires_at": expires.format(&time::format_description::well_known::Rfc3339)?,
    }))
}

pub async fn issue_api_key(state: &AppState, inn: &str) -> anyhow::Result<serde_json::Value> {
    let (key, secret) = accounts::issue_api_key(state, inn, Actor::Operator)
        .await
        .map_err(api)?;
    Ok(serde_json::json!({ "id": key.id, "subject_inn": key.subject_inn, "key": secret }))
}

pub async fn revoke_api_key(state: &AppState, id: uuid::Uuid) -> anyhow::Result<serde_json::Value> {
    accounts::revoke_api_key(state, id, Actor::Operator)
        .await
        .map_err(api)?;
    Ok(serde_json::json!({ "id": id, "revoked": true }))
}
