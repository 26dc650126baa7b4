use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::json::parse_strict;
use super::{FORMAT_VERSION, MAX_RECORD_BYTES, RecordError, SIGNING_PREFIX, Timestamp};
use crate::ids::{DeviceId, RecordId};
use crate::keys::{PublicKey, Sha256};

/// A record whose structure has been checked, as parsed from the bytes received.
///
/// Returned by [`verify`] once the signature holds, and by [`parse_unverified`] for callers that
/// must find the device's key first (the server looks it up by `device`).
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedRecord {
    pub id: RecordId,
    pub device: DeviceId,
    pub seq: u64,
    pub prev: Sha256,
    pub at: Timestamp,
    pub kind: String,
    pub body: Map<String, Value>,
    /// SHA-256 of the signing input: the record's identity in chains, receipts and the log.
    pub hash: Sha256,
    /// The 64-byte Ed25519 signature.
    pub sig: [u8; 64],
    /// RFC 8785 canonical JSON of the record without `sig`.
    pub canonical_unsigned: String,
}

const MEMBERS: [&str; 9] = [
    "v", "id", "device", "seq", "prev", "at", "kind", "body", "sig",
];

/// Reads `bytes` as one strict JSON object (UTF-8, no duplicate members, depth, integers).
pub(crate) fn parse_strict_object(bytes: &[u8]) -> Result<Map<String, Value>, RecordError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| RecordError::Malformed(format!("not UTF-8: {e}")))?;
    match parse_strict(text)? {
        Value::Object(map) => Ok(map),
        _ => Err(malformed("expected a JSON object")),
    }
}

/// Checks everything but the signature: size, strict JSON, the envelope's members and their forms.
pub fn parse_unverified(bytes: &[u8]) -> Result<VerifiedRecord, RecordError> {
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(RecordError::TooLarge {
            size: bytes.len(),
            limit: MAX_RECORD_BYTES,
        });
    }
    let mut record = parse_strict_object(bytes)?;
    if let Some(extra) = record.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
        return Err(malformed(format!("unexpected member {extra:?}")));
    }

    let sig = match record.remove("sig") {
        Some(Value::String(s)) => decode_sig(&s)?,
        Some(_) => return Err(malformed("sig is not a string")),
        None => return Err(malformed("missing sig")),
    };
    let canonical_unsigned = canonical_unsigned(&record)?;

    let v = integer(&record, "v")?;
    if v != FORMAT_VERSION {
        return Err(malformed(format!("unsupported format version {v}")));
    }
    let id = RecordId::parse(string(&record, "id")?).map_err(|e| malformed(format!("id: {e}")))?;
    let device = DeviceId::parse(string(&record, "device")?)
        .map_err(|e| malformed(format!("device: {e}")))?;
    let seq = integer(&record, "seq")?;
    if seq == 0 {
        return Err(malformed("seq starts at 1"));
    }
    let prev =
        Sha256::parse(string(&record, "prev")?).map_err(|e| malformed(format!("prev: {e}")))?;
    let at = Timestamp::parse(string(&record, "at")?).map_err(|e| malformed(format!("at: {e}")))?;
    let kind = string(&record, "kind")?.to_owned();
    if !is_snake_case(&kind) {
        return Err(malformed(format!("kind {kind:?} is not snake_case")));
    }
    let body = match record.remove("body") {
        Some(Value::Object(body)) => body,
        Some(_) => return Err(malformed("body is not an object")),
        None => return Err(malformed("missing body")),
    };

    let hash = signing_hash(&canonical_unsigned);
    Ok(VerifiedRecord {
        id,
        device,
        seq,
        prev,
        at,
        kind,
        body,
        hash,
        sig,
        canonical_unsigned,
    })
}

/// Verifies one record, as received, against its device's public key.
///
/// Checks the structure ([`parse_unverified`]) and the strict Ed25519 signature. Chain order is
/// the caller's business ([`super::ChainVerifier`]).
pub fn verify(bytes: &[u8], key: &PublicKey) -> Result<VerifiedRecord, RecordError> {
    let record = parse_unverified(bytes)?;
    if !key.verify_strict(&signing_input(&record.canonical_unsigned), &record.sig) {
        return Err(RecordError::BadSignature);
    }
    Ok(record)
}

/// RFC 8785 canonical JSON of a record object without its `sig`.
pub fn canonical_unsigned(record: &Map<String, Value>) -> Result<String, RecordError> {
    if record.contains_key("sig") {
        return Err(malformed("the unsigned form has no sig"));
    }
    // The map holds only strings, integers, booleans and nulls: canonicalisation cannot fail.
    serde_json_canonicalizer::to_string(record)
        .map_err(|e| malformed(format!("cannot canonicalise: {e}")))
}

pub(super) fn signing_input(canonical_unsigned: &str) -> Vec<u8> {
    let mut input = Vec::with_capacity(SIGNING_PREFIX.len() + canonical_unsigned.len());
    input.extend_from_slice(SIGNING_PREFIX);
    input.extend_from_slice(canonical_unsigned.as_bytes());
    input
}

pub(super) fn signing_hash(canonical_unsigned: &str) -> Sha256 {
    Sha256::digest(&signing_input(canonical_unsigned))
}

fn decode_sig(s: &str) -> Result<[u8; 64], RecordError> {
    // The engine refuses padding and non-zero trailing bits, so each signature has one spelling.
    let bytes = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|e| malformed(format!("sig is not base64url without padding: {e}")))?;
    bytes
        .try_into()
        .map_err(|_| malformed("sig is not 64 bytes"))
}

fn malformed(msg: impl Into<String>) -> RecordError {
    RecordError::Malformed(msg.into())
}

fn string<'a>(record: &'a Map<String, Value>, name: &str) -> Result<&'a str, RecordError> {
    match record.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(malformed(format!("{name} is not a string"))),
        None => Err(malformed(format!("missing {name}"))),
    }
}

fn integer(record: &Map<String, Value>, name: &str) -> Result<u64, RecordError> {
    match record.get(name) {
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| malformed(format!("{name} is not a positive integer"))),
        Some(_) => Err(malformed(format!("{name} is not a number"))),
        None => Err(malformed(format!("missing {name}"))),
    }
}

pub(super) fn is_snake_case(s: &str) -> bool {
    let mut bytes = s.bytes();
    s.len() <= 64
        && bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
