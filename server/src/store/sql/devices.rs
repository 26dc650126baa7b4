//! The server's identity, enrollment codes and devices: statements and row mapping.

use knd_shared::PublicKey;
use knd_shared::record::ChainHead;

use super::Sql;
use crate::model::{Device, ServerIdentity, SyncReport};
use crate::store::cols::Cols;
use crate::store::{StoreError, StoreResult};

pub(crate) static PING: Sql = Sql::new("SELECT 1");

pub(crate) static SERVER_IDENTITY: Sql =
    Sql::new("SELECT device_id, public_key, log_origin FROM server_identity WHERE id = 1");

pub(crate) fn server_identity(r: &impl Cols) -> StoreResult<ServerIdentity> {
    Ok(ServerIdentity {
        device: r.id(0)?,
        public_key: public_key(&r.bytes(1)?)?,
        log_origin: r.text(2)?,
    })
}

pub(crate) static INSERT_SERVER_DEVICE: Sql = Sql::new(
    "INSERT INTO devices (id, name, public_key, enrolled_at, head_seq, head_hash)
     VALUES (?1, 'server', ?2, ?3, 0, ?4)",
);
pub(crate) static INSERT_SERVER_IDENTITY: Sql = Sql::new(
    "INSERT INTO server_identity (id, device_id, public_key, log_origin) VALUES (1, ?1, ?2, ?3)",
);

fn public_key(b: &[u8]) -> StoreResult<PublicKey> {
    <[u8; 32]>::try_from(b)
        .ok()
        .and_then(|k| PublicKey::from_bytes(&k).ok())
        .ok_or_else(|| StoreError::Corrupt("stored public key is invalid".into()))
}

pub(crate) static INSERT_CODE: Sql = Sql::new(
    "INSERT INTO enrollment_codes (code_hash, agency_id, user_id, created_at, expires_at)
     VALUES (?1, ?2, ?3, ?4, ?5)",
);

/// PostgreSQL locks the code's row: two devices racing with one code cannot both use it
/// (SQLite's writer is alone anyway).
pub(crate) static CODE: Sql = Sql::dialects(
    "SELECT agency_id, user_id, expires_at, used_at FROM enrollment_codes WHERE code_hash = ?1",
    "SELECT agency_id, user_id, expires_at, used_at FROM enrollment_codes
     WHERE code_hash = $1 FOR UPDATE",
);
pub(crate) static USE_CODE: Sql =
    Sql::new("UPDATE enrollment_codes SET used_at = ?1, device_id = ?2 WHERE code_hash = ?3");
pub(crate) static INSERT_DEVICE: Sql = Sql::new(
    "INSERT INTO devices (id, agency_id, user_id, name, public_key, token_hash, enrolled_at,
                          head_seq, head_hash)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)",
);
pub(crate) static SET_ENROLLMENT_RECORD: Sql =
    Sql::new("UPDATE devices SET enrollment_record = ?1 WHERE id = ?2");

macro_rules! device_columns {
    () => {
        "id, agency_id, user_id, name, public_key, enrolled_at, revoked_at, last_seen_at, \
         head_seq, head_hash, enrollment_record, synced_at, pending_records, clock_skew_ms"
    };
}

pub(crate) static DEVICE: Sql = Sql::new(concat!(
    "SELECT ",
    device_columns!(),
    " FROM devices WHERE id = ?1"
));
pub(crate) static AGENCY_DEVICE: Sql = Sql::new(concat!(
    "SELECT ",
    device_columns!(),
    " FROM devices WHERE id = ?1 AND agency_id = ?2"
));
pub(crate) static DEVICE_BY_TOKEN: Sql = Sql::new(concat!(
    "SELECT ",
    device_columns!(),
    " FROM devices WHERE token_hash = ?1"
));
pub(crate) static DEVICES: Sql = Sql::new(concat!(
    "SELECT ",
    device_columns!(),
    " FROM devices WHERE agency_id = ?1 ORDER BY enrolled_at, id"
));

pub(crate) fn device(r: &impl Cols) -> StoreResult<Device> {
    Ok(Device {
        id: r.id(0)?,
        agency: r.opt_id(1)?,
        user: r.opt_id(2)?,
        name: r.text(3)?,
        public_key: public_key(&r.bytes(4)?)?,
        enrolled_at: r.ts(5)?,
        revoked_at: r.opt_ts(6)?,
        last_seen_at: r.opt_ts(7)?,
        head: ChainHead {
            seq: r.u64(8)?,
            hash: r.hash(9)?,
        },
        enrollment_record: r.opt_id(10)?,
        sync: SyncReport {
            synced_at: r.opt_ts(11)?,
            pending_records: r.opt_i64(12)?.and_then(|n| u64::try_from(n).ok()),
            clock_skew_ms: r.opt_i64(13)?,
        },
    })
}

pub(crate) static REVOKE: Sql = Sql::new(
    "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2 AND agency_id = ?3",
);

/// What a device said on a sync call; a part it did not send keeps what it said before.
pub(crate) static REPORT_SYNC: Sql = Sql::new(
    "UPDATE devices SET synced_at = ?1, pending_records = COALESCE(?2, pending_records),
         clock_skew_ms = COALESCE(?3, clock_skew_ms) WHERE id = ?4",
);
