//! Records as the screens list them: every kind, with its delivery state and the server's
//! refusal if any.

use knd_shared::InspectionId;
use rusqlite::params;
use serde_json::{Map, Value};

use super::records::RecordState;
use super::{Store, StoreError, StoreResult};

/// One record for a list.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    pub id: String,
    pub seq: u64,
    pub kind: String,
    pub at: String,
    pub inspection: Option<String>,
    pub body: Map<String, Value>,
    pub state: RecordState,
    pub rejected_reason: Option<String>,
    /// For a warning: the business's objection to it, as the server last sent it.
    pub objection: Option<Value>,
}

const COLUMNS: &str = "r.seq, r.id, r.kind, r.at, r.inspection, r.body, r.state, \
     r.rejected_reason, o.body";
const FROM: &str = "records r LEFT JOIN warning_objections o ON o.warning = r.id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

type Raw = (
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn decode(raw: Raw) -> StoreResult<RecordRow> {
    let (seq, id, kind, at, inspection, body, state, rejected_reason, objection) = raw;
    let body: Map<String, Value> = serde_json::from_str(&body)
        .map_err(|e| StoreError::Corrupt(format!("body of {id}: {e}")))?;
    let state = match state.as_str() {
        "pending" => RecordState::Pending,
        "sent" => RecordState::Sent,
        "receipted" => RecordState::Receipted,
        other => return Err(StoreError::Corrupt(format!("record state {other:?}"))),
    };
    Ok(RecordRow {
        id,
        seq: u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("seq {seq}")))?,
        kind,
        at,
        inspection,
        body,
        state,
        rejected_reason,
        // A standing the server sent that cannot be read is shown as none, not as an error.
        objection: objection.and_then(|o| serde_json::from_str(&o).ok()),
    })
}

impl Store {
    /// The records of one inspection, in chain order.
    pub fn inspection_records(&self, inspection: InspectionId) -> StoreResult<Vec<RecordRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE r.inspection = ?1 ORDER BY r.seq"
        ))?;
        let rows = stmt.query_map([inspection.to_string()], row)?;
        rows.map(|r| decode(r?)).collect()
    }

    /// The newest `limit` records of the device, newest first.
    pub fn recent_records(&self, limit: usize) -> StoreResult<Vec<RecordRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM {FROM} ORDER BY r.seq DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], row)?;
        rows.map(|r| decode(r?)).collect()
    }
}

impl Store {
    /// One record by its seq.
    pub fn record_at(&self, seq: u64) -> StoreResult<Option<RecordRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM {FROM} WHERE r.seq = ?1"))?;
        let seq = i64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("seq {seq}")))?;
        let mut rows = stmt.query_map([seq], row)?;
        rows.next().transpose()?.map(decode).transpose()
    }
}
