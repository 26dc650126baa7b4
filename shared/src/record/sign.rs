use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Map, Value};

use super::verify::{canonical_unsigned, is_snake_case, parse_unverified, signing_input};
use super::{FORMAT_VERSION, RecordError, RecordKind, Timestamp, VerifiedRecord};
use crate::ids::{DeviceId, RecordId};
use crate::keys::{DeviceKey, Sha256};

/// Everything a record says before it is signed. The chain position (`seq`, `prev`) comes from the
/// device's store, which must hand out each position once.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDraft {
    pub id: RecordId,
    pub device: DeviceId,
    pub seq: u64,
    pub prev: Sha256,
    pub at: Timestamp,
    pub kind: String,
    pub body: Map<String, Value>,
}

impl RecordDraft {
    /// A draft with a fresh id and the current time, from a typed body.
    pub fn new(
        device: DeviceId,
        seq: u64,
        prev: Sha256,
        kind: RecordKind,
        body: &impl Serialize,
    ) -> Result<Self, RecordError> {
        let body = match serde_json::to_value(body) {
            Ok(Value::Object(body)) => body,
            Ok(_) => return Err(RecordError::Malformed("body is not an object".into())),
            Err(e) => return Err(RecordError::Malformed(format!("body: {e}"))),
        };
        Ok(Self {
            id: RecordId::new(),
            device,
            seq,
            prev,
            at: Timestamp::now(),
            kind: kind.as_str().to_owned(),
            body,
        })
    }

    fn to_unsigned_map(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("v".into(), FORMAT_VERSION.into());
        m.insert("id".into(), self.id.to_string().into());
        m.insert("device".into(), self.device.to_string().into());
        m.insert("seq".into(), self.seq.into());
        m.insert("prev".into(), self.prev.to_hex().into());
        m.insert("at".into(), self.at.to_string().into());
        m.insert("kind".into(), self.kind.clone().into());
        m.insert("body".into(), Value::Object(self.body.clone()));
        m
    }
}

/// A freshly signed record: the bytes to store and send, and what they say.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedRecord {
    /// The record as it is stored and sent: RFC 8785 canonical JSON including `sig`.
    pub bytes: Vec<u8>,
    pub record: VerifiedRecord,
}

/// Signs a draft with the device key.
///
/// The output is re-read with the same strict parser that verification uses, so a draft that
/// breaks a rule (a float, a 2^60 integer, too deep, over 64 KiB, seq 0) fails here, on the device,
/// instead of being signed and refused later.
pub fn sign(key: &DeviceKey, draft: &RecordDraft) -> Result<SignedRecord, RecordError> {
    if !is_snake_case(&draft.kind) {
        return Err(RecordError::Malformed(format!(
            "kind {:?} is not snake_case",
            draft.kind
        )));
    }
    let mut record = draft.to_unsigned_map();
    let canonical = canonical_unsigned(&record)?;
    let sig = key.sign(&signing_input(&canonical));
    record.insert("sig".into(), URL_SAFE_NO_PAD.encode(sig).into());
    let bytes = serde_json_canonicalizer::to_vec(&record)
        .map_err(|e| RecordError::Malformed(format!("cannot canonicalise: {e}")))?;
    let parsed = parse_unverified(&bytes)?;
    Ok(SignedRecord {
        bytes,
        record: parsed,
    })
}
