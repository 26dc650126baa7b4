//! The public check of a document (no sign-in): the link in a PDF's QR code names the record
//! and its SHA-256; the page says whether that record is signed, logged and included in the
//! current checkpoint — by building its evidence bundle and verifying it exactly as
//! `knd verify bundle` does, against the log key — and whether the hash in the link is the
//! record's. It shows what the document itself carries (its kind, dates, the agency, the
//! addressee's ИНН), nothing more. Only documents are checked here: warnings, acts and orders
//! released to their addressee, and the agency's decisions on filings; anything else is "not
//! found". An uploaded bundle file is verified the same way, so a byte changed in it fails.

use knd_shared::bundle::{Bundle, BundleReport};
use knd_shared::note::NoteVerifier;
use knd_shared::record::RecordKind;
use knd_shared::{AgencyId, RecordId, Sha256};
use time::OffsetDateTime;

use crate::error::{ApiError, ApiResult};
use crate::model::StoredRecord;
use crate::services::transparency;
use crate::state::AppState;

/// What the page shows of a document.
#[derive(Debug, Clone)]
pub struct Checked {
    pub record: RecordId,
    /// The record kind's wire name.
    pub kind: String,
    pub sha256: Sha256,
    /// The signer's time of the record.
    pub signed_at: String,
    pub received_at: OffsetDateTime,
    pub agency: Option<String>,
    pub subject_inn: Option<String>,
    pub log_index: u64,
    pub checkpoint_size: u64,
    /// `Ok` when the bundle verified; the first failure otherwise.
    pub verified: Result<(), String>,
    /// Whether the hash the link carried is the record's (`None`: the link carried none).
    pub hash_matches: Option<bool>,
}

fn log_key(state: &AppState) -> ApiResult<NoteVerifier> {
    NoteVerifier::parse(&state.note_signer.verifier_key())
        .map_err(|e| ApiError::Internal(format!("log key: {e}")))
}

/// The record if it is a public document: a released warning, act or order, or a decision on
/// a filing; else `None`.
async fn public_record(
    state: &AppState,
    id: RecordId,
) -> ApiResult<Option<(StoredRecord, Option<String>)>> {
    let Some(record) = state.store.get_record(id).await? else {
        return Ok(None);
    };
    if record.kind == RecordKind::FilingDecided.as_str() {
        let inn = state.store.filing_record_subject(id).await?;
        return Ok(Some((record, inn)));
    }
    match state.store.projected_document(id).await? {
        Some(d) if !d.held_for_review => Ok(Some((record, d.subject_inn))),
        _ => Ok(None),
    }
}

async fn agency_name(state: &AppState, agency: Option<AgencyId>) -> ApiResult<Option<String>> {
    Ok(match agency {
        Some(a) => state.store.get_agency(a).await?.map(|a| a.name),
        None => None,
    })
}

fn verify(state: &AppState, bundle: &Bundle) -> ApiResult<Result<BundleReport, String>> {
    Ok(bundle.verify(&log_key(state)?).map_err(|e| e.to_string()))
}

/// Checks the document `id`, with the hash the link carried (404 for anything not a public
/// document).
pub async fn check(state: &AppState, id: RecordId, claimed: Option<&str>) -> ApiResult<Checked> {
    let (record, subject_inn) = public_record(state, id).await?.ok_or(ApiError::NotFound)?;
    let bundle = transparency::bundle(state, &record).await?;
    let verified = verify(state, &bundle)?;
    let checkpoint_size = verified.as_ref().map(|r| r.checkpoint.size).unwrap_or(0);
    let signed_at = verified
        .as_ref()
        .map(|r| r.record.at.to_string())
        .unwrap_or_default();
    Ok(Checked {
        record: id,
        kind: record.kind.clone(),
        sha256: record.hash,
        signed_at,
        received_at: record.received_at,
        agency: agency_name(state, record.agency).await?,
        subject_inn,
        log_index: record.log_index,
        checkpoint_size,
        verified: verified.map(drop),
        hash_matches: claimed.map(|h| h.eq_ignore_ascii_case(&record.hash.to_hex())),
    })
}

/// Verifies an uploaded bundle file against the log key; then, if it verified, shows the
/// public document it carries (a verified bundle of anything else is reported verified, with
/// no details).
pub async fn check_upload(
    state: &AppState,
    bytes: &[u8],
) -> ApiResult<Result<Option<Checked>, String>> {
    let bundle: Bundle = match serde_json::from_slice(bytes) {
        Ok(b) => b,
        Err(_) => {
            return Ok(Err(
                "файл — не пакет доказательств / the file is not an evidence bundle".into(),
            ));
        }
    };
    let report = match verify(state, &bundle)? {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let id = report.record.id;
    Ok(Ok(match public_record(state, id).await? {
        Some(_) => {
            let hash = report.record.hash.to_hex();
            Some(check(state, id, Some(&hash)).await?)
        }
        None => None,
    }))
}
