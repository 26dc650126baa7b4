//! Records, receipts and the transparency log.

use knd_shared::record::{self, ChainHead, RecordDraft, RecordKind, Timestamp, VerifiedRecord};
use knd_shared::{AgencyId, DeviceId, DeviceKey, RecordId, Sha256};
use serde::Serialize;
use std::collections::HashMap;
use time::OffsetDateTime;

use tokio_postgres::{Client, GenericClient, Transaction};

use super::PgStore;
use super::cols::{query_all, query_opt};
use super::{db_err, hash_col, i64_of, u64_of};
use crate::model::StoredRecord;
use crate::store::RecordStore;
use crate::store::cols::Cols as _;
use crate::store::ingest_rules::{Decision, Existing, IngestResult, decide};
use crate::store::log_append::LogAppender;
use crate::store::sql::records as sql;
use crate::store::{Candidate, ServerChain, StoreError, StoreResult};

pub(super) async fn log_size(c: &impl GenericClient) -> StoreResult<u64> {
    query_opt(c, &sql::LOG_SIZE, &[], |r| r.u64(0))
        .await?
        .ok_or_else(|| StoreError::Corrupt("no log state".into()))
}

pub(super) async fn log_hashes(
    c: &impl GenericClient,
    indexes: &[u64],
) -> StoreResult<Vec<Sha256>> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<i64> = indexes
        .iter()
        .map(|&i| i64_of(i))
        .collect::<StoreResult<_>>()?;
    let rows = c
        .query(
            "SELECT idx, hash FROM log_hashes WHERE idx = ANY($1)",
            &[&wanted],
        )
        .await
        .map_err(db_err)?;
    let found: std::collections::HashMap<i64, Vec<u8>> =
        rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    wanted
        .iter()
        .map(|i| {
            let bytes = found
                .get(i)
                .ok_or_else(|| StoreError::Corrupt(format!("no stored hash {i}")))?;
            hash_col(bytes)
        })
        .collect()
}

pub(super) async fn leaf_index(c: &Client, hash: &Sha256) -> StoreResult<Option<u64>> {
    query_opt(c, &sql::LEAF_INDEX, &[&hash.as_bytes().as_slice()], |r| {
        r.u64(0)
    })
    .await
}

pub(super) async fn get_record(c: &Client, id: RecordId) -> StoreResult<Option<StoredRecord>> {
    query_opt(c, &sql::RECORD, &[&id.as_uuid()], sql::record).await
}

/// Records from log index `from` on, in log order.
pub(super) async fn records_from(
    c: &Client,
    from: u64,
    limit: u32,
) -> StoreResult<Vec<StoredRecord>> {
    query_all(
        c,
        &sql::RECORDS_FROM,
        &[&i64_of(from)?, &i64::from(limit)],
        sql::record,
    )
    .await
}

/// Locks the log for this transaction and reads its size: appends are serialised here.
async fn load_appender(tx: &Transaction<'_>) -> StoreResult<LogAppender> {
    let r = tx
        .query_one("SELECT size FROM log_state WHERE id = 1 FOR UPDATE", &[])
        .await
        .map_err(db_err)?;
    Ok(LogAppender::new(u64_of(r.get(0))?))
}

async fn finish_log(tx: &Transaction<'_>, app: &LogAppender) -> StoreResult<()> {
    let new = app.new_hashes();
    if !new.is_empty() {
        let idx: Vec<i64> = new
            .iter()
            .map(|(i, _)| i64_of(*i))
            .collect::<StoreResult<_>>()?;
        let hashes: Vec<&[u8]> = new.iter().map(|(_, h)| h.as_bytes().as_slice()).collect();
        tx.execute(
            "INSERT INTO log_hashes (idx, hash) SELECT * FROM UNNEST($1::BIGINT[], $2::BYTEA[])",
            &[&idx, &hashes],
        )
        .await
        .map_err(db_err)?;
    }
    tx.execute(sql::UPDATE_LOG_STATE.pg(), &[&i64_of(app.size())?])
        .await
        .map_err(db_err)?;
    Ok(())
}

/// A record to insert at the end of the transaction.
struct Row {
    rec: VerifiedRecord,
    bytes: Vec<u8>,
    index: u64,
    receipt: Vec<u8>,
}

/// Appends one record to the log in memory and signs its receipt; the row is written later.
async fn append_record(
    tx: &Transaction<'_>,
    app: &mut LogAppender,
    rec: &VerifiedRecord,
    bytes: &[u8],
    server_key: &DeviceKey,
    now: OffsetDateTime,
) -> StoreResult<Row> {
    let missing = app.missing_for_next();
    if !missing.is_empty() {
        let hashes = log_hashes(tx, &missing).await?;
        app.learn(&missing, &hashes);
    }
    let (index, receipt) = app.append_with_receipt(&rec.hash, server_key, now)?;
    Ok(Row {
        rec: rec.clone(),
        bytes: bytes.to_vec(),
        index,
        receipt,
    })
}

/// Writes the batch's records in one statement.
async fn insert_rows(
    tx: &Transaction<'_>,
    agency: Option<AgencyId>,
    rows: &[Row],
    now: OffsetDateTime,
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.rec.id.as_uuid()).collect();
    let devices: Vec<uuid::Uuid> = rows.iter().map(|r| r.rec.device.as_uuid()).collect();
    let seqs: Vec<i64> = rows
        .iter()
        .map(|r| seq_param(r.rec.seq))
        .collect::<StoreResult<_>>()?;
    let hashes: Vec<&[u8]> = rows
        .iter()
        .map(|r| r.rec.hash.as_bytes().as_slice())
        .collect();
    let kinds: Vec<&str> = rows.iter().map(|r| r.rec.kind.as_str()).collect();
    let ats: Vec<OffsetDateTime> = rows.iter().map(|r| r.rec.at.as_datetime()).collect();
    let indexes: Vec<i64> = rows
        .iter()
        .map(|r| i64_of(r.index))
        .collect::<StoreResult<_>>()?;
    let bytes: Vec<&[u8]> = rows.iter().map(|r| r.bytes.as_slice()).collect();
    let receipts: Vec<&[u8]> = rows.iter().map(|r| r.receipt.as_slice()).collect();
    tx.execute(
        "INSERT INTO records (id, device_id, agency_id, seq, hash, kind, at, received_at, log_index, bytes, receipt)
         SELECT id, device_id, $3, seq, hash, kind, at, $8, log_index, bytes, receipt
         FROM UNNEST($1::UUID[], $2::UUID[], $4::BIGINT[], $5::BYTEA[], $6::TEXT[], $7::TIMESTAMPTZ[],
                     $9::BIGINT[], $10::BYTEA[], $11::BYTEA[])
              AS t(id, device_id, seq, hash, kind, at, log_index, bytes, receipt)",
        &[
            &ids,
            &devices,
            &agency.map(|a| a.as_uuid()),
            &seqs,
            &hashes,
            &kinds,
            &ats,
            &now,
            &indexes,
            &bytes,
            &receipts,
        ],
    )
    .await
    .map_err(db_err)?;
    Ok(())
}

async fn set_head(
    tx: &Transaction<'_>,
    device: DeviceId,
    head: ChainHead,
    now: Option<OffsetDateTime>,
) -> StoreResult<()> {
    tx.execute(
        "UPDATE devices SET head_seq = $1, head_hash = $2, last_seen_at = COALESCE($3, last_seen_at) WHERE id = $4",
        &[&seq_param(head.seq)?, &head.hash.as_bytes().as_slice(), &now, &device.as_uuid()],
    )
    .await
    .map_err(db_err)?;
    Ok(())
}

/// What the database already holds for a batch: records with the same ids, and records at the
/// same seqs of the device. Two queries for the whole batch instead of two per record.
async fn existing_for(
    tx: &Transaction<'_>,
    device: DeviceId,
    head: ChainHead,
    batch: &[Candidate],
) -> StoreResult<(HashMap<RecordId, Existing>, HashMap<u64, Existing>)> {
    let ids: Vec<uuid::Uuid> = batch.iter().map(|c| c.record.id.as_uuid()).collect();
    let mut by_id = HashMap::new();
    for r in tx
        .query(
            "SELECT id, hash, receipt FROM records WHERE id = ANY($1)",
            &[&ids],
        )
        .await
        .map_err(db_err)?
    {
        let id: uuid::Uuid = r.get(0);
        by_id.insert(
            RecordId::from(id),
            Existing {
                hash: hash_col(r.get(1))?,
                receipt: r.get(2),
            },
        );
    }
    let seqs: Vec<i64> = batch
        .iter()
        .filter(|c| c.record.seq <= head.seq)
        .map(|c| seq_param(c.record.seq))
        .collect::<StoreResult<_>>()?;
    let mut by_seq = HashMap::new();
    if !seqs.is_empty() {
        for r in tx
            .query(
                "SELECT seq, hash, receipt FROM records WHERE device_id = $1 AND seq = ANY($2)",
                &[&device.as_uuid(), &seqs],
            )
            .await
            .map_err(db_err)?
        {
            by_seq.insert(
                u64_of(r.get(0))?,
                Existing {
                    hash: hash_col(r.get(1))?,
                    receipt: r.get(2),
                },
            );
        }
    }
    Ok((by_id, by_seq))
}

pub(super) async fn ingest(
    tx: &Transaction<'_>,
    device: DeviceId,
    batch: &[Candidate],
    server_key: &DeviceKey,
    now: OffsetDateTime,
) -> StoreResult<Vec<IngestResult>> {
    ingest_for(tx, device, batch, None, server_key, now).await
}

/// A record a controlled person signed with its filing key, stored for the agency its filing
/// went to (a filing key belongs to no agency), by the same rules as a device's push.
pub(super) async fn ingest_signed(
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
    )
    .await?
    .pop()
    .ok_or_else(|| StoreError::Corrupt("ingest answered nothing".into()))
}

/// Ingests a batch of one chain; `for_agency` names the agency of the records when the chain
/// has none of its own.
async fn ingest_for(
    tx: &Transaction<'_>,
    device: DeviceId,
    batch: &[Candidate],
    for_agency: Option<AgencyId>,
    server_key: &DeviceKey,
    now: OffsetDateTime,
) -> StoreResult<Vec<IngestResult>> {
    let mut app = load_appender(tx).await?;
    let (agency, mut head, revoked) = device_head(tx, device).await?;
    let agency = agency.or(for_agency);
    let (mut by_id, mut by_seq) = existing_for(tx, device, head, batch).await?;
    let mut rows = Vec::new();
    let mut results = Vec::with_capacity(batch.len());
    for c in batch {
        let rec = &c.record;
        let same_id = by_id.get(&rec.id).cloned();
        let same_seq = if same_id.is_none() && rec.seq <= head.seq {
            by_seq.get(&rec.seq).cloned()
        } else {
            None
        };
        results.push(match decide(same_id, same_seq, head, revoked, rec) {
            Decision::Append => {
                let row = append_record(tx, &mut app, rec, &c.bytes, server_key, now).await?;
                head = ChainHead::after(rec);
                // Later records of this batch see this one as stored.
                let stored = Existing {
                    hash: rec.hash,
                    receipt: row.receipt.clone(),
                };
                by_id.insert(rec.id, stored.clone());
                by_seq.insert(rec.seq, stored);
                let receipt = row.receipt.clone();
                rows.push(row);
                IngestResult::Accepted { receipt }
            }
            Decision::Duplicate(receipt) => IngestResult::Duplicate { receipt },
            Decision::Reject(r) => IngestResult::Rejected(r),
        });
    }
    insert_rows(tx, agency, &rows, now).await?;
    finish_log(tx, &app).await?;
    set_head(tx, device, head, Some(now)).await?;
    Ok(results)
}

/// Signs a record on the server's own chain and stores it (with its log leaf) in `tx`.
pub(super) async fn append_server_record(
    tx: &Transaction<'_>,
    server: &ServerChain,
    agency: Option<AgencyId>,
    kind: RecordKind,
    body: &impl Serialize,
    now: OffsetDateTime,
) -> StoreResult<RecordId> {
    let mut app = load_appender(tx).await?;
    let (_, head, _) = device_head(tx, server.identity.device).await?;
    let mut draft = RecordDraft::new(server.identity.device, head.seq + 1, head.hash, kind, body)
        .map_err(|e| StoreError::Corrupt(format!("server record: {e}")))?;
    draft.at = Timestamp::from_datetime(now);
    let signed = record::sign(&server.key, &draft)
        .map_err(|e| StoreError::Corrupt(format!("server record: {e}")))?;
    let row = append_record(
        tx,
        &mut app,
        &signed.record,
        &signed.bytes,
        &server.key,
        now,
    )
    .await?;
    insert_rows(tx, agency, &[row], now).await?;
    finish_log(tx, &app).await?;
    set_head(
        tx,
        server.identity.device,
        ChainHead::after(&signed.record),
        None,
    )
    .await?;
    Ok(signed.record.id)
}

/// The device's agency, chain head and whether it is revoked (its row locked, see
/// [`sql::DEVICE_HEAD`]).
async fn device_head(
    tx: &Transaction<'_>,
    device: DeviceId,
) -> StoreResult<(Option<AgencyId>, ChainHead, bool)> {
    query_opt(
        tx,
        &sql::DEVICE_HEAD,
        &[&device.as_uuid()],
        sql::device_head,
    )
    .await?
    .ok_or_else(|| StoreError::Corrupt(format!("no device {device}")))
}

fn seq_param(seq: u64) -> StoreResult<i64> {
    i64_of(seq)
}

#[async_trait::async_trait]
impl RecordStore for PgStore {
    async fn ingest(
        &self,
        device: DeviceId,
        batch: Vec<Candidate>,
        server_key: &DeviceKey,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<IngestResult>> {
        transact!(self, |tx| ingest(&tx, device, &batch, server_key, now)
            .await?)
    }

    async fn get_record(&self, id: RecordId) -> StoreResult<Option<StoredRecord>> {
        get_record(&**self.client().await?, id).await
    }

    async fn log_size(&self) -> StoreResult<u64> {
        log_size(&**self.client().await?).await
    }

    async fn log_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Sha256>> {
        log_hashes(&**self.client().await?, indexes).await
    }

    async fn leaf_index(&self, record_hash: &Sha256) -> StoreResult<Option<u64>> {
        leaf_index(&**self.client().await?, record_hash).await
    }

    async fn records_from(&self, from: u64, limit: u32) -> StoreResult<Vec<StoredRecord>> {
        records_from(&**self.client().await?, from, limit).await
    }
}
