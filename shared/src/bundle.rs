//! Evidence bundles: everything needed to check one record offline, trusting nothing but the
//! agency's log key (DESIGN.md section 6).
//!
//! ```json
//! {"record": {...}, "receipt": {...},
//!  "inclusion": {"index": 7, "size": 12, "proof": ["hex", ...]},
//!  "checkpoint": "origin\n12\nbase64root\n\n— origin base64sig\n",
//!  "device": {"id": "...", "public_key": "hex",
//!             "enrollment": {...server's device_enrolled record...},
//!             "enrollment_inclusion": {"index": 3, "size": 12, "proof": [...]}}}
//! ```
//!
//! The chain of trust: the checkpoint is signed by the log key; the server's `device_enrolled`
//! record is signed by the same key (the server is a device of its own) and is in the log; it
//! names the device's public key; the record is signed by that key and is in the log; the receipt
//! is signed by the log key and names the record's hash and log index.
//!
//! A controlled person's filing key is enrolled the same way (`device_enrolled` naming its
//! `subject`): it signs only `business_filing` records, and only those of that subject.
//!
//! A record of the server's own chain (an agency decision: a risk category, a plan's approval or
//! amendment) has no `device`: it is signed by the log key itself, and only the kinds the server
//! alone signs are accepted that way.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::ids::DeviceId;
use crate::keys::{PublicKey, Sha256};
use crate::log::{self, LogError};
use crate::note::{Checkpoint, NoteError, NoteVerifier};
use crate::receipt::Receipt;
use crate::record::kinds::{BusinessFiling, DeviceEnrolled, decode_body};
use crate::record::{self, RecordError, RecordKind, VerifiedRecord};

/// An inclusion proof of a log leaf at a tree size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    pub index: u64,
    pub size: u64,
    pub proof: Vec<Sha256>,
}

/// The device that signed the record, and the server's record that enrolled it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceEvidence {
    pub id: DeviceId,
    /// Kept as text: a small-order key must be reported by the check, not fail the parsing.
    pub public_key: String,
    /// The server's `device_enrolled` record, as stored.
    pub enrollment: Box<RawValue>,
    pub enrollment_inclusion: InclusionProof,
}

/// A record with all the evidence needed to check it offline.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// The record, exactly as stored.
    pub record: Box<RawValue>,
    pub receipt: Box<RawValue>,
    pub inclusion: InclusionProof,
    /// The signed checkpoint note the proofs lead to.
    pub checkpoint: String,
    /// Absent for a record of the server's own chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceEvidence>,
}

/// What a bundle proved.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleReport {
    pub record: VerifiedRecord,
    pub receipt: Receipt,
    pub checkpoint: Checkpoint,
}

/// The first thing in a bundle that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("not a bundle: {0}")]
    Format(String),
    #[error("checkpoint: {0}")]
    Checkpoint(NoteError),
    #[error("{what} proof is for a tree of {proof} leaves, the checkpoint has {checkpoint}")]
    SizeMismatch {
        what: &'static str,
        proof: u64,
        checkpoint: u64,
    },
    #[error("enrollment record: {0}")]
    Enrollment(RecordError),
    #[error("enrollment record: {0}")]
    EnrollmentBody(String),
    #[error("enrollment record is not in the log: {0}")]
    EnrollmentNotLogged(LogError),
    #[error("device public key: {0}")]
    DeviceKey(String),
    #[error("record: {0}")]
    Record(RecordError),
    #[error("record was signed by device {got}, the bundle's device is {expected}")]
    RecordDevice { expected: DeviceId, got: DeviceId },
    #[error("receipt: {0}")]
    Receipt(RecordError),
    #[error("receipt is for {what}")]
    ReceiptMismatch { what: String },
    #[error("record is not in the log: {0}")]
    RecordNotLogged(LogError),
    #[error("a bundle without a device is for the server's own records; {0:?} is not one")]
    NotServerKind(String),
    #[error("{0}")]
    Signer(String),
}

impl Bundle {
    /// Parses a bundle document.
    pub fn parse(bytes: &[u8]) -> Result<Self, BundleError> {
        serde_json::from_slice(bytes).map_err(|e| BundleError::Format(e.to_string()))
    }

    /// Checks the whole chain of trust down from `log_key`; returns what it proved.
    pub fn verify(&self, log_key: &NoteVerifier) -> Result<BundleReport, BundleError> {
        // 1. The checkpoint is the agency's.
        let cp_text = log_key
            .open(self.checkpoint.as_bytes())
            .map_err(BundleError::Checkpoint)?;
        let checkpoint = Checkpoint::parse(&cp_text).map_err(BundleError::Checkpoint)?;
        let mut proofs = vec![("the record's", &self.inclusion)];
        if let Some(d) = &self.device {
            proofs.push(("the enrollment's", &d.enrollment_inclusion));
        }
        for (what, proof) in proofs {
            if proof.size != checkpoint.size {
                return Err(BundleError::SizeMismatch {
                    what,
                    proof: proof.size,
                    checkpoint: checkpoint.size,
                });
            }
        }
        let rec = match &self.device {
            Some(d) => device_record(self.record.get().as_bytes(), d, log_key, &checkpoint)?,
            None => {
                // The server's own chain: signed by the log key, of a kind only it signs.
                let rec = record::verify(self.record.get().as_bytes(), log_key.public_key())
                    .map_err(BundleError::Record)?;
                if !RecordKind::parse(&rec.kind).is_some_and(RecordKind::signed_by_server) {
                    return Err(BundleError::NotServerKind(rec.kind));
                }
                rec
            }
        };

        // 4. The server acknowledged it at that log index, and the log holds it there.
        let receipt = Receipt::verify(self.receipt.get().as_bytes(), log_key.public_key())
            .map_err(BundleError::Receipt)?;
        if receipt.record != rec.hash {
            return Err(BundleError::ReceiptMismatch {
                what: format!("record {}, not {}", receipt.record, rec.hash),
            });
        }
        if receipt.index != self.inclusion.index {
            return Err(BundleError::ReceiptMismatch {
                what: format!(
                    "log index {}, the proof is for {}",
                    receipt.index, self.inclusion.index
                ),
            });
        }
        check_logged(&rec.hash, &self.inclusion, &checkpoint)
            .map_err(BundleError::RecordNotLogged)?;

        Ok(BundleReport {
            record: rec,
            receipt,
            checkpoint,
        })
    }
}

/// Steps 2 and 3 for a device's record: the server enrolled this device with this key, and
/// logged it; the device signed the record.
fn device_record(
    bytes: &[u8],
    device: &DeviceEvidence,
    log_key: &NoteVerifier,
    checkpoint: &Checkpoint,
) -> Result<VerifiedRecord, BundleError> {
    // 2. The server enrolled this device with this key, and logged it.
    let enrollment = record::verify(device.enrollment.get().as_bytes(), log_key.public_key())
        .map_err(BundleError::Enrollment)?;
    if enrollment.kind != RecordKind::DeviceEnrolled.as_str() {
        return Err(BundleError::EnrollmentBody(format!(
            "kind is {:?}, not device_enrolled",
            enrollment.kind
        )));
    }
    let enrolled: DeviceEnrolled =
        decode_body(&enrollment.body).map_err(|e| BundleError::EnrollmentBody(e.to_string()))?;
    let device_key = PublicKey::parse_hex(&device.public_key)
        .map_err(|e| BundleError::DeviceKey(e.to_string()))?;
    if enrolled.device != device.id || enrolled.public_key != device_key {
        return Err(BundleError::EnrollmentBody(
            "it enrolled another device or key than the bundle names".into(),
        ));
    }
    check_logged(&enrollment.hash, &device.enrollment_inclusion, checkpoint)
        .map_err(BundleError::EnrollmentNotLogged)?;

    // 3. The device signed the record.
    let rec = record::verify(bytes, &device_key).map_err(BundleError::Record)?;
    if rec.device != device.id {
        return Err(BundleError::RecordDevice {
            expected: device.id,
            got: rec.device,
        });
    }
    signer_fits(&enrolled, &rec)?;
    Ok(rec)
}

/// A filing key enrolled for a controlled person signs only its filings, each naming that
/// person; a filing is signed only by such a key (a tablet's key cannot file for a business).
fn signer_fits(enrolled: &DeviceEnrolled, rec: &VerifiedRecord) -> Result<(), BundleError> {
    let business = RecordKind::parse(&rec.kind).is_some_and(RecordKind::signed_by_business);
    match &enrolled.subject {
        None if business => Err(BundleError::Signer(format!(
            "a {} record is signed by a controlled person's filing key, not a device's",
            rec.kind
        ))),
        None => Ok(()),
        Some(_) if !business => Err(BundleError::Signer(format!(
            "a controlled person's filing key signs only business_filing records, not {}",
            rec.kind
        ))),
        Some(subject) => {
            let filing: BusinessFiling = decode_body(&rec.body)
                .map_err(|e| BundleError::Signer(format!("business_filing: {e}")))?;
            if &filing.subject == subject {
                Ok(())
            } else {
                Err(BundleError::Signer(format!(
                    "the filing names subject {}, the key was enrolled for {subject}",
                    filing.subject
                )))
            }
        }
    }
}

/// The leaf input of a record is its 32-byte hash (DESIGN.md section 6).
fn check_logged(
    record_hash: &Sha256,
    proof: &InclusionProof,
    checkpoint: &Checkpoint,
) -> Result<(), LogError> {
    log::verify_inclusion(
        &log::leaf_hash(record_hash.as_bytes()),
        proof.index,
        proof.size,
        &proof.proof,
        &checkpoint.root,
    )
}
