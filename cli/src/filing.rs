//! `knd filing`: what a controlled person needs to file with its own Ed25519 key: make a key,
//! and sign a filing as the next record of its chain (kind `business_filing`) to send to
//! `POST /api/v1/business/signed-filings`. The secret never leaves the machine; the server only
//! ever learns the public key (`POST /api/v1/business/keys`).

use std::fs::OpenOptions;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::Args;
use knd_shared::filing_key::{FilingKeyFile, sign_filing};
use knd_shared::record::ChainHead;
use knd_shared::record::kinds::BusinessFiling;
use knd_shared::{DeviceId, DeviceKey, Inn, Sha256};
use serde_json::{Map, Value};

use crate::{Outcome, say};

#[derive(Args)]
pub(crate) struct KeyArgs {
    /// Where to write the new key (created with mode 0600; an existing file is never replaced).
    file: PathBuf,
}

#[derive(Args)]
pub(crate) struct SignArgs {
    /// The key file `knd filing key` wrote.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The key's id the server gave at registration (`id` of POST /api/v1/business/keys).
    #[arg(long, value_name = "UUID")]
    device: String,
    /// The chain's head as the server holds it (`seq` and `hash` of
    /// GET /api/v1/business/keys/{id}): the new record is `seq + 1` after `hash`.
    #[arg(long, value_name = "N")]
    after_seq: u64,
    #[arg(long, value_name = "HEX")]
    after_hash: String,
    /// What is filed: objection, appeal, self_assessment, declaration, appeal_step.
    #[arg(long, value_name = "KIND")]
    filing: String,
    /// The filer's ИНН, as its API key's subject.
    #[arg(long, value_name = "INN")]
    subject: String,
    /// For an appeal_step: the appeal's id.
    #[arg(long, value_name = "UUID")]
    of: Option<uuid::Uuid>,
    /// The request as the unsigned call takes it (a JSON object), or "-" for standard input.
    request: PathBuf,
}

pub(crate) fn key(a: &KeyArgs) -> anyhow::Result<Outcome> {
    let file = FilingKeyFile::of(&DeviceKey::generate());
    write_new(&a.file, &serde_json::to_vec_pretty(&file)?)?;
    say(format_args!("{}", file.public_key))?;
    Ok(Outcome::Valid)
}

#[cfg(unix)]
fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(not(unix))]
fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn read_key(path: &Path) -> anyhow::Result<DeviceKey> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: FilingKeyFile = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a key file of knd filing key", path.display()))?;
    file.key().with_context(|| path.display().to_string())
}

fn read_request(path: &Path) -> anyhow::Result<Map<String, Value>> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
    } else {
        bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    }
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => bail!("the request is not a JSON object"),
        Err(e) => Err(e).context("the request is not JSON"),
    }
}

/// Prints the signed record, exactly the bytes to send as `record`.
pub(crate) fn sign(a: &SignArgs) -> anyhow::Result<Outcome> {
    let key = read_key(&a.key)?;
    let device: DeviceId = a.device.parse().context("--device")?;
    let prev = Sha256::parse(&a.after_hash).context("--after-hash")?;
    let subject = Inn::parse(&a.subject).context("--subject")?;
    let body = BusinessFiling {
        filing: a.filing.clone(),
        subject,
        of: a.of,
        request: read_request(&a.request)?,
    };
    let head = ChainHead {
        seq: a.after_seq,
        hash: prev,
    };
    let signed = sign_filing(&key, device, head, &body)?;
    let text = String::from_utf8(signed.bytes).context("the signed record")?;
    say(format_args!("{text}"))?;
    Ok(Outcome::Valid)
}
