//! A controlled person's filing key as `knd filing key` keeps it (the Ed25519 seed, with its
//! public key to check the file against), and a filing signed with it as the next record of the
//! key's chain. The `knd` tool and the demo share both, so the file one writes the other reads.

use serde::{Deserialize, Serialize};

use crate::ids::DeviceId;
use crate::keys::{DeviceKey, Sha256};
use crate::record::kinds::{self, BusinessFiling, RecordKind};
use crate::record::{ChainHead, RecordDraft, RecordError, SignedRecord};

/// The key file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilingKeyFile {
    /// The Ed25519 seed, 64 lowercase hex characters.
    pub seed: String,
    pub public_key: String,
}

/// Why a key file gives no key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilingKeyError {
    #[error("the seed is not 64 hex characters")]
    Seed,
    #[error("the seed does not give its public key")]
    Mismatch,
}

impl FilingKeyFile {
    pub fn of(key: &DeviceKey) -> Self {
        Self {
            seed: Sha256::from_bytes(key.seed()).to_hex(),
            public_key: key.public_key().to_hex(),
        }
    }

    /// The key, when the seed gives the public key the file names.
    pub fn key(&self) -> Result<DeviceKey, FilingKeyError> {
        let seed = Sha256::parse(&self.seed).map_err(|_| FilingKeyError::Seed)?;
        let key = DeviceKey::from_seed(seed.as_bytes());
        if key.public_key().to_hex() == self.public_key {
            Ok(key)
        } else {
            Err(FilingKeyError::Mismatch)
        }
    }
}

/// Signs `filing` as the record after `head` of the key's chain `device`.
pub fn sign_filing(
    key: &DeviceKey,
    device: DeviceId,
    head: ChainHead,
    filing: &BusinessFiling,
) -> Result<SignedRecord, RecordError> {
    let draft = RecordDraft::new(
        device,
        head.seq + 1,
        head.hash,
        RecordKind::BusinessFiling,
        filing,
    )?;
    kinds::check_body(&draft.kind, &draft.body)
        .map_err(|e| RecordError::Malformed(e.to_string()))?;
    crate::record::sign(key, &draft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_gives_its_key_back_and_only_its_own() {
        let key = DeviceKey::generate();
        let file = FilingKeyFile::of(&key);
        assert_eq!(file.key().unwrap().public_key(), key.public_key());
        let other = FilingKeyFile {
            public_key: DeviceKey::generate().public_key().to_hex(),
            ..file.clone()
        };
        assert_eq!(other.key().unwrap_err(), FilingKeyError::Mismatch);
        let bad = FilingKeyFile {
            seed: "zz".into(),
            ..file
        };
        assert_eq!(bad.key().unwrap_err(), FilingKeyError::Seed);
    }
}
