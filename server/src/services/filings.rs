//! What the filings of controlled persons share: the content hash the server attests, the
//! `Idempotency-Key`, the periods of the control type, a filing's state replayed from its steps
//! with what the agency owes and by when, and what a business reads of its own filings.
//! `objections.rs` and `appeals.rs` hold each kind's rules.

use knd_shared::filings::deadlines::Periods;
use knd_shared::{AgencyId, InspectionId, Sha256};
use serde_json::Value;
use time::Date;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::model::ApiKey;
use crate::model::filings::{
    BusinessEvent, Filing, FilingKind, FilingRecord, FilingStep, Idempotency, Stored,
};
use crate::state::AppState;
use crate::store::{Candidate, ServerRecord};

/// The longest `Idempotency-Key` taken.
const MAX_KEY: usize = 255;

/// SHA-256 of a value's RFC 8785 canonical JSON: what the server's record of a filing attests.
pub fn content_sha256(v: &Value) -> ApiResult<Sha256> {
    knd_shared::filings::content_sha256(v)
        .map_err(|e| ApiError::Internal(format!("canonical json: {e}")))
}

/// How a business files: over the API with its key (and an optional `Idempotency-Key`), or as
/// a record it signed with its filing key (`signed_filings.rs`), which then stands in place of
/// the server's `filing_received` (the record's id makes a retry safe).
#[derive(Debug, Clone, Copy)]
pub enum Via<'a> {
    Api(Option<&'a str>),
    Signed(&'a Candidate),
}

impl Via<'_> {
    /// The record of the filing or the filer's step: the one the business signed, or the
    /// server's attesting the content's hash.
    pub fn record(self, server: ServerRecord) -> FilingRecord {
        match self {
            Via::Api(_) => server.into(),
            Via::Signed(c) => FilingRecord::Signed(Box::new(c.clone())),
        }
    }
}

/// Reads an `Idempotency-Key` header (1 to 255 visible ASCII characters) with the hash of the
/// request it came with (`what` names the operation, so one key cannot mean two operations).
/// A signed filing has none: its record's id is its key.
pub fn idempotency(via: Via<'_>, what: &str, request: &Value) -> ApiResult<Option<Idempotency>> {
    let Via::Api(Some(key)) = via else {
        return Ok(None);
    };
    if key.is_empty() || key.len() > MAX_KEY || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::BadRequest(format!(
            "заголовок Idempotency-Key — от 1 до {MAX_KEY} видимых символов ASCII / \
             the Idempotency-Key header is 1 to {MAX_KEY} visible ASCII characters"
        )));
    }
    let request = content_sha256(&serde_json::json!({ "op": what, "request": request }))?;
    Ok(Some(Idempotency {
        key: key.to_owned(),
        request,
    }))
}

/// What a used `Idempotency-Key` answered, if it was used: a retry answers as the first did
/// (the same key with another request is refused).
pub async fn retried(
    state: &AppState,
    key: &ApiKey,
    idem: Option<&Idempotency>,
) -> ApiResult<Option<(FilingState, bool)>> {
    let Some(k) = idem else {
        return Ok(None);
    };
    match state.store.idempotent(key.id, k).await? {
        Some(done) => {
            let (f, created) = outcome(done)?;
            Ok(Some((state_of(state, f).await?, created)))
        }
        None => Ok(None),
    }
}

/// A free text of a filing (newlines allowed), trimmed, 1 to `max` characters.
pub fn text_field(name_ru: &str, name_en: &str, s: &str, max: usize) -> ApiResult<String> {
    let s = s.trim();
    let bad = s
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r');
    if s.is_empty() || s.chars().count() > max || bad {
        return Err(ApiError::Unprocessable(format!(
            "{name_ru}: от 1 до {max} знаков, без управляющих символов / \
             {name_en}: 1 to {max} characters, without control characters"
        )));
    }
    Ok(s.to_owned())
}

/// An optional free text: absent or blank is `None`.
pub fn opt_text_field(
    name_ru: &str,
    name_en: &str,
    s: Option<&str>,
    max: usize,
) -> ApiResult<Option<String>> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => text_field(name_ru, name_en, s, max).map(Some),
    }
}

/// Attachments named by SHA-256 (lowercase hex), each uploaded over tus by this business
/// (another's file, or a photo of an agency, is refused as not uploaded: a hash opens nothing).
pub async fn attachments(
    state: &AppState,
    key: &ApiKey,
    hashes: &[String],
) -> ApiResult<Vec<String>> {
    if hashes.len() > 50 {
        return Err(ApiError::Unprocessable(
            "не более 50 приложений / at most 50 attachments".into(),
        ));
    }
    let mut out = Vec::with_capacity(hashes.len());
    for h in hashes {
        let hash = Sha256::parse(h).map_err(|_| {
            ApiError::Unprocessable(format!(
                "приложение {h:?} — не SHA-256 / the attachment {h:?} is not a SHA-256"
            ))
        })?;
        if !state
            .store
            .business_blob_visible(&key.subject_inn, &hash)
            .await?
        {
            return Err(ApiError::Unprocessable(format!(
                "приложение {hash} не загружено вами (POST /api/v1/uploads) / \
                 the attachment {hash} was not uploaded by you (POST /api/v1/uploads)"
            )));
        }
        out.push(hash.to_hex());
    }
    Ok(out)
}

/// The files a filing's or step's body carries (its `attachments`, and the `evidence` of each
/// answer of a self-assessment), as checked by [`attachments`]: the agency may read them.
pub fn carried(body: &serde_json::Value) -> Vec<Sha256> {
    let hashes = |v: Option<&serde_json::Value>| {
        v.and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|h| h.as_str().and_then(|h| Sha256::parse(h).ok()))
            .collect::<Vec<_>>()
    };
    let mut out = hashes(body.get("attachments"));
    for answer in body
        .get("answers")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
    {
        out.extend(hashes(answer.get("evidence")));
    }
    out.sort_unstable_by_key(|h| *h.as_bytes());
    out.dedup();
    out
}

/// The result of storing a filing or a step: the filing, and whether it was created now (a
/// replay of the same request answers as the first did; another request under a used key is
/// refused).
pub fn outcome(stored: Stored) -> ApiResult<(Filing, bool)> {
    match stored {
        Stored::Done(f) => Ok((f, true)),
        Stored::Replayed {
            filing, same: true, ..
        } => Ok((filing, false)),
        Stored::Replayed { same: false, .. } => Err(ApiError::IdempotencyKeyReused),
        Stored::Refused(r) => Err(super::signed_filings::refused(&r)),
        Stored::Stale => Err(ApiError::Conflict(
            "по обращению только что принято другое решение; обновите и повторите / \
             another step was just taken on this filing; reload it and try again"
                .into(),
        )),
    }
}

/// The periods of the control type of `inspection` (the law's when there is none).
pub async fn periods_for(
    state: &AppState,
    agency: AgencyId,
    inspection: Option<InspectionId>,
) -> ApiResult<Periods> {
    let Some(id) = inspection else {
        return Ok(Periods::LAW);
    };
    let Some(i) = state.store.get_inspection(Some(agency), id).await? else {
        return Ok(Periods::LAW);
    };
    let types = state.store.list_control_types(agency).await?;
    Ok(types
        .iter()
        .find(|t| t.id == i.control_type_id)
        .map_or(Periods::LAW, |t| Periods::of(&t.rules)))
}

/// Something the agency owes on a filing, by a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    pub what: &'static str,
    pub name_ru: &'static str,
    pub name_en: &'static str,
    pub due: Date,
}

/// A filing as it stands: its steps, what is owed and by when, and its own filing period.
#[derive(Debug, Clone)]
pub struct FilingState {
    pub filing: Filing,
    pub steps: Vec<FilingStep>,
    /// Soonest first; empty when the agency owes nothing.
    pub owed: Vec<Owed>,
    /// The last day the filing could be filed.
    pub filing_due: Date,
    /// Filed after that day (an appeal with a request to restore the period).
    pub late: bool,
    pub status_ru: &'static str,
    pub status_en: &'static str,
}

/// Replays a filing through its steps.
pub async fn state_of(state: &AppState, filing: Filing) -> ApiResult<FilingState> {
    let steps = state.store.filing_steps(filing.id).await?;
    match filing.kind {
        FilingKind::Objection => super::objections::replay(state, filing, steps).await,
        FilingKind::Appeal => super::appeals::replay(state, filing, steps).await,
        FilingKind::SelfAssessment | FilingKind::Declaration => {
            super::declarations::replay(state, filing, steps).await
        }
    }
}

/// The first day of what is owed: the inbox's order.
pub fn first_due(owed: &[Owed]) -> Option<Date> {
    owed.iter().map(|o| o.due).min()
}

/// One of the business's filings (404 for another subject's).
pub async fn business_filing(state: &AppState, key: &ApiKey, id: Uuid) -> ApiResult<FilingState> {
    let filing = state
        .store
        .filing(id)
        .await?
        .filter(|f| f.subject_inn == key.subject_inn)
        .ok_or(ApiError::NotFound)?;
    state_of(state, filing).await
}

/// The business's filings, newest first.
pub async fn business_filings(
    state: &AppState,
    key: &ApiKey,
    before: Option<Uuid>,
    limit: u32,
) -> ApiResult<Vec<FilingState>> {
    let filings = state
        .store
        .subject_filings(&key.subject_inn, before, limit)
        .await?;
    let mut out = Vec::with_capacity(filings.len());
    for f in filings {
        out.push(state_of(state, f).await?);
    }
    Ok(out)
}

/// The business's events after the cursor.
pub async fn business_events(
    state: &AppState,
    key: &ApiKey,
    after: i64,
    limit: u32,
) -> ApiResult<Vec<BusinessEvent>> {
    Ok(state
        .store
        .business_events(&key.subject_inn, after, limit)
        .await?)
}

/// The data of a filing's event: what a business needs to decide whether to read the filing.
pub fn event_data(f: &Filing, status: &str, step: Option<&str>) -> Value {
    let mut data = serde_json::json!({
        "filing": f.id, "kind": f.kind.as_str(), "status": status,
    });
    if let Some(step) = step {
        data["step"] = Value::from(step);
    }
    data
}

/// An agency's filings of a kind for the inbox (no replay: the stored status and first due day).
pub async fn agency_list(
    state: &AppState,
    user: &crate::model::User,
    address: Option<&str>,
    kind: FilingKind,
    list: &crate::store::FilingList,
    limit: u32,
) -> ApiResult<Vec<Filing>> {
    use crate::services::policy::{self, Action};
    policy::require(
        state,
        user,
        address,
        Action::ReadFilings,
        "filing.list",
        || format!("filings:{}", kind.as_str()),
    )
    .await?;
    Ok(state
        .store
        .agency_filings(user.agency, kind, list, limit)
        .await?)
}

/// The log index of a filing's record (its receipt's position, which proves when it was
/// filed), and whether the filer signed it (with its filing key) rather than the server.
pub async fn log_index(
    state: &AppState,
    record: knd_shared::RecordId,
) -> ApiResult<(Option<u64>, bool)> {
    let r = state.store.get_record(record).await?;
    let by_filer = r
        .as_ref()
        .is_some_and(|r| r.device != state.server.identity.device);
    Ok((r.map(|r| r.log_index), by_filer))
}

/// The filing key that signed a filing's or step's record, when the filer signed it.
pub async fn filer_key(
    state: &AppState,
    record: knd_shared::RecordId,
) -> ApiResult<Option<crate::model::business_keys::BusinessKey>> {
    let Some(r) = state.store.get_record(record).await? else {
        return Ok(None);
    };
    if r.device == state.server.identity.device {
        return Ok(None);
    }
    Ok(state.store.business_key(r.device).await?)
}

/// How many of the agency's objections and appeals are owed something by `day` or earlier
/// (at most `cap`); `None` for a role that does not read filings (the Today page).
pub async fn due_by_count(
    state: &AppState,
    user: &crate::model::User,
    day: Date,
    cap: u32,
) -> ApiResult<Option<u64>> {
    if !crate::services::policy::Action::ReadFilings.allows(user.role) {
        return Ok(None);
    }
    Ok(Some(
        state.store.filings_due_by(user.agency, day, cap).await?,
    ))
}
