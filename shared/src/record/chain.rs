use super::{RecordError, VerifiedRecord, verify};
use crate::ids::DeviceId;
use crate::keys::{PublicKey, Sha256};

/// Where a device's chain stands: the last accepted record's seq and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: u64,
    pub hash: Sha256,
}

impl ChainHead {
    /// Before the first record: the next one must be seq 1 with `prev` all zeros.
    pub const GENESIS: ChainHead = ChainHead {
        seq: 0,
        hash: Sha256::ZERO,
    };

    /// Checks that `record` is the next link after this head.
    pub fn check_next(&self, record: &VerifiedRecord) -> Result<(), RecordError> {
        // Record seqs are at most 2^53 - 1, so only a head built by hand could saturate here.
        let expected = self.seq.saturating_add(1);
        if record.seq != expected {
            return Err(RecordError::SeqGap {
                expected,
                got: record.seq,
            });
        }
        if record.prev != self.hash {
            return Err(RecordError::ChainBreak {
                expected: self.hash,
                got: record.prev,
            });
        }
        Ok(())
    }

    /// The head after `record`.
    pub fn after(record: &VerifiedRecord) -> ChainHead {
        ChainHead {
            seq: record.seq,
            hash: record.hash,
        }
    }
}

/// Verifies one device's records in order: each signature strictly, then its link to the previous.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    device: DeviceId,
    key: PublicKey,
    head: ChainHead,
}

impl ChainVerifier {
    /// Starts at `head` (use [`ChainHead::GENESIS`] for a whole chain).
    pub fn new(device: DeviceId, key: PublicKey, head: ChainHead) -> Self {
        Self { device, key, head }
    }

    /// The head after the records accepted so far.
    pub fn head(&self) -> ChainHead {
        self.head
    }

    /// Verifies the next record and advances; on error the head does not move.
    pub fn push(&mut self, bytes: &[u8]) -> Result<VerifiedRecord, RecordError> {
        let record = verify(bytes, &self.key)?;
        if record.device != self.device {
            return Err(RecordError::WrongDevice {
                expected: self.device.to_string(),
                got: record.device.to_string(),
            });
        }
        self.head.check_next(&record)?;
        self.head = ChainHead::after(&record);
        Ok(record)
    }
}
