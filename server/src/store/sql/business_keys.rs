//! A controlled person's filing keys: statements and row mapping.

use super::Sql;
use crate::model::business_keys::BusinessKey;
use crate::store::StoreResult;
use crate::store::cols::Cols;

/// A filing key's chain: a device row with no agency, user or token.
pub(crate) static INSERT_DEVICE: Sql = Sql::new(
    "INSERT INTO devices (id, name, public_key, enrolled_at, head_seq, head_hash)
     VALUES (?1, ?2, ?3, ?4, 0, ?5)",
);
pub(crate) static INSERT: Sql = Sql::new(
    "INSERT INTO business_keys (device_id, subject_inn, api_key_id, created_at)
     VALUES (?1, ?2, ?3, ?4)",
);

/// The subject's keys not revoked (at most a few: a bound on how many it may hold).
pub(crate) static ACTIVE: Sql = Sql::new(
    "SELECT count(*) FROM business_keys k JOIN devices d ON d.id = k.device_id
     WHERE k.subject_inn = ?1 AND d.revoked_at IS NULL",
);

macro_rules! key_select {
    () => {
        "SELECT d.id, d.agency_id, d.user_id, d.name, d.public_key, d.enrolled_at, d.revoked_at, \
         d.last_seen_at, d.head_seq, d.head_hash, d.enrollment_record, d.synced_at, \
         d.pending_records, d.clock_skew_ms, k.subject_inn, k.api_key_id \
         FROM business_keys k JOIN devices d ON d.id = k.device_id"
    };
}

pub(crate) static OF_SUBJECT: Sql = Sql::new(concat!(
    key_select!(),
    " WHERE k.subject_inn = ?1 ORDER BY k.device_id"
));
pub(crate) static ONE: Sql = Sql::new(concat!(key_select!(), " WHERE k.device_id = ?1"));

/// Revokes a key of the subject not revoked yet.
pub(crate) static REVOKE: Sql = Sql::new(
    "UPDATE devices SET revoked_at = ?1
     WHERE id = ?2 AND revoked_at IS NULL
       AND id IN (SELECT device_id FROM business_keys WHERE subject_inn = ?3)",
);

pub(crate) fn key(r: &impl Cols) -> StoreResult<BusinessKey> {
    Ok(BusinessKey {
        device: super::devices::device(r)?,
        subject_inn: r.text(14)?,
        api_key: r.uuid(15)?,
    })
}
