//! Records, receipts and the transparency log.

use knd_shared::receipt::Receipt;
use knd_shared::record::{self, ChainHead, RecordDraft, RecordKind, Timestamp, VerifiedRecord};
use knd_shared::{AgencyId, DeviceId, DeviceKey, RecordId, Sha256};
use serde::Serialize;
use time::OffsetDateTime;
use tokio_postgres::{Client, GenericClient, Transaction};

use super::devices::{device_head, seq_param};
use super::{db_err, hash_col, i64_of, u64_of};
use crate::model::StoredRecord;
use crate::store::ingest_rules::{Decision, Existing, IngestResult, decide};
use crate::store::log_append::LogAppender;
use crate::store::{Candidate, ServerChain, StoreError, StoreResult};

pub(super) async fn log_size(c: &impl GenericClient) -> StoreResult<u64> {
    let r = c
        .query_one("SELECT size FROM log_state WHERE id = 1", &[])
        .await
        .map_err(db_err)?;
    u64_of(r.get(0))
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
    let row = c
        .query_opt(
            "SELECT log_index FROM records WHERE hash = $1",
            &[&hash.as_bytes().as_slice()],
        )
        .await
        .map_err(db_err)?;
    row.map(|r| u64_of(r.get(0))).transpose()
}

pub(super) async fn get_record(c: &Client, id: RecordId) -> StoreResult<Option<StoredRecord>> {
    let row = c
        .query_opt(
            "SELECT id, device_id, agency_id, seq, hash, kind, log_index, received_at, bytes, receipt
             FROM records WHERE id = $1",
            &[&id.as_uuid()],
        )
        .await
        .map_err(db_err)?;
    row.map(|r| {
        Ok(StoredRecord {
            id: r.get::<_, uuid::Uuid>(0).into(),
            device: r.get::<_, uuid::Uuid>(1).into(),
            agency: r.get::<_, Option<uuid::Uuid>>(2).map(Into::into),
            seq: u64_of(r.get(3))?,
            hash: hash_col(r.get(4))?,
            kind: r.get(5),
            log_index: u64_of(r.get(6))?,
            received_at: r.get(7),
            bytes: r.get(8),
            receipt: r.get(9),
        })
    })
    .transpose()
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
    tx.execute(
        "UPDATE log_state SET size = $1 WHERE id = 1",
        &[&i64_of(app.size())?],
    )
    .await
    .map_err(db_err)?;
    Ok(())
}

async fn append_record(
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
        let hashes = log_hashes(tx, &missing).await?;
        app.learn(&missing, &hashes);
    }
    let index = app
        .append(&rec.hash)
        .map_err(|e| StoreError::Corrupt(format!("log append: {e}")))?;
    let receipt = Receipt {
        record: rec.hash,
        index,
        received_at: Timestamp::from_datetime(now),
    }
    .sign(server_key)
    .map_err(|e| StoreError::Corrupt(format!("receipt: {e}")))?
    .bytes;
    tx.execute(
        "INSERT INTO records (id, device_id, agency_id, seq, hash, kind, at, received_at, log_index, bytes, receipt)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &rec.id.as_uuid(),
            &rec.device.as_uuid(),
            &agency.map(|a| a.as_uuid()),
            &seq_param(rec.seq)?,
            &rec.hash.as_bytes().as_slice(),
            &rec.kind,
            &rec.at.as_datetime(),
            &now,
            &i64_of(index)?,
            &bytes,
            &receipt,
        ],
    )
    .await
    .map_err(db_err)?;
    Ok(receipt)
}

async fn existing(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> StoreResult<Option<Existing>> {
    let row = tx.query_opt(sql, params).await.map_err(db_err)?;
    row.map(|r| {
        Ok(Existing {
            hash: hash_col(r.get(0))?,
            receipt: r.get(1),
        })
    })
    .transpose()
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

pub(super) async fn ingest(
    tx: &Transaction<'_>,
    device: DeviceId,
    batch: &[Candidate],
    server_key: &DeviceKey,
    now: OffsetDateTime,
) -> StoreResult<Vec<IngestResult>> {
    let mut app = load_appender(tx).await?;
    let (agency, mut head) = device_head(tx, device).await?;
    let mut results = Vec::with_capacity(batch.len());
    for c in batch {
        let rec = &c.record;
        let same_id = existing(
            tx,
            "SELECT hash, receipt FROM records WHERE id = $1",
            &[&rec.id.as_uuid()],
        )
        .await?;
        let same_seq = if same_id.is_none() && rec.seq <= head.seq {
            existing(
                tx,
                "SELECT hash, receipt FROM records WHERE device_id = $1 AND seq = $2",
                &[&device.as_uuid(), &seq_param(rec.seq)?],
            )
            .await?
        } else {
            None
        };
        results.push(match decide(same_id, same_seq, head, rec) {
            Decision::Append => {
                let receipt =
                    append_record(tx, &mut app, agency, rec, &c.bytes, server_key, now).await?;
                head = ChainHead::after(rec);
                IngestResult::Accepted { receipt }
            }
            Decision::Duplicate(receipt) => IngestResult::Duplicate { receipt },
            Decision::Reject(r) => IngestResult::Rejected(r),
        });
    }
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
    let (_, head) = device_head(tx, server.identity.device).await?;
    let mut draft = RecordDraft::new(server.identity.device, head.seq + 1, head.hash, kind, body)
        .map_err(|e| StoreError::Corrupt(format!("server record: {e}")))?;
    draft.at = Timestamp::from_datetime(now);
    let signed = record::sign(&server.key, &draft)
        .map_err(|e| StoreError::Corrupt(format!("server record: {e}")))?;
    append_record(
        tx,
        &mut app,
        agency,
        &signed.record,
        &signed.bytes,
        &server.key,
        now,
    )
    .await?;
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
