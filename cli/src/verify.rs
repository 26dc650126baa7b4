use std::fs::File;
use std::io::Read as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use knd_shared::PublicKey;
use knd_shared::bundle::Bundle;
use knd_shared::note::NoteVerifier;
use knd_shared::record::{self, ChainHead, ChainVerifier, MAX_RECORD_BYTES};
use serde_json::value::RawValue;

use crate::{Outcome, say};

/// Files above this are refused before reading: a chain of a few hundred thousand records.
const MAX_CHAIN_FILE: u64 = 1 << 30;

fn read_limited(path: &Path, limit: u64) -> anyhow::Result<Vec<u8>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(bytes)
}

fn parse_key(hex: &str) -> anyhow::Result<PublicKey> {
    PublicKey::parse_hex(hex).context("--key")
}

/// Tells unusable input (text that is not JSON at all) from a document the record rules refuse.
/// Bytes that are not UTF-8, and JSON nested too deep, are malformed records (DESIGN.md section 4)
/// and get an "invalid" answer instead.
fn ensure_json(bytes: &[u8], path: &Path) -> anyhow::Result<()> {
    if std::str::from_utf8(bytes).is_err() {
        return Ok(());
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        // serde_json gives nesting beyond its limit the syntax category; only its message says so.
        Err(e) if !e.to_string().starts_with("recursion limit exceeded") => {
            Err(e).with_context(|| format!("{} is not JSON", path.display()))
        }
        _ => Ok(()),
    }
}

pub(crate) fn record(path: &Path, key: &str) -> anyhow::Result<Outcome> {
    let key = parse_key(key)?;
    // Read one byte past the limit so that an oversized record is reported as such.
    let bytes = read_limited(path, MAX_RECORD_BYTES as u64)?;
    if bytes.len() <= MAX_RECORD_BYTES {
        ensure_json(&bytes, path)?;
    }
    Ok(match record::verify(&bytes, &key) {
        Ok(r) => {
            say(format_args!("ok {}", r.hash))?;
            Outcome::Valid
        }
        Err(e) => {
            say(format_args!("invalid: {e}"))?;
            Outcome::Invalid
        }
    })
}

pub(crate) fn chain(path: &Path, key: &str) -> anyhow::Result<Outcome> {
    let key = parse_key(key)?;
    let bytes = read_limited(path, MAX_CHAIN_FILE)?;
    if bytes.len() as u64 > MAX_CHAIN_FILE {
        bail!("{} is larger than {MAX_CHAIN_FILE} bytes", path.display());
    }
    // Each element is kept as the exact bytes it has in the file.
    let records: Vec<&RawValue> = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a JSON array of records", path.display()))?;
    let Some(first) = records.first() else {
        say(format_args!("ok 0 {}", ChainHead::GENESIS.hash))?;
        return Ok(Outcome::Valid);
    };
    // The chain's device is the first record's; every record must then be that device's.
    let device = match record::parse_unverified(first.get().as_bytes()) {
        Ok(r) => r.device,
        Err(e) => {
            say(format_args!("invalid at seq 1: {e}"))?;
            return Ok(Outcome::Invalid);
        }
    };
    let mut verifier = ChainVerifier::new(device, key, ChainHead::GENESIS);
    for raw in &records {
        if let Err(e) = verifier.push(raw.get().as_bytes()) {
            say(format_args!(
                "invalid at seq {}: {e}",
                verifier.head().seq + 1
            ))?;
            return Ok(Outcome::Invalid);
        }
    }
    say(format_args!(
        "ok {} {}",
        records.len(),
        verifier.head().hash
    ))?;
    Ok(Outcome::Valid)
}

/// Bundles hold two records, a receipt, two proofs and a note: a few tens of kilobytes.
const MAX_BUNDLE_FILE: u64 = 1 << 20;

pub(crate) fn bundle(path: &Path, log_key: &str) -> anyhow::Result<Outcome> {
    let log_key = NoteVerifier::parse(log_key).context("--log-key")?;
    let bytes = read_limited(path, MAX_BUNDLE_FILE)?;
    if bytes.len() as u64 > MAX_BUNDLE_FILE {
        bail!("{} is larger than {MAX_BUNDLE_FILE} bytes", path.display());
    }
    let bundle = Bundle::parse(&bytes).with_context(|| format!("{}", path.display()))?;
    Ok(match bundle.verify(&log_key) {
        Ok(report) => {
            say(format_args!(
                "ok {} in {} at {} of {}",
                report.record.hash,
                report.checkpoint.origin,
                report.receipt.index,
                report.checkpoint.size
            ))?;
            Outcome::Valid
        }
        Err(e) => {
            say(format_args!("invalid: {e}"))?;
            Outcome::Invalid
        }
    })
}
