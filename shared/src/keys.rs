//! Keys and digests: Ed25519 device keys (with the small-order checks the record format demands)
//! and the SHA-256 digest newtype.

use std::fmt;

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a key or digest was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("expected {expected} hex characters, got {got:?}")]
    Hex { expected: usize, got: String },
    #[error("not a point on the curve")]
    NotOnCurve,
    #[error("small-order public key refused")]
    SmallOrder,
}

fn decode_hex<const N: usize>(s: &str) -> Result<[u8; N], KeyError> {
    let err = || KeyError::Hex {
        expected: 2 * N,
        got: s.chars().take(80).collect(),
    };
    // Lowercase only: there is one textual form of every hash and key in this system.
    if s.len() != 2 * N || s.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(err());
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).map_err(|_| err())?;
    Ok(out)
}

/// A SHA-256 digest, written as 64 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256([u8; 32]);

impl Sha256 {
    /// The all-zero digest: `prev` of a device's first record.
    pub const ZERO: Sha256 = Sha256([0; 32]);

    /// Parses 64 lowercase hex characters.
    pub fn parse(s: &str) -> Result<Self, KeyError> {
        decode_hex(s).map(Self)
    }

    /// Hashes `data`.
    pub fn digest(data: &[u8]) -> Self {
        use sha2::Digest as _;
        Self(sha2::Sha256::digest(data).into())
    }

    /// Wraps raw digest bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw 32 bytes (e.g. a transparency-log leaf).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({})", self.to_hex())
    }
}

impl Serialize for Sha256 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Sha256 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An Ed25519 public key that may verify records: a valid curve point that is not of small order.
///
/// Small-order keys are refused at construction (DESIGN.md section 4): with such a key a single
/// signature can verify for many messages, so a device could deny what it signed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Parses 64 lowercase hex characters.
    pub fn parse_hex(s: &str) -> Result<Self, KeyError> {
        Self::from_bytes(&decode_hex(s)?)
    }

    /// Checks and wraps 32 raw bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::NotOnCurve)?;
        if key.is_weak() {
            return Err(KeyError::SmallOrder);
        }
        Ok(Self(key))
    }

    /// The 32 raw bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Lowercase hex, as the enrollment API takes it.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    /// Strict Ed25519 verification: refuses non-canonical `S`, non-canonical or small-order `R`.
    pub fn verify_strict(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let sig = Signature::from_bytes(signature);
        self.0.verify_strict(message, &sig).is_ok()
    }

    /// The dalek key, for batch verification and the signed-note adapter.
    pub fn as_dalek(&self) -> &VerifyingKey {
        &self.0
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// A device's (or the server's) Ed25519 signing key. `Debug` never shows the secret.
#[derive(Clone)]
pub struct DeviceKey(SigningKey);

impl DeviceKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Self {
        Self(SigningKey::generate(&mut rand_core::OsRng))
    }

    /// A key from its 32-byte seed (RFC 8032 private key).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(seed))
    }

    /// The 32-byte seed, for sealing at rest. Handle with care.
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The public half. A key generated here is never of small order.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs `message` (Ed25519 is deterministic).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }

    pub(crate) fn as_dalek(&self) -> &SigningKey {
        &self.0
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKey(public {})", self.public_key().to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_parses_lowercase_only() {
        let h = Sha256::digest(b"test");
        assert_eq!(
            h.to_hex(),
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        );
        assert_eq!(Sha256::parse(&h.to_hex()), Ok(h));
        assert!(Sha256::parse(&h.to_hex().to_uppercase()).is_err());
        assert!(Sha256::parse("abc").is_err());
        assert!(Sha256::parse(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn generated_keys_sign_and_verify() {
        let key = DeviceKey::generate();
        let sig = key.sign(b"hello");
        assert!(key.public_key().verify_strict(b"hello", &sig));
        assert!(!key.public_key().verify_strict(b"hellO", &sig));
        assert!(!format!("{key:?}").contains(&hex::encode(key.seed())));
    }
}
