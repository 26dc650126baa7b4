//! The transparency log as the API serves it: size, checkpoints, proofs and evidence bundles.
//! Proofs read O(log n) stored hashes from the store, never the whole log.

use std::collections::BTreeMap;

use knd_shared::Sha256;
use knd_shared::bundle::{Bundle, DeviceEvidence, InclusionProof};
use knd_shared::log::{self, LogError};
use knd_shared::note::Checkpoint;
use serde_json::value::RawValue;

use crate::error::{ApiError, ApiResult};
use crate::model::StoredRecord;
use crate::state::AppState;

async fn fetch(state: &AppState, indexes: Vec<u64>) -> ApiResult<BTreeMap<u64, Sha256>> {
    let hashes = state.store.log_hashes(&indexes).await?;
    Ok(indexes.into_iter().zip(hashes).collect())
}

fn log_error(e: LogError) -> ApiError {
    match e {
        LogError::InvalidInput(m) => ApiError::BadRequest(m),
        other => ApiError::Internal(other.to_string()),
    }
}

pub async fn size(state: &AppState) -> ApiResult<u64> {
    Ok(state.store.log_size().await?)
}

async fn root(state: &AppState, size: u64) -> ApiResult<Sha256> {
    let needed = log::indexes_read_by(|r| log::tree_root(size, r));
    let known = fetch(state, needed).await?;
    log::tree_root(size, &known).map_err(log_error)
}

/// The latest checkpoint: the tree size and the signed note.
pub async fn checkpoint(state: &AppState) -> ApiResult<(u64, String)> {
    let size = size(state).await?;
    if let Some((s, note)) = state
        .checkpoint
        .lock()
        .map_err(|_| ApiError::Internal("checkpoint lock poisoned".into()))?
        .clone()
    {
        if s == size {
            return Ok((s, note));
        }
    }
    let cp = Checkpoint {
        origin: state.config.log_origin.clone(),
        size,
        root: root(state, size).await?,
    };
    let note = state
        .note_signer
        .sign_checkpoint(&cp)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if let Ok(mut cache) = state.checkpoint.lock() {
        // Keep the newest; a slower request for an older size must not replace it.
        if cache.as_ref().is_none_or(|(s, _)| *s < size) {
            *cache = Some((size, note.clone()));
        }
    }
    Ok((size, note))
}

fn check_size(size: u64, current: u64) -> ApiResult<()> {
    if size > current {
        return Err(ApiError::BadRequest(format!(
            "the log has {current} leaves; size {size} does not exist yet"
        )));
    }
    Ok(())
}

/// The proof that leaf `index` is in the tree of `size` leaves.
pub async fn inclusion_at(state: &AppState, index: u64, size: u64) -> ApiResult<InclusionProof> {
    check_size(size, self::size(state).await?)?;
    if index >= size {
        return Err(ApiError::BadRequest(format!(
            "leaf {index} is not in a tree of {size} leaves"
        )));
    }
    let needed = log::indexes_read_by(|r| log::inclusion_proof(index, size, r));
    let known = fetch(state, needed).await?;
    let proof = log::inclusion_proof(index, size, &known).map_err(log_error)?;
    Ok(InclusionProof { index, size, proof })
}

/// The inclusion proof of a record hash; `size` defaults to the current size.
pub async fn inclusion(
    state: &AppState,
    record_hash: &Sha256,
    size: Option<u64>,
) -> ApiResult<InclusionProof> {
    let index = state
        .store
        .leaf_index(record_hash)
        .await?
        .ok_or(ApiError::NotFound)?;
    let size = match size {
        Some(s) => s,
        None => self::size(state).await?,
    };
    inclusion_at(state, index, size).await
}

pub async fn consistency(state: &AppState, from: u64, to: u64) -> ApiResult<Vec<Sha256>> {
    check_size(to, size(state).await?)?;
    if from > to {
        return Err(ApiError::BadRequest(format!(
            "from {from} is after to {to}"
        )));
    }
    let needed = log::indexes_read_by(|r| log::consistency_proof(from, to, r));
    let known = fetch(state, needed).await?;
    log::consistency_proof(from, to, &known).map_err(log_error)
}

fn raw(bytes: &[u8]) -> ApiResult<Box<RawValue>> {
    let text = String::from_utf8(bytes.to_vec()).map_err(|e| ApiError::Internal(e.to_string()))?;
    RawValue::from_string(text).map_err(|e| ApiError::Internal(e.to_string()))
}

/// Everything needed to check `record` offline against the log key alone.
pub async fn bundle(state: &AppState, record: &StoredRecord) -> ApiResult<Bundle> {
    let device = state
        .store
        .get_device(None, record.device)
        .await?
        .ok_or_else(|| ApiError::Internal("record of an unknown device".into()))?;
    let (size, note) = checkpoint(state).await?;
    let Some(enrollment_id) = device.enrollment_record else {
        // The server's own chain: the log key signed the record itself.
        if device.id != state.server.identity.device {
            return Err(ApiError::Internal("a device without its enrollment".into()));
        }
        return Ok(Bundle {
            record: raw(&record.bytes)?,
            receipt: raw(&record.receipt)?,
            inclusion: inclusion_at(state, record.log_index, size).await?,
            checkpoint: note,
            device: None,
        });
    };
    let enrollment = state
        .store
        .get_record(enrollment_id)
        .await?
        .ok_or_else(|| ApiError::Internal("enrollment record missing".into()))?;
    Ok(Bundle {
        record: raw(&record.bytes)?,
        receipt: raw(&record.receipt)?,
        inclusion: inclusion_at(state, record.log_index, size).await?,
        checkpoint: note,
        device: Some(DeviceEvidence {
            id: device.id,
            public_key: device.public_key.to_hex(),
            enrollment: raw(&enrollment.bytes)?,
            enrollment_inclusion: inclusion_at(state, enrollment.log_index, size).await?,
        }),
    })
}
