//! The rules of accepting a pushed record into its device's chain (DESIGN.md section 5), shared by
//! both stores: they gather the facts inside their transaction and ask [`decide`].

use knd_shared::Sha256;
use knd_shared::record::{ChainHead, VerifiedRecord};

/// Why a record was refused, with the machine-readable reason of DESIGN.md section 5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub reason: &'static str,
    pub detail: String,
}

impl Rejection {
    pub fn new(reason: &'static str, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
        }
    }
}

/// What happened to one pushed record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestResult {
    Accepted {
        receipt: Vec<u8>,
    },
    /// Sent before and stored: the original receipt again.
    Duplicate {
        receipt: Vec<u8>,
    },
    Rejected(Rejection),
}

/// A record already stored under the same id, or at the same place in the chain.
#[derive(Debug, Clone)]
pub(super) struct Existing {
    pub hash: Sha256,
    pub receipt: Vec<u8>,
}

pub(super) enum Decision {
    Append,
    Duplicate(Vec<u8>),
    Reject(Rejection),
}

/// Decides one record given what the store holds: a record with the same id, a record at the
/// same (device, seq), the device's chain head and whether it is revoked (read in the same
/// transaction, so a revocation and a push cannot cross).
pub(super) fn decide(
    same_id: Option<Existing>,
    same_seq: Option<Existing>,
    head: ChainHead,
    revoked: bool,
    record: &VerifiedRecord,
) -> Decision {
    if let Some(e) = same_id.as_ref().filter(|e| e.hash == record.hash) {
        // Even a revoked device gets back the receipts of what it sent before.
        return Decision::Duplicate(e.receipt.clone());
    }
    if revoked {
        return Decision::Reject(Rejection::new(
            "revoked_device",
            "this device was revoked; enroll again",
        ));
    }
    if let Some(e) = same_id {
        return if e.hash == record.hash {
            Decision::Duplicate(e.receipt)
        } else {
            Decision::Reject(Rejection::new(
                "conflicting_duplicate",
                format!(
                    "record {} was stored before with another content",
                    record.id
                ),
            ))
        };
    }
    if same_seq.is_some() {
        return Decision::Reject(Rejection::new(
            "conflicting_duplicate",
            format!("seq {} of this device holds another record", record.seq),
        ));
    }
    match head.check_next(record) {
        Ok(()) => Decision::Append,
        Err(e) => Decision::Reject(Rejection::new(e.reason(), e.to_string())),
    }
}
