//! Push (DESIGN.md section 5): verify each record on its bytes, then let the store chain, log and
//! receipt the good ones in one transaction.

use knd_shared::record::{self, kinds};
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::error::{ApiError, ApiResult};
use crate::model::Device;
use crate::state::AppState;
use crate::store::{Candidate, IngestResult, Rejection};

/// One record's answer, in the order pushed.
#[derive(Debug)]
pub struct PushResult {
    /// The record's id when it could be read.
    pub id: Option<String>,
    pub result: IngestResult,
}

/// Verifies and stores a batch from `device` (authenticated by its token; whether it is revoked is
/// decided inside the store's transaction).
pub async fn push(
    state: &AppState,
    device: &Device,
    records: Vec<Box<RawValue>>,
) -> ApiResult<Vec<PushResult>> {
    // Signature checks are the expensive part: spread them over the cores, outside the
    // write transaction.
    let key = device.public_key;
    let device_id = device.id;
    let checked = tokio::task::spawn_blocking(move || check_all(&records, &key, device_id))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;

    // Candidates go to the store; refusals keep their place in the answer.
    let mut candidates = Vec::new();
    let mut slots = Vec::with_capacity(checked.len());
    for c in checked {
        match c {
            Checked::Ok(candidate) => {
                slots.push(Slot::Stored(candidate.record.id.to_string()));
                candidates.push(*candidate);
            }
            Checked::Refused { id, rejection } => slots.push(Slot::Refused(id, rejection)),
        }
    }
    let mut stored = state
        .store
        .ingest(
            device.id,
            candidates,
            &state.server.key,
            OffsetDateTime::now_utc(),
        )
        .await?
        .into_iter();
    let mut results = Vec::with_capacity(slots.len());
    for slot in slots {
        results.push(match slot {
            Slot::Stored(id) => PushResult {
                id: Some(id),
                result: stored
                    .next()
                    .ok_or_else(|| ApiError::Internal("store answered fewer results".into()))?,
            },
            Slot::Refused(id, rejection) => PushResult {
                id,
                result: IngestResult::Rejected(rejection),
            },
        });
    }
    count(&results);
    if results
        .iter()
        .any(|r| matches!(r.result, IngestResult::Accepted { .. }))
    {
        state.projector_wake.notify_one();
    }
    Ok(results)
}

enum Slot {
    Stored(String),
    Refused(Option<String>, Rejection),
}

enum Checked {
    Ok(Box<Candidate>),
    Refused {
        id: Option<String>,
        rejection: Rejection,
    },
}

fn check_all(
    records: &[Box<RawValue>],
    key: &knd_shared::PublicKey,
    device: knd_shared::DeviceId,
) -> ApiResult<Vec<Checked>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = records.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = records
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|r| check_one(r.get().as_bytes(), key, device))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(records.len());
        for h in handles {
            // A panic in a check must not shorten the answer silently.
            all.extend(
                h.join()
                    .map_err(|_| ApiError::Internal("a record check panicked".into()))?,
            );
        }
        Ok(all)
    })
}

fn check_one(bytes: &[u8], key: &knd_shared::PublicKey, device: knd_shared::DeviceId) -> Checked {
    let id = record::parse_unverified(bytes)
        .ok()
        .map(|r| (r.id.to_string(), r.device));
    let refuse = |reason: &'static str, detail: String| Checked::Refused {
        id: id.as_ref().map(|(i, _)| i.clone()),
        rejection: Rejection::new(reason, detail),
    };
    // A record of another device is refused before its signature is tried with our key.
    if let Some((_, d)) = &id {
        if *d != device {
            return refuse(
                "unknown_device",
                format!("record of device {d}, pushed by device {device}"),
            );
        }
    }
    let rec = match record::verify(bytes, key) {
        Ok(r) => r,
        Err(e) => return refuse(e.reason(), e.to_string()),
    };
    match kinds::check_body(&rec.kind, &rec.body) {
        Err(e) => return refuse("invalid_body", e.to_string()),
        Ok(kind) if !kind.signed_by_device() => {
            return refuse(
                "invalid_body",
                format!(
                    "{} records are signed by the server or a controlled person, not a device",
                    rec.kind
                ),
            );
        }
        Ok(_) => {}
    }
    Checked::Ok(Box::new(Candidate {
        record: rec,
        bytes: bytes.to_vec(),
    }))
}

fn count(results: &[PushResult]) {
    for r in results {
        let (status, reason) = match &r.result {
            IngestResult::Accepted { .. } => ("accepted", ""),
            IngestResult::Duplicate { .. } => ("duplicate", ""),
            IngestResult::Rejected(rej) => ("rejected", rej.reason),
        };
        metrics::counter!("knd_records_total", "status" => status, "reason" => reason).increment(1);
    }
}
