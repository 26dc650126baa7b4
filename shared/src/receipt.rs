//! Receipts (DESIGN.md section 5): the server's signed acknowledgement that it stored a record and
//! appended it to the transparency log at `index`.
//!
//! `{"v":1,"record":HASH,"index":LOG_INDEX,"received_at":TIME,"sig":SIG}`, signed with the server's
//! key over `knd.receipt.v1\n` ‖ JCS(receipt without `sig`), like records.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::keys::{DeviceKey, PublicKey, Sha256};
use crate::record::{MAX_SAFE_INTEGER, RecordError, Timestamp, parse_strict_object};

/// Prefix of a receipt's signing input.
pub const RECEIPT_PREFIX: &[u8] = b"knd.receipt.v1\n";

/// Receipts are small; anything larger than this is not one.
const MAX_RECEIPT_BYTES: usize = 4096;

/// A verified (or freshly made) receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The record's hash.
    pub record: Sha256,
    /// The record's leaf index in the transparency log.
    pub index: u64,
    /// When the server received it (server clock).
    pub received_at: Timestamp,
}

/// A receipt and its bytes as sent to the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedReceipt {
    pub receipt: Receipt,
    /// Canonical JSON including `sig`.
    pub bytes: Vec<u8>,
}

impl Receipt {
    fn unsigned_map(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("v".into(), 1.into());
        m.insert("record".into(), self.record.to_hex().into());
        m.insert("index".into(), self.index.into());
        m.insert("received_at".into(), self.received_at.to_string().into());
        m
    }

    /// Signs the receipt with the server key.
    pub fn sign(&self, key: &DeviceKey) -> Result<SignedReceipt, RecordError> {
        if self.index > MAX_SAFE_INTEGER {
            return Err(RecordError::NumberOutOfRange(self.index.to_string()));
        }
        let mut map = self.unsigned_map();
        let sig = key.sign(&signing_input(&map)?);
        map.insert("sig".into(), URL_SAFE_NO_PAD.encode(sig).into());
        let bytes = serde_json_canonicalizer::to_vec(&map)
            .map_err(|e| RecordError::Malformed(format!("cannot canonicalise: {e}")))?;
        Ok(SignedReceipt {
            receipt: self.clone(),
            bytes,
        })
    }

    /// Verifies a receipt as received against the server's public key.
    pub fn verify(bytes: &[u8], key: &PublicKey) -> Result<Receipt, RecordError> {
        if bytes.len() > MAX_RECEIPT_BYTES {
            return Err(RecordError::TooLarge {
                size: bytes.len(),
                limit: MAX_RECEIPT_BYTES,
            });
        }
        let mut map = parse_strict_object(bytes)?;
        let malformed = |m: &str| RecordError::Malformed(format!("receipt: {m}"));
        if map.len() != 5 {
            return Err(malformed(
                "expected exactly v, record, index, received_at and sig",
            ));
        }
        let sig = match map.remove("sig") {
            Some(Value::String(s)) => URL_SAFE_NO_PAD
                .decode(s)
                .ok()
                .and_then(|b| <[u8; 64]>::try_from(b).ok())
                .ok_or_else(|| malformed("sig is not a base64url Ed25519 signature"))?,
            _ => return Err(malformed("missing sig")),
        };
        if map.get("v") != Some(&Value::from(1)) {
            return Err(malformed("unsupported version"));
        }
        let record = map
            .get("record")
            .and_then(Value::as_str)
            .and_then(|s| Sha256::parse(s).ok())
            .ok_or_else(|| malformed("record is not a hash"))?;
        let index = map
            .get("index")
            .and_then(Value::as_u64)
            .ok_or_else(|| malformed("index is not a non-negative integer"))?;
        let received_at = map
            .get("received_at")
            .and_then(Value::as_str)
            .and_then(|s| Timestamp::parse(s).ok())
            .ok_or_else(|| malformed("received_at is not a record timestamp"))?;
        if !key.verify_strict(&signing_input(&map)?, &sig) {
            return Err(RecordError::BadSignature);
        }
        Ok(Receipt {
            record,
            index,
            received_at,
        })
    }
}

fn signing_input(unsigned: &Map<String, Value>) -> Result<Vec<u8>, RecordError> {
    let canonical = serde_json_canonicalizer::to_vec(unsigned)
        .map_err(|e| RecordError::Malformed(format!("cannot canonicalise: {e}")))?;
    let mut input = RECEIPT_PREFIX.to_vec();
    input.extend_from_slice(&canonical);
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_round_trip_and_refuse_tampering() {
        let key = DeviceKey::generate();
        let r = Receipt {
            record: Sha256::digest(b"a record"),
            index: 41,
            received_at: Timestamp::parse("2026-03-02T09:15:01.123Z").unwrap(),
        };
        let signed = r.sign(&key).unwrap();
        let text = String::from_utf8(signed.bytes.clone()).unwrap();
        assert!(text.starts_with("{\"index\":41,\"received_at\":"), "{text}");
        assert_eq!(Receipt::verify(&signed.bytes, &key.public_key()), Ok(r));
        let other = DeviceKey::generate().public_key();
        assert_eq!(
            Receipt::verify(&signed.bytes, &other),
            Err(RecordError::BadSignature)
        );
        let moved = text.replace("\"index\":41", "\"index\":42");
        assert_eq!(
            Receipt::verify(moved.as_bytes(), &key.public_key()),
            Err(RecordError::BadSignature)
        );
        let extra = text.replacen('{', "{\"extra\":1,", 1);
        assert!(Receipt::verify(extra.as_bytes(), &key.public_key()).is_err());
        let dup = text.replacen('{', "{\"index\":41,", 1);
        assert!(Receipt::verify(dup.as_bytes(), &key.public_key()).is_err());
    }
}
