//! Records, receipts and the log: the statements both backends share and the row mapping. A
//! push's writes stay per backend: PostgreSQL writes a batch with `UNNEST` and looks it up with
//! `ANY`, SQLite row by row on its single writer.

use knd_shared::AgencyId;
use knd_shared::record::ChainHead;

use super::Sql;
use crate::model::StoredRecord;
use crate::store::StoreResult;
use crate::store::cols::Cols;

pub(crate) static LOG_SIZE: Sql = Sql::new("SELECT size FROM log_state WHERE id = 1");
pub(crate) static LEAF_INDEX: Sql = Sql::new("SELECT log_index FROM records WHERE hash = ?1");

macro_rules! record_columns {
    () => {
        "SELECT id, device_id, agency_id, seq, hash, kind, log_index, received_at, bytes, receipt \
         FROM records"
    };
}

pub(crate) static RECORD: Sql = Sql::new(concat!(record_columns!(), " WHERE id = ?1"));
pub(crate) static RECORDS_FROM: Sql = Sql::new(concat!(
    record_columns!(),
    " WHERE log_index >= ?1 ORDER BY log_index LIMIT ?2"
));

pub(crate) fn record(r: &impl Cols) -> StoreResult<StoredRecord> {
    Ok(StoredRecord {
        id: r.id(0)?,
        device: r.id(1)?,
        agency: r.opt_id(2)?,
        seq: r.u64(3)?,
        hash: r.hash(4)?,
        kind: r.text(5)?,
        log_index: r.u64(6)?,
        received_at: r.ts(7)?,
        bytes: r.bytes(8)?,
        receipt: r.bytes(9)?,
    })
}

/// PostgreSQL locks the device's row for the transaction (a revocation waits for a push in
/// progress, and the other way round); SQLite's writer is alone anyway.
pub(crate) static DEVICE_HEAD: Sql = Sql::dialects(
    "SELECT agency_id, head_seq, head_hash, revoked_at IS NOT NULL FROM devices WHERE id = ?1",
    "SELECT agency_id, head_seq, head_hash, revoked_at IS NOT NULL FROM devices WHERE id = $1
     FOR UPDATE",
);

/// The device's agency, chain head and whether it is revoked.
pub(crate) fn device_head(r: &impl Cols) -> StoreResult<(Option<AgencyId>, ChainHead, bool)> {
    Ok((
        r.opt_id(0)?,
        ChainHead {
            seq: r.u64(1)?,
            hash: r.hash(2)?,
        },
        r.bool(3)?,
    ))
}

/// The log's new size after an append.
pub(crate) static UPDATE_LOG_STATE: Sql = Sql::new("UPDATE log_state SET size = ?1 WHERE id = 1");
