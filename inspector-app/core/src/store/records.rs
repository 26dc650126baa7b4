//! The device's chain of signed records, its outbox and receipts.

use knd_shared::receipt::Receipt;
use knd_shared::record::kinds::{self, FindingResult, RecordKind};
use knd_shared::record::{ChainHead, ChainVerifier, RecordDraft, Timestamp, VerifiedRecord, sign};
use knd_shared::{InspectionId, PublicKey, RecordId, Sha256};
use rusqlite::{OptionalExtension as _, Transaction, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Store, StoreError, StoreResult};
use crate::keystore::Unlocked;

/// Where a record is on its way to the server (DESIGN.md section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordState {
    /// Signed and stored on the device only.
    Pending,
    /// Pushed, no receipt yet.
    Sent,
    /// The server's signed receipt is stored and verified.
    Receipted,
}

impl RecordState {
    fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "pending" => Ok(Self::Pending),
            "sent" => Ok(Self::Sent),
            "receipted" => Ok(Self::Receipted),
            other => Err(StoreError::Corrupt(format!("record state {other:?}"))),
        }
    }
}

/// A record as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRecord {
    pub id: RecordId,
    pub seq: u64,
    pub hash: Sha256,
    pub kind: RecordKind,
    pub at: Timestamp,
    pub state: RecordState,
}

/// A record to push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub seq: u64,
    pub id: RecordId,
    pub hash: Sha256,
    pub state: RecordState,
    /// Exactly the bytes signed, to send as they are.
    pub bytes: Vec<u8>,
}

/// The outcome of [`Store::verify_chain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainReport {
    pub records: u64,
    pub head: ChainHead,
}

/// A finding as the inspection screen lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingView {
    pub id: RecordId,
    pub seq: u64,
    pub at: Timestamp,
    pub item: String,
    pub result: FindingResult,
    pub note: Option<String>,
    pub photos: Vec<Sha256>,
    pub state: RecordState,
    /// The correction record that replaced this finding, if any (records are never edited).
    pub superseded_by: Option<RecordId>,
    /// For a finding made by a correction: the correction's reason.
    pub correction_reason: Option<String>,
}

/// An inspection opened on the device: its pulled assignment and the findings recorded so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectionView {
    pub inspection: InspectionId,
    pub assignment: Option<Value>,
    pub findings: Vec<FindingView>,
}

fn seq_u64(seq: i64) -> StoreResult<u64> {
    u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("seq {seq}")))
}

fn seq_i64(seq: u64) -> StoreResult<i64> {
    i64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("seq {seq}")))
}

/// The inspection a body belongs to: `inspection`, or for a correction its corrected body's.
fn inspection_of(kind: RecordKind, body: &Map<String, Value>) -> Option<String> {
    let body = match kind {
        RecordKind::Correction => body.get("body")?.as_object()?,
        _ => body,
    };
    body.get("inspection")?.as_str().map(str::to_owned)
}

/// Test hook for the crash test: abort the process after inserting this seq, before commit.
#[cfg(test)]
pub(crate) static ABORT_BEFORE_COMMIT_AT: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(0);

impl Store {
    /// Signs a record of `kind` with `body` and appends it to the device's chain.
    ///
    /// One IMMEDIATE transaction: the write lock is taken first, then the head is read, the
    /// record signed with the next seq and `prev` = the head's hash, and inserted. A crash
    /// leaves the whole record or nothing, and two callers can never take the same seq.
    pub fn create_record(
        &mut self,
        key: &Unlocked,
        kind: RecordKind,
        body: &impl Serialize,
    ) -> StoreResult<StoredRecord> {
        let body = to_map(body)?;
        let mut out = self.create_records(key, vec![(kind, body)])?;
        out.pop()
            .ok_or_else(|| StoreError::Corrupt("no record created".into()))
    }

    /// Creates several records in one transaction: all or none (an act with its order, a
    /// benchmark's setup).
    pub fn create_records(
        &mut self,
        key: &Unlocked,
        records: Vec<(RecordKind, Map<String, Value>)>,
    ) -> StoreResult<Vec<StoredRecord>> {
        self.check_records(key, &records)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = sign_into(&tx, key, records)?;
        tx.commit()?;
        Ok(out)
    }

    /// What every signing checks before its transaction: the key is this device's, no kind is
    /// the server's, every body fits its kind.
    pub(super) fn check_records(
        &self,
        key: &Unlocked,
        records: &[(RecordKind, Map<String, Value>)],
    ) -> StoreResult<()> {
        let profile = self.enrolled()?;
        if key.device() != profile.device || key.public_key() != profile.device_public_key {
            return Err(StoreError::WrongDevice(key.device()));
        }
        for (kind, body) in records {
            if !kind.signed_by_device() {
                return Err(StoreError::ServerKind(kind.as_str()));
            }
            kinds::check_body(kind.as_str(), body)?;
        }
        Ok(())
    }

    /// The chain head: the last record's seq and hash (genesis when empty).
    pub fn head(&self) -> StoreResult<ChainHead> {
        let tx = self.conn.unchecked_transaction()?;
        head(&tx)
    }

    /// Re-reads every record and checks it with knd-shared's chain verifier: each signature
    /// against the enrolled key, seq dense from 1, each `prev` the previous hash, and the
    /// columns the store queries by equal to what the bytes say.
    pub fn verify_chain(&self) -> StoreResult<ChainReport> {
        let profile = self.enrolled()?;
        let mut verifier = ChainVerifier::new(
            profile.device,
            profile.device_public_key,
            ChainHead::GENESIS,
        );
        let mut stmt = self
            .conn
            .prepare("SELECT seq, hash, id, kind, bytes FROM records ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        let mut count = 0u64;
        while let Some(row) = rows.next()? {
            let seq = seq_u64(row.get(0)?)?;
            let bytes: Vec<u8> = row.get(4)?;
            let broken = |reason: String| StoreError::Chain { seq, reason };
            let record = verifier.push(&bytes).map_err(|e| broken(e.to_string()))?;
            let (hash, id, kind): (String, String, String) =
                (row.get(1)?, row.get(2)?, row.get(3)?);
            if record.seq != seq
                || record.hash.to_hex() != hash
                || record.id.to_string() != id
                || record.kind != kind
            {
                return Err(broken(
                    "the stored columns disagree with the signed bytes".into(),
                ));
            }
            count += 1;
        }
        Ok(ChainReport {
            records: count,
            head: verifier.head(),
        })
    }

    /// Records not yet receipted, in chain order (what the next push sends).
    pub fn outbox(&self, limit: usize) -> StoreResult<Vec<OutboxItem>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, id, hash, state, bytes FROM outbox LIMIT ?1")?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map([limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Vec<u8>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, id, hash, state, bytes) = row?;
            out.push(OutboxItem {
                seq: seq_u64(seq)?,
                id: parse_id(&id)?,
                hash: parse_hash(&hash)?,
                state: RecordState::parse(&state)?,
                bytes,
            });
        }
        Ok(out)
    }

    /// How many records still wait for a receipt.
    pub fn pending_count(&self) -> StoreResult<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?;
        seq_u64(n)
    }

    /// Marks records as pushed (waiting for their receipts).
    pub fn mark_sent(&mut self, ids: &[RecordId]) -> StoreResult<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE records SET state = 'sent' WHERE id = ?1 AND state = 'pending'",
            )?;
            for id in ids {
                stmt.execute([id.to_string()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Verifies the server's receipt for a record and marks the record receipted. Applying the
    /// same receipt again is harmless; a receipt for another record is refused.
    pub fn apply_receipt(
        &mut self,
        record: RecordId,
        receipt_bytes: &[u8],
        server_key: &PublicKey,
    ) -> StoreResult<Receipt> {
        let mut out = self.apply_receipts(&[(record, receipt_bytes)], server_key)?;
        out.pop()
            .ok_or_else(|| StoreError::Corrupt("no receipt applied".into()))
    }

    /// [`Self::apply_receipt`] for a pushed batch: every receipt is verified first, then all are
    /// stored in one transaction (one flush to disk for the batch, not one per record). One
    /// bad receipt refuses the batch; its records stay `sent` and are pushed again.
    pub fn apply_receipts(
        &mut self,
        receipts: &[(RecordId, &[u8])],
        server_key: &PublicKey,
    ) -> StoreResult<Vec<Receipt>> {
        let verified = receipts
            .iter()
            .map(|(_, bytes)| {
                Receipt::verify(bytes, server_key).map_err(|e| StoreError::Receipt(e.to_string()))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for ((record, bytes), receipt) in receipts.iter().zip(&verified) {
            let hash: String = tx
                .prepare_cached("SELECT hash FROM records WHERE id = ?1")?
                .query_row([record.to_string()], |r| r.get(0))
                .optional()?
                .ok_or(StoreError::UnknownRecord(*record))?;
            if parse_hash(&hash)? != receipt.record {
                return Err(StoreError::Receipt(format!(
                    "the receipt is for record hash {}, this record's hash is {hash}",
                    receipt.record
                )));
            }
            let index = i64::try_from(receipt.index)
                .map_err(|_| StoreError::Receipt("log index out of range".into()))?;
            tx.prepare_cached(
                "UPDATE records SET state = 'receipted', receipt = ?2, log_index = ?3, received_at = ?4,
                                    rejected_reason = NULL, rejected_detail = NULL
                 WHERE id = ?1 AND state <> 'receipted'",
            )?
            .execute(params![
                record.to_string(),
                bytes,
                index,
                receipt.received_at.to_string()
            ])?;
        }
        tx.commit()?;
        Ok(verified)
    }

    /// A record's hash (hex) and, once receipted, its log index and the server's time of
    /// receipt, as the verified receipt gave them.
    pub fn record_proof(&self, record: RecordId) -> StoreResult<(String, Option<(u64, String)>)> {
        let (hash, index, at): (String, Option<i64>, Option<String>) = self
            .conn
            .query_row(
                "SELECT hash, log_index, received_at FROM records WHERE id = ?1",
                [record.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or(StoreError::UnknownRecord(record))?;
        let receipt = match (index, at) {
            (Some(i), Some(at)) => Some((
                u64::try_from(i).map_err(|_| StoreError::Corrupt("log index".into()))?,
                at,
            )),
            _ => None,
        };
        Ok((hash, receipt))
    }

    /// A record's state and stored receipt.
    pub fn record_state(&self, record: RecordId) -> StoreResult<(RecordState, Option<Vec<u8>>)> {
        let (state, receipt): (String, Option<Vec<u8>>) = self
            .conn
            .query_row(
                "SELECT state, receipt FROM records WHERE id = ?1",
                [record.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(StoreError::UnknownRecord(record))?;
        Ok((RecordState::parse(&state)?, receipt))
    }

    /// Opens an inspection: its assignment as pulled and its findings in chain order, each
    /// marked with the correction that superseded it, if any.
    pub fn open_inspection(&self, inspection: InspectionId) -> StoreResult<InspectionView> {
        let assignment = self.assignment(inspection)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, id, at, kind, body, state FROM records
             WHERE inspection = ?1 AND kind IN ('finding', 'correction') ORDER BY seq",
        )?;
        let rows = stmt.query_map([inspection.to_string()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut findings: Vec<FindingView> = Vec::new();
        for row in rows {
            let (seq, id, at, kind, body, state) = row?;
            let id = parse_id(&id)?;
            let body: Map<String, Value> = serde_json::from_str(&body)
                .map_err(|e| StoreError::Corrupt(format!("body of {id}: {e}")))?;
            if kind == "correction" {
                let c: kinds::Correction = kinds::decode_body(&body)
                    .map_err(|e| StoreError::Corrupt(format!("correction {id}: {e}")))?;
                if let Some(f) = findings.iter_mut().find(|f| f.id == c.supersedes) {
                    f.superseded_by = Some(id);
                }
                // The corrected finding itself is listed as a finding of its own.
                let Ok(f) = kinds::decode_body::<kinds::Finding>(&c.body) else {
                    continue;
                };
                let mut view = finding_view(id, seq, &at, &state, f)?;
                view.correction_reason = Some(c.reason);
                findings.push(view);
            } else {
                let f: kinds::Finding = kinds::decode_body(&body)
                    .map_err(|e| StoreError::Corrupt(format!("finding {id}: {e}")))?;
                findings.push(finding_view(id, seq, &at, &state, f)?);
            }
        }
        Ok(InspectionView {
            inspection,
            assignment,
            findings,
        })
    }
}

fn finding_view(
    id: RecordId,
    seq: i64,
    at: &str,
    state: &str,
    f: kinds::Finding,
) -> StoreResult<FindingView> {
    Ok(FindingView {
        id,
        seq: seq_u64(seq)?,
        at: Timestamp::parse(at).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        item: f.item,
        result: f.result,
        note: f.note,
        photos: f.photos,
        state: RecordState::parse(state)?,
        superseded_by: None,
        correction_reason: None,
    })
}

pub(super) fn to_map(body: &impl Serialize) -> StoreResult<Map<String, Value>> {
    match serde_json::to_value(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(StoreError::Record(
            knd_shared::record::RecordError::Malformed("body is not an object".into()),
        )),
        Err(e) => Err(StoreError::Record(
            knd_shared::record::RecordError::Malformed(format!("body: {e}")),
        )),
    }
}

fn parse_id(s: &str) -> StoreResult<RecordId> {
    RecordId::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_hash(s: &str) -> StoreResult<Sha256> {
    Sha256::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Signs `records` after the chain head and inserts them, inside the caller's IMMEDIATE
/// transaction (taken before the head is read, so two callers never take the same seq). The
/// caller has run [`Store::check_records`].
pub(super) fn sign_into(
    tx: &Transaction<'_>,
    key: &Unlocked,
    records: Vec<(RecordKind, Map<String, Value>)>,
) -> StoreResult<Vec<StoredRecord>> {
    let mut head = head(tx)?;
    let mut out = Vec::with_capacity(records.len());
    for (kind, body) in records {
        let draft = RecordDraft::new(key.device(), head.seq + 1, head.hash, kind, &body)?;
        let signed = sign(key.key(), &draft)?;
        insert(tx, kind, &signed.record, &signed.bytes)?;
        #[cfg(test)]
        if ABORT_BEFORE_COMMIT_AT.load(std::sync::atomic::Ordering::SeqCst) == signed.record.seq {
            std::process::abort();
        }
        head = ChainHead::after(&signed.record);
        out.push(StoredRecord {
            id: signed.record.id,
            seq: signed.record.seq,
            hash: signed.record.hash,
            kind,
            at: signed.record.at,
            state: RecordState::Pending,
        });
    }
    Ok(out)
}

pub(super) fn head(tx: &Transaction<'_>) -> StoreResult<ChainHead> {
    let row: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match row {
        None => Ok(ChainHead::GENESIS),
        Some((seq, hash)) => Ok(ChainHead {
            seq: seq_u64(seq)?,
            hash: parse_hash(&hash)?,
        }),
    }
}

pub(super) fn insert(
    tx: &Transaction<'_>,
    kind: RecordKind,
    record: &VerifiedRecord,
    bytes: &[u8],
) -> StoreResult<()> {
    let body = serde_json::to_string(&record.body)
        .map_err(|e| StoreError::Corrupt(format!("body: {e}")))?;
    tx.prepare_cached(
        "INSERT INTO records (seq, id, hash, prev, kind, at, inspection, body, bytes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        seq_i64(record.seq)?,
        record.id.to_string(),
        record.hash.to_hex(),
        record.prev.to_hex(),
        kind.as_str(),
        record.at.to_string(),
        inspection_of(kind, &record.body),
        body,
        bytes,
    ])?;
    Ok(())
}
