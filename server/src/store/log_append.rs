//! Appending leaves to the transparency log inside a store transaction.
//!
//! An append reads the hashes of the completed subtrees on the tree's right edge. Within a batch,
//! most of those were written by the batch itself, so the appender keeps the batch's new hashes in
//! memory and asks the database only for the rest; the store writes [`LogAppender::new_hashes`]
//! at the end of the transaction.

use std::collections::BTreeMap;

use knd_shared::log::{self, HashStore, LogError};
use knd_shared::receipt::Receipt;
use knd_shared::record::Timestamp;
use knd_shared::{DeviceKey, Sha256};
use time::OffsetDateTime;

use super::{StoreError, StoreResult};

pub(super) struct LogAppender {
    size: u64,
    known: BTreeMap<u64, Sha256>,
    new: Vec<(u64, Sha256)>,
}

impl LogAppender {
    pub(super) fn new(size: u64) -> Self {
        Self {
            size,
            known: BTreeMap::new(),
            new: Vec::new(),
        }
    }

    pub(super) fn size(&self) -> u64 {
        self.size
    }

    /// The stored-hash indexes the next append needs that are not in memory yet.
    pub(super) fn missing_for_next(&self) -> Vec<u64> {
        let probe = log::leaf_hash(b"");
        log::indexes_read_by(|r| log::stored_hashes_for_leaf(self.size, &probe, r))
            .into_iter()
            .filter(|i| !self.known.contains_key(i))
            .collect()
    }

    /// Adds hashes read from the database.
    pub(super) fn learn(&mut self, indexes: &[u64], hashes: &[Sha256]) {
        self.known
            .extend(indexes.iter().copied().zip(hashes.iter().copied()));
    }

    /// Appends a record hash as the next leaf; returns its index. Call [`Self::missing_for_next`]
    /// and [`Self::learn`] first.
    pub(super) fn append(&mut self, record_hash: &Sha256) -> Result<u64, LogError> {
        let index = self.size;
        let leaf = log::leaf_hash(record_hash.as_bytes());
        let hashes = log::stored_hashes_for_leaf(index, &leaf, &self.known)?;
        let first = log::stored_hash_index(0, index);
        for (i, h) in hashes.into_iter().enumerate() {
            let at = first + i as u64;
            self.known.insert(at, h);
            self.new.push((at, h));
        }
        self.size += 1;
        Ok(index)
    }

    /// Appends a record hash and signs the receipt that names its leaf index.
    pub(super) fn append_with_receipt(
        &mut self,
        record_hash: &Sha256,
        server_key: &DeviceKey,
        now: OffsetDateTime,
    ) -> StoreResult<(u64, Vec<u8>)> {
        let index = self
            .append(record_hash)
            .map_err(|e| StoreError::Corrupt(format!("log append: {e}")))?;
        let receipt = Receipt {
            record: *record_hash,
            index,
            received_at: Timestamp::from_datetime(now),
        }
        .sign(server_key)
        .map_err(|e| StoreError::Corrupt(format!("receipt: {e}")))?;
        Ok((index, receipt.bytes))
    }

    /// Hashes to write, in index order.
    pub(super) fn new_hashes(&self) -> &[(u64, Sha256)] {
        &self.new
    }
}

/// Lets the appender's memory serve reads (it only holds what `learn` and `append` put there).
impl HashStore for LogAppender {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Sha256>, LogError> {
        self.known.read_hashes(indexes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use knd_shared::log::MemoryLog;

    #[test]
    fn appending_through_the_overlay_matches_a_plain_log() {
        let mut reference = MemoryLog::new();
        for i in 0u32..37 {
            reference.append(Sha256::digest(&i.to_be_bytes()).as_bytes());
        }
        // Start a batch at size 37, with the database being `reference`.
        let mut app = LogAppender::new(37);
        let db = reference.clone();
        for i in 37u32..300 {
            let missing = app.missing_for_next();
            let got = db.read_hashes(&missing).unwrap();
            app.learn(&missing, &got);
            let h = Sha256::digest(&i.to_be_bytes());
            assert_eq!(app.append(&h).unwrap(), u64::from(i));
            reference.append(h.as_bytes());
        }
        // Writing the new hashes after the old ones gives the reference tree.
        let mut all: BTreeMap<u64, Sha256> = BTreeMap::new();
        let n = log::stored_hash_count(37);
        let old: Vec<u64> = (0..n).collect();
        all.extend(old.iter().copied().zip(db.read_hashes(&old).unwrap()));
        all.extend(app.new_hashes().iter().copied());
        assert_eq!(log::tree_root(300, &all).unwrap(), reference.root());
        assert_eq!(all.len() as u64, log::stored_hash_count(300));
    }
}
