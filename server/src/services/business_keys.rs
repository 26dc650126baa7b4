//! A controlled person's Ed25519 filing keys (issue 14 §1): registered with its API key, each
//! gets a chain of its own, enrolled in the transparency log by the server's `device_enrolled`
//! record naming the subject; from then its filings may be records it signs
//! (`signed_filings.rs`), verifiable with `knd verify bundle` like a tablet's.

use knd_shared::{DeviceId, Inn, KeyError, PublicKey};
use serde_json::json;
use time::OffsetDateTime;

use super::accounts::{audit, plain_text};
use crate::error::{ApiError, ApiResult};
use crate::model::business_keys::{BusinessKey, NewBusinessKey};
use crate::model::{Actor, ApiKey};
use crate::state::AppState;

/// Filing keys a subject may hold at once (a few per office, rotated by revoking).
pub const MAX_KEYS: u32 = 10;

/// Registers a filing key for the API key's subject.
pub async fn register(
    state: &AppState,
    key: &ApiKey,
    address: Option<&str>,
    public_key_hex: &str,
    name: &str,
) -> ApiResult<BusinessKey> {
    let name = plain_text("название ключа / the key's name", name, 200)?;
    let public_key = PublicKey::parse_hex(public_key_hex).map_err(|e| match e {
        KeyError::SmallOrder => ApiError::Unprocessable(
            "ключ малого порядка не принимается / a small-order public key is refused".into(),
        ),
        other => ApiError::Unprocessable(format!(
            "public_key: нужен открытый ключ Ed25519, 64 шестнадцатеричных знака ({other}) / \
             an Ed25519 public key, 64 hex characters ({other})"
        )),
    })?;
    let subject = Inn::parse(&key.subject_inn)
        .map_err(|e| ApiError::Internal(format!("api key inn: {e}")))?;
    let held = state.store.business_keys(&key.subject_inn).await?;
    if held
        .iter()
        .any(|k| k.device.revoked_at.is_none() && k.device.public_key == public_key)
    {
        return Err(ApiError::Conflict(
            "этот ключ уже зарегистрирован / this key is registered already".into(),
        ));
    }
    let new = NewBusinessKey {
        device: DeviceId::new(),
        name: name.to_owned(),
        public_key,
        subject,
        api_key: key.id,
        at: OffsetDateTime::now_utc(),
    };
    let mut a = audit(
        Actor::ApiKey(key.id),
        None,
        "business_key.register",
        address,
    );
    a.target = Some(format!("device:{}", new.device));
    a.detail = Some(json!({ "name": name, "public_key": public_key.to_hex() }));
    state
        .store
        .add_business_key(&new, MAX_KEYS, &state.server, &a)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict(format!(
                "у вас уже {MAX_KEYS} действующих ключей — отзовите один / \
                 you hold {MAX_KEYS} keys already: revoke one"
            ))
        })
}

/// The subject's filing keys, revoked ones too.
pub async fn list(state: &AppState, key: &ApiKey) -> ApiResult<Vec<BusinessKey>> {
    Ok(state.store.business_keys(&key.subject_inn).await?)
}

/// One of the subject's filing keys (404 for another subject's).
pub async fn one(state: &AppState, key: &ApiKey, id: DeviceId) -> ApiResult<BusinessKey> {
    state
        .store
        .business_key(id)
        .await?
        .filter(|k| k.subject_inn == key.subject_inn)
        .ok_or(ApiError::NotFound)
}

/// Revokes a filing key of the subject: it signs nothing more (what it filed stays valid).
pub async fn revoke(
    state: &AppState,
    key: &ApiKey,
    address: Option<&str>,
    id: DeviceId,
) -> ApiResult<BusinessKey> {
    let mut a = audit(Actor::ApiKey(key.id), None, "business_key.revoke", address);
    a.target = Some(format!("device:{id}"));
    let done = state
        .store
        .revoke_business_key(&key.subject_inn, id, OffsetDateTime::now_utc(), &a)
        .await?;
    if !done {
        return Err(ApiError::NotFound);
    }
    one(state, key, id).await
}
