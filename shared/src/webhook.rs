//! Webhook signatures by the Standard Webhooks scheme (standardwebhooks.com, spec 1.0), its
//! asymmetric form: the server signs `webhook-id.webhook-timestamp.body` with its Ed25519 key and
//! sends `v1a,<base64 signature>` in `webhook-signature` (space-separated when several keys
//! sign, as during a key rotation); the receiver holds the server's public key, `whpk_<base64>`.
//! Written here because the scheme's published libraries implement only its symmetric (HMAC)
//! form; the signature itself is ed25519-dalek's.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::keys::{DeviceKey, PublicKey};

pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";

/// How far a webhook's timestamp may be from the receiver's clock (the spec's recommendation).
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

const SIGNATURE_PREFIX: &str = "v1a,";
const PUBLIC_KEY_PREFIX: &str = "whpk_";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the message id must be non-empty and hold no '.' (it is part of the signed text)")]
    BadId,
    #[error("the timestamp is {0} s from now, beyond the tolerance")]
    Stale(i64),
    #[error("no v1a signature verifies with this key")]
    NoValidSignature,
    #[error("a webhook public key is `whpk_` and the base64 of 32 bytes")]
    BadPublicKey,
}

/// The bytes signed: `id.timestamp.body`.
pub fn signed_content(id: &str, timestamp: i64, body: &[u8]) -> Result<Vec<u8>, WebhookError> {
    if id.is_empty() || id.contains('.') {
        return Err(WebhookError::BadId);
    }
    let mut out = format!("{id}.{timestamp}.").into_bytes();
    out.extend_from_slice(body);
    Ok(out)
}

/// The `webhook-signature` value for one key.
pub fn sign(
    key: &DeviceKey,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, WebhookError> {
    let signature = key.sign(&signed_content(id, timestamp, body)?);
    Ok(format!("{SIGNATURE_PREFIX}{}", STANDARD.encode(signature)))
}

/// A public key as the scheme writes it.
pub fn public_key_text(key: &PublicKey) -> String {
    format!("{PUBLIC_KEY_PREFIX}{}", STANDARD.encode(key.to_bytes()))
}

pub fn parse_public_key(text: &str) -> Result<PublicKey, WebhookError> {
    let bytes = text
        .strip_prefix(PUBLIC_KEY_PREFIX)
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or(WebhookError::BadPublicKey)?;
    PublicKey::from_bytes(&bytes).map_err(|_| WebhookError::BadPublicKey)
}

/// Verifies a received webhook: the timestamp within the tolerance of `now` (unix seconds) and
/// at least one `v1a` signature of the header valid for `key` (others, e.g. `v1`, are skipped).
pub fn verify(
    key: &PublicKey,
    id: &str,
    timestamp: i64,
    signature_header: &str,
    body: &[u8],
    now: i64,
) -> Result<(), WebhookError> {
    let skew = timestamp - now;
    if skew.abs() > TOLERANCE_SECONDS {
        return Err(WebhookError::Stale(skew));
    }
    let content = signed_content(id, timestamp, body)?;
    let valid = signature_header
        .split(' ')
        .filter_map(|s| s.strip_prefix(SIGNATURE_PREFIX))
        .filter_map(|b| STANDARD.decode(b).ok())
        .filter_map(|b| <[u8; 64]>::try_from(b).ok())
        .any(|sig| key.verify_strict(&content, &sig));
    if valid {
        Ok(())
    } else {
        Err(WebhookError::NoValidSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
    const AT: i64 = 1_674_087_231;
    const BODY: &[u8] = br#"{"type":"filing.registered","data":{"id":"1"}}"#;

    fn key() -> DeviceKey {
        DeviceKey::from_seed(&[7; 32])
    }

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let k = key();
        let sig = sign(&k, ID, AT, BODY).unwrap();
        assert!(sig.starts_with("v1a,"));
        let pk = parse_public_key(&public_key_text(&k.public_key())).unwrap();
        assert_eq!(verify(&pk, ID, AT, &sig, BODY, AT + 10), Ok(()));
        let mut altered = BODY.to_vec();
        altered[10] ^= 1;
        let refused = Err(WebhookError::NoValidSignature);
        assert_eq!(verify(&pk, ID, AT, &sig, &altered, AT), refused);
        assert_eq!(verify(&pk, "msg_other", AT, &sig, BODY, AT), refused);
        assert_eq!(verify(&pk, ID, AT + 1, &sig, BODY, AT), refused);
        let other = DeviceKey::from_seed(&[8; 32]).public_key();
        assert_eq!(verify(&other, ID, AT, &sig, BODY, AT), refused);
    }

    #[test]
    fn one_valid_signature_of_several_suffices_and_symmetric_ones_are_skipped() {
        let (old, new) = (DeviceKey::from_seed(&[1; 32]), key());
        let header = format!(
            "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= {} {}",
            sign(&old, ID, AT, BODY).unwrap(),
            sign(&new, ID, AT, BODY).unwrap()
        );
        assert_eq!(verify(&new.public_key(), ID, AT, &header, BODY, AT), Ok(()));
        assert_eq!(verify(&old.public_key(), ID, AT, &header, BODY, AT), Ok(()));
    }

    #[test]
    fn a_stale_timestamp_and_a_dotted_id_are_refused() {
        let k = key();
        let sig = sign(&k, ID, AT, BODY).unwrap();
        let pk = k.public_key();
        assert_eq!(
            verify(&pk, ID, AT, &sig, BODY, AT + TOLERANCE_SECONDS + 1),
            Err(WebhookError::Stale(-TOLERANCE_SECONDS - 1))
        );
        assert_eq!(
            verify(&pk, ID, AT, &sig, BODY, AT + TOLERANCE_SECONDS),
            Ok(())
        );
        assert_eq!(sign(&k, "a.b", AT, BODY), Err(WebhookError::BadId));
        assert_eq!(
            parse_public_key("whpk_AAAA"),
            Err(WebhookError::BadPublicKey)
        );
    }
}
