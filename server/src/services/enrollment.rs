//! Device enrollment (DESIGN.md section 5): a one-time code, a public key, a name → a device id and
//! a token, and the server's signed `device_enrolled` record in the log.

use knd_shared::{DeviceId, KeyError, PublicKey};
use time::OffsetDateTime;

use super::accounts::audit;
use super::throttle::Limit;
use super::tokens::{self, TokenKind};
use crate::error::{ApiError, ApiResult, CodeRefusal};
use crate::model::{Actor, Device, NewDevice, Outcome};
use crate::state::AppState;
use crate::store::EnrollRefusal;

/// Bad codes allowed per code prefix and per address within the window: generous, since an
/// office behind one address may enroll many tablets with typos.
const ENROLL_FAILURES: usize = 20;

/// What the app receives: its identity, its secret, and how to check the server.
#[derive(Debug)]
pub struct Enrolled {
    pub device: Device,
    pub token: String,
    pub server_key: String,
    pub log_origin: String,
}

pub async fn enroll(
    state: &AppState,
    code: &str,
    public_key_hex: &str,
    name: &str,
    address: Option<&str>,
) -> ApiResult<Enrolled> {
    // Codes are short enough to type: guesses are limited per address and per code prefix,
    // never globally (one office's typos or an attacker's guesses must not stop every agency's
    // enrollment).
    let limits = [
        Limit {
            key: format!("enrollment-code:{}", tokens::code_prefix(code)),
            max: ENROLL_FAILURES,
            growing: false,
        },
        Limit {
            key: format!("addr:{}", address.unwrap_or("unknown")),
            max: ENROLL_FAILURES,
            growing: false,
        },
    ];
    state
        .enroll_throttle
        .check(&limits)
        .map_err(ApiError::TooManyRequests)?;
    let name = super::accounts::plain_text("a device name", name, 200)?;
    let public_key = PublicKey::parse_hex(public_key_hex).map_err(|e| match e {
        KeyError::SmallOrder => ApiError::Unprocessable("small-order public key refused".into()),
        other => ApiError::Unprocessable(format!("public_key: {other}")),
    })?;
    let (token, token_hash) = tokens::generate(TokenKind::Device);
    let device = NewDevice {
        id: DeviceId::new(),
        name: name.to_owned(),
        public_key,
        token_hash,
    };
    let mut a = audit(Actor::Anonymous, None, "device.enroll", address);
    a.target = Some(format!("device:{}", device.id));
    a.detail = Some(serde_json::json!({ "name": name, "public_key": public_key.to_hex() }));
    let outcome = state
        .store
        .enroll_device(
            &tokens::code_hash(code),
            &device,
            &state.server,
            OffsetDateTime::now_utc(),
            &a,
        )
        .await?;
    match outcome {
        Ok(device) => {
            let [code_key, addr_key] = &limits;
            state
                .enroll_throttle
                .record_success(&[&code_key.key], &[&addr_key.key]);
            Ok(Enrolled {
                device,
                token,
                server_key: state.note_signer.verifier_key(),
                log_origin: state.config.log_origin.clone(),
            })
        }
        Err(refusal) => {
            let (why, agency) = match refusal {
                EnrollRefusal::UnknownCode => (CodeRefusal::Unknown, None),
                EnrollRefusal::CodeUsed(a) => (CodeRefusal::Used, Some(a)),
                EnrollRefusal::CodeExpired(a) => (CodeRefusal::Expired, Some(a)),
            };
            a.agency = agency;
            a.outcome = Outcome::Denied;
            a.detail = Some(serde_json::json!({ "reason": why.detail() }));
            state.store.audit(&a).await?;
            Err(ApiError::EnrollmentRefused(why))
        }
    }
}
