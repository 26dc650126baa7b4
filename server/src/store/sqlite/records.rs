//! Records, receipts and the transparency log.

use knd_shared::record::{self, ChainHead, RecordDraft, RecordKind, Timestamp, VerifiedRecord};
use knd_shared::{AgencyId, DeviceId, DeviceKey, RecordId, Sha256};
use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use serde::Serialize;
use time::OffsetDateTime;

use super::SqliteStore;
use super::cols::{query_all, query_opt};
use super::{db_err, hash_col, ts};
use crate::model::StoredRecord;
use crate::store::RecordStore;
use crate::store::cols::Cols as _;
use crate::store::ingest_rules::{Decision, Existing, IngestResult, decide};
use crate::store::log_append::LogAppender;
use crate::store::sql::records as sql;
use crate::store::{Candidate, ServerChain, StoreError, StoreResult};

pub(super) fn log_size(c: &Connection) -> StoreResult<u64> {
    query_opt(c, &sql::LOG_SIZE, [], |r| r.u64(0))?
        .ok_or_else(|| StoreError::Corrupt("no log state".into()))
}

pub(super) fn log_hashes(c: &Connection, indexes: &[u64]) -> StoreResult<Vec<Sha256>> {
    let mut stmt = c
        .prepare_cached("SELECT hash FROM log_hashes WHERE idx = ?1")
        .map_err(db_err)?;
    indexes
        .iter()
        .map(|&i| {
            let bytes: Option<Vec<u8>> = stmt
                .query_row([i as i64], |r| r.get(0))
                .optional()
                .map_err(db_err)?;
            let bytes = bytes.ok_or_else(|| StoreError::Corrupt(format!("no stored hash {i}")))?;
            hash_col(&bytes)
        })
        .collect()
}

pub(super) fn leaf_index(c: &Connection, hash: &Sha256) -> StoreResult<Option<u64>> {
    query_opt(c, &sql::LEAF_INDEX, [hash.as_bytes().as_slice()], |r| {
        r.u64(0)
    })
}

pub(super) fn get_record(c: &Connection, id: RecordId) -> StoreResult<Option<StoredRecord>> {
    query_opt(c, &sql::RECORD, [id.to_string()], |r| sql::record(r))
}

/// Records from log index `from` on, in log order.
pub(super) fn records_from(
    c: &Connection,
    from: u64,
    limit: u32,
) -> StoreResult<Vec<StoredRecord>> {
    query_all(c, &sql::RECORDS_FROM, params![from as i64, limit], |r| {
        sql::record(r)
    })
}

fn load_appender(tx: &Transaction<'_>) -> StoreResult<LogAppender> {
    Ok(LogAppender::new(log_size(tx)?))
}

/// Writes the batch's new stored hashes and the new size.
fn finish_log(tx: &Transaction<'_>, app: &LogAppender) -> StoreResult<()> {
    let mut stmt = tx
        .prepare_cached("INSERT INTO log_hashes (idx, hash) VALUES (?1, ?2)")
        .map_err(db_err)?;
    for (i, h) in app.new_hashes() {
        stmt.execute(params![*i as i64, h.as_bytes().as_slice()])
            .map_err(db_err)?;
    }
    tx.execute(sql::UPDATE_LOG_STATE.sqlite(), [app.size() as i64])
        .map_err(db_err)?;
    Ok(())
}

/// Stores one verified record as the next link of its device's chain and the next log leaf;
/// returns the signed receipt.
fn append_record(
    tx: &Transaction<'_>,
    app: &mut LogAppender,
    agency: Option<AgencyId>,
    rec: &VerifiedRecord,
    bytes: &[u8],
    server_key: &DeviceKey,
    now: OffsetDateTime,
) -> StoreResult<Vec<u8>> {
    let missing = app.missing_for_next();
    if !missing.is_empty() {
        let hashes = log_hashes(tx, &missing)?;
        app.learn(&missing, &hashes);
    }
    let (index, receipt) = app.append_with_receipt(&rec.hash, server_key, now)?;
    tx.prepare_cached(
        "INSERT INTO records (id, device_id, agency_id, seq, hash, kind, at, received_at, log_index, bytes, receipt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .map_err(db_err)?
    .execute(params![
        rec.id.to_string(),
        rec.device.to_string(),
        agency.map(|a| a.to_string()),
        rec.seq as i64,
        rec.hash.as_bytes().as_slice(),
        rec.kind,
        ts(rec.at.as_datetime()),
        ts(now),
        index as i64,
        bytes,
        receipt,
    ])
    .map_err(db_err)?;
    tx.prepare_cached("UPDATE devices SET head_seq = ?1, head_hash = ?2 WHERE id = ?3")
        .map_err(db_err)?
        .execute(params![
            rec.seq as i64,
            rec.hash.as_bytes().as_slice(),
            rec.device.to_string()
        ])
        .map_err(db_err)?;
    Ok(receipt)
}

fn existing(
    tx: &Transaction<'_>,
    sql: &str,
    p: impl rusqlite::Params,
) -> StoreResult<Option<Existing>> {
    let row: Option<(Vec<u8>, Vec<u8>)> = tx
        .prepare_cached(sql)
        .map_err(db_err)?
        .query_row(p, |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(db_err)?;
    row.map(|(hash, receipt)| {
        Ok(Existing {
            hash: hash_col(&hash)?,
            receipt,
        })
    })
    .transpose()
}

/// The device's agency, chain head and whether it is revoked.
fn device_head(
    tx: &Transaction<'_>,
    device: DeviceId,
) -> StoreResult<(Option<AgencyId>, ChainHead, bool)> {
    query_opt(tx, &sql::DEVICE_HEAD, [device.to_string()], |r| {
        sql::device_head(r)
    })?
    .ok_or_else(|| StoreError::Corrupt(format!("no device {device}")))
}

pub(super) fn ingest(
    tx: &Transaction<'_>,
    device: DeviceId,
    batch: &[Candidate],
    server_key: &DeviceKey,
    now: OffsetDateTime,
) -> StoreResult<Vec<IngestResult>> {
    ingest_for(tx, device, batch, None, server_key, now)
}

/// A record a controlled person signed with its filing key, stored for the agency its filing
/// went to (a filing key belongs to no agency), by the same rules as a device's push.
pub(super) fn ingest_signed(
    tx: &Transaction<'_>,
    candidate: &Candidate,
    agency: AgencyId,
    server_key: &DeviceKey,
    now: OffsetDateTime,
) -> StoreResult<IngestResult> {
    let device = candidate.record.device;
    ingest_for(
        tx,
        device,
        std::slice::from_ref(candidate),
        Some(agency),
        server_key,
        now,
    )?
    .pop()
    .ok_or_else(|| StoreError::Corrupt("ingest answered nothing".into()))
}

/// Ingests a batch of one chain; `for_agency` names the agency of the records when the chain
/// has none of its own.
fn ingest_for(
    tx: &Transaction<'_>,
    device: DeviceId,
    batch: &[Candidate],
    for_agency: Option<AgencyId>,
    server_key: &DeviceKey,
    now: OffsetDateTime,
) -> StoreResult<Vec<IngestResult>> {
    let (agency, mut head, revoked) = device_head(tx, device)?;
    let agency = agency.or(for_agency);
    let mut app = load_appender(tx)?;
    let mut results = Vec::with_capacity(batch.len());
    for c in batch {
        let rec = &c.record;
        let same_id = existing(
            tx,
            "SELECT hash, receipt FROM records WHERE id = ?1",
            [rec.id.to_string()],
        )?;
        let same_seq = if same_id.is_none() && rec.seq <= head.seq {
            existing(
                tx,
                "SELECT hash, receipt FROM records WHERE device_id = ?1 AND seq = ?2",
                params![device.to_string(), rec.seq as i64],
            )?
        } else {
            None
        };
        results.push(match decide(same_id, same_seq, head, revoked, rec) {
            Decision::Append => {
                let receipt = append_record(tx, &mut app, agency, rec, &c.bytes, server_key, now)?;
                head = ChainHead::after(rec);
                IngestResult::Accepted { receipt }
            }
            Decision::Duplicate(receipt) => IngestResult::Duplicate { receipt },
            Decision::Reject(r) => IngestResult::Rejected(r),
        });
    }
    finish_log(tx, &app)?;
    tx.execute(
        "UPDATE devices SET last_seen_at = ?1 WHERE id = ?2",
        params![ts(now), device.to_string()],
    )
    .map_err(db_err)?;
    Ok(results)
}

/// Signs a record on the server's own chain and stores it (with its log leaf) in `tx`.
pub(super) fn append_server_record(
    tx: &Transaction<'_>,
    server: &ServerChain,
    agency: Option<AgencyId>,
    kind: RecordKind,
    body: &impl Serialize,
    now: OffsetDateTime,
) -> StoreResult<RecordId> {
    let (_, head, _) = device_head(tx, server.identity.device)?;
    let mut draft = RecordDraft::new(server.identity.device, head.seq + 1, head.hash, kind, body)
        .map_err(|e| StoreError::Corrupt(format!("server record: {e}")))?;
    draft.at = Timestamp::from_datetime(now);
    let signed = record::sign(&server.key, &draft)
        .map_err(|e| StoreError::Corrupt(format!("server record: {e}")))?;
    let mut app = load_appender(tx)?;
    append_record(
        tx,
        &mut app,
        agency,
        &signed.record,
        &signed.bytes,
        &server.key,
        now,
    )?;
    finish_log(tx, &app)?;
    Ok(signed.record.id)
}

#[async_trait::async_trait]
impl RecordStore for SqliteStore {
    async fn ingest(
        &self,
        device: DeviceId,
        batch: Vec<Candidate>,
        server_key: &DeviceKey,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<IngestResult>> {
        let key = server_key.clone();
        self.transact(move |tx| ingest(tx, device, &batch, &key, now))
            .await
    }

    async fn get_record(&self, id: RecordId) -> StoreResult<Option<StoredRecord>> {
        self.read(move |c| get_record(c, id)).await
    }

    async fn log_size(&self) -> StoreResult<u64> {
        self.read(log_size).await
    }

    async fn log_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Sha256>> {
        let indexes = indexes.to_vec();
        self.read(move |c| log_hashes(c, &indexes)).await
    }

    async fn leaf_index(&self, record_hash: &Sha256) -> StoreResult<Option<u64>> {
        let h = *record_hash;
        self.read(move |c| leaf_index(c, &h)).await
    }

    async fn records_from(&self, from: u64, limit: u32) -> StoreResult<Vec<StoredRecord>> {
        self.read(move |c| records_from(c, from, limit)).await
    }
}
