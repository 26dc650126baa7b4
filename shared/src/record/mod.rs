//! Signed records, format v1 (DESIGN.md section 4, normative).
//!
//! A record is an immutable JSON object signed by its device's Ed25519 key and chained to the
//! device's previous record by hash:
//!
//! * signing input = `knd.record.v1\n` ‖ RFC 8785 (JCS) canonical JSON of the record without `sig`;
//! * `hash` = lowercase hex SHA-256 of the signing input;
//! * `sig` = base64url (no padding) Ed25519 signature of the signing input.
//!
//! Verification ([`verify`]) works on the bytes as received: it parses them with a strict parser
//! (no duplicate member names, UTF-8 only, at most 16 levels, integers of magnitude at most
//! 2^53 - 1, at most 64 KiB) and canonicalises what it parsed. It never re-serialises a typed
//! struct, so nothing the signer covered can be dropped or reordered before the check.
//! Typed bodies ([`kinds`]) are a separate, later check.

mod chain;
mod error;
mod json;
pub mod kinds;
mod sign;
mod timestamp;
mod verify;

pub use chain::{ChainHead, ChainVerifier};
pub use error::RecordError;
pub use kinds::RecordKind;
pub use sign::{RecordDraft, SignedRecord, sign};
pub use timestamp::{Timestamp, TimestampError};
pub(crate) use verify::parse_strict_object;
pub use verify::{VerifiedRecord, canonical_unsigned, parse_unverified, verify};

/// Prefix of every record's signing input: domain separation from receipts and other signatures.
pub const SIGNING_PREFIX: &[u8] = b"knd.record.v1\n";

/// The only record format version this crate reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// A record larger than this many bytes (as received) is refused.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;

/// JSON nesting deeper than this (the record object itself is level 1) is refused.
pub const MAX_DEPTH: usize = 16;

/// Largest integer magnitude allowed anywhere in a record: 2^53 - 1, the largest integer every
/// JSON implementation represents exactly.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
