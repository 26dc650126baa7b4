//! Filings a controlled person signs with its filing key (issue 14 §1): the record (format v1,
//! kind `business_filing`, the business as the signer) carries the request exactly as the API
//! takes it; the server checks the key is the subject's, the signature and the body, then files
//! the request through the same rules as an unsigned one, storing the business's record in its
//! key's chain in place of the server's `filing_received` (same transaction, log and receipt).
//! A retry of the same record answers with what it created.

use knd_shared::record::kinds::{self, BusinessFiling, RecordKind};
use knd_shared::record::{self, MAX_RECORD_BYTES, RecordError};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::filings::{self, FilingState, Via};
use super::{appeal_steps, appeals, business_keys, declarations, objections};
use crate::error::{ApiError, ApiResult};
use crate::model::ApiKey;
use crate::state::AppState;
use crate::store::{Candidate, Rejection};

/// Files the request a signed `business_filing` record carries.
pub async fn file(state: &AppState, key: &ApiKey, bytes: &[u8]) -> ApiResult<(FilingState, bool)> {
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(record_error(&RecordError::TooLarge {
            size: bytes.len(),
            limit: MAX_RECORD_BYTES,
        }));
    }
    let device = record::parse_unverified(bytes)
        .map_err(|e| record_error(&e))?
        .device;
    let signer = business_keys::one(state, key, device).await.map_err(|_| {
        ApiError::Unprocessable(format!(
            "ключ подписи {device} не зарегистрирован для вас (POST /api/v1/business/keys) / \
                 the signing key {device} is not registered for you (POST /api/v1/business/keys)"
        ))
    })?;
    let rec = record::verify(bytes, &signer.device.public_key).map_err(|e| record_error(&e))?;
    // A retry: what the record created, if it is the same record (another under a used id is
    // refused by the chain's rules below).
    if let Some(f) = state.store.filing_of_record(rec.id).await?
        && state
            .store
            .get_record(rec.id)
            .await?
            .is_some_and(|r| r.hash == rec.hash)
    {
        return Ok((filings::state_of(state, f).await?, false));
    }
    if signer.device.revoked_at.is_some() {
        return Err(refused(&Rejection::new("revoked_device", "")));
    }
    let kind = kinds::check_body(&rec.kind, &rec.body)
        .map_err(|e| ApiError::Unprocessable(format!("{e} / {e}")))?;
    if kind != RecordKind::BusinessFiling {
        return Err(ApiError::Unprocessable(format!(
            "ключом подачи подписываются только записи business_filing, не {k} / \
             a filing key signs business_filing records only, not {k}",
            k = rec.kind
        )));
    }
    let body: BusinessFiling = kinds::decode_body(&rec.body)
        .map_err(|e| ApiError::Unprocessable(format!("business_filing: {e}")))?;
    if body.subject.as_str() != key.subject_inn {
        return Err(ApiError::Unprocessable(format!(
            "в записи указано лицо {}, ключ API — лица {} / the record names subject {}, the API \
             key is subject {}'s",
            body.subject, key.subject_inn, body.subject, key.subject_inn
        )));
    }
    let candidate = Candidate {
        record: rec,
        bytes: bytes.to_vec(),
    };
    let via = Via::Signed(&candidate);
    let request = Value::Object(body.request);
    match body.filing.as_str() {
        "objection" => objections::file(state, key, via, parse(request)?).await,
        "appeal" => appeals::file(state, key, via, parse(request)?).await,
        "self_assessment" => {
            declarations::file_self_assessment(state, key, via, parse(request)?).await
        }
        "declaration" => declarations::file_declaration(state, key, via, parse(request)?).await,
        "appeal_step" => {
            let of = body.of.ok_or_else(|| {
                ApiError::Unprocessable(
                    "шаг по жалобе называет её в поле of / an appeal step names its appeal in `of`"
                        .into(),
                )
            })?;
            appeal_steps::filer_step(state, key, via, of, &parse(request)?).await
        }
        other => Err(ApiError::Unprocessable(format!(
            "неизвестный вид обращения {other:?}: objection, appeal, self_assessment, \
             declaration, appeal_step / unknown filing {other:?}"
        ))),
    }
}

fn parse<T: DeserializeOwned>(request: Value) -> ApiResult<T> {
    serde_json::from_value(request).map_err(|e| {
        ApiError::Unprocessable(format!(
            "запрос в записи не подходит к виду обращения: {e} / the record's request does not \
             fit its filing: {e}"
        ))
    })
}

/// A record the signature or format checks refused.
fn record_error(e: &RecordError) -> ApiError {
    refused(&Rejection::new(e.reason(), e.to_string()))
}

/// The answer to a signed record refused: by its reason's name, with the detail (a chain that
/// lost its place is a conflict: read the key's head, `GET /api/v1/business/keys/{id}`).
pub fn refused(r: &Rejection) -> ApiError {
    let (ru, en) = reason_names(r.reason);
    let detail = if r.detail.is_empty() {
        String::new()
    } else {
        format!(" ({})", r.detail)
    };
    let text = format!("запись отклонена: {ru}{detail} / the record was refused: {en}{detail}");
    match r.reason {
        "seq_gap" | "chain_break" | "conflicting_duplicate" => ApiError::Conflict(text),
        _ => ApiError::Unprocessable(text),
    }
}

fn reason_names(reason: &str) -> (&'static str, &'static str) {
    match reason {
        "revoked_device" => ("ключ подписи отозван", "the signing key was revoked"),
        "conflicting_duplicate" => (
            "запись с этим номером или местом в цепочке уже принята с другим содержимым",
            "a record with this id or place in the chain was stored with other content",
        ),
        "seq_gap" => (
            "номер записи не следует за последней принятой",
            "the seq does not follow the last stored record",
        ),
        "chain_break" => (
            "prev не равен хешу последней принятой записи",
            "prev is not the hash of the last stored record",
        ),
        "bad_signature" => ("подпись не сходится", "the signature does not verify"),
        "too_large" => ("запись слишком велика", "the record is too large"),
        "wrong_device" => (
            "запись подписана другим ключом",
            "the record names another key",
        ),
        "non_integer_number" | "number_out_of_range" => (
            "в записи допустимы только целые числа",
            "a record carries integers only",
        ),
        _ => ("запись не читается", "the record is malformed"),
    }
}
